//! AL402: a log agent that reads node files runs as a Deployment, StatefulSet or bare Pod.

use super::Scan;
use crate::catalog::Code;
use crate::finding::Finding;

/// Kinds that place a fixed number of pods wherever the scheduler likes.
const NOT_PER_NODE: [&str; 5] = [
    "Deployment",
    "StatefulSet",
    "Pod",
    "ReplicaSet",
    "ReplicationController",
];

pub(super) fn check(scan: &Scan<'_>, out: &mut Vec<Finding>) {
    for w in &scan.workloads {
        let Some(agent) = &w.agent else { continue };
        if !NOT_PER_NODE.contains(&w.kind.as_str()) {
            continue;
        }
        // An agent without hostPath mounts cannot read node files whatever its kind: it is an
        // aggregator or gateway that receives logs over the network, which is meant to run as
        // a Deployment or StatefulSet.
        let Some(mount) = w.host_mounts.first() else {
            continue;
        };
        let finding = Finding::new(Code::AL402, &w.file, w.span)
            .message(format!(
                "`{}` runs the log agent {} ({}) as a {} that reads node files through a \
                 hostPath mount: it collects the logs only of the node its pod lands on, and \
                 every other node's logs are never shipped",
                w.display(),
                agent.agent,
                agent.matched,
                w.kind
            ))
            .label(format!("a node log agent as a {}", w.kind))
            .help(
                "run it as a DaemonSet (`kind: DaemonSet`, same pod template, no `replicas`) so \
                 that one copy runs on every node",
            )
            .template(w.template.as_deref())
            .related(
                &w.file,
                agent.span,
                format!("{} recognised by its {}", agent.agent, agent.matched),
            )
            .related(
                &w.file,
                mount.span,
                format!("reads `{}` from the node it runs on", mount.host_path),
            );
        out.push(finding);
    }
}
