//! The scan, one way through: discover → read → parse (one pass, spans kept) → per-document
//! rules → cluster index → clusters ([`crate::scope`]) → cross-file rules per cluster →
//! suppressions → sorted findings.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::cap::Limiter;
use crate::catalog::Code;
use crate::cluster::ClusterIndex;
use crate::config::Config;
use crate::context::DocCtx;
use crate::discover::{self, Discovered, Input, Rendered, Skipped, Unreadable};
use crate::finding::{Finding, Severity};
use crate::rules;
use crate::scope::{self, FileInfo, Membership, VersionSource};
use crate::source::SourceFile;
use crate::suppress;
use crate::version::{self, Version};
use crate::yaml::{parse_all, parse_stream, Item, Span};

pub use crate::discover::Text;

/// Everything a renderer needs.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub files: usize,
    pub documents: usize,
    pub elapsed: Duration,
    /// Named inputs that could not be read at all: the scan is incomplete (exit status 2).
    /// Each is also an AL004 finding.
    pub input_errors: Vec<String>,
    /// Things the reader of the report must know about the scan as a whole (an assumed
    /// Kubernetes version).
    pub notes: Vec<String>,
    /// Which files formed which cluster, and why.
    pub clusters: Vec<ClusterSummary>,
}

/// A cluster as `auditlint clusters` and the JSON report show it.
#[derive(Debug, Clone)]
pub struct ClusterSummary {
    pub name: String,
    pub version: Version,
    pub version_source: VersionSource,
    pub managed: crate::config::Managed,
    /// Whether the cross-file rules judged it (its control plane is configured or it is
    /// declared).
    pub judged: bool,
    /// Where its apiservers are configured (`path:line`).
    pub control_plane: Vec<String>,
    /// Its files, each with why it is in the cluster.
    pub files: Vec<(String, String)>,
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

/// Scans paths (files, directories, `-`), as `auditlint check` does.
pub fn scan_paths(paths: &[PathBuf], config: &Config) -> Result<Report, ScanError> {
    scan_paths_and_rendered(paths, Vec::new(), config)
}

/// Scans paths together with rendered charts (`--helm-chart`), as one scan: the cross-file
/// rules see both.
pub fn scan_paths_and_rendered(
    paths: &[PathBuf],
    rendered: Vec<Rendered>,
    config: &Config,
) -> Result<Report, ScanError> {
    let found = discover::discover(paths, &config.exclude).map_err(ScanError)?;
    scan_discovered(found, rendered, config)
}

/// Scans what discovery found (as a caller may have trimmed it: `render: auto` takes out the
/// files it renders) together with rendered streams.
pub fn scan_discovered(
    found: Discovered,
    rendered: Vec<Rendered>,
    config: &Config,
) -> Result<Report, ScanError> {
    scan_discovered_and_texts(found, rendered, Vec::new(), config)
}

/// As [`scan_discovered`], with texts already in memory (standard input read and named by
/// `--stdin-filename`).
pub fn scan_discovered_and_texts(
    mut found: Discovered,
    rendered: Vec<Rendered>,
    texts: Vec<Text>,
    config: &Config,
) -> Result<Report, ScanError> {
    let start = Instant::now();
    found
        .inputs
        .extend(rendered.into_iter().map(|r| Input::Rendered(Arc::new(r))));
    if found.inputs.is_empty()
        && found.skipped.is_empty()
        && found.failed.is_empty()
        && texts.is_empty()
    {
        return Err(ScanError(format!(
            "no YAML or JSON files found in {}",
            found.requested.join(", ")
        )));
    }
    let mut report = scan(found, texts, config, &Overlay::new());
    report.elapsed = start.elapsed();
    Ok(report)
}

/// Texts that stand in for inputs of the same display name: the files being fixed, as they
/// would be after the edits ([`crate::autofix`]), scanned without writing anything.
pub type Overlay = std::collections::HashMap<String, String>;

/// Scans `found` and `texts` with the inputs named in `overlay` read from it instead.
pub fn scan_overlaid(
    found: &Discovered,
    texts: &[Text],
    overlay: &Overlay,
    config: &Config,
) -> Report {
    let start = Instant::now();
    let mut report = scan(found.clone(), texts.to_vec(), config, overlay);
    report.elapsed = start.elapsed();
    report
}

/// Scans texts already in memory (a library caller's, tests).
pub fn scan_texts(texts: Vec<Text>, config: &Config) -> Report {
    let start = Instant::now();
    let mut report = scan(Discovered::default(), texts, config, &Overlay::new());
    report.elapsed = start.elapsed();
    report
}

fn scan(found: Discovered, texts: Vec<Text>, config: &Config, overlay: &Overlay) -> Report {
    let settings = ScanSettings::new(config);
    // Each file's result is folded into a running scan as soon as it is done, so that what
    // a file leaves behind is only what the end of the scan needs.
    let from_disk = found
        .inputs
        .par_iter()
        .map(
            |input| match read_overlaid(input, config.max_file_size, overlay) {
                Ok((text, _)) if text.is_empty() && *input == Input::Stdin => unreadable(
                    input,
                    "standard input was empty: did the command before the pipe fail?",
                    true,
                ),
                Ok((text, abs)) => {
                    let file = match input {
                        Input::Rendered(r) => {
                            SourceFile::rendered(input.display(), text, r.from.clone())
                        }
                        _ => SourceFile::on_disk(input.display(), text, abs),
                    };
                    settings.scan_file(file)
                }
                Err(why) => {
                    // A file or standard input named on the command line that cannot be read
                    // makes the scan incomplete; one in a walked directory is a finding.
                    let named = matches!(why, Unreadable::Io(_))
                        && match input {
                            Input::File { path, .. } => found.named.contains(path),
                            _ => true,
                        };
                    unreadable(input, &format!("{}: {why}", input.display()), named)
                }
            },
        )
        .fold(Scanned::default, Scanned::add)
        .reduce(Scanned::default, Scanned::merge);
    let from_memory = texts
        .into_par_iter()
        .map(|t| {
            let text = overlay.get(&t.display).cloned().unwrap_or(t.text);
            settings.scan_file(SourceFile::on_disk(t.display, text, t.abs_path))
        })
        .fold(Scanned::default, Scanned::add)
        .reduce(Scanned::default, Scanned::merge);
    let mut scanned = from_disk.merge(from_memory);
    // The files the configuration names on the node (its audit policy, seccomp profiles),
    // found under --host-root, are linted like scanned files.
    if let Some(root) = &config.host_root {
        let named = crate::host_files::named(&scanned.index, root, &found.inputs);
        let on_host = named
            .par_iter()
            .map(|input| match discover::read(input, config.max_file_size) {
                Ok((text, abs)) => {
                    settings.scan_file(SourceFile::on_disk(input.display(), text, abs))
                }
                Err(why) => unreadable(input, &format!("{}: {why}", input.display()), false),
            })
            .fold(Scanned::default, Scanned::add)
            .reduce(Scanned::default, Scanned::merge);
        scanned = scanned.merge(on_host);
    }
    for s in &found.failed {
        scanned = scanned.add(unreadable_path(s, true));
    }
    let mut report = settings.finish(scanned);
    for s in found.skipped {
        let file = SourceFile::new(s.display, "");
        report
            .findings
            .push(Finding::new(Code::AL005, &file, Span::point(0)).message(s.reason));
    }
    settle(&mut report, config);
    report
}

/// An input's text: the overlay's when it names the input, else what is on disk.
fn read_overlaid(
    input: &Input,
    limit: u64,
    overlay: &Overlay,
) -> Result<(String, Option<PathBuf>), Unreadable> {
    match input {
        Input::File { display, path } => match overlay.get(display) {
            Some(text) => Ok((text.clone(), std::fs::canonicalize(path).ok())),
            None => discover::read(input, limit),
        },
        _ => discover::read(input, limit),
    }
}

/// The end of every scan: the configuration's rule selection and severities, the output
/// order, then the baseline (which numbers repeated findings in that order).
fn settle(report: &mut Report, config: &Config) {
    rules::apply_config(&mut report.findings, config);
    sort(&mut report.findings);
    if let Some(baseline) = &config.baseline {
        baseline.apply(&mut report.findings);
    }
}

/// The settings of a scan, and the version each file is checked under.
struct ScanSettings<'c> {
    config: &'c Config,
    membership: Membership,
    /// `config` with each version a file may be checked under as its target.
    by_version: Vec<Config>,
}

impl<'c> ScanSettings<'c> {
    fn new(config: &'c Config) -> Self {
        let mut versions: Vec<Version> = config
            .clusters
            .iter()
            .filter_map(|c| c.kubernetes_version)
            .chain(
                [config.version_override, config.kubernetes_version]
                    .into_iter()
                    .flatten(),
            )
            .chain([version::NEWEST])
            .collect();
        versions.sort_unstable();
        versions.dedup();
        let by_version = versions
            .into_iter()
            .map(|v| Config {
                target_version: Some(v),
                ..config.clone()
            })
            .collect();
        ScanSettings {
            config,
            membership: Membership::new(config),
            by_version,
        }
    }

    /// `config` targeting `version`: one of those made up front, or (for a version only a
    /// file declares) a new one.
    fn config_for(&self, version: Version) -> std::borrow::Cow<'_, Config> {
        match self
            .by_version
            .iter()
            .find(|c| c.target_version == Some(version))
        {
            Some(c) => std::borrow::Cow::Borrowed(c),
            None => std::borrow::Cow::Owned(Config {
                target_version: Some(version),
                ..self.config.clone()
            }),
        }
    }

    /// The version `file` is first checked under, from the settings alone.
    fn configured_version(&self, file: &SourceFile) -> (Version, VersionSource) {
        let clusters: Vec<usize> = self
            .membership
            .of(&file.path, file.abs_path.as_deref())
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        scope::configured_version(self.config, &clusters)
    }

    fn scan_file(&self, file: Arc<SourceFile>) -> FileResult {
        let (version, source) = self.configured_version(&file);
        let config = self.config_for(version);
        version::take_consulted();
        let mut result = scan_text(Arc::clone(&file), &config);
        // A file its findings or facts hold will be asked for positions at the end of the
        // scan, on one thread: index its lines now, while files are scanned in parallel.
        if Arc::strong_count(&file) > 1 {
            file.index_lines();
        }
        result.consulted = version::take_consulted();
        result.assumed = source == VersionSource::Assumed;
        result.version = version;
        // A file whose findings depend on an assumed version is checked again if its
        // cluster declares another; keep it for that.
        if result.consulted && result.assumed {
            result.keep = Some(Arc::clone(&file));
        }
        result.info = Some(FileInfo {
            path: file.path.clone(),
            abs_path: file.abs_path.clone(),
        });
        result
    }

    fn finish(&self, mut scanned: Scanned) -> Report {
        let index = std::mem::take(&mut scanned.index);
        let mut clusters = scope::partition(index, &scanned.infos, self.config);
        self.recheck_declared_versions(&mut scanned, &clusters);
        let mut report = Report {
            files: scanned.files,
            documents: scanned.documents,
            input_errors: std::mem::take(&mut scanned.input_errors),
            ..Default::default()
        };
        let mut assumed = Vec::new();
        for cluster in &mut clusters {
            let judged = cluster.is_judged();
            {
                let config = self.config_for(cluster.version);
                if judged {
                    cluster.index.managed = cluster.managed;
                    cluster.index.declared_at = cluster.origin.clone();
                }
                version::take_consulted();
                let mut findings = Limiter::new(self.config.max_findings_per_rule);
                findings.extend(rules::check_cluster(&cluster.index, &config, judged));
                let findings = findings.finish();
                let consulted = version::take_consulted();
                let name = cluster.name.clone();
                scanned
                    .findings
                    .extend(findings.into_iter().map(|f| Finding {
                        cluster: Some(name.clone()),
                        ..f
                    }));
                if consulted && cluster.version_source == VersionSource::Assumed {
                    assumed.push(cluster.name.clone());
                }
            }
            let consulted_here = scanned
                .consulted_assumed
                .iter()
                .any(|path| cluster.files.iter().any(|(p, _)| p == path));
            if consulted_here
                && cluster.version_source == VersionSource::Assumed
                && !assumed.contains(&cluster.name)
            {
                assumed.push(cluster.name.clone());
            }
            report.clusters.push(ClusterSummary {
                name: cluster.name.clone(),
                version: cluster.version,
                version_source: cluster.version_source.clone(),
                managed: cluster.managed,
                judged,
                control_plane: cluster
                    .index
                    .apiservers
                    .iter()
                    .map(|a| format!("{}:{}", a.file.path, a.file.position(a.span.start).line))
                    .collect(),
                files: std::mem::take(&mut cluster.files),
            });
        }
        if !assumed.is_empty() {
            report.notes.push(format!(
                "assuming Kubernetes {} for {} `{}`: no version is set or declared; set \
                 `--kubernetes-version` or `kubernetes-version` in .auditlint.yaml",
                version::display(version::NEWEST),
                if assumed.len() == 1 {
                    "cluster"
                } else {
                    "clusters"
                },
                assumed.join("`, `")
            ));
        }
        rules::policy::check_policy_tests(self.config, &mut scanned.findings);
        report.findings = scanned.findings;
        suppress::apply(
            &mut report.findings,
            &scanned.sources,
            &scanned.annotations,
            self.config,
        );
        report
    }

    /// Files checked under an assumed version whose cluster turns out to declare another
    /// (a kubeadm `kubernetesVersion` in a file read later) are checked again under it.
    fn recheck_declared_versions(&self, scanned: &mut Scanned, clusters: &[scope::Cluster]) {
        // Each file's cluster (a declared one first), looked up once: a scan of tens of
        // thousands of files keeps thousands of them.
        let mut cluster_of: HashMap<&str, &scope::Cluster> = HashMap::new();
        for cluster in clusters {
            for (path, _) in &cluster.files {
                let entry = cluster_of.entry(path.as_str()).or_insert(cluster);
                if cluster.declared && !entry.declared {
                    *entry = cluster;
                }
            }
        }
        let kept = std::mem::take(&mut scanned.kept);
        let again: Vec<(Arc<SourceFile>, FileResult)> = kept
            .into_par_iter()
            .filter_map(|(file, used)| {
                let cluster = cluster_of.get(file.path.as_str())?;
                let config = self.config_for(cluster.version);
                (cluster.version != used).then(|| (Arc::clone(&file), scan_text(file, &config)))
            })
            .collect();
        let redone: HashSet<&str> = again.iter().map(|(f, _)| f.path.as_str()).collect();
        scanned
            .consulted_assumed
            .retain(|p| !redone.contains(p.as_str()));
        scanned
            .findings
            .retain(|f| !redone.contains(f.file.path.as_str()));
        let findings: Vec<Finding> = again.into_iter().flat_map(|(_, r)| r.findings).collect();
        scanned.findings.extend(findings);
    }
}

/// The result of one file, before cross-file rules.
#[derive(Default)]
struct FileResult {
    findings: Vec<Finding>,
    index: ClusterIndex,
    documents: usize,
    /// Set when a named input could not be read: the scan is incomplete.
    input_error: Option<String>,
    info: Option<FileInfo>,
    /// Kept so suppressions can read the file's comments.
    source: Option<Arc<SourceFile>>,
    comments: Vec<crate::yaml::Comment>,
    /// `auditlint.io/ignore` annotations of the file's objects.
    annotations: Vec<suppress::DocIgnore>,
    /// Whether a rule read the Kubernetes version, which one it was, and whether it was
    /// assumed.
    consulted: bool,
    version: Version,
    assumed: bool,
    /// The file, when it may have to be checked again under its cluster's version.
    keep: Option<Arc<SourceFile>>,
}

/// The files scanned so far, reduced to what the end of the scan needs.
#[derive(Default)]
struct Scanned {
    files: usize,
    documents: usize,
    findings: Vec<Finding>,
    index: ClusterIndex,
    infos: Vec<FileInfo>,
    /// Files with ignore comments, and those comments.
    sources: Vec<(Arc<SourceFile>, Vec<crate::yaml::Comment>)>,
    annotations: Vec<suppress::DocIgnore>,
    input_errors: Vec<String>,
    /// Files whose findings depend on an assumed version, and that version.
    kept: Vec<(Arc<SourceFile>, Version)>,
    /// Paths of the files that read an assumed version.
    consulted_assumed: Vec<String>,
}

impl Scanned {
    fn add(mut self, r: FileResult) -> Self {
        self.files += 1;
        self.documents += r.documents;
        self.findings.extend(r.findings);
        self.index.merge(r.index);
        if let Some(source) = r.source {
            self.sources.push((source, r.comments));
        }
        self.annotations.extend(r.annotations);
        self.input_errors.extend(r.input_error);
        if let Some(info) = r.info {
            if r.consulted && r.assumed {
                self.consulted_assumed.push(info.path.clone());
            }
            self.infos.push(info);
        }
        if let Some(file) = r.keep {
            self.kept.push((file, r.version));
        }
        self
    }

    fn merge(mut self, other: Scanned) -> Self {
        self.files += other.files;
        self.documents += other.documents;
        self.findings.extend(other.findings);
        self.index.merge(other.index);
        self.infos.extend(other.infos);
        self.sources.extend(other.sources);
        self.annotations.extend(other.annotations);
        self.input_errors.extend(other.input_errors);
        self.kept.extend(other.kept);
        self.consulted_assumed.extend(other.consulted_assumed);
        self
    }
}

/// AL004 for an input that could not be read; `named` inputs make the scan incomplete.
fn unreadable(input: &Input, why: &str, named: bool) -> FileResult {
    unreadable_path(
        &Skipped {
            display: input.display().to_owned(),
            reason: why.to_owned(),
        },
        named,
    )
}

fn unreadable_path(s: &Skipped, named: bool) -> FileResult {
    let file = SourceFile::new(s.display.clone(), "");
    let mut finding = Finding::new(Code::AL004, &file, Span::point(0)).message(s.reason.clone());
    if named {
        finding.severity = Severity::Error;
    }
    FileResult {
        findings: vec![finding],
        input_error: named.then(|| s.reason.clone()),
        ..Default::default()
    }
}

fn scan_text(file: Arc<SourceFile>, config: &Config) -> FileResult {
    if crate::model::managed::terraform::is_hcl(&file.path) {
        return scan_hcl(file);
    }
    // A second handle on the file for its text, since `file` itself moves into the result.
    let held = Arc::clone(&file);
    let text = held.text.as_str();
    let mut result = FileResult::default();
    let mut findings = Limiter::new(config.max_findings_per_rule);
    let mut handle = |item: Item| match item {
        Item::Error(error) => {
            let mut finding = rules::input::syntax_error(&file, &error);
            finding.template = crate::helm::template_at(text, finding.span.start);
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
    let mut info = if rules::input::may_be_template(text) {
        // A template file: its documents that parse and hold no template action are linted;
        // the rest is said once (AL003), never guessed at.
        let (items, info) = parse_all(text);
        match rules::input::unrendered_template(&file, &items) {
            Some(not_linted) => {
                let mut linted = 0;
                for item in items {
                    if let Item::Document(d) = &item {
                        if d.template_action(text).is_none() {
                            linted += 1;
                            handle(item);
                        }
                    }
                }
                // What a rule read from a templated value is not what will run.
                result.findings.extend(findings.take());
                result
                    .findings
                    .retain(|f| !rules::input::is_templated(file.slice(f.span)));
                result.index.apiservers.retain(|a| {
                    [
                        &a.policy_file,
                        &a.log_path,
                        &a.log_format,
                        &a.webhook_config_file,
                    ]
                    .into_iter()
                    .flatten()
                    .all(|l| !rules::input::is_templated(&l.value))
                });
                result
                    .findings
                    .push(rules::input::partly_linted(not_linted, linted));
            }
            None => items.into_iter().for_each(&mut handle),
        }
        info
    } else {
        parse_stream(text, &mut handle)
    };
    result.findings.extend(findings.finish());
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

/// A Terraform HCL file: its blocks go to the cluster index, to be resolved with the rest of
/// its directory; a file that does not parse is AL007.
fn scan_hcl(file: Arc<SourceFile>) -> FileResult {
    let mut result = FileResult {
        documents: 1,
        ..FileResult::default()
    };
    match crate::model::managed::terraform::hcl::read(&file) {
        Ok(module) => result.index.terraform.push(module),
        Err(error) => result
            .findings
            .push(rules::input::hcl_syntax_error(&file, &error)),
    }
    result
}

/// The word every ignore comment contains.
const SUPPRESSION_MARK: &str = "auditlint";

/// The output contract's order: path, line, column, code (then message, for determinism).
pub fn sort(findings: &mut [Finding]) {
    // The order of `Finding::sort_key`. Positions count characters, so each is worked out
    // once; paths and messages are compared where they are, not copied into keys.
    let mut order: Vec<(crate::source::Position, usize)> = findings
        .par_iter()
        .enumerate()
        .map(|(i, f)| (f.file.position(f.span.start), i))
        .collect();
    order.sort_by(|(pa, a), (pb, b)| {
        let (fa, fb) = (&findings[*a], &findings[*b]);
        (fa.file.path.as_str(), pa, fa.code(), fa.message.as_str()).cmp(&(
            fb.file.path.as_str(),
            pb,
            fb.code(),
            fb.message.as_str(),
        ))
    });
    // Each finding to its place, following the permutation as `sort_by_cached_key` does.
    for i in 0..order.len() {
        let mut index = order[i].1;
        while index < i {
            index = order[index].1;
        }
        order[i].1 = index;
        findings.swap(i, index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_orders_by_path_position_code_and_message_and_keeps_ties_in_order() {
        let a = SourceFile::new("a.yaml", "x: 1\ny: é2\nz: 3\n");
        let b = SourceFile::new("b.yaml", "x: 1\n");
        let at = |file: &Arc<SourceFile>, offset, code, message: &str| {
            Finding::new(code, file, Span::point(offset)).message(message)
        };
        let mut findings = vec![
            at(&b, 0, Code::AL101, "m"),
            at(&a, 8, Code::AL102, "m"),
            at(&a, 8, Code::AL101, "z"),
            at(&a, 0, Code::AL103, "m"),
            at(&a, 8, Code::AL101, "a"),
            at(&a, 5, Code::AL101, "m"),
            at(&a, 8, Code::AL101, "a"),
            at(&a, 12, Code::AL101, "m"),
        ];
        // Two equal findings told apart by their label: the sort must keep them in order.
        findings[4].label = Some("first".into());
        findings[6].label = Some("second".into());
        let mut expected = findings.clone();
        expected.sort_by_cached_key(Finding::sort_key);
        sort(&mut findings);
        let seen = |f: &[Finding]| -> Vec<String> {
            f.iter()
                .map(|f| format!("{:?} {:?}", f.sort_key(), f.label))
                .collect()
        };
        assert_eq!(seen(&findings), seen(&expected));
        assert_eq!(findings[0].file.path, "a.yaml");
        assert_eq!(findings[2].label.as_deref(), Some("first"));
        assert_eq!(findings[3].label.as_deref(), Some("second"));
    }
}
