//! AL403: a forwarder DaemonSet that mounts no host directory holding /var/log.

use super::Scan;
use crate::catalog::Code;
use crate::finding::{Finding, Safety};
use crate::rules::mount_fix;

/// Where the kubelet writes every container's log. `/var/log/containers` holds only
/// symlinks to these files (absolute targets, kubelet `legacyLogSymlink`), so a forwarder that
/// mounts it without `/var/log/pods` finds every link dangling.
const POD_LOGS: &str = "/var/log/pods";
const CONTAINER_LINKS: &str = "/var/log/containers";

pub(super) fn check(scan: &Scan<'_>, out: &mut Vec<Finding>) {
    for w in &scan.forwarders {
        // A sample container log, as the kubelet names it, and its link.
        let reads_container_logs = scan.ships(w, "/var/log/pods/ns_pod_uid/container/0.log")
            || (w.mount_covering(POD_LOGS).is_some()
                && scan.ships(w, "/var/log/containers/pod_ns_container-id.log"));
        if reads_container_logs {
            continue;
        }
        if let (Some(r), Some(_)) = (scan.pipeline(w), w.mount_covering(POD_LOGS)) {
            out.push(
                Finding::new(Code::AL403, &r.file, r.file_span())
                    .message(format!(
                        "forwarder `{}` mounts /var/log/pods, but no input of its configuration \
                         (ConfigMap `{}`) tails container logs into a remote output: container \
                         logs never leave the node",
                        w.display(),
                        r.config_map
                    ))
                    .label("no input ships container logs")
                    .help(
                        "tail `/var/log/containers/*.log` (or `/var/log/pods/*/*/*.log`) and \
                         route it to the output that ships the other logs",
                    )
                    .related(&w.file, w.mounts_span, "the mounts"),
            );
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
        let why = if w.mount_covering(CONTAINER_LINKS).is_some() {
            "the entries of /var/log/containers are symlinks to files under /var/log/pods, \
             which it does not mount, so every link dangles inside the container and no \
             container log is read"
        } else {
            "it cannot read /var/log/pods or /var/log/containers, where every container's logs \
             are written, nor the node's own logs under /var/log"
        };
        let mut finding = Finding::new(Code::AL403, &w.file, w.mounts_span)
            .message(format!(
                "forwarder `{}` ({}) {mounted}: {why}",
                w.display(),
                agent.agent
            ))
            .label("no hostPath covering /var/log")
            .fix_with(Safety::Unsafe, mount_var_log(scan, w))
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

/// The edits that mount the node's /var/log read-only into the agent, as the help says; only
/// for a forwarder whose configuration is not in the scan (one whose configuration is known
/// also needs inputs that tail the files). Unsafe: it gives the agent every log of the node.
fn mount_var_log(
    scan: &Scan<'_>,
    w: &crate::model::workload::WorkloadFacts,
) -> Option<Vec<crate::finding::Edit>> {
    // A second mount at a path the container already mounts is rejected by the API server.
    let taken = w
        .host_mounts
        .iter()
        .any(|m| m.mount_path.trim_end_matches('/') == "/var/log");
    if scan.pipeline(w).is_some() || taken {
        return None;
    }
    mount_fix::add_to_pod(&w.file.text, w.mount_sites.as_ref()?, &mount_fix::VAR_LOG)
}
