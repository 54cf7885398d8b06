//! Every rule in the pack has a `bad` and a `good` fixture under `tests/fixtures/rules/CODE/`
//! (a file, or a directory for rules that need several files). The bad one must produce the
//! rule (its rendered diagnostics are snapshotted in `snapshots/`); the good one must not. A fixture
//! directory's own `.auditlint.yaml` is its configuration.

mod common;

use std::path::{Path, PathBuf};

use auditlint::config::Config;
use auditlint::engine::Report;
use auditlint::output::human;
use auditlint::rules::pack;

fn fixture_dir(code: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(code)
}

/// The fixture named `stem` (bad/good): a file with any extension, or a directory.
fn fixture(code: &str, stem: &str) -> Option<PathBuf> {
    common::fixture_in(&fixture_dir(code), stem)
}

/// Scans a fixture the way `auditlint check` would, from inside the fixture's directory so
/// that paths in the output are short and stable.
fn scan(path: &Path, config: &Config) -> Report {
    common::scan_fixture(path, config)
}

/// Settings for a fixture: its `.auditlint.yaml` when it has one, and `--host-root` is the
/// fixture's `host/` directory when present.
fn config_for(path: &Path) -> Config {
    let own = path.join(".auditlint.yaml");
    let mut config = if path.is_dir() && own.is_file() {
        auditlint::config::load::load(&own.canonicalize().unwrap())
            .unwrap_or_else(|e| panic!("{}: {:?}", own.display(), e.errors))
    } else {
        Config::new()
    };
    if path.is_dir() && path.join("host").is_dir() {
        config.host_root = Some(path.join("host").canonicalize().unwrap());
    }
    config
}

#[test]
fn every_rule_has_fixtures_and_a_snapshot() {
    let mut missing = Vec::new();
    for rule in pack::all() {
        for stem in ["bad", "good"] {
            if fixture(&rule.code, stem).is_none() {
                missing.push(format!("tests/fixtures/rules/{}/{stem}", rule.code));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "rules without fixtures:\n{}",
        missing.join("\n")
    );
}

#[test]
fn bad_fixtures_trigger_their_rule() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    let _bind = settings.bind_to_scope();
    for rule in pack::all() {
        let Some(bad) = fixture(&rule.code, "bad") else {
            continue;
        };
        let report = scan(&bad, &config_for(&bad));
        let rendered: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.code() == rule.code)
            .map(|f| human::render_finding(f, false, 100))
            .collect();
        assert!(
            !rendered.is_empty(),
            "{}: the bad fixture produced no {} finding; it produced: {:?}",
            bad.display(),
            rule.code,
            report
                .findings
                .iter()
                .map(|f| format!("{} {}", f.code(), f.message))
                .collect::<Vec<_>>()
        );
        insta::assert_snapshot!(format!("rule_{}", rule.code), rendered.join("\n"));
    }
}

#[test]
fn good_fixtures_are_clean_of_their_rule() {
    for rule in pack::all() {
        let Some(good) = fixture(&rule.code, "good") else {
            continue;
        };
        let report = scan(&good, &config_for(&good));
        let hits: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.code() == rule.code)
            .map(|f| {
                format!(
                    "{}:{} {}",
                    f.file.path,
                    f.file.position(f.span.start).line,
                    f.message
                )
            })
            .collect();
        assert!(
            hits.is_empty(),
            "{}: the good fixture still produces {}:\n{}",
            good.display(),
            rule.code,
            hits.join("\n")
        );
    }
}
