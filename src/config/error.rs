//! Errors in a configuration file, rendered as diagnostics pointing into it.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use crate::source::SourceFile;
use crate::yaml::Span;

/// One problem in `.auditlint.yaml`, at the node that has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub message: String,
    pub span: Span,
    pub label: Option<String>,
    pub help: Option<String>,
}

impl ConfigError {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
            span,
            label: None,
            help: None,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Why a configuration could not be loaded: the file and every problem found in it (all of
/// them at once, so one run fixes them all). `file` is `None` when it could not be read.
#[derive(Debug, Clone)]
pub struct ConfigErrors {
    pub file: Arc<SourceFile>,
    pub errors: Vec<ConfigError>,
}

impl ConfigErrors {
    /// Renders every error as a diagnostic with the offending lines.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        let mut out = String::new();
        for e in &self.errors {
            let start = e.span.start.min(self.file.text.len());
            let len = e.span.end.min(self.file.text.len()).saturating_sub(start);
            let mut diagnostic = MietteDiagnostic::new(e.message.clone())
                .with_code("auditlint::config")
                .with_label(LabeledSpan::new(e.label.clone(), start, len));
            if let Some(help) = &e.help {
                diagnostic = diagnostic.with_help(help.clone());
            }
            let report = miette::Report::new(diagnostic).with_source_code(
                NamedSource::new(self.file.path.clone(), self.file.text.to_string())
                    .with_language("yaml"),
            );
            if handler.render_report(&mut out, report.as_ref()).is_err() {
                out.push_str(&format!("{}: {}\n", self.file.path, e.message));
            }
            out.push('\n');
        }
        out
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.errors {
            let p = self.file.position(e.span.start);
            writeln!(
                f,
                "{}:{}:{}: {}",
                self.file.path, p.line, p.column, e.message
            )?;
        }
        Ok(())
    }
}
