//! The apiserver's policy validator, V1–V9 (`pkg/apis/audit/validation/validation.go`,
//! `ValidatePolicy`). Any of these errors stops the apiserver at startup. Values that are not
//! strings are type errors and are left to the schema pass.

use super::fields::{field_path, Ctx, LEVELS, STAGES};
use super::schema::Unknown;
use super::suggest::nearest;
use super::Issue;
use crate::catalog::Code;
use crate::yaml::{Node, Scalar, Span};

const FATAL: &str = "the apiserver refuses to start";

pub fn check(
    root: Node<'_>,
    kubernetes_version: Option<(u32, u32)>,
    unknown: &[&Unknown],
) -> Vec<Issue> {
    let mut out = Vec::new();
    // V1: policy-level omitStages.
    stages(root, "omitStages", &mut out);
    let Some(rules) = root.get("rules").filter(|r| r.is_seq()) else {
        return out;
    };
    for (i, rule) in rules.items().enumerate() {
        let path = format!("rules[{i}]");
        level(rule, i, &path, unknown, &mut out);
        if !rule.is_map() {
            continue;
        }
        // V8: rule-level omitStages.
        stages(rule, &format!("{path}.omitStages"), &mut out);
        non_resource_urls(rule, &path, &mut out);
        for entry in rule.get("resources").into_iter().flat_map(|r| r.items()) {
            group(entry, &path, kubernetes_version, &mut out);
            resource_names(entry, &path, &mut out);
        }
    }
    out
}

/// The string value of a scalar, or `None` for anything Kubernetes would not decode as one.
fn string(node: Node<'_>) -> Option<&str> {
    match node.scalar()? {
        Scalar::Str(s) => Some(s),
        _ => None,
    }
}

fn non_empty_list(node: Option<Node<'_>>) -> bool {
    node.is_some_and(|n| n.is_seq() && !n.is_empty())
}

/// V1 (policy) and V8 (rule): every omitted stage must be one of the four stages.
fn stages(object: Node<'_>, path: &str, out: &mut Vec<Issue>) {
    let Some(list) = object.get("omitStages") else {
        return;
    };
    for (j, item) in list.items().enumerate() {
        let Some(stage) = string(item) else {
            continue;
        };
        if STAGES.contains(&stage) {
            continue;
        }
        let field = path.rsplit('.').next().unwrap_or(path);
        let mut issue = Issue::new(
            Code::AL203,
            item.span(),
            format!(
                "`{path}[{j}]`: `{stage}` is not a stage (allowed stages are {}): {FATAL}",
                STAGES.join(", ")
            ),
        )
        .label("unknown stage");
        issue = match nearest(stage, STAGES) {
            Some(s) => issue
                .label(format!("did you mean `{s}`?"))
                .help(format!("write `{s}` (stage names are case-sensitive)")),
            None => issue.help(format!("use one of {} in `{field}`", STAGES.join(", "))),
        };
        out.push(issue);
    }
}

/// V2 (level missing or empty) and V3 (level not one of the four levels).
fn level(rule: Node<'_>, i: usize, path: &str, unknown: &[&Unknown], out: &mut Vec<Issue>) {
    let levels = LEVELS.join(", ");
    let entry = if rule.is_map() {
        rule.entry("level")
    } else if rule.is_null() {
        None
    } else {
        return; // not a rule at all: a type error
    };
    let Some((key, value)) = entry else {
        // A misspelt `level` key is one problem, reported as the unknown field (AL204).
        let object = format!("/rules/{i}");
        if unknown
            .iter()
            .any(|u| u.object == object && u.target == Some((Ctx::Rule, "level")))
        {
            return;
        }
        out.push(
            Issue::new(
                Code::AL203,
                Span::point(rule.span().start),
                format!("`{path}` has no `level`, which every rule requires: {FATAL}"),
            )
            .label("this rule has no `level`")
            .help(format!("add `level:` with one of {levels}")),
        );
        return;
    };
    let text = match value.scalar() {
        Some(Scalar::Null) => "",
        Some(Scalar::Str(s)) => s,
        _ => return, // a number, boolean or collection: a type error
    };
    if text.is_empty() {
        out.push(
            Issue::new(
                Code::AL203,
                if value.span().is_empty() {
                    key.span()
                } else {
                    value.span()
                },
                format!("`{path}.level` is empty, and every rule requires a level: {FATAL}"),
            )
            .label("empty level")
            .help(format!("set `level:` to one of {levels}")),
        );
        return;
    }
    if LEVELS.contains(&text) {
        return;
    }
    let mut issue = Issue::new(
        Code::AL203,
        value.span(),
        format!("`{path}.level`: `{text}` is not a level (supported values: {levels}): {FATAL}"),
    )
    .label("unknown level");
    issue = match nearest(text, LEVELS) {
        Some(l) => issue
            .label(format!("did you mean `{l}`?"))
            .help(format!("write `level: {l}` (levels are case-sensitive)")),
        None => issue.help(format!("use one of {levels}")),
    };
    out.push(issue);
}

/// V4 (must begin with `/`), V5 (`*` only as the final character) and V9 (not together with
/// resources or namespaces).
fn non_resource_urls(rule: Node<'_>, path: &str, out: &mut Vec<Issue>) {
    let Some((key, urls)) = rule.entry("nonResourceURLs") else {
        return;
    };
    for (j, item) in urls.items().enumerate() {
        let Some(url) = string(item) else {
            continue;
        };
        let at = format!("{path}.nonResourceURLs[{j}]");
        if url != "*" && !url.starts_with('/') {
            let fixed = format!("/{}", url.trim_start_matches('/'));
            out.push(
                Issue::new(
                    Code::AL203,
                    item.span(),
                    format!(
                        "`{at}`: `{url}` does not begin with `/` (non-resource URL rules must begin with a '/' character): {FATAL}"
                    ),
                )
                .label("must begin with `/`")
                .help(if url.is_empty() {
                    "remove the empty entry, or write a path such as `/healthz*`".to_owned()
                } else {
                    format!("write `{fixed}`")
                }),
            );
        }
        let body = url.trim_end_matches('*');
        if !url.is_empty() && body.contains('*') {
            out.push(
                Issue::new(
                    Code::AL203,
                    item.span(),
                    format!(
                        "`{at}`: `{url}` has a `*` before the end (non-resource URL wildcards must be the final character): {FATAL}"
                    ),
                )
                .label("`*` only at the end")
                .help(format!(
                    "a trailing `*` is a plain string prefix: `{}*` covers everything below it",
                    &body[..body.find('*').unwrap_or(body.len())]
                )),
            );
        }
    }
    if !non_empty_list(Some(urls)) {
        return;
    }
    let with: Vec<&str> = ["resources", "namespaces"]
        .into_iter()
        .filter(|k| non_empty_list(rule.get(k)))
        .collect();
    if !with.is_empty() {
        let with = with
            .iter()
            .map(|w| format!("`{w}`"))
            .collect::<Vec<_>>()
            .join(" and ");
        out.push(
            Issue::new(
                Code::AL203,
                key.span(),
                format!(
                    "`{path}` has `nonResourceURLs` together with {with} (rules cannot apply to both regular resources and non-resource URLs): {FATAL}"
                ),
            )
            .label(format!("together with {with}"))
            .help("split it into two rules: one with `nonResourceURLs`, one with the resource selectors"),
        );
    }
}

/// V6: a group must be empty (core), a lower-case DNS-1123 subdomain, or `*` from 1.36 on.
fn group(entry: Node<'_>, path: &str, version: Option<(u32, u32)>, out: &mut Vec<Issue>) {
    let Some(value) = entry.get("group") else {
        return;
    };
    let Some(group) = string(value) else {
        return;
    };
    let at = format!("{path}.resources.group");
    if group.is_empty() || is_dns_subdomain(group) {
        return;
    }
    if group == "*" {
        if version.is_none_or(|v| v >= (1, 36)) {
            return;
        }
        let (major, minor) = version.unwrap_or_default();
        out.push(
            Issue::new(
                Code::AL203,
                value.span(),
                format!(
                    "`{at}`: `*` matches every group only from Kubernetes 1.36; the configured version {major}.{minor} rejects it as not a DNS subdomain: {FATAL}"
                ),
            )
            .label("`*` needs Kubernetes 1.36")
            .help("list the groups explicitly, or leave out `resources` to match every resource"),
        );
        return;
    }
    let help = match group.split_once('/') {
        Some((name, _)) if name.is_empty() || is_dns_subdomain(name) => format!(
            "a group is named without its version: write `group: \"{name}\"`"
        ),
        _ if is_dns_subdomain(&group.to_ascii_lowercase()) => format!(
            "group names are lower case: write `group: {}`",
            group.to_ascii_lowercase()
        ),
        _ => "use the API group name only, e.g. `apps` or `rbac.authorization.k8s.io` (`\"\"` is the core group)".to_owned(),
    };
    out.push(
        Issue::new(
            Code::AL203,
            value.span(),
            format!(
                "`{at}`: `{group}` is not a valid API group (a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character): {FATAL}"
            ),
        )
        .label("not an API group name")
        .help(help),
    );
}

/// V7: `resourceNames` needs at least one resource beside it.
fn resource_names(entry: Node<'_>, path: &str, out: &mut Vec<Issue>) {
    let Some((key, names)) = entry.entry("resourceNames") else {
        return;
    };
    if !non_empty_list(Some(names)) || non_empty_list(entry.get("resources")) {
        return;
    }
    out.push(
        Issue::new(
            Code::AL203,
            key.span(),
            format!(
                "`{}` without `resources` (using resourceNames requires at least one resource): {FATAL}",
                field_path(&[path, "resources", "resourceNames"])
            ),
        )
        .label("no `resources` beside it")
        .help("name the resource the objects belong to, e.g. `resources: [configmaps]`"),
    );
}

/// A lower-case RFC 1123 subdomain, as `IsDNS1123Subdomain` checks it.
pub fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
        })
}
