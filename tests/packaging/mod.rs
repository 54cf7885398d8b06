//! Building the Python wheel (python/pyproject.toml) for the tests that install it: the
//! wheel test and the pre-commit hook that depends on it.
//!
//! The build uses a quick release profile and `<target>/precommit-hook`, the target directory
//! the from-source pre-commit hook builds in too, so the dependencies compile once for both.
//! Both build from a snapshot of this working tree (tracked and untracked files, not ignored).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn git(args: &[&str], cwd: &Path) -> Output {
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

/// A git repository holding this working tree's files (tracked and untracked, not ignored),
/// committed, so try-repo builds exactly what is here.
pub fn snapshot_of_this_tree(dest: &Path) {
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

/// `<target>/precommit-hook`, shared by every build these tests make.
pub fn build_target_dir() -> PathBuf {
    // CARGO_BIN_EXE_auditlint is <target>/<profile>/auditlint.
    Path::new(env!("CARGO_BIN_EXE_auditlint"))
        .parent()
        .and_then(Path::parent)
        .map(|t| t.join("precommit-hook"))
        .expect("a target directory")
}

/// A debug-speed release build: the binary is exercised, not benchmarked.
pub fn quick_profile(cmd: &mut Command) -> &mut Command {
    cmd.env("CARGO_TARGET_DIR", build_target_dir())
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "true")
}

/// Whether `tool --version` runs (see `common::tool_present`).
pub fn tool(tool: &str, install: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    crate::common::tool_present(found, tool, install)
}

/// Builds the wheel with maturin into `<target>/wheel/` (once per test process) and returns
/// its path; `None` when maturin is missing outside CI.
pub fn wheel() -> Option<PathBuf> {
    static BUILT: Mutex<Option<PathBuf>> = Mutex::new(None);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = built.as_ref() {
        return Some(path.clone());
    }
    if !tool("maturin", "pip install maturin") {
        return None;
    }
    let out = build_target_dir().join("wheel");
    // Only this version's wheel is there afterwards.
    let _ = std::fs::remove_dir_all(&out);
    // Built from a copy, as the from-source hook is: the build script writes the source
    // directory's absolute path into its output, and cargo, judging by timestamps, would
    // keep one written for a newer copy elsewhere in the shared target directory.
    let source = tempfile::tempdir().unwrap();
    snapshot_of_this_tree(source.path());
    let started = std::time::Instant::now();
    let result = quick_profile(Command::new("maturin").args(["build", "--release", "--out"]))
        .arg(&out)
        .current_dir(source.path().join("python"))
        .output()
        .expect("maturin runs");
    assert!(
        result.status.success(),
        "maturin build failed:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    eprintln!("maturin build: {:?}", started.elapsed());
    let wheels: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    assert_eq!(
        wheels.len(),
        1,
        "one wheel in {}: {wheels:?}",
        out.display()
    );
    *built = Some(wheels[0].clone());
    Some(wheels[0].clone())
}
