//! The Python wheel for real: maturin builds it from python/pyproject.toml, a fresh virtual
//! environment installs it (offline, from the file), and the installed `auditlint` lints
//! `examples/` as the cargo-built binary does. Prints the install-to-first-output time
//! quoted in the README.
//!
//! Needs maturin (PyPI) and Python's `venv`: skipped with a notice without maturin, except
//! under CI (`CI` set), where that is a failure (.ci/run installs it).

mod common;
#[path = "packaging/mod.rs"]
mod packaging;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use packaging::root;

fn venv_bin(venv: &Path, name: &str) -> std::path::PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join(format!("{name}.exe"))
    } else {
        venv.join("bin").join(name)
    }
}

#[test]
fn a_fresh_venv_installs_the_wheel_and_lints_the_examples() {
    let Some(wheel) = packaging::wheel() else {
        return;
    };
    let name = wheel.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(
        name.starts_with(&format!("auditlint-{}-", env!("CARGO_PKG_VERSION"))),
        "{name}"
    );
    // maturin's `bin` bindings: the executable and nothing else (no Python module).
    let listing = Command::new("python3")
        .args(["-m", "zipfile", "-l"])
        .arg(&wheel)
        .output()
        .expect("python3 runs");
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(
        listing.contains(&format!(
            "auditlint-{}.data/scripts/auditlint",
            env!("CARGO_PKG_VERSION")
        )),
        "{listing}"
    );
    assert!(!listing.contains(".py "), "{listing}");

    let tmp = tempfile::tempdir().unwrap();
    let venv = tmp.path().join("venv");
    let started = Instant::now();
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("python3 runs");
    assert!(made.success(), "python3 -m venv");
    let installed = Command::new(venv_bin(&venv, "python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-index",
            "--disable-pip-version-check",
        ])
        .arg(&wheel)
        .output()
        .expect("pip runs");
    assert!(
        installed.status.success(),
        "pip install {name}: {}",
        String::from_utf8_lossy(&installed.stderr)
    );
    let installed_at = started.elapsed();
    let mut child = Command::new(venv_bin(&venv, "auditlint"))
        .args(["check", "--no-config", "--color", "never", "examples/"])
        .current_dir(root())
        .env_remove("AUDITLINT_FORMAT")
        .env_remove("AUDITLINT_FAIL_ON")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the installed auditlint runs");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let first_output = started.elapsed();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    let status = child.wait().unwrap();
    eprintln!(
        "wheel: venv + pip install {installed_at:?}; first output of `auditlint check examples/` {first_output:?}"
    );

    // The same CLI as the cargo-built binary, on the same files.
    let expected = Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args(["check", "--no-config", "--color", "never", "examples/"])
        .current_dir(root())
        .env_remove("AUDITLINT_FORMAT")
        .env_remove("AUDITLINT_FAIL_ON")
        .output()
        .unwrap();
    assert_eq!(status.code(), expected.status.code());
    assert_eq!(status.code(), Some(1), "examples/ has findings");
    let without_timing = |s: &str| {
        s.rsplit_once(" in ")
            .map_or(s.to_owned(), |(a, _)| a.to_owned())
    };
    assert_eq!(
        without_timing(&(first + &rest)),
        without_timing(&String::from_utf8_lossy(&expected.stdout)),
    );

    let version = Command::new(venv_bin(&venv, "auditlint"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("auditlint {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn the_wheel_has_the_crate_version_and_bin_bindings() {
    let text = std::fs::read_to_string(root().join("python/pyproject.toml")).unwrap();
    assert!(text.contains("bindings = \"bin\""), "{text}");
    assert!(text.contains("manifest-path = \"../Cargo.toml\""), "{text}");
    // The version is the crate's, never written twice.
    assert!(text.contains("dynamic = [\"version\"]"), "{text}");
    assert!(text.contains("name = \"auditlint\""), "{text}");
}
