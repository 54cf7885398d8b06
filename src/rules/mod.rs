//! The rules, by family. Each family looks at every document and picks out the ones it
//! understands; cross-file rules run once over the cluster index.

pub mod apiserver;
#[cfg(test)]
mod fix_tests;
pub mod forwarding;
pub mod input;
pub mod managed;
pub(crate) mod mount_fix;
pub mod policy;
pub mod registry;
pub mod seccomp;
pub mod workload;

use crate::cluster::ClusterIndex;
use crate::config::Config;
use crate::context::DocCtx;
use crate::finding::Finding;
use registry::Check;

/// Runs every per-document rule on one document.
pub fn check_document(cx: &mut DocCtx<'_>) {
    registry::run_on(cx, |check, cx| match check {
        Check::Document(check) => {
            check(cx);
            true
        }
        _ => false,
    });
    check_object(cx);
    for item in crate::model::list_items(cx.root) {
        check_object(&mut DocCtx {
            file: cx.file,
            doc: cx.doc,
            root: item,
            config: cx.config,
            index: &mut *cx.index,
            findings: &mut *cx.findings,
        });
    }
}

/// The rules for one Kubernetes object (a document, or an item of a `kind: List`): those
/// that look at the object itself, then those of each view the families find in it.
fn check_object(cx: &mut DocCtx<'_>) {
    let declared = crate::model::version::declared(cx.root);
    if let Some(d) = &declared {
        cx.index.versions.push(crate::cluster::DeclaredVersion {
            file: std::sync::Arc::clone(cx.file),
            declared: d.clone(),
        });
        // What an object embeds (a Cluster API control plane's audit policy) is checked
        // against the version that object runs, unless the command line says otherwise.
        let own = Some(d.version);
        if cx.config.version_override.is_none() && cx.config.target_version != own {
            let config = Config {
                target_version: own,
                ..cx.config.clone()
            };
            return check_families(&mut DocCtx {
                file: cx.file,
                doc: cx.doc,
                root: cx.root,
                config: &config,
                index: &mut *cx.index,
                findings: &mut *cx.findings,
            });
        }
    }
    check_families(cx);
}

fn check_families(cx: &mut DocCtx<'_>) {
    registry::run_on(cx, |check, cx| match check {
        Check::Object(check) => {
            check(cx);
            true
        }
        _ => false,
    });
    apiserver::check_object(cx);
    policy::check_object(cx);
    seccomp::check_object(cx);
    workload::check_object(cx);
    workload::record(cx);
    forwarding::record(cx);
    managed::record(cx);
}

/// Runs the rules that need facts from several files. Only a `judged` set of files (one
/// that configures a control plane, or is declared a cluster) is a cluster; the others get
/// only the rules about what their workloads say wherever they run.
pub fn check_cluster(index: &ClusterIndex, config: &Config, judged: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    registry::run_into(&mut out, |check, out| match check {
        Check::Cluster(check) if judged => {
            check(index, config, out);
            true
        }
        Check::AnyCluster(check) => {
            check(index, config, out);
            true
        }
        _ => false,
    });
    if judged {
        forwarding::check_cluster(index, config, &mut out);
        managed::check_cluster(index, config, &mut out);
    }
    out
}

/// Drops disabled rules and applies severity overrides from the configuration.
pub fn apply_config(findings: &mut Vec<Finding>, config: &Config) {
    findings.retain(|f| config.enabled(f.rule.code));
    for f in findings.iter_mut() {
        if let Some(&severity) = config.severity.get(f.code()) {
            f.severity = severity;
        }
    }
}
