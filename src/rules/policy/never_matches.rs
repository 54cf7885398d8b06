//! AL210: selectors that cannot match what they name. The apiserver validates none of these
//! (audit-semantics §3.1 "Not validated"), so the rule silently matches less than it says.

use crate::catalog::Code;
use crate::context::DocCtx;
use crate::model::policy::{Policy, Rule};
use crate::yaml::Span;

/// Where well-known resources live (every group they are served from).
const HOMES: &[(&str, &[&str])] = &[
    ("pods", &[""]),
    ("services", &[""]),
    ("secrets", &[""]),
    ("configmaps", &[""]),
    ("serviceaccounts", &[""]),
    ("nodes", &[""]),
    ("namespaces", &[""]),
    ("endpoints", &[""]),
    ("persistentvolumes", &[""]),
    ("persistentvolumeclaims", &[""]),
    ("replicationcontrollers", &[""]),
    ("resourcequotas", &[""]),
    ("limitranges", &[""]),
    ("events", &["", "events.k8s.io"]),
    ("deployments", &["apps", "extensions"]),
    ("daemonsets", &["apps", "extensions"]),
    ("replicasets", &["apps", "extensions"]),
    ("statefulsets", &["apps"]),
    ("controllerrevisions", &["apps"]),
    ("roles", &["rbac.authorization.k8s.io"]),
    ("rolebindings", &["rbac.authorization.k8s.io"]),
    ("clusterroles", &["rbac.authorization.k8s.io"]),
    ("clusterrolebindings", &["rbac.authorization.k8s.io"]),
    ("tokenreviews", &["authentication.k8s.io"]),
    ("subjectaccessreviews", &["authorization.k8s.io"]),
    ("selfsubjectaccessreviews", &["authorization.k8s.io"]),
    ("localsubjectaccessreviews", &["authorization.k8s.io"]),
    ("jobs", &["batch"]),
    ("cronjobs", &["batch"]),
    ("ingresses", &["networking.k8s.io", "extensions"]),
    ("networkpolicies", &["networking.k8s.io", "extensions"]),
    (
        "validatingwebhookconfigurations",
        &["admissionregistration.k8s.io"],
    ),
    (
        "mutatingwebhookconfigurations",
        &["admissionregistration.k8s.io"],
    ),
    ("certificatesigningrequests", &["certificates.k8s.io"]),
    ("leases", &["coordination.k8s.io"]),
    ("storageclasses", &["storage.k8s.io"]),
    ("customresourcedefinitions", &["apiextensions.k8s.io"]),
    ("poddisruptionbudgets", &["policy"]),
];

/// Built-in groups: only in these is a foreign well-known resource certainly absent (a
/// custom group may define its own `roles`).
const BUILTIN_GROUPS: &[&str] = &[
    "",
    "apps",
    "extensions",
    "batch",
    "rbac.authorization.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "networking.k8s.io",
    "admissionregistration.k8s.io",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "storage.k8s.io",
    "apiextensions.k8s.io",
    "policy",
    "autoscaling",
    "events.k8s.io",
];

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
                cx.finding(Code::AL210, span)
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
    for v in &rule.verbs {
        if RBAC_ONLY_VERBS.contains(&v.value.as_str()) {
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

fn home(resource: &str) -> Option<&'static [&'static str]> {
    HOMES.iter().find(|(r, _)| *r == resource).map(|(_, g)| *g)
}

/// The plural of a well-known singular resource name (`pod` → `pods`).
fn singular_of(name: &str) -> Option<&'static str> {
    HOMES.iter().map(|(r, _)| *r).find(|r| {
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
    }
}
