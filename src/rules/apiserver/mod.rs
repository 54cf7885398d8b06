//! AL101–AL117: kube-apiserver audit configuration. Each configuration found in a document
//! (static Pod, kubeadm, kind, Cluster API, k3s, RKE2) is checked the same way, and leaves
//! its facts in the cluster index for the cross-file rules.

mod backend;
mod eksctl;
mod flag_values;
mod kubeadm_shape;
mod log_output;
mod mounts;
mod policy_file;
mod rotation;

use crate::cluster::ClusterIndex;
use crate::config::Config;
use crate::context::DocCtx;
use crate::finding::Finding;
use crate::model::apiserver::{self, ApiServerConfig, ApiServerFacts};

pub fn check_document(cx: &mut DocCtx<'_>) {
    eksctl::check(cx);
    for config in apiserver::read(cx.root, cx.file) {
        check_config(cx, &config);
        let facts = ApiServerFacts::new(&config, cx.file, cx.doc.template.clone());
        cx.index.apiservers.push(facts);
    }
}

fn check_config(cx: &mut DocCtx<'_>, config: &ApiServerConfig) {
    kubeadm_shape::check(cx, config);
    policy_file::check(cx, config);
    backend::check(cx, config);
    rotation::check(cx, config);
    flag_values::check(cx, config);
    mounts::check(cx, config);
    log_output::check(cx, config);
}

pub fn check_cluster(_index: &ClusterIndex, _config: &Config, _out: &mut Vec<Finding>) {}

/// A finding for a flag that is absent: at the insertion point, with the exact line to add.
fn missing_flag(
    cx: &DocCtx<'_>,
    config: &ApiServerConfig,
    code: &str,
    name: &str,
    value: &str,
) -> Finding {
    let line = config.insertion.line(name, value);
    let place = if config.insertion.list_missing {
        "add"
    } else {
        "add after this line"
    };
    cx.finding(code, config.insertion.at)
        .label(format!(
            "{place}: {}",
            line.lines().next().unwrap_or_default()
        ))
        .help(format!("add to the {}:\n{line}", config.form.describe()))
}
