//! `--format json`: the output contract in RULES.md, consumed by CI integrations.

use std::io::Write;

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::Report;
use crate::finding::Finding;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    /// The working directory: relative paths are relative to it.
    root: String,
    findings: Vec<JsonFinding<'a>>,
    /// Findings silenced by an ignore comment, annotation, config or baseline.
    suppressed: Vec<JsonFinding<'a>>,
    summary: Summary,
    /// Named inputs that could not be read: the scan is incomplete (exit status 2).
    input_errors: &'a [String],
    /// What the reader must know about the scan as a whole (an assumed version).
    notes: &'a [String],
}

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    code: &'a str,
    name: &'a str,
    /// The rule's documentation.
    url: String,
    severity: &'a str,
    message: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    template: Option<&'a str>,
    /// For `--helm-chart` output: the template file and line that wrote the finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<JsonSource>,
    /// The cluster a cross-file finding is about.
    cluster: Option<&'a str>,
    help: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<JsonSuppression<'a>>,
    /// Set on the finding that stands for those over the per-rule cap: how many.
    #[serde(skip_serializing_if = "is_zero")]
    omitted: usize,
    /// The repair `--fix` (or, when unsafe, `--unsafe-fixes`) applies; `null` when none.
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    /// `safe` or `unsafe`.
    safety: &'a str,
    /// The file the edits are in, when it is not the finding's (a fix of a cross-file
    /// finding in another file of the cluster).
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    /// Byte offsets into the file as it was read: replace `start..end` with `content`.
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    start: usize,
    end: usize,
    content: &'a str,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
pub struct JsonSource {
    path: String,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    kind: &'a str,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    documents: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
    suppressed: usize,
    /// `suppressed`, by kind: `inline`, `annotation`, `config`, `baseline`.
    suppressed_by_kind: std::collections::BTreeMap<&'static str, usize>,
    /// Findings over the per-rule cap, counted in `errors`/`warnings`/`notes`, each group
    /// standing as one finding whose `omitted` says how many it holds.
    omitted: usize,
}

pub fn finding(f: &Finding) -> JsonFinding<'_> {
    let start = f.file.position(f.span.start);
    let end = f.file.position(f.span.end);
    JsonFinding {
        code: f.code(),
        name: f.rule.name,
        url: f.rule.docs_url(),
        severity: f.severity.as_str(),
        message: &f.message,
        path: &f.file.path,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        template: f.template.as_deref(),
        source: {
            let at = super::location::place(&f.file, f.span);
            at.rendered.is_some().then(|| JsonSource {
                path: at.path,
                line: at.region[0],
                column: at.region[1],
            })
        },
        cluster: f.cluster.as_deref(),
        help: f.help.as_deref(),
        related: f
            .related
            .iter()
            .map(|r| {
                let p = r.file.position(r.span.start);
                JsonRelated {
                    path: &r.file.path,
                    line: p.line,
                    column: p.column,
                    message: &r.message,
                }
            })
            .collect(),
        suppressed: f.suppressed.as_ref().map(|s| JsonSuppression {
            kind: s.kind,
            reason: s.reason.as_deref(),
        }),
        omitted: f.omitted,
        fix: f.fix.as_ref().map(|fix| JsonFix {
            safety: fix.safety.as_str(),
            path: f.fix_file.as_ref().map(|file| file.path.as_str()),
            edits: fix
                .edits
                .iter()
                .map(|e| JsonEdit {
                    start: e.span.start,
                    end: e.span.end,
                    content: &e.replacement,
                })
                .collect(),
        }),
    }
}

/// Active findings under `findings`; suppressed ones apart, so tools can audit them.
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    write(report, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// [`render`] written out as it is serialised: the report of a large repository runs to
/// hundreds of megabytes, which need not be held in memory at once.
pub fn write(report: &Report, out: impl std::io::Write) -> std::io::Result<()> {
    let output = output(report);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, &output)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The report, its findings made in parallel: each works out positions and paths on its own.
fn output(report: &Report) -> Output<'_> {
    use crate::finding::Severity::*;
    let count = |s| report.count(s);
    let (suppressed, active): (Vec<&Finding>, Vec<&Finding>) =
        report.findings.iter().partition(|f| f.suppressed.is_some());
    Output {
        version: 1,
        root: crate::discover::working_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default(),
        input_errors: &report.input_errors,
        notes: &report.notes,
        findings: active.into_par_iter().map(finding).collect(),
        suppressed: suppressed.into_par_iter().map(finding).collect(),
        summary: Summary {
            files: report.files,
            documents: report.documents,
            errors: count(Error),
            warnings: count(Warning),
            notes: count(Note),
            suppressed: report.findings.len() - report.active().count(),
            suppressed_by_kind: report.suppressed_by_kind(),
            omitted: report.omitted(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::engine::{scan_texts, Text};

    /// The report streamed to a writer, its findings made in parallel, is the report
    /// serde_json writes of them in one piece: every kind of field (fixes, related places,
    /// suppressions, non-ASCII and escaped text) included.
    #[test]
    fn the_streamed_report_is_the_report_written_in_one_piece() {
        let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
        let mut texts = Vec::new();
        for code in ["AL006", "AL101", "AL208", "AL404", "AL315"] {
            for case in ["bad.yaml", "good.yaml"] {
                let path = rules.join(code).join(case);
                if let Ok(text) = std::fs::read_to_string(&path) {
                    texts.push(Text {
                        display: format!("{code}/{case}"),
                        text,
                        abs_path: None,
                    });
                }
            }
        }
        texts.push(Text {
            display: "odd \"name\"\tü.yaml".into(),
            text: "kind: Pod\nmetadata: {name: \"é\\n\"}\nspec:\n  containers:\n  - name: a\n    image: x\n".into(),
            abs_path: None,
        });
        let report = scan_texts(texts, &Config::new());
        assert!(report.findings.iter().any(|f| f.suppressed.is_some()));
        assert!(report.findings.iter().any(|f| f.fix.is_some()));
        assert!(report.findings.iter().any(|f| !f.related.is_empty()));
        let in_order: Vec<JsonFinding> = report.active().map(finding).collect();
        let mut whole = serde_json::to_string_pretty(&Output {
            findings: in_order,
            ..output(&report)
        })
        .unwrap();
        whole.push('\n');
        assert_eq!(render(&report), whole);
    }
}
