//! Findings as the editor shows them: diagnostics, and the hover text of a finding.

use std::collections::HashMap;

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Uri,
};

use super::position::{self, Encoding};
use crate::finding::{Finding, Severity};

/// Where each rule's documentation page is published.
const DOCS_URL: &str = "https://github.com/auditlint/auditlint/blob/main/docs/rules";

/// The diagnostic of one finding. `uris` maps the scan's file names to URIs, for the places
/// a finding relates to in other files.
pub fn diagnostic(
    finding: &Finding,
    encoding: Encoding,
    uris: &HashMap<String, Uri>,
) -> Diagnostic {
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .filter_map(|r| {
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: uris.get(&r.file.path)?.clone(),
                    range: position::range(&r.file, r.span, encoding),
                },
                message: r.message.clone(),
            })
        })
        .collect();
    Diagnostic {
        range: position::range(&finding.file, finding.span, encoding),
        severity: Some(match finding.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Note => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(finding.code().to_owned())),
        code_description: format!("{DOCS_URL}/{}.md", finding.code())
            .parse()
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("auditlint".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// Hover text for the findings under the cursor: each one's message and fix, then its rule's
/// documentation (`auditlint explain CODE`).
pub fn hover_text(findings: &[&Finding]) -> String {
    let mut out = String::new();
    for (i, finding) in findings.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n---\n\n");
        }
        out.push_str(&format!(
            "**{} {}** ({})\n\n{}\n\n",
            finding.code(),
            finding.rule.name,
            finding.severity.as_str(),
            finding.message
        ));
        if let Some(help) = &finding.help {
            out.push_str(&format!("Fix: {help}\n\n"));
        }
        // The page starts with its own `# CODE name` title, already said above.
        let page = crate::docs::explain(finding.rule);
        let body = page
            .split_once('\n')
            .map_or(page.as_str(), |(_, rest)| rest);
        out.push_str(body.trim_start());
    }
    out
}

/// Whether `offset` lies on the finding's span (a point span: anywhere on its line, which is
/// where the editor shows it).
pub fn covers(finding: &Finding, offset: usize) -> bool {
    let span = finding.span;
    if span.is_empty() {
        let file = &finding.file;
        return file.line_index(span.start) == file.line_index(offset);
    }
    span.start <= offset && offset <= span.end
}
