//! AL2xx: audit policy content (and AL112, the link from an apiserver to its policy).

pub mod validate;

use crate::cluster::ClusterIndex;
use crate::config::Config;
use crate::context::DocCtx;
use crate::finding::Finding;

pub fn check_document(cx: &mut DocCtx<'_>) {
    // A Policy document at the top level of a file.
    if cx.kind() == Some("Policy")
        && cx
            .api_version()
            .is_some_and(|v| v.starts_with("audit.k8s.io/"))
    {
        let findings = validate::validate_with(cx.root, cx.file, cx.config.kubernetes_version);
        for finding in findings {
            cx.report(finding);
        }
    }
}

pub fn check_cluster(_index: &ClusterIndex, _config: &Config, _out: &mut Vec<Finding>) {}
