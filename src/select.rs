//! Rule selectors, as `--select`, `--ignore`, `--extend-select` and the configuration's
//! `select`/`ignore` take them: a code (`AL103`), a code prefix (`AL1`, `AL10`), a rule name
//! (`audit-log-maxage`), a family (`policy`: the AL2xx rules) or a tag (`cis-1.2.17`).
//! Everything is matched against the rule metadata, so a new rule is selectable as soon as
//! its `rules/ALxxx.yaml` exists.

use crate::catalog::{self as pack, RuleMeta};

/// The rule families, by the code prefix their rules share (`rules/*.yaml` codes).
pub const FAMILIES: &[(&str, &str)] = &[
    ("input", "AL0"),
    ("apiserver", "AL1"),
    ("policy", "AL2"),
    ("seccomp", "AL3"),
    ("forwarding", "AL4"),
    ("managed", "AL5"),
];

/// Whether `selector` picks `rule`.
fn picks(selector: &str, rule: &RuleMeta) -> bool {
    let upper = selector.to_ascii_uppercase();
    let is_code_prefix = upper.len() >= 2
        && upper.starts_with("AL")
        && upper[2..].bytes().all(|b| b.is_ascii_digit());
    if is_code_prefix {
        return rule.code.as_str().starts_with(&upper);
    }
    let lower = selector.to_ascii_lowercase();
    rule.name == lower
        || rule.tags.iter().any(|t| t.eq_ignore_ascii_case(&lower))
        || FAMILIES
            .iter()
            .any(|(family, prefix)| *family == lower && rule.code.as_str().starts_with(prefix))
}

/// The codes `selector` picks, or an error that names the nearest known selector.
pub fn codes(selector: &str) -> Result<Vec<String>, String> {
    let selector = selector.trim();
    let codes: Vec<String> = pack::all()
        .iter()
        .filter(|r| picks(selector, r))
        .map(|r| r.code.as_str().to_owned())
        .collect();
    if !codes.is_empty() {
        return Ok(codes);
    }
    let mut message = format!("no rule, prefix, family or tag `{selector}`");
    match suggestion(selector) {
        Some(s) => message.push_str(&format!("; did you mean `{s}`?")),
        None => message.push_str("; `auditlint rules` lists them"),
    }
    Err(message)
}

/// The codes of every selector, in rule order, without repeats.
pub fn codes_of(selectors: &[String]) -> Result<Vec<String>, String> {
    let mut all = Vec::new();
    for s in selectors {
        for code in codes(s)? {
            if !all.contains(&code) {
                all.push(code);
            }
        }
    }
    all.sort();
    Ok(all)
}

/// Every word a selector can be, for completions and suggestions: codes, names, families
/// and tags.
pub fn vocabulary() -> Vec<&'static str> {
    let rules = pack::all();
    let mut words: Vec<&'static str> = rules
        .iter()
        .flat_map(|r| [r.code.as_str(), r.name])
        .collect();
    words.extend(FAMILIES.iter().map(|(f, _)| *f));
    let mut tags: Vec<&'static str> = rules.iter().flat_map(|r| r.tags.iter().copied()).collect();
    tags.sort_unstable();
    tags.dedup();
    words.extend(
        tags.into_iter()
            .filter(|t| !words.contains(t))
            .collect::<Vec<_>>(),
    );
    words
}

/// The known selector nearest to `word`, when it is a likely typo.
pub fn suggestion(word: &str) -> Option<&'static str> {
    crate::catalog::suggest(word, vocabulary().into_iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_prefixes_names_families_and_tags_select() {
        assert_eq!(codes("AL103").unwrap(), ["AL103"]);
        assert_eq!(codes("al103").unwrap(), ["AL103"]);
        assert_eq!(codes("audit-log-maxage").unwrap(), ["AL103"]);
        let al2 = codes("AL2").unwrap();
        assert!(al2.len() > 5 && al2.iter().all(|c| c.starts_with("AL2")));
        assert_eq!(
            codes("policy").unwrap(),
            al2,
            "the family is the AL2xx rules"
        );
        let al20 = codes("AL20").unwrap();
        assert!(al20.len() < al2.len() && al20.iter().all(|c| c.starts_with("AL20")));
        assert_eq!(codes("AL").unwrap().len(), pack::all().len());
        assert_eq!(codes("cis-1.2.17").unwrap(), ["AL103"]);
        assert!(codes("AL9").is_err());
    }

    #[test]
    fn unknown_selectors_suggest_the_nearest() {
        let e = codes("audit-log-maxag").unwrap_err();
        assert!(e.contains("did you mean `audit-log-maxage`?"), "{e}");
        let e = codes("polcy").unwrap_err();
        assert!(e.contains("did you mean `policy`?"), "{e}");
        let e = codes("zzzzzzzzzzzz").unwrap_err();
        assert!(e.contains("`auditlint rules` lists them"), "{e}");
    }

    #[test]
    fn several_selectors_give_each_code_once() {
        let codes = codes_of(&["AL10".into(), "AL103".into(), "input".into()]).unwrap();
        let mut sorted = codes.clone();
        sorted.dedup();
        assert_eq!(codes, sorted);
        assert!(codes.contains(&"AL001".to_string()) && codes.contains(&"AL103".to_string()));
    }
}
