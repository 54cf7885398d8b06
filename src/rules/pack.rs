//! The rule pack: one YAML file per rule in `rules/`, embedded at build time. It drives
//! `auditlint rules`, `auditlint explain`, SARIF rule metadata and the generated docs.

use std::sync::OnceLock;

use crate::finding::Severity;
use crate::yaml::{parse_all, Item, Node};

include!(concat!(env!("OUT_DIR"), "/rule_pack.rs"));

#[derive(Debug, Clone)]
pub struct Reference {
    pub title: String,
    pub url: String,
}

/// Everything a person (or SARIF consumer) needs to know about one rule.
#[derive(Debug, Clone)]
pub struct RuleMeta {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub summary: String,
    pub rationale: String,
    pub remediation: String,
    pub references: Vec<Reference>,
    pub tags: Vec<String>,
    pub bad: String,
    pub good: String,
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

/// All rules, sorted by code.
pub fn all() -> &'static [RuleMeta] {
    static PACK: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    PACK.get_or_init(|| {
        RULE_FILES
            .iter()
            .map(|(file, text)| parse_rule(text).unwrap_or_else(|e| panic!("rules/{file}: {e}")))
            .collect()
    })
}

/// A rule by code (`AL103`) or name (`audit-log-maxage`), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    all().iter().find(|r| {
        r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// A rule by its exact code; rules only report codes that exist in the pack.
pub fn get(code: &str) -> &'static RuleMeta {
    find(code).unwrap_or_else(|| panic!("rule {code} is not in the rule pack"))
}

/// Parses one rule file. Public so that the pack's own test can report every problem.
pub fn parse_rule(text: &str) -> Result<RuleMeta, String> {
    let (items, _) = parse_all(text);
    let doc = match items.into_iter().next() {
        Some(Item::Document(d)) => d,
        Some(Item::Error(e)) => return Err(e.message),
        None => return Err("empty file".into()),
    };
    let root = doc.root().ok_or("empty document")?;
    let s = |key: &str| -> Result<String, String> {
        root.get_str(key)
            .map(|s| s.trim_end().to_owned())
            .ok_or(format!("missing `{key}`"))
    };
    let severity = match s("severity")?.as_str() {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "note" => Severity::Note,
        other => return Err(format!("unknown severity `{other}`")),
    };
    let example = |key: &str| -> Result<String, String> {
        root.path(&["example", key])
            .and_then(Node::str)
            .map(str::to_owned)
            .ok_or(format!("missing `example.{key}`"))
    };
    let references = root
        .get("references")
        .map(|refs| {
            refs.items()
                .map(|r| Reference {
                    title: r.get_str("title").unwrap_or_default().to_owned(),
                    url: r.get_str("url").unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    let tags = root
        .get("tags")
        .map(|t| {
            t.items()
                .filter_map(|t| t.str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    Ok(RuleMeta {
        code: s("code")?,
        name: s("name")?,
        severity,
        summary: s("summary")?,
        rationale: s("rationale")?,
        remediation: s("remediation")?,
        references,
        tags,
        bad: example("bad")?,
        good: example("good")?,
    })
}
