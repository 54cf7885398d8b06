//! A finding and the builder rules use to make one.
//!
//! ```ignore
//! out.push(
//!     Finding::new(Code::AL103, file, node.span())
//!         .message("`--audit-log-maxage=7` keeps rotated audit logs for only 7 days")
//!         .label("below the CIS minimum of 30")
//!         .help("set `--audit-log-maxage=30` or more")
//!         .related(file, other.span(), "the log backend is enabled here"),
//! );
//! ```

use std::sync::Arc;

use crate::catalog::RuleMeta;
pub use crate::catalog::{Code, Severity};
pub use crate::fix::{Edit, Fix, Safety};
use crate::source::SourceFile;
use crate::yaml::Span;

/// Related places kept per finding ([`Finding::related`]).
pub const MAX_RELATED: usize = 20;

/// Another place that explains a finding (the rule that shadows, the mount that is missing).
#[derive(Debug, Clone)]
pub struct Related {
    pub file: Arc<SourceFile>,
    pub span: Span,
    pub message: String,
}

/// Why a finding does not count (it is still reported, as suppressed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// `inline`, `annotation`, `config` or `baseline`.
    pub kind: &'static str,
    pub reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub message: String,
    pub file: Arc<SourceFile>,
    pub span: Span,
    /// Text on the primary label; defaults to a short form of the message.
    pub label: Option<String>,
    pub help: Option<String>,
    /// The Helm template (`# Source:`) of the document the finding is in.
    pub template: Option<String>,
    /// At most [`MAX_RELATED`] places, then one that stands for the rest.
    pub related: Vec<Related>,
    /// How many related places were left out.
    pub(crate) related_omitted: usize,
    pub suppressed: Option<Suppression>,
    /// For the finding that stands for those over the per-rule cap: how many it stands for.
    pub omitted: usize,
    /// The cluster a cross-file finding is about ([`crate::scope`]).
    pub cluster: Option<String>,
    /// The edits of `file` that repair the finding, when its rule knows them.
    pub fix: Option<Fix>,
}

impl Finding {
    /// A finding of rule `code` at `span` of `file`.
    pub fn new(code: Code, file: &Arc<SourceFile>, span: Span) -> Self {
        let rule = code.meta();
        Finding {
            rule,
            severity: rule.severity,
            message: rule.summary.to_owned(),
            file: Arc::clone(file),
            span,
            label: None,
            help: None,
            template: None,
            related: Vec::new(),
            related_omitted: 0,
            suppressed: None,
            omitted: 0,
            cluster: None,
            fix: None,
        }
    }

    /// The repair: edits of the finding's file, applied together. `Safe` ones are applied by
    /// `--fix`; `Unsafe` ones (which may change behaviour) only with `--unsafe-fixes`.
    pub fn fix(mut self, safety: Safety, edits: Vec<Edit>) -> Self {
        self.fix = Some(Fix { safety, edits });
        self
    }

    /// What is wrong and why it matters, in one or two sentences.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// A few words shown under the source snippet, at the span.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The exact fix.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn template(mut self, template: Option<&str>) -> Self {
        self.template = template.map(str::to_owned);
        self
    }

    /// Another place that explains the finding. Past [`MAX_RELATED`] (a thousand log agents,
    /// none of which tolerates a taint), one more place stands for all the rest and says how
    /// many they are: every output stays readable and its size bounded.
    pub fn related(
        mut self,
        file: &Arc<SourceFile>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        if self.related.len() <= MAX_RELATED {
            self.related.push(Related {
                file: Arc::clone(file),
                span,
                message: message.into(),
            });
        } else if let Some(last) = self.related.last_mut() {
            // The last place kept stands for itself and every one left out.
            self.related_omitted += 1;
            last.message = format!(
                "and {} more places like the ones above",
                self.related_omitted + 1
            );
        }
        self
    }

    /// How many findings this one stands for: 1, or those it says were left out.
    pub fn count(&self) -> usize {
        self.omitted.max(1)
    }

    /// The rule's code as written in output (`self.rule.code` is the typed one).
    pub fn code(&self) -> &'static str {
        self.rule.code.as_str()
    }

    /// Sort key of the output contract: path, line, column, code.
    pub fn sort_key(&self) -> (String, usize, usize, &'static str, String) {
        let p = self.file.position(self.span.start);
        (
            self.file.path.clone(),
            p.line,
            p.column,
            self.code(),
            self.message.clone(),
        )
    }
}
