//! The cluster index: small facts each document leaves behind for the cross-file rules
//! (an apiserver's policy path, a Policy's model, a forwarder's mounts). Trees are not
//! kept; only these facts live past their document.

use crate::model::apiserver::{ApiServerFacts, NodeTaints};
use crate::model::policy::PolicyEntry;
use crate::model::seccomp::{LocalhostRef, ProfileEntry};
use crate::model::workload::WorkloadFacts;

#[derive(Debug, Default)]
pub struct ClusterIndex {
    pub apiservers: Vec<ApiServerFacts>,
    pub policies: Vec<PolicyEntry>,
    pub profiles: Vec<ProfileEntry>,
    pub workloads: Vec<WorkloadFacts>,
    /// Every `localhostProfile` a workload names (for AL312).
    pub seccomp_refs: Vec<LocalhostRef>,
    /// Taints set by a kubeadm `InitConfiguration`, by file: they apply to the
    /// `ClusterConfiguration` written beside it.
    pub kubeadm_init_taints: Vec<(String, NodeTaints)>,
}

impl ClusterIndex {
    pub fn merge(&mut self, other: ClusterIndex) {
        self.apiservers.extend(other.apiservers);
        self.policies.extend(other.policies);
        self.profiles.extend(other.profiles);
        self.workloads.extend(other.workloads);
        keep_first_plain_workload(&mut self.workloads);
        self.seccomp_refs.extend(other.seccomp_refs);
        self.kubeadm_init_taints.extend(other.kubeadm_init_taints);
    }
}

/// Workloads that are not log agents are kept only as "the scan defines a cluster" and as
/// the place of AL401 when there is no apiserver: the first one, in output order, is enough.
fn keep_first_plain_workload(workloads: &mut Vec<WorkloadFacts>) {
    let Some(first) = workloads
        .iter()
        .enumerate()
        .filter(|(_, w)| w.agent.is_none())
        .min_by_key(|&(_, w)| (w.file.path.as_str(), w.span.start))
        .map(|(i, _)| i)
    else {
        return;
    };
    let mut i = 0;
    workloads.retain(|w| {
        let keep = w.agent.is_some() || i == first;
        i += 1;
        keep
    });
}
