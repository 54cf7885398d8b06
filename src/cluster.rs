//! The cluster index: small facts each document leaves behind for the cross-file rules
//! (an apiserver's policy path, a Policy's model, a forwarder's mounts). Trees are not
//! kept; only these facts live past their document.

use crate::model::apiserver::ApiServerFacts;
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
}

impl ClusterIndex {
    pub fn merge(&mut self, other: ClusterIndex) {
        self.apiservers.extend(other.apiservers);
        self.policies.extend(other.policies);
        self.profiles.extend(other.profiles);
        self.workloads.extend(other.workloads);
        self.seccomp_refs.extend(other.seccomp_refs);
    }
}
