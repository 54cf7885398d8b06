//! The rule catalogue: every rule's code, severity and documentation, generated at build time
//! from `rules/AL*.yaml` (see `build.rs`). It drives `auditlint rules`, `auditlint explain`,
//! SARIF rule metadata and the generated docs. A leaf: it uses nothing else of the crate, so
//! every other module may use it.

use std::fmt;

use serde::Serialize;

include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Reference {
    pub title: &'static str,
    pub url: &'static str,
}

/// One file of a documented example. `path` is the file it stands for, when the rule
/// depends on it (`seccomp/profile.json`) or the example holds several files.
#[derive(Debug, Clone)]
pub struct ExampleFile {
    pub path: Option<&'static str>,
    pub text: &'static str,
}

/// Everything a person (or SARIF consumer) needs to know about one rule.
#[derive(Debug, Clone)]
pub struct RuleMeta {
    pub code: Code,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub rationale: &'static str,
    pub remediation: &'static str,
    pub references: &'static [Reference],
    pub tags: &'static [&'static str],
    /// The example that raises the rule (one file, or several for a rule that relates files).
    pub bad: &'static [ExampleFile],
    /// The same example, fixed.
    pub good: &'static [ExampleFile],
    /// What `--fix` does to a finding of this rule, if it can ([`crate::fix`]).
    pub safe_fix: Option<&'static str>,
    /// What `--unsafe-fixes` does beyond that: an edit that may change behaviour.
    pub unsafe_fix: Option<&'static str>,
    /// Off unless a selector names it (`--extend-select`, `select`): advice not every
    /// project wants.
    pub opt_in: bool,
}

impl RuleMeta {
    /// Where the rule's documentation is published.
    pub fn docs_url(&self) -> String {
        format!(
            "https://github.com/auditlint/auditlint/blob/main/docs/rules/{}.md",
            self.code
        )
    }
}

impl Code {
    /// The rule's metadata.
    pub fn meta(self) -> &'static RuleMeta {
        &RULES[self as usize]
    }

    /// A code by its exact text (`AL103`).
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == text)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Codes compare with their text, so tests and settings can name them as written.
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// All rules, sorted by code.
pub fn all() -> &'static [RuleMeta] {
    RULES
}

/// A rule by code (`AL103`) or name (`audit-log-maxage`), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| {
        r.code.as_str().eq_ignore_ascii_case(code_or_name)
            || r.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// The rule whose code or name is nearest to `word`. Codes are not suggested for a
/// code-shaped word: `AL999` is no more a typo of `AL109` than of `AL199`.
pub fn suggest_rule(word: &str) -> Option<&'static str> {
    let code_like = word.len() > 2
        && word.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("AL"))
        && word.bytes().skip(2).all(|b| b.is_ascii_digit());
    if code_like {
        return None;
    }
    suggest(word, RULES.iter().map(|r| r.name))
}

/// The candidate nearest to `word`, if it is near enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .map(|c| (strsim::levenshtein(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_index_their_rules() {
        for (i, code) in Code::ALL.iter().enumerate() {
            assert_eq!(*code as usize, i);
            assert_eq!(code.meta().code, *code);
            assert_eq!(Code::parse(code.as_str()), Some(*code));
        }
        assert_eq!(Code::ALL.len(), all().len());
    }

    #[test]
    fn rules_are_found_by_code_or_name() {
        assert_eq!(find("al103").map(|r| r.code), Some(Code::AL103));
        assert_eq!(find("audit-log-maxage").map(|r| r.code), Some(Code::AL103));
        assert!(find("AL999").is_none());
        assert_eq!(suggest_rule("audit-log-maxag"), Some("audit-log-maxage"));
        assert_eq!(suggest_rule("AL999"), None);
    }
}
