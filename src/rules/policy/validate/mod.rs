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

use crate::finding::Finding;
use crate::source::SourceFile;
use crate::yaml::{Node, Span};

/// One problem before it becomes a [`Finding`].
#[derive(Debug, Clone)]
pub(crate) struct Issue {
    pub code: &'static str,
    /// Set when this problem is less (or more) severe than its rule's default.
    pub severity: Option<crate::finding::Severity>,
    pub span: Span,
    pub message: String,
    pub label: String,
    pub help: String,
}

impl Issue {
    pub fn new(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Issue {
            code,
            severity: None,
            span,
            message: message.into(),
            label: String::new(),
            help: String::new(),
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
}

/// Validates one Policy document (`policy_root` is its root mapping; spans are in the
/// coordinates of `file`) as the newest Kubernetes does.
pub fn validate(policy_root: Node<'_>, file: &Arc<SourceFile>) -> Vec<Finding> {
    validate_with(policy_root, file, None)
}

/// As [`validate`], for a given Kubernetes `(major, minor)` version when it is known (it
/// decides whether `group: "*"` is accepted).
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
            f
        })
        .collect()
}

/// Every issue of the policy, in source order, one per problem.
pub(crate) fn issues(root: Node<'_>, kubernetes_version: Option<(u32, u32)>) -> Vec<Issue> {
    if !root.is_map() {
        return vec![Issue::new(
            "AL203",
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
