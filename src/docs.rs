//! Rule documentation, rendered from the rule pack: `auditlint rules`, `auditlint explain`,
//! and the Markdown pages under `docs/rules/`.

use crate::catalog::{self, ExampleFile, RuleMeta};

/// `auditlint rules`: a table (or JSON list) of every rule.
pub fn rule_list(json: bool) -> String {
    if json {
        let rules: Vec<_> = catalog::all()
            .iter()
            .map(|r| {
                serde_json::json!({
                    "code": r.code, "name": r.name, "severity": r.severity.as_str(), "summary": r.summary,
                    "fix": {"safe": r.safe_fix, "unsafe": r.unsafe_fix},
                })
            })
            .collect();
        return serde_json::to_string_pretty(&rules).expect("serialisable") + "\n";
    }
    let mut out = String::new();
    for r in catalog::all() {
        out.push_str(&format!(
            "{:<6} {:<8} {:<36} {}\n",
            r.code,
            r.severity.as_str(),
            r.name,
            r.summary
        ));
    }
    out
}

/// `auditlint explain CODE`: the rule's documentation as plain Markdown.
pub fn explain(r: &RuleMeta) -> String {
    format!("{}\nDocumentation: {}\n", markdown(r), r.docs_url())
}

/// The Markdown page for one rule (also written to `docs/rules/CODE.md`).
pub fn markdown(r: &RuleMeta) -> String {
    let mut out = format!(
        "# {} {}\n\nSeverity: **{}**\n\n{}\n\n",
        r.code,
        r.name,
        r.severity.as_str(),
        r.summary
    );
    out.push_str(&format!("## Why it matters\n\n{}\n\n", r.rationale));
    out.push_str(&format!("## How to fix it\n\n{}\n\n", r.remediation));
    if r.safe_fix.is_some() || r.unsafe_fix.is_some() {
        out.push_str("## Automatic fix\n\n");
        if let Some(safe) = r.safe_fix {
            out.push_str(&format!("`auditlint check --fix`: {}\n\n", safe.trim()));
        }
        if let Some(unsafe_) = r.unsafe_fix {
            out.push_str(&format!(
                "`auditlint check --fix --unsafe-fixes` (may change what is logged, review it): {}\n\n",
                unsafe_.trim()
            ));
        }
    }
    out.push_str(&format!(
        "## Example\n\nFlagged:\n\n{}\nFixed:\n\n{}",
        example(r.bad),
        example(r.good)
    ));
    if !r.references.is_empty() {
        out.push_str("\n## References\n\n");
        for reference in r.references {
            out.push_str(&format!("- [{}]({})\n", reference.title, reference.url));
        }
    }
    out
}

/// An example's files as fenced blocks, each under its path when it names one.
fn example(files: &[ExampleFile]) -> String {
    let mut out = String::new();
    for (i, f) in files.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let lang = match f.path {
            Some(path) => {
                out.push_str(&format!("`{path}`:\n\n"));
                if path.ends_with(".json") {
                    "json"
                } else {
                    "yaml"
                }
            }
            None => "yaml",
        };
        out.push_str(&format!("```{lang}\n{}```\n", ensure_newline(f.text)));
    }
    out
}

fn ensure_newline(s: &str) -> String {
    if s.ends_with('\n') {
        s.to_owned()
    } else {
        format!("{s}\n")
    }
}

/// The files of `docs/rules/`: one page per rule and a `README.md` index, as (file name,
/// contents). tests/docs.rs keeps the committed directory equal to this.
pub fn rule_pages() -> Vec<(String, String)> {
    let mut pages: Vec<(String, String)> = catalog::all()
        .iter()
        .map(|r| (format!("{}.md", r.code), markdown(r)))
        .collect();
    let mut index = String::from(
        "# Rules\n\nGenerated from `rules/*.yaml`; `auditlint explain CODE` prints the same pages.\n\n\
         | code | name | severity | summary |\n|---|---|---|---|\n",
    );
    for r in catalog::all() {
        index.push_str(&format!(
            "| [{code}]({code}.md) | `{}` | {} | {} |\n",
            r.name,
            r.severity.as_str(),
            r.summary.replace('|', "\\|"),
            code = r.code,
        ));
    }
    pages.push(("README.md".to_owned(), index));
    pages
}
