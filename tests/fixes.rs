//! Every fix, through the real binary: each case under `tests/fixtures/fixes/CODE/` (a file,
//! or a directory for several files; a name containing `.unsafe` runs with
//! `--unsafe-fixes`) is copied to a temporary directory and fixed with `check --fix`. The
//! fixed text is snapshotted (`snapshots/fix_CODE_CASE.snap`, CASE without its extension, carriage returns shown as `␍`),
//! and the fix must hold: the case had a fixable CODE finding, the re-scan has none of the
//! findings that were fixable, nothing new at warning or above, and a second `--fix` changes
//! nothing.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fixes")
}

/// Every case: (code, case name, path).
fn cases() -> Vec<(String, String, PathBuf)> {
    let mut cases = Vec::new();
    let Ok(codes) = std::fs::read_dir(fixtures()) else {
        return cases;
    };
    for code in codes.map(|e| e.unwrap().path()) {
        let name = code.file_name().unwrap().to_string_lossy().into_owned();
        for case in std::fs::read_dir(&code).unwrap().map(|e| e.unwrap().path()) {
            // A file case is named without its extension: `too-low.yaml` is `too-low`.
            let name_of = if case.is_dir() {
                case.file_name()
            } else {
                case.file_stem()
            };
            let case_name = name_of.unwrap().to_string_lossy().into_owned();
            cases.push((name.clone(), case_name, case));
        }
    }
    cases.sort();
    cases
}

/// Copies `from` (a file or a directory) into `to`; returns what to scan, relative to `to`.
fn copy_case(from: &Path, to: &Path) -> PathBuf {
    if from.is_file() {
        let name = PathBuf::from(from.file_name().unwrap());
        std::fs::copy(from, to.join(&name)).unwrap();
        return name;
    }
    let mut stack = vec![from.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let dest = to.join(path.strip_prefix(from).unwrap());
                std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
                std::fs::copy(&path, &dest).unwrap();
            }
        }
    }
    PathBuf::from(".")
}

fn auditlint(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .current_dir(dir)
        .arg("check")
        .arg("--no-config")
        .args(args)
        .output()
        .unwrap()
}

/// The findings of a JSON scan of `target` under `dir`: (code, message, severity, fix safety).
fn scan(dir: &Path, target: &Path) -> Vec<(String, String, String, Option<String>)> {
    let out = auditlint(
        dir,
        &[
            "--format",
            "json",
            "--fail-on",
            "never",
            target.to_str().unwrap(),
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                without_line_numbers(f["message"].as_str().unwrap()),
                f["severity"].as_str().unwrap().to_owned(),
                f["fix"]["safety"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// Messages that name a line move when a fix inserts above it.
fn without_line_numbers(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(i) = rest.find("line ") {
        out.push_str(&rest[..i + 5]);
        rest = rest[i + 5..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

/// Every file under `dir` (relative path → bytes).
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// The snapshot of a fixed case: each changed file under a header, `\r` shown as `␍`.
fn shown(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> String {
    let mut out = String::new();
    for (path, bytes) in after {
        if before.get(path) == Some(bytes) && after.len() > 1 {
            continue;
        }
        if after.len() > 1 {
            out.push_str(&format!("=== {path}\n"));
        }
        out.push_str(&String::from_utf8_lossy(bytes).replace('\r', "␍"));
    }
    out
}

#[test]
fn each_fixture_is_fixed_and_the_fix_holds() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    let _bind = settings.bind_to_scope();
    for (code, case, path) in cases() {
        let label = format!("{code}/{case}");
        let unsafe_fixes = case.contains(".unsafe");
        let dir = tempfile::tempdir().unwrap();
        let target = copy_case(&path, dir.path());
        let before = scan(dir.path(), &target);
        let applies = |safety: &Option<String>| match safety.as_deref() {
            Some("safe") => true,
            Some("unsafe") => unsafe_fixes,
            _ => false,
        };
        let fixable: Vec<_> = before.iter().filter(|f| applies(&f.3)).collect();
        assert!(
            fixable.iter().any(|f| f.0 == code),
            "{label}: no fixable {code} finding to fix; found {before:?}"
        );
        let original = contents(dir.path());
        let mut args = vec!["--fix", "--fail-on", "never"];
        if unsafe_fixes {
            args.push("--unsafe-fixes");
        }
        args.push(target.to_str().unwrap());
        let out = auditlint(dir.path(), &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{label}: --fix failed: {stderr}");
        assert!(
            !stderr.contains("rolled back") && !stderr.contains("not converged"),
            "{label}: {stderr}"
        );
        let fixed = contents(dir.path());
        assert_ne!(original, fixed, "{label}: --fix changed nothing");

        let after = scan(dir.path(), &target);
        for f in &fixable {
            assert!(
                !after.iter().any(|a| a.0 == f.0 && a.1 == f.1),
                "{label}: still there after --fix: {} {}",
                f.0,
                f.1
            );
        }
        for a in after.iter().filter(|a| a.2 != "note") {
            assert!(
                before.iter().any(|b| b.0 == a.0 && b.1 == a.1),
                "{label}: --fix raised {} {}",
                a.0,
                a.1
            );
        }

        let again = auditlint(dir.path(), &args);
        assert!(again.status.success(), "{label}: second --fix failed");
        assert_eq!(
            contents(dir.path()),
            fixed,
            "{label}: a second --fix changed the files again"
        );
        insta::assert_snapshot!(format!("fix_{code}_{case}"), shown(&original, &fixed));
    }
}

/// The fixtures are named for rules that declare the fix they exercise.
#[test]
fn fixture_directories_name_rules_with_fixes() {
    for (code, case, _) in cases() {
        let rule = auditlint::catalog::find(&code)
            .unwrap_or_else(|| panic!("tests/fixtures/fixes/{code}: no such rule"));
        let declared = if case.contains(".unsafe") {
            rule.unsafe_fix.is_some()
        } else {
            rule.safe_fix.is_some()
        };
        assert!(declared, "{code}/{case}: {code} declares no such fix");
    }
}
