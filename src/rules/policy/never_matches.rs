//! AL210: selectors that cannot match what they name. The apiserver validates none of these
//! (audit-semantics §3.1 "Not validated"), so the rule silently matches less than it says.

use crate::context::DocCtx;
use crate::model::policy::builtin::{self, BUILTIN_GROUPS, COMPLETE_GROUPS};
use crate::model::policy::{Policy, Rule};
use crate::yaml::Span;

const RBAC_ONLY_VERBS: &[&str] = &["bind", "escalate", "impersonate", "use", "approve", "sign"];
const HTTP_ONLY_VERBS: &[&str] = &["post", "put", "head", "options"];
const RESOURCE_ONLY_VERBS: &[&str] = &[
    "list",
    "watch",
    "create",
    "update",
    "deletecollection",
    "proxy",
];

pub fn check(cx: &mut DocCtx<'_>, policy: &Policy) {
    for rule in &policy.rules {
        for (span, message, help) in problems(rule) {
            cx.report(
                cx.finding("AL210", span)
                    .message(format!("rule {}: {message}", rule.number()))
                    .label("never matches")
                    .help(help),
            );
        }
    }
}

fn problems(rule: &Rule) -> Vec<(Span, String, String)> {
    let mut out = Vec::new();
    for gr in &rule.resources {
        let group = gr.group();
        if let Some(g) = gr.group.as_ref().filter(|_| matches!(group, "core" | "v1")) {
            out.push((
                g.span,
                format!("`group: {group}` matches nothing: the core API group is the empty string"),
                "write `group: \"\"` for core resources (pods, secrets, configmaps …)".to_owned(),
            ));
            continue;
        }
        for r in &gr.resources {
            let value = r.value.as_str();
            let base = value.split('/').next().unwrap_or(value);
            if value == "*/*" {
                out.push((
                    r.span,
                    "`*/*` matches nothing: it needs a resource or subresource literally named `*`".to_owned(),
                    "use `*` for every resource and subresource, or `*/NAME` for one subresource of every resource".to_owned(),
                ));
            } else if base.chars().any(|c| c.is_ascii_uppercase()) {
                out.push((
                    r.span,
                    format!("`{value}` never matches: resource names are lower-case plurals, compared exactly"),
                    format!("write `{}`", plural(&value.to_ascii_lowercase())),
                ));
            } else if let Some(p) = singular_of(base).filter(|_| BUILTIN_GROUPS.contains(&group)) {
                out.push((
                    r.span,
                    format!("`{value}` never matches: resource names are plurals (`{p}`)"),
                    format!("write `{}`", value.replacen(base, p, 1)),
                ));
            } else if let Some(homes) =
                home(base).filter(|h| BUILTIN_GROUPS.contains(&group) && !h.contains(&group))
            {
                let shown = |g: &str| {
                    if g.is_empty() {
                        "\"\" (core)".to_owned()
                    } else {
                        g.to_owned()
                    }
                };
                out.push((
                    r.span,
                    format!(
                        "`{value}` is not served from group {}, so this entry never matches it; it lives in {}",
                        shown(group),
                        homes.iter().map(|g| shown(g)).collect::<Vec<_>>().join(" or ")
                    ),
                    format!("move it to a `resources` entry with `group: {}`", if homes[0].is_empty() { "\"\"" } else { homes[0] }),
                ));
            } else if let Some(problem) = misspelt(group, value, r.span) {
                out.push(problem);
            }
        }
        for n in &gr.resource_names {
            if n.value.contains('*') {
                out.push((
                    n.span,
                    format!("`resourceNames` are literal object names: `{}` is not a wildcard and matches only an object with that exact name", n.value),
                    "list the exact names, or drop `resourceNames` to match every object".to_owned(),
                ));
            }
        }
        // Only create and deletecollection: no name in the URL, except on a subresource of
        // a named object (`pods/NAME/exec`).
        let verbs_without_name = !rule.verbs.is_empty()
            && rule
                .verbs
                .iter()
                .all(|v| matches!(v.value.as_str(), "create" | "deletecollection"));
        let plain = !gr.resources.is_empty() && gr.resources.iter().all(|r| !r.value.contains('/'));
        if verbs_without_name && plain {
            if let Some(first) = gr.resource_names.first() {
                out.push((
                    first.span,
                    "`resourceNames` never match `create` or `deletecollection`: those requests carry no object name in the URL".to_owned(),
                    "drop `resourceNames` (and match by namespace instead), or add the verbs that act on a named object (get, update, patch, delete)".to_owned(),
                ));
            }
        }
    }
    let kind_verbs: &[&str] = if rule.is_resource_rule() {
        HTTP_ONLY_VERBS
    } else if rule.is_non_resource_rule() {
        RESOURCE_ONLY_VERBS
    } else {
        &[]
    };
    for (list, field, help) in [
        (&rule.users, "users", "omit `users` to match every user"),
        (
            &rule.user_groups,
            "userGroups",
            "omit `userGroups` to match every group",
        ),
        (&rule.verbs, "verbs", "omit `verbs` to match every verb"),
        (
            &rule.namespaces,
            "namespaces",
            "omit `namespaces` to match every namespace and cluster-scoped requests",
        ),
    ] {
        for star in list.iter().filter(|x| x.value == "*") {
            out.push((
                star.span,
                format!("`\"*\"` in `{field}` is not a wildcard: the apiserver compares {field} exactly, so it matches only the literal string `*`, which no request carries"),
                help.to_owned(),
            ));
        }
    }
    for v in &rule.verbs {
        if v.value == "*" {
            continue;
        }
        if !builtin::is_request_verb(&v.value) && !RBAC_ONLY_VERBS.contains(&v.value.as_str()) {
            let suggestion = verb_suggestion(&v.value);
            out.push((
                v.span,
                format!(
                    "`{}` is not a request verb, so it matches nothing{}",
                    v.value,
                    suggestion.as_ref().map(|s| format!(" (did you mean {s}?)")).unwrap_or_default()
                ),
                "request verbs are get, list, watch, create, update, patch, delete and deletecollection (resource requests), or the lower-case HTTP method (non-resource URLs)".to_owned(),
            ));
        } else if RBAC_ONLY_VERBS.contains(&v.value.as_str()) {
            out.push((
                v.span,
                format!("`{}` is an authorization check, never the verb of a request, so it matches nothing", v.value),
                "audit the requests that use the permission instead (e.g. `create` on rolebindings for `bind`)".to_owned(),
            ));
        } else if kind_verbs.contains(&v.value.as_str()) {
            let msg = if rule.is_resource_rule() {
                format!("`{}` is an HTTP method; resource requests carry verbs such as get, list, create, update, patch, delete", v.value)
            } else {
                format!("`{}` is a resource verb; non-resource URLs carry the lower-case HTTP method (get, post, put, patch, delete, head, options)", v.value)
            };
            out.push((
                v.span,
                format!("{msg}, so it never matches here"),
                "use the verb the apiserver assigns to these requests".to_owned(),
            ));
        }
    }
    out
}

/// Words people write for a verb, and the verbs the apiserver uses for those requests.
const VERB_ALIASES: &[(&str, &str)] = &[
    ("replace", "`update`"),
    ("put", "`update`"),
    ("post", "`create`"),
    ("read", "`get`, `list` and `watch`"),
    ("write", "`create`, `update`, `patch` and `delete`"),
    ("modify", "`update` and `patch`"),
    ("edit", "`update` and `patch`"),
    ("remove", "`delete`"),
    ("destroy", "`delete`"),
    ("exec", "`create` and `get` on `pods/exec`"),
];

fn verb_suggestion(verb: &str) -> Option<String> {
    let lower = verb.to_ascii_lowercase();
    if let Some((_, s)) = VERB_ALIASES.iter().find(|(a, _)| *a == lower) {
        return Some((*s).to_owned());
    }
    let verbs = builtin::RESOURCE_VERBS.iter().chain(builtin::HTTP_VERBS);
    verbs
        .map(|v| (strsim::jaro_winkler(&lower, v), v))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, v)| format!("`{v}`"))
}

/// A resource (or subresource) a built-in group whose resources are all known does not
/// serve, with the nearest one it does.
fn misspelt(group: &str, value: &str, span: Span) -> Option<(Span, String, String)> {
    if !COMPLETE_GROUPS.contains(&group) || value.contains('*') {
        return None;
    }
    let (base, sub) = value.split_once('/').unwrap_or((value, ""));
    let shown = if group.is_empty() {
        "the core group `\"\"`".to_owned()
    } else {
        format!("group `{group}`")
    };
    let Some(served) = builtin::served(group, base) else {
        if builtin::resource(base).is_some() {
            // Served elsewhere: the wrong-group check says so.
            return None;
        }
        if matches!(base, "container" | "containers") {
            return Some((
                span,
                format!("`{value}` never matches: containers are not API resources; what is done to a container is a subresource of its pod"),
                "write `pods/exec`, `pods/attach`, `pods/log` or `pods/ephemeralcontainers` (or `pods/*` for all of them)".to_owned(),
            ));
        }
        let names = builtin::RESOURCES
            .iter()
            .filter(|r| r.groups.contains(&group))
            .map(|r| r.name);
        let nearest = nearest(base, names);
        return Some((
            span,
            format!(
                "`{value}` never matches: {shown} serves no resource `{base}`{}",
                nearest.map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default()
            ),
            match nearest {
                Some(n) => format!("write `{}`", value.replacen(base, n, 1)),
                None => "list the resource by the plural name the API serves it under (`kubectl api-resources`)".to_owned(),
            },
        ));
    };
    if sub.is_empty() || served.subresources.iter().any(|(s, _)| *s == sub) {
        return None;
    }
    let nearest = nearest(sub, served.subresources.iter().map(|(s, _)| *s));
    Some((
        span,
        format!(
            "`{value}` never matches: `{base}` has no subresource `{sub}`{}",
            nearest
                .map(|n| format!(" (did you mean `{base}/{n}`?)"))
                .unwrap_or_default()
        ),
        match nearest {
            Some(n) => format!("write `{base}/{n}`"),
            None => format!(
                "the subresources of `{base}` are {}",
                served
                    .subresources
                    .iter()
                    .map(|(s, _)| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    ))
}

/// The closest of `names` to `word`, when it is close enough to be a typo.
fn nearest<'a>(word: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    names
        .map(|n| (strsim::normalized_damerau_levenshtein(word, n), n))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

fn home(resource: &str) -> Option<&'static [&'static str]> {
    builtin::resource(resource).map(|r| r.groups)
}

/// The plural of a well-known singular resource name (`pod` → `pods`).
fn singular_of(name: &str) -> Option<&'static str> {
    builtin::RESOURCES.iter().map(|r| r.name).find(|r| {
        *r != name
            && (r.strip_suffix('s') == Some(name)
                || r.strip_suffix("es") == Some(name)
                || r.strip_suffix("ies")
                    .is_some_and(|s| format!("{s}y") == name))
    })
}

fn plural(lower: &str) -> String {
    let base = lower.split('/').next().unwrap_or(lower);
    match singular_of(base) {
        Some(p) => lower.replacen(base, p, 1),
        None => lower.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::problems;
    use crate::model::policy::read;
    use crate::source::SourceFile;
    use crate::yaml::{parse_all, Item};

    /// The problems found in the first rule of a policy with these rules.
    fn found(rules: &str) -> Vec<String> {
        let text = format!("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n{rules}");
        let file = SourceFile::new("p.yaml", text.clone());
        let (items, _) = parse_all(&text);
        let Some(Item::Document(doc)) = items.into_iter().next() else {
            panic!("no document")
        };
        let mut out = Vec::new();
        read(doc.root().unwrap(), &file, |_, f| {
            out = problems(&f.policy.rules[0])
                .into_iter()
                .map(|(span, _, _)| text[span.start..span.end].to_owned())
                .collect();
        });
        out
    }

    #[test]
    fn flags_what_cannot_match() {
        assert_eq!(
            found("- level: Metadata\n  resources: [{group: v1, resources: [pods]}]\n"),
            ["v1"]
        );
        assert_eq!(
            found("- level: Metadata\n  resources: [{group: \"\", resources: [deployments]}]\n"),
            ["deployments"]
        );
        assert_eq!(
            found("- level: Metadata\n  resources: [{group: apps, resources: [deployment]}]\n"),
            ["deployment"]
        );
        assert_eq!(
            found("- level: Metadata\n  resources: [{resources: [\"*/*\"]}]\n"),
            ["\"*/*\""]
        );
        assert_eq!(found("- level: Metadata\n  resources: [{resources: [secrets], resourceNames: [\"db-*\"]}]\n"), ["\"db-*\""]);
        assert_eq!(found("- level: Metadata\n  verbs: [create]\n  resources: [{resources: [configmaps], resourceNames: [x]}]\n"), ["x"]);
        assert_eq!(
            found("- level: Metadata\n  verbs: [list, get]\n  nonResourceURLs: [/metrics]\n"),
            ["list"]
        );
        assert_eq!(
            found("- level: Metadata\n  verbs: [post]\n  resources: [{resources: [pods]}]\n"),
            ["post"]
        );
        assert_eq!(
            found("- level: Metadata\n  verbs: [impersonate]\n"),
            ["impersonate"]
        );
        assert_eq!(
            found("- level: Metadata\n  verbs: [\"*\", replace]\n  users: [\"*\"]\n  userGroups: [\"*\"]\n  namespaces: [\"*\"]\n"),
            ["\"*\"", "\"*\"", "\"*\"", "\"*\"", "replace"]
        );
        assert_eq!(
            found("- level: Metadata\n  resources: [{resources: [replicacontrollers, pods/exce]}, {group: rbac.authorization.k8s.io, resources: [rolebinding, clusterrolebindigs]}]\n"),
            ["replicacontrollers", "pods/exce", "rolebinding", "clusterrolebindigs"]
        );
    }

    #[test]
    fn leaves_look_alikes_alone() {
        // Served from several groups.
        assert!(found("- level: Metadata\n  resources: [{group: extensions, resources: [deployments, ingresses]}]\n").is_empty());
        assert!(found(
            "- level: Metadata\n  resources: [{group: events.k8s.io, resources: [events]}]\n"
        )
        .is_empty());
        // A custom group may define resources named like built-in ones.
        assert!(found(
            "- level: Metadata\n  resources: [{group: example.com, resources: [roles, lease]}]\n"
        )
        .is_empty());
        // A subresource create carries the object's name (`pods/NAME/exec`).
        assert!(found("- level: Metadata\n  verbs: [create]\n  resources: [{resources: [pods/exec], resourceNames: [debug]}]\n").is_empty());
        // get, patch and delete are both resource verbs and HTTP methods.
        assert!(found(
            "- level: Metadata\n  verbs: [get, patch, delete]\n  nonResourceURLs: [/logs*]\n"
        )
        .is_empty());
        // A rule with no selector sees both kinds of request.
        assert!(found("- level: Metadata\n  verbs: [post, create]\n").is_empty());
        // Wildcards where the matcher has them; real verbs, resources and subresources.
        assert!(found("- level: Metadata\n  resources: [{resources: [\"*\", \"pods/*\", \"*/status\", pods/log, serviceaccounts/token]}]\n").is_empty());
        assert!(found("- level: Metadata\n  nonResourceURLs: [\"*\"]\n").is_empty());
        assert!(found("- level: Metadata\n  verbs: [get, list, watch, deletecollection, proxy]\n  namespaces: [\"\"]\n").is_empty());
        // Groups whose resources are not all known: a name there may be new, not misspelt.
        assert!(found("- level: Metadata\n  resources: [{group: networking.k8s.io, resources: [servicecidrs]}, {group: example.com, resources: [widgetz]}]\n").is_empty());
    }
}
