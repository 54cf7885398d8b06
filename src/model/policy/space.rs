//! The request space a set of policies can tell apart. Every selector value the policies name
//! (users, groups, verbs, groups and resources, namespaces, names, URL specs) splits the
//! space; one concrete, possible request is generated for every combination, plus one for
//! "anything else" on each axis. Two requests that agree on every axis match the same rules
//! of these policies, so evaluating the candidates finds every class of requests the
//! policies treat differently, even one no probe names.

use std::collections::{BTreeMap, BTreeSet};

use super::builtin::{self, HTTP_VERBS, RESOURCE_VERBS};
use super::matcher::{Request, Resource, User};
use super::probes;
use super::Policy;

/// Above this many named groups, group sets are single groups and pairs only (all subsets
/// would be too many); the partition is then no longer exhaustive for users in three or
/// more of the named groups at once.
const MAX_GROUPS_EXHAUSTIVE: usize = 8;

/// What the policies name, collected once.
#[derive(Default)]
struct Named {
    users: BTreeSet<String>,
    groups: BTreeSet<String>,
    api_groups: BTreeSet<String>,
    /// Resource names by API group (`*` for entries with `group: "*"`).
    resources: BTreeMap<String, BTreeSet<String>>,
    /// Subresource names (from `R/S` and `*/S`).
    subresources: BTreeSet<String>,
    namespaces: BTreeSet<String>,
    names: BTreeSet<String>,
    urls: BTreeSet<String>,
}

impl Named {
    fn of(policies: &[&Policy]) -> Named {
        let mut n = Named::default();
        for rule in policies.iter().flat_map(|p| &p.rules) {
            n.users.extend(rule.users.iter().map(|u| u.value.clone()));
            n.groups
                .extend(rule.user_groups.iter().map(|g| g.value.clone()));
            n.namespaces
                .extend(rule.namespaces.iter().map(|x| x.value.clone()));
            n.urls
                .extend(rule.non_resource_urls.iter().map(|x| x.value.clone()));
            for gr in &rule.resources {
                let group = gr.group().to_owned();
                n.api_groups.insert(group.clone());
                n.names
                    .extend(gr.resource_names.iter().map(|x| x.value.clone()));
                for r in &gr.resources {
                    let (base, sub) = r.value.split_once('/').unwrap_or((&r.value, ""));
                    if base != "*" && !base.is_empty() {
                        n.resources
                            .entry(group.clone())
                            .or_default()
                            .insert(base.to_owned());
                    }
                    if sub != "*" && !sub.is_empty() {
                        n.subresources.insert(sub.to_owned());
                    }
                }
            }
        }
        n.api_groups.remove("*");
        n
    }
}

/// A value of `pool` that is not in `named`: the "anything else" of an axis.
fn unnamed(pool: &[&str], named: &BTreeSet<String>) -> String {
    pool.iter()
        .find(|p| !named.contains(**p))
        .map(|p| (*p).to_owned())
        .unwrap_or_else(|| {
            (1..)
                .map(|i| format!("{}-{i}", pool[0]))
                .find(|p| !named.contains(p))
                .unwrap_or_default()
        })
}

/// Every candidate request for `policies`: the probe requests first (they are the named
/// ones, preferred as witnesses), then one request per cell of the partition.
pub fn candidates(policies: &[&Policy]) -> Vec<Request> {
    let named = Named::of(policies);
    let mut out: Vec<Request> = probes::all(&[])
        .into_iter()
        .map(|p| p.request)
        .filter(possible)
        .collect();
    let identities = identities(policies, &named);
    let attrs = resource_attrs(&named);
    for user in &identities {
        for (verb, attrs) in &attrs {
            out.push(Request::resource(user.clone(), verb, attrs.clone()));
        }
    }
    let paths = paths(&named.urls);
    for user in &identities {
        for verb in HTTP_VERBS {
            for path in &paths {
                out.push(Request::non_resource(user.clone(), verb, path));
            }
        }
    }
    out
}

/// Whether the apiserver can receive `request` (built-in resources serve only some verbs,
/// subresources and scopes).
pub fn possible(request: &Request) -> bool {
    match &request.resource {
        Some(r) => builtin::possible(
            &request.verb,
            &r.group,
            &r.resource,
            &r.subresource,
            &r.namespace,
            &r.name,
        ),
        None => HTTP_VERBS.contains(&request.verb.as_str()),
    }
}

/// Failed authentication, and one identity per way the policies' `users` and `userGroups`
/// lists can see an authenticated user (identities every rule sees alike are one).
fn identities(policies: &[&Policy], named: &Named) -> Vec<Option<User>> {
    let user_lists: Vec<Vec<&str>> = policies
        .iter()
        .flat_map(|p| &p.rules)
        .filter(|r| !r.users.is_empty())
        .map(|r| r.users.iter().map(|u| u.value.as_str()).collect())
        .collect();
    let group_lists: Vec<Vec<&str>> = policies
        .iter()
        .flat_map(|p| &p.rules)
        .filter(|r| !r.user_groups.is_empty())
        .map(|r| r.user_groups.iter().map(|g| g.value.as_str()).collect())
        .collect();
    let mut names: Vec<String> = vec![unnamed(
        &["alice@example.com", "bob@example.com"],
        &named.users,
    )];
    names.extend(named.users.iter().cloned());
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for set in group_sets(&named.groups) {
        for name in &names {
            let signature: Vec<bool> = user_lists
                .iter()
                .map(|l| l.contains(&name.as_str()))
                .chain(
                    group_lists
                        .iter()
                        .map(|l| set.iter().any(|g| l.contains(&g.as_str()))),
                )
                .collect();
            if seen.insert(signature) {
                out.push(Some(User {
                    name: name.clone(),
                    groups: set.clone(),
                }));
            }
        }
    }
    // Failed authentication last: witnesses are the first request of a class, and an
    // ordinary user makes the clearer one.
    out.push(None);
    out
}

/// Group sets to try: every subset of the named groups (single groups and pairs beyond
/// [`MAX_GROUPS_EXHAUSTIVE`]). Authenticated users always carry `system:authenticated`; the
/// anonymous user carries `system:unauthenticated` instead.
fn group_sets(named: &BTreeSet<String>) -> Vec<Vec<String>> {
    const AUTH: &str = "system:authenticated";
    const UNAUTH: &str = "system:unauthenticated";
    let groups: Vec<&String> = named
        .iter()
        .filter(|g| *g != AUTH && *g != UNAUTH)
        .collect();
    let mut subsets: Vec<Vec<&String>> = Vec::new();
    if groups.len() <= MAX_GROUPS_EXHAUSTIVE {
        for mask in 0u32..(1 << groups.len()) {
            subsets.push(
                (0..groups.len())
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| groups[i])
                    .collect(),
            );
        }
    } else {
        subsets.push(Vec::new());
        for (i, a) in groups.iter().enumerate() {
            subsets.push(vec![a]);
            for b in &groups[i + 1..] {
                subsets.push(vec![a, b]);
            }
        }
    }
    let mut out = Vec::new();
    for s in subsets {
        let mut set: Vec<String> = s.into_iter().cloned().collect();
        let mut anonymous = set.clone();
        set.insert(0, AUTH.to_owned());
        out.push(set);
        if named.contains(UNAUTH) {
            anonymous.insert(0, UNAUTH.to_owned());
            out.push(anonymous);
        }
    }
    out
}

/// (verb, attributes) of every possible resource request the policies can tell apart.
fn resource_attrs(named: &Named) -> Vec<(&'static str, Resource)> {
    let custom = unnamed(&["example.com", "example.org"], &named.api_groups);
    let mut groups: BTreeSet<String> = named.api_groups.clone();
    groups.extend(
        builtin::RESOURCES
            .iter()
            .flat_map(|r| r.groups.iter().map(|g| (*g).to_owned())),
    );
    groups.insert(custom);
    // Ordinary values first (a class's witness is its first request), named ones after.
    let mut namespaces: Vec<String> = vec![unnamed(&["default", "team-a"], &named.namespaces)];
    namespaces.extend(named.namespaces.iter().filter(|n| !n.is_empty()).cloned());
    namespaces.push(String::new());
    let mut names: Vec<String> = vec![
        String::new(),
        unnamed(&["example", "example-2"], &named.names),
    ];
    names.extend(named.names.iter().filter(|n| !n.is_empty()).cloned());
    let wildcard = named.resources.get("*");
    let mut out = Vec::new();
    for group in &groups {
        let mut resources: BTreeSet<String> = builtin::RESOURCES
            .iter()
            .filter(|r| r.groups.contains(&group.as_str()))
            .map(|r| r.name.to_owned())
            .collect();
        resources.extend(named.resources.get(group).into_iter().flatten().cloned());
        resources.extend(wildcard.into_iter().flatten().cloned());
        if !builtin::BUILTIN_GROUPS.contains(&group.as_str()) {
            resources.insert(unnamed(
                &["widgets", "gadgets"],
                &named.resources.values().flatten().cloned().collect(),
            ));
        }
        for resource in &resources {
            let known = builtin::served(group, resource);
            let mut subs: BTreeSet<&str> = BTreeSet::from([""]);
            match known {
                Some(b) => subs.extend(b.subresources.iter().map(|(s, _)| *s)),
                None => {
                    subs.insert("status");
                    subs.extend(named.subresources.iter().map(String::as_str));
                }
            }
            for sub in subs {
                for verb in RESOURCE_VERBS {
                    for ns in &namespaces {
                        let names: Box<dyn Iterator<Item = &String>> = if resource == "namespaces" {
                            Box::new(names.iter().chain(&namespaces))
                        } else {
                            Box::new(names.iter())
                        };
                        for name in names {
                            if builtin::possible(verb, group, resource, sub, ns, name) {
                                out.push((
                                    *verb,
                                    Resource {
                                        group: group.clone(),
                                        resource: resource.clone(),
                                        subresource: sub.to_owned(),
                                        namespace: ns.clone(),
                                        name: name.clone(),
                                    },
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// Paths that tell the URL specs apart: each exact spec, each prefix itself and extended
/// past every longer spec, and one path no spec names.
fn paths(urls: &BTreeSet<String>) -> Vec<String> {
    let mut out: BTreeSet<String> = [
        "/healthz",
        "/livez",
        "/readyz",
        "/metrics",
        "/version",
        "/api",
        "/apis",
        "/openapi/v2",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let extend = |base: &str| -> String {
        ["/x", "-x", "_x", "x", "/"]
            .iter()
            .map(|ext| format!("{base}{ext}"))
            .chain((0..).map(|i| format!("{base}~{i}")))
            .find(|p| {
                !urls.contains(p)
                    && !urls.iter().any(|s| {
                        let prefix = s.trim_end_matches('*');
                        s.ends_with('*') && prefix.len() > base.len() && p.starts_with(prefix)
                    })
            })
            .unwrap_or_default()
    };
    for spec in urls {
        if spec == "*" {
            continue;
        }
        let base = spec.trim_end_matches('*');
        out.insert(base.to_owned());
        if spec.ends_with('*') {
            out.insert(extend(base));
        }
    }
    out.insert(extend("/unnamed"));
    out.into_iter().collect()
}
