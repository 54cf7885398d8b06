//! Code actions: each finding in the requested range that has a fix becomes a quick fix, a
//! `WorkspaceEdit` of the finding's document with the fix's edits. Unsafe fixes are offered
//! too, titled as such and never preferred: the editor applies one only when asked to.

use std::collections::HashMap;

use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, TextEdit, Uri, WorkspaceEdit};

use super::position::{self, Encoding};
use crate::finding::{Finding, Safety};

/// The quick fix of one finding of the document `uri`, if it has a fix.
pub fn for_finding(finding: &Finding, uri: &Uri, encoding: Encoding) -> Vec<CodeActionOrCommand> {
    let Some(fix) = &finding.fix else {
        return Vec::new();
    };
    // A fix in another file of the cluster edits that file, when it is on disk.
    let target = finding.fix_target();
    let uri = match &finding.fix_file {
        None => uri.clone(),
        Some(file) => match file
            .abs_path
            .as_deref()
            .and_then(|p| position::path_to_uri(p).parse().ok())
        {
            Some(uri) => uri,
            None => return Vec::new(),
        },
    };
    let edits = fix
        .edits
        .iter()
        .map(|e| TextEdit {
            range: position::range(target, e.span, encoding),
            new_text: e.replacement.clone(),
        })
        .collect();
    let what = match fix.safety {
        Safety::Safe => finding.rule.safe_fix,
        Safety::Unsafe => finding.rule.unsafe_fix,
    };
    let title = match (fix.safety, what) {
        (Safety::Safe, Some(what)) => format!("Fix {}: {}", finding.code(), what.trim()),
        (Safety::Unsafe, Some(what)) => {
            format!(
                "Fix {} (unsafe, review it): {}",
                finding.code(),
                what.trim()
            )
        }
        (_, None) => format!("Fix {} ({})", finding.code(), finding.rule.name),
    };
    vec![CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri, edits)])),
            ..WorkspaceEdit::default()
        }),
        is_preferred: Some(fix.safety == Safety::Safe),
        ..CodeAction::default()
    })]
}
