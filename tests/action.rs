//! The GitHub Action's script (scripts/action.sh) run locally with a simulated runner:
//! annotations, SARIF file, step outputs, step summary and exit status; the release download
//! with checksum verification (from a `file://` URL, never the network); and action.yml
//! against the GitHub Action metadata schema.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

const BAD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --audit-log-path=-]\n";
const GOOD: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n";

struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    /// A workspace holding `files`, and an empty runner temp directory.
    fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join("workspace").join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        std::fs::create_dir_all(dir.path().join("workspace")).unwrap();
        std::fs::create_dir_all(dir.path().join("runner")).unwrap();
        Runner { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn command(&self, inputs: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new("bash");
        cmd.arg(root().join("scripts/action.sh"))
            .current_dir(self.path("workspace"))
            .env("GITHUB_OUTPUT", self.path("output"))
            .env("GITHUB_STEP_SUMMARY", self.path("summary.md"))
            .env("GITHUB_ACTION_PATH", root())
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", self.path("runner"))
            .env("INPUT_VERSION", env!("CARGO_PKG_VERSION"))
            .env("AUDITLINT_BIN", env!("CARGO_BIN_EXE_auditlint"))
            // Never the network: a download attempt fails fast.
            .env("AUDITLINT_DOWNLOAD_URL", "file:///nonexistent")
            .env_remove("GITHUB_BASE_REF")
            .env_remove("AUDITLINT_FORMAT")
            .env_remove("AUDITLINT_FAIL_ON");
        for (k, v) in inputs {
            cmd.env(format!("INPUT_{}", k.to_uppercase().replace('-', "_")), v);
        }
        cmd
    }

    fn run(&self, inputs: &[(&str, &str)]) -> Output {
        self.command(inputs).output().expect("bash runs")
    }

    fn outputs(&self) -> HashMap<String, String> {
        std::fs::read_to_string(self.path("output"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.path("summary.md")).unwrap_or_default()
    }
}

fn json_counts(dir: &Path) -> (usize, usize, usize) {
    let out = Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args(["check", ".", "--format", "json"])
        .current_dir(dir)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = |k: &str| v["summary"][k].as_u64().unwrap() as usize;
    (n("errors"), n("warnings"), n("notes"))
}

#[test]
fn findings_are_annotated_counted_summarised_and_fail_the_step() {
    let r = Runner::new(&[
        ("deploy/apiserver.yaml", BAD),
        ("deploy/settings.yaml", GOOD),
    ]);
    let out = r.run(&[("paths", "deploy")]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");

    let (errors, warnings, notes) = json_counts(&r.path("workspace"));
    assert!(errors > 0);
    let annotations: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), errors + warnings + notes);
    assert!(annotations
        .iter()
        .all(|a| a.contains(" file=deploy/apiserver.yaml,line=")));

    let o = r.outputs();
    assert_eq!(o["errors"], errors.to_string());
    assert_eq!(o["warnings"], warnings.to_string());
    assert_eq!(o["notes"], notes.to_string());
    assert_eq!(o["exit-code"], "1");
    let sarif_path = PathBuf::from(&o["sarif-file"]);
    assert_eq!(sarif_path, r.path("runner/auditlint.sarif"));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), errors + warnings + notes);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "deploy/apiserver.yaml"
    );

    let summary = r.summary();
    assert!(
        summary.contains("| errors | warnings | notes |"),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("| {errors} | {warnings} | {notes} |")),
        "{summary}"
    );
    assert!(
        summary.contains("| error | `deploy/apiserver.yaml:"),
        "{summary}"
    );
    assert_eq!(
        summary
            .lines()
            .filter(|l| l.starts_with("| error |")
                || l.starts_with("| warning |")
                || l.starts_with("| notice |"))
            .count(),
        errors + warnings + notes
    );
}

#[test]
fn a_clean_repository_passes_and_fail_on_is_honoured() {
    let r = Runner::new(&[("settings.yaml", GOOD)]);
    let out = r.run(&[]);
    assert_eq!(out.status.code(), Some(0));
    let o = r.outputs();
    assert_eq!((o["errors"].as_str(), o["warnings"].as_str()), ("0", "0"));
    assert!(r.summary().contains("No findings."));

    let bad = Runner::new(&[("apiserver.yaml", BAD)]);
    let sarif = bad.path("out/scan.sarif");
    let out = bad.run(&[
        ("fail-on", "never"),
        ("sarif-file", sarif.to_str().unwrap()),
    ]);
    assert_eq!(out.status.code(), Some(0), "fail-on never");
    assert_eq!(bad.outputs()["sarif-file"], sarif.to_str().unwrap());
    assert!(sarif.is_file());
    assert_ne!(bad.outputs()["errors"], "0");
}

#[test]
fn the_config_input_is_passed_to_auditlint() {
    let r = Runner::new(&[
        ("apiserver.yaml", BAD),
        ("ci/auditlint.yaml", "ignore: [AL101]\n"),
    ]);
    r.run(&[]);
    let before: usize = r.outputs()["errors"].parse().unwrap();
    assert!(before > 0);
    let r = Runner::new(&[
        ("apiserver.yaml", BAD),
        ("ci/auditlint.yaml", "ignore: [AL101]\n"),
    ]);
    r.run(&[("config", "ci/auditlint.yaml")]);
    let after: usize = r.outputs()["errors"].parse().unwrap();
    assert!(after < before, "AL101 is ignored: {after} < {before}");
    // A configuration file that does not exist is the scan's error, not silence.
    let r = Runner::new(&[("apiserver.yaml", BAD)]);
    let out = r.run(&[("config", "missing.yaml")]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn other_formats_and_bad_inputs() {
    let r = Runner::new(&[("apiserver.yaml", BAD)]);
    let out = r.run(&[("format", "concise")]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.lines().all(|l| l.starts_with("apiserver.yaml:")),
        "{stdout}"
    );
    assert_ne!(
        r.outputs()["errors"],
        "0",
        "counts do not depend on the log format"
    );

    let out = r.run(&[("fail-on", "sometimes")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("::error title=auditlint action::fail-on")
    );

    // A path that does not exist: auditlint's status 2, no SARIF file claimed.
    let r = Runner::new(&[("apiserver.yaml", BAD)]);
    let out = r.run(&[("paths", "missing-dir")]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(r.outputs()["sarif-file"], "");
    assert!(r.summary().contains("could not be done"));
}

/// A release directory as the release workflow lays it out, served from `file://`.
fn fake_release(dir: &Path, target: &str, corrupt: bool) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let stage = dir
        .join("stage")
        .join(format!("auditlint-{version}-{target}"));
    std::fs::create_dir_all(&stage).unwrap();
    // A stand-in executable that runs the real one: the debug binary is tens of megabytes,
    // and what is tested is the download, the verification and the extraction.
    let stand_in = stage.join("auditlint");
    std::fs::write(
        &stand_in,
        format!(
            "#!/bin/sh\nexec '{}' \"$@\"\n",
            env!("CARGO_BIN_EXE_auditlint")
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stand_in, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let release = dir.join("releases").join(format!("v{version}"));
    std::fs::create_dir_all(&release).unwrap();
    let archive = format!("auditlint-{version}-{target}.tar.gz");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(release.join(&archive))
        .arg("-C")
        .arg(dir.join("stage"))
        .arg(format!("auditlint-{version}-{target}"))
        .status()
        .unwrap();
    assert!(status.success());
    let sum = Command::new("sha256sum")
        .arg(&archive)
        .current_dir(&release)
        .output()
        .unwrap();
    let mut line = String::from_utf8(sum.stdout).unwrap();
    if corrupt {
        line = format!("{}{}", "0".repeat(64), &line[64..]);
    }
    std::fs::write(release.join(format!("{archive}.sha256")), line).unwrap();
    format!("file://{}", dir.join("releases").display())
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

/// A `cargo` that records that it was called and fails, so a fallback build is visible.
fn fake_cargo(dir: &Path) -> PathBuf {
    let bin = dir.join("fakebin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("cargo");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nexit 1\n",
            dir.join("cargo-calls").display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

fn with_path(cmd: &mut Command, first: &Path) {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![first.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    cmd.env("PATH", std::env::join_paths(paths).unwrap());
}

#[test]
fn installs_the_release_for_the_runner_and_verifies_its_checksum() {
    if !cfg!(unix) || !have("sha256sum") || !have("curl") {
        eprintln!("skipped: needs a Unix shell with curl and sha256sum");
        return;
    }
    for (os, arch, target) in [
        ("Linux", "X64", "x86_64-unknown-linux-musl"),
        ("macOS", "ARM64", "aarch64-apple-darwin"),
    ] {
        let r = Runner::new(&[("apiserver.yaml", BAD)]);
        let url = fake_release(r.dir.path(), target, false);
        let fakebin = fake_cargo(r.dir.path());
        let mut cmd = r.command(&[]);
        cmd.env_remove("AUDITLINT_BIN")
            .env("AUDITLINT_DOWNLOAD_URL", &url)
            .env("RUNNER_OS", os)
            .env("RUNNER_ARCH", arch);
        with_path(&mut cmd, &fakebin);
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{os}/{arch}: {stderr}");
        assert!(stderr.contains("sha256 verified"), "{stderr}");
        assert!(
            !r.dir.path().join("cargo-calls").exists(),
            "{os}/{arch}: the download was used, not a build"
        );
        let installed = r.path("runner").join(format!(
            "auditlint-{}/bin/auditlint",
            env!("CARGO_PKG_VERSION")
        ));
        assert!(installed.is_file());
    }
}

#[test]
fn a_checksum_mismatch_stops_without_falling_back() {
    if !cfg!(unix) || !have("sha256sum") || !have("curl") {
        eprintln!("skipped: needs a Unix shell with curl and sha256sum");
        return;
    }
    let r = Runner::new(&[("apiserver.yaml", BAD)]);
    let url = fake_release(r.dir.path(), "x86_64-unknown-linux-musl", true);
    let fakebin = fake_cargo(r.dir.path());
    let mut cmd = r.command(&[]);
    cmd.env_remove("AUDITLINT_BIN")
        .env("AUDITLINT_DOWNLOAD_URL", &url);
    with_path(&mut cmd, &fakebin);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("checksum mismatch"));
    assert!(
        !r.dir.path().join("cargo-calls").exists(),
        "no fallback build"
    );
    assert!(!r.path("output").exists(), "nothing scanned");
}

#[test]
fn without_a_release_it_builds_the_actions_own_source_never_a_registry_name() {
    if !cfg!(unix) || !have("curl") {
        eprintln!("skipped: needs a Unix shell with curl");
        return;
    }
    // An unknown platform has no prebuilt binary; the (fake, failing) cargo is asked once,
    // for the action's own source with its lock file, never for `auditlint` by name (the
    // crates registry's `auditlint` is not this project).
    let r = Runner::new(&[("apiserver.yaml", BAD)]);
    let fakebin = fake_cargo(r.dir.path());
    let mut cmd = r.command(&[]);
    cmd.env_remove("AUDITLINT_BIN")
        .env("RUNNER_ARCH", "riscv64");
    with_path(&mut cmd, &fakebin);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let calls = std::fs::read_to_string(r.dir.path().join("cargo-calls")).unwrap();
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(calls[0].starts_with("install --locked"), "{calls:?}");
    assert!(
        calls[0].ends_with(&format!("--path {}", root().display())),
        "{calls:?}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("could not install auditlint"));
}

#[test]
fn another_version_without_a_release_is_refused_not_built_from_this_source() {
    if !cfg!(unix) || !have("curl") {
        eprintln!("skipped: needs a Unix shell with curl");
        return;
    }
    let r = Runner::new(&[("apiserver.yaml", BAD)]);
    let fakebin = fake_cargo(r.dir.path());
    let mut cmd = r.command(&[("version", "9.9.9")]);
    cmd.env_remove("AUDITLINT_BIN")
        .env("RUNNER_ARCH", "riscv64");
    with_path(&mut cmd, &fakebin);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!r.dir.path().join("cargo-calls").exists(), "nothing built");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("the action's source is version"),
        "{stdout}"
    );
}

#[test]
fn action_metadata_matches_the_script_and_the_crate() {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let value = yaml_to_json(&text);
    assert_eq!(value["runs"]["using"], "composite");
    // The pinned default release is this crate's version.
    assert_eq!(
        value["inputs"]["version"]["default"],
        env!("CARGO_PKG_VERSION")
    );
    for input in [
        "paths",
        "config",
        "fail-on",
        "format",
        "version",
        "sarif-upload",
        "sarif-file",
    ] {
        assert!(value["inputs"][input]["description"].is_string(), "{input}");
    }
    let steps = value["runs"]["steps"].as_array().unwrap();
    let env = &steps[0]["env"];
    for input in [
        "paths",
        "config",
        "fail-on",
        "format",
        "version",
        "sarif-file",
    ] {
        let var = format!("INPUT_{}", input.to_uppercase().replace('-', "_"));
        assert_eq!(env[&var], format!("${{{{ inputs.{input} }}}}"), "{var}");
    }
    // Pinned by commit, as zizmor asks of every action (tests/workflows.rs).
    let upload = steps[1]["uses"].as_str().unwrap();
    let pin = upload
        .strip_prefix("github/codeql-action/upload-sarif@")
        .unwrap_or_else(|| panic!("{upload}"));
    assert!(
        pin.len() == 40 && pin.bytes().all(|b| b.is_ascii_hexdigit()),
        "{upload}"
    );
    for output in ["errors", "warnings", "notes", "sarif-file"] {
        assert!(value["outputs"][output]["value"]
            .as_str()
            .unwrap()
            .contains(&format!("steps.scan.outputs.{output}")));
    }

    let Some(validator) = common::assert_schema_valid("github-action.json", &value) else {
        return;
    };
    // And the validator rejects a broken action.
    let mut broken = value.clone();
    broken["runs"]["using"] = serde_json::Value::from("bash");
    assert!(!validator.is_valid(&broken));
}

/// YAML → JSON through the project's own YAML layer.
pub fn yaml_to_json(text: &str) -> serde_json::Value {
    let (items, _) = auditlint::yaml::parse_all(text);
    match items.into_iter().next() {
        Some(auditlint::yaml::Item::Document(d)) => {
            let mut budget = 1_000_000;
            d.root()
                .expect("a document")
                .to_json(&mut budget)
                .expect("small")
        }
        _ => panic!("not YAML"),
    }
}

#[test]
fn one_scan_and_a_summary_with_fixes_as_code_blocks_and_errors_shown() {
    // A wrapper that counts how often auditlint runs.
    let r = Runner::new(&[
        ("deploy/apiserver.yaml", BAD),
        // No catch-all rule: the fix is YAML to copy.
        (
            "deploy/policy.yaml",
            "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  users: [\"system:kube-proxy\"]\n",
        ),
    ]);
    let wrapper = r.path("runner/auditlint-wrapper");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\n[ \"$1\" = --version ] || echo run >> '{}'\nexec '{}' \"$@\"\n",
            r.path("calls").display(),
            env!("CARGO_BIN_EXE_auditlint")
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = r
        .command(&[("paths", "deploy"), ("format", "concise")])
        .env("AUDITLINT_BIN", &wrapper)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let calls = std::fs::read_to_string(r.path("calls")).unwrap();
    assert_eq!(
        calls.lines().count(),
        1,
        "one scan for the log, annotations and SARIF"
    );
    assert!(r.path("runner/auditlint.sarif").is_file());
    let summary = r.summary();
    assert!(summary.contains("### Fixes to copy"), "{summary}");
    let block = summary
        .split("```yaml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap_or_else(|| panic!("no code block: {summary}"));
    assert!(block.lines().any(|l| l == "- level: Metadata"), "{block}");
    assert!(
        block.lines().any(|l| l.starts_with("  omitStages:")),
        "indentation kept: {block}"
    );
    assert!(
        !block.contains("cluster: ") && !block.contains("template: "),
        "only the help: {block}"
    );
    // The scan fails: the summary says why.
    let r = Runner::new(&[("apiserver.yaml", BAD)]);
    let out = r.run(&[("paths", "missing-dir")]);
    assert_eq!(out.status.code(), Some(2));
    let summary = r.summary();
    assert!(summary.contains("could not be done"), "{summary}");
    assert!(
        summary.contains("missing-dir"),
        "the error is shown: {summary}"
    );
}

/// On a pull request, the step summary carries the policy diff against the base branch
/// (here a local `origin/main`), for a Policy embedded in a ConfigMap too.
#[test]
fn pull_requests_get_the_policy_diff_in_the_summary() {
    if !common::has_git() {
        return;
    }
    let policy =
        std::fs::read_to_string(root().join("tests/fixtures/policy/diff/base.yaml")).unwrap();
    let indented: String = policy.lines().map(|l| format!("    {l}\n")).collect();
    let configmap = format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: audit}}\ndata:\n  policy.yaml: |\n{indented}");
    let r = Runner::new(&[
        ("deploy/audit.yaml", &configmap),
        ("deploy/settings.yaml", GOOD),
    ]);
    let git = |args: &[&str]| common::git(&r.path("workspace"), args);
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "base"]);
    git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    std::fs::write(
        r.path("workspace/deploy/audit.yaml"),
        configmap.replace(
            r#"resources: ["events"]"#,
            r#"resources: ["events", "pods/exec"]"#,
        ),
    )
    .unwrap();
    git(&["commit", "-qam", "silence exec"]);

    let out = r
        .command(&[("paths", "deploy"), ("fail-on", "never")])
        .env("GITHUB_BASE_REF", "main")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let summary = r.summary();
    assert!(summary.contains("### Audit policy changes"), "{summary}");
    assert!(summary.contains("#### `deploy/audit.yaml@"), "{summary}");
    assert!(summary.contains("| **decrease** |"), "{summary}");
    assert!(summary.contains("pods/exec"), "{summary}");

    // Off, or not a pull request: no diff.
    std::fs::remove_file(r.path("summary.md")).unwrap();
    r.command(&[("paths", "deploy"), ("policy-diff", "off")])
        .env("GITHUB_BASE_REF", "main")
        .output()
        .unwrap();
    assert!(!r.summary().contains("Audit policy changes"));
    std::fs::remove_file(r.path("summary.md")).unwrap();
    r.run(&[("paths", "deploy")]);
    assert!(!r.summary().contains("Audit policy changes"));
}
