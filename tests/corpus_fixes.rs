//! `--fix --unsafe-fixes` over a copy of the whole shared corpus: every fix converges (no
//! file is left with fixes after the last pass), the fixed files parse, every finding that had
//! a fix is gone unless its rollback was reported, no new finding at warning or above appears
//! in any file, and a second `--fix` changes nothing. The numbers (files and findings fixed,
//! rollbacks) are printed. Skipped without the corpus, except under `CI`.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Command;

fn auditlint(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .current_dir(dir)
        .args(["check", "--no-config", "--fail-on", "never"])
        .args(args)
        .arg(".")
        .output()
        .unwrap()
}

/// A finding's identity across a fix: path, code, message without line numbers.
type Key = (String, String, String);

/// Each finding of a JSON scan: its key, severity, and whether it has a fix.
fn scan(dir: &Path) -> Vec<(Key, String, bool)> {
    let out = auditlint(dir, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let key = (
                f["path"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
                auditlint::autofix::without_line_numbers(f["message"].as_str().unwrap()),
            );
            (
                key,
                f["severity"].as_str().unwrap().to_owned(),
                !f["fix"].is_null(),
            )
        })
        .collect()
}

fn count(findings: &[(Key, String, bool)], warning_or_above: bool) -> HashMap<Key, usize> {
    let mut counts = HashMap::new();
    for (key, severity, _) in findings {
        if !warning_or_above || severity != "note" {
            *counts.entry(key.clone()).or_insert(0) += 1;
        }
    }
    counts
}

fn contents(dir: &Path) -> BTreeMap<std::path::PathBuf, Vec<u8>> {
    common::files_under(dir)
        .into_iter()
        .map(|(rel, path)| (rel, std::fs::read(path).unwrap()))
        .collect()
}

#[test]
fn fixing_the_corpus_converges_and_keeps_every_other_finding() {
    let Some(corpus) = common::corpus("") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&corpus, dir.path());
    let before = scan(dir.path());
    let fixable = before.iter().filter(|f| f.2).count();
    assert!(fixable > 0, "the corpus has fixable findings");

    let out = auditlint(dir.path(), &["--fix", "--unsafe-fixes"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("not converged"), "{stderr}");
    let rolled_back: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("rolled back"))
        .collect();
    let summary = stderr
        .lines()
        .find(|l| l.contains("auditlint: fixed"))
        .unwrap_or("auditlint: fixed nothing");
    eprintln!(
        "corpus: {fixable} findings with a fix; {summary}; {} rolled back",
        rolled_back.len()
    );
    for line in &rolled_back {
        eprintln!("  {line}");
    }

    let after = scan(dir.path());
    // Every fixable finding is gone, unless its rollback was reported.
    for (key, _, _) in after.iter().filter(|f| f.2) {
        assert!(
            rolled_back
                .iter()
                .any(|l| l.contains(&key.0) && l.contains(&key.1)),
            "still fixable after --fix, and no rollback said: {key:?}"
        );
    }
    // Nothing new at warning or above (a file that no longer parses would raise AL001).
    let (was, is) = (count(&before, true), count(&after, true));
    for (key, n) in &is {
        assert!(
            *n <= was.get(key).copied().unwrap_or(0),
            "--fix raised {key:?}"
        );
    }
    // The fixed findings are the ones that are gone.
    let gone: usize = count(&before, false)
        .iter()
        .map(|(k, n)| n.saturating_sub(count(&after, false).get(k).copied().unwrap_or(0)))
        .sum();
    assert!(gone >= fixable - after.iter().filter(|f| f.2).count());

    let fixed = contents(dir.path());
    let again = auditlint(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        fixed == contents(dir.path()),
        "a second --fix changed the corpus again"
    );
}
