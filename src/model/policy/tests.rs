//! The matcher and subsumption, case by case from the specification (audit-semantics §1–2).

use super::matcher::{evaluate, path_matches, rule_matches, Request, Resource, User};
use super::subsume::covers;
use super::{read, Level, Policy, Stage};
use crate::source::SourceFile;
use crate::yaml::{parse_all, Item};

fn policy(rules_yaml: &str) -> Policy {
    let text = format!("apiVersion: audit.k8s.io/v1\nkind: Policy\n{rules_yaml}");
    let file = SourceFile::new("p.yaml", text.clone());
    let (items, _) = parse_all(&text);
    let Some(Item::Document(doc)) = items.into_iter().next() else {
        panic!("no document")
    };
    let mut out = None;
    read(doc.root().unwrap(), &file, |_, found| {
        out = Some(found.policy)
    });
    out.expect("a Policy")
}

fn alice() -> Option<User> {
    Some(User {
        name: "alice".into(),
        groups: vec!["system:authenticated".into(), "devs".into()],
    })
}

fn res(verb: &str, group: &str, resource: &str, sub: &str, ns: &str, name: &str) -> Request {
    Request::resource(
        alice(),
        verb,
        Resource {
            group: group.into(),
            resource: resource.into(),
            subresource: sub.into(),
            namespace: ns.into(),
            name: name.into(),
        },
    )
}

fn level(p: &Policy, r: &Request) -> (Level, Option<usize>) {
    let d = evaluate(p, r, None);
    (d.level, d.rule)
}

#[test]
fn first_match_wins_and_no_match_is_none() {
    let p = policy("rules:\n- level: Metadata\n  resources: [{resources: [pods]}]\n- level: RequestResponse\n  resources: [{resources: [pods]}]\n");
    assert_eq!(
        level(&p, &res("get", "", "pods", "", "default", "x")),
        (Level::Metadata, Some(0))
    );
    assert_eq!(
        level(&p, &res("get", "", "secrets", "", "default", "x")),
        (Level::None, None)
    );
}

#[test]
fn pods_star_matches_pods_but_pods_does_not_match_subresources() {
    let star = policy("rules:\n- level: Metadata\n  resources: [{resources: [\"pods/*\"]}]\n");
    assert_eq!(
        level(&star, &res("get", "", "pods", "", "d", "x")).0,
        Level::Metadata
    );
    assert_eq!(
        level(&star, &res("create", "", "pods", "exec", "d", "x")).0,
        Level::Metadata
    );
    assert_eq!(
        level(&star, &res("get", "", "services", "proxy", "d", "x")).0,
        Level::None
    );
    let plain = policy("rules:\n- level: Metadata\n  resources: [{resources: [pods]}]\n");
    assert_eq!(
        level(&plain, &res("create", "", "pods", "exec", "d", "x")).0,
        Level::None
    );
    assert_eq!(
        level(&plain, &res("get", "", "pods", "log", "d", "x")).0,
        Level::None
    );
}

#[test]
fn subresource_wildcards() {
    let p = policy("rules:\n- level: Metadata\n  resources: [{resources: [\"*/status\"]}]\n");
    assert_eq!(
        level(&p, &res("update", "", "pods", "status", "d", "x")).0,
        Level::Metadata
    );
    assert_eq!(
        level(&p, &res("update", "", "pods", "", "d", "x")).0,
        Level::None
    );
    let all = policy("rules:\n- level: Metadata\n  resources: [{resources: [\"*\"]}]\n");
    assert_eq!(
        level(&all, &res("create", "", "pods", "exec", "d", "x")).0,
        Level::Metadata
    );
    // `*/*` needs a resource or subresource literally named `*`.
    let never = policy("rules:\n- level: Metadata\n  resources: [{resources: [\"*/*\"]}]\n");
    assert_eq!(
        level(&never, &res("create", "", "pods", "exec", "d", "x")).0,
        Level::None
    );
    assert_eq!(
        level(&never, &res("get", "", "pods", "", "d", "x")).0,
        Level::None
    );
}

#[test]
fn empty_namespace_selects_cluster_wide_requests_only() {
    let p = policy("rules:\n- level: Metadata\n  namespaces: [\"\"]\n");
    assert_eq!(
        level(&p, &res("list", "", "secrets", "", "", "")).0,
        Level::Metadata
    );
    assert_eq!(
        level(
            &p,
            &res(
                "create",
                "rbac.authorization.k8s.io",
                "clusterroles",
                "",
                "",
                ""
            )
        )
        .0,
        Level::Metadata
    );
    assert_eq!(
        level(&p, &res("list", "", "secrets", "", "default", "")).0,
        Level::None
    );
    // A namespaces-only rule is a resource rule: non-resource requests never match it.
    assert_eq!(
        level(&p, &Request::non_resource(alice(), "get", "/healthz")).0,
        Level::None
    );
}

#[test]
fn groups_are_exact_and_star_is_a_wildcard_since_1_36() {
    let p = policy("rules:\n- level: Metadata\n  resources: [{group: \"\", resources: [tokenreviews]}]\n- level: Request\n  resources: [{group: \"*\", resources: [tokenreviews]}]\n");
    let tr = res(
        "create",
        "authentication.k8s.io",
        "tokenreviews",
        "",
        "",
        "",
    );
    assert_eq!(evaluate(&p, &tr, None).level, Level::Request);
    assert_eq!(evaluate(&p, &tr, Some((1, 36))).level, Level::Request);
    assert_eq!(evaluate(&p, &tr, Some((1, 35))).level, Level::None);
    let core =
        policy("rules:\n- level: Metadata\n  resources: [{group: core, resources: [pods]}]\n");
    assert_eq!(
        level(&core, &res("get", "", "pods", "", "d", "x")).0,
        Level::None
    );
    // A group with no resources covers every resource and subresource of that group.
    let group = policy("rules:\n- level: Metadata\n  resources: [{group: \"\"}]\n");
    assert_eq!(
        level(
            &group,
            &res("create", "", "serviceaccounts", "token", "d", "x")
        )
        .0,
        Level::Metadata
    );
    assert_eq!(
        level(&group, &res("get", "apps", "deployments", "", "d", "x")).0,
        Level::None
    );
}

#[test]
fn resource_names_are_literal_and_need_a_name() {
    let p = policy("rules:\n- level: RequestResponse\n  resources: [{resources: [configmaps], resourceNames: [aws-auth]}]\n- level: Metadata\n");
    assert_eq!(
        level(
            &p,
            &res("update", "", "configmaps", "", "kube-system", "aws-auth")
        ),
        (Level::RequestResponse, Some(0))
    );
    assert_eq!(
        level(
            &p,
            &res("update", "", "configmaps", "", "kube-system", "other")
        ),
        (Level::Metadata, Some(1))
    );
    // create carries no name in the URL.
    assert_eq!(
        level(&p, &res("create", "", "configmaps", "", "kube-system", "")).1,
        Some(1)
    );
    let star = policy("rules:\n- level: Metadata\n  resources: [{resources: [secrets], resourceNames: [\"*\"]}]\n");
    assert_eq!(
        level(&star, &res("get", "", "secrets", "", "d", "x")).0,
        Level::None
    );
}

#[test]
fn users_and_groups_never_match_a_failed_authentication() {
    let p = policy("rules:\n- level: None\n  users: [alice]\n- level: None\n  userGroups: [system:unauthenticated]\n- level: Metadata\n  verbs: [get]\n");
    let mut anon = res("get", "", "pods", "", "d", "x");
    assert_eq!(level(&p, &anon), (Level::None, Some(0)));
    anon.user = None;
    assert_eq!(level(&p, &anon), (Level::Metadata, Some(2)));
    anon.user = Some(User {
        name: "bob".into(),
        groups: vec!["devs".into()],
    });
    assert_eq!(level(&p, &anon), (Level::Metadata, Some(2)));
    let groups = policy("rules:\n- level: Request\n  userGroups: [devs]\n");
    assert_eq!(
        level(&groups, &res("get", "", "pods", "", "d", "x")).0,
        Level::Request
    );
}

#[test]
fn verbs_are_exact_and_non_resource_verbs_are_http_methods() {
    let p = policy("rules:\n- level: Metadata\n  verbs: [create]\n");
    assert_eq!(
        level(&p, &res("create", "", "pods", "", "d", "")).0,
        Level::Metadata
    );
    assert_eq!(
        level(&p, &Request::non_resource(alice(), "post", "/logs")).0,
        Level::None
    );
    assert_eq!(
        level(&p, &res("get", "", "pods", "exec", "d", "x")).0,
        Level::None
    );
}

#[test]
fn non_resource_urls_are_raw_prefixes() {
    assert!(path_matches("/api*", "/apis"));
    assert!(path_matches("/api*", "/apis/apps/v1"));
    assert!(path_matches("/healthz*", "/healthzfoo"));
    assert!(path_matches("/healthz**", "/healthz"));
    assert!(path_matches("*", "/anything"));
    assert!(path_matches("/version", "/version"));
    assert!(!path_matches("/version", "/version/"));
    assert!(!path_matches("/api/*", "/api"));
    let p = policy("rules:\n- level: None\n  nonResourceURLs: [\"/api*\"]\n- level: Metadata\n");
    assert_eq!(
        level(&p, &Request::non_resource(alice(), "get", "/apis")).0,
        Level::None
    );
    // Resource requests never reach the non-resource matcher.
    assert_eq!(
        level(&p, &res("get", "apps", "deployments", "", "d", "x")).0,
        Level::Metadata
    );
}

#[test]
fn omit_stages_are_the_union_of_policy_and_rule() {
    let p = policy("omitStages: [RequestReceived]\nrules:\n- level: Metadata\n  resources: [{resources: [pods]}]\n  omitStages: [ResponseStarted, RequestReceived]\n");
    let d = evaluate(&p, &res("get", "", "pods", "", "d", "x"), None);
    assert_eq!(
        d.omit_stages.iter().copied().collect::<Vec<_>>(),
        vec![Stage::RequestReceived, Stage::ResponseStarted]
    );
    assert!(!d.logs_stage(Stage::ResponseStarted));
    assert!(d.logs_stage(Stage::ResponseComplete));
    // No match: level None with the policy-level stages only.
    let none = evaluate(&p, &res("get", "", "secrets", "", "d", "x"), None);
    assert_eq!((none.level, none.rule), (Level::None, None));
    assert_eq!(
        none.omit_stages.iter().copied().collect::<Vec<_>>(),
        vec![Stage::RequestReceived]
    );
    let all = policy("rules:\n- level: Metadata\n  omitStages: [RequestReceived, ResponseStarted, ResponseComplete, Panic]\n");
    assert_eq!(
        evaluate(&all, &res("get", "", "pods", "", "d", "x"), None).effective_level(),
        Level::None
    );
}

#[test]
fn empty_lists_mean_all() {
    let p = policy(
        "rules:\n- level: Metadata\n  users: []\n  verbs: []\n  resources: []\n  namespaces: []\n",
    );
    assert!(p.rules[0].is_catch_all());
    assert_eq!(
        level(&p, &Request::non_resource(None, "get", "/healthz")).0,
        Level::Metadata
    );
}

#[test]
fn unknown_fields_are_dropped_and_widen_the_rule() {
    // `verbs` indented under `resources[]` is dropped by the apiserver.
    let p = policy(
        "rules:\n- level: Metadata\n  resources:\n  - resources: [pods]\n    verbs: [create]\n",
    );
    assert!(rule_matches(
        &p.rules[0],
        &res("delete", "", "pods", "", "d", "x"),
        None
    ));
    // `groups:` is not `group:`: the entry is the core group.
    let g = policy(
        "rules:\n- level: Metadata\n  resources:\n  - groups: apps\n    resources: [deployments]\n",
    );
    assert_eq!(
        level(&g, &res("get", "apps", "deployments", "", "d", "x")).0,
        Level::None
    );
}

#[test]
fn recognises_configmap_and_cluster_api_embeddings_with_inner_spans() {
    let text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  policy.yaml: |\n    apiVersion: audit.k8s.io/v1\n    kind: Policy\n    rules:\n    - level: Metadata\n";
    let file = SourceFile::new("cm.yaml", text);
    let (items, _) = parse_all(text);
    let Some(Item::Document(doc)) = items.into_iter().next() else {
        panic!()
    };
    let mut found = Vec::new();
    read(doc.root().unwrap(), &file, |_, f| found.push(f));
    assert_eq!(found.len(), 1);
    let level = found[0].policy.rules[0].level_raw.clone().unwrap();
    assert_eq!(&text[level.span.start..level.span.end], "Metadata");

    let kcp = "apiVersion: controlplane.cluster.x-k8s.io/v1beta1\nkind: KubeadmControlPlane\nspec:\n  kubeadmConfigSpec:\n    files:\n    - path: /etc/kubernetes/audit-policy.yaml\n      content: |\n        apiVersion: audit.k8s.io/v1beta1\n        kind: Policy\n        rules:\n        - level: None\n";
    let file = SourceFile::new("kcp.yaml", kcp);
    let (items, _) = parse_all(kcp);
    let Some(Item::Document(doc)) = items.into_iter().next() else {
        panic!()
    };
    let mut found = Vec::new();
    read(doc.root().unwrap(), &file, |_, f| found.push(f));
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].host_path.as_deref(),
        Some("/etc/kubernetes/audit-policy.yaml")
    );
    let level = found[0].policy.rules[0].level_raw.clone().unwrap();
    assert_eq!(&kcp[level.span.start..level.span.end], "None");
}

fn shadows(rules: &str) -> bool {
    let p = policy(&format!("rules:\n{rules}"));
    covers(&p.rules[0], &p.rules[1], None)
}

#[test]
fn subsumption_proves_real_shadowing() {
    assert!(shadows(
        "- level: Metadata\n- level: None\n  resources: [{resources: [pods]}]\n"
    ));
    assert!(shadows("- level: Metadata\n  resources: [{resources: [\"pods/*\"]}]\n- level: None\n  resources: [{resources: [pods, pods/exec]}]\n"));
    assert!(shadows("- level: Metadata\n  resources: [{group: \"\"}]\n- level: None\n  resources: [{resources: [secrets]}]\n  namespaces: [default]\n"));
    assert!(shadows("- level: Metadata\n  verbs: [get, list]\n- level: None\n  verbs: [get]\n  resources: [{resources: [pods]}]\n"));
    assert!(shadows("- level: Metadata\n  nonResourceURLs: [\"/healthz*\"]\n- level: None\n  nonResourceURLs: [/healthz/etcd, \"/healthzx*\"]\n"));
    assert!(shadows("- level: Metadata\n  resources: [{resources: [\"*/exec\"]}]\n- level: None\n  resources: [{resources: [pods/exec]}]\n"));
    assert!(shadows(
        "- level: Metadata\n  users: [a, b]\n- level: None\n  users: [a]\n  verbs: [get]\n"
    ));
    assert!(shadows("- level: Metadata\n  resources: [{resources: [configmaps]}]\n- level: None\n  resources: [{resources: [configmaps], resourceNames: [x]}]\n"));
}

#[test]
fn subsumption_rejects_look_alikes() {
    // `pods` does not cover subresources.
    assert!(!shadows("- level: Metadata\n  resources: [{resources: [pods]}]\n- level: None\n  resources: [{resources: [pods/exec]}]\n"));
    // A narrower namespace list.
    assert!(!shadows(
        "- level: Metadata\n  namespaces: [a]\n- level: None\n  namespaces: [a, b]\n"
    ));
    // Namespaces restricted earlier, none later.
    assert!(!shadows("- level: Metadata\n  namespaces: [a]\n  resources: [{resources: [pods]}]\n- level: None\n  resources: [{resources: [pods]}]\n"));
    // Verb-restricted earlier, unrestricted later.
    assert!(!shadows(
        "- level: Metadata\n  verbs: [get]\n- level: None\n  resources: [{resources: [pods]}]\n"
    ));
    // Users and groups are different dimensions.
    assert!(!shadows(
        "- level: Metadata\n  users: [alice]\n- level: None\n  userGroups: [devs]\n"
    ));
    // A resource rule never covers a rule that also matches non-resource requests.
    assert!(!shadows(
        "- level: Metadata\n  resources: [{group: \"*\"}]\n- level: None\n  verbs: [get]\n"
    ));
    // A non-resource rule never covers a resource rule, even with `*`.
    assert!(!shadows("- level: Metadata\n  nonResourceURLs: [\"*\"]\n- level: None\n  resources: [{resources: [pods]}]\n"));
    // Named objects earlier, every object later.
    assert!(!shadows("- level: Metadata\n  resources: [{resources: [configmaps], resourceNames: [x]}]\n- level: None\n  resources: [{resources: [configmaps]}]\n"));
    // Different groups; `core` is not the core group.
    assert!(!shadows("- level: Metadata\n  resources: [{group: core}]\n- level: None\n  resources: [{resources: [pods]}]\n"));
    // `*/status` does not cover `pods/*` (which includes plain pods).
    assert!(!shadows("- level: Metadata\n  resources: [{resources: [\"*/status\"]}]\n- level: None\n  resources: [{resources: [\"pods/*\"]}]\n"));
    // `*/*` matches nothing, so it covers nothing.
    assert!(!shadows("- level: Metadata\n  resources: [{resources: [\"*/*\"]}]\n- level: None\n  resources: [{resources: [\"pods/*\"]}]\n"));
    // A prefix `/api*` does not cover `*`, and an exact URL does not cover its prefix form.
    assert!(!shadows("- level: Metadata\n  nonResourceURLs: [\"/api*\"]\n- level: None\n  nonResourceURLs: [\"*\"]\n"));
    assert!(!shadows("- level: Metadata\n  nonResourceURLs: [/healthz]\n- level: None\n  nonResourceURLs: [\"/healthz*\"]\n"));
    // One of the later entries is outside.
    assert!(!shadows("- level: Metadata\n  resources: [{resources: [pods]}]\n- level: None\n  resources: [{resources: [pods, secrets]}]\n"));
}

#[test]
fn group_star_covers_only_when_the_version_has_it() {
    let p = policy("rules:\n- level: Metadata\n  resources: [{group: \"*\"}]\n- level: None\n  resources: [{group: apps}]\n");
    assert!(covers(&p.rules[0], &p.rules[1], None));
    assert!(!covers(&p.rules[0], &p.rules[1], Some((1, 35))));
}
