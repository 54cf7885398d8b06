//! Human output: one miette diagnostic per finding, then a one-line summary.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use owo_colors::OwoColorize;

use crate::engine::Report;
use crate::finding::{Finding, Severity};
use crate::source::SourceFile;
use crate::yaml::Span;

use super::location::escape_path;
use super::snippet::{self, Excerpt};

/// A file as miette sees it: named, and read through our line index (miette's own
/// `String` source rescans from the start of the file for every label).
struct Source {
    /// The file, or an excerpt of it when a shown line is too long to show whole.
    file: Arc<SourceFile>,
    name: String,
    excerpt: Option<Excerpt>,
}

impl Source {
    /// The source for labels at `spans` of `file`, and the spans as miette should see them.
    fn new(file: &Arc<SourceFile>, name: String, spans: &[Span]) -> (Source, Vec<SourceSpan>) {
        match snippet::excerpt(file, spans) {
            Some((excerpt, moved)) => (
                Source {
                    file: Arc::clone(&excerpt.file),
                    name,
                    excerpt: Some(excerpt),
                },
                moved.into_iter().map(span).collect(),
            ),
            None => (
                Source {
                    file: Arc::clone(file),
                    name,
                    excerpt: None,
                },
                spans.iter().copied().map(span).collect(),
            ),
        }
    }
}

impl SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let file = &self.file;
        let start = span.offset().min(file.text.len());
        let end = (span.offset() + span.len()).min(file.text.len());
        let first = file.line_index(start).saturating_sub(before);
        let last_line = file.line_index(end.saturating_sub(usize::from(end > start)));
        let last = (last_line + after).min(file.line_count().saturating_sub(1));
        let from = file.line_start(first);
        let to = file.line_start(last + 1).min(file.text.len());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &file.text.as_bytes()[from..to],
            (from, to - from).into(),
            self.excerpt
                .as_ref()
                .map_or(first, |e| e.original_line(first)),
            0,
            last - first + 1,
        )))
    }
}

/// A finding dressed for miette.
struct Rendered<'a> {
    finding: &'a Finding,
    source: Source,
    /// The primary label's span, then those of related places in the same file.
    spans: Vec<SourceSpan>,
    others: Vec<RelatedElsewhere>,
}

/// A related location in another file, shown as its own small diagnostic.
struct RelatedElsewhere {
    message: String,
    source: Source,
    span: SourceSpan,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}
impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}
impl std::error::Error for Rendered<'_> {}

impl fmt::Debug for RelatedElsewhere {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl fmt::Display for RelatedElsewhere {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for RelatedElsewhere {}

impl Diagnostic for RelatedElsewhere {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".into()),
            self.span,
        ))))
    }
}

fn span(s: Span) -> SourceSpan {
    (s.start, s.len()).into()
}

fn source_name(f: &Finding) -> String {
    let mut about = Vec::new();
    if let Some(t) = &f.template {
        about.push(format!("in template {t}"));
    }
    if let Some(crate::source::RenderedFrom::Kustomize(_)) = &f.file.rendered_from {
        let at = super::location::place(&f.file, f.span);
        if at.rendered.is_some() {
            about.push(format!("from {}:{}", at.path, at.region[0]));
        }
    }
    // `default` (the whole scan, without `clusters:`) goes without saying here.
    if let Some(c) = f.cluster.as_deref().filter(|c| *c != crate::scope::DEFAULT) {
        about.push(format!("cluster {c}"));
    }
    let path = escape_path(&f.file.path);
    match about.is_empty() {
        true => path.into_owned(),
        false => format!("{path} ({})", escape_path(&about.join(", "))),
    }
}

/// A related location's file, with its own template when it is in rendered Helm output.
fn related_name(r: &crate::finding::Related) -> String {
    match crate::helm::template_at(&r.file.text, r.span.start) {
        Some(t) => format!(
            "{} (in template {})",
            escape_path(&r.file.path),
            escape_path(&t)
        ),
        None => escape_path(&r.file.path).into_owned(),
    }
}

impl Diagnostic for Rendered<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "{}({}){}",
            self.finding.code(),
            self.finding.rule.name,
            super::fixable_marker(self.finding)
        )))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let docs = format!("see `auditlint explain {}`", self.finding.code());
        Some(Box::new(match &self.finding.help {
            Some(help) => format!("{}\n{docs}", unbreakable_after_first_line(help)),
            None => docs,
        }))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        (!self.finding.file.text.is_empty()).then_some(&self.source as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.finding.file.text.is_empty() {
            return None;
        }
        let f = self.finding;
        let primary = LabeledSpan::new_primary_with_span(f.label.clone(), self.spans[0]);
        let secondary = same_file(f)
            .zip(&self.spans[1..])
            .map(|(r, &at)| LabeledSpan::new_with_span(Some(r.message.clone()), at));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.others.is_empty() {
            return None;
        }
        Some(Box::new(self.others.iter().map(|o| o as &dyn Diagnostic)))
    }
}

/// Related places in the finding's own file, labelled in its snippet.
fn same_file(f: &Finding) -> impl Iterator<Item = &crate::finding::Related> {
    f.related.iter().filter(|r| Arc::ptr_eq(&r.file, &f.file))
}

/// Stands in for a space miette must not wrap at; a space again in the output.
const KEEP_SPACE: char = '\u{a0}';
/// Stands in for a hyphen miette must not split a word at; a hyphen again in the output.
const KEEP_HYPHEN: char = '\u{2011}';

/// A help's first line is prose, wrapped to the width; a later line that is what to write
/// (YAML, a flag) must stay valid when copied: its spaces and hyphens become unbreakable.
/// Later prose lines still wrap.
fn unbreakable_after_first_line(help: &str) -> String {
    let mut lines = help.split('\n');
    let mut out = lines.next().unwrap_or("").to_owned();
    for line in lines {
        out.push('\n');
        if is_code(line) {
            out.extend(line.chars().map(|c| match c {
                ' ' => KEEP_SPACE,
                '-' => KEEP_HYPHEN,
                c => c,
            }));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Whether a help line is something to write rather than prose: indented, a list item, a
/// flag, or a `key:` of YAML.
fn is_code(line: &str) -> bool {
    let first = line.split(' ').next().unwrap_or("");
    line.starts_with(' ')
        || line.starts_with("- ")
        || line.starts_with("--")
        || (first.ends_with(':') && first.len() > 1)
}

/// Renders one finding as a miette diagnostic.
pub fn render_finding(finding: &Finding, color: bool, width: usize) -> String {
    let others = finding
        .related
        .iter()
        .filter(|r| !Arc::ptr_eq(&r.file, &finding.file))
        .map(|r| {
            let (source, spans) = Source::new(&r.file, related_name(r), &[r.span]);
            RelatedElsewhere {
                message: r.message.clone(),
                source,
                span: spans[0],
            }
        })
        .collect();
    let spans: Vec<Span> = std::iter::once(finding.span)
        .chain(same_file(finding).map(|r| r.span))
        .collect();
    let (source, spans) = Source::new(&finding.file, source_name(finding), &spans);
    let rendered = Rendered {
        finding,
        source,
        spans,
        others,
    };
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // Words longer than the width (paths) are never split.
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(width)
        .with_break_words(false)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation);
    let mut out = String::new();
    if handler.render_report(&mut out, &rendered).is_err() {
        out = format!("{}: {}\n", finding.code(), finding.message);
    }
    if out.contains([KEEP_SPACE, KEEP_HYPHEN]) {
        out = out.replace(KEEP_SPACE, " ").replace(KEEP_HYPHEN, "-");
    }
    out
}

/// The whole report: each active finding, then the summary line.
pub fn render(report: &Report, color: bool, width: usize, quiet: bool) -> String {
    let mut out = String::new();
    if !quiet {
        for f in report.active() {
            out.push_str(&render_finding(f, color, width));
            out.push('\n');
        }
    }
    for note in &report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out.push_str(&summary(report, color));
    out.push('\n');
    if let Some(line) = super::fixable_summary(report) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `3 files, 5 documents: 1 error, 2 warnings, 0 notes (1 suppressed: 1 inline) in 12 ms`
pub fn summary(report: &Report, color: bool) -> String {
    let count = |s: Severity| report.count(s);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let (e, w, n) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note),
    );
    let suppressed = report.findings.len() - report.active().count();
    let (mut errors, mut warnings, mut notes) =
        (plural(e, "error"), plural(w, "warning"), plural(n, "note"));
    if color {
        if e > 0 {
            errors = errors.red().bold().to_string();
        }
        if w > 0 {
            warnings = warnings.yellow().bold().to_string();
        }
        if n > 0 {
            notes = notes.cyan().to_string();
        }
    }
    let mut line = format!(
        "{}, {}: {errors}, {warnings}, {notes}",
        plural(report.files, "file"),
        plural(report.documents, "document")
    );
    if suppressed > 0 {
        let kinds: Vec<String> = report
            .suppressed_by_kind()
            .iter()
            .map(|(kind, n)| format!("{n} {kind}"))
            .collect();
        line.push_str(&format!(" ({suppressed} suppressed: {})", kinds.join(", ")));
    }
    let omitted = report.omitted();
    if omitted > 0 {
        line.push_str(&format!(
            " ({omitted} not shown: over the cap per rule per file)"
        ));
    }
    let ms = report.elapsed.as_millis();
    line.push_str(&format!(" in {ms} ms"));
    if color && e + w + n == 0 {
        line = format!("{} {line}", "✓".green().bold());
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn yaml_in_help_and_long_paths_are_never_wrapped() {
        let path = format!(
            "clusters/{}/kube-apiserver.yaml",
            "production-eu-west-1".repeat(4)
        );
        let file = SourceFile::new(path.as_str(), "a: 1\na: 2\n");
        let yaml = "  omitStages: [RequestReceived, ResponseStarted, ResponseComplete, Panic, RequestReceived]";
        let flag = "- --audit-policy-file=/etc/kubernetes/audit-policies/production-eu-west-1.yaml";
        let finding = Finding::new(crate::catalog::Code::AL002, &file, Span::new(5, 6))
            .message(format!("a message naming {path} that is long enough to wrap at sixty columns"))
            .help(format!("end the rules with a catch-all rule, written exactly like this one:\n- level: Metadata\n{yaml}\n{flag}\nand a last sentence of prose, long enough to be wrapped at sixty columns"));
        let out = render_finding(&finding, false, 60);
        assert!(
            out.lines()
                .any(|l| l.trim_start().starts_with("- level: Metadata")),
            "{out}"
        );
        assert!(
            out.lines().any(|l| l.ends_with(yaml)),
            "the YAML line is whole: {out}"
        );
        assert!(
            out.lines().any(|l| l.ends_with(flag)),
            "the flag is whole, hyphens and all: {out}"
        );
        assert!(out.contains(&path), "the path is not split: {out}");
        assert!(!out.contains([KEEP_SPACE, KEEP_HYPHEN]));
        // Prose still wraps.
        assert!(
            out.lines().all(|l| l.chars().count() <= 60
                || l.contains(&path)
                || l.ends_with(yaml)
                || l.ends_with(flag)),
            "{out}"
        );
    }
}
