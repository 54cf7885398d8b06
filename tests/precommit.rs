//! The pre-commit hooks for real: `pre-commit try-repo` installs each hook from a snapshot of
//! this working tree and runs it in a scratch repository, once on a clean commit (passes) and
//! once on a bad one (fails):
//! - `auditlint` (`language: python`): pre-commit `pip install`s the repository's
//!   pyproject.toml, which depends on the `auditlint` wheel; here pip is pointed at the wheel
//!   this test run builds (tests/packaging), offline.
//! - `auditlint-from-source`: builds with `cargo install --locked`.
//!
//! Also validates `.pre-commit-hooks.yaml` against pre-commit's schema.
//!
//! Needs `pre-commit`, `maturin` and `git`: skipped with a notice when a tool is missing,
//! except under CI (`CI` set), where that is a failure (.ci/run installs them).
//! The from-source build reuses `<target>/precommit-hook` and a quick release profile, as
//! the wheel's build does, so the dependencies compile once.

mod common;
#[path = "packaging/mod.rs"]
mod packaging;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use packaging::{git, root, snapshot_of_this_tree};

/// `pre-commit try-repo` makes a fresh store (and so a fresh install) every time. For the
/// from-source hook, the shared target directory and an unoptimised, incremental profile keep
/// that to a rebuild of this crate alone once the dependencies are built (measured on 2
/// shared, busy cores: 231 s for the first run with the dependencies' build, 19 s for the
/// next; 711 s and 90 s at opt-level 1). For the wheel hook, pip installs the wheel built
/// here from no index, and builds the repository's dependency-only package with the
/// setuptools wheel virtualenv (pre-commit's own dependency) carries.
fn try_repo(hook_repo: &Path, hook: &str, cwd: &Path, wheel: Option<&Path>) -> Output {
    let mut cmd = Command::new("pre-commit");
    cmd.args(["try-repo", hook_repo.to_str().unwrap(), hook, "--all-files"])
        .current_dir(cwd)
        // A store of its own: a fresh install, not waiting on another test's store lock.
        .env("PRE_COMMIT_HOME", cwd.parent().unwrap().join("store"))
        .env_remove("AUDITLINT_FORMAT")
        .env_remove("AUDITLINT_FAIL_ON");
    packaging::quick_profile(&mut cmd);
    if let Some(wheel) = wheel {
        let links = format!(
            "{} {}",
            wheel.parent().unwrap().display(),
            virtualenv_wheels().display()
        );
        cmd.env("PIP_NO_INDEX", "1")
            .env("PIP_FIND_LINKS", links)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    }
    cmd.output().expect("pre-commit runs")
}

/// The wheel the python hooks install, when pre-commit and maturin are there.
fn pre_commit_and_wheel() -> Option<PathBuf> {
    if !packaging::tool("pre-commit", "pip install pre-commit") {
        return None;
    }
    packaging::wheel()
}

/// What a run printed: standard output, then standard error.
fn printed(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// The directory of wheels virtualenv seeds environments from (setuptools among them).
fn virtualenv_wheels() -> PathBuf {
    let out = Command::new("python3")
        .args([
            "-c",
            "import os, virtualenv.seed.wheels.embed as e; print(os.path.dirname(e.__file__))",
        ])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "virtualenv (a pre-commit dependency) is not importable by python3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

const GOOD: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n";
const BAD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --audit-log-path=-]\n";

/// A snapshot of this tree to install hooks from, and a user repository whose first commit
/// holds `files`: (the directory holding both, the hook repository, the user repository).
fn repositories(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let hook_repo = tmp.path().join("hook");
    let user_repo = tmp.path().join("user");
    std::fs::create_dir_all(&hook_repo).unwrap();
    snapshot_of_this_tree(&hook_repo);
    std::fs::create_dir_all(&user_repo).unwrap();
    git(&["init", "-q"], &user_repo);
    for (path, text) in files {
        let path = user_repo.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(&["add", "-A"], &user_repo);
    git(&["commit", "-q", "-m", "first"], &user_repo);
    (tmp, hook_repo, user_repo)
}

/// Runs `hook` on a good commit, then a bad one; returns the first run's time.
fn passes_a_good_commit_and_fails_a_bad_one(hook: &str, wheel: Option<&Path>) -> Duration {
    let (_tmp, hook_repo, user_repo) = repositories(&[("deploy/settings.yaml", GOOD)]);
    let started = Instant::now();
    let good = try_repo(&hook_repo, hook, &user_repo, wheel);
    let first_run = started.elapsed();
    eprintln!("pre-commit try-repo {hook} (with the hook's install): {first_run:?}");
    let text = printed(&good);
    assert_eq!(good.status.code(), Some(0), "{hook}, good commit: {text}");
    assert!(
        text.contains("auditlint") && text.contains("Passed"),
        "{text}"
    );

    std::fs::write(user_repo.join("deploy/apiserver.yaml"), BAD).unwrap();
    git(&["add", "-A"], &user_repo);
    git(&["commit", "-q", "-m", "bad"], &user_repo);
    let bad = try_repo(&hook_repo, hook, &user_repo, wheel);
    let text = printed(&bad);
    assert_eq!(bad.status.code(), Some(1), "{hook}, bad commit: {text}");
    assert!(text.contains("Failed"), "{text}");
    // The hook scanned from the repository root: the finding names the file's real path.
    assert!(text.contains("deploy/apiserver.yaml"), "{text}");
    assert!(text.contains("AL1"), "{text}");
    first_run
}

#[test]
fn the_wheel_hook_passes_a_good_commit_and_fails_a_bad_one() {
    let Some(wheel) = pre_commit_and_wheel() else {
        return;
    };
    let first_run = passes_a_good_commit_and_fails_a_bad_one("auditlint", Some(&wheel));
    // Installing a wheel, not compiling: a virtualenv and a pip install. A compile of this
    // crate alone takes minutes on the 2-core CI machine.
    assert!(first_run < Duration::from_secs(120), "{first_run:?}");
}

#[test]
fn the_from_source_hook_builds_locked_and_passes_a_good_commit_and_fails_a_bad_one() {
    if !packaging::tool("pre-commit", "pip install pre-commit") {
        return;
    }
    passes_a_good_commit_and_fails_a_bad_one("auditlint-from-source", None);
}

/// An apiserver whose only finding at warning or above is fixable (AL103), with its policy
/// and a log agent, so that once fixed the commit is clean.
const FIXABLE: &[(&str, &str)] = &[
    (
        "deploy/apiserver.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --audit-policy-file=/etc/kubernetes/audit/policy.yaml, --audit-log-path=/var/log/kubernetes/audit/audit.log, --audit-log-maxage=7, --audit-log-maxbackup=10, --audit-log-maxsize=100]\n    volumeMounts:\n    - {name: audit-policy, mountPath: /etc/kubernetes/audit, readOnly: true}\n    - {name: audit-log, mountPath: /var/log/kubernetes/audit}\n  volumes:\n  - {name: audit-policy, hostPath: {path: /etc/kubernetes/audit, type: DirectoryOrCreate}}\n  - {name: audit-log, hostPath: {path: /var/log/kubernetes/audit, type: DirectoryOrCreate}}\n",
    ),
    (
        "deploy/policy.yaml",
        "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: Metadata\n",
    ),
    (
        ".auditlint.yaml",
        "policy-paths:\n  /etc/kubernetes/audit/policy.yaml: deploy/policy.yaml\nignore: [AL401]\nkubernetes-version: \"1.33\"\n",
    ),
];

#[test]
fn the_fix_hook_fixes_and_fails_when_it_changed_files() {
    let Some(wheel) = pre_commit_and_wheel() else {
        return;
    };
    let (_tmp, hook_repo, user_repo) = repositories(FIXABLE);

    let fixed = try_repo(&hook_repo, "auditlint-fix", &user_repo, Some(&wheel));
    let text = printed(&fixed);
    assert_eq!(fixed.status.code(), Some(1), "{text}");
    assert!(text.contains("Failed"), "{text}");
    let apiserver = std::fs::read_to_string(user_repo.join("deploy/apiserver.yaml")).unwrap();
    assert!(apiserver.contains("--audit-log-maxage=30,"), "{apiserver}");

    // Staged, the fixed commit passes: nothing left to change.
    git(&["add", "-A"], &user_repo);
    git(&["commit", "-q", "-m", "fixed"], &user_repo);
    let clean = try_repo(&hook_repo, "auditlint-fix", &user_repo, Some(&wheel));
    let text = printed(&clean);
    assert_eq!(clean.status.code(), Some(0), "{text}");
    assert!(text.contains("Passed"), "{text}");
}

#[test]
fn the_hook_package_pins_the_wheel_of_this_version() {
    let text = std::fs::read_to_string(root().join("pyproject.toml")).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert!(text.contains(&format!("version = \"{version}\"")), "{text}");
    assert!(
        text.contains(&format!("dependencies = [\"auditlint=={version}\"]")),
        "{text}"
    );
    let script = std::fs::read_to_string(root().join("scripts/pre-commit-from-source.sh")).unwrap();
    assert!(script.contains("cargo install --locked"), "{script}");
}

#[test]
fn hooks_file_is_valid_and_scans_the_whole_repository() {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let (items, _) = auditlint::yaml::parse_all(&text);
    let hooks = match items.into_iter().next() {
        Some(auditlint::yaml::Item::Document(d)) => d
            .root()
            .expect("a document")
            .to_json(&mut 1_000_000)
            .expect("small"),
        _ => panic!(".pre-commit-hooks.yaml is not YAML"),
    };
    // The default hook installs the wheel; the other builds the source.
    assert_eq!(hooks[0]["id"], "auditlint");
    assert_eq!(hooks[0]["language"], "python");
    assert_eq!(hooks[0]["entry"], "auditlint check");
    assert_eq!(hooks[1]["id"], "auditlint-from-source");
    assert_eq!(hooks[1]["language"], "script");
    assert_eq!(hooks[1]["entry"], "scripts/pre-commit-from-source.sh");
    assert_eq!(hooks[2]["id"], "auditlint-fix");
    assert_eq!(hooks[2]["language"], "python");
    assert_eq!(
        hooks[2]["entry"],
        "auditlint check --fix --exit-non-zero-on-fix"
    );
    for hook in hooks.as_array().unwrap() {
        // Cross-file rules need the whole repository, not the commit's file list.
        assert_eq!(hook["pass_filenames"], false);
        assert_eq!(hook["types_or"], serde_json::json!(["yaml", "json"]));
    }

    let Some(validator) = common::assert_schema_valid("pre-commit-hooks.json", &hooks) else {
        return;
    };
    let mut broken = hooks.clone();
    broken[0]["pass_filenames"] = serde_json::Value::from("no");
    assert!(!validator.is_valid(&broken));
}
