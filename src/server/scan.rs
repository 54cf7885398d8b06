//! The server's only use of the scan: the workspace's files from disk, with the editor's
//! unsaved text in place of the files it has open, scanned together as `auditlint check`
//! scans a directory, so cross-file rules see the whole workspace.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::discover::{self, Input};
use crate::engine::{self, Text};
use crate::finding::Finding;

/// One scan's findings, by the document they are in.
#[derive(Default)]
pub struct Results {
    /// Findings that count (suppressed ones are left out), by document key.
    pub findings: HashMap<String, Vec<Finding>>,
    /// Every scanned document's name in the scan (as findings and their related places name
    /// it) → its URI.
    pub uris: HashMap<String, String>,
    /// Files that could not be scanned, and configuration problems, for the client's log.
    pub problems: Vec<String>,
}

/// A document the scan reads: an open buffer (keyed by its URI) or a file on disk.
pub struct Document {
    /// The document's URI; findings are grouped under it.
    pub key: String,
    pub text: String,
    /// Where it is on disk, if it is a file.
    pub path: Option<PathBuf>,
}

/// Scans the workspace at `root` (none: only the open documents), reading each file from
/// disk unless it is one of `open`.
pub fn scan(root: Option<&Path>, open: &BTreeMap<String, Document>) -> Results {
    let mut results = Results::default();
    let config = root.map_or_else(Config::new, |r| load_config(r, &mut results));
    let opened: HashSet<&Path> = open.values().filter_map(|d| d.path.as_deref()).collect();
    let mut texts = Vec::new();
    // The name each document has in the scan (as `auditlint check ROOT` would show it, so that
    // path settings such as `per-path-ignores` apply) → its URI.
    let mut uris = HashMap::new();
    let on_disk = root.map(|r| disk_files(r, &config, &mut results));
    for input in on_disk.unwrap_or_default() {
        let Input::File { path, .. } = &input else {
            continue;
        };
        if opened.contains(path.as_path()) {
            continue;
        }
        match discover::read(&input, config.max_file_size) {
            Ok((text, abs)) => {
                let display = display(root, path);
                uris.insert(display.clone(), super::position::path_to_uri(path));
                texts.push(Text {
                    display,
                    text,
                    abs_path: abs,
                });
            }
            // Reported by `auditlint check`; in the editor, the file is simply not in scope.
            Err(why) => results.problems.push(format!("{}: {why}", path.display())),
        }
    }
    for doc in open.values() {
        let display = match &doc.path {
            Some(path) => display(root, path),
            None => doc.key.clone(),
        };
        uris.insert(display.clone(), doc.key.clone());
        texts.push(Text {
            display,
            text: doc.text.clone(),
            abs_path: doc
                .path
                .as_deref()
                .and_then(|p| std::fs::canonicalize(p).ok()),
        });
    }
    let report = engine::scan_texts(texts, &config);
    for finding in report.findings {
        if finding.suppressed.is_some() {
            continue;
        }
        if let Some(key) = uris.get(&finding.file.path) {
            results
                .findings
                .entry(key.clone())
                .or_default()
                .push(finding);
        }
    }
    results.uris = uris;
    results
}

/// A file's name in the scan: relative to the workspace root, or absolute outside it.
fn display(root: Option<&Path>, path: &Path) -> String {
    root.and_then(|r| path.strip_prefix(r).ok())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The workspace's `.auditlint.yaml`, as `auditlint check` run at its root would read it.
fn load_config(root: &Path, results: &mut Results) -> Config {
    let Some(path) = crate::config::load::find(root) else {
        return Config::new();
    };
    match crate::config::load::load(&path) {
        Ok(config) => config,
        Err(errors) => {
            results.problems.push(format!(
                "{}: {} problem(s) in the configuration; using the defaults\n{}",
                path.display(),
                errors.errors.len(),
                errors.render(false)
            ));
            Config::new()
        }
    }
}

/// The files `auditlint check ROOT` would read.
fn disk_files(root: &Path, config: &Config, results: &mut Results) -> Vec<Input> {
    match discover::discover(&[root.to_path_buf()], &config.exclude) {
        Ok(found) => found.inputs,
        Err(e) => {
            results.problems.push(e);
            Vec::new()
        }
    }
}
