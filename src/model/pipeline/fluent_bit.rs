//! Fluent Bit: the classic format (`[INPUT]` sections of `Key Value` lines, `@INCLUDE`,
//! `@SET`) and the YAML format (`pipeline: {inputs, outputs}`). Tail inputs tag records
//! (`Tag`, default the instance name `tail.N`); outputs take the tags their `Match` (or
//! `Match_Regex`) selects.

use super::{glob, is_local, plaintext_url, At, FileInput, Output, Pipeline};
use crate::yaml::{Node, Span};

/// One `[SECTION]` of the classic format with its entries (lowercased key, value, where).
struct Section {
    name: String,
    entries: Vec<(String, String, At)>,
    at: At,
}

impl Section {
    fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.as_str())
    }
}

/// Reads the classic format, following `@INCLUDE` among `files` (by name; globs allowed).
pub fn classic(files: &[(&str, &str)], main: usize) -> Option<Pipeline> {
    let mut sections = Vec::new();
    let mut vars = Vec::new();
    let mut seen = Vec::new();
    sections_of(files, main, &mut sections, &mut vars, &mut seen);
    let mut pipeline = Pipeline {
        agent: "fluent-bit",
        ..Pipeline::default()
    };
    let mut tags = Vec::new();
    let mut counts = std::collections::HashMap::new();
    for s in &sections {
        let plugin = s.get("name").unwrap_or("").to_ascii_lowercase();
        let n = counts.entry((s.name.clone(), plugin.clone())).or_insert(0);
        let instance = format!("{plugin}.{n}");
        *n += 1;
        match s.name.as_str() {
            "input" if plugin == "tail" => {
                let split = |v: Option<&str>| -> Vec<String> {
                    v.into_iter()
                        .flat_map(|v| v.split(','))
                        .map(|p| p.trim().to_owned())
                        .filter(|p| !p.is_empty())
                        .collect()
                };
                if s.get("storage.type")
                    .is_some_and(|t| t.eq_ignore_ascii_case("filesystem"))
                {
                    pipeline.buffered = true;
                }
                tags.push(s.get("tag").unwrap_or(&instance).to_owned());
                pipeline.inputs.push(FileInput {
                    name: instance,
                    include: split(s.get("path")),
                    exclude: split(s.get("exclude_path")),
                    at: s.at,
                });
            }
            "output" => {
                let tls = s
                    .get("tls")
                    .map(|v| v.eq_ignore_ascii_case("on") || v == "true");
                let url = ["uri", "endpoint", "url"].iter().find_map(|k| s.get(k));
                pipeline.outputs.push(Output {
                    name: instance,
                    local: is_local(&plugin),
                    plaintext: !is_local(&plugin)
                        && (url.is_some_and(plaintext_url)
                            || (tls != Some(true) && needs_tls(&plugin))),
                    plugin,
                    at: s.at,
                });
                let index = pipeline.outputs.len() - 1;
                let pattern = s.get("match");
                let regex = s.get("match_regex");
                for (i, tag) in tags.iter().enumerate() {
                    // A tag with `*` is completed with the file's path: any concrete tag stands.
                    let tag = tag.replace('*', "x");
                    let hit = pattern.is_some_and(|p| glob::fluent_bit_match(p, &tag))
                        || regex.is_some_and(|r| regex_like(r, &tag));
                    if hit {
                        pipeline.routes.push((i, index));
                    }
                }
            }
            _ => {}
        }
    }
    Some(pipeline)
}

/// Outputs that talk to a remote service over the network (and so take `tls`).
fn needs_tls(plugin: &str) -> bool {
    matches!(
        plugin,
        "es" | "forward"
            | "http"
            | "loki"
            | "splunk"
            | "kafka"
            | "opensearch"
            | "datadog"
            | "syslog"
            | "gelf"
            | "tcp"
            | "opentelemetry"
            | "influxdb"
            | "logdna"
    )
}

/// `Match_Regex` without a regex engine: `.*` stands for anything, other text must appear.
fn regex_like(regex: &str, tag: &str) -> bool {
    regex
        .trim_start_matches('^')
        .trim_end_matches('$')
        .split(".*")
        .all(|part| tag.contains(part.replace("\\.", ".").as_str()))
}

fn sections_of(
    files: &[(&str, &str)],
    index: usize,
    sections: &mut Vec<Section>,
    vars: &mut Vec<(String, String)>,
    seen: &mut Vec<usize>,
) {
    if seen.contains(&index) {
        return;
    }
    seen.push(index);
    let text = files[index].1;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim();
        let at = At {
            file: index,
            span: Span::new(
                start + (line.len() - line.trim_start().len()),
                start + line.trim_end().len(),
            ),
        };
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(rest) = trimmed
            .strip_prefix("@SET ")
            .or(trimmed.strip_prefix("@set "))
        {
            if let Some((k, v)) = rest.split_once('=') {
                vars.push((k.trim().to_owned(), v.trim().to_owned()));
            }
            continue;
        }
        if let Some(name) = trimmed
            .strip_prefix("@INCLUDE ")
            .or(trimmed.strip_prefix("@include "))
        {
            for i in super::included(files, name) {
                sections_of(files, i, sections, vars, seen);
            }
            continue;
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            sections.push(Section {
                name: trimmed[1..trimmed.len() - 1].trim().to_ascii_lowercase(),
                entries: Vec::new(),
                at,
            });
            continue;
        }
        let Some(section) = sections.last_mut() else {
            continue;
        };
        let (key, value) = trimmed
            .split_once(char::is_whitespace)
            .unwrap_or((trimmed, ""));
        section
            .entries
            .push((key.to_ascii_lowercase(), substitute(value.trim(), vars), at));
    }
}

/// `${VAR}` from `@SET` (environment variables stay as written).
fn substitute(value: &str, vars: &[(String, String)]) -> String {
    let mut out = value.to_owned();
    for (k, v) in vars {
        out = out.replace(&format!("${{{k}}}"), v);
    }
    out
}

/// Reads the YAML format: `pipeline.inputs` and `pipeline.outputs`, each a list of mappings
/// with `name`, and for tail `path`/`exclude_path`, for outputs `match`.
pub fn yaml(files: &[(&str, &str)], main: usize) -> Option<Pipeline> {
    let doc = super::first_document(files[main].1)?;
    let root = doc.root()?;
    let pipe = root.get("pipeline")?;
    let at = |n: Node<'_>| At::of(main, n);
    fn get<'d>(n: Node<'d>, key: &str) -> Option<Node<'d>> {
        n.entries()
            .find(|(k, _)| k.str().is_some_and(|k| k.eq_ignore_ascii_case(key)))
            .map(|(_, v)| v)
    }
    let text = |n: Node<'_>, key: &str| get(n, key).and_then(|v| v.text()).map(str::to_owned);
    let mut pipeline = Pipeline {
        agent: "fluent-bit",
        ..Pipeline::default()
    };
    let mut tags = Vec::new();
    for (n, input) in pipe
        .get("inputs")
        .into_iter()
        .flat_map(|l| l.items())
        .enumerate()
    {
        if text(input, "name").as_deref() != Some("tail") {
            continue;
        }
        let list = |key: &str| -> Vec<String> {
            match get(input, key) {
                Some(v) if v.is_seq() => v
                    .items()
                    .filter_map(|i| i.text())
                    .map(str::to_owned)
                    .collect(),
                Some(v) => v
                    .text()
                    .into_iter()
                    .flat_map(|t| t.split(','))
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect(),
                None => Vec::new(),
            }
        };
        if text(input, "storage.type").is_some_and(|t| t.eq_ignore_ascii_case("filesystem")) {
            pipeline.buffered = true;
        }
        let name = format!("tail.{n}");
        tags.push(text(input, "tag").unwrap_or_else(|| name.clone()));
        pipeline.inputs.push(FileInput {
            name,
            include: list("path"),
            exclude: list("exclude_path"),
            at: at(input),
        });
    }
    for (n, output) in pipe
        .get("outputs")
        .into_iter()
        .flat_map(|l| l.items())
        .enumerate()
    {
        let plugin = text(output, "name")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let tls = text(output, "tls").map(|v| v.eq_ignore_ascii_case("on") || v == "true");
        let url = ["uri", "endpoint", "url"]
            .iter()
            .find_map(|k| text(output, k));
        pipeline.outputs.push(Output {
            name: format!("{plugin}.{n}"),
            local: is_local(&plugin),
            plaintext: !is_local(&plugin)
                && (url.as_deref().is_some_and(plaintext_url)
                    || (tls != Some(true) && needs_tls(&plugin))),
            plugin,
            at: at(output),
        });
        let index = pipeline.outputs.len() - 1;
        let pattern = text(output, "match");
        let regex = text(output, "match_regex");
        for (i, tag) in tags.iter().enumerate() {
            let tag = tag.replace('*', "x");
            if pattern
                .as_deref()
                .is_some_and(|p| glob::fluent_bit_match(p, &tag))
                || regex.as_deref().is_some_and(|r| regex_like(r, &tag))
            {
                pipeline.routes.push((i, index));
            }
        }
    }
    Some(pipeline)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIN: &str = "[SERVICE]
    Flush 1
@SET logs=/var/log
@INCLUDE input-*.conf
[OUTPUT]
    Name  es
    Match kube.*
    tls   On
[OUTPUT]
    Name  stdout
    Match audit.*
";

    const INPUTS: &str = "[INPUT]
    Name          tail
    Tag           kube.*
    Path          ${logs}/containers/*.log
    Exclude_Path  ${logs}/containers/fluent*.log, /var/log/containers/x.log
    storage.type  filesystem
[INPUT]
    Name tail
    Tag  audit.*
    Path /var/log/kubernetes/audit/*.log
";

    #[test]
    fn classic_sections_includes_and_routes() {
        let files = [("fluent-bit.conf", MAIN), ("input-kubernetes.conf", INPUTS)];
        let p = classic(&files, 0).unwrap();
        assert_eq!(p.inputs.len(), 2);
        assert_eq!(p.inputs[0].include, ["/var/log/containers/*.log"]);
        assert_eq!(
            p.inputs[0].exclude,
            [
                "/var/log/containers/fluent*.log",
                "/var/log/containers/x.log"
            ]
        );
        assert_eq!(p.inputs[0].at.file, 1);
        assert!(p.buffered);
        assert_eq!(
            p.outputs
                .iter()
                .map(|o| (o.plugin.as_str(), o.local, o.plaintext))
                .collect::<Vec<_>>(),
            [("es", false, false), ("stdout", true, false)]
        );
        assert_eq!(p.routes, [(0, 0), (1, 1)]);
        // The audit log is tailed, but only printed: collected, never shipped.
        assert!(!p.ships("/var/log/kubernetes/audit/audit.log"));
        assert!(p.ships("/var/log/containers/a.log"));
        assert_eq!(p.readers("/var/log/containers/x.log").1.len(), 1);
    }

    #[test]
    fn an_output_without_tls_is_plaintext() {
        let text = "[INPUT]\n    Name tail\n    Path /var/log/*.log\n[OUTPUT]\n    Name forward\n    Match *\n";
        let p = classic(&[("f.conf", text)], 0).unwrap();
        assert!(p.outputs[0].plaintext);
        assert_eq!(p.routes, [(0, 0)]);
        // The default tag is the instance name, which `*` matches.
        assert_eq!(p.inputs[0].name, "tail.0");
    }

    #[test]
    fn yaml_pipelines() {
        let text = "pipeline:\n  inputs:\n    - name: tail\n      path: /var/log/containers/*.log,/var/log/kubernetes/audit/*.log\n      tag: kube.*\n  outputs:\n    - name: http\n      match: '*'\n      uri: /x\n      tls: on\n";
        let p = yaml(&[("fluent-bit.yaml", text)], 0).unwrap();
        assert_eq!(p.inputs[0].include.len(), 2);
        assert!(p.ships("/var/log/kubernetes/audit/audit.log"));
        assert!(!p.outputs[0].plaintext);
    }
}
