//! Table-driven tests: each case is a policy and the exact (code, source text at the span)
//! pairs it must produce, no more and no fewer.

use super::checks::is_dns_subdomain;
use super::*;
use crate::yaml::{parse_all, Item};

/// (name, policy body after the header, expected (code, span text) pairs).
type Case = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// A case plus a fragment the message must contain.
type MessageCase = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

const HEAD: &str = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";

/// (code, text under the span, message) for every issue of the first document of `text`.
fn run_with(text: &str, version: Option<(u32, u32)>) -> Vec<(&'static str, String, String)> {
    let (items, _) = parse_all(text);
    let Some(Item::Document(doc)) = items.first() else {
        panic!("does not parse: {text}");
    };
    let root = doc.root().expect("a root node");
    issues(root, version)
        .into_iter()
        .map(|i| {
            (
                i.code.as_str(),
                text[i.span.start..i.span.end].to_owned(),
                i.message,
            )
        })
        .collect()
}

fn run(text: &str) -> Vec<(&'static str, String, String)> {
    run_with(text, None)
}

/// Asserts the (code, span text) pairs of a policy made of `HEAD` + `body`.
fn expect(name: &str, body: &str, want: &[(&str, &str)]) {
    let text = format!("{HEAD}{body}");
    let got = run(&text);
    let pairs: Vec<(&str, &str)> = got.iter().map(|(c, s, _)| (*c, s.as_str())).collect();
    assert_eq!(pairs, want, "{name}: messages {:#?}", got);
}

#[test]
fn upstream_valid_policies_are_clean() {
    // The valid cases of validation_test.go, each alone and all together.
    let rules = [
        "- level: Metadata\n",
        "- level: None\n  userGroups: [system:serviceaccounts, system:nodes]\n",
        "- level: RequestResponse\n  verbs: [get]\n  resources:\n  - group: rbac.authorization.k8s.io\n    resources: [roles, rolebindings]\n  namespaces: [kube-system]\n",
        "- level: Metadata\n  userGroups: [developers]\n  nonResourceURLs: [/logs*, /healthz*, /metrics, \"*\"]\n",
        "- level: Metadata\n  omitStages: [RequestReceived]\n",
    ];
    for r in rules {
        expect(r, &format!("rules:\n{r}"), &[]);
    }
    expect(
        "all",
        &format!("omitStages: [RequestReceived]\nrules:\n{}", rules.concat()),
        &[],
    );
}

#[test]
fn validator_checks_v1_to_v9() {
    let cases: &[Case] = &[
        (
            "V1 policy omitStages",
            "omitStages: [foo]\nrules:\n- level: Metadata\n",
            &[("AL203", "foo")],
        ),
        ("V2 empty rule", "rules:\n- {}\n", &[("AL203", "")]),
        (
            "V2 rule without level",
            "rules:\n- verbs: [get]\n  resources:\n  - resources: [secrets]\n  namespaces: [kube-system]\n",
            &[("AL203", "")],
        ),
        ("V2 null level", "rules:\n- level: ~\n", &[("AL203", "~")]),
        ("V2 empty level", "rules:\n- level: \"\"\n", &[("AL203", "\"\"")]),
        ("V3 unknown level", "rules:\n- level: FooBar\n", &[("AL203", "FooBar")]),
        ("V3 case", "rules:\n- level: metadata\n", &[("AL203", "metadata")]),
        (
            "V4 no slash",
            "rules:\n- level: Metadata\n  nonResourceURLs: [logs, /healthz*]\n",
            &[("AL203", "logs")],
        ),
        (
            "V4 empty string",
            "rules:\n- level: Metadata\n  nonResourceURLs: [\"\", /healthz*]\n",
            &[("AL203", "\"\"")],
        ),
        (
            "V5 inner star",
            "rules:\n- level: Metadata\n  nonResourceURLs: [/logs/*/*, /logs/*.log, /healthz**]\n",
            &[("AL203", "/logs/*/*"), ("AL203", "/logs/*.log")],
        ),
        (
            "V4 and V5 together",
            "rules:\n- level: Metadata\n  nonResourceURLs: [\"logs*x\"]\n",
            &[("AL203", "\"logs*x\""), ("AL203", "\"logs*x\"")],
        ),
        (
            "V6 version in group",
            "rules:\n- level: Metadata\n  resources:\n  - group: rbac.authorization.k8s.io/v1beta1\n",
            &[("AL203", "rbac.authorization.k8s.io/v1beta1")],
        ),
        (
            "V6 capitals",
            "rules:\n- level: Metadata\n  resources:\n  - group: Apps\n",
            &[("AL203", "Apps")],
        ),
        (
            "V7 resourceNames alone",
            "rules:\n- level: Metadata\n  resources:\n  - resourceNames: [leader]\n",
            &[("AL203", "resourceNames")],
        ),
        (
            "V7 empty resources",
            "rules:\n- level: Metadata\n  resources:\n  - resources: []\n    resourceNames: [leader]\n",
            &[("AL203", "resourceNames")],
        ),
        (
            "V8 rule omitStages",
            "rules:\n- level: Metadata\n  omitStages: [foo]\n",
            &[("AL203", "foo")],
        ),
        (
            "V9 with namespaces",
            "rules:\n- level: Metadata\n  namespaces: [default]\n  nonResourceURLs: [/healthz]\n",
            &[("AL203", "nonResourceURLs")],
        ),
        (
            "V9 with resources",
            "rules:\n- level: Metadata\n  resources: [{group: \"\"}]\n  nonResourceURLs: [/healthz]\n",
            &[("AL203", "nonResourceURLs")],
        ),
        (
            "V9 not with empty lists",
            "rules:\n- level: Metadata\n  resources: []\n  namespaces: []\n  nonResourceURLs: [/healthz]\n",
            &[],
        ),
        (
            "valid quirks: star alone, empty group, star group",
            "rules:\n- level: Metadata\n  nonResourceURLs: [\"*\"]\n- level: Metadata\n  resources: [{group: \"\"}, {group: \"*\"}, {group: core}]\n",
            &[],
        ),
    ];
    for &(name, body, want) in cases {
        expect(name, body, want);
    }
}

#[test]
fn nearest_level_and_stage_are_suggested() {
    let got = run(&format!(
        "{HEAD}omitStages: [RequestRecieved]\nrules:\n- level: Meatadata\n"
    ));
    assert!(
        got[0].2.contains("`RequestRecieved` is not a stage"),
        "{got:?}"
    );
    let issues = {
        let text = format!("{HEAD}rules:\n- level: Meatadata\n");
        let (items, _) = parse_all(&text);
        let Some(Item::Document(doc)) = items.into_iter().next() else {
            panic!()
        };
        issues(doc.root().unwrap(), None)
    };
    assert_eq!(issues.len(), 1);
    assert_eq!(
        issues[0].help,
        "write `level: Metadata` (levels are case-sensitive)"
    );
}

#[test]
fn group_wildcard_depends_on_the_kubernetes_version() {
    let text = format!("{HEAD}rules:\n- level: Metadata\n  resources: [{{group: \"*\"}}]\n");
    assert!(run_with(&text, None).is_empty());
    assert!(run_with(&text, Some((1, 36))).is_empty());
    let old = run_with(&text, Some((1, 35)));
    assert_eq!(old.len(), 1, "{old:?}");
    assert_eq!((old[0].0, old[0].1.as_str()), ("AL203", "\"*\""));
}

#[test]
fn type_errors_are_reported_at_the_value() {
    let cases: &[Case] = &[
        (
            "string for a list",
            "rules:\n- level: Metadata\n  users: alice\n",
            &[("AL203", "alice")],
        ),
        ("number level", "rules:\n- level: 3\n", &[("AL203", "3")]),
        (
            "quoted bool",
            "omitManagedFields: \"yes\"\nrules:\n- level: Metadata\n",
            &[("AL203", "\"yes\"")],
        ),
        (
            "YAML 1.1 bool in a string list",
            "rules:\n- level: Metadata\n  verbs: [get, yes]\n",
            &[("AL203", "yes")],
        ),
        (
            "rule not a mapping",
            "rules:\n- Metadata\n",
            &[("AL203", "Metadata")],
        ),
        (
            "rules a mapping",
            "rules:\n  level: Metadata\n",
            &[("AL203", "level: Metadata\n")],
        ),
        (
            "resources a list of strings",
            "rules:\n- level: Metadata\n  resources: [pods]\n",
            &[("AL203", "pods")],
        ),
        (
            "unquoted YAML 1.1 bool accepted",
            "omitManagedFields: True\nrules:\n- level: Metadata\n  omitManagedFields: no\n",
            &[],
        ),
    ];
    for &(name, body, want) in cases {
        expect(name, body, want);
    }
    let got = run(&format!(
        "{HEAD}rules:\n- level: Metadata\n  users: alice\n"
    ));
    assert!(
        got[0]
            .2
            .contains("`rules[0].users` must be a list of strings, but here it is a string"),
        "{got:?}"
    );
}

#[test]
fn unknown_fields_say_what_the_rule_now_matches() {
    let cases: &[MessageCase] = &[
        (
            "verbs indented under resources",
            "rules:\n- level: None\n  resources:\n  - group: \"\"\n    resources: [events]\n    verbs: [get]\n",
            &[("AL204", "verbs")],
            "the rule now matches every verb",
        ),
        (
            "verbs under resources, rule has its own",
            "rules:\n- level: None\n  verbs: [list]\n  resources:\n  - resources: [events]\n    verbs: [get]\n",
            &[("AL204", "verbs")],
            "the rule's own `verbs` still applies",
        ),
        (
            "groups in a resources entry",
            "rules:\n- level: Request\n  resources:\n  - groups: apps\n    resources: [deployments]\n",
            &[("AL204", "groups")],
            "did you mean `group`?",
        ),
        (
            "groups: \"\" in a resources entry",
            "rules:\n- level: Request\n  resources:\n  - groups: \"\"\n    resources: [secrets]\n",
            &[("AL204", "groups")],
            "which happens to be the value written here",
        ),
        (
            "resourceName",
            "rules:\n- level: Metadata\n  resources:\n  - resources: [configmaps]\n    resourceName: [x]\n",
            &[("AL204", "resourceName")],
            "the entry now matches every object name",
        ),
        (
            "groups on a rule",
            "rules:\n- level: None\n  groups: [system:nodes]\n",
            &[("AL204", "groups")],
            "the rule now matches users of every group",
        ),
        (
            "resource selector misspelt on a non-resource rule",
            "rules:\n- level: Metadata\n  resource: [{group: \"\"}]\n",
            &[("AL204", "resource")],
            "every request, resource and non-resource alike",
        ),
        (
            "merge key is not a field",
            "rules:\n- &m {level: Metadata}\n- <<: *m\n  level: None\n",
            &[],
            "",
        ),
        (
            "no suggestion",
            "rules:\n- level: Metadata\n  priority: 3\n",
            &[("AL204", "priority")],
            "whatever it was meant to restrict",
        ),
        (
            "group on the rule",
            "rules:\n- level: Metadata\n  group: apps\n",
            &[("AL204", "group")],
            "belongs inside a `resources` entry",
        ),
        (
            "top-level rule field",
            "level: Metadata\nrules:\n- level: Metadata\n",
            &[("AL204", "level")],
            "is a field of a rule, not of the Policy",
        ),
    ];
    for &(name, body, want, fragment) in cases {
        expect(name, body, want);
        let got = run(&format!("{HEAD}{body}"));
        let all = format!("{got:?}");
        assert!(all.contains(fragment), "{name}: {all}");
    }
}

#[test]
fn a_misspelt_required_field_is_one_finding() {
    // `Level` is dropped, so the rule has no level: one AL204, no second AL203.
    expect(
        "Level",
        "rules:\n- Level: Metadata\n",
        &[("AL204", "Level")],
    );
    let got = run(&format!("{HEAD}rules:\n- Level: Metadata\n"));
    assert!(got[0].2.contains("refuses to start"), "{got:?}");
    // `rule:` instead of `rules:`: one AL204 that says the policy has no rules, no AL202.
    expect("rule", "rule:\n- level: Metadata\n", &[("AL204", "rule")]);
}

#[test]
fn header_checks() {
    let v1beta1 = "apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules:\n- level: Metadata\n";
    let got = run(v1beta1);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        (got[0].0, got[0].1.as_str()),
        ("AL201", "audit.k8s.io/v1beta1")
    );
    assert!(got[0].2.contains("removed in Kubernetes 1.24"));

    let got = run("apiVersion: audit.k8s.io/v1\nkind: Polcy\nrules:\n- level: Metadata\n");
    assert_eq!(
        got.iter().map(|g| (g.0, g.1.as_str())).collect::<Vec<_>>(),
        [("AL201", "Polcy")]
    );
    let got = run("rules:\n- level: Metadata\n");
    assert_eq!(got.iter().filter(|g| g.0 == "AL201").count(), 2, "{got:?}");

    expect("empty rules", "rules: []\n", &[("AL202", "[]")]);
    expect("null rules", "rules:\n", &[("AL202", "rules")]);
    let got = run(HEAD);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "AL202");
}

#[test]
fn no_input_shape_panics() {
    let shapes = [
        "",
        "~",
        "[]",
        "- a\n- b\n",
        "just a string",
        "apiVersion: [audit.k8s.io/v1]\nkind: {a: b}\nrules: 7\n",
        "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [[], ~, 3, {level: [x]}, {resources: 3}, {resources: [~, 3, {group: [1], resourceNames: x}]}, {nonResourceURLs: {a: 1}}, {omitStages: x}]\n",
        "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [~, 1, {}]\nrules:\n- &a {level: Metadata}\n- *a\n- {<<: *a, verbs: [get]}\n",
        "? [complex, key]\n: value\nrules:\n- {? [a]: b, level: None}\n",
    ];
    for s in shapes {
        let (items, _) = parse_all(s);
        for item in items {
            if let Item::Document(doc) = item {
                if let Some(root) = doc.root() {
                    let _ = issues(root, None);
                    let _ = issues(root, Some((1, 20)));
                }
            }
        }
    }
}

#[test]
fn the_embedded_schema_compiles() {
    assert!(schema::validator().is_some());
}

#[test]
fn dns_subdomains() {
    for ok in [
        "apps",
        "rbac.authorization.k8s.io",
        "core",
        "v1",
        "a-b.c",
        "0",
    ] {
        assert!(is_dns_subdomain(ok), "{ok}");
    }
    for bad in ["Apps", "a/b", "-a", "a-", "a..b", ".a", "*", "a_b", ""] {
        assert!(!is_dns_subdomain(bad), "{bad}");
    }
}
