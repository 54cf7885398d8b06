//! The real binary: exit codes, standard input, the JSON output contract, `rules`, `explain`.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::tree;

fn auditlint(args: &[&str], stdin: Option<&str>, cwd: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("auditlint runs");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

const WARNING_ONLY: &str =
    "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c}\n";
const CLEAN: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
const ERROR: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver}\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --audit-log-path=-]\n";

#[test]
fn exit_status_follows_fail_on() {
    let dir = tree(&[("clean.yaml", CLEAN), ("eks.yaml", WARNING_ONLY)]);
    let d = dir.path();
    assert_eq!(
        auditlint(&["check", "clean.yaml"], None, d).status.code(),
        Some(0)
    );
    assert_eq!(
        auditlint(&["check", "."], None, d).status.code(),
        Some(1),
        "a warning fails by default"
    );
    assert_eq!(
        auditlint(&["check", ".", "--fail-on", "error"], None, d)
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        auditlint(&["check", ".", "--fail-on", "never"], None, d)
            .status
            .code(),
        Some(0)
    );
    let notes_only = tree(&[(
        "cm.yaml",
        "{{- if .Values.x }}\nkind: ConfigMap\n{{- end }}\n",
    )]);
    assert_eq!(
        auditlint(&["check", "."], None, notes_only.path())
            .status
            .code(),
        Some(0),
        "notes never fail by default"
    );
    assert_eq!(
        auditlint(
            &["check", ".", "--fail-on", "note"],
            None,
            notes_only.path()
        )
        .status
        .code(),
        Some(1)
    );
}

#[test]
fn exit_status_2_when_the_scan_cannot_be_done() {
    let dir = tree(&[("readme.txt", "not yaml")]);
    let missing = auditlint(&["check", "does-not-exist"], None, dir.path());
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does-not-exist"));
    let nothing = auditlint(&["check", "."], None, dir.path());
    assert_eq!(nothing.status.code(), Some(2), "no YAML or JSON found");
    assert_eq!(
        auditlint(&["check", "--format", "xml"], None, dir.path())
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        auditlint(&["check", "--select", "AL999", "."], None, dir.path())
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn stdin_is_read_with_dash_and_named_dash() {
    let dir = tempfile::tempdir().unwrap();
    let out = auditlint(&["check", "-", "--format", "json"], Some(ERROR), dir.path());
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["code"] == "AL101"));
    assert!(findings.iter().all(|f| f["path"] == "-"));
}

#[test]
fn json_output_follows_the_contract() {
    let dir = tree(&[("b.yaml", ERROR), ("a.yaml", WARNING_ONLY)]);
    let out = auditlint(&["check", ".", "--format", "json"], None, dir.path());
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["version"], 1);
    let findings = json["findings"].as_array().unwrap();
    assert!(findings.len() >= 3);
    for f in findings {
        for key in [
            "code",
            "name",
            "severity",
            "message",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "template",
            "help",
            "related",
        ] {
            assert!(f.get(key).is_some(), "finding lacks `{key}`: {f}");
        }
        assert!(["error", "warning", "note"].contains(&f["severity"].as_str().unwrap()));
        assert!(f["line"].as_u64().unwrap() >= 1 && f["column"].as_u64().unwrap() >= 1);
    }
    let keys = common::finding_keys(&json);
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(
        keys, sorted,
        "findings are sorted by path, line, column, code"
    );
    assert_eq!(keys[0].0, "a.yaml");
    let summary = &json["summary"];
    assert_eq!(summary["files"], 2);
    assert_eq!(
        summary["errors"].as_u64().unwrap()
            + summary["warnings"].as_u64().unwrap()
            + summary["notes"].as_u64().unwrap(),
        findings.len() as u64
    );
}

#[test]
fn rules_lists_the_pack_and_explain_accepts_code_or_name() {
    let dir = tempfile::tempdir().unwrap();
    let list = stdout(&auditlint(&["rules"], None, dir.path()));
    for code in ["AL001", "AL101", "AL103", "AL116"] {
        assert!(list.contains(code), "`rules` lists {code}");
    }
    let by_code = auditlint(&["explain", "AL103"], None, dir.path());
    let by_name = auditlint(&["explain", "audit-log-maxage"], None, dir.path());
    assert_eq!(by_code.status.code(), Some(0));
    assert_eq!(stdout(&by_code), stdout(&by_name));
    assert!(stdout(&by_code).contains("# AL103 audit-log-maxage"));
    assert!(stdout(&by_code).contains("## How to fix it"));
    assert_eq!(
        auditlint(&["explain", "no-such-rule"], None, dir.path())
            .status
            .code(),
        Some(2)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&auditlint(
        &["rules", "--format", "json"],
        None,
        dir.path(),
    )))
    .unwrap();
    assert!(json
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["name"] == "audit-policy-file-missing"));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let dir = tree(&[("eks.yaml", WARNING_ONLY)]);
    let plain = stdout(&auditlint(&["check", "."], None, dir.path()));
    assert!(
        !plain.contains('\u{1b}'),
        "piped output has no escape codes"
    );
    let coloured = stdout(&auditlint(
        &["check", ".", "--color", "always"],
        None,
        dir.path(),
    ));
    assert!(coloured.contains('\u{1b}'));
    let mut forced = Command::new(env!("CARGO_BIN_EXE_auditlint"));
    forced
        .args(["check", "."])
        .current_dir(dir.path())
        .env("FORCE_COLOR", "1")
        .env_remove("NO_COLOR");
    assert!(String::from_utf8(forced.output().unwrap().stdout)
        .unwrap()
        .contains('\u{1b}'));
    let mut never = Command::new(env!("CARGO_BIN_EXE_auditlint"));
    never
        .args(["check", ".", "--color", "auto"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("FORCE_COLOR", "1");
    assert!(
        !String::from_utf8(never.output().unwrap().stdout)
            .unwrap()
            .contains('\u{1b}'),
        "NO_COLOR wins over FORCE_COLOR"
    );
}

#[test]
fn select_and_ignore_by_code_or_name() {
    let dir = tree(&[("pod.yaml", ERROR)]);
    let codes = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["check", ".", "--format", "json"];
        all.extend_from_slice(args);
        let json: serde_json::Value =
            serde_json::from_str(&stdout(&auditlint(&all, None, dir.path()))).unwrap();
        common::finding_codes(&json)
    };
    assert!(codes(&[]).contains(&"AL101".to_owned()));
    assert_eq!(
        codes(&["--select", "audit-policy-file-missing"]),
        vec!["AL101"]
    );
    assert!(!codes(&["--ignore", "AL101,AL113"])
        .iter()
        .any(|c| c == "AL101" || c == "AL113"));
}

#[test]
fn kubernetes_version_flag_overrides_the_configuration() {
    // A forwarder that tolerates only the `master` taint: enough on 1.23, not on 1.30, nor
    // when the version is unknown (the newest is assumed).
    let api = "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver}\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --audit-log-path=/var/log/audit.log]\n    volumeMounts: [{name: l, mountPath: /var/log}]\n  volumes: [{name: l, hostPath: {path: /var/log}}]\n";
    let ds = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: fluent-bit}\nspec:\n  template:\n    spec:\n      tolerations: [{key: node-role.kubernetes.io/master, operator: Exists}]\n      containers: [{name: fluent-bit, image: fluent/fluent-bit:3.1, volumeMounts: [{name: l, mountPath: /l}]}]\n      volumes: [{name: l, hostPath: {path: /var/log}}]\n";
    let dir = tree(&[
        ("api.yaml", api),
        ("ds.yaml", ds),
        (".auditlint.yaml", "kubernetes-version: \"1.23\"\n"),
    ]);
    let al404 = |args: &[&str]| {
        let mut all = vec!["check", ".", "--format", "json", "--select", "AL404"];
        all.extend_from_slice(args);
        let out = auditlint(&all, None, dir.path());
        let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        !common::finding_codes(&json).is_empty()
    };
    assert!(!al404(&[]), "1.23 from the configuration");
    assert!(al404(&["--kubernetes-version", "1.30"]));
    assert!(!al404(&["--kubernetes-version", "v1.23.4"]));
    assert!(al404(&["--no-config"]), "no version: the newest is assumed");
    let bad = auditlint(
        &["check", ".", "--kubernetes-version", "one"],
        None,
        dir.path(),
    );
    assert_eq!(bad.status.code(), Some(2));
}
