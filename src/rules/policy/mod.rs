//! AL2xx: audit policy content, and AL112 (an apiserver's `--audit-policy-file` that matches
//! no scanned Policy). Content rules run once per Policy document; the rules that need the
//! apiserver that loads a Policy run over the cluster index.

mod auth_failures;
mod body_level;
mod broad_none;
mod catch_all_none;
mod edit;
mod exec_verbs;
mod never_matches;
mod no_catch_all;
mod policy_tests;
mod request_received;
pub mod resolve;
mod secret_bodies;
mod shadowed;
mod unresolved;
pub mod validate;

use std::sync::Arc;

use super::registry::{declared, Check, Rule};
use crate::catalog::Code;
use crate::config::Config;
use crate::context::DocCtx;
use crate::finding::Finding;
use crate::model::policy::matcher::{evaluate, Decision};
use crate::model::policy::probes::{self, Probe};
use crate::model::policy::{self, Policy, PolicyEntry};

pub(super) const RULES: &[Rule] = &[
    Rule {
        codes: &[Code::AL201, Code::AL202, Code::AL203, Code::AL204],
        check: Check::PolicySource(validate::check),
    },
    Rule {
        codes: &[Code::AL210],
        check: Check::Policy(never_matches::check),
    },
    Rule {
        codes: &[Code::AL211],
        check: Check::Policy(exec_verbs::check),
    },
    Rule {
        codes: &[Code::AL213],
        check: Check::Policy(body_level::check),
    },
    Rule {
        codes: &[Code::AL209],
        check: Check::LoadablePolicy(shadowed::check),
    },
    Rule {
        codes: &[Code::AL205],
        check: Check::LoadablePolicy(catch_all_none::check),
    },
    Rule {
        codes: &[Code::AL206],
        check: Check::LoadablePolicy(broad_none::check),
    },
    Rule {
        codes: &[Code::AL207],
        check: Check::LoadablePolicy(no_catch_all::check),
    },
    Rule {
        codes: &[Code::AL208, Code::AL215],
        check: Check::LoadablePolicy(secret_bodies::check),
    },
    Rule {
        codes: &[Code::AL212],
        check: Check::LoadablePolicy(auth_failures::check),
    },
    Rule {
        codes: &[Code::AL214],
        check: Check::LoadablePolicy(request_received::check),
    },
    Rule {
        codes: &[Code::AL216],
        check: Check::Once(policy_tests::check),
    },
    Rule {
        codes: &[Code::AL112],
        check: Check::Cluster(unresolved::check),
    },
    Rule {
        codes: &[Code::AL213],
        check: Check::Cluster(body_level::check_cluster),
    },
];

/// Finds the audit Policies of an object (a Policy, or one embedded in a ConfigMap), runs the
/// policy rules on each, and leaves them in the cluster index for the cross-file rules.
pub(super) fn check_object(cx: &mut DocCtx<'_>) {
    let mut found = Vec::new();
    let mut invalid = Vec::new();
    policy::read(cx.root, cx.file, |root, f| {
        if !f.fragment {
            for rule in super::registry::all() {
                if let Check::PolicySource(check) = rule.check {
                    let findings = check(cx, root);
                    declared(rule, &findings);
                    invalid.extend(findings);
                }
            }
        }
        found.push(f);
    });
    for finding in invalid {
        cx.report(finding);
    }
    for f in found {
        check_policy(cx, &f.policy);
        cx.index.policies.push(PolicyEntry {
            file: Arc::clone(cx.file),
            path: cx.file.path.clone(),
            host_path: f.host_path,
            config_map: f.config_map,
            template: cx.doc.template.clone(),
            span: f.policy.span,
            policy: Arc::new(f.policy),
        });
    }
}

/// The gates: a policy without rules is refused (AL202), one with a missing or unknown level
/// is not loaded (AL203), so what it would log is not analysed.
fn check_policy(cx: &mut DocCtx<'_>, policy: &Policy) {
    if policy.rules.is_empty() {
        return;
    }
    super::registry::run_on(cx, |check, cx| match check {
        Check::Policy(check) => {
            check(cx, policy);
            true
        }
        _ => false,
    });
    if !policy.levels_valid() {
        return;
    }
    let analysis = Analysis::new(policy, cx.config);
    super::registry::run_on(cx, |check, cx| match check {
        Check::LoadablePolicy(check) => {
            check(cx, policy, &analysis);
            true
        }
        _ => false,
    });
}

/// The policy tests of `.auditlint.yaml` (AL216): once per scan, whatever the clusters, since
/// each test file names its policy.
pub fn check_policy_tests(config: &Config, out: &mut Vec<Finding>) {
    super::registry::run_into(out, |check, out| match check {
        Check::Once(check) => {
            check(config, out);
            true
        }
        _ => false,
    });
}

/// Every probe with the policy's decision for it.
pub struct Analysis {
    probes: Arc<[Probe]>,
    /// The probes with a known outcome (by index into `probes`) and their decisions.
    results: Vec<(usize, Decision)>,
}

impl Analysis {
    pub fn new(policy: &Policy, config: &Config) -> Self {
        let probes = probes::shared(&config.extra_probes);
        // A probe decided by a rule that could not be decoded has no known outcome: no
        // finding is drawn from it.
        let results = probes
            .iter()
            .enumerate()
            .map(|(i, p)| (i, evaluate(policy, &p.request, config.version())))
            .filter(|(_, d)| policy.decision_known(d.rule))
            .collect();
        Analysis { probes, results }
    }

    /// The probes with a known outcome, each with its decision.
    pub fn iter(&self) -> impl Iterator<Item = (&Probe, &Decision)> {
        self.results.iter().map(|(i, d)| (&self.probes[*i], d))
    }

    /// The `n`th of [`Analysis::iter`].
    pub fn get(&self, n: usize) -> (&Probe, &Decision) {
        let (i, d) = &self.results[n];
        (&self.probes[*i], d)
    }

    pub fn len(&self) -> usize {
        self.results.len()
    }
}

/// The first rule that matches every request and logs nothing: everything after it is dead.
/// Not a final one after other rules ([`trailing_none`]): nothing comes after it.
pub(crate) fn catch_all_none(policy: &Policy) -> Option<usize> {
    policy
        .rules
        .iter()
        .find(|r| r.is_catch_all())
        .filter(|r| r.level() == Some(policy::Level::None))
        .map(|r| r.index)
        .filter(|&i| Some(i) != trailing_none(policy))
}

/// A last rule `- level: None` with no selector, after other rules. It changes nothing: a
/// request no rule matches is not logged either. What it catches is what a missing catch-all
/// misses (AL207), not rules hidden behind it (AL205).
pub(crate) fn trailing_none(policy: &Policy) -> Option<usize> {
    let last = policy.rules.last()?;
    (policy.rules.len() > 1 && last.is_catch_all() && last.level() == Some(policy::Level::None))
        .then_some(last.index)
}

/// Whether AL207 reports this policy: a request that must be logged reaches no rule, or
/// only a final `- level: None`.
pub(crate) fn misses_catch_all(policy: &Policy, analysis: &Analysis) -> bool {
    let trailing = trailing_none(policy);
    analysis.iter().any(|(p, d)| {
        p.purpose == probes::Purpose::MustLog && (d.rule.is_none() || d.rule == trailing)
    })
}

/// "(and 3 more kinds of request)" for the probes that share a finding beyond the witness,
/// counting distinct verb and resource pairs (not each identity and namespace).
fn more(analysis: &Analysis, probes: &[usize]) -> String {
    let mut kinds: Vec<(&str, &str, &str, &str)> = probes
        .iter()
        .filter_map(|&i| {
            let r = &analysis.get(i).0.request;
            let a = r.resource.as_ref()?;
            Some((
                r.verb.as_str(),
                a.group.as_str(),
                a.resource.as_str(),
                a.subresource.as_str(),
            ))
        })
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    match kinds.len().saturating_sub(1) {
        0 => String::new(),
        1 => " (and 1 more kind of request)".to_owned(),
        n => format!(" (and {n} more kinds of request)"),
    }
}

/// An insertion point after `span`: before the whitespace and newlines that end it, so the
/// label sits at the end of the last line written.
fn after(file: &crate::source::SourceFile, span: crate::yaml::Span) -> crate::yaml::Span {
    let text = file.text.get(..span.start).unwrap_or("");
    crate::yaml::Span::point(text.trim_end().len())
}
