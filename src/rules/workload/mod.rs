//! AL310–AL313: seccomp settings of workloads. The per-document rules read the pod's and
//! every container's `seccompProfile` and the legacy annotations; `localhostProfile`
//! references are left in the cluster index and resolved once every file is read.

mod annotations;
mod profile_fields;
mod profile_refs;

use crate::cluster::ClusterIndex;
use crate::config::Config;
use crate::context::DocCtx;
use crate::finding::Finding;
use crate::model::workload::pod_template;

pub fn check_document(cx: &mut DocCtx<'_>) {
    let Some(pod) = pod_template(cx.root) else {
        return;
    };
    profile_fields::check(cx, pod);
    annotations::check(cx, pod);
}

pub fn check_cluster(index: &ClusterIndex, config: &Config, out: &mut Vec<Finding>) {
    profile_refs::check(index, config, out);
}
