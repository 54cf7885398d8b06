//! AL505: a GKE cluster that does not ship its nodes' and workloads' logs to Cloud Logging
//! (the managed equivalent of AL401). Not an audit gap (GKE's audit logs do not depend on
//! it): container and system logs stay on the nodes and are lost with them.

use crate::catalog::Code;
use crate::config::Config;
use crate::finding::Finding;
use crate::model::managed::Facts;

pub fn check(facts: &Facts, _: &Config, out: &mut Vec<Finding>) {
    for p in &facts.planes {
        let Some((at, how)) = &p.node_logs_off else {
            continue;
        };
        out.push(
            Finding::new(Code::AL505, &p.file, *at)
                .message(format!(
                    "{how}: this GKE cluster ships no node or workload logs to Cloud Logging, so container and system logs stay on the nodes, are lost with them and can be erased by whoever takes one over"
                ))
                .label("node logs not shipped")
                .help("remove `logging_service = \"none\"`, or include `SYSTEM_COMPONENTS` and `WORKLOADS` in `logging_config.enable_components` (or run your own log forwarder DaemonSet)"),
        );
    }
}
