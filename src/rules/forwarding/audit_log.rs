//! AL404 and AL405: the apiserver's file audit log must be reachable by a forwarder: one that
//! runs on control-plane nodes and mounts the directory the log is written to.
//!
//! Both rules need at least one forwarder DaemonSet; without one, AL401 already says that
//! nothing ships any log.

use super::Scan;
use crate::config::Config;
use crate::finding::Finding;
use crate::model::workload::WorkloadFacts;

/// The taints kubeadm (and most installers) put on control-plane nodes: the current key and
/// the one used before Kubernetes 1.24. Both have an empty value and effect NoSchedule.
const CONTROL_PLANE_TAINTS: [&str; 2] = [
    "node-role.kubernetes.io/control-plane",
    "node-role.kubernetes.io/master",
];

/// Whether the workload tolerates the control-plane taint. kubeadm stopped applying the
/// legacy `master` taint in 1.25, so when the configuration targets 1.25 or later only the
/// current key counts; when the version is unknown, either does.
fn runs_on_control_plane(w: &WorkloadFacts, config: &Config) -> bool {
    let keys = match config.kubernetes_version {
        Some(v) if v >= (1, 25) => &CONTROL_PLANE_TAINTS[..1],
        _ => &CONTROL_PLANE_TAINTS[..],
    };
    w.tolerations
        .iter()
        .any(|t| keys.iter().any(|key| t.tolerates(key, "", "NoSchedule")))
}

pub(super) fn check(scan: &Scan<'_>, config: &Config, out: &mut Vec<Finding>) {
    if scan.forwarders.is_empty() {
        return;
    }
    for api in &scan.apiservers {
        let Some(log) = api.log_path.as_ref().filter(|p| p.value != "-") else {
            continue;
        };
        if !scan
            .forwarders
            .iter()
            .any(|w| runs_on_control_plane(w, config))
        {
            let mut f = Finding::new("AL404", &api.file, log.span)
                .message(format!(
                    "the apiserver writes its audit log to `{}` on the control-plane nodes, but \
                     no forwarder DaemonSet tolerates the control-plane taint \
                     (`node-role.kubernetes.io/control-plane:NoSchedule`): no agent runs there \
                     and the audit log is never shipped",
                    log.value
                ))
                .label("written on control-plane nodes only")
                .help(
                    "add to the forwarder's pod spec: `tolerations: [{key: \
                     node-role.kubernetes.io/control-plane, operator: Exists, effect: \
                     NoSchedule}]`",
                )
                .template(api.template.as_deref());
            for w in &scan.forwarders {
                f = f.related(
                    &w.file,
                    w.tolerations_span,
                    format!(
                        "`{}` does not tolerate node-role.kubernetes.io/control-plane:NoSchedule",
                        w.display()
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
