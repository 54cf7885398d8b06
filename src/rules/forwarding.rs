//! AL4xx: log forwarding, judged over the whole scan. Every workload leaves its facts in the
//! cluster index (`check_document`); the rules then look at the forwarder DaemonSets
//! together with the apiserver configurations (`check_cluster`).

mod audit_log;
mod host_logs;
mod missing;
mod placement;

use crate::cluster::ClusterIndex;
use crate::config::Config;
use crate::context::DocCtx;
use crate::finding::Finding;
use crate::model::apiserver::{ApiServerFacts, NodeTaints};
use crate::model::workload::{pod_template, WorkloadFacts};

/// Records the facts of a workload document for the cross-file rules.
pub fn check_document(cx: &mut DocCtx<'_>) {
    let Some(t) = pod_template(cx.root) else {
        return;
    };
    let facts = WorkloadFacts::read(t, cx.file, cx.doc.template.clone(), &cx.config.log_agents);
    // Other workloads are no cross-file rule's concern: what makes a cluster is its control
    // plane, not its applications.
    if facts.agent.is_some() {
        cx.index.workloads.push(facts);
    }
}

/// What the AL4xx rules look at, in a deterministic order (path, then offset).
pub(crate) struct Scan<'a> {
    pub apiservers: Vec<&'a ApiServerFacts>,
    pub workloads: Vec<&'a WorkloadFacts>,
    /// Log agents that run as DaemonSets.
    pub forwarders: Vec<&'a WorkloadFacts>,
    /// Taints of kubeadm `InitConfiguration`s, by file.
    pub kubeadm_init_taints: &'a [(std::sync::Arc<crate::source::SourceFile>, NodeTaints)],
}

impl Scan<'_> {
    /// The taints of the nodes `api` runs on: a kubeadm `InitConfiguration` written beside
    /// its `ClusterConfiguration` replaces kubeadm's default.
    pub fn node_taints<'s>(&'s self, api: &'s ApiServerFacts) -> &'s NodeTaints {
        match &api.taints {
            NodeTaints::Kubeadm => self
                .kubeadm_init_taints
                .iter()
                .find(|(file, _)| file.path == api.file.path)
                .map_or(&api.taints, |(_, taints)| taints),
            listed => listed,
        }
    }
}

pub fn check_cluster(index: &ClusterIndex, config: &Config, out: &mut Vec<Finding>) {
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
    missing::check(&scan, index.declared_at.as_ref(), out);
    placement::check(&scan, out);
    host_logs::check(&scan, out);
    // A managed control plane writes no audit log file on a node anyone can reach.
    if index.managed == crate::config::Managed::None {
        audit_log::check(&scan, config, out);
    }
}
