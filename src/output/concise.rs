//! `--format concise`: `path:line:col: CODE [severity] message`, one line per active finding,
//! for editors' error parsers (`errorformat`, `compilation-mode`) and grep.

use crate::engine::Report;
use crate::finding::Finding;

use super::location::{escape_path, place};

pub fn line(f: &Finding) -> String {
    let at = place(&f.file, f.span);
    // Columns as the human format counts them (characters), except in a chart's template.
    let (line, column) = match at.rendered {
        Some(_) => (at.region[0], at.region[1]),
        None => {
            let p = f.file.position(f.span.start);
            (p.line, p.column)
        }
    };
    // One finding per line, whatever the message holds.
    let message: Vec<&str> = f.message.split_whitespace().collect();
    format!(
        "{}:{}:{}: {}{} [{}] {}\n",
        escape_path(&at.path),
        line,
        column,
        f.code(),
        super::fixable_marker(f),
        f.severity.as_str(),
        message.join(" ")
    )
}

pub fn render(report: &Report) -> String {
    report.active().map(line).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Code;
    use crate::finding::Suppression;
    use crate::source::SourceFile;
    use crate::yaml::Span;

    #[test]
    fn one_line_per_active_finding() {
        let file = SourceFile::new("dir/a.yaml", "a: 1\n  b: çx\n");
        let at = file.text.find('x').unwrap();
        let f = Finding::new(Code::AL103, &file, Span::new(at, at + 1)).message("two\nlines  here");
        let mut quiet = f.clone();
        quiet.suppressed = Some(Suppression {
            kind: "config",
            reason: None,
        });
        let report = Report {
            findings: vec![f, quiet],
            ..Report::default()
        };
        assert_eq!(
            render(&report),
            "dir/a.yaml:2:7: AL103 [warning] two lines here\n"
        );
    }
}
