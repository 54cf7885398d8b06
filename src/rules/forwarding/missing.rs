//! AL401: no log forwarder runs as a DaemonSet.

use std::sync::Arc;

use super::Scan;
use crate::finding::Finding;
use crate::source::SourceFile;
use crate::yaml::Span;

pub(super) fn check(
    scan: &Scan<'_>,
    declared_at: Option<&(Arc<SourceFile>, Span)>,
    out: &mut Vec<Finding>,
) {
    if !scan.forwarders.is_empty() {
        return;
    }
    let help =
        "run a log agent (fluent-bit, Vector, Fluentd, the OpenTelemetry collector, …) as a \
                DaemonSet that mounts the host's /var/log and ships it off the cluster; if it is \
                defined in another repository, scan it together with this one";
    // Reported once: at the (first) apiserver configuration, else where the cluster is
    // declared.
    let mut finding = if let Some(api) = scan.apiservers.first() {
        let audit = api
            .log_path
            .as_ref()
            .filter(|p| p.value != "-")
            .map(|p| {
                format!(
                    ", nor does the audit log this apiserver writes to `{}`",
                    p.value
                )
            })
            .unwrap_or_default();
        Finding::new("AL401", &api.file, api.span)
            .message(format!(
                "no log forwarder runs as a DaemonSet in the scanned configuration: node and \
                 container logs never leave the node{audit}, so they are lost with the node and \
                 an intruder on it can erase them"
            ))
            .template(api.template.as_deref())
    } else if let Some((file, span)) = declared_at {
        Finding::new("AL401", file, *span).message(
            "no log forwarder runs as a DaemonSet in this cluster's files: node and container \
             logs never leave the node, so they are lost with the node and an intruder on it \
             can erase them",
        )
    } else {
        return;
    };
    finding = finding
        .label("no forwarder DaemonSet in this cluster")
        .help(help);
    for w in scan.workloads.iter().filter(|w| w.agent.is_some()) {
        if let Some(agent) = &w.agent {
            finding = finding.related(
                &w.file,
                agent.span,
                format!(
                    "`{}` runs {}, but as a {}, not a DaemonSet",
                    w.display(),
                    agent.agent,
                    w.kind
                ),
            );
        }
    }
    out.push(finding);
}
