//! What a per-document rule sees: the file, the document, the settings, where to put
//! findings, and the cluster index where it leaves small facts for cross-file rules.

use std::sync::Arc;

use crate::cluster::ClusterIndex;
use crate::config::Config;
use crate::finding::{Code, Finding};
use crate::source::SourceFile;
use crate::yaml::{Document, Node};

pub struct DocCtx<'a> {
    pub file: &'a Arc<SourceFile>,
    pub doc: &'a Document,
    pub root: Node<'a>,
    pub config: &'a Config,
    pub index: &'a mut ClusterIndex,
    pub findings: &'a mut crate::cap::Limiter,
}

impl DocCtx<'_> {
    /// Records a finding, attributed to this document's Helm template.
    pub fn report(&mut self, finding: Finding) {
        let template = finding
            .template
            .clone()
            .or_else(|| self.doc.template.clone());
        self.findings.push(Finding {
            template,
            ..finding
        });
    }

    /// A finding of `code` at `span` in this file (finish it with the builder, then `report`).
    pub fn finding(&self, code: Code, span: crate::yaml::Span) -> Finding {
        Finding::new(code, self.file, span)
    }

    /// The document's `kind`, if it is a Kubernetes object.
    pub fn kind(&self) -> Option<&str> {
        self.root.get_str("kind")
    }

    pub fn api_version(&self) -> Option<&str> {
        self.root.get_str("apiVersion")
    }
}
