//! Workloads: Pods and the pod templates of every controller.

/// What cross-file rules need to know about one workload.
#[derive(Debug)]
pub struct WorkloadFacts {}
