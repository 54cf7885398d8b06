//! The registry: every rule, with the codes it reports and the view of the input it needs.
//! Each family lists its rules in its `RULES` table; the dispatchers in [`super`] build each
//! view once and run the rules registered for it. Gating is part of the view ("a Policy the
//! apiserver would load"), so no rule is ordered by hand around another's checks.

use crate::catalog::Code;
use crate::cluster::ClusterIndex;
use crate::config::Config;
use crate::context::DocCtx;
use crate::finding::Finding;
use crate::fix::Safety;
use crate::model::apiserver::ApiServerConfig;
use crate::model::policy::Policy;
use crate::model::seccomp::Profile;
use crate::model::workload::PodTemplate;
use crate::yaml::Node;

use super::forwarding::Scan;
use super::policy::Analysis;

/// One rule: the codes it may report and what it looks at. Whether its findings can carry a
/// fix ([`Finding::fix`]) is declared with the code, in `rules/` (`fix:`).
pub struct Rule {
    pub codes: &'static [Code],
    pub check: Check,
}

/// The view a rule needs, and the function that checks it.
pub enum Check {
    /// Reported by the scan itself (unreadable input, syntax, templates, suppressions).
    Scan,
    /// Each document as parsed, once (not each item of a `kind: List`).
    Document(fn(&mut DocCtx<'_>)),
    /// Each Kubernetes object: a document, or an item of a `kind: List`.
    Object(fn(&mut DocCtx<'_>)),
    /// Each kube-apiserver configuration found in an object.
    ApiServer(fn(&mut DocCtx<'_>, &ApiServerConfig)),
    /// Each audit Policy as written, before decoding (its root node, which may be embedded in
    /// a ConfigMap); returns its findings.
    PolicySource(fn(&DocCtx<'_>, Node<'_>) -> Vec<Finding>),
    /// Each audit Policy with at least one rule (the apiserver refuses one without, AL202).
    Policy(fn(&mut DocCtx<'_>, &Policy)),
    /// Each audit Policy the apiserver would load (every rule has a valid level), with what
    /// it logs for every probe.
    LoadablePolicy(fn(&mut DocCtx<'_>, &Policy, &Analysis)),
    /// Each seccomp profile (a profile file, or a security-profiles-operator object).
    Seccomp(fn(&mut DocCtx<'_>, &Profile<'_>)),
    /// Each pod template (a Pod, or the template of a workload controller).
    Workload(fn(&mut DocCtx<'_>, PodTemplate<'_>)),
    /// Once per scan, whatever its clusters (policy tests name their own files).
    Once(fn(&Config, &mut Vec<Finding>)),
    /// Once per cluster, over its index, after every file is read.
    Cluster(fn(&ClusterIndex, &Config, &mut Vec<Finding>)),
    /// As `Cluster`, also over files that configure no cluster (an application repository):
    /// for rules whose finding holds wherever the workload runs unless the cluster's own files
    /// say otherwise.
    AnyCluster(fn(&ClusterIndex, &Config, &mut Vec<Finding>)),
    /// Once over the log forwarders and apiservers, when the scan defines a cluster.
    Forwarding(fn(&Scan<'_>, &Config, &mut Vec<Finding>)),
    /// Once per cluster over its managed control planes and what exports their logs (log
    /// groups, metric filters, diagnostic settings, audit configurations), when it has any.
    Managed(fn(&crate::model::managed::Facts, &Config, &mut Vec<Finding>)),
}

/// Every rule, family by family.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    [
        super::input::RULES,
        super::apiserver::RULES,
        super::policy::RULES,
        super::seccomp::RULES,
        super::workload::RULES,
        super::forwarding::RULES,
        super::managed::RULES,
    ]
    .into_iter()
    .flatten()
}

/// Runs on one document every rule that `run` accepts: it runs the check when the check is
/// of the view at hand and returns whether it did.
pub(crate) fn run_on(cx: &mut DocCtx<'_>, mut run: impl FnMut(&Check, &mut DocCtx<'_>) -> bool) {
    for rule in all() {
        let before = cx.findings.len();
        if run(&rule.check, cx) {
            declared(rule, cx.findings.kept_since(before));
        }
    }
}

/// As [`run_on`], for the rules that look at the whole scan and report into `out`.
pub(crate) fn run_into(
    out: &mut Vec<Finding>,
    mut run: impl FnMut(&Check, &mut Vec<Finding>) -> bool,
) {
    for rule in all() {
        let before = out.len();
        if run(&rule.check, out) {
            declared(rule, &out[before..]);
        }
    }
}

/// In debug builds (the tests), checks that a rule reported only the codes it declares, and
/// attached only fixes of a safety its rule file declares.
pub(crate) fn declared(rule: &Rule, reported: &[Finding]) {
    debug_assert!(
        reported.iter().all(|f| rule.codes.contains(&f.rule.code)),
        "a rule declared {:?} but reported {:?}",
        rule.codes,
        reported.iter().map(|f| f.rule.code).collect::<Vec<_>>()
    );
    for f in reported {
        let declared = match f.fix.as_ref().map(|fix| fix.safety) {
            None => true,
            Some(Safety::Safe) => f.rule.safe_fix.is_some(),
            Some(Safety::Unsafe) => f.rule.unsafe_fix.is_some(),
        };
        debug_assert!(
            declared,
            "{} attached a fix its rule file does not declare",
            f.rule.code
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_registered() {
        for &code in Code::ALL {
            assert!(
                all().any(|r| r.codes.contains(&code)),
                "no registered rule reports {code}"
            );
        }
    }

    #[test]
    fn only_al101_al206_al208_and_al213_have_several_views() {
        // AL213: a policy's own rules, and the apiserver that loads it (cluster-wide).
        // AL101, AL206, AL208: what flags say, and what a distribution's own settings say
        // (an OpenShift audit profile, a Gardener Shoot's policy reference).
        let mut seen = std::collections::BTreeMap::new();
        for rule in all() {
            for &code in rule.codes {
                *seen.entry(code).or_insert(0) += 1;
            }
        }
        let repeated: Vec<_> = seen
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(c, _)| *c)
            .collect();
        assert_eq!(
            repeated,
            [Code::AL101, Code::AL206, Code::AL208, Code::AL213]
        );
    }
}
