//! AL406–AL410: what a forwarder's own configuration does with what it collects — ships
//! nothing (every route ends on the node), excludes the audit log, ships in plain text, or
//! keeps what it has not yet sent only in memory — and a configuration that cannot be read.

use std::collections::HashMap;

use super::Scan;
use crate::catalog::Code;
use crate::finding::Finding;

/// AL406: an agent tails node files but every route ends in stdout, null or a local file.
pub(super) fn never_ships(scan: &Scan<'_>, out: &mut Vec<Finding>) {
    // Several DaemonSets may load one ConfigMap: it is reported once.
    let mut seen = std::collections::HashSet::new();
    for (w, r) in &scan.pipelines {
        if !seen.insert((r.file.path.clone(), r.file_span().start)) {
            continue;
        }
        let p = &r.pipeline;
        if p.inputs.is_empty() || p.ships_anything() {
            continue;
        }
        let outputs: Vec<String> = p
            .outputs
            .iter()
            .map(|o| format!("`{}`", o.plugin))
            .collect();
        let at = p.outputs.first().map_or(r.file_span(), |o| r.span(o.at));
        let ends = if outputs.is_empty() {
            "it has no output".to_owned()
        } else {
            format!("its outputs are only {}", outputs.join(", "))
        };
        out.push(
            Finding::new(Code::AL406, &r.file, at)
                .message(format!(
                    "`{}` tails node logs, but {ends}, which keep the records on the node: \
                     nothing it collects is shipped, so the logs are lost with the node",
                    w.display()
                ))
                .label("no remote output")
                .help("route the inputs to an output that sends records off the node (Elasticsearch, Loki, Splunk, CloudWatch, a forward to an aggregator …)")
                .related(&w.file, w.span, "the forwarder"),
        );
    }
}

/// AL407: the apiserver's audit log is under an input's paths but one of its exclude patterns
/// drops it, and no other input reads it.
pub(super) fn audit_log_excluded(scan: &Scan<'_>, out: &mut Vec<Finding>) {
    // Many apiservers write the same path: each pipeline judges each path once, so the work
    // grows with the pipelines, not with apiservers × pipelines.
    let mut verdicts: HashMap<(String, usize), Option<(usize, String)>> = HashMap::new();
    for api in &scan.apiservers {
        let Some(host) = &api.log_host_path else {
            continue;
        };
        for (i, (w, r)) in scan.pipelines.iter().enumerate() {
            let Some(mount) = w.mount_covering(host) else {
                continue;
            };
            let inside = mount.inside(host);
            let verdict = verdicts.entry((inside.clone(), i)).or_insert_with(|| {
                let (reading, excluding) = r.pipeline.readers(&inside);
                let first = excluding.first().filter(|_| reading.is_empty());
                first.map(|(input, pattern)| (*input, (*pattern).to_owned()))
            });
            let Some((input, pattern)) = verdict else {
                continue;
            };
            let input = &r.pipeline.inputs[*input];
            out.push(
                Finding::new(Code::AL407, &r.file, r.span(input.at))
                    .message(format!(
                        "input `{}` of `{}` would tail the audit log `{inside}`, but its exclude \
                         pattern `{pattern}` drops it: the audit log is never shipped",
                        input.name,
                        w.display()
                    ))
                    .label("excludes the audit log")
                    .help(format!("narrow the exclude pattern `{pattern}` so that it no longer matches `{inside}`, or add an input for the audit log"))
                    .related(&api.file, api.log_path.as_ref().map_or(api.span, |l| l.span), "the audit log is written here")
                    .template(w.template.as_deref()),
            );
        }
    }
}

/// AL408: an output that carries what the agent tails sends it without TLS.
pub(super) fn plaintext(scan: &Scan<'_>, out: &mut Vec<Finding>) {
    // Several DaemonSets may load one ConfigMap: each output is reported once.
    let mut seen = std::collections::HashSet::new();
    for (w, r) in &scan.pipelines {
        let p = &r.pipeline;
        for (i, o) in p.outputs.iter().enumerate() {
            if !o.plaintext || !p.routes.iter().any(|(_, to)| *to == i) {
                continue;
            }
            if !seen.insert((r.file.path.clone(), r.span(o.at).start)) {
                continue;
            }
            out.push(
                Finding::new(Code::AL408, &r.file, r.span(o.at))
                    .message(format!(
                        "output `{}` of `{}` sends the node's logs (and any audit log among them) \
                         without TLS: anyone on the path can read and alter them in transit",
                        o.plugin,
                        w.display()
                    ))
                    .label("no TLS")
                    .help("turn TLS on for this output (`tls On` in Fluent Bit, `scheme https` in Fluentd, an `https://` endpoint, `tls: {insecure: false}` for OTLP)")
                    .related(&w.file, w.span, "the forwarder"),
            );
        }
    }
}

/// How to keep records on disk until they are sent, by agent; `None` for agents that have
/// no such setting.
fn disk_buffer_fix(agent: &str) -> Option<&'static str> {
    Some(match agent {
        "fluent-bit" => {
            "set `storage.path /var/fluent-bit/state/` in `[SERVICE]` (on a hostPath, so that it \
             outlives the pod) and `storage.type filesystem` on each `tail` input"
        }
        "fluentd" => {
            "add `<buffer> @type file path /var/log/fluentd-buffers/out.buffer </buffer>` to the \
             output (on a hostPath)"
        }
        "vector" => "give the sink `buffer: {type: disk, max_size: 268435488}`",
        "opentelemetry-collector" => {
            "add the `file_storage` extension (on a hostPath) and set the exporter's \
             `sending_queue: {storage: file_storage}`"
        }
        "filebeat" => "set `queue.disk: {max_size: 10GB}`",
        "grafana-alloy" => "add `wal { enabled = true }` to the `loki.write` component",
        _ => return None,
    })
}

/// AL409 (opt-in): a forwarder that ships node logs keeps what it has not sent yet only in
/// memory: a restart, or an output that is down for longer than the memory buffer lasts,
/// loses those records.
pub(super) fn no_disk_buffer(scan: &Scan<'_>, out: &mut Vec<Finding>) {
    // Several DaemonSets may load one ConfigMap: it is reported once.
    let mut seen = std::collections::HashSet::new();
    for (w, r) in &scan.pipelines {
        let p = &r.pipeline;
        if p.buffered || !p.ships_anything() {
            continue;
        }
        let Some(fix) = disk_buffer_fix(p.agent) else {
            continue;
        };
        if !seen.insert((r.file.path.clone(), r.file_span().start)) {
            continue;
        }
        let output = p.outputs.iter().find(|o| !o.local);
        let at = output.map_or(r.file_span(), |o| r.span(o.at));
        out.push(
            Finding::new(Code::AL409, &r.file, at)
                .message(format!(
                    "`{}` ({}) buffers what it has not yet sent in memory only: records tailed \
                     while its output is unreachable, or before a restart of the agent, are lost",
                    w.display(),
                    p.agent
                ))
                .label("no persistent buffer")
                .help(fix)
                .related(&w.file, w.span, "the forwarder"),
        );
    }
}

/// AL410: a log agent's configuration is in the scan but could not be read, so the agent is
/// judged by its image and mounts alone.
pub(super) fn unreadable(scan: &Scan<'_>, out: &mut Vec<Finding>) {
    for (w, u) in &scan.unreadable {
        let agent = w.agent.as_ref().map_or("log agent", |a| a.agent.as_str());
        out.push(
            Finding::new(Code::AL410, &u.file, u.span)
                .message(format!(
                    "`{}` ({agent}) loads `{}` from ConfigMap `{}`, which auditlint cannot read: \
                     what it tails and where it sends it are not checked, and it counts as a \
                     forwarder of whatever its hostPath mounts hold",
                    w.display(),
                    u.key,
                    u.config_map
                ))
                .label("configuration not read")
                .help(
                    "check that the text is a valid configuration for the agent; if it is, \
                     scan the rendered form (a template or an expression auditlint does not \
                     evaluate is not read), or report the construct that is not understood",
                )
                .related(&w.file, w.span, "the agent"),
        );
    }
}
