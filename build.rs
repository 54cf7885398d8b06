//! Generates the rule catalogue from the rule pack (`rules/AL*.yaml`): `enum Code` with one
//! variant per rule, and the static metadata table behind it, so the binary carries its own
//! documentation and a rule can only report a code that exists. A rule file that cannot be
//! read, names a code other than its file name, or repeats a code fails the build.

use std::collections::BTreeMap;
use std::{env, fs, path::Path};

use granit_parser::{Event, Parser};

/// The YAML subset the rule files use: scalars, lists and mappings.
#[derive(Debug)]
enum Yaml {
    Str(String),
    Seq(Vec<Yaml>),
    Map(Vec<(String, Yaml)>),
}

impl Yaml {
    fn get(&self, key: &str) -> Option<&Yaml> {
        match self {
            Yaml::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn str(&self) -> Option<&str> {
        match self {
            Yaml::Str(s) => Some(s),
            _ => None,
        }
    }
}

fn parse(text: &str) -> Result<Yaml, String> {
    let mut stack: Vec<(Yaml, Option<String>)> = Vec::new();
    let mut root = None;
    for next in Parser::new_from_str(text) {
        let (event, _) = next.map_err(|e| e.to_string())?;
        let done = match event {
            Event::Scalar(text, ..) => Some(Yaml::Str(text.into())),
            Event::SequenceStart(..) => {
                stack.push((Yaml::Seq(Vec::new()), None));
                None
            }
            Event::MappingStart(..) => {
                stack.push((Yaml::Map(Vec::new()), None));
                None
            }
            Event::SequenceEnd | Event::MappingEnd => stack.pop().map(|(v, _)| v),
            Event::Alias(_) => return Err("anchors and aliases are not used in rule files".into()),
            _ => None,
        };
        let Some(value) = done else { continue };
        match stack.last_mut() {
            None => root = Some(value),
            Some((Yaml::Seq(items), _)) => items.push(value),
            Some((Yaml::Map(entries), key)) => match key.take() {
                Some(k) => entries.push((k, value)),
                None => match value {
                    Yaml::Str(k) => *key = Some(k),
                    _ => return Err("mapping keys must be plain strings".into()),
                },
            },
            Some((Yaml::Str(_), _)) => unreachable!("scalars are never open"),
        }
    }
    root.ok_or_else(|| "empty file".to_owned())
}

/// One rule file as Rust source for a `RuleMeta` literal.
fn rule_literal(file: &str, doc: &Yaml) -> Result<(String, String), String> {
    let s = |key: &str| -> Result<String, String> {
        doc.get(key)
            .and_then(Yaml::str)
            .map(|s| s.trim_end().to_owned())
            .ok_or(format!("missing `{key}`"))
    };
    let code = s("code")?;
    if format!("{code}.yaml") != file {
        return Err(format!("`code: {code}` does not match the file name"));
    }
    let severity = match s("severity")?.as_str() {
        "error" => "Error",
        "warning" => "Warning",
        "note" => "Note",
        other => return Err(format!("unknown severity `{other}`")),
    };
    let references: Vec<String> = match doc.get("references") {
        Some(Yaml::Seq(items)) => items
            .iter()
            .map(|r| {
                let f = |k| r.get(k).and_then(Yaml::str).unwrap_or_default();
                format!(
                    "Reference {{ title: {:?}, url: {:?} }}",
                    f("title"),
                    f("url")
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    let tags: Vec<String> = match doc.get("tags") {
        Some(Yaml::Seq(items)) => items
            .iter()
            .filter_map(Yaml::str)
            .map(|t| format!("{t:?}"))
            .collect(),
        _ => Vec::new(),
    };
    let example = doc.get("example").ok_or("missing `example`")?;
    let path = example.get("path").and_then(Yaml::str);
    let files = |key: &str| -> Result<String, String> {
        let files: Vec<(Option<&str>, &str)> = match example.get(key) {
            Some(Yaml::Str(text)) => vec![(path, text)],
            Some(e @ Yaml::Map(_)) => match e.get("files") {
                Some(Yaml::Map(files)) => files
                    .iter()
                    .map(|(p, t)| t.str().map(|t| (Some(p.as_str()), t)))
                    .collect::<Option<_>>()
                    .ok_or(format!("`example.{key}.files` values must be file texts"))?,
                _ => return Err(format!("`example.{key}` needs `files: {{PATH: TEXT}}`")),
            },
            _ => return Err(format!("missing `example.{key}`")),
        };
        let files: Vec<String> = files
            .iter()
            .map(|(p, t)| format!("ExampleFile {{ path: {p:?}, text: {t:?} }}"))
            .collect();
        Ok(format!("&[{}]", files.join(", ")))
    };
    // `fix: {safe: WHAT, unsafe: WHAT}`: what `--fix` (and `--unsafe-fixes`) does.
    let fix = |key: &str| -> Result<String, String> {
        match doc.get("fix") {
            None => Ok("None".into()),
            Some(f @ Yaml::Map(entries)) => {
                if let Some((k, _)) = entries.iter().find(|(k, _)| k != "safe" && k != "unsafe") {
                    return Err(format!("`fix.{k}`: only `safe` and `unsafe` are known"));
                }
                Ok(match f.get(key) {
                    Some(Yaml::Str(t)) => format!("Some({:?})", t.trim_end()),
                    Some(_) => return Err(format!("`fix.{key}` must be a text")),
                    None => "None".into(),
                })
            }
            Some(_) => Err("`fix` must be a mapping with `safe` and/or `unsafe`".into()),
        }
    };
    let literal = format!(
        "RuleMeta {{ code: Code::{code}, name: {:?}, severity: Severity::{severity}, \
         summary: {:?}, rationale: {:?}, remediation: {:?}, references: &[{}], tags: &[{}], \
         bad: {}, good: {}, safe_fix: {}, unsafe_fix: {}, opt_in: {} }}",
        s("name")?,
        s("summary")?,
        s("rationale")?,
        s("remediation")?,
        references.join(", "),
        tags.join(", "),
        files("bad")?,
        files("good")?,
        fix("safe")?,
        fix("unsafe")?,
        match doc.get("opt-in").and_then(Yaml::str) {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => return Err(format!("`opt-in: {other}`: true or false")),
        },
    );
    Ok((code, literal))
}

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let mut names: Vec<String> = fs::read_dir("rules")
        .expect("rules/ directory")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("AL") && n.ends_with(".yaml"))
        .collect();
    names.sort();
    let mut rules = BTreeMap::new();
    for name in &names {
        let text = fs::read_to_string(Path::new("rules").join(name)).expect("read rule file");
        let (code, literal) = parse(&text)
            .and_then(|doc| rule_literal(name, &doc))
            .unwrap_or_else(|e| panic!("rules/{name}: {e}"));
        let ok = code.len() == 5
            && code.starts_with("AL")
            && code[2..].bytes().all(|b| b.is_ascii_digit());
        assert!(ok, "rules/{name}: `{code}` is not a code like AL103");
        if rules.insert(code.clone(), literal).is_some() {
            panic!("rules/{name}: code {code} is defined twice");
        }
    }
    let codes: Vec<&String> = rules.keys().collect();
    let variants: String = codes.iter().map(|c| format!("    {c},\n")).collect();
    let strs: String = codes
        .iter()
        .map(|c| format!("            Code::{c} => {c:?},\n"))
        .collect();
    let all: String = codes.iter().map(|c| format!("Code::{c}, ")).collect();
    let metas: String = rules.values().map(|l| format!("    {l},\n")).collect();
    let out = format!(
        "/// A rule code, one variant per file of `rules/`.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]\n\
         pub enum Code {{\n{variants}}}\n\n\
         impl Code {{\n\
         \x20   /// Every code, in order.\n\
         \x20   pub const ALL: &'static [Code] = &[{all}];\n\n\
         \x20   pub fn as_str(self) -> &'static str {{\n\
         \x20       match self {{\n{strs}        }}\n    }}\n}}\n\n\
         /// The rule pack, in code order (`RULES[code as usize]` is `code`'s rule).\n\
         static RULES: &[RuleMeta] = &[\n{metas}];\n"
    );
    let dest = Path::new(&env::var("OUT_DIR").expect("out dir")).join("catalog.rs");
    fs::write(dest, out).expect("write");
}
