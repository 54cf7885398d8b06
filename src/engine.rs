//! The scan, one way through: discover → read → parse (one pass, spans kept) → per-document
//! rules → cluster index → cross-file rules → suppressions → sorted findings.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::cap::Limiter;
use crate::cluster::ClusterIndex;
use crate::config::Config;
use crate::context::DocCtx;
use crate::discover::{self, Input, Unreadable};
use crate::finding::Finding;
use crate::rules;
use crate::source::SourceFile;
use crate::suppress;
use crate::yaml::{parse_all, parse_stream, Item, Span};

/// Everything a renderer needs.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub files: usize,
    pub documents: usize,
    pub elapsed: Duration,
}

impl Report {
    /// Findings that count (not suppressed).
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppressed.is_none())
    }

    /// Active findings of `severity`, with those left out over the per-rule cap.
    pub fn count(&self, severity: crate::finding::Severity) -> usize {
        self.active()
            .filter(|f| f.severity == severity)
            .map(Finding::count)
            .sum()
    }

    /// Active findings left out over the per-rule cap (each counted by a finding saying so).
    pub fn omitted(&self) -> usize {
        self.active().map(|f| f.omitted).sum()
    }

    /// How many findings each suppression kind (`inline`, `baseline` …) silenced.
    pub fn suppressed_by_kind(&self) -> std::collections::BTreeMap<&'static str, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for s in self.findings.iter().filter_map(|f| f.suppressed.as_ref()) {
            *counts.entry(s.kind).or_insert(0) += 1;
        }
        counts
    }
}

/// Why the scan could not be done at all (exit status 2).
#[derive(Debug)]
pub struct ScanError(pub String);

/// One file's text, named as it should be shown (stdin, or an already-read file).
pub struct Text {
    pub display: String,
    pub text: String,
    pub abs_path: Option<PathBuf>,
}

/// Scans paths (files, directories, `-`), as `auditlint check` does.
pub fn scan_paths(paths: &[PathBuf], config: &Config) -> Result<Report, ScanError> {
    scan_paths_and_texts(paths, Vec::new(), config)
}

/// Scans paths together with texts already in memory (`--helm-chart` output), as one scan:
/// the cross-file rules see both.
pub fn scan_paths_and_texts(
    paths: &[PathBuf],
    texts: Vec<Text>,
    config: &Config,
) -> Result<Report, ScanError> {
    let start = Instant::now();
    let (inputs, skipped) = discover::discover(paths, &config.exclude).map_err(ScanError)?;
    if inputs.is_empty() && skipped.is_empty() && texts.is_empty() {
        return Err(ScanError(format!(
            "no YAML or JSON files found in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let explicit: Vec<&PathBuf> = paths.iter().filter(|p| p.is_file()).collect();
    let from_disk = scan_inputs(&inputs, 0, config);
    let offset = inputs.len();
    let mut scanned = from_disk.merge(scan_all(texts, offset, config));
    // The files the configuration names on the node (its audit policy, seccomp profiles),
    // found under --host-root, are linted like scanned files.
    if let Some(root) = &config.host_root {
        let named = crate::host_files::named(&scanned.index, root, &inputs);
        let first = offset + scanned.files;
        scanned = scanned.merge(scan_inputs(&named, first, config));
    }
    if let Some((_, failed, why)) = &scanned.fatal {
        let named = match failed {
            Some(Input::File { path, .. }) => explicit.contains(&path),
            Some(Input::Stdin) => true,
            None => false,
        };
        if named {
            return Err(ScanError(why.clone()));
        }
    }
    let mut report = finish(scanned, config);
    for s in skipped {
        let file = SourceFile::new(s.display, "");
        report
            .findings
            .push(Finding::new("AL005", &file, Span::point(0)).message(s.reason));
    }
    rules::apply_config(&mut report.findings, config);
    sort(&mut report.findings);
    report.elapsed = start.elapsed();
    Ok(report)
}

/// Reads and scans files, numbered from `first` in the scan's input order. Each file's result
/// is folded into a running scan as soon as it is done, so that what a file leaves behind is
/// only what the end of the scan needs.
fn scan_inputs(inputs: &[Input], first: usize, config: &Config) -> Scanned {
    inputs
        .par_iter()
        .enumerate()
        .map(|(i, input)| {
            let result = match discover::read(input, config.max_file_size) {
                Ok((text, abs)) => scan_text(
                    Text {
                        display: input.display().to_owned(),
                        text,
                        abs_path: abs,
                    },
                    config,
                ),
                Err(why) => unreadable(input, &why),
            };
            (first + i, result)
        })
        .fold(Scanned::default, Scanned::add)
        .reduce(Scanned::default, Scanned::merge)
}

/// Scans texts already in memory (stdin, rendered Helm output, tests).
pub fn scan_texts(texts: Vec<Text>, config: &Config) -> Report {
    let start = Instant::now();
    let scanned = scan_all(texts, 0, config);
    let mut report = finish(scanned, config);
    rules::apply_config(&mut report.findings, config);
    sort(&mut report.findings);
    report.elapsed = start.elapsed();
    report
}

/// The result of one file, before cross-file rules.
#[derive(Default)]
struct FileResult {
    input: Option<Input>,
    findings: Vec<Finding>,
    index: ClusterIndex,
    documents: usize,
    /// Set when the file could not be read at all.
    fatal: Option<String>,
    /// Kept so suppressions can read the file's comments.
    source: Option<Arc<SourceFile>>,
    comments: Vec<crate::yaml::Comment>,
    /// `auditlint.io/ignore` annotations of the file's objects.
    annotations: Vec<suppress::DocIgnore>,
}

/// Texts already in memory, numbered from `first` in the scan's input order.
fn scan_all(texts: Vec<Text>, first: usize, config: &Config) -> Scanned {
    texts
        .into_par_iter()
        .enumerate()
        .map(|(i, t)| (first + i, scan_text(t, config)))
        .fold(Scanned::default, Scanned::add)
        .reduce(Scanned::default, Scanned::merge)
}

/// The files scanned so far, reduced to what the end of the scan needs.
#[derive(Default)]
struct Scanned {
    files: usize,
    documents: usize,
    findings: Vec<Finding>,
    index: ClusterIndex,
    /// Files with ignore comments, and those comments.
    sources: Vec<(Arc<SourceFile>, Vec<crate::yaml::Comment>)>,
    annotations: Vec<suppress::DocIgnore>,
    /// The first file, in input order, that could not be read at all.
    fatal: Option<(usize, Option<Input>, String)>,
}

impl Scanned {
    fn add(mut self, (order, r): (usize, FileResult)) -> Self {
        self.files += 1;
        self.documents += r.documents;
        self.findings.extend(r.findings);
        self.index.merge(r.index);
        if let Some(source) = r.source {
            self.sources.push((source, r.comments));
        }
        self.annotations.extend(r.annotations);
        if let Some(why) = r.fatal {
            self.keep_first_fatal((order, r.input, why));
        }
        self
    }

    fn merge(mut self, other: Scanned) -> Self {
        self.files += other.files;
        self.documents += other.documents;
        self.findings.extend(other.findings);
        self.index.merge(other.index);
        self.sources.extend(other.sources);
        self.annotations.extend(other.annotations);
        if let Some(fatal) = other.fatal {
            self.keep_first_fatal(fatal);
        }
        self
    }

    fn keep_first_fatal(&mut self, fatal: (usize, Option<Input>, String)) {
        if self
            .fatal
            .as_ref()
            .is_none_or(|(order, ..)| fatal.0 < *order)
        {
            self.fatal = Some(fatal);
        }
    }
}

fn unreadable(input: &Input, why: &Unreadable) -> FileResult {
    let file = SourceFile::new(input.display(), "");
    let finding =
        Finding::new("AL004", &file, Span::point(0)).message(format!("{}: {why}", input.display()));
    let fatal = matches!(why, Unreadable::Io(_)).then(|| format!("{}: {why}", input.display()));
    FileResult {
        input: Some(input.clone()),
        findings: vec![finding],
        fatal,
        ..Default::default()
    }
}

fn scan_text(input: Text, config: &Config) -> FileResult {
    let file = SourceFile::on_disk(input.display, input.text, input.abs_path);
    let text = Arc::clone(&file.text);
    let mut result = FileResult::default();
    let mut findings = Limiter::new(config.max_findings_per_rule);
    let mut handle = |item: Item| match item {
        Item::Error(error) => {
            let mut finding = rules::input::syntax_error(&file, &error);
            finding.template = crate::helm::template_at(&text, finding.span.start);
            findings.push(finding);
        }
        Item::Document(doc) => {
            let Some(root) = doc.root() else { return };
            let mut cx = DocCtx {
                file: &file,
                doc: &doc,
                root,
                config,
                index: &mut result.index,
                findings: &mut findings,
            };
            rules::check_document(&mut cx);
            let items = crate::model::list_items(root).map(|item| (item.span(), item));
            for (scope, object) in std::iter::once((doc.span, root)).chain(items) {
                if let Some(a) = suppress::annotation::read(&file, scope, object) {
                    result.annotations.push(a);
                }
            }
        }
    };
    // Files with template syntax are parsed whole first: if they turn out to be unrendered
    // templates, nothing else is said about them.
    let mut info = if rules::input::may_be_template(&text) {
        let (items, info) = parse_all(&text);
        if let Some(finding) = rules::input::unrendered_template(&file, &items) {
            return FileResult {
                findings: vec![finding],
                source: Some(file),
                documents: info.documents,
                ..Default::default()
            };
        }
        items.into_iter().for_each(&mut handle);
        info
    } else {
        parse_stream(&text, &mut handle)
    };
    result.findings = findings.finish();
    let embedded = suppress::embedded_comments(&file, &info.comments);
    info.comments.extend(embedded);
    result.documents = info.documents;
    // Only files with an ignore comment (`# auditlint: ignore[...]`) can suppress anything;
    // keeping every other file's text until the end would make memory grow with the input.
    // Findings and cluster facts hold their own reference to the text they point into.
    if info
        .comments
        .iter()
        .any(|c| c.text.contains(SUPPRESSION_MARK))
    {
        result.comments = info.comments;
        result.source = Some(file);
    }
    result
}

/// The word every ignore comment contains.
const SUPPRESSION_MARK: &str = "auditlint";

fn finish(scanned: Scanned, config: &Config) -> Report {
    let mut report = Report {
        files: scanned.files,
        documents: scanned.documents,
        findings: scanned.findings,
        ..Default::default()
    };
    let mut cross_file = Limiter::new(config.max_findings_per_rule);
    cross_file.extend(rules::check_cluster(&scanned.index, config));
    report.findings.extend(cross_file.finish());
    suppress::apply(
        &mut report.findings,
        &scanned.sources,
        &scanned.annotations,
        config,
    );
    report
}

/// The output contract's order: path, line, column, code (then message, for determinism).
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by_cached_key(Finding::sort_key);
}
