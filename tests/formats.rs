//! The machine formats through the real binary: paths relative to the working directory
//! whatever directory is scanned, exit status unchanged by the format, and completions.

use std::path::Path;
use std::process::{Command, Output};

fn auditlint(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args(args)
        .current_dir(cwd)
        .env_remove("AUDITLINT_FORMAT")
        .env_remove("AUDITLINT_FAIL_ON")
        .output()
        .expect("auditlint runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// A kube-apiserver static Pod with the file backend pointed at stdout (AL error) and no
/// rotation flags, in a subdirectory with a space in its name.
const APISERVER: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver}\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --audit-log-path=-]\n";

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("control plane");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(sub.join("apiserver.yaml"), APISERVER).unwrap();
    dir
}

#[test]
fn sarif_uris_are_relative_to_the_working_directory() {
    let dir = repo();
    // Scanning the subdirectory still names files from the repository root.
    let out = auditlint(&["check", "control plane", "--format", "sarif"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "control%20plane/apiserver.yaml"
        );
    }
    // `--fail-on never` still writes the whole log, and scanning from the root instead of
    // the subdirectory changes nothing, fingerprints included.
    let out = auditlint(
        &["check", ".", "--format", "sarif", "--fail-on", "never"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["runs"][0]["results"], log["runs"][0]["results"]);
}

#[test]
fn github_annotations_from_a_subdirectory() {
    let dir = repo();
    let out = auditlint(
        &["check", "control plane", "--format", "github"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let annotations: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    assert!(!annotations.is_empty(), "{text}");
    assert!(
        annotations.iter().any(|l| l.starts_with("::error ")),
        "{text}"
    );
    for a in &annotations {
        assert!(
            a.contains(" file=control plane/apiserver.yaml,line="),
            "{a}"
        );
        let (props, message) = a.split_once(",title=").unwrap().1.split_once("::").unwrap();
        assert!(props.starts_with("AL"), "{a}");
        assert!(!message.contains('\n') && !message.is_empty());
    }
    assert!(text
        .lines()
        .last()
        .unwrap()
        .starts_with("auditlint: 1 files, "));
}

#[test]
fn concise_is_one_line_per_finding() {
    let dir = repo();
    let out = auditlint(&["check", "--format", "concise"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let json = auditlint(&["check", "--format", "json"], dir.path());
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), findings.len());
    for (line, f) in lines.iter().zip(findings) {
        let prefix = format!(
            "control plane/apiserver.yaml:{}:{}: {} [{}] ",
            f["line"],
            f["column"],
            f["code"].as_str().unwrap(),
            f["severity"].as_str().unwrap()
        );
        assert!(line.starts_with(&prefix), "{line} vs {prefix}");
    }
}

#[test]
fn completions_for_every_shell() {
    let dir = tempfile::tempdir().unwrap();
    // (shell, a line only its script has, whether it completes `--format` values)
    for (shell, needle, values) in [
        ("bash", "_auditlint()", true),
        ("zsh", "#compdef auditlint", true),
        ("fish", "complete -c auditlint", true),
        ("powershell", "Register-ArgumentCompleter", false),
        ("elvish", "edit:completion:arg-completer[auditlint]", false),
    ] {
        let out = auditlint(&["completions", shell], dir.path());
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = stdout(&out);
        assert!(text.contains(needle), "{shell}: {needle}");
        assert!(
            text.contains("completions"),
            "{shell} knows the subcommands"
        );
        if values {
            assert!(text.contains("sarif"), "{shell} completes --format values");
        }
    }
    assert_eq!(
        auditlint(&["completions", "tcsh"], dir.path())
            .status
            .code(),
        Some(2)
    );
}

/// Suppressed findings stay in SARIF as results with `suppressions`: an ignore comment is
/// `inSource`, a baseline entry `external`; annotations and concise output leave them out.
#[test]
fn sarif_keeps_suppressed_findings_with_their_kind() {
    let dir = tempfile::tempdir().unwrap();
    let text = APISERVER.replace(
        "--audit-log-path=-]",
        "--audit-log-path=-]  # auditlint: ignore[AL113] -- stdout is collected here",
    );
    std::fs::write(dir.path().join("apiserver.yaml"), text).unwrap();
    let d = dir.path();
    let sarif = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["check", ".", "--format", "sarif", "--no-config"];
        args.extend_from_slice(extra);
        serde_json::from_slice(&auditlint(&args, d).stdout).unwrap()
    };
    let log = sarif(&[]);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let al113 = results.iter().find(|r| r["ruleId"] == "AL113").unwrap();
    assert_eq!(al113["suppressions"][0]["kind"], "inSource");
    assert!(al113["suppressions"][0]["justification"]
        .as_str()
        .unwrap()
        .contains("stdout is collected here"));
    let active: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_none())
        .collect();
    assert!(!active.is_empty());

    // Record the rest in a baseline: now every result is suppressed, the others externally.
    let written = auditlint(
        &[
            "check",
            ".",
            "--no-config",
            "--write-baseline",
            "baseline.json",
        ],
        d,
    );
    assert_eq!(written.status.code(), Some(0));
    let log = sarif(&["--baseline", "baseline.json"]);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r.get("suppressions").is_some()));
    assert_eq!(
        results
            .iter()
            .filter(|r| r["suppressions"][0]["kind"] == "external")
            .count(),
        active.len()
    );
    // Fingerprints do not change when a finding is suppressed.
    let fingerprints = |log: &serde_json::Value| -> Vec<String> {
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"]["auditlint/v1"].to_string())
            .collect()
    };
    assert_eq!(fingerprints(&log), fingerprints(&sarif(&[])));
    let github = auditlint(
        &[
            "check",
            ".",
            "--no-config",
            "--baseline",
            "baseline.json",
            "--format",
            "github",
        ],
        d,
    );
    assert_eq!(github.status.code(), Some(0));
    assert!(!stdout(&github).lines().any(|l| l.starts_with("::")));
}
