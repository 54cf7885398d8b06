//! Every form of apiserver configuration has a `bad` and a `good` fixture under
//! `tests/fixtures/forms/FORM/` (a file, or a directory). The bad one's apiserver and policy
//! findings (AL1xx, AL2xx) are snapshotted in `snapshots/form_FORM.snap`, so the rules are
//! seen to apply to the form with spans into its own fields; the good one has none.

mod common;

use std::path::{Path, PathBuf};

use auditlint::config::Config;
use auditlint::engine::Report;
use auditlint::output::human;

fn forms() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/forms");
    let mut forms: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    forms.sort();
    assert!(forms.len() >= 8, "fixtures missing: {forms:?}");
    forms
}

/// The fixture named `stem` (bad/good).
fn fixture(form: &Path, stem: &str) -> PathBuf {
    common::fixture_in(form, stem)
        .unwrap_or_else(|| panic!("{}: no `{stem}` fixture", form.display()))
}

fn scan(path: &Path) -> Report {
    common::scan_fixture(path, &Config::new())
}

fn is_apiserver_or_policy(code: &str) -> bool {
    code.starts_with("AL1") || code.starts_with("AL2")
}

#[test]
fn bad_fixtures_produce_the_rules_in_the_forms_own_fields() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    let _bind = settings.bind_to_scope();
    for form in forms() {
        let name = form.file_name().unwrap().to_str().unwrap().to_owned();
        let report = scan(&fixture(&form, "bad"));
        let rendered: Vec<String> = report
            .findings
            .iter()
            .filter(|f| is_apiserver_or_policy(f.code()))
            .map(|f| human::render_finding(f, false, 100))
            .collect();
        assert!(
            !rendered.is_empty(),
            "{name}: the bad fixture produced nothing"
        );
        insta::assert_snapshot!(format!("form_{name}"), rendered.join("\n"));
    }
}

#[test]
fn good_fixtures_are_clean() {
    for form in forms() {
        let report = scan(&fixture(&form, "good"));
        let hits: Vec<String> = report
            .findings
            .iter()
            .filter(|f| is_apiserver_or_policy(f.code()))
            .map(|f| format!("{} {}", f.code(), f.message))
            .collect();
        assert!(hits.is_empty(), "{}:\n{}", form.display(), hits.join("\n"));
    }
}
