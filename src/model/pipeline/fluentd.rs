//! Fluentd: `<source>`, `<match>` and `<label>` directives with their parameters and
//! `@include`. A tail source emits records under its `tag` (`*` becomes the file's path) or
//! to its `@label`; the first `<match>` whose pattern takes the tag receives them (`copy`
//! stores to every `<store>`, `relabel` passes them to another label).

use super::{glob, is_local, plaintext_url, At, FileInput, Output, Pipeline};
use crate::yaml::Span;

#[derive(Debug, Default)]
struct Directive {
    name: String,
    arg: String,
    params: Vec<(String, String)>,
    children: Vec<Directive>,
    at: Option<At>,
}

impl Directive {
    fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

pub fn read(files: &[(&str, &str)], main: usize) -> Option<Pipeline> {
    let mut root = Directive::default();
    let mut seen = Vec::new();
    parse(files, main, &mut root, &mut seen);
    let mut pipeline = Pipeline {
        agent: "fluentd",
        ..Pipeline::default()
    };
    let mut emits = Vec::new();
    for source in root.children.iter().filter(|d| d.name == "source") {
        if source.get("@type") != Some("tail") {
            continue;
        }
        pipeline.inputs.push(FileInput {
            name: source.get("@id").unwrap_or("tail").to_owned(),
            include: list(source.get("path")),
            exclude: list(source.get("exclude_path")),
            at: source.at?,
        });
        // `*` in a tail tag becomes the file's path, dots for slashes: several parts.
        let tag = source.get("tag").unwrap_or("").replace('*', "var.log.x");
        emits.push((tag, source.get("@label").map(str::to_owned)));
    }
    for (i, (tag, label)) in emits.iter().enumerate() {
        route(&root, i, tag, label.as_deref(), &mut pipeline, 0);
    }
    pipeline.buffered = any_file_buffer(&root);
    Some(pipeline)
}

/// Sends input `i`'s records with `tag` through the matches of `label` (top level when none).
fn route(root: &Directive, i: usize, tag: &str, label: Option<&str>, p: &mut Pipeline, depth: u8) {
    if depth > 8 {
        return;
    }
    let scope: Vec<&Directive> = match label {
        None => root.children.iter().collect(),
        Some(l) => root
            .children
            .iter()
            .filter(|d| d.name == "label" && d.arg == l)
            .flat_map(|d| d.children.iter())
            .collect(),
    };
    for m in scope.into_iter().filter(|d| d.name == "match") {
        if !glob::fluentd_match(&m.arg, tag) {
            continue;
        }
        match m.get("@type").unwrap_or("") {
            "relabel" => {
                if let Some(l) = m.get("@label") {
                    route(root, i, tag, Some(l), p, depth + 1);
                }
            }
            // Re-emitted under a new tag: it may reach any later match.
            "rewrite_tag_filter" => continue,
            "copy" => {
                for store in m.children.iter().filter(|c| c.name == "store") {
                    add_output(store, m.at, i, p);
                }
            }
            _ => add_output(m, m.at, i, p),
        }
        return;
    }
}

fn add_output(d: &Directive, at: Option<At>, input: usize, p: &mut Pipeline) {
    let Some(at) = d.at.or(at) else { return };
    let plugin = d.get("@type").unwrap_or("").to_owned();
    let local = is_local(&plugin);
    let scheme = d.get("scheme");
    let url = ["endpoint", "url", "host"].iter().find_map(|k| d.get(k));
    let tls_forward =
        d.get("transport") == Some("tls") || d.children.iter().any(|c| c.name == "security");
    let plaintext = !local
        && (url.is_some_and(plaintext_url)
            || (matches!(plugin.as_str(), "elasticsearch" | "opensearch")
                && scheme != Some("https"))
            || (plugin == "forward" && !tls_forward)
            // Splunk Connect for Kubernetes' HEC output: `protocol http|https`.
            || (plugin == "splunk_hec" && d.get("protocol") == Some("http")));
    let index = p
        .outputs
        .iter()
        .position(|o| o.at == at && o.plugin == plugin)
        .unwrap_or_else(|| {
            p.outputs.push(Output {
                name: d.get("@id").unwrap_or(&plugin).to_owned(),
                plugin: plugin.clone(),
                local,
                plaintext,
                at,
            });
            p.outputs.len() - 1
        });
    p.routes.push((input, index));
}

fn any_file_buffer(d: &Directive) -> bool {
    d.children
        .iter()
        .any(|c| (c.name == "buffer" && c.get("@type") == Some("file")) || any_file_buffer(c))
}

/// `a,b` or `["a", "b"]` → the paths.
fn list(value: Option<&str>) -> Vec<String> {
    let Some(v) = value else { return Vec::new() };
    let v = v.trim().trim_start_matches('[').trim_end_matches(']');
    v.split(',')
        .map(|p| p.trim().trim_matches(['"', '\'']).to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Parses `files[index]` into `parent`, following `@include` by file name (globs allowed).
fn parse(files: &[(&str, &str)], index: usize, parent: &mut Directive, seen: &mut Vec<usize>) {
    if seen.contains(&index) {
        return;
    }
    seen.push(index);
    let text = files[index].1;
    let mut stack: Vec<Directive> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let at = At {
            file: index,
            span: Span::new(start + lead, start + line.trim_end().len()),
        };
        if let Some(name) = t.strip_prefix("@include ") {
            for i in super::included(files, name) {
                match stack.last_mut() {
                    Some(open) => parse(files, i, open, seen),
                    None => parse(files, i, parent, seen),
                }
            }
        } else if let Some(close) = t.strip_prefix("</") {
            let name = close.trim_end_matches('>').trim();
            if let Some(done) = stack.pop() {
                if done.name != name {
                    // Unbalanced: keep what was read.
                }
                match stack.last_mut() {
                    Some(open) => open.children.push(done),
                    None => parent.children.push(done),
                }
            }
        } else if t.starts_with('<') && t.ends_with('>') {
            let inner = &t[1..t.len() - 1];
            let (name, arg) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
            stack.push(Directive {
                name: name.to_owned(),
                arg: arg.trim().to_owned(),
                at: Some(at),
                ..Directive::default()
            });
        } else if let Some(open) = stack.last_mut() {
            let (key, value) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
            open.params.push((key.to_owned(), value.trim().to_owned()));
        }
    }
    // Unclosed directives still count.
    while let Some(done) = stack.pop() {
        match stack.last_mut() {
            Some(open) => open.children.push(done),
            None => parent.children.push(done),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_matches_and_labels() {
        let main = "@include containers.conf
<source>
  @type tail
  path /var/log/kubernetes/audit/*.log
  tag audit
  @label @AUDIT
</source>
<label @AUDIT>
  <match **>
    @type null
  </match>
</label>
<match kubernetes.**>
  @type elasticsearch
  scheme https
  <buffer>
    @type file
  </buffer>
</match>
";
        let containers = "<source>\n  @type tail\n  path /var/log/containers/*.log\n  exclude_path [\"/var/log/containers/fluentd*\"]\n  tag kubernetes.*\n</source>\n";
        let p = read(&[("fluent.conf", main), ("containers.conf", containers)], 0).unwrap();
        assert_eq!(p.inputs.len(), 2);
        assert_eq!(p.inputs[0].exclude, ["/var/log/containers/fluentd*"]);
        assert!(p.ships("/var/log/containers/a.log"));
        assert!(
            !p.ships("/var/log/kubernetes/audit/audit.log"),
            "audit goes to null"
        );
        assert!(p.buffered);
        assert!(
            !p.outputs
                .iter()
                .find(|o| o.plugin == "elasticsearch")
                .unwrap()
                .plaintext
        );
    }

    #[test]
    fn copy_and_plain_forward() {
        let text = "<source>\n  @type tail\n  path /var/log/*.log\n  tag x\n</source>\n<match x>\n  @type copy\n  <store>\n    @type stdout\n  </store>\n  <store>\n    @type forward\n  </store>\n</match>\n";
        let p = read(&[("f.conf", text)], 0).unwrap();
        assert_eq!(p.outputs.len(), 2);
        assert!(p.outputs[1].plaintext);
        assert!(p.ships("/var/log/a.log"));
    }
}
