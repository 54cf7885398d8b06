//! The cap on findings per rule per file: a file that repeats one mistake many times makes a
//! bounded report, and the summary still counts every finding.

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use common::tree;

fn json(cwd: &Path, args: &[&str]) -> (Value, usize) {
    let out = Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args(["check", "--format", "json"])
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        out.stdout.len(),
    )
}

/// A mapping with key `a` repeated `n` times: `n - 1` AL002 findings.
fn repeated_key(n: usize) -> String {
    "a: 1\n".repeat(n)
}

fn codes(report: &Value) -> Vec<&str> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect()
}

#[test]
fn past_100_findings_of_a_rule_in_a_file_one_finding_says_how_many_more() {
    let text = repeated_key(251);
    let dir = tree(&[("dup.yaml", &text), ("other.yaml", "b: 1\nb: 2\n")]);
    let (report, _) = json(dir.path(), &["."]);
    let findings = report["findings"].as_array().unwrap();
    let in_dup: Vec<&Value> = findings
        .iter()
        .filter(|f| f["path"] == "dup.yaml")
        .collect();
    assert_eq!(in_dup.len(), 101);
    let last = in_dup.iter().find(|f| f["omitted"].is_number()).unwrap();
    assert_eq!(last["omitted"], 150);
    assert_eq!(last["code"], "AL002");
    assert_eq!(last["line"], 102, "it stands at the first finding left out");
    assert!(last["message"]
        .as_str()
        .unwrap()
        .starts_with("150 more AL002"));
    // The other file is not affected, and the summary counts everything.
    assert_eq!(
        findings
            .iter()
            .filter(|f| f["path"] == "other.yaml")
            .count(),
        1
    );
    assert_eq!(report["summary"]["warnings"], 251);
    assert_eq!(report["summary"]["omitted"], 150);
}

#[test]
fn the_cap_is_set_on_the_command_line_or_in_the_configuration() {
    let text = repeated_key(31);
    let dir = tree(&[("dup.yaml", &text)]);
    let (report, _) = json(dir.path(), &[".", "--max-findings-per-rule", "0"]);
    assert_eq!(codes(&report).len(), 30, "0 shows all");
    let (report, _) = json(dir.path(), &[".", "--max-findings-per-rule", "5"]);
    assert_eq!(codes(&report).len(), 6);
    assert_eq!(report["summary"]["omitted"], 25);
    std::fs::write(
        dir.path().join(".auditlint.yaml"),
        "max-findings-per-rule: 10\n",
    )
    .unwrap();
    let (report, _) = json(dir.path(), &["."]);
    assert_eq!(codes(&report).len(), 11);
    // The command line wins over the file.
    let (report, _) = json(dir.path(), &[".", "--max-findings-per-rule", "2"]);
    assert_eq!(codes(&report).len(), 3);
}

#[test]
fn the_human_summary_counts_what_is_not_shown() {
    let text = repeated_key(104);
    let dir = tree(&[("dup.yaml", &text)]);
    let out = Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args(["check", "--color", "never", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = stdout.lines().last().unwrap();
    assert!(
        summary.contains("103 warnings") && summary.contains("(3 not shown"),
        "{summary}"
    );
    assert!(stdout.contains("3 more like this"), "{stdout:.2000}");
}

#[test]
fn a_million_repeats_of_one_key_make_a_small_report() {
    // 4.8 MB of input used to make a 612 MB JSON report.
    let text = repeated_key(1_000_000);
    let dir = tree(&[("dup.yaml", &text)]);
    let (report, size) = json(dir.path(), &["."]);
    assert_eq!(codes(&report).len(), 101);
    assert_eq!(report["summary"]["warnings"], 999_999);
    assert!(size < 200_000, "a report of {size} bytes");
}
