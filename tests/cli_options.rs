//! The command-line conveniences: several outputs in one run, `--output-file`,
//! `--statistics`, `--show-files`, selection by prefix, family and tag, `--min-severity`,
//! `--stdin-filename`, documentation URLs, suggestions and completions.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use common::tree;

fn run(args: &[&str], stdin: Option<&str>, cwd: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args(args)
        .current_dir(cwd)
        .env_remove("AUDITLINT_FORMAT")
        .env_remove("AUDITLINT_FAIL_ON")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(stdin.unwrap_or("").as_bytes());
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", stdout(o), stderr(o)))
}

fn codes(report: &Value) -> Vec<String> {
    common::finding_codes(report)
}

/// An apiserver with no rotation flags, a policy without `omitStages`, and a duplicate key:
/// findings of several families and severities.
fn repo() -> tempfile::TempDir {
    tree(&[
        (
            "cp/apiserver.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    command:\n    - kube-apiserver\n    - --audit-log-path=/var/log/kubernetes/audit/audit.log\n    - --audit-policy-file=/etc/kubernetes/audit-policy.yaml\n",
        ),
        (
            "cp/audit-policy.yaml",
            "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n",
        ),
        ("dup.yaml", "a: 1\na: 2\n"),
    ])
}

#[test]
fn several_formats_in_one_run_each_to_its_file() {
    let dir = repo();
    let d = dir.path();
    let out = run(
        &[
            "check",
            "--format",
            "json",
            "--output-file",
            "out/report.json",
            "--format",
            "sarif=report.sarif",
            "--format",
            "concise=report.txt",
            ".",
        ],
        None,
        d,
    );
    assert!(!d.join("out/report.json").exists() || out.status.code() == Some(1));
    // `out/` does not exist: writing fails loudly, exit 2.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("out/report.json"), "{}", stderr(&out));
    std::fs::create_dir(d.join("out")).unwrap();
    let out = run(
        &[
            "check",
            "--format",
            "json",
            "-o",
            "out/report.json",
            "--format",
            "sarif=report.sarif",
            "--format",
            "concise=report.txt",
            ".",
        ],
        None,
        d,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        out.stdout.is_empty(),
        "everything went to files: {}",
        stdout(&out)
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/report.json")).unwrap()).unwrap();
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("report.sarif")).unwrap()).unwrap();
    let concise = std::fs::read_to_string(d.join("report.txt")).unwrap();
    let n = codes(&report).len();
    assert!(n >= 3);
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), n);
    assert_eq!(concise.lines().count(), n);
    // Without `--output-file`, the format without a file goes to standard output.
    let out = run(
        &[
            "check",
            "--format",
            "gitlab=cq.json",
            "--format",
            "json",
            ".",
        ],
        None,
        d,
    );
    assert_eq!(codes(&json(&out)).len(), n);
    assert!(d.join("cq.json").exists());
    // And with none at all, standard output gets the human format.
    let out = run(&["check", "--format", "junit=j.xml", "."], None, d);
    assert!(stdout(&out).contains("╭─["), "{}", stdout(&out));
}

#[test]
fn conflicting_outputs_are_refused() {
    let dir = repo();
    let out = run(
        &["check", "-f", "json", "-f", "sarif", "."],
        None,
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("only one --format"),
        "{}",
        stderr(&out)
    );
    let out = run(
        &["check", "-f", "json=a", "-f", "sarif=a", "."],
        None,
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["check", "-f", "yaml", "."], None, dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("checkstyle"),
        "the formats are listed: {}",
        stderr(&out)
    );
    let out = run(&["check", "-f", "json=", "."], None, dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn statistics_count_findings_per_rule() {
    let dir = repo();
    let text = "a: 1\n".repeat(5);
    std::fs::write(dir.path().join("dup2.yaml"), text).unwrap();
    let out = run(&["check", "--statistics", "."], None, dir.path());
    assert_eq!(out.status.code(), Some(1), "exit status as without it");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("statistics", stdout(&out)));
    let out = run(
        &["check", "--statistics", "--format", "json", "."],
        None,
        dir.path(),
    );
    let rows = json(&out);
    let first = &rows[0];
    assert_eq!(
        (first["code"].as_str(), first["count"].as_u64()),
        (Some("AL002"), Some(5))
    );
    let out = run(
        &["check", "--statistics", "--format", "sarif", "."],
        None,
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn show_files_lists_what_would_be_scanned_and_what_is_skipped() {
    let dir = repo();
    let d = dir.path();
    std::fs::write(d.join("notes.txt"), "not yaml").unwrap();
    for (path, text) in [
        ("node_modules/dep/chart.yaml", "a: 1\n"),
        (".github/workflows/ci.yaml", "on: push\n"),
        ("ignored.yaml", "a: 1\n"),
        (".gitignore", "ignored.yaml\n"),
        ("drafts/old.yaml", "a: 1\n"),
        (".hidden.yaml", "a: 1\n"),
    ] {
        std::fs::create_dir_all(d.join(path).parent().unwrap()).unwrap();
        std::fs::write(d.join(path), text).unwrap();
    }
    let config = std::fs::read_to_string(d.join(".auditlint.yaml")).unwrap_or_default();
    std::fs::write(
        d.join(".auditlint.yaml"),
        format!("{config}\nexclude: [drafts/]\n"),
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc", dir.path().join("etc-link")).unwrap();
    let out = run(&["check", "--show-files", "."], None, dir.path());
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.contains(&"cp/apiserver.yaml") && lines.contains(&"dup.yaml"),
        "{text}"
    );
    assert!(!text.contains("notes.txt"), "{text}");
    // What the walk passes over without a word is said too, with why.
    for (line, why) in [
        (
            "node_modules/: not scanned: ",
            "vendored or build directory",
        ),
        (".github/: not scanned: ", "hidden directory"),
        ("ignored.yaml: not scanned: ", "ignored by a .gitignore"),
        ("drafts/old.yaml: not scanned: ", "excluded by `exclude`"),
        (".hidden.yaml: not scanned: ", "hidden file"),
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(line) && l.contains(why)),
            "{line}{why}: {text}"
        );
    }
    assert!(
        !text.contains("node_modules/dep"),
        "a vendored directory is said once: {text}"
    );
    #[cfg(unix)]
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("etc-link: skipped: ")
                && l.contains("leaves the scanned directory")),
        "{text}"
    );
}

#[test]
fn select_and_ignore_take_prefixes_families_tags_and_names() {
    let dir = repo();
    let d = dir.path();
    let all = codes(&json(&run(&["check", "-f", "json", "."], None, d)));
    assert!(all.iter().any(|c| c.starts_with("AL1")) && all.iter().any(|c| c.starts_with("AL2")));
    let only = |args: &[&str]| {
        let mut full = vec!["check", "-f", "json", "."];
        full.extend_from_slice(args);
        codes(&json(&run(&full, None, d)))
    };
    let al1 = only(&["--select", "AL1"]);
    assert!(
        !al1.is_empty() && al1.iter().all(|c| c.starts_with("AL1")),
        "{al1:?}"
    );
    let policy = only(&["--select", "policy"]);
    assert!(
        !policy.is_empty() && policy.iter().all(|c| c.starts_with("AL2")),
        "{policy:?}"
    );
    let both = only(&["--select", "AL1", "--extend-select", "policy"]);
    assert_eq!(both.len(), al1.len() + policy.len());
    let no_input = only(&["--ignore", "input"]);
    assert!(!no_input.contains(&"AL002".to_string()));
    assert_eq!(only(&["--select", "duplicate-key"]), ["AL002"]);
    // In the configuration file too.
    std::fs::write(
        d.join(".auditlint.yaml"),
        "select: [AL1]\nextend-select: [AL0]\n",
    )
    .unwrap();
    let configured = only(&[]);
    assert!(configured
        .iter()
        .all(|c| c.starts_with("AL1") || c.starts_with("AL0")));
    assert!(configured.contains(&"AL002".to_string()));
    std::fs::write(d.join(".auditlint.yaml"), "ignore: [AL2, input]\n").unwrap();
    let configured = only(&[]);
    assert!(
        configured
            .iter()
            .all(|c| c.starts_with("AL1") || c.starts_with("AL3") || c.starts_with("AL4")),
        "{configured:?}"
    );
    std::fs::remove_file(d.join(".auditlint.yaml")).unwrap();
    // Unknown selectors are errors with the nearest known one.
    let out = run(&["check", "--select", "polcy", "."], None, d);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `policy`?"),
        "{}",
        stderr(&out)
    );
    let out = run(&["check", "--ignore", "duplicate-kye", "."], None, d);
    assert!(
        stderr(&out).contains("did you mean `duplicate-key`?"),
        "{}",
        stderr(&out)
    );
    let out = run(&["explain", "duplicate-kye"], None, d);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `duplicate-key` (AL002)?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn min_severity_hides_below_without_failing_on_it() {
    let dir = repo();
    let d = dir.path();
    let report = json(&run(&["check", "-f", "json", "."], None, d));
    let severities: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert!(severities.contains(&"warning"), "{severities:?}");
    let out = run(
        &["check", "-f", "json", "--min-severity", "error", "."],
        None,
        d,
    );
    let shown = json(&out);
    assert!(shown["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["severity"] == "error"));
    assert_eq!(shown["summary"]["warnings"], 0);
    // Only the warning-level duplicate key: hidden, so nothing fails.
    let out = run(&["check", "--min-severity", "error", "dup.yaml"], None, d);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn stdin_filename_names_standard_input() {
    let dir = repo();
    let d = dir.path();
    let named = |format: &str| {
        let args = [
            "check",
            "-f",
            format,
            "--stdin-filename",
            "deploy/dup.yaml",
            "-",
        ];
        run(&args, Some("a: 1\na: 2\n"), d)
    };
    assert_eq!(
        json(&named("json"))["findings"][0]["path"],
        "deploy/dup.yaml"
    );
    let concise = stdout(&named("concise"));
    assert!(
        concise.starts_with("deploy/dup.yaml:2:1: AL002"),
        "{concise}"
    );
    // per-path-ignores match the name.
    std::fs::write(
        d.join(".auditlint.yaml"),
        "per-path-ignores:\n  \"deploy/**\": [AL002]\n",
    )
    .unwrap();
    let out = named("json");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // It names standard input: without `-` it is an error.
    let out = run(
        &["check", "--stdin-filename", "x.yaml", "dup.yaml"],
        None,
        d,
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_finding_links_its_documentation() {
    let dir = repo();
    let report = json(&run(&["check", "-f", "json", "dup.yaml"], None, dir.path()));
    let url = "https://github.com/auditlint/auditlint/blob/main/docs/rules/AL002.md";
    assert_eq!(report["findings"][0]["url"], url);
    let sarif = json(&run(
        &["check", "-f", "sarif", "dup.yaml"],
        None,
        dir.path(),
    ));
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let al002 = rules.iter().find(|r| r["id"] == "AL002").unwrap();
    assert_eq!(al002["helpUri"], url);
    let explain = stdout(&run(&["explain", "AL002"], None, dir.path()));
    assert!(
        explain
            .trim_end()
            .ends_with(&format!("Documentation: {url}")),
        "{explain}"
    );
    // The documentation page exists in the repository.
    assert!(Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/rules/AL002.md")
        .is_file());
}

#[test]
fn completions_offer_rule_codes_names_and_formats() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["completions", "bash"], None, dir.path());
    let script = stdout(&out);
    for word in [
        "AL103",
        "audit-log-maxage",
        "policy",
        "checkstyle",
        "gitlab",
    ] {
        assert!(script.contains(word), "`{word}` is not offered");
    }
    let out = run(&["check", "--help"], None, dir.path());
    assert!(
        !stdout(&out).contains("AL103, "),
        "the help does not list every rule"
    );
}

#[test]
fn stale_baseline_entries_are_reported_and_pruned() {
    let dir = repo();
    let d = dir.path();
    let out = run(
        &["check", "--write-baseline", "baseline.json", "."],
        None,
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let recorded = std::fs::read_to_string(d.join("baseline.json")).unwrap();
    // Nothing fixed: nothing stale.
    let out = run(&["check", "--baseline", "baseline.json", "."], None, d);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(!stderr(&out).contains("stale") && !stderr(&out).contains("match no finding"));
    // Fix the duplicate key: its entry is stale.
    std::fs::write(d.join("dup.yaml"), "a: 2\n").unwrap();
    let out = run(&["check", "--baseline", "baseline.json", "."], None, d);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains("1 baseline entry in baseline.json match"),
        "{err}"
    );
    assert!(err.contains("AL002 dup.yaml"), "{err}");
    assert!(err.contains("--prune-baseline"), "{err}");
    assert_eq!(
        std::fs::read_to_string(d.join("baseline.json")).unwrap(),
        recorded,
        "not written"
    );
    let out = run(
        &[
            "check",
            "--baseline",
            "baseline.json",
            "--prune-baseline",
            ".",
        ],
        None,
        d,
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("removed 1 stale entry"),
        "{}",
        stderr(&out)
    );
    let pruned: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("baseline.json")).unwrap()).unwrap();
    let before: Value = serde_json::from_str(&recorded).unwrap();
    let n = pruned["findings"].as_array().unwrap().len();
    assert_eq!(n + 1, before["findings"].as_array().unwrap().len());
    assert!(pruned["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["code"] != "AL002"));
    let out = run(&["check", "--baseline", "baseline.json", "."], None, d);
    assert!(
        !stderr(&out).contains("match no finding"),
        "{}",
        stderr(&out)
    );
}
