//! The OpenTelemetry collector: `filelog` receivers (`include`/`exclude`) wired to exporters
//! by `service.pipelines.logs[/name]`. A collector with no `filelog` receiver tails nothing:
//! an OTLP-only or metrics-only collector is no file forwarder.

use super::{is_local, plaintext_url, At, FileInput, Output, Pipeline};
use crate::yaml::Node;

pub fn read(text: &str, file: usize) -> Option<Pipeline> {
    let doc = super::first_document(text)?;
    let root = doc.root()?;
    let at = |n: Node<'_>| At::of(file, n);
    let strings = |n: Option<Node<'_>>| -> Vec<String> {
        n.into_iter()
            .flat_map(|n| n.items())
            .filter_map(|i| i.text())
            .map(str::to_owned)
            .collect()
    };
    let mut p = Pipeline {
        agent: "opentelemetry-collector",
        ..Pipeline::default()
    };
    let mut receivers = Vec::new();
    for (id, r) in root.get("receivers").into_iter().flat_map(|r| r.entries()) {
        let Some(id) = id.text() else { continue };
        // `file_log` is how some chart examples spell the type.
        if !matches!(id.split('/').next(), Some("filelog" | "file_log")) {
            continue;
        }
        receivers.push(id.to_owned());
        p.inputs.push(FileInput {
            name: id.to_owned(),
            include: strings(r.get("include")),
            exclude: strings(r.get("exclude")),
            at: at(r),
        });
    }
    let exporters: Vec<(String, Node<'_>)> = root
        .get("exporters")
        .into_iter()
        .flat_map(|e| e.entries())
        .filter_map(|(id, e)| Some((id.text()?.to_owned(), e)))
        .collect();
    for (name, pipe) in root
        .path(&["service", "pipelines"])
        .into_iter()
        .flat_map(|s| s.entries())
    {
        if name.text().and_then(|n| n.split('/').next()) != Some("logs") {
            continue;
        }
        for exporter in strings(pipe.get("exporters")) {
            let Some((_, node)) = exporters.iter().find(|(id, _)| *id == exporter) else {
                continue;
            };
            let plugin = exporter.split('/').next().unwrap_or("").to_owned();
            let endpoint = node.get_str("endpoint").unwrap_or("");
            let insecure = node
                .path(&["tls", "insecure"])
                .and_then(Node::text)
                .is_some_and(|v| v == "true");
            if node.path(&["sending_queue", "storage"]).is_some() {
                p.buffered = true;
            }
            let index = p
                .outputs
                .iter()
                .position(|o| o.name == exporter)
                .unwrap_or_else(|| {
                    p.outputs.push(Output {
                        name: exporter.clone(),
                        local: is_local(&plugin),
                        plaintext: !is_local(&plugin) && (insecure || plaintext_url(endpoint)),
                        plugin,
                        at: at(*node),
                    });
                    p.outputs.len() - 1
                });
            for r in strings(pipe.get("receivers")) {
                if let Some(i) = receivers.iter().position(|id| *id == r) {
                    p.routes.push((i, index));
                }
            }
        }
    }
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filelog_pipelines() {
        let text = "receivers:
  filelog:
    include: [/var/log/pods/*/*/*.log]
    exclude: [/var/log/pods/*/otel-collector/*.log]
  otlp: {protocols: {grpc: {}}}
exporters:
  debug: {}
  otlphttp: {endpoint: http://collector:4318}
service:
  pipelines:
    logs:
      receivers: [filelog, otlp]
      exporters: [otlphttp, debug]
";
        let p = read(text, 0).unwrap();
        assert_eq!(p.inputs.len(), 1);
        assert!(p.ships("/var/log/pods/ns_a_1/app/0.log"));
        assert!(!p.ships("/var/log/kubernetes/audit/audit.log"));
        assert!(p.outputs.iter().any(|o| o.plaintext));
    }

    #[test]
    fn an_otlp_only_collector_tails_nothing() {
        let text = "receivers: {otlp: {}}\nexporters: {otlp: {endpoint: x:4317}}\nservice: {pipelines: {logs: {receivers: [otlp], exporters: [otlp]}}}\n";
        let p = read(text, 0).unwrap();
        assert!(p.inputs.is_empty());
        assert!(!p.ships_anything());
    }
}
