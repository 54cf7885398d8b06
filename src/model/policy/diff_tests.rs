//! `policy diff` against `policy explain` (the matcher): on random pairs of generated
//! policies, every reported class is confirmed on its witness, and every random request the
//! two policies treat differently falls in a reported class.

use super::builtin::RESOURCE_VERBS;
use super::diff::{diff, Outcome};
use super::matcher::{evaluate, Request, Resource, User};
use super::{space, Policy};
use crate::policy_cmd::load_text;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn some<'a>(&mut self, items: &[&'a str], max: usize) -> Vec<&'a str> {
        let n = 1 + self.below(max);
        let mut out: Vec<&str> = (0..n).map(|_| self.pick(items)).collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

const USERS: &[&str] = &[
    "alice",
    "system:kube-proxy",
    "system:serviceaccount:kube-system:x",
];
const GROUPS: &[&str] = &[
    "system:nodes",
    "devs",
    "system:serviceaccounts",
    "system:authenticated",
];
const VERBS: &[&str] = &[
    "get", "list", "watch", "create", "update", "patch", "delete",
];
const API_GROUPS: &[&str] = &["", "apps", "example.com", "*", "authentication.k8s.io"];
const RESOURCES: &[&str] = &[
    "pods",
    "pods/exec",
    "pods/*",
    "*/status",
    "*",
    "secrets",
    "deployments",
    "widgets",
    "deployments/scale",
    "serviceaccounts/token",
    "tokenreviews",
];
const NAMESPACES: &[&str] = &["kube-system", "default", ""];
const NAMES: &[&str] = &["example", "x"];
const URLS: &[&str] = &["/healthz*", "/metrics", "*", "/api*", "/apis/x", "/logs/*"];
const LEVELS: &[&str] = &["None", "Metadata", "Request", "RequestResponse"];
const STAGES: &[&str] = &["RequestReceived", "ResponseStarted", "ResponseComplete"];

fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

fn random_policy(rng: &mut Rng) -> Policy {
    let mut yaml = String::from("apiVersion: audit.k8s.io/v1\nkind: Policy\n");
    if rng.chance(20) {
        yaml += &format!("omitStages: {}\n", list(&rng.some(STAGES, 1)));
    }
    yaml += "rules:\n";
    for _ in 0..1 + rng.below(6) {
        yaml += &format!("- level: {}\n", rng.pick(LEVELS));
        if rng.chance(25) {
            yaml += &format!("  users: {}\n", list(&rng.some(USERS, 2)));
        }
        if rng.chance(25) {
            yaml += &format!("  userGroups: {}\n", list(&rng.some(GROUPS, 2)));
        }
        if rng.chance(40) {
            yaml += &format!("  verbs: {}\n", list(&rng.some(VERBS, 3)));
        }
        match rng.below(4) {
            0 => yaml += &format!("  nonResourceURLs: {}\n", list(&rng.some(URLS, 2))),
            1 | 2 => {
                if rng.chance(40) {
                    yaml += &format!("  namespaces: {}\n", list(&rng.some(NAMESPACES, 2)));
                }
                if rng.chance(80) {
                    yaml += "  resources:\n";
                    for _ in 0..1 + rng.below(2) {
                        yaml += &format!("  - group: {:?}\n", rng.pick(API_GROUPS));
                        if rng.chance(80) {
                            yaml += &format!("    resources: {}\n", list(&rng.some(RESOURCES, 3)));
                            if rng.chance(15) {
                                yaml +=
                                    &format!("    resourceNames: {}\n", list(&rng.some(NAMES, 1)));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        if rng.chance(20) {
            yaml += &format!("  omitStages: {}\n", list(&rng.some(STAGES, 2)));
        }
    }
    load_text("p.yaml", &yaml).1.remove(0)
}

/// A random request the apiserver can receive, over the values the policies name and more.
fn random_request(rng: &mut Rng) -> Request {
    loop {
        let user = (!rng.chance(10)).then(|| {
            let mut groups = vec!["system:authenticated".to_owned()];
            groups.extend(
                rng.some(
                    &["system:nodes", "devs", "system:serviceaccounts", "other"],
                    3,
                )
                .into_iter()
                .filter(|_| rng.chance(60))
                .map(str::to_owned),
            );
            User {
                name: rng
                    .pick(&[
                        "alice",
                        "carol",
                        "system:kube-proxy",
                        "system:serviceaccount:kube-system:x",
                    ])
                    .to_owned(),
                groups,
            }
        });
        let request = if rng.chance(20) {
            Request::non_resource(
                user,
                rng.pick(&["get", "post", "put", "delete", "head"]),
                rng.pick(&[
                    "/healthz",
                    "/healthz/etcd",
                    "/healthzfoo",
                    "/metrics",
                    "/metricsx",
                    "/api",
                    "/apis/x",
                    "/apis/xy",
                    "/logs/a",
                    "/logs",
                    "/version",
                ]),
            )
        } else {
            let target = rng.pick(&[
                "pods",
                "pods/exec",
                "pods/log",
                "pods/status",
                "secrets",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "widgets",
                "widgets/status",
                "serviceaccounts/token",
                "tokenreviews",
                "configmaps",
                "gadgets",
            ]);
            let (resource, sub) = target.split_once('/').unwrap_or((target, ""));
            Request::resource(
                user,
                rng.pick(RESOURCE_VERBS),
                Resource {
                    group: rng
                        .pick(&[
                            "",
                            "apps",
                            "example.com",
                            "authentication.k8s.io",
                            "example.org",
                        ])
                        .to_owned(),
                    resource: resource.to_owned(),
                    subresource: sub.to_owned(),
                    namespace: rng
                        .pick(&["kube-system", "default", "", "team-b"])
                        .to_owned(),
                    name: rng.pick(&["example", "x", "", "zzz"]).to_owned(),
                },
            )
        };
        if space::possible(&request) {
            return request;
        }
    }
}

#[test]
fn every_reported_class_is_confirmed_and_every_difference_is_reported() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for round in 0..60 {
        let (old, new) = (random_policy(&mut rng), random_policy(&mut rng));
        let classes = diff(&old, &new, None);
        for c in &classes {
            let (a, b) = (
                evaluate(&old, &c.witness, None),
                evaluate(&new, &c.witness, None),
            );
            assert_eq!(
                (a.rule, a.level),
                (c.old.rule, c.old.level),
                "round {round}"
            );
            assert_eq!(
                (b.rule, b.level),
                (c.new.rule, c.new.level),
                "round {round}"
            );
            assert_ne!(Outcome::of(&a), Outcome::of(&b), "round {round}");
            assert!(
                space::possible(&c.witness),
                "round {round}: {:?}",
                c.witness
            );
        }
        for _ in 0..300 {
            let r = random_request(&mut rng);
            let (a, b) = (evaluate(&old, &r, None), evaluate(&new, &r, None));
            if Outcome::of(&a) == Outcome::of(&b) {
                continue;
            }
            assert!(
                classes.iter().any(|c| c.old.rule == a.rule
                    && c.new.rule == b.rule
                    && Outcome::of(&c.old) == Outcome::of(&a)
                    && Outcome::of(&c.new) == Outcome::of(&b)),
                "round {round}: {} differs ({:?} → {:?}) but no class holds it",
                r.describe(),
                a,
                b
            );
        }
    }
}
