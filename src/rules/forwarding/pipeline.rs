//! AL406–AL408: what a forwarder's own configuration does with what it collects — ships
//! nothing (every route ends on the node), excludes the audit log, or ships in plain text.

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
