//! Typed views over documents: what a kube-apiserver configuration, an audit Policy, a
//! seccomp profile or a workload says, with the span of every value a rule may point at.

pub mod agents;
pub mod apiserver;
pub mod policy;
pub mod seccomp;
pub mod workload;
