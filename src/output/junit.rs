//! `--format junit`: JUnit XML, for CI systems that show test results (GitLab
//! `artifacts:reports:junit`, Jenkins, Azure Pipelines). One test suite per file with
//! findings, one failed test case per finding; a clean scan is one passing test case.

use crate::engine::Report;

use super::xml::{by_file, details, escape};

pub fn render(report: &Report) -> String {
    let files = by_file(report);
    let total: usize = files.iter().map(|(_, f)| f.len()).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let tests = total.max(1);
    out.push_str(&format!(
        "<testsuites name=\"auditlint\" tests=\"{tests}\" failures=\"{total}\" errors=\"0\">\n"
    ));
    if files.is_empty() {
        out.push_str("  <testsuite name=\"auditlint\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n");
        out.push_str("    <testcase name=\"no findings\" classname=\"auditlint\"/>\n");
        out.push_str("  </testsuite>\n");
    }
    for (path, findings) in &files {
        let path = escape(path);
        out.push_str(&format!(
            "  <testsuite name=\"{path}\" tests=\"{n}\" failures=\"{n}\" errors=\"0\" skipped=\"0\">\n",
            n = findings.len()
        ));
        for p in findings {
            let f = p.finding;
            out.push_str(&format!(
                "    <testcase name=\"{code} {name} at line {line}, column {column}\" classname=\"{path}\" file=\"{path}\" line=\"{line}\">\n",
                code = f.code(),
                name = escape(f.rule.name),
                line = p.line,
                column = p.column,
            ));
            out.push_str(&format!(
                "      <failure message=\"{}\" type=\"{}\">{}:{}:{}: {}</failure>\n",
                escape(&f.message),
                f.severity.as_str(),
                path,
                p.line,
                p.column,
                escape(&details(f))
            ));
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
