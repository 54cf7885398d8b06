//! Every rule in the pack has a `bad` and a `good` case: its fixtures under
//! `tests/fixtures/rules/CODE/` (a file, or a directory for rules that need several files), or,
//! for a rule without fixtures, the example documented in `rules/CODE.yaml`. The bad case must
//! produce the rule (its rendered diagnostics are snapshotted in `snapshots/`); the good case
//! must not, and must be clean of every other rule a single file can trigger above note
//! severity. Every documented example is run the same way, so the docs cannot show an example
//! that does not do what it says.

use std::path::{Path, PathBuf};

use auditlint::catalog::{self as pack, Code, ExampleFile, RuleMeta, Severity};
use auditlint::config::Config;
use auditlint::engine::{self, Report};
use auditlint::output::human;

fn fixture_dir(code: Code) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(code.as_str())
}

/// The fixture named `stem` (bad/good): a file with any extension, or a directory.
fn fixture(code: Code, stem: &str) -> Option<PathBuf> {
    let dir = fixture_dir(code);
    std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.file_stem().and_then(|s| s.to_str()) == Some(stem))
}

/// What to scan: run from `root` (so that paths in the output are short and stable) on `arg`.
struct Case {
    root: PathBuf,
    arg: PathBuf,
    /// Keeps a written-out example alive while it is scanned.
    _dir: Option<tempfile::TempDir>,
}

impl Case {
    fn fixture(path: PathBuf) -> Case {
        let (root, arg) = if path.is_dir() {
            (path, PathBuf::from("."))
        } else {
            let name = PathBuf::from(path.file_name().unwrap());
            (path.parent().unwrap().to_path_buf(), name)
        };
        Case {
            root,
            arg,
            _dir: None,
        }
    }

    /// A documented example written out as files. A single file without a path is named
    /// `STEM.yaml`, like a fixture; one that names its path (`seccomp/profile.json`) is
    /// scanned under that path, and several files are scanned as a directory.
    fn example(files: &[ExampleFile], stem: &str) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let mut arg = PathBuf::from(".");
        for f in files {
            let name = f.path.map_or_else(|| format!("{stem}.yaml"), str::to_owned);
            let path = dir.path().join(&name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, f.text).unwrap();
            if files.len() == 1 {
                arg = PathBuf::from(name);
            }
        }
        Case {
            root: dir.path().to_path_buf(),
            arg,
            _dir: Some(dir),
        }
    }

    /// A rule's bad or good case: the fixture, or else the documented example.
    fn of(rule: &RuleMeta, stem: &str) -> Case {
        match fixture(rule.code, stem) {
            Some(path) => Case::fixture(path),
            None => Case::example(if stem == "bad" { rule.bad } else { rule.good }, stem),
        }
    }

    fn display(&self) -> String {
        self.root.join(&self.arg).display().to_string()
    }

    /// Settings for a case of several files: their `.auditlint.yaml` when they have one, and
    /// `--host-root` is their `host/` directory when present.
    fn config(&self) -> Config {
        let whole = self.arg == Path::new(".");
        let own = self.root.join(".auditlint.yaml");
        let mut config = if whole && own.is_file() {
            auditlint::config::load::load(&own.canonicalize().unwrap())
                .unwrap_or_else(|e| panic!("{}: {:?}", own.display(), e.errors))
        } else {
            Config::new()
        };
        // Opt-in rules run here too: their examples must show them, and good cases must be
        // clean of them.
        let opt_in = Code::ALL.iter().filter(|c| c.meta().opt_in);
        config
            .extend_select
            .extend(opt_in.map(|c| c.as_str().to_owned()));
        let host = self.root.join("host");
        if whole && host.is_dir() {
            config.host_root = Some(host.canonicalize().unwrap());
        }
        config
    }

    /// Scans the case the way `auditlint check` would.
    fn scan(&self) -> Report {
        scan(&self.root, &self.arg, &self.config())
    }
}

fn scan(root: &Path, arg: &Path, config: &Config) -> Report {
    let _guard = CWD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let previous = std::env::current_dir().unwrap();
    std::env::set_current_dir(root).unwrap();
    let report = engine::scan_paths(&[arg.to_path_buf()], config);
    std::env::set_current_dir(previous).unwrap();
    report.unwrap_or_else(|e| panic!("{}: {}", root.join(arg).display(), e.0))
}

static CWD_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Rules that need the rest of a cluster (a policy or profile that is not in a single file, a
/// log forwarder), which a clean single-file case may still raise.
fn needs_a_cluster(code: Code) -> bool {
    matches!(code, Code::AL112 | Code::AL312) || code.as_str().starts_with("AL4")
}

/// Rules that need a file-system condition (an unreadable or skipped file), which an example
/// written as text cannot show.
fn needs_the_file_system(code: Code) -> bool {
    matches!(code, Code::AL004 | Code::AL005)
}

/// What is wrong with a good case: its own rule, or another single-file finding above note.
fn unclean(rule: &RuleMeta, report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .filter(|f| {
            f.rule.code == rule.code
                || (f.severity > Severity::Note && !needs_a_cluster(f.rule.code))
        })
        .map(|f| {
            format!(
                "{} {}:{} {}",
                f.code(),
                f.file.path,
                f.file.position(f.span.start).line,
                f.message
            )
        })
        .collect()
}

fn codes(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .map(|f| format!("{} {}", f.code(), f.message))
        .collect()
}

#[test]
fn bad_cases_trigger_their_rule() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    let _bind = settings.bind_to_scope();
    for rule in pack::all() {
        if needs_the_file_system(rule.code) && fixture(rule.code, "bad").is_none() {
            continue;
        }
        let bad = Case::of(rule, "bad");
        let report = bad.scan();
        let rendered: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.rule.code == rule.code)
            .map(|f| human::render_finding(f, false, 100))
            .collect();
        assert!(
            !rendered.is_empty(),
            "{}: the bad case produced no {} finding; it produced: {:?}",
            bad.display(),
            rule.code,
            codes(&report)
        );
        insta::assert_snapshot!(format!("rule_{}", rule.code), rendered.join("\n"));
    }
}

#[test]
fn good_cases_are_clean() {
    let mut problems = Vec::new();
    for rule in pack::all() {
        let good = Case::of(rule, "good");
        let report = good.scan();
        let hits = unclean(rule, &report);
        if !hits.is_empty() {
            problems.push(format!("{}:\n  {}", good.display(), hits.join("\n  ")));
        }
    }
    assert!(
        problems.is_empty(),
        "good cases that are not clean:\n{}",
        problems.join("\n")
    );
}

#[test]
fn documented_examples_do_what_they_say() {
    let mut problems = Vec::new();
    for rule in pack::all() {
        if needs_the_file_system(rule.code) {
            continue;
        }
        let report = Case::example(rule.bad, "bad").scan();
        if !report.findings.iter().any(|f| f.rule.code == rule.code) {
            problems.push(format!(
                "{}: example.bad raises no {}; it raises {:?}",
                rule.code,
                rule.code,
                codes(&report)
            ));
        }
        let hits = unclean(rule, &Case::example(rule.good, "good").scan());
        if !hits.is_empty() {
            problems.push(format!(
                "{}: example.good is not clean:\n  {}",
                rule.code,
                hits.join("\n  ")
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
