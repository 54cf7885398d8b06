//! `check --fix`, `--unsafe-fixes` and `--diff`: the fixes rules attach to their findings
//! ([`crate::fix`]), applied to a fixed point and verified pass by pass.
//!
//! Each pass applies, per file, the fixes whose edits do not overlap (in position order) to
//! the text in memory, then scans everything again with the edited texts in place of the
//! files ([`engine::scan_overlaid`]): a cross-file finding (a log agent and the apiserver it
//! serves) is judged on the edited cluster. A file passes when its text still parses, every
//! finding it fixed is gone, and no new finding at warning or above appears. A file that
//! fails is put back as it was before the pass; when the pass applied several of its fixes,
//! they are tried again one at a time, and a fix that fails alone is rolled back for good and
//! reported. At most [`MAX_PASSES`] passes; files with fixes left after that are reported as
//! not converged.
//!
//! Nothing is written here: the caller writes [`Outcome::files`] ([`write_atomically`]) or
//! prints them as a diff ([`unified_diff`]). Only files on disk inside the scanned paths are
//! fixed; rendered output (`--helm-chart`, `--kustomize`, `render: auto`) is never written,
//! and its fixable findings are listed in [`Outcome::refused`] with the template to edit.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::discover::{Discovered, Input, Text};
use crate::engine::{self, Overlay, Report};
use crate::finding::{Finding, Safety, Severity};
use crate::fix::Edit;

/// A fix that keeps producing new work is cut off here (ruff stops at 100; auditlint's fixes
/// each close one gap, so ten rounds is already far more than any real file needs).
pub const MAX_PASSES: usize = 10;

/// Which fixes to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode {
    /// `--unsafe-fixes`: apply fixes marked unsafe as well.
    pub unsafe_fixes: bool,
    /// `--min-severity`: findings below it are not shown, and not fixed either.
    pub min_severity: Severity,
}

impl Mode {
    pub fn applies(self, finding: &Finding) -> bool {
        finding.suppressed.is_none()
            && finding.severity >= self.min_severity
            && finding
                .fix
                .as_ref()
                .is_some_and(|f| f.safety == Safety::Safe || self.unsafe_fixes)
    }
}

/// One file the fixes changed.
#[derive(Debug, Clone)]
pub struct FixedFile {
    /// As shown (and as the path was given, relative to the working directory).
    pub display: String,
    /// Where to write it; `None` for standard input.
    pub path: Option<PathBuf>,
    pub original: String,
    pub fixed: String,
    /// How many findings its fixes repaired.
    pub fixes: usize,
}

/// A fix that was applied, failed its verification, and was taken back.
#[derive(Debug, Clone)]
pub struct RolledBack {
    pub path: String,
    pub code: &'static str,
    pub message: String,
    pub why: String,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Vec<FixedFile>,
    pub rolled_back: Vec<RolledBack>,
    /// Files that still had fixes to apply after [`MAX_PASSES`] passes.
    pub not_converged: Vec<String>,
    /// Fixable findings in text auditlint does not write (rendered output), each with the
    /// file to edit instead.
    pub refused: Vec<String>,
    /// The scan of the fixed texts: what is left.
    pub report: Report,
}

impl Outcome {
    pub fn fixed_findings(&self) -> usize {
        self.files.iter().map(|f| f.fixes).sum()
    }
}

/// A finding's identity across passes: its file, its rule and its message with line numbers
/// taken out (an insertion above it moves it, and a message may name the line of a related
/// node).
type Key = (String, &'static str, String);

fn key(f: &Finding) -> Key {
    (
        f.file.path.clone(),
        f.code(),
        without_line_numbers(&f.message),
    )
}

/// `message` with the number after each `line ` taken out.
pub fn without_line_numbers(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("line ") {
        out.push_str(&rest[..i + 5]);
        rest = rest[i + 5..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

/// How many findings of each key there are, and their worst severity.
fn census(report: &Report) -> HashMap<Key, (usize, Severity)> {
    let mut counts: HashMap<Key, (usize, Severity)> = HashMap::new();
    for f in &report.findings {
        let e = counts.entry(key(f)).or_insert((0, f.severity));
        e.0 += 1;
        e.1 = e.1.max(f.severity);
    }
    counts
}

/// A file being fixed: its text now, and whether its fixes go one per pass.
struct Working {
    path: Option<PathBuf>,
    original: String,
    current: String,
    fixes: usize,
    one_at_a_time: bool,
}

/// Applies the fixes of `report`'s findings to the inputs of `found` and `texts` (standard
/// input, read up front), to a fixed point.
pub fn run(
    found: &Discovered,
    texts: &[Text],
    config: &Config,
    mode: Mode,
    mut report: Report,
) -> Outcome {
    let mut outcome = Outcome::default();
    let writable: HashMap<&str, Option<&Path>> = found
        .inputs
        .iter()
        .filter_map(|i| match i {
            Input::File { display, path } => Some((display.as_str(), Some(path.as_path()))),
            _ => None,
        })
        .chain(texts.iter().map(|t| (t.display.as_str(), None)))
        .collect();
    let original_text = |display: &str| -> Option<String> {
        match writable.get(display)? {
            Some(path) => std::fs::read_to_string(path).ok(),
            None => texts
                .iter()
                .find(|t| t.display == display)
                .map(|t| t.text.clone()),
        }
    };
    for f in report.findings.iter().filter(|f| mode.applies(f)) {
        if f.fix_target().rendered_from.is_some() {
            outcome.refused.push(refusal(f));
        }
    }
    let mut working: BTreeMap<String, Working> = BTreeMap::new();
    let mut rejected: HashSet<Key> = HashSet::new();
    let mut converged = false;
    for _ in 0..MAX_PASSES {
        // This pass's edits, per file edited, and the keys of the findings they repair (a
        // cross-file finding may be in another file).
        let mut planned: BTreeMap<String, (String, Vec<Key>)> = BTreeMap::new();
        for (path, findings) in fixable(&report, mode, &writable, &rejected) {
            if !working.contains_key(&path) {
                let Some(text) = original_text(&path) else {
                    continue;
                };
                working.insert(
                    path.clone(),
                    Working {
                        path: writable[path.as_str()].map(Path::to_path_buf),
                        original: text.clone(),
                        current: text,
                        fixes: 0,
                        one_at_a_time: false,
                    },
                );
            }
            let w = &working[&path];
            let (text, keys) = plan(&w.current, &findings, w.one_at_a_time, |f| {
                rejected.insert(key(f));
            });
            if !keys.is_empty() {
                planned.insert(path, (text, keys));
            }
        }
        if planned.is_empty() {
            converged = true;
            break;
        }
        let before = census(&report);
        let overlay = |working: &BTreeMap<String, Working>,
                       planned: &BTreeMap<String, (String, Vec<Key>)>| {
            let mut overlay: Overlay = working
                .iter()
                .map(|(p, w)| (p.clone(), w.current.clone()))
                .collect();
            for (p, (text, _)) in planned {
                overlay.insert(p.clone(), text.clone());
            }
            overlay
        };
        let after = engine::scan_overlaid(found, texts, &overlay(&working, &planned), config);
        let failures = verify(&before, &census(&after), &planned, &after.clusters);
        if failures.is_empty() {
            for (path, (text, keys)) in planned {
                let w = working.get_mut(&path).expect("planned files are worked on");
                w.current = text;
                w.fixes += keys.len();
            }
            report = after;
            continue;
        }
        // Put back the files that failed; keep the others' edits.
        for (path, why) in &failures {
            let (_, keys) = planned.remove(path).expect("failures are planned files");
            let w = working.get_mut(path).expect("planned files are worked on");
            if keys.len() == 1 {
                // Alone, it is this fix that fails: never tried again.
                let (finding_path, code, message) = keys[0].clone();
                rejected.insert(keys[0].clone());
                outcome.rolled_back.push(RolledBack {
                    path: finding_path,
                    code,
                    message,
                    why: why.clone(),
                });
            } else {
                w.one_at_a_time = true;
            }
        }
        for (path, (text, keys)) in planned {
            let w = working.get_mut(&path).expect("planned files are worked on");
            w.current = text;
            w.fixes += keys.len();
        }
        report = engine::scan_overlaid(found, texts, &overlay(&working, &BTreeMap::new()), config);
    }
    if !converged {
        outcome.not_converged = fixable(&report, mode, &writable, &rejected)
            .into_keys()
            .collect();
    }
    outcome.files = working
        .into_iter()
        .filter(|(_, w)| w.current != w.original)
        .map(|(display, w)| FixedFile {
            display,
            path: w.path,
            original: w.original,
            fixed: w.current,
            fixes: w.fixes,
        })
        .collect();
    outcome.report = report;
    outcome
}

/// The findings with a fix to apply, per writable file the fix edits.
fn fixable<'r>(
    report: &'r Report,
    mode: Mode,
    writable: &HashMap<&str, Option<&Path>>,
    rejected: &HashSet<Key>,
) -> BTreeMap<String, Vec<&'r Finding>> {
    let mut by_file: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| mode.applies(f)) {
        let target = f.fix_target();
        let path = &target.path;
        if target.rendered_from.is_none()
            && writable.contains_key(path.as_str())
            && !rejected.contains(&key(f))
        {
            by_file.entry(path.clone()).or_default().push(f);
        }
    }
    by_file
}

/// The text with the fixes of `findings` applied that fit together: in the order of their
/// first edit, each fix whose edits overlap none already taken (it waits for the next pass,
/// on the fixed text). A fix that cannot apply to the text at all, or changes nothing, is
/// handed to `reject`.
fn plan(
    text: &str,
    findings: &[&Finding],
    one_at_a_time: bool,
    mut reject: impl FnMut(&Finding),
) -> (String, Vec<Key>) {
    let mut order: Vec<&Finding> = findings.to_vec();
    order.sort_by_key(|f| {
        let edits = &f.fix.as_ref().expect("fixable findings have a fix").edits;
        edits.iter().map(|e| e.span.start).min().unwrap_or(0)
    });
    let mut taken: Vec<Edit> = Vec::new();
    let mut keys = Vec::new();
    for f in order {
        let edits = &f.fix.as_ref().expect("fixable findings have a fix").edits;
        // A fix's spans point into the text it was computed on: the same text, or a prefix of
        // it kept by a cross-file fact.
        let applies_alone = text.starts_with(&*f.fix_target().text)
            && crate::fix::apply(text, edits).is_ok_and(|fixed| fixed != text);
        if !applies_alone {
            reject(f);
            continue;
        }
        // The same edits for another finding (two apiservers, one log agent to fix) are
        // made once and repair both.
        if edits.iter().all(|e| taken.contains(e)) {
            keys.push(key(f));
            continue;
        }
        let mut with = taken.clone();
        with.extend(edits.iter().cloned());
        if crate::fix::apply(text, &with).is_ok() {
            taken = with;
            keys.push(key(f));
            if one_at_a_time {
                break;
            }
        }
    }
    let fixed = crate::fix::apply(text, &taken).expect("edits were checked to fit together");
    (fixed, keys)
}

/// The files of `planned` whose edits did not verify, each with why. `clusters` says which
/// files are judged together: a new finding in a file no edit touched is blamed on the edited
/// files of its cluster (all edited files when it is in none).
fn verify(
    before: &HashMap<Key, (usize, Severity)>,
    after: &HashMap<Key, (usize, Severity)>,
    planned: &BTreeMap<String, (String, Vec<Key>)>,
    clusters: &[engine::ClusterSummary],
) -> BTreeMap<String, String> {
    let mut failures = BTreeMap::new();
    let count =
        |census: &HashMap<Key, (usize, Severity)>, key: &Key| census.get(key).map_or(0, |c| c.0);
    for (path, (_, keys)) in planned {
        for k in keys {
            let fixed = keys.iter().filter(|other| *other == k).count();
            if count(after, k) + fixed > count(before, k) {
                failures.insert(
                    path.clone(),
                    format!("the fix left {} in place: {}", k.1, k.2),
                );
            }
        }
    }
    for (k, (n, severity)) in after {
        if *severity < Severity::Warning || *n <= count(before, k) {
            continue;
        }
        let why = if k.1 == "AL001" {
            format!("the fixed text does not parse: {}", k.2)
        } else {
            format!("the fix raised {}: {}", k.1, k.2)
        };
        let path = &k.0;
        if planned.contains_key(path) {
            failures.entry(path.clone()).or_insert(why);
            continue;
        }
        let together: Vec<&String> = planned
            .keys()
            .filter(|p| {
                clusters.iter().any(|c| {
                    c.files.iter().any(|(f, _)| f == path) && c.files.iter().any(|(f, _)| f == *p)
                })
            })
            .collect();
        let blamed = if together.is_empty() {
            planned.keys().collect()
        } else {
            together
        };
        for p in blamed {
            failures.entry(p.clone()).or_insert_with(|| why.clone());
        }
    }
    failures
}

/// What to say about a fixable finding in rendered text: the file (template, kustomize
/// resource) and line it was rendered from, which is what to edit.
fn refusal(f: &Finding) -> String {
    let target = f.fix_target();
    let at = crate::output::location::place(target, f.span);
    let source = match &at.rendered {
        Some(_) => format!(
            "; edit {}:{}, which it was rendered from",
            at.path, at.region[0]
        ),
        None => "; edit the template or values that produce it".to_owned(),
    };
    format!(
        "{} in {} was not fixed: rendered output is never written{source}",
        f.code(),
        target.path
    )
}

/// Replaces the file at `path` with `text`: written beside it under a temporary name, given
/// the file's permissions, flushed, then renamed over it, so that a reader sees the old file
/// or the new one, never half of one. A symlink is refused (the rename would replace the link,
/// not the file it points to).
pub fn write_atomically(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    let shown = path.display();
    let meta = std::fs::symlink_metadata(path).map_err(|e| format!("{shown}: {e}"))?;
    if meta.file_type().is_symlink() {
        return Err(format!(
            "{shown}: not written: it is a symlink; fix the file it points to"
        ));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.auditlint-fix.{}", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(text.as_bytes())?;
        file.set_permissions(meta.permissions())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("{shown}: not written: {e}")
    })
}

/// A unified diff of one fixed file, with `a/`-less paths (apply it with `patch -p0` or
/// `git apply -p0`).
pub fn unified_diff(file: &FixedFile) -> String {
    let diff = similar::TextDiff::from_lines(&file.original, &file.fixed);
    let mut out = String::new();
    out.push_str(&format!("--- {}\n+++ {}\n", file.display, file.display));
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        out.push_str(&hunk.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Span;

    const APISERVER: &str = "kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  containers:
  - name: kube-apiserver
    command:
    - kube-apiserver
    - --audit-policy-file=/etc/kubernetes/audit/policy.yaml
    - --audit-log-path=/var/log/kubernetes/audit/audit.log
    - --audit-log-maxage=7
    - --audit-log-maxbackup=10
    - --audit-log-maxsize=100
    volumeMounts:
    - {name: audit-policy, mountPath: /etc/kubernetes/audit, readOnly: true}
    - {name: audit-log, mountPath: /var/log/kubernetes/audit}
  volumes:
  - {name: audit-policy, hostPath: {path: /etc/kubernetes/audit, type: DirectoryOrCreate}}
  - {name: audit-log, hostPath: {path: /var/log/kubernetes/audit, type: DirectoryOrCreate}}
";

    const SAFE: Mode = Mode {
        unsafe_fixes: false,
        min_severity: Severity::Note,
    };

    fn texts() -> Vec<Text> {
        vec![Text {
            display: "pod.yaml".into(),
            text: APISERVER.into(),
            abs_path: None,
        }]
    }

    /// The scan of [`APISERVER`], with `edits` given as the fix of its AL112 finding (which
    /// has none of its own).
    fn with_fix_on_al112(edits: Vec<Edit>) -> Report {
        let mut report = engine::scan_texts(texts(), &Config::new());
        let f = report
            .findings
            .iter_mut()
            .find(|f| f.code() == "AL112")
            .expect("the policy file is not scanned");
        assert!(f.fix.is_none());
        f.fix = Some(crate::fix::Fix {
            safety: Safety::Safe,
            edits,
        });
        report
    }

    /// [`run`] over [`texts`] alone, with the safe fixes.
    fn fix(report: Report) -> Outcome {
        run(
            &Discovered::default(),
            &texts(),
            &Config::new(),
            SAFE,
            report,
        )
    }

    /// `report` without the fix of its AL103 finding (which comes back on the re-scan).
    fn without_al103_fix(mut report: Report) -> Report {
        for f in &mut report.findings {
            if f.code() == "AL103" {
                f.fix = None;
            }
        }
        report
    }

    #[test]
    fn a_fix_that_breaks_the_file_is_rolled_back() {
        let report = without_al103_fix(with_fix_on_al112(vec![Edit::insert(0, "{[")]));
        let outcome = fix(report);
        assert_eq!(outcome.rolled_back.len(), 1, "{:?}", outcome.rolled_back);
        assert_eq!(outcome.rolled_back[0].code, "AL112");
        assert!(outcome.rolled_back[0].why.contains("does not parse"));
        // The re-scan after the rollback brings AL103's own fix, applied in the next pass.
        assert_eq!(outcome.files.len(), 1);
        let fixed = &outcome.files[0].fixed;
        assert_eq!(*fixed, APISERVER.replace("maxage=7", "maxage=30"));
        assert_eq!(outcome.fixed_findings(), 1);
        assert!(outcome.not_converged.is_empty());
        assert!(!outcome.report.findings.iter().any(|f| f.code() == "AL103"));
    }

    #[test]
    fn fixes_that_fail_together_are_tried_one_at_a_time() {
        let report = with_fix_on_al112(vec![Edit::insert(0, "{[")]);
        let outcome = fix(report);
        // Nothing is blamed on a fix that was not tried alone.
        assert!(outcome.rolled_back.is_empty());
        assert_eq!(
            outcome.files[0].fixed,
            APISERVER.replace("maxage=7", "maxage=30")
        );
    }

    #[test]
    fn a_fix_that_leaves_its_finding_is_rolled_back() {
        let report = without_al103_fix(with_fix_on_al112(vec![Edit::insert(0, "# a comment\n")]));
        let outcome = fix(report);
        assert_eq!(outcome.rolled_back.len(), 1);
        assert!(outcome.rolled_back[0].why.contains("left AL112 in place"));
        // AL103 has its fix again on the re-scan, and it is applied.
        assert_eq!(
            outcome.files[0].fixed,
            APISERVER.replace("maxage=7", "maxage=30")
        );
    }

    #[test]
    fn an_edit_outside_the_text_is_never_applied() {
        let len = APISERVER.len();
        let report = with_fix_on_al112(vec![Edit::replace(Span::new(len, len + 5), "x")]);
        let outcome = fix(report);
        assert!(outcome.rolled_back.is_empty());
        assert_eq!(outcome.fixed_findings(), 1);
    }

    #[test]
    fn unsafe_fixes_and_hidden_findings_wait_for_their_options() {
        let mut report = engine::scan_texts(texts(), &Config::new());
        for f in &mut report.findings {
            if let Some(fix) = &mut f.fix {
                fix.safety = Safety::Unsafe;
            }
        }
        let outcome = fix(report);
        assert!(outcome.files.is_empty());
        let report = engine::scan_texts(texts(), &Config::new());
        let errors_only = Mode {
            unsafe_fixes: true,
            min_severity: Severity::Error,
        };
        let outcome = run(
            &Discovered::default(),
            &texts(),
            &Config::new(),
            errors_only,
            report,
        );
        assert!(outcome.files.is_empty(), "AL103 is a warning");
    }

    #[test]
    fn rendered_output_is_never_fixed() {
        let rendered = crate::discover::Rendered {
            display: "chart (helm template)".into(),
            text: format!("---\n# Source: chart/templates/apiserver.yaml\n{APISERVER}"),
            from: crate::source::RenderedFrom::HelmChart("chart".into()),
        };
        let found = Discovered {
            inputs: vec![Input::Rendered(std::sync::Arc::new(rendered))],
            ..Discovered::default()
        };
        let config = Config::new();
        let report = engine::scan_overlaid(&found, &[], &Overlay::new(), &config);
        assert!(report.findings.iter().any(|f| f.fix.is_some()));
        let outcome = run(&found, &[], &config, SAFE, report);
        assert!(outcome.files.is_empty());
        assert_eq!(outcome.refused.len(), 1, "{:?}", outcome.refused);
        assert!(
            outcome.refused[0].contains("edit chart/templates/apiserver.yaml:"),
            "{:?}",
            outcome.refused
        );
    }

    #[test]
    fn line_numbers_do_not_tell_findings_apart() {
        assert_eq!(
            without_line_numbers("shadowed by the rule at line 12, see line 3"),
            "shadowed by the rule at line , see line "
        );
        assert_eq!(without_line_numbers("maxage=7"), "maxage=7");
    }

    #[test]
    fn writes_keep_the_mode_and_refuse_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "a: 1\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomically(&path, "a: 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a: 2\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
            let link = dir.path().join("link.yaml");
            std::os::unix::fs::symlink(&path, &link).unwrap();
            assert!(write_atomically(&link, "a: 3\n").is_err());
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "a: 2\n");
        }
        // Nothing is left beside the file.
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), if cfg!(unix) { 2 } else { 1 });
    }
}
