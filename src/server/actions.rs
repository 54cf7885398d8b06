//! Code actions: the fixes of the findings in the requested range.
//!
//! Findings carry no machine-applicable fix yet (only the `help` text); when they do, each
//! fix becomes a quick fix here, as a `WorkspaceEdit` on the finding's file. The server
//! already asks for actions per finding, so nothing else changes then.

use lsp_types::CodeActionOrCommand;

use crate::finding::Finding;

/// The quick fixes for one finding (none until findings carry fixes).
pub fn for_finding(_finding: &Finding) -> Vec<CodeActionOrCommand> {
    Vec::new()
}
