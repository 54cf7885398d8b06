//! Probe requests: representative requests the AL2xx rules evaluate against a Policy. The
//! sets are data (`rules/probes.yaml`), embedded in the binary and extendable from the
//! configuration.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use super::matcher::{Request, Resource, User};
use super::Level;
use crate::yaml::{parse_all, Item, Node};

/// What a probe is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Logging it at `leak` or above records a secret (AL208).
    Sensitive { leak: Level },
    /// It must be logged at least at `Metadata` (AL206, AL207).
    MustLog,
}

#[derive(Debug, Clone)]
pub struct Probe {
    pub request: Request,
    pub purpose: Purpose,
}

/// A probe set as written in `rules/probes.yaml`: resources and verbs, expanded over the
/// identities and namespaces.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProbeSpec {
    pub group: String,
    pub resource: String,
    pub subresource: String,
    /// Cluster-scoped: probed with namespace `""` only.
    pub cluster: bool,
    /// Namespaces to probe instead of the default ones.
    pub namespaces: Vec<String>,
    pub verbs: Vec<String>,
    /// `Some` for sensitive probes: verbs whose request body carries the secret.
    pub body_verbs: Option<Vec<String>>,
}

struct Data {
    identities: Vec<User>,
    namespaces: Vec<String>,
    name: String,
    specs: Vec<ProbeSpec>,
}

const PROBES_YAML: &str = include_str!("../../../rules/probes.yaml");

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| parse(PROBES_YAML).unwrap_or_else(|e| panic!("rules/probes.yaml: {e}")))
}

fn parse(text: &str) -> Result<Data, String> {
    let (items, _) = parse_all(text);
    let Some(Item::Document(doc)) = items.into_iter().next() else {
        return Err("not a YAML document".into());
    };
    let root = doc.root().ok_or("empty")?;
    let strings = |n: Option<Node<'_>>| -> Vec<String> {
        n.map(|n| {
            n.items()
                .filter_map(|i| i.text().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
    };
    let identities = root
        .get("identities")
        .ok_or("missing `identities`")?
        .items()
        .map(|i| User {
            name: i.get_str("name").unwrap_or_default().to_owned(),
            groups: strings(i.get("groups")),
        })
        .collect();
    let mut specs = Vec::new();
    for (key, sensitive) in [("sensitive", true), ("must_log", false)] {
        for s in root.get(key).ok_or(format!("missing `{key}`"))?.items() {
            let text = |k: &str| s.get(k).and_then(|n| n.text()).unwrap_or("").to_owned();
            specs.push(ProbeSpec {
                group: text("group"),
                resource: text("resource"),
                subresource: text("subresource"),
                cluster: s.get("cluster").and_then(|n| n.scalar()?.as_bool()) == Some(true),
                namespaces: strings(s.get("namespaces")),
                verbs: strings(s.get("verbs")),
                body_verbs: sensitive.then(|| strings(s.get("body_verbs"))),
            });
        }
    }
    Ok(Data {
        identities,
        namespaces: strings(root.get("namespaces")),
        name: root.get_str("name").unwrap_or("example").to_owned(),
        specs,
    })
}

/// The probe identities (a human user and a workload service account).
pub fn identities() -> &'static [User] {
    &data().identities
}

/// The built-in probe sets.
pub fn specs() -> &'static [ProbeSpec] {
    &data().specs
}

/// Every probe: the built-in sets plus `extra`, expanded over identities and namespaces.
pub fn all(extra: &[ProbeSpec]) -> Vec<Probe> {
    let d = data();
    let mut out = Vec::new();
    for spec in d.specs.iter().chain(extra) {
        expand(spec, d, &mut out);
    }
    out
}

/// [`all`], expanded once for the extra probes of a scan: every policy in it is checked
/// against the same probes, and expanding them again for each took as long as checking.
pub fn shared(extra: &[ProbeSpec]) -> Arc<[Probe]> {
    type Expanded = (Vec<ProbeSpec>, Arc<[Probe]>);
    static LAST: Mutex<Option<Expanded>> = Mutex::new(None);
    let mut last = LAST.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((specs, probes)) = &*last {
        if specs == extra {
            return Arc::clone(probes);
        }
    }
    let probes: Arc<[Probe]> = all(extra).into();
    *last = Some((extra.to_vec(), Arc::clone(&probes)));
    probes
}

fn expand(spec: &ProbeSpec, d: &Data, out: &mut Vec<Probe>) {
    for verb in &spec.verbs {
        let purpose = match &spec.body_verbs {
            Some(body) if body.contains(verb) => Purpose::Sensitive {
                leak: Level::Request,
            },
            Some(_) => Purpose::Sensitive {
                leak: Level::RequestResponse,
            },
            None => Purpose::MustLog,
        };
        let collection = matches!(verb.as_str(), "list" | "watch");
        let mut namespaces: Vec<&str> = if spec.cluster {
            vec![""]
        } else if !spec.namespaces.is_empty() {
            spec.namespaces.iter().map(String::as_str).collect()
        } else {
            d.namespaces.iter().map(String::as_str).collect()
        };
        if collection && !spec.cluster {
            namespaces.push("");
        }
        // Names come from the URL: none on create (except of a subresource of a named
        // object) and none on list/watch.
        let name = if collection || (verb == "create" && spec.subresource.is_empty()) {
            ""
        } else {
            d.name.as_str()
        };
        for ns in namespaces {
            // Only requests the apiserver can receive (a TokenRequest is only ever created):
            // a finding's witness must be a request someone can make.
            if !super::builtin::possible(
                verb,
                &spec.group,
                &spec.resource,
                &spec.subresource,
                ns,
                name,
            ) {
                continue;
            }
            for user in &d.identities {
                out.push(Probe {
                    request: Request::resource(
                        Some(user.clone()),
                        verb,
                        Resource {
                            group: spec.group.clone(),
                            resource: spec.resource.clone(),
                            subresource: spec.subresource.clone(),
                            namespace: ns.to_owned(),
                            name: name.to_owned(),
                        },
                    ),
                    purpose,
                });
            }
        }
    }
}

/// Requests from clients whose authentication failed: the apiserver logs them only at
/// `ResponseStarted`, and no user is known. Resource requests only: dropping discovery
/// (`/api*`) hits without a user filter is a common, deliberate noise cut, not a lost 401 trail.
pub fn failed_authentication() -> Vec<Request> {
    vec![
        Request::resource(
            None,
            "get",
            Resource {
                resource: "secrets".into(),
                namespace: "default".into(),
                name: data().name.clone(),
                ..Resource::default()
            },
        ),
        Request::resource(
            None,
            "list",
            Resource {
                resource: "pods".into(),
                ..Resource::default()
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_data_loads_with_the_documented_sets() {
        assert_eq!(identities().len(), 2);
        assert_eq!(identities()[0].name, "alice@example.com");
        assert!(identities()[1]
            .groups
            .contains(&"system:serviceaccounts:default".to_owned()));
        let probes = all(&[]);
        let has = |verb: &str, res: &str, sub: &str, ns: &str, purpose: Purpose| {
            probes.iter().any(|p| {
                let r = p.request.resource.as_ref().unwrap();
                p.request.verb == verb
                    && r.resource == res
                    && r.subresource == sub
                    && r.namespace == ns
                    && p.purpose == purpose
            })
        };
        let leak_body = Purpose::Sensitive {
            leak: Level::Request,
        };
        let leak_resp = Purpose::Sensitive {
            leak: Level::RequestResponse,
        };
        assert!(has("create", "secrets", "", "default", leak_body));
        assert!(has("list", "secrets", "", "", leak_resp));
        assert!(has(
            "create",
            "serviceaccounts",
            "token",
            "default",
            leak_resp
        ));
        // Impossible requests are not probed: TokenRequests and TokenReviews are only created.
        assert!(!has(
            "get",
            "serviceaccounts",
            "token",
            "default",
            leak_resp
        ));
        assert!(!has("list", "tokenreviews", "", "", leak_resp));
        assert!(probes.iter().all(|p| {
            let r = p.request.resource.as_ref().unwrap();
            r.resource != "tokenreviews" || p.request.verb == "create"
        }));
        assert!(has("get", "pods", "exec", "kube-system", Purpose::MustLog));
        assert!(has(
            "update",
            "configmaps",
            "",
            "kube-system",
            Purpose::MustLog
        ));
        assert!(!has(
            "update",
            "configmaps",
            "",
            "default",
            Purpose::MustLog
        ));
        assert!(has("create", "clusterroles", "", "", Purpose::MustLog));
        // Cluster-scoped resources are never probed in a namespace.
        assert!(!has(
            "create",
            "clusterroles",
            "",
            "default",
            Purpose::MustLog
        ));
        // An ordinary name, except where the URL has none.
        let get = probes
            .iter()
            .find(|p| {
                p.request.verb == "get"
                    && p.request.resource.as_ref().unwrap().resource == "secrets"
            })
            .unwrap();
        assert_eq!(get.request.resource.as_ref().unwrap().name, "example");
        let create = probes
            .iter()
            .find(|p| {
                p.request.verb == "create"
                    && p.request.resource.as_ref().unwrap().resource == "secrets"
            })
            .unwrap();
        assert_eq!(create.request.resource.as_ref().unwrap().name, "");
    }
}
