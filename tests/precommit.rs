//! The pre-commit hook for real: `pre-commit try-repo` builds the hook from a snapshot of this
//! working tree (with cargo, as pre-commit's `rust` language does) and runs it in a scratch
//! repository, once on a clean commit (passes) and once on a bad one (fails). Also validates
//! `.pre-commit-hooks.yaml` against pre-commit's schema.
//!
//! Needs `pre-commit` and `git`: skipped with a notice when pre-commit is missing, except
//! under CI (`CI` set), where a missing pre-commit is a failure (.ci/run installs it).
//! The hook's `cargo install` reuses `<target>/precommit-hook` and a quick release profile,
//! so only the first run compiles the dependencies.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn git(args: &[&str], cwd: &Path) -> Output {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `pre-commit`, or why the test cannot run.
fn pre_commit_available() -> bool {
    let found = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "pre-commit is not installed, and CI is set: .ci/run must install it (pip install pre-commit)"
        );
        eprintln!("skipped: pre-commit is not installed (pip install pre-commit)");
    }
    found
}

/// A git repository holding this working tree's files (tracked and untracked, not ignored),
/// committed, so try-repo builds exactly what is here.
fn snapshot_of_this_tree(dest: &Path) {
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root())
        .output()
        .expect("git runs");
    assert!(listed.status.success(), "the project is a git checkout");
    for name in listed.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = std::str::from_utf8(name).unwrap();
        let from = root().join(name);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let to = dest.join(name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    git(&["init", "-q"], dest);
    git(&["add", "-A"], dest);
    git(&["commit", "-q", "-m", "snapshot"], dest);
}

fn target_dir() -> PathBuf {
    // CARGO_BIN_EXE_auditlint is <target>/<profile>/auditlint.
    Path::new(env!("CARGO_BIN_EXE_auditlint"))
        .parent()
        .and_then(Path::parent)
        .map(|t| t.join("precommit-hook"))
        .expect("a target directory")
}

/// `pre-commit try-repo` makes a fresh store (and so a fresh `cargo install`) every time;
/// the shared target directory and an unoptimised, incremental profile keep that to a
/// rebuild of this crate alone once the dependencies are built (measured on 2 shared, busy
/// cores: 231 s for the first run with the dependencies' build, 19 s for the next; 711 s
/// and 90 s at opt-level 1).
fn try_repo(hook_repo: &Path, cwd: &Path) -> Output {
    Command::new("pre-commit")
        .args([
            "try-repo",
            hook_repo.to_str().unwrap(),
            "auditlint",
            "--all-files",
        ])
        .current_dir(cwd)
        .env("CARGO_TARGET_DIR", target_dir())
        // A debug-speed build: the hook's binary is exercised, not benchmarked.
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "true")
        .env_remove("AUDITLINT_FORMAT")
        .env_remove("AUDITLINT_FAIL_ON")
        .output()
        .expect("pre-commit runs")
}

const GOOD: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n";
const BAD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --audit-log-path=-]\n";

#[test]
fn the_hook_passes_a_good_commit_and_fails_a_bad_one() {
    if !pre_commit_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let hook_repo = tmp.path().join("hook");
    let user_repo = tmp.path().join("user");
    std::fs::create_dir_all(&hook_repo).unwrap();
    std::fs::create_dir_all(user_repo.join("deploy")).unwrap();
    snapshot_of_this_tree(&hook_repo);

    git(&["init", "-q"], &user_repo);
    std::fs::write(user_repo.join("deploy/settings.yaml"), GOOD).unwrap();
    git(&["add", "-A"], &user_repo);
    git(&["commit", "-q", "-m", "good"], &user_repo);
    let started = Instant::now();
    let good = try_repo(&hook_repo, &user_repo);
    eprintln!(
        "pre-commit try-repo (with the hook's build): {:?}",
        started.elapsed()
    );
    let text =
        String::from_utf8_lossy(&good.stdout).into_owned() + &String::from_utf8_lossy(&good.stderr);
    assert_eq!(good.status.code(), Some(0), "good commit: {text}");
    assert!(
        text.contains("auditlint") && text.contains("Passed"),
        "{text}"
    );

    std::fs::write(user_repo.join("deploy/apiserver.yaml"), BAD).unwrap();
    git(&["add", "-A"], &user_repo);
    git(&["commit", "-q", "-m", "bad"], &user_repo);
    let started = Instant::now();
    let bad = try_repo(&hook_repo, &user_repo);
    eprintln!(
        "pre-commit try-repo (hook already built): {:?}",
        started.elapsed()
    );
    let text =
        String::from_utf8_lossy(&bad.stdout).into_owned() + &String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(1), "bad commit: {text}");
    assert!(text.contains("Failed"), "{text}");
    // The hook scanned from the repository root: the finding names the file's real path.
    assert!(text.contains("deploy/apiserver.yaml"), "{text}");
    assert!(text.contains("AL1"), "{text}");
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
    let hook = &hooks[0];
    assert_eq!(hook["id"], "auditlint");
    assert_eq!(hook["language"], "rust");
    assert_eq!(hook["entry"], "auditlint check");
    // Cross-file rules need the whole repository, not the commit's file list.
    assert_eq!(hook["pass_filenames"], false);
    assert_eq!(hook["types_or"], serde_json::json!(["yaml", "json"]));

    let Some(validator) = common::assert_schema_valid("pre-commit-hooks.json", &hooks) else {
        return;
    };
    let mut broken = hooks.clone();
    broken[0]["pass_filenames"] = serde_json::Value::from("no");
    assert!(!validator.is_valid(&broken));
}
