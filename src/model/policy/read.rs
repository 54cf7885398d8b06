//! Finding Policies in a document and reading them into the model: a Policy document, a
//! Policy held as a string in a ConfigMap's `data`, or in a Cluster API `files[]` entry
//! (`KubeadmControlPlane`, `KubeadmConfig` and their templates write the file on the node),
//! a kops `Cluster`'s or `InstanceGroup`'s `spec.fileAssets[]` entry (nodeup writes `content`
//! to `path`), or a
//! Talos machine configuration's `cluster.apiServer.auditPolicy` or an RKE `cluster.yml`'s
//! `audit_log.configuration.policy` (the distribution writes it to the file its
//! kube-apiserver loads).

use super::{GroupResources, Located, Policy, Rule};
use crate::source::SourceFile;
use crate::yaml::{parse_embedded, Item, Node, Span};

/// One Policy found in a document.
pub struct Found {
    pub policy: Policy,
    /// The host path the Policy is written to (Cluster API `files[].path`).
    pub host_path: Option<String>,
    /// The ConfigMap (name, key) that holds the Policy.
    pub config_map: Option<(String, String)>,
    /// Only the rules are written (kubespray's `audit_policy_custom_rules`); the distribution
    /// writes the rest of the document, so there is no header or structure to validate.
    pub fragment: bool,
}

/// Calls `each` with the root node of every Policy in the document `root` of `file`, and
/// its model. Embedded Policies are parsed here, with spans in `file`'s coordinates.
pub fn read(root: Node<'_>, file: &SourceFile, mut each: impl FnMut(Node<'_>, Found)) {
    if is_policy(root) {
        let policy = policy_from(root);
        each(
            root,
            Found {
                policy,
                host_path: None,
                config_map: None,
                fragment: false,
            },
        );
        return;
    }
    match root.get_str("kind") {
        Some("ConfigMap") => {
            let Some(data) = root.get("data") else { return };
            let name = root.path(&["metadata", "name"]).and_then(|n| n.str());
            for (key, value) in data.entries() {
                let config_map = name
                    .zip(key.text())
                    .map(|(n, k)| (n.to_owned(), k.to_owned()));
                embedded(file, value, None, config_map, &mut each);
            }
        }
        Some(kind) if kind.starts_with("Kubeadm") => {
            const FILES: [&[&str]; 4] = [
                &["spec", "kubeadmConfigSpec", "files"],
                &["spec", "files"],
                &["spec", "template", "spec", "files"],
                &["spec", "template", "spec", "kubeadmConfigSpec", "files"],
            ];
            for path in FILES {
                let Some(files) = root.path(path) else {
                    continue;
                };
                for entry in files.items() {
                    let Some(content) = entry.get("content") else {
                        continue;
                    };
                    let host_path = entry.get_str("path").map(str::to_owned);
                    embedded(file, content, host_path, None, &mut each);
                }
            }
        }
        Some(kind @ ("Cluster" | "InstanceGroup"))
            if crate::model::is_object(root, kind, "kops.k8s.io") =>
        {
            let assets = root.path(&["spec", "fileAssets"]);
            for entry in assets.into_iter().flat_map(|a| a.items()) {
                let Some(content) = entry.get("content") else {
                    continue;
                };
                let host_path = entry.get_str("path").map(str::to_owned);
                embedded(file, content, host_path, None, &mut each);
            }
        }
        _ => {
            if let Some((rules, host_path)) = crate::model::apiserver::kubespray_custom_rules(root)
            {
                for item in parse_embedded(&file.text, rules) {
                    let Item::Document(doc) = item else { continue };
                    let Some(list) = doc.root().filter(|r| r.is_seq()) else {
                        continue;
                    };
                    each(
                        list,
                        Found {
                            policy: fragment_from(list),
                            host_path: Some(host_path.clone()),
                            config_map: None,
                            fragment: true,
                        },
                    );
                }
            }
            if let Some((policy, host_path)) = crate::model::apiserver::inline_policy(root) {
                each(
                    policy,
                    Found {
                        policy: policy_from(policy),
                        host_path: Some(host_path.to_owned()),
                        config_map: None,
                        fragment: false,
                    },
                );
            }
        }
    }
}

fn embedded(
    file: &SourceFile,
    value: Node<'_>,
    host_path: Option<String>,
    config_map: Option<(String, String)>,
    each: &mut impl FnMut(Node<'_>, Found),
) {
    // Cheap filter before parsing the string as YAML.
    if !value.text().is_some_and(|t| t.contains("Policy")) {
        return;
    }
    for item in parse_embedded(&file.text, value) {
        let Item::Document(doc) = item else { continue };
        let Some(inner) = doc.root() else { continue };
        if is_policy(inner) {
            let policy = policy_from(inner);
            each(
                inner,
                Found {
                    policy,
                    host_path: host_path.clone(),
                    config_map: config_map.clone(),
                    fragment: false,
                },
            );
        }
    }
}

/// `apiVersion: audit.k8s.io/*` and `kind: Policy`.
pub fn is_policy(root: Node<'_>) -> bool {
    root.get_str("kind") == Some("Policy")
        && root
            .get_str("apiVersion")
            .is_some_and(|v| v.starts_with("audit.k8s.io/"))
}

/// Reads a Policy node into the model. Values of the wrong type are skipped (the apiserver
/// rejects them; that is the validator's finding, not a guess made here).
pub fn policy_from(root: Node<'_>) -> Policy {
    let rules_entry = root.entry("rules");
    let rule_nodes: Vec<Node<'_>> = rules_entry
        .map(|(_, v)| v.items().collect())
        .unwrap_or_default();
    let rules_end = match (rule_nodes.last(), rules_entry) {
        (Some(last), _) => Span::point(last.span().end),
        (None, Some((key, value))) => Span::point(value.span().end.max(key.span().end)),
        (None, None) => Span::point(root.span().end),
    };
    let omit_stages_node = root.get("omitStages");
    Policy {
        api_version: located(root.get("apiVersion")),
        span: root.span(),
        rules_key: rules_entry.map(|(k, _)| k.span()),
        rules_end,
        omit_stages_span: omit_stages_node.map(Node::span),
        omit_stages: strings(omit_stages_node),
        omit_managed_fields: root
            .get("omitManagedFields")
            .and_then(|n| n.scalar()?.as_bool()),
        rules: rule_nodes
            .into_iter()
            .enumerate()
            .map(|(index, node)| rule_from(index, node))
            .collect(),
    }
}

/// A Policy of which only the `rules` list is written.
fn fragment_from(rules: Node<'_>) -> Policy {
    let rule_nodes: Vec<Node<'_>> = rules.items().collect();
    Policy {
        api_version: None,
        span: rules.span(),
        rules_key: None,
        rules_end: Span::point(rule_nodes.last().map_or(rules.span().end, |r| r.span().end)),
        omit_stages_span: None,
        omit_stages: Vec::new(),
        omit_managed_fields: None,
        rules: rule_nodes
            .into_iter()
            .enumerate()
            .map(|(index, node)| rule_from(index, node))
            .collect(),
    }
}

fn rule_from(index: usize, node: Node<'_>) -> Rule {
    let undecodable = undecodable(node);
    // A selector that cannot be decoded is read as absent ("every"): the widest reading, so
    // that "does not match" stays certain (see `Policy::decision_known`).
    let get = |key: &str| {
        node.get(key)
            .filter(|_| undecodable.is_none_or(|(bad, _)| bad != key))
    };
    let verbs = get("verbs");
    let omit = node.get("omitStages");
    Rule {
        index,
        span: node.span(),
        level_raw: located(node.get("level")),
        users: strings(get("users")),
        user_groups: strings(get("userGroups")),
        verbs: strings(verbs),
        verbs_span: verbs.map(Node::span),
        resources: get("resources")
            .map(|r| r.items().map(group_resources).collect())
            .unwrap_or_default(),
        namespaces: strings(get("namespaces")),
        non_resource_urls: strings(get("nonResourceURLs")),
        omit_stages: strings(omit),
        omit_stages_span: omit.map(Node::span),
        omit_managed_fields: node
            .get("omitManagedFields")
            .and_then(|n| n.scalar()?.as_bool()),
        undecodable: undecodable.map(|(_, span)| span),
    }
}

/// The first selector of a rule whose value is not what it must be (a list of strings; for
/// `resources`, a list of mappings with a string `group` and lists of strings), and where.
fn undecodable(rule: Node<'_>) -> Option<(&'static str, Span)> {
    const LISTS: [&str; 6] = [
        "users",
        "userGroups",
        "verbs",
        "namespaces",
        "nonResourceURLs",
        "resources",
    ];
    let bad_list = |n: Node<'_>| -> Option<Span> {
        if n.is_null() {
            return None;
        }
        if !n.is_seq() {
            return Some(n.span());
        }
        n.items()
            .find(|i| !i.is_null() && !i.is_scalar())
            .map(|i| i.span())
    };
    for key in LISTS {
        let Some(value) = rule.get(key) else { continue };
        if key != "resources" {
            if let Some(span) = bad_list(value) {
                return Some((key, span));
            }
            continue;
        }
        if !value.is_null() && !value.is_seq() {
            return Some((key, value.span()));
        }
        for entry in value.items() {
            if !entry.is_map() {
                return Some((key, entry.span()));
            }
            for field in ["resources", "resourceNames"] {
                if let Some(span) = entry.get(field).and_then(bad_list) {
                    return Some((key, span));
                }
            }
            if let Some(g) = entry
                .get("group")
                .filter(|g| !g.is_null() && !g.is_scalar())
            {
                return Some((key, g.span()));
            }
        }
    }
    None
}

fn group_resources(node: Node<'_>) -> GroupResources {
    GroupResources {
        span: node.span(),
        group: node.get("group").map(|g| Located {
            value: string_value(g).unwrap_or_default().to_owned(),
            span: g.span(),
        }),
        resources: strings(node.get("resources")),
        resource_names: strings(node.get("resourceNames")),
    }
}

/// A string as the apiserver's JSON decoding sees it: `null` (or nothing) is `""`.
fn string_value(node: Node<'_>) -> Option<&str> {
    if node.is_null() {
        return Some("");
    }
    if node.is_scalar() {
        node.str()
    } else {
        None
    }
}

fn located(node: Option<Node<'_>>) -> Option<Located> {
    let node = node?;
    Some(Located {
        value: string_value(node)?.to_owned(),
        span: node.span(),
    })
}

fn strings(node: Option<Node<'_>>) -> Vec<Located> {
    node.map(|n| n.items().filter_map(|i| located(Some(i))).collect())
        .unwrap_or_default()
}
