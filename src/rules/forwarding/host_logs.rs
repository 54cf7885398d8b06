//! AL403: a forwarder DaemonSet that mounts no host directory holding /var/log.

use super::Scan;
use crate::finding::Finding;

/// The directories where the kubelet and the runtime write container logs.
const CONTAINER_LOGS: [&str; 2] = ["/var/log/pods", "/var/log/containers"];

pub(super) fn check(scan: &Scan<'_>, out: &mut Vec<Finding>) {
    for w in &scan.forwarders {
        if CONTAINER_LOGS.iter().any(|p| w.mount_covering(p).is_some()) {
            continue;
        }
        let Some(agent) = &w.agent else { continue };
        let mounted = if w.host_mounts.is_empty() {
            "mounts no hostPath at all".to_owned()
        } else {
            let list: Vec<String> = w
                .host_mounts
                .iter()
                .map(|m| format!("`{}`", m.host_path))
                .collect();
            format!("mounts only {}", list.join(", "))
        };
        let mut finding = Finding::new("AL403", &w.file, w.mounts_span)
            .message(format!(
                "forwarder `{}` ({}) {mounted}: it cannot read /var/log/pods or \
                 /var/log/containers, where every container's logs are written, nor the \
                 node's own logs under /var/log",
                w.display(),
                agent.agent
            ))
            .label("no hostPath covering /var/log")
            .help(
                "add a volume `{name: varlog, hostPath: {path: /var/log}}` to the pod spec and \
                 mount it in the agent container: `{name: varlog, mountPath: /var/log, \
                 readOnly: true}`",
            )
            .template(w.template.as_deref());
        for m in &w.host_mounts {
            finding = finding.related(
                &w.file,
                m.span,
                format!("mounts `{}` at `{}`", m.host_path, m.mount_path),
            );
        }
        out.push(finding);
    }
}
