//! `--format github`: GitHub Actions workflow commands, one annotation per active finding:
//! `::error file=…,line=…,endLine=…,col=…,endColumn=…,title=AL103 audit-log-maxage::message`.
//!
//! Suppressed findings are not annotated (they do not count); SARIF carries them.

use crate::engine::Report;
use crate::finding::{Finding, Severity};

use super::location::place;

/// The workflow command of a severity (GitHub has no `note`; `notice` is its equivalent).
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// Escapes a command's message (`%`, CR, LF), as the runner's `escapeData` does.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: the data escapes plus `:` and `,`, which delimit properties.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn annotation(f: &Finding) -> String {
    let at = place(&f.file, f.span);
    let [line, col, end_line, end_col] = at.region;
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    if let Some(template) = &f.template {
        message.push_str("\ntemplate: ");
        message.push_str(template);
    }
    if let Some(cluster) = &f.cluster {
        message.push_str("\ncluster: ");
        message.push_str(cluster);
    }
    format!(
        "::{} file={},line={},endLine={},col={},endColumn={},title={}::{}\n",
        command(f.severity),
        escape_property(&at.path),
        line,
        end_line,
        col,
        end_col,
        escape_property(&format!("{} {}", f.code(), f.rule.name)),
        escape_data(&message),
    )
}

/// One annotation per active finding, then a plain summary line for the log.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for e in &report.input_errors {
        out.push_str(&format!("::error title=auditlint::{}\n", escape_data(e)));
    }
    for n in &report.notes {
        out.push_str(&format!("::notice title=auditlint::{}\n", escape_data(n)));
    }
    let (mut errors, mut warnings, mut notes) = (0, 0, 0);
    for f in report.active() {
        match f.severity {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
            Severity::Note => notes += 1,
        }
        out.push_str(&annotation(f));
    }
    let suppressed = report.findings.len() - report.active().count();
    out.push_str(&format!(
        "auditlint: {} files, {errors} errors, {warnings} warnings, {notes} notes, {suppressed} suppressed\n",
        report.files
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Suppression;
    use crate::source::SourceFile;
    use crate::yaml::Span;

    #[test]
    fn escaping_is_table_driven() {
        // (input, as data, as property)
        let cases = [
            ("plain", "plain", "plain"),
            ("100%", "100%25", "100%25"),
            ("a\nb", "a%0Ab", "a%0Ab"),
            ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
            ("k: v, w", "k: v, w", "k%3A v%2C w"),
            ("%0A", "%250A", "%250A"),
            ("c:\\x,y.yaml", "c:\\x,y.yaml", "c%3A\\x%2Cy.yaml"),
            ("::error::", "::error::", "%3A%3Aerror%3A%3A"),
        ];
        for (input, data, property) in cases {
            assert_eq!(escape_data(input), data, "data {input:?}");
            assert_eq!(escape_property(input), property, "property {input:?}");
        }
    }

    #[test]
    fn annotations_name_severity_place_and_rule() {
        let file = SourceFile::new("a,b.yaml", "a: 1\nb: x\n");
        let at = file.text.find('x').unwrap();
        let f = Finding::new("AL103", &file, Span::new(at, at + 1))
            .message("50% of: it\nis wrong")
            .help("fix it");
        assert_eq!(
            annotation(&f),
            "::warning file=a%2Cb.yaml,line=2,endLine=2,col=4,endColumn=5,\
             title=AL103 audit-log-maxage::50%25 of: it%0Ais wrong%0Ahelp: fix it\n"
        );
        let note = Finding::new("AL003", &file, Span::point(0));
        assert!(annotation(&note).starts_with("::notice file=a%2Cb.yaml,line=1,"));
        let error = Finding::new("AL001", &file, Span::point(0));
        assert!(annotation(&error).starts_with("::error "));
    }

    #[test]
    fn suppressed_findings_are_not_annotated() {
        let file = SourceFile::new("a.yaml", "a: 1\n");
        let active = Finding::new("AL001", &file, Span::point(0));
        let mut quiet = active.clone();
        quiet.suppressed = Some(Suppression {
            kind: "inline",
            reason: None,
        });
        let report = Report {
            findings: vec![active, quiet],
            files: 1,
            ..Report::default()
        };
        let out = render(&report);
        assert_eq!(out.lines().filter(|l| l.starts_with("::")).count(), 1);
        assert!(out.ends_with("1 files, 1 errors, 0 warnings, 0 notes, 1 suppressed\n"));
    }
}
