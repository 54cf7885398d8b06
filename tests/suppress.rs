//! Every suppression mechanism: inline comments (line, line above, file), the
//! `auditlint.io/ignore` annotation, `per-path-ignores`, and baselines that survive edits
//! moving a finding to another line. Also AL006 for ignores that suppress nothing.

use std::path::Path;
use std::process::{Command, Output};

use auditlint::config::Config;
use auditlint::engine::{self, Report, Text};
use auditlint::suppress::Baseline;

/// A kube-apiserver static Pod whose only findings come from the three rotation flags.
fn apiserver(maxage: &str, maxbackup: &str, maxsize: &str) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - name: kube-apiserver
    command:
    - kube-apiserver
    - --audit-policy-file=/etc/kubernetes/audit/policy.yaml
    - --audit-log-path=/var/log/kubernetes/audit/audit.log
    - --audit-log-maxage={maxage}
    - --audit-log-maxbackup={maxbackup}
    - --audit-log-maxsize={maxsize}
    volumeMounts:
    - {{name: audit-policy, mountPath: /etc/kubernetes/audit, readOnly: true}}
    - {{name: audit-log, mountPath: /var/log/kubernetes/audit}}
  volumes:
  - {{name: audit-policy, hostPath: {{path: /etc/kubernetes/audit, type: DirectoryOrCreate}}}}
  - {{name: audit-log, hostPath: {{path: /var/log/kubernetes/audit, type: DirectoryOrCreate}}}}
"
    )
}

fn scan_with(files: &[(&str, &str)], config: &Config) -> Report {
    let texts = files
        .iter()
        .map(|(name, text)| Text {
            display: name.to_string(),
            text: text.to_string(),
            abs_path: None,
        })
        .collect();
    let mut report = engine::scan_texts(texts, config);
    engine::sort(&mut report.findings);
    report
}

/// The rules these tests are about: the fixture also trips other rules (a policy file that
/// is not in the scan), which are not the point here and may change as rules are added.
const UNDER_TEST: &[&str] = &["AL103", "AL104", "AL105", "AL006"];

fn config() -> Config {
    let mut config = Config::new();
    config.select = Some(UNDER_TEST.iter().map(|c| c.to_string()).collect());
    config
}

fn scan(files: &[(&str, &str)]) -> Report {
    scan_with(files, &config())
}

/// (code, line, suppression kind, reason) of every finding.
fn summary(report: &Report) -> Vec<(String, usize, Option<&'static str>, Option<String>)> {
    report
        .findings
        .iter()
        .map(|f| {
            (
                f.code().to_owned(),
                f.file.position(f.span.start).line,
                f.suppressed.as_ref().map(|s| s.kind),
                f.suppressed.as_ref().and_then(|s| s.reason.clone()),
            )
        })
        .collect()
}

fn active_codes(report: &Report) -> Vec<&str> {
    report.active().map(|f| f.code()).collect()
}

#[test]
fn the_fixture_has_three_findings_without_suppressions() {
    let text = apiserver("7", "2", "10");
    assert_eq!(
        active_codes(&scan(&[("a.yaml", &text)])),
        ["AL103", "AL104", "AL105"]
    );
}

#[test]
fn trailing_comment_suppresses_findings_on_its_line_only() {
    let text = apiserver("7  # auditlint: ignore[AL103] -- lab cluster", "2", "10");
    let report = scan(&[("a.yaml", &text)]);
    assert_eq!(
        summary(&report),
        [
            (
                "AL103".into(),
                13,
                Some("inline"),
                Some("lab cluster".into())
            ),
            ("AL104".into(), 14, None, None),
            ("AL105".into(), 15, None, None),
        ]
    );
}

#[test]
fn names_work_like_codes_and_lists_cover_several_rules() {
    // One finding per line, so a list on one line is exercised through ignore-file.
    let text = format!(
        "# auditlint: ignore-file[audit-log-maxage, AL104]: rotation handled by the node\n{}",
        apiserver("7", "2", "10")
    );
    let report = scan(&[("a.yaml", &text)]);
    assert_eq!(active_codes(&report), ["AL105"]);
    let reasons: Vec<_> = report
        .findings
        .iter()
        .filter_map(|f| f.suppressed.as_ref())
        .map(|s| (s.kind, s.reason.as_deref()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("inline", Some("rotation handled by the node")),
            ("inline", Some("rotation handled by the node"))
        ]
    );
}

#[test]
fn own_line_comment_covers_the_next_line_with_content() {
    let text = apiserver("7", "2", "10").replace(
        "    - --audit-log-maxbackup=2\n",
        "    # auditlint: ignore[AL104]\n\n    # another comment\n    - --audit-log-maxbackup=2\n",
    );
    let report = scan(&[("a.yaml", &text)]);
    assert_eq!(active_codes(&report), ["AL103", "AL105"]);
}

#[test]
fn own_line_comment_does_not_reach_past_the_next_line() {
    let text = apiserver("7", "2", "10").replace(
        "    - --audit-log-maxage=7\n",
        "    # auditlint: ignore[AL104]\n    - --audit-log-maxage=7\n",
    );
    let report = scan(&[("a.yaml", &text)]);
    assert_eq!(active_codes(&report), ["AL006", "AL103", "AL104", "AL105"]);
    let unused = report
        .findings
        .iter()
        .find(|f| f.code() == "AL006")
        .unwrap();
    assert!(
        unused.message.contains("no AL104 finding"),
        "{}",
        unused.message
    );
}

#[test]
fn wrong_rule_on_the_right_line_suppresses_nothing() {
    let text = apiserver("7  # auditlint: ignore[AL104]", "2", "10");
    let report = scan(&[("a.yaml", &text)]);
    assert_eq!(active_codes(&report), ["AL103", "AL006", "AL104", "AL105"]);
}

#[test]
fn malformed_and_unknown_ignores_are_reported_and_applied_to_nothing() {
    let text = apiserver(
        "7  # auditlint: ignore AL103",
        "2  # auditlint: ignore[AL104, no-such-rule]",
        "10",
    );
    let report = scan(&[("a.yaml", &text)]);
    let s = summary(&report);
    assert!(s.contains(&("AL103".into(), 13, None, None)), "{s:?}");
    assert!(
        s.contains(&("AL104".into(), 14, Some("inline"), None)),
        "the known rule of the list still applies: {s:?}"
    );
    let notes: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.code() == "AL006")
        .map(|f| f.file.slice(f.span))
        .collect();
    assert_eq!(notes, ["# auditlint: ignore AL103", "no-such-rule"]);
}

#[test]
fn unused_ignores_of_rules_that_did_not_run_are_not_reported() {
    let text = apiserver("30  # auditlint: ignore[AL103]", "10", "100");
    assert_eq!(active_codes(&scan(&[("a.yaml", &text)])), ["AL006"]);
    let mut config = config();
    config.select = Some(vec!["AL104".into(), "AL006".into()]);
    let report = scan_with(&[("a.yaml", &text)], &config);
    assert!(report.findings.is_empty(), "{:?}", summary(&report));
}

#[test]
fn al006_itself_can_be_ignored() {
    let text = format!(
        "# auditlint: ignore-file[AL006] -- kept for the next upgrade\n{}",
        apiserver("30  # auditlint: ignore[AL103]", "10", "100")
    );
    let report = scan(&[("a.yaml", &text)]);
    assert!(active_codes(&report).is_empty(), "{:?}", summary(&report));
    assert_eq!(report.findings.len(), 1);
}

#[test]
fn ignore_comments_in_one_file_do_not_reach_another() {
    let suppressed = apiserver("7  # auditlint: ignore[AL103]", "10", "100");
    let plain = apiserver("7", "10", "100");
    let report = scan(&[("a.yaml", &suppressed), ("b.yaml", &plain)]);
    let active: Vec<_> = report
        .active()
        .map(|f| (f.file.path.as_str(), f.code()))
        .collect();
    assert_eq!(active, [("b.yaml", "AL103")]);
}

#[test]
fn annotation_covers_its_own_object_only() {
    let annotated = apiserver("7", "2", "10").replace(
        "  namespace: kube-system\n",
        "  namespace: kube-system\n  annotations:\n    auditlint.io/ignore: \"AL103, audit-log-maxsize\"\n    auditlint.io/ignore-reason: managed by the platform team\n",
    );
    let text = format!("{annotated}---\n{}", apiserver("7", "10", "100"));
    let report = scan(&[("a.yaml", &text)]);
    let s = summary(&report);
    let reason = Some("managed by the platform team".to_owned());
    assert_eq!(
        s,
        [
            ("AL103".into(), 16, Some("annotation"), reason.clone()),
            ("AL104".into(), 17, None, None),
            ("AL105".into(), 18, Some("annotation"), reason),
            ("AL103".into(), 38, None, None),
        ]
    );
}

#[test]
fn annotation_naming_an_unknown_rule_is_reported() {
    let text = apiserver("7", "10", "100").replace(
        "  namespace: kube-system\n",
        "  namespace: kube-system\n  annotations:\n    auditlint.io/ignore: 'AL103,AL9'\n",
    );
    let report = scan(&[("a.yaml", &text)]);
    let notes: Vec<&str> = report.active().map(|f| f.file.slice(f.span)).collect();
    assert_eq!(notes, ["AL9"], "{:?}", summary(&report));
}

#[test]
fn per_path_ignores_suppress_by_path_and_rule() {
    let text = apiserver("7", "2", "10");
    let mut config = config();
    config.path_ignores = vec![
        ("legacy/".into(), vec!["AL103".into()]),
        ("*.yml".into(), vec!["AL104".into()]),
    ];
    let report = scan_with(
        &[
            ("legacy/old/a.yaml", &text),
            ("new/b.yml", &text),
            ("c.yaml", &text),
        ],
        &config,
    );
    let active: Vec<_> = report
        .active()
        .map(|f| (f.file.path.as_str(), f.code()))
        .collect();
    assert_eq!(
        active,
        [
            ("c.yaml", "AL103"),
            ("c.yaml", "AL104"),
            ("c.yaml", "AL105"),
            ("legacy/old/a.yaml", "AL104"),
            ("legacy/old/a.yaml", "AL105"),
            ("new/b.yml", "AL103"),
            ("new/b.yml", "AL105"),
        ]
    );
    let legacy = report
        .findings
        .iter()
        .find(|f| f.file.path == "legacy/old/a.yaml" && f.code() == "AL103")
        .unwrap();
    let s = legacy.suppressed.as_ref().unwrap();
    assert_eq!(
        (s.kind, s.reason.as_deref()),
        ("config", Some("per-path-ignores `legacy/`"))
    );
}

#[test]
fn absolute_paths_do_not_break_path_ignores() {
    let mut config = config();
    config.path_ignores = vec![("a.yaml".into(), vec!["AL103".into()])];
    let text = apiserver("7", "10", "100");
    let report = scan_with(&[("/abs/dir/a.yaml", &text)], &config);
    assert!(active_codes(&report).is_empty());
}

// ---- baselines ----

#[test]
fn baseline_survives_lines_inserted_above_a_finding() {
    let before = apiserver("7", "2", "10");
    let report = scan(&[("a.yaml", &before)]);
    let baseline = Baseline::from_json(&Baseline::of(&report.findings).to_json()).unwrap();
    assert_eq!(baseline.findings.len(), 3);

    let after = format!(
        "# a comment\n# and another\n{}",
        before.replace(
            "    - kube-apiserver\n",
            "    - kube-apiserver\n    - --v=2\n    - --audit-log-format=json\n"
        )
    );
    let mut moved = scan(&[("a.yaml", &after)]);
    let lines: Vec<usize> = moved
        .findings
        .iter()
        .map(|f| f.file.position(f.span.start).line)
        .collect();
    assert_eq!(lines, [17, 18, 19], "the findings moved down four lines");
    assert_eq!(baseline.apply(&mut moved.findings), 3);
    assert!(moved.active().next().is_none());
    assert!(moved
        .findings
        .iter()
        .all(|f| f.suppressed.as_ref().unwrap().kind == "baseline"));
}

#[test]
fn a_library_scan_applies_the_baseline_of_its_config() {
    let before = apiserver("7", "10", "100");
    let mut config = config();
    config.baseline = Some(Baseline::of(&scan(&[("a.yaml", &before)]).findings));
    let report = scan_with(&[("a.yaml", &apiserver("7", "2", "100"))], &config);
    // The known maxage finding is suppressed by the baseline; the new maxbackup one counts.
    let kinds: Vec<(&str, Option<&str>)> = report
        .findings
        .iter()
        .map(|f| (f.code(), f.suppressed.as_ref().map(|s| s.kind)))
        .collect();
    assert_eq!(kinds, [("AL103", Some("baseline")), ("AL104", None)]);
}

#[test]
fn baseline_reports_new_and_changed_findings() {
    let before = apiserver("7", "10", "100");
    let baseline = Baseline::of(&scan(&[("a.yaml", &before)]).findings);
    // A new finding (maxbackup) and a changed one (maxage 7 → 5) both count.
    let mut after = scan(&[("a.yaml", &apiserver("5", "2", "100"))]);
    assert_eq!(baseline.apply(&mut after.findings), 0);
    assert_eq!(active_codes(&after), ["AL103", "AL104"]);
    // The same file under another name is not the baselined file.
    let mut renamed = scan(&[("b.yaml", &before)]);
    assert_eq!(baseline.apply(&mut renamed.findings), 0);
}

#[test]
fn baseline_counts_repeated_findings() {
    let one = apiserver("7", "10", "100");
    let baseline = Baseline::of(&scan(&[("a.yaml", &one)]).findings);
    // The same object twice in one file: one is known, the second is new.
    let mut twice = scan(&[("a.yaml", &format!("{one}---\n{one}"))]);
    assert_eq!(baseline.apply(&mut twice.findings), 1);
    assert_eq!(active_codes(&twice), ["AL103"]);
}

#[test]
fn baseline_leaves_out_findings_already_suppressed() {
    let text = apiserver("7  # auditlint: ignore[AL103]", "2", "10");
    let baseline = Baseline::of(&scan(&[("a.yaml", &text)]).findings);
    let codes: Vec<&str> = baseline.findings.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["AL104", "AL105"]);
}

#[test]
fn baseline_file_format_is_checked() {
    assert!(Baseline::from_json("{\"version\": 1, \"findings\": []}").is_ok());
    for bad in [
        "{\"version\": 2, \"findings\": []}",
        "{\"findings\": []}",
        "[]",
        "{\"version\": 1, \"findings\": [{\"code\": \"AL103\"}]}",
        "{\"version\": 1, \"findings\": [], \"extra\": 1}",
        "not json",
    ] {
        assert!(Baseline::from_json(bad).is_err(), "{bad}");
    }
}

// ---- the binary: --write-baseline / --baseline and the summary ----

fn auditlint(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args(args)
        .args(["--select", &UNDER_TEST.join(",")])
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("auditlint runs")
}

#[test]
fn write_baseline_then_check_against_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.yaml"), apiserver("7", "2", "10")).unwrap();

    let write = auditlint(
        &["check", ".", "--write-baseline", ".auditlint-baseline.json"],
        d,
    );
    assert_eq!(write.status.code(), Some(0), "writing a baseline exits 0");
    let text = std::fs::read_to_string(d.join(".auditlint-baseline.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["version"], 1);
    let entries = json["findings"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    for key in ["code", "path", "fingerprint", "message"] {
        assert!(entries[0][key].is_string(), "{key} in {text}");
    }
    let codes: Vec<&str> = entries
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["AL103", "AL104", "AL105"], "sorted");

    // Lines added above: still clean; the summary says why.
    std::fs::write(
        d.join("a.yaml"),
        format!("# moved\n\n{}", apiserver("7", "2", "10")),
    )
    .unwrap();
    let check = auditlint(&["check", ".", "--baseline", ".auditlint-baseline.json"], d);
    assert_eq!(check.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(stdout.contains("(3 suppressed: 3 baseline)"), "{stdout}");

    // A new finding fails the run; the JSON summary counts by kind.
    std::fs::write(
        d.join("a.yaml"),
        apiserver("7", "2", "10  # auditlint: ignore[AL105]").replace("maxage=7", "maxage=1"),
    )
    .unwrap();
    let check = auditlint(
        &[
            "check",
            ".",
            "--baseline",
            ".auditlint-baseline.json",
            "--format",
            "json",
        ],
        d,
    );
    assert_eq!(check.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 1);
    assert_eq!(json["findings"][0]["code"], "AL103");
    assert_eq!(json["summary"]["suppressed"], 2);
    assert_eq!(
        json["summary"]["suppressed_by_kind"],
        serde_json::json!({"baseline": 1, "inline": 1})
    );
    let suppressed = json["suppressed"].as_array().unwrap();
    assert!(suppressed
        .iter()
        .any(|f| f["code"] == "AL105" && f["suppressed"]["kind"] == "inline"));
}

#[test]
fn unreadable_baseline_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.yaml"), apiserver("7", "10", "100")).unwrap();
    let missing = auditlint(&["check", ".", "--baseline", "nope.json"], d);
    assert_eq!(missing.status.code(), Some(2));
    std::fs::write(d.join(".b.json"), "{\"version\": 9, \"findings\": []}").unwrap();
    let wrong = auditlint(&["check", ".", "--baseline", ".b.json"], d);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("version 9"));
}

#[test]
fn comments_inside_embedded_yaml_apply_to_its_lines() {
    // A kind patch holds a ClusterConfiguration in a literal block: its `#` lines are
    // comments of the inner YAML, and the findings in it point at the block's lines.
    let text = "kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
  image: kindest/node:v1.30.0
  kubeadmConfigPatches:
  - |
    kind: ClusterConfiguration
    apiServer:
      extraArgs:
        audit-log-path: /var/log/kubernetes/audit.log
        # auditlint: ignore[AL103] -- short-lived test cluster
        audit-log-maxage: \"7\"
        audit-log-maxbackup: \"2\"
";
    let report = scan(&[("kind.yaml", text)]);
    let al103 = report
        .findings
        .iter()
        .find(|f| f.code() == "AL103")
        .unwrap();
    assert_eq!(al103.file.position(al103.span.start).line, 13);
    assert_eq!(
        al103
            .suppressed
            .as_ref()
            .map(|s| (s.kind, s.reason.as_deref())),
        Some(("inline", Some("short-lived test cluster")))
    );
    let al104 = report
        .findings
        .iter()
        .find(|f| f.code() == "AL104")
        .unwrap();
    assert!(al104.suppressed.is_none());
    assert!(!active_codes(&report).contains(&"AL006"));
}

#[test]
fn an_ignore_comment_at_the_end_of_a_file_covers_nothing() {
    let text = format!(
        "{}# auditlint: ignore[AL103]\n",
        apiserver("7", "10", "100")
    );
    let report = scan(&[("a.yaml", &text)]);
    assert_eq!(active_codes(&report), ["AL103", "AL006"]);
    let note = report
        .findings
        .iter()
        .find(|f| f.code() == "AL006")
        .unwrap();
    assert!(
        note.message.ends_with("no AL103 finding after it"),
        "{}",
        note.message
    );
}
