//! `auditlint server` driven by a real LSP client: tests/lsp/test_server.py, run with
//! pytest-lsp against the binary built for this test run.
//!
//! Needs Python with `pytest-lsp`: skipped with a notice when it is missing, except under CI
//! (`CI` set), where that is a failure (.ci/run installs it).

use std::path::Path;
use std::process::Command;

mod common;

fn pytest_lsp_available() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import pytest_lsp"])
        .output()
        .is_ok_and(|o| o.status.success());
    common::tool_present(found, "pytest-lsp", "pip install pytest-lsp")
}

#[test]
fn a_real_lsp_client_gets_diagnostics_hover_and_cross_file_updates() {
    if !pytest_lsp_available() {
        return;
    }
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp");
    let out = Command::new("python3")
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .args(["-o", "asyncio_mode=auto"])
        .args(["-o", "asyncio_default_fixture_loop_scope=function"])
        .arg(&tests)
        .env("AUDITLINT_BIN", env!("CARGO_BIN_EXE_auditlint"))
        .output()
        .expect("python3 runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "pytest-lsp tests failed:\n{text}");
    // Every test in the file ran: none was skipped or deselected.
    let written = std::fs::read_to_string(tests.join("test_server.py"))
        .unwrap()
        .matches("\nasync def test_")
        .count();
    assert!(written > 0);
    assert!(text.contains(&format!("{written} passed")), "{text}");
    assert!(!text.contains("skipped"), "{text}");
}
