//! `auditlint policy explain` and `auditlint policy matrix` on the real binary.

use std::process::{Command, Output};

fn auditlint(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_auditlint"));
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("auditlint runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

const GKE: &str = "tests/fixtures/policy/gke-style.yaml";

fn json(args: &[&str]) -> serde_json::Value {
    let out = auditlint(args, &[]);
    assert!(
        out.status.success(),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn insta_settings() -> insta::internals::SettingsBindDropGuard {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind_to_scope()
}

/// A Policy file with `text`, in a directory that lives as long as the returned guard.
fn policy_file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.yaml");
    std::fs::write(&p, text).unwrap();
    (dir, p)
}

#[test]
fn matrix_of_a_gke_style_policy() {
    let _guard = insta_settings();
    let out = auditlint(&["policy", "matrix", GKE, "--color", "never"], &[]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("✗ marks 0 of"), "{text}");
    insta::assert_snapshot!("policy_matrix_gke", text);
}

#[test]
fn matrix_marks_what_the_rules_would_report() {
    let (_dir, p) = policy_file("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n  resources: [{group: \"\", resources: [secrets]}]\n");
    let rows = json(&["policy", "matrix", p.to_str().unwrap(), "--format", "json"]);
    let rows = rows.as_array().unwrap();
    let leak = rows
        .iter()
        .find(|r| r["resource"] == "secrets" && r["verb"] == "get" && r["purpose"] == "sensitive")
        .unwrap();
    assert_eq!(leak["level"], "RequestResponse");
    assert_eq!(leak["rule_index"], 0);
    assert_eq!(leak["ok"], false);
    let exec = rows
        .iter()
        .find(|r| r["subresource"] == "exec" && r["verb"] == "get")
        .unwrap();
    assert_eq!(exec["level"], "None");
    assert!(exec["rule_index"].is_null());
    assert_eq!(exec["ok"], false);
}

#[test]
fn explain_json_names_the_deciding_rule() {
    let v = json(&[
        "policy",
        "explain",
        GKE,
        "--verb",
        "create",
        "--resource",
        "secrets",
        "--namespace",
        "default",
        "--user",
        "alice@example.com",
        "--group",
        "system:authenticated",
        "--format",
        "json",
    ]);
    assert_eq!(v["level"], "Metadata");
    assert_eq!(v["rule_index"], 10);
    assert_eq!(v["omit_stages"], serde_json::json!(["RequestReceived"]));
    // kube-proxy's watch on endpoints is silenced by the first rule, alice's is not.
    let proxy = json(&[
        "policy",
        "explain",
        GKE,
        "--verb",
        "watch",
        "--resource",
        "endpoints",
        "--user",
        "system:kube-proxy",
        "--format",
        "json",
    ]);
    assert_eq!(
        (proxy["level"].as_str(), proxy["rule_index"].as_u64()),
        (Some("None"), Some(0))
    );
    let alice = json(&[
        "policy",
        "explain",
        GKE,
        "--verb",
        "watch",
        "--resource",
        "endpoints",
        "--user",
        "alice",
        "--format",
        "json",
    ]);
    assert_eq!(alice["level"], "Request");
}

#[test]
fn explain_without_user_is_a_failed_authentication() {
    // The group-restricted node rule cannot match a request without a user.
    let with_user = json(&[
        "policy",
        "explain",
        GKE,
        "--verb",
        "get",
        "--resource",
        "nodes",
        "--name",
        "n1",
        "--user",
        "system:node:n1",
        "--group",
        "system:nodes",
        "--format",
        "json",
    ]);
    assert_eq!(with_user["level"], "None");
    let anonymous = json(&[
        "policy",
        "explain",
        GKE,
        "--verb",
        "get",
        "--resource",
        "nodes",
        "--name",
        "n1",
        "--format",
        "json",
    ]);
    assert_eq!(anonymous["level"], "Request");
    assert_eq!(anonymous["rule_index"], 11);
}

#[test]
fn explain_non_resource_paths_and_no_match() {
    let healthz = json(&[
        "policy",
        "explain",
        GKE,
        "--verb",
        "get",
        "--path",
        "/healthz/etcd",
        "--format",
        "json",
    ]);
    assert_eq!(
        (healthz["level"].as_str(), healthz["rule_index"].as_u64()),
        (Some("None"), Some(6))
    );
    let (_dir, p) = policy_file("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  resources: [{resources: [pods]}]\n");
    let out = auditlint(
        &[
            "policy",
            "explain",
            p.to_str().unwrap(),
            "--verb",
            "get",
            "--path",
            "/metrics",
        ],
        &[],
    );
    assert!(out.status.success());
    assert!(stdout(&out).contains("no rule matches"), "{}", stdout(&out));
    let v = json(&[
        "policy",
        "explain",
        p.to_str().unwrap(),
        "--verb",
        "get",
        "--path",
        "/metrics",
        "--format",
        "json",
    ]);
    assert!(v["rule_index"].is_null());
    assert_eq!(v["level"], "None");
    assert_eq!(v["omit_stages"], serde_json::json!([]));
}

#[test]
fn explain_human_shows_the_rule() {
    let out = auditlint(
        &[
            "policy",
            "explain",
            GKE,
            "--verb",
            "get",
            "--resource",
            "pods/exec",
            "--namespace",
            "default",
            "--name",
            "web",
            "--user",
            "alice",
        ],
        &[],
    );
    let text = stdout(&out);
    assert!(text.contains("level:   Request (rule 12 of 14)"), "{text}");
    assert!(text.contains("omitted stages: RequestReceived"), "{text}");
    assert!(text.contains("86 |   - level: Request"), "{text}");
    assert!(!text.contains("\u{1b}["), "no colour when not a terminal");
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let forced = auditlint(&["policy", "matrix", GKE, "--color", "always"], &[]);
    assert!(stdout(&forced).contains("\u{1b}["));
    let env = auditlint(&["policy", "matrix", GKE], &[("NO_COLOR", "1")]);
    assert!(!stdout(&env).contains("\u{1b}["));
    let force = auditlint(&["policy", "matrix", GKE], &[("FORCE_COLOR", "1")]);
    assert!(stdout(&force).contains("\u{1b}["));
}

#[test]
fn bad_input_exits_2() {
    let out = auditlint(&["policy", "matrix", "Cargo.toml"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no audit Policy"));
    let out = auditlint(&["policy", "explain", GKE, "--verb", "get"], &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "--resource or --path is required"
    );
    let out = auditlint(&["policy", "matrix", "does/not/exist.yaml"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn group_wildcard_depends_on_the_kubernetes_version() {
    let (_dir, p) = policy_file("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  resources: [{group: \"*\"}]\n");
    let path = p.to_str().unwrap();
    let args = |version: &'static str| {
        let mut a = vec![
            "policy",
            "explain",
            path,
            "--verb",
            "get",
            "--resource",
            "deployments",
            "--api-group",
            "apps",
            "--format",
            "json",
        ];
        if !version.is_empty() {
            a.extend(["--kubernetes-version", version]);
        }
        a
    };
    assert_eq!(json(&args(""))["level"], "Metadata");
    assert_eq!(json(&args("1.36"))["level"], "Metadata");
    assert_eq!(json(&args("v1.35.4"))["level"], "None");
    let out = auditlint(
        &{
            let mut a = args("");
            a.extend(["--kubernetes-version", "soon"]);
            a
        },
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
}
