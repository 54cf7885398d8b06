//! `--format checkstyle`: Checkstyle XML, read by Jenkins' warnings plugin, reviewdog,
//! SonarQube and many code-review tools.

use crate::engine::Report;
use crate::finding::Severity;

use super::xml::{by_file, details, escape};

/// Checkstyle's severities: `error`, `warning`, `info`.
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "info",
    }
}

pub fn render(report: &Report) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<checkstyle version=\"4.3\">\n");
    for (path, findings) in by_file(report) {
        out.push_str(&format!("  <file name=\"{}\">\n", escape(&path)));
        for p in findings {
            let f = p.finding;
            out.push_str(&format!(
                "    <error line=\"{}\" column=\"{}\" severity=\"{}\" message=\"{}\" source=\"auditlint.{}.{}\"/>\n",
                p.line,
                p.column,
                severity(f.severity),
                escape(&details(f)),
                f.code(),
                escape(f.rule.name),
            ));
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}
