//! AL4xx: log forwarding, judged over the whole scan. Every workload leaves its facts in the
//! cluster index (`check_document`); the rules then look at the forwarder DaemonSets
//! together with the apiserver configurations (`check_cluster`).

mod audit_log;
mod host_logs;
mod missing;
mod placement;

use super::registry::{Check, Rule};
use crate::catalog::Code;
use crate::cluster::ClusterIndex;
use crate::config::Config;
use crate::context::DocCtx;
use crate::finding::Finding;
use crate::model::apiserver::{ApiServerFacts, NodeTaints};
use crate::model::workload::{pod_template, WorkloadFacts};

pub(super) const RULES: &[Rule] = &[
    Rule {
        codes: &[Code::AL401],
        check: Check::Forwarding(|scan, _, out| missing::check(scan, out)),
        fixable: false,
    },
    Rule {
        codes: &[Code::AL402],
        check: Check::Forwarding(|scan, _, out| placement::check(scan, out)),
        fixable: false,
    },
    Rule {
        codes: &[Code::AL403],
        check: Check::Forwarding(|scan, _, out| host_logs::check(scan, out)),
        fixable: false,
    },
    Rule {
        codes: &[Code::AL404, Code::AL405],
        check: Check::Forwarding(audit_log::check),
        fixable: false,
    },
];

/// Records the facts of a workload document for the cross-file rules.
pub(super) fn record(cx: &mut DocCtx<'_>) {
    let Some(t) = pod_template(cx.root) else {
        return;
    };
    let mut facts = WorkloadFacts::read(t, cx.file, cx.doc.template.clone(), &cx.config.log_agents);
    if facts.agent.is_none() {
        // Other workloads matter only as a cluster definition and as the place of AL401 when
        // there is no apiserver: the first one of the scan is enough (`ClusterIndex::merge`
        // keeps it across files). It keeps the file's text only up to the line after its
        // `kind`, so that memory does not grow with every manifest scanned.
        if cx.index.workloads.iter().any(|w| w.agent.is_none()) {
            return;
        }
        facts.file = cx.file.prefix_through_line_after(facts.span.end);
    }
    cx.index.workloads.push(facts);
}

/// What the AL4xx rules look at, in a deterministic order (path, then offset).
pub struct Scan<'a> {
    pub apiservers: Vec<&'a ApiServerFacts>,
    pub workloads: Vec<&'a WorkloadFacts>,
    /// Log agents that run as DaemonSets.
    pub forwarders: Vec<&'a WorkloadFacts>,
    /// Taints of kubeadm `InitConfiguration`s, by file.
    pub kubeadm_init_taints: &'a [(String, NodeTaints)],
}

impl Scan<'_> {
    /// The taints of the nodes `api` runs on: a kubeadm `InitConfiguration` written beside
    /// its `ClusterConfiguration` replaces kubeadm's default.
    pub fn node_taints<'s>(&'s self, api: &'s ApiServerFacts) -> &'s NodeTaints {
        match &api.taints {
            NodeTaints::Kubeadm => self
                .kubeadm_init_taints
                .iter()
                .find(|(path, _)| *path == api.file.path)
                .map_or(&api.taints, |(_, taints)| taints),
            listed => listed,
        }
    }
}

/// Runs the [`Check::Forwarding`] rules, when the scan defines a cluster.
pub(super) fn check_cluster(index: &ClusterIndex, config: &Config, out: &mut Vec<Finding>) {
    // Without a cluster definition (only policies or profiles were scanned), there is nothing
    // to say about log collection.
    if index.apiservers.is_empty() && index.workloads.is_empty() {
        return;
    }
    let mut apiservers: Vec<&ApiServerFacts> = index.apiservers.iter().collect();
    apiservers.sort_by(|a, b| (&a.file.path, a.span.start).cmp(&(&b.file.path, b.span.start)));
    let mut workloads: Vec<&WorkloadFacts> = index.workloads.iter().collect();
    workloads.sort_by(|a, b| (&a.file.path, a.span.start).cmp(&(&b.file.path, b.span.start)));
    let forwarders = workloads
        .iter()
        .copied()
        .filter(|w| w.is_forwarder_daemonset())
        .collect();
    let scan = Scan {
        apiservers,
        workloads,
        forwarders,
        kubeadm_init_taints: &index.kubeadm_init_taints,
    };
    super::registry::run_into(out, |check, out| match check {
        Check::Forwarding(check) => {
            check(&scan, config, out);
            true
        }
        _ => false,
    });
}
