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
    common::copy_dir(from, to);
    PathBuf::from(".")
}

/// `auditlint check ARGS` in `dir`, with the case's own `.auditlint.yaml` when it has one
/// (a Kubernetes version, a policy mapping) and no other.
fn auditlint(dir: &Path, args: &[&str]) -> std::process::Output {
    let config = if dir.join(".auditlint.yaml").is_file() {
        ["--config", ".auditlint.yaml"].as_slice()
    } else {
        ["--no-config"].as_slice()
    };
    Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .current_dir(dir)
        .arg("check")
        .args(config)
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
                auditlint::autofix::without_line_numbers(f["message"].as_str().unwrap()),
                f["severity"].as_str().unwrap().to_owned(),
                f["fix"]["safety"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// Every file under `dir` (relative path → bytes).
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    common::files_under(dir)
        .into_iter()
        .map(|(rel, path)| (rel.display().to_string(), std::fs::read(path).unwrap()))
        .collect()
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

/// An apiserver with one fixable finding (AL103), its policy and a log agent beside it, so
/// that nothing else at warning or above remains once it is fixed.
fn fixable_cluster() -> tempfile::TempDir {
    let fixture = fixtures().join("AL103/too-low.yaml");
    let policy = "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: None\n  users: [\"system:kube-proxy\"]\n  verbs: [watch]\n  resources: [{group: \"\", resources: [endpoints, services]}]\n- level: Metadata\n  resources: [{group: \"\", resources: [secrets, configmaps, serviceaccounts/token]}, {group: authentication.k8s.io, resources: [tokenreviews]}]\n- level: RequestResponse\n";
    let dir = common::tree(&[
        ("apiserver.yaml", &std::fs::read_to_string(fixture).unwrap()),
        ("audit/policy.yaml", policy),
    ]);
    std::fs::write(
        dir.path().join(".auditlint.yaml"),
        "policy-paths:\n  /etc/kubernetes/audit/policy.yaml: audit/policy.yaml\nignore: [AL401]\nkubernetes-version: \"1.33\"\n",
    )
    .unwrap();
    dir
}

fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .current_dir(dir)
        .arg("check")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

#[test]
fn fix_repairs_in_place_and_exits_by_what_is_left() {
    let dir = fixable_cluster();
    let before = run(dir.path(), &["--format", "concise"], None);
    assert_eq!(before.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&before.stdout);
    assert!(stdout.contains("AL103 [*] [warning]"), "{stdout}");
    assert!(String::from_utf8_lossy(&before.stderr).contains("[*] 1 fixable with `--fix`"));

    let fixed = run(dir.path(), &["--fix"], None);
    let stderr = String::from_utf8_lossy(&fixed.stderr);
    let stdout = String::from_utf8_lossy(&fixed.stdout);
    assert_eq!(fixed.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("fixed 1 finding in 1 file"), "{stderr}");
    assert!(!stdout.contains("AL103"), "{stdout}");
    let text = std::fs::read_to_string(dir.path().join("apiserver.yaml")).unwrap();
    assert!(
        text.contains("--audit-log-maxage=30   # raised by the fix"),
        "{text}"
    );
}

#[test]
fn diff_writes_nothing_and_applies_with_patch() {
    let dir = tempfile::tempdir().unwrap();
    for (code, _, path) in cases().into_iter().filter(|(_, _, p)| p.is_file()) {
        let dest = dir.path().join(&code);
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::copy(&path, dest.join(path.file_name().unwrap())).unwrap();
    }
    let original = contents(dir.path());
    let out = auditlint(dir.path(), &["--diff", "."]);
    assert_eq!(out.status.code(), Some(1), "something to fix: exit 1");
    assert_eq!(contents(dir.path()), original, "--diff wrote to the files");
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(diff.starts_with("--- "), "{diff}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("would be applied"), "{stderr}");

    // The diff applies to the originals and gives what --fix writes.
    let patch = |args: &[&str]| {
        use std::io::Write;
        let mut child = Command::new("patch")
            .current_dir(dir.path())
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("patch is installed");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(diff.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let dry = patch(&["-p0", "--dry-run", "--binary"]);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stdout)
    );
    let fixed_dir = tempfile::tempdir().unwrap();
    for (rel, bytes) in &original {
        let p = fixed_dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    auditlint(fixed_dir.path(), &["--fix", "."]);
    assert!(patch(&["-p0", "--binary"]).status.success());
    assert_eq!(contents(dir.path()), contents(fixed_dir.path()));

    // Nothing left to fix: no diff, exit 0.
    let again = auditlint(dir.path(), &["--diff", "."]);
    assert_eq!(again.status.code(), Some(0));
    assert!(again.stdout.is_empty());
}

#[test]
fn fix_on_standard_input_prints_the_fixed_text_and_the_findings_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixtures().join("AL103/too-low.yaml")).unwrap();
    let out = run(dir.path(), &["--no-config", "--fix", "-"], Some(&text));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout, text.replace("maxage=7 ", "maxage=30 "));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("AL401"), "the findings left: {stderr}");
    assert!(stderr.contains("fixed 1 finding"), "{stderr}");
    // Nothing to fix: the input comes back as it was.
    let clean = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    let out = run(dir.path(), &["--no-config", "--fix", "-"], Some(clean));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), clean);
    assert_eq!(out.status.code(), Some(0));
}

#[cfg(unix)]
#[test]
fn fix_never_writes_through_a_symlink_and_keeps_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixtures().join("AL103/too-low.yaml")).unwrap();
    let real = dir.path().join("real/apiserver.yaml");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::write(&real, &text).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::symlink("real/apiserver.yaml", dir.path().join("link.yaml")).unwrap();
    let out = auditlint(dir.path(), &["--fix", "link.yaml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("symlink"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&real).unwrap(), text);
    assert!(dir.path().join("link.yaml").is_symlink());

    let out = auditlint(dir.path(), &["--fix", "real"]);
    assert!(
        out.status.code() != Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read_to_string(&real)
        .unwrap()
        .contains("maxage=30"));
    let mode = std::fs::metadata(&real).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn json_and_sarif_carry_the_fix() {
    let dir = fixable_cluster();
    let out = run(
        dir.path(),
        &["--format", "json", "--format", "sarif=out.sarif"],
        None,
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = std::fs::read_to_string(dir.path().join("apiserver.yaml")).unwrap();
    let at = text.find("maxage=7").unwrap() + "maxage=".len();
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "AL103")
        .unwrap();
    assert_eq!(
        f["fix"],
        serde_json::json!({"safety": "safe", "edits": [{"start": at, "end": at + 1, "content": "30"}]})
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap())
            .unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "AL103")
        .unwrap();
    let change = &result["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "apiserver.yaml");
    assert_eq!(
        change["replacements"][0],
        serde_json::json!({
            "deletedRegion": {"byteOffset": at, "byteLength": 1},
            "insertedContent": {"text": "30"},
        })
    );
    if let Some(schema) = common::shared("schemas/sarif-2.1.0.json") {
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
}
