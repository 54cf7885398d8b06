//! AL201 (apiVersion and kind) and AL202 (no rules): what the policy reader checks around
//! the validator (`pkg/audit/policy/reader.go`).

use super::fields::Ctx;
use super::schema::Unknown;
use super::Issue;
use crate::catalog::Code;
use crate::finding::Severity;
use crate::fix::{Edit, Safety};
use crate::version::Version;
use crate::yaml::Style;
use crate::yaml::{Node, Scalar, Span};

pub fn check(root: Node<'_>, unknown: &[&Unknown], version: Option<Version>) -> Vec<Issue> {
    let mut out = Vec::new();
    api_version(root, version, &mut out);
    kind(root, &mut out);
    rules(root, unknown, &mut out);
    out
}

fn api_version(root: Node<'_>, cluster: Option<Version>, out: &mut Vec<Issue>) {
    let Some((key, value)) = root.entry("apiVersion") else {
        out.push(
            Issue::new(
                Code::AL201,
                Span::point(root.span().start),
                "the policy has no `apiVersion`: the apiserver rejects it (\"unknown group version field\") and refuses to start",
            )
            .label("`apiVersion` is missing")
            .help("add `apiVersion: audit.k8s.io/v1` as the first line"),
        );
        return;
    };
    // A non-string value is a type error (AL203), not a wrong version.
    let api_version = match value.scalar() {
        Some(Scalar::Str(s)) => s,
        Some(Scalar::Null) => "",
        _ => return,
    };
    if api_version.is_empty() {
        out.push(
            Issue::new(
                Code::AL201,
                key.span(),
                "`apiVersion` is empty: the apiserver rejects the policy (\"unknown group version field\") and refuses to start",
            )
            .label("empty apiVersion")
            .help("set `apiVersion: audit.k8s.io/v1`"),
        );
        return;
    }
    if api_version == "audit.k8s.io/v1" {
        return;
    }
    // `audit.k8s.io/v1` is served since 1.12; the fields are the same in every version.
    let rename = |issue: Issue| match cluster {
        Some(v) if v < (1, 12) => issue,
        _ => issue.fix(
            Safety::Safe,
            vec![Edit::replace(
                value.span(),
                quoted(value, "audit.k8s.io/v1"),
            )],
        ),
    };
    let issue = match api_version {
        // Still decoded before 1.24: the policy works today and stops the apiserver after an
        // upgrade.
        "audit.k8s.io/v1beta1" | "audit.k8s.io/v1alpha1"
            if cluster.is_some_and(|v| v < (1, 24)) =>
        {
            let v = cluster.map(crate::version::display).unwrap_or_default();
            let mut issue = Issue::new(
                Code::AL201,
                value.span(),
                format!(
                    "`{api_version}` is deprecated since Kubernetes 1.21 and removed in 1.24: this {v} cluster loads it, but after an upgrade to 1.24 or newer the apiserver cannot decode the policy and refuses to start"
                ),
            )
            .label("deprecated API version")
            .help("change it to `apiVersion: audit.k8s.io/v1` (accepted since 1.12); the Policy fields are the same");
            issue.severity = Some(Severity::Warning);
            rename(issue)
        }
        "audit.k8s.io/v1beta1" | "audit.k8s.io/v1alpha1" => rename(Issue::new(
            Code::AL201,
            value.span(),
            format!(
                "`{api_version}` was removed in Kubernetes 1.24 (deprecated since 1.21): a 1.24 or newer apiserver cannot decode this policy and refuses to start"
            ),
        )
        .label("removed API version")
        .help("change it to `apiVersion: audit.k8s.io/v1`; the Policy fields are the same")),
        _ => Issue::new(
            Code::AL201,
            value.span(),
            format!(
                "`{api_version}` is not an audit policy version: the apiserver accepts only `audit.k8s.io/v1` and refuses to start"
            ),
        )
        .label("not audit.k8s.io/v1")
        .help("set `apiVersion: audit.k8s.io/v1`"),
    };
    out.push(issue);
}

fn kind(root: Node<'_>, out: &mut Vec<Issue>) {
    match root.entry("kind") {
        None => out.push(
            Issue::new(
                Code::AL201,
                Span::point(root.span().start),
                "the policy has no `kind`: the apiserver cannot decode it and refuses to start",
            )
            .label("`kind` is missing")
            .help("add `kind: Policy`"),
        ),
        Some((key, value)) => {
            // Numbers, booleans and collections are type errors, reported by the schema.
            match value.scalar() {
                Some(Scalar::Str("Policy")) => {}
                Some(Scalar::Str(other)) if !other.is_empty() => out.push(
                    Issue::new(
                        Code::AL201,
                        value.span(),
                        format!(
                            "`kind: {other}` is not `Policy`: the apiserver cannot decode the audit policy and refuses to start"
                        ),
                    )
                    .label("expected `Policy`")
                    .help("set `kind: Policy` (case-sensitive)"),
                ),
                Some(Scalar::Str(_) | Scalar::Null) => out.push(
                    Issue::new(
                        Code::AL201,
                        key.span(),
                        "`kind` is empty: the apiserver cannot decode the audit policy and refuses to start",
                    )
                    .label("empty kind")
                    .help("set `kind: Policy`"),
                ),
                _ => {}
            }
        }
    }
}

fn rules(root: Node<'_>, unknown: &[&Unknown], out: &mut Vec<Issue>) {
    // A misspelt `rules:` key is reported once, as the unknown field (AL204).
    if unknown
        .iter()
        .any(|u| u.object == "/" && u.target == Some((Ctx::Policy, "rules")))
    {
        return;
    }
    let fatal = "the apiserver refuses to start (\"loaded illegal policy with 0 rules\")";
    match root.entry("rules") {
        None => out.push(
            Issue::new(
                Code::AL202,
                // Where a `rules:` key would be appended: after the last entry.
                Span::point(
                    root.entries()
                        .last()
                        .map_or(root.span().end, |(_, v)| v.span().end),
                ),
                format!("the policy has no `rules`: {fatal}"),
            )
            .label("`rules:` is missing")
            .help("add a `rules:` list; a last rule `- level: Metadata` logs every request not matched earlier"),
        ),
        Some((key, value)) => {
            let empty = value.is_null() || (value.is_seq() && value.is_empty());
            if empty {
                let span = if value.is_null() { key.span() } else { value.span() };
                out.push(
                    Issue::new(Code::AL202, span, format!("`rules` is empty: {fatal}"))
                        .label("no rules")
                        .help("add at least one rule; a last rule `- level: Metadata` logs every request not matched earlier"),
                );
            }
        }
    }
}

/// `text` written in the quotes of the scalar `node`.
fn quoted(node: Node<'_>, text: &str) -> String {
    match node.style() {
        Some(Style::SingleQuoted) => format!("'{text}'"),
        Some(Style::DoubleQuoted) => format!("\"{text}\""),
        _ => text.to_owned(),
    }
}

/// AL202's fix: a `rules:` list (or an item in `rules: []`) holding a catch-all
/// `- level: Metadata` that omits `RequestReceived`, what the help advises. `None` for
/// `rules:` written with nothing after it, whose null value has no place to write into.
pub fn add_rules(text: &str, root: Node<'_>) -> Option<crate::fix::Fix> {
    use crate::fix::{Editor, Value};
    let editor = Editor::within(text, root.span());
    let omits = root
        .get("omitStages")
        .is_some_and(|s| s.items().any(|i| i.text() == Some("RequestReceived")));
    let mut catch_all = vec![("level", Value::scalar("Metadata"))];
    if !omits {
        catch_all.push(("omitStages", Value::list(["RequestReceived"])));
    }
    let catch_all = Value::map(catch_all);
    let edit = match root.get("rules") {
        None => editor.append_entry(root.span(), "rules", &Value::Seq(vec![catch_all]))?,
        Some(list) if list.is_seq() => editor.append_item(list.span(), None, &catch_all)?,
        Some(_) => return None,
    };
    Some(crate::fix::Fix {
        safety: Safety::Safe,
        edits: vec![edit],
    })
}
