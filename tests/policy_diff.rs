//! `auditlint policy diff` and `auditlint policy test` on the real binary: pairs of policies
//! (the project's fixtures, and real ones from the shared corpus), git revisions, formats.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn auditlint_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("auditlint runs")
}

fn auditlint(args: &[&str]) -> Output {
    auditlint_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn diff_json(old: &str, new: &str) -> (serde_json::Value, Option<i32>) {
    let out = auditlint(&["policy", "diff", old, new, "--format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "{stderr}");
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        out.status.code(),
    )
}

const DIR: &str = "tests/fixtures/policy/diff";

#[test]
fn a_reordering_of_disjoint_rules_changes_nothing() {
    let (report, code) = diff_json(
        &format!("{DIR}/base.yaml"),
        &format!("{DIR}/reordered.yaml"),
    );
    assert_eq!(report["classes"], 0, "{report:#}");
    assert_eq!(code, Some(0));
}

#[test]
fn a_one_line_change_that_silences_exec_is_a_decrease() {
    let (report, code) = diff_json(
        &format!("{DIR}/base.yaml"),
        &format!("{DIR}/exec-silenced.yaml"),
    );
    assert_eq!(code, Some(1), "a decrease fails by default");
    let changes = report["files"][0]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{report:#}");
    let c = &changes[0];
    assert_eq!(c["change"], "decrease");
    assert_eq!(c["witness"]["resource"], "pods");
    assert_eq!(c["witness"]["subresource"], "exec");
    assert_eq!(c["old"]["level"], "RequestResponse");
    assert_eq!(c["old"]["rule_index"], 3);
    assert_eq!(c["new"]["level"], "None");
    assert_eq!(c["new"]["rule_index"], 0);
    // WebSocket exec (`get`) and SPDY exec (`create`) are both silenced.
    assert_eq!(c["verbs"], serde_json::json!(["create", "get"]));
    // The other streaming subresources keep their level.
    assert_eq!(c["targets"], serde_json::json!(["pods/exec"]));
}

#[test]
fn human_and_markdown_name_the_witness_and_both_rules() {
    let old = format!("{DIR}/base.yaml");
    let new = format!("{DIR}/exec-silenced.yaml");
    let human = stdout(&auditlint(&["policy", "diff", &old, &new]));
    assert!(
        human.contains("RequestResponse (rule 4) → None (new rule 1)"),
        "{human}"
    );
    assert!(human.contains("pods/exec"), "{human}");
    let md = stdout(&auditlint(&[
        "policy", "diff", &old, &new, "--format", "markdown",
    ]));
    assert!(md.starts_with("### Audit policy changes"), "{md}");
    assert!(
        md.contains("| **decrease** | `create pods/exec example` in `default` by `alice@example.com` | RequestResponse (rule 4) | None (new rule 1) |"),
        "{md}"
    );
}

#[test]
fn fail_on_chooses_what_exits_1() {
    let base = format!("{DIR}/base.yaml");
    let silenced = format!("{DIR}/exec-silenced.yaml");
    let code = |args: &[&str]| auditlint(args).status.code();
    // Reversed, the change records more: no decrease.
    assert_eq!(code(&["policy", "diff", &silenced, &base]), Some(0));
    assert_eq!(
        code(&["policy", "diff", &silenced, &base, "--fail-on", "any"]),
        Some(1)
    );
    assert_eq!(
        code(&["policy", "diff", &base, &silenced, "--fail-on", "never"]),
        Some(0)
    );
    assert_eq!(code(&["policy", "diff", &base]), Some(2));
}

/// Real policies: GKE-style (the project's fixture) against the EKS Anywhere one (the same
/// reference policy plus an `aws-auth` rule), and OpenShift's profiles against each other.
#[test]
fn real_policy_pairs() {
    let Some(dir) = common::corpus("audit-policies") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "../shared/corpus is missing under CI"
        );
        return;
    };
    let p = |name: &str| dir.join(name).display().to_string();
    let eks = p("aws__eks-anywhere__pkg__providers__common__config__audit-policy.yaml");
    let (report, _) = diff_json("tests/fixtures/policy/gke-style.yaml", &eks);
    let changes = report["files"][0]["changes"].as_array().unwrap();
    let aws_auth = changes
        .iter()
        .find(|c| c["targets"] == serde_json::json!(["configmaps"]))
        .unwrap_or_else(|| panic!("the aws-auth rule is a change: {report:#}"));
    assert_eq!(aws_auth["new"]["level"], "RequestResponse");
    assert_eq!(aws_auth["new"]["rule_index"], 0);
    assert_eq!(aws_auth["witness"]["namespace"], "kube-system");
    assert_eq!(aws_auth["witness"]["name"], "aws-auth");
    assert_eq!(aws_auth["old"]["level"], "Metadata");

    let default =
        p("openshift__library-go__pkg__operator__apiserver__audit__testdata__default.yaml");
    let bodies = p(
        "openshift__library-go__pkg__operator__apiserver__audit__testdata__writerequestbodies.yaml",
    );
    let (report, code) = diff_json(&default, &bodies);
    assert_eq!(code, Some(0), "more bodies is no decrease: {report:#}");
    let changes = report["files"][0]["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    for c in changes {
        assert_eq!(c["change"], "increase", "{c:#}");
        assert_eq!(c["new"]["level"], "RequestResponse", "{c:#}");
        assert!(c["verbs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v != "get" && v != "list" && v != "watch"));
    }
    let (report, code) = diff_json(&bodies, &default);
    assert_eq!(code, Some(1));
    assert!(report["decreases"].as_u64().unwrap() > 0);
    let (report, _) = diff_json(&default, &default);
    assert_eq!(report["classes"], 0);
}

/// `--base`: the old version of each policy comes from git, ConfigMap-embedded ones too.
#[test]
fn base_reads_the_old_version_from_git() {
    if !common::has_git() {
        return;
    }
    let base = std::fs::read_to_string(format!("{DIR}/base.yaml")).unwrap();
    let indented: String = base.lines().map(|l| format!("    {l}\n")).collect();
    let configmap = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: audit}}\ndata:\n  policy.yaml: |\n{indented}"
    );
    let repo = common::tree(&[
        ("policies/audit.yaml", &base),
        ("cm.yaml", &configmap),
        ("README.md", "unrelated\n"),
    ]);
    let git = |args: &[&str]| common::git(repo.path(), args);
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "base"]);
    let silenced = base.replace(
        r#"resources: ["events"]"#,
        r#"resources: ["events", "pods/exec"]"#,
    );
    std::fs::write(
        repo.path().join("cm.yaml"),
        configmap.replace(
            r#"resources: ["events"]"#,
            r#"resources: ["events", "pods/exec"]"#,
        ),
    )
    .unwrap();
    std::fs::write(repo.path().join("README.md"), "changed\n").unwrap();
    let out = auditlint_in(
        repo.path(),
        &["policy", "diff", "--base", "HEAD", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "only the changed policy: {report:#}");
    assert_eq!(files[0]["new"], "cm.yaml");
    assert_eq!(files[0]["old"], "cm.yaml@HEAD");
    assert_eq!(files[0]["changes"][0]["witness"]["subresource"], "exec");
    // A named file compares with its committed version; a new file with no policy at all.
    std::fs::write(repo.path().join("policies/audit.yaml"), &silenced).unwrap();
    std::fs::write(repo.path().join("new.yaml"), &base).unwrap();
    let out = auditlint_in(
        repo.path(),
        &[
            "policy",
            "diff",
            "--base",
            "HEAD",
            "policies/audit.yaml",
            "new.yaml",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{report:#}");
    assert_eq!(files[0]["changes"][0]["change"], "decrease");
    // A revision that would be read as an option is refused before git runs.
    let out = auditlint_in(
        repo.path(),
        &["policy", "diff", "--base=--output=written.txt"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!repo.path().join("written.txt").exists());
    assert!(files[1]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["change"] == "increase" && c["old"]["rule_index"].is_null()));
}

const TESTS: &str = "tests/fixtures/policy/policy-tests";

#[test]
fn policy_test_passes_and_fails_standalone() {
    let out = auditlint(&["policy", "test", &format!("{TESTS}/passing.yaml")]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("4 of 4 policy tests passed"));

    let out = auditlint(&["policy", "test", &format!("{TESTS}/failing.yaml")]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("failing.yaml:8:13: `events are recorded`: `create events` in `default` by `system:node:n1`: expected Metadata, but the policy gives None (rule 1 decides)"),
        "{text}"
    );
    assert!(
        text.contains("rule 1 is at tests/fixtures/policy/policy-tests/audit-policy.yaml:7"),
        "{text}"
    );
    assert!(text.contains("0 of 2 policy tests passed"), "{text}");

    // The policy given on the command line replaces the file's `policy:`.
    let out = auditlint(&[
        "policy",
        "test",
        &format!("{TESTS}/failing.yaml"),
        &format!("{DIR}/exec-silenced.yaml"),
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["tests"], 2);
    assert_eq!(report["failed"][1]["rule_index"], 0);
}

#[test]
fn a_broken_policy_test_file_is_an_error_with_its_position() {
    let dir = common::tree(&[(
        "t.yaml",
        "policy: p.yaml\ntests:\n- request: {verb: get, resource: pods, namespce: x}\n  expect: {level: Metadata}\n",
    )]);
    let out = auditlint_in(dir.path(), &["policy", "test", "t.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("t.yaml:3:40: unknown request field `namespce`"),
        "{err}"
    );
}

/// Listed under `policy-tests`, the tests run on `check`: failures are AL216 findings at the
/// expectation, with the deciding rule as related information; passing tests add nothing.
#[test]
fn policy_tests_run_in_check() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join(TESTS);
    let read = |name: &str| std::fs::read_to_string(fixtures.join(name)).unwrap();
    let dir = common::tree(&[
        (
            ".auditlint.yaml",
            "policy-tests: [audit/passing.yaml, audit/failing.yaml]\n",
        ),
        ("audit/audit-policy.yaml", &read("audit-policy.yaml")),
        ("audit/passing.yaml", &read("passing.yaml")),
        ("audit/failing.yaml", &read("failing.yaml")),
    ]);
    let out = auditlint_in(dir.path(), &["check", ".", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let al216: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "AL216")
        .collect();
    assert_eq!(al216.len(), 2, "{report:#}");
    assert!(al216.iter().all(|f| f["path"] == "audit/failing.yaml"));
    assert_eq!(al216[1]["line"], 8);
    assert!(al216[1]["message"]
        .as_str()
        .unwrap()
        .contains("expected Metadata, but the policy gives None (rule 1 decides)"));
    assert_eq!(out.status.code(), Some(1));

    // Only the passing file: no AL216.
    std::fs::write(
        dir.path().join(".auditlint.yaml"),
        "policy-tests: [audit/passing.yaml]\n",
    )
    .unwrap();
    let out = auditlint_in(dir.path(), &["check", ".", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !common::finding_codes(&report).contains(&"AL216".to_owned()),
        "{report:#}"
    );
}
