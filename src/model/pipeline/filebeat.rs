//! Filebeat: `filebeat.inputs` (`log`, `filestream`, `container` with `paths`) and
//! Kubernetes autodiscover (container logs), all shipped to the one `output.*`.

use super::{is_local, plaintext_url, At, FileInput, Output, Pipeline};
use crate::yaml::Node;

/// Where Kubernetes autodiscover's container inputs read.
const CONTAINER_LOGS: &str = "/var/log/containers/*.log";

pub fn read(text: &str, file: usize) -> Option<Pipeline> {
    let doc = super::first_document(text)?;
    let root = doc.root()?;
    let at = |n: Node<'_>| At::of(file, n);
    // Settings may be written dotted (`filebeat.inputs:`) or nested (`filebeat: {inputs:}`).
    let setting = |a: &str, b: &str| root.get(&format!("{a}.{b}")).or_else(|| root.path(&[a, b]));
    let mut p = Pipeline {
        agent: "filebeat",
        ..Pipeline::default()
    };
    for (n, input) in setting("filebeat", "inputs")
        .into_iter()
        .flat_map(|l| l.items())
        .enumerate()
    {
        if !matches!(
            input.get_str("type"),
            Some("log" | "filestream" | "container")
        ) {
            continue;
        }
        p.inputs.push(FileInput {
            name: input
                .get_str("id")
                .map_or(format!("input.{n}"), str::to_owned),
            include: input
                .get("paths")
                .into_iter()
                .flat_map(|l| l.items())
                .filter_map(|i| i.text())
                .map(str::to_owned)
                .collect(),
            // `exclude_files` are regular expressions, not globs: not modelled.
            exclude: Vec::new(),
            at: at(input),
        });
    }
    if let Some(auto) = setting("filebeat", "autodiscover") {
        if auto
            .get("providers")
            .is_some_and(|l| l.items().any(|p| p.get_str("type") == Some("kubernetes")))
        {
            p.inputs.push(FileInput {
                name: "autodiscover".to_owned(),
                include: vec![CONTAINER_LOGS.to_owned()],
                exclude: Vec::new(),
                at: at(auto),
            });
        }
    }
    let outputs: Vec<(String, Node<'_>)> = root
        .entries()
        .filter_map(|(k, v)| Some((k.text()?.strip_prefix("output.")?.to_owned(), v)))
        .chain(
            root.get("output")
                .into_iter()
                .flat_map(|o| o.entries())
                .filter_map(|(k, v)| Some((k.text()?.to_owned(), v))),
        )
        .collect();
    for (plugin, node) in outputs {
        if node.get_str("enabled") == Some("false") {
            continue;
        }
        let hosts: Vec<String> = node
            .get("hosts")
            .into_iter()
            .flat_map(|h| h.items())
            .filter_map(|h| h.text())
            .map(str::to_owned)
            .collect();
        let https = node.get_str("protocol") == Some("https")
            || hosts.iter().any(|h| h.starts_with("https://"))
            || node
                .path(&["ssl", "enabled"])
                .and_then(Node::text)
                .is_some_and(|v| v == "true");
        let plaintext = match plugin.as_str() {
            "elasticsearch" | "logstash" => !https,
            _ => hosts.iter().any(|h| plaintext_url(h)),
        };
        p.outputs.push(Output {
            name: plugin.clone(),
            local: is_local(&plugin),
            plaintext: !is_local(&plugin) && plaintext,
            plugin,
            at: at(node),
        });
    }
    for i in 0..p.inputs.len() {
        for o in 0..p.outputs.len() {
            p.routes.push((i, o));
        }
    }
    p.buffered = setting("queue", "disk").is_some();
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_and_the_output() {
        let text = "filebeat.inputs:
- type: container
  paths: [/var/log/containers/*.log]
- type: filestream
  id: audit
  paths: [/var/log/kubernetes/audit/*.log]
output.elasticsearch:
  hosts: ['${ELASTICSEARCH_HOST:elasticsearch}:9200']
";
        let p = read(text, 0).unwrap();
        assert!(p.ships("/var/log/kubernetes/audit/audit.log"));
        assert!(p.outputs[0].plaintext, "Elasticsearch over http by default");
    }

    #[test]
    fn autodiscover_and_console() {
        let text = "filebeat:\n  autodiscover:\n    providers:\n    - type: kubernetes\noutput:\n  console: {pretty: true}\n";
        let p = read(text, 0).unwrap();
        assert!(!p.ships_anything(), "console only");
        assert_eq!(p.readers("/var/log/containers/a.log").0, [0]);
    }
}
