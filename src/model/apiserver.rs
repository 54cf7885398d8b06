//! kube-apiserver configuration in every form it is written: static Pods, kubeadm
//! ClusterConfiguration (v1beta3 map / v1beta4 list), kind patches, Cluster API, k3s/RKE2.

use std::sync::Arc;

use crate::source::SourceFile;
use crate::yaml::Span;

/// A flag value with where it was written.
#[derive(Debug, Clone)]
pub struct Located {
    pub value: String,
    pub span: Span,
}

/// What cross-file rules need to know about one kube-apiserver configuration.
#[derive(Debug, Clone)]
pub struct ApiServerFacts {
    pub file: Arc<SourceFile>,
    /// Where cluster-level findings about this apiserver are reported.
    pub span: Span,
    pub template: Option<String>,
    /// `--audit-policy-file` as written (a path on the apiserver's filesystem).
    pub policy_file: Option<Located>,
    /// The policy file's path on the host, through the hostPath mount that covers it.
    pub policy_host_path: Option<String>,
    /// `--audit-log-path` as written (`-` is stdout).
    pub log_path: Option<Located>,
    /// The audit log's path on the host (through its mount); `None` for stdout or unmounted.
    pub log_host_path: Option<String>,
    /// `--audit-log-format` (`json` when absent).
    pub log_format: Option<Located>,
    pub webhook_config_file: Option<Located>,
}
