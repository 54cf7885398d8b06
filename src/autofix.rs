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

/// A finding's identity across passes: its rule and its message with line numbers taken out
/// (an insertion above it moves it, and a message may name the line of a related node).
type Key = (&'static str, String);

fn key(f: &Finding) -> Key {
    (f.code(), without_line_numbers(&f.message))
}

fn without_line_numbers(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("line ") {
        out.push_str(&rest[..i + 5]);
        rest = rest[i + 5..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

/// How many findings of each key each file has, and their worst severity.
fn census(report: &Report) -> HashMap<(String, Key), (usize, Severity)> {
    let mut counts: HashMap<(String, Key), (usize, Severity)> = HashMap::new();
    for f in &report.findings {
        let e = counts
            .entry((f.file.path.clone(), key(f)))
            .or_insert((0, f.severity));
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
        if f.file.rendered_from.is_some() {
            outcome.refused.push(refusal(f));
        }
    }
    let mut working: BTreeMap<String, Working> = BTreeMap::new();
    let mut rejected: HashSet<(String, Key)> = HashSet::new();
    let mut converged = false;
    for _ in 0..MAX_PASSES {
        // This pass's edits, per file, and the keys of the findings they repair.
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
                rejected.insert((path.clone(), key(f)));
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
        let failures = verify(&before, &census(&after), &planned);
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
                rejected.insert((path.clone(), keys[0].clone()));
                outcome.rolled_back.push(RolledBack {
                    path: path.clone(),
                    code: keys[0].0,
                    message: keys[0].1.clone(),
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

/// The findings with a fix to apply, per writable file.
fn fixable<'r>(
    report: &'r Report,
    mode: Mode,
    writable: &HashMap<&str, Option<&Path>>,
    rejected: &HashSet<(String, Key)>,
) -> BTreeMap<String, Vec<&'r Finding>> {
    let mut by_file: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| mode.applies(f)) {
        let path = &f.file.path;
        if f.file.rendered_from.is_none()
            && writable.contains_key(path.as_str())
            && !rejected.contains(&(path.clone(), key(f)))
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
        // A finding's spans point into the text it was found in: the same text, or a prefix
        // of it kept by a cross-file fact.
        let applies_alone = text.starts_with(&*f.file.text)
            && crate::fix::apply(text, edits).is_ok_and(|fixed| fixed != text);
        if !applies_alone {
            reject(f);
            continue;
        }
        let mut with = taken.clone();
        with.extend(edits.iter().cloned());
        if crate::fix::apply(text, &with).is_ok() && !keys.contains(&key(f)) {
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

/// The files of `planned` whose edits did not verify, each with why.
fn verify(
    before: &HashMap<(String, Key), (usize, Severity)>,
    after: &HashMap<(String, Key), (usize, Severity)>,
    planned: &BTreeMap<String, (String, Vec<Key>)>,
) -> BTreeMap<String, String> {
    let mut failures = BTreeMap::new();
    let count = |census: &HashMap<(String, Key), (usize, Severity)>, path: &str, key: &Key| {
        census
            .get(&(path.to_owned(), key.clone()))
            .map_or(0, |c| c.0)
    };
    for (path, (_, keys)) in planned {
        for k in keys {
            if count(after, path, k) >= count(before, path, k) {
                failures.insert(
                    path.clone(),
                    format!("the fix left {} in place: {}", k.0, k.1),
                );
            }
        }
    }
    // A new finding at warning or above: blamed on its own file when that was edited, else
    // on every edited file (a cross-file finding follows from all of them).
    for ((path, k), (n, severity)) in after {
        if *severity < Severity::Warning || *n <= count(before, path, k) {
            continue;
        }
        let why = if k.0 == "AL001" {
            format!("the fixed text does not parse: {}", k.1)
        } else {
            format!("the fix raised {}: {}", k.0, k.1)
        };
        if planned.contains_key(path) {
            failures.entry(path.clone()).or_insert(why);
        } else {
            for p in planned.keys() {
                failures.entry(p.clone()).or_insert_with(|| why.clone());
            }
        }
    }
    failures
}

/// What to say about a fixable finding in rendered text.
fn refusal(f: &Finding) -> String {
    let source = f
        .template
        .as_deref()
        .map_or_else(String::new, |t| format!(" (rendered from {t})"));
    format!(
        "{} in {}{source} was not fixed: rendered output is never written; apply the fix in \
         the template or values that produce it",
        f.code(),
        f.file.path
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
