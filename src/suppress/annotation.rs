//! The `auditlint.io/ignore` annotation on a Kubernetes object:
//!
//! ```yaml
//! metadata:
//!   annotations:
//!     auditlint.io/ignore: "AL310,AL401"
//!     auditlint.io/ignore-reason: "the profile is applied by the node image"
//! ```
//!
//! It suppresses the named rules' findings whose span lies in that object (its document, or
//! its item of a `kind: List`). The per-document pass reads it (trees are not kept), leaving
//! this small record behind.

use std::sync::Arc;

use crate::source::SourceFile;
use crate::yaml::{Node, Span};

pub const IGNORE: &str = "auditlint.io/ignore";
pub const REASON: &str = "auditlint.io/ignore-reason";

/// One object's ignore annotation.
#[derive(Debug, Clone)]
pub struct DocIgnore {
    pub file: Arc<SourceFile>,
    /// The whole object: findings starting inside it are covered.
    pub doc_span: Span,
    /// The annotation's value.
    pub value_span: Span,
    /// Rules as written, each with its span in the file (the value's span when the value
    /// is written with escapes and the exact place cannot be told).
    pub rules: Vec<(String, Span)>,
    pub reason: Option<String>,
}

/// The ignore annotation of `object`, if it has one; it covers `scope`.
pub fn read(file: &Arc<SourceFile>, scope: Span, object: Node<'_>) -> Option<DocIgnore> {
    let annotations = object.path(&["metadata", "annotations"])?;
    let value = annotations.get(IGNORE)?;
    let text = value.str().unwrap_or("");
    let raw = file.slice(value.span());
    // Where the scalar's text starts in the file: plain, or quoted without escapes.
    let base = if raw == text {
        Some(value.span().start)
    } else if raw.len() == text.len() + 2 && raw.get(1..raw.len() - 1) == Some(text) {
        Some(value.span().start + 1)
    } else {
        None
    };
    let mut rules = Vec::new();
    let mut offset = 0;
    for piece in text.split(',') {
        let name = piece.trim();
        let start = offset + (piece.len() - piece.trim_start().len());
        offset += piece.len() + 1;
        if name.is_empty() {
            continue;
        }
        let span = match base {
            Some(b) => Span::new(b + start, b + start + name.len()),
            None => value.span(),
        };
        rules.push((name.to_owned(), span));
    }
    let reason = annotations
        .get_str(REASON)
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    Some(DocIgnore {
        file: Arc::clone(file),
        doc_span: scope,
        value_span: value.span(),
        rules,
        reason,
    })
}
