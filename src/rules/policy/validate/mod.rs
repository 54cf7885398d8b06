//! AL201–AL204: whether the apiserver can load an audit policy at all, and what it silently
//! drops while loading it.
//!
//! The policy reader decodes strictly, falls back to lenient decoding when the only errors
//! are unknown fields (which it then drops with a log warning), rejects type mismatches and
//! any apiVersion but `audit.k8s.io/v1`, runs `ValidatePolicy` (checks V1–V9 in the spec)
//! and rejects a policy with no rules. Any failure stops the apiserver at startup.
//!
//! Structure and types come from the embedded JSON Schema (`schemas/audit-policy-v1.json`);
//! the validator's value checks, which need suggestions and version knowledge, are in Rust.
//! When both describe the same node, the Rust finding is kept.

mod checks;
mod fields;
mod header;
mod schema;
mod suggest;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::catalog::Code;
use crate::finding::Finding;
use crate::source::SourceFile;
use crate::yaml::{Node, Span};

/// One problem before it becomes a [`Finding`].
#[derive(Debug, Clone)]
pub(crate) struct Issue {
    pub code: Code,
    /// Set when this problem is less (or more) severe than its rule's default.
    pub severity: Option<crate::finding::Severity>,
    pub span: Span,
    pub message: String,
    pub label: String,
    pub help: String,
    pub fix: Option<crate::fix::Fix>,
}

impl Issue {
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Issue {
            code,
            severity: None,
            span,
            message: message.into(),
            label: String::new(),
            help: String::new(),
            fix: None,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    pub fn fix(mut self, safety: crate::fix::Safety, edits: Vec<crate::fix::Edit>) -> Self {
        self.fix = Some(crate::fix::Fix { safety, edits });
        self
    }
}

/// AL201–AL204 for one Policy as written (registered as a [`Check::PolicySource`] rule).
///
/// [`Check::PolicySource`]: crate::rules::registry::Check::PolicySource
pub fn check(cx: &crate::context::DocCtx<'_>, policy_root: Node<'_>) -> Vec<Finding> {
    validate_with(policy_root, cx.file, cx.config.version())
}

/// Validates one Policy document (`policy_root` is its root mapping; spans are in the
/// coordinates of `file`) as Kubernetes `(major, minor)` does, or the newest when the version
/// is not known (it decides whether `group: "*"` is accepted).
pub fn validate_with(
    policy_root: Node<'_>,
    file: &Arc<SourceFile>,
    kubernetes_version: Option<(u32, u32)>,
) -> Vec<Finding> {
    issues(policy_root, kubernetes_version)
        .into_iter()
        .map(|issue| {
            let mut f = Finding::new(issue.code, file, issue.span).message(issue.message);
            if let Some(severity) = issue.severity {
                f.severity = severity;
            }
            if !issue.label.is_empty() {
                f = f.label(issue.label);
            }
            if !issue.help.is_empty() {
                f = f.help(issue.help);
            }
            let fix = match issue.code {
                Code::AL202 => header::add_rules(&file.text, policy_root),
                _ => issue.fix,
            };
            // A span that is the whole Policy is one that could not be mapped into the
            // string holding it: no edit can be placed there.
            f.fix = fix.filter(|fix| fix.edits.iter().all(|e| e.span != policy_root.span()));
            f
        })
        .collect()
}

/// Every issue of the policy, in source order, one per problem.
pub(crate) fn issues(root: Node<'_>, kubernetes_version: Option<(u32, u32)>) -> Vec<Issue> {
    if !root.is_map() {
        return vec![Issue::new(
            Code::AL203,
            root.span(),
            format!(
                "an audit policy must be a mapping, but this is {}: the apiserver cannot decode it and refuses to start",
                fields::article(root.kind_name())
            ),
        )
        .label("not a mapping")
        .help("write the policy as `apiVersion: audit.k8s.io/v1`, `kind: Policy` and a `rules:` list")];
    }
    let schema_issues = schema::check(root);
    let unknown: Vec<&schema::Unknown> = schema_issues.unknown.iter().collect();

    let mut out = header::check(root, &unknown, kubernetes_version);
    out.extend(checks::check(root, kubernetes_version, &unknown));
    // Schema findings on a node a value check already explained are the same problem.
    for issue in schema_issues.issues {
        if !out
            .iter()
            .any(|o| o.code == issue.code && o.span == issue.span)
        {
            out.push(issue);
        }
    }
    out.sort_by_key(|i| (i.span.start, i.span.end, i.code));
    out
}
