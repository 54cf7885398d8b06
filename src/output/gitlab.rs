//! `--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`), the
//! subset of the Code Climate issue format GitLab reads: description, check_name,
//! fingerprint, severity, location.path and location.lines.begin.

use serde::Serialize;

use crate::engine::Report;
use crate::finding::Severity;

use super::location::place;

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    categories: [&'static str; 1],
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// GitLab's severities: `info`, `minor`, `major`, `critical`, `blocker`.
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Note => "info",
    }
}

/// One issue per active finding, fingerprinted like SARIF results and baselines (stable
/// when unrelated edits move a finding), placed as the other machine formats place it.
pub fn render(report: &Report) -> String {
    let active: Vec<_> = report.active().cloned().collect();
    let fingerprints = crate::fingerprint::fingerprints(&active);
    let issues: Vec<Issue> = active
        .iter()
        .zip(fingerprints)
        .map(|(f, fingerprint)| (place(&f.file, f.span), f, fingerprint))
        .map(|(at, f, fingerprint)| Issue {
            kind: "issue",
            description: format!("{} {}: {}", f.code(), f.rule.name, f.message),
            check_name: f.code(),
            fingerprint,
            severity: severity(f.severity),
            categories: ["Security"],
            location: Location {
                lines: Lines {
                    begin: at.region[0],
                    end: at.region[2],
                },
                path: at.path,
            },
        })
        .collect();
    serde_json::to_string_pretty(&issues).expect("serialisable") + "\n"
}
