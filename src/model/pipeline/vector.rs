//! Vector: `sources` (`file` with `include`/`exclude`; `kubernetes_logs`, which reads only
//! `/var/log/pods`), `transforms` and `sinks` wired by their `inputs` (ids, `*` allowed).
//! YAML keeps spans; TOML is read with the `toml` crate and points at the file as a whole.

use super::{is_local, plaintext_url, At, FileInput, Output, Pipeline};
use crate::yaml::{Node, Span};

/// Where `kubernetes_logs` reads: the kubelet's pod log directory, and nothing else.
const POD_LOGS: &str = "/var/log/pods/**";

pub fn yaml(text: &str, file: usize) -> Option<Pipeline> {
    let doc = super::first_document(text)?;
    read(doc.root()?, file, None)
}

/// TOML: converted to JSON (a YAML subset) and read as YAML; every span is the whole file.
pub fn toml(text: &str, file: usize) -> Option<Pipeline> {
    let value: toml::Table = text.parse().ok()?;
    let json = serde_json::to_string(&value).ok()?;
    let doc = super::first_document(&json)?;
    read(doc.root()?, file, Some(Span::new(0, text.len())))
}

fn read(root: Node<'_>, file: usize, whole: Option<Span>) -> Option<Pipeline> {
    let at = |n: Node<'_>| At {
        file,
        span: whole.unwrap_or(n.span()),
    };
    let strings = |n: Option<Node<'_>>| -> Vec<String> {
        match n {
            Some(n) if n.is_seq() => n
                .items()
                .filter_map(|i| i.text())
                .map(str::to_owned)
                .collect(),
            Some(n) => n.text().map(str::to_owned).into_iter().collect(),
            None => Vec::new(),
        }
    };
    let mut p = Pipeline {
        agent: "vector",
        ..Pipeline::default()
    };
    let mut ids = Vec::new();
    for (id, source) in root.get("sources").into_iter().flat_map(|s| s.entries()) {
        let Some(id) = id.text() else { continue };
        let (include, exclude) = match source.get_str("type") {
            Some("file") => (
                strings(source.get("include")),
                strings(source.get("exclude")),
            ),
            Some("kubernetes_logs") => (
                vec![POD_LOGS.to_owned()],
                strings(source.get("exclude_paths_glob_patterns")),
            ),
            _ => continue,
        };
        ids.push(id.to_owned());
        p.inputs.push(FileInput {
            name: id.to_owned(),
            include,
            exclude,
            at: at(source),
        });
    }
    // What each transform reads, to follow a sink's inputs back to the sources.
    let transforms: Vec<(String, Vec<String>)> = root
        .get("transforms")
        .into_iter()
        .flat_map(|t| t.entries())
        .filter_map(|(id, t)| Some((id.text()?.to_owned(), strings(t.get("inputs")))))
        .collect();
    for (id, sink) in root.get("sinks").into_iter().flat_map(|s| s.entries()) {
        let Some(id) = id.text() else { continue };
        let plugin = sink.get_str("type").unwrap_or("").to_owned();
        let endpoints: Vec<String> = ["endpoint", "endpoints", "uri", "address"]
            .iter()
            .flat_map(|k| strings(sink.get(k)))
            .collect();
        let tls_off = sink
            .path(&["tls", "enabled"])
            .and_then(Node::text)
            .is_some_and(|v| v == "false");
        if sink.path(&["buffer", "type"]).and_then(Node::str) == Some("disk")
            || sink
                .get("buffer")
                .is_some_and(|b| b.items().any(|i| i.get_str("type") == Some("disk")))
        {
            p.buffered = true;
        }
        p.outputs.push(Output {
            name: id.to_owned(),
            local: is_local(&plugin),
            plaintext: !is_local(&plugin)
                && (tls_off || endpoints.iter().any(|e| plaintext_url(e))),
            plugin,
            at: at(sink),
        });
        let out = p.outputs.len() - 1;
        let mut frontier = strings(sink.get("inputs"));
        let mut seen: Vec<String> = Vec::new();
        while let Some(name) = frontier.pop() {
            if seen.contains(&name) || seen.len() > 256 {
                continue;
            }
            seen.push(name.clone());
            for (i, source) in ids.iter().enumerate() {
                if super::glob::fluent_bit_match(&name, source) {
                    p.routes.push((i, out));
                }
            }
            for (t, inputs) in &transforms {
                if super::glob::fluent_bit_match(&name, t) {
                    frontier.extend(inputs.iter().cloned());
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
    fn sources_through_transforms_to_sinks() {
        let text = "sources:
  pods: {type: kubernetes_logs}
  audit:
    type: file
    include: [/var/log/kubernetes/audit/*.log]
transforms:
  parsed: {type: remap, inputs: [audit]}
sinks:
  es:
    type: elasticsearch
    inputs: [parsed]
    endpoints: [http://es:9200]
  console: {type: console, inputs: [pods]}
";
        let p = yaml(text, 0).unwrap();
        assert!(p.ships("/var/log/kubernetes/audit/audit.log"));
        assert!(
            !p.ships("/var/log/pods/ns_pod_uid/c/0.log"),
            "pods go to the console only"
        );
        assert!(p.outputs[0].plaintext);
        assert!(
            !p.readers("/var/log/containers/x.log").0.contains(&0),
            "kubernetes_logs never reads outside /var/log/pods"
        );
    }

    #[test]
    fn toml_configurations() {
        let text = "[sources.files]\ntype = \"file\"\ninclude = [\"/var/log/**/*.log\"]\nexclude = [\"/var/log/kubernetes/audit/*\"]\n\n[sinks.loki]\ntype = \"loki\"\ninputs = [\"files\"]\nendpoint = \"https://loki\"\n[sinks.loki.buffer]\ntype = \"disk\"\n";
        let p = toml(text, 0).unwrap();
        assert!(p.ships("/var/log/containers/a.log"));
        let (reading, excluding) = p.readers("/var/log/kubernetes/audit/audit.log");
        assert!(reading.is_empty());
        assert_eq!(excluding, [(0, "/var/log/kubernetes/audit/*")]);
        assert!(p.buffered);
        assert_eq!(p.inputs[0].at.span, Span::new(0, text.len()));
    }
}
