//! AL404 and AL405: the apiserver's file audit log must be reachable by a forwarder: one that
//! runs on control-plane nodes and mounts the directory the log is written to.
//!
//! Both rules need at least one forwarder DaemonSet; without one, AL401 already says that
//! nothing ships any log.

use super::Scan;
use crate::config::Config;
use crate::finding::Finding;
use crate::model::apiserver::Form;
use crate::model::workload::WorkloadFacts;

const CONTROL_PLANE: &str = "node-role.kubernetes.io/control-plane";
const MASTER: &str = "node-role.kubernetes.io/master";

/// The NoSchedule taints (empty value) kubeadm puts on control-plane nodes, by Kubernetes
/// version: `master` until 1.23, both in 1.24 (kubernetes/kubernetes#107533), `control-plane`
/// from 1.25 (kubernetes/kubernetes#110095). A pod must tolerate every one of them.
fn control_plane_taints(version: Option<(u32, u32)>) -> Option<&'static [&'static str]> {
    match version {
        None => None,
        Some(v) if v < (1, 24) => Some(&[MASTER]),
        Some(v) if v < (1, 25) => Some(&[MASTER, CONTROL_PLANE]),
        Some(_) => Some(&[CONTROL_PLANE]),
    }
}

/// Whether the workload tolerates the control-plane taints of the configured Kubernetes
/// version; when the version is unknown, a toleration of either key is enough.
fn runs_on_control_plane(w: &WorkloadFacts, config: &Config) -> bool {
    let tolerated = |key: &str| {
        w.tolerations
            .iter()
            .any(|t| t.tolerates(key, "", "NoSchedule"))
    };
    match control_plane_taints(config.kubernetes_version) {
        Some(taints) => taints.iter().all(|k| tolerated(k)),
        None => tolerated(CONTROL_PLANE) || tolerated(MASTER),
    }
}

pub(super) fn check(scan: &Scan<'_>, config: &Config, out: &mut Vec<Finding>) {
    if scan.forwarders.is_empty() {
        return;
    }
    for api in &scan.apiservers {
        let Some(log) = api.log_path.as_ref().filter(|p| p.value != "-") else {
            continue;
        };
        // k3s and RKE2 servers are schedulable by default (no control-plane taint unless
        // `node-taint` adds one), so any forwarder DaemonSet runs there.
        let tainted = !matches!(api.form, Form::K3s | Form::Rke2);
        if tainted
            && !scan
                .forwarders
                .iter()
                .any(|w| runs_on_control_plane(w, config))
        {
            let keys = control_plane_taints(config.kubernetes_version).unwrap_or(&[CONTROL_PLANE]);
            let taints: Vec<String> = keys.iter().map(|k| format!("`{k}:NoSchedule`")).collect();
            let tolerations: Vec<String> = keys
                .iter()
                .map(|k| format!("{{key: {k}, operator: Exists, effect: NoSchedule}}"))
                .collect();
            let mut f = Finding::new("AL404", &api.file, log.span)
                .message(format!(
                    "the apiserver writes its audit log to `{}` on the control-plane nodes, but \
                     no forwarder DaemonSet tolerates the control-plane taint ({}): no agent \
                     runs there and the audit log is never shipped",
                    log.value,
                    taints.join(" and ")
                ))
                .label("written on control-plane nodes only")
                .help(format!(
                    "add to the forwarder's pod spec: `tolerations: [{}]`",
                    tolerations.join(", ")
                ))
                .template(api.template.as_deref());
            for w in &scan.forwarders {
                f = f.related(
                    &w.file,
                    w.tolerations_span,
                    format!(
                        "`{}` does not tolerate {}",
                        w.display(),
                        taints.join(" and ")
                    ),
                );
            }
            out.push(f);
        }
        let Some(host) = &api.log_host_path else {
            continue;
        };
        if scan
            .forwarders
            .iter()
            .any(|w| w.mount_covering(host).is_some())
        {
            continue;
        }
        let dir = host
            .rsplit_once('/')
            .map_or("/", |(d, _)| if d.is_empty() { "/" } else { d });
        let mut f = Finding::new("AL405", &api.file, log.span)
            .message(format!(
                "the audit log is written to `{host}` on the node, and no forwarder DaemonSet \
                 mounts a host directory that holds it: the audit log stays on the node"
            ))
            .label("no forwarder reads this file")
            .help(format!(
                "mount a hostPath covering `{dir}` in the forwarder (for example \
                 `{{name: audit, hostPath: {{path: {dir}}}}}` mounted read-only at the same \
                 path) and add an input that tails `{host}`"
            ))
            .template(api.template.as_deref());
        for w in &scan.forwarders {
            if w.host_mounts.is_empty() {
                f = f.related(
                    &w.file,
                    w.mounts_span,
                    format!("`{}` mounts no host directory", w.display()),
                );
            }
            for m in &w.host_mounts {
                f = f.related(
                    &w.file,
                    m.span,
                    format!("`{}` mounts `{}`", w.display(), m.host_path),
                );
            }
        }
        out.push(f);
    }
}
