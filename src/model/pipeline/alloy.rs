//! Grafana Alloy (and Grafana Agent flow mode): the configuration language's blocks
//! (`name.parts "label" { … }`) and attributes (`key = value`), read as far as file tailing
//! goes: `local.file_match` (`path_targets` with `__path__`/`__path_exclude__`) feeding
//! `loki.source.file`, whose `forward_to` reaches `loki.write` (remote, by its `endpoint`
//! URLs) or `loki.echo` (stdout), through `loki.process`/`loki.relabel`.
//!
//! Syntax: <https://grafana.com/docs/alloy/latest/get-started/configuration-syntax/>;
//! components: `loki.source.file`, `local.file_match`, `loki.write` in the Alloy reference.
//! A configuration that reads logs another way (`loki.source.kubernetes`, `journal`,
//! `podlogs`, `otelcol.receiver.filelog` …), or whose targets or routes are expressions rather
//! than literals, is not judged: `None`, never a guess.

use super::{plaintext_url, At, FileInput, Output, Pipeline};
use crate::yaml::Span;

/// An attribute value, as far as it is needed.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Str(String),
    List(Vec<Value>),
    Object(Vec<(String, Value)>),
    /// A reference to another component's export: `local.file_match.logs.targets`.
    Ref(String),
    /// Anything else (numbers, function calls, operators): not read.
    Other,
}

#[derive(Debug, Default)]
struct Block {
    /// `loki.source.file`.
    name: String,
    label: String,
    attrs: Vec<(String, Value)>,
    blocks: Vec<Block>,
    span: Span,
}

impl Block {
    fn attr(&self, key: &str) -> Option<&Value> {
        self.attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Sources that read no file on the node (they receive over the network).
const NETWORK_SOURCES: &[&str] = &[
    "api",
    "syslog",
    "gelf",
    "kafka",
    "heroku",
    "awsfirehose",
    "gcplog",
    "azure_event_hubs",
    "cloudflare",
];

pub fn read(text: &str, file: usize) -> Option<Pipeline> {
    let blocks = Parser::new(text).body(0)?;
    let find = |name: &str, label: &str| blocks.iter().find(|b| b.name == name && b.label == label);
    let mut p = Pipeline {
        agent: "grafana-alloy",
        ..Pipeline::default()
    };
    for b in &blocks {
        if let Some(kind) = b.name.strip_prefix("loki.source.") {
            if kind != "file" && !NETWORK_SOURCES.contains(&kind) {
                return None;
            }
        }
        if b.name.starts_with("otelcol.receiver.filelog") {
            return None;
        }
    }
    for source in blocks.iter().filter(|b| b.name == "loki.source.file") {
        let targets = match source.attr("targets")? {
            Value::Ref(r) => {
                let label = r
                    .strip_prefix("local.file_match.")?
                    .strip_suffix(".targets")?;
                find("local.file_match", label)?.attr("path_targets")?
            }
            literal => literal,
        };
        let (include, exclude) = paths(targets)?;
        let input = p.inputs.len();
        p.inputs.push(FileInput {
            name: format!("loki.source.file.{}", source.label),
            include,
            exclude,
            at: At {
                file,
                span: source.span,
            },
        });
        forward(&blocks, source, input, file, &mut p, 0)?;
    }
    Some(p)
}

/// The `__path__` and `__path_exclude__` of a literal list of targets.
fn paths(targets: &Value) -> Option<(Vec<String>, Vec<String>)> {
    let Value::List(items) = targets else {
        return None;
    };
    let (mut include, mut exclude) = (Vec::new(), Vec::new());
    for item in items {
        let Value::Object(fields) = item else {
            return None;
        };
        for (key, value) in fields {
            let list = match key.as_str() {
                "__path__" => &mut include,
                "__path_exclude__" => &mut exclude,
                _ => continue,
            };
            let Value::Str(path) = value else { return None };
            list.push(path.clone());
        }
    }
    Some((include, exclude))
}

/// Follows `forward_to` of `from` to the outputs input `input` reaches.
fn forward(
    blocks: &[Block],
    from: &Block,
    input: usize,
    file: usize,
    p: &mut Pipeline,
    depth: u8,
) -> Option<()> {
    if depth > 8 {
        return None;
    }
    let Value::List(receivers) = from.attr("forward_to")? else {
        return None;
    };
    for receiver in receivers {
        let Value::Ref(r) = receiver else { return None };
        let component = r.strip_suffix(".receiver")?;
        let (name, label) = component.rsplit_once('.')?;
        let target = blocks.iter().find(|b| b.name == name && b.label == label)?;
        match name {
            "loki.process" | "loki.relabel" => {
                forward(blocks, target, input, file, p, depth + 1)?;
            }
            "loki.write" | "loki.echo" => {
                let urls: Vec<&str> = target
                    .blocks
                    .iter()
                    .filter(|b| b.name == "endpoint")
                    .filter_map(|b| match b.attr("url") {
                        Some(Value::Str(u)) => Some(u.as_str()),
                        _ => None,
                    })
                    .collect();
                let local = name == "loki.echo";
                if target.blocks.iter().any(|b| {
                    b.name == "wal" && b.attr("enabled") == Some(&Value::Ref("true".into()))
                }) {
                    p.buffered = true;
                }
                let at = At {
                    file,
                    span: target.span,
                };
                let index = p
                    .outputs
                    .iter()
                    .position(|o| o.at == at)
                    .unwrap_or_else(|| {
                        p.outputs.push(Output {
                            name: component.to_owned(),
                            plugin: name.to_owned(),
                            local,
                            plaintext: !local && urls.iter().any(|u| plaintext_url(u)),
                            at,
                        });
                        p.outputs.len() - 1
                    });
                p.routes.push((input, index));
            }
            _ => return None,
        }
    }
    Some(())
}

/// A recursive-descent reader of the configuration language. `None` on anything it cannot
/// read (the configuration is then not judged).
struct Parser<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Parser<'t> {
    fn new(text: &'t str) -> Self {
        Parser { text, at: 0 }
    }

    fn rest(&self) -> &'t str {
        &self.text[self.at..]
    }

    /// Skips blanks, newlines and comments (`//`, `#`, `/* */`).
    fn skip(&mut self) {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.at += rest.len() - trimmed.len();
            if trimmed.starts_with("//") || trimmed.starts_with('#') {
                self.at += trimmed.find('\n').unwrap_or(trimmed.len());
            } else if let Some(body) = trimmed.strip_prefix("/*") {
                self.at += 2 + body.find("*/").map_or(body.len(), |e| e + 2);
            } else {
                return;
            }
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip();
        if self.rest().starts_with(c) {
            self.at += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// An identifier, possibly dotted: `loki.source.file`, `path_targets`.
    fn name(&mut self) -> Option<String> {
        self.skip();
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        (len > 0).then(|| {
            self.at += len;
            rest[..len].to_owned()
        })
    }

    /// The statements of a body, until `}` (depth > 0) or the end of the text.
    fn body(&mut self, depth: u8) -> Option<Vec<Block>> {
        if depth > 16 {
            return None;
        }
        let mut blocks = Vec::new();
        let mut attrs = Vec::new();
        loop {
            self.skip();
            if self.rest().is_empty() {
                return (depth == 0).then_some(blocks);
            }
            if depth > 0 && self.eat('}') {
                // Attributes of a nested body are kept on a pseudo-block the caller takes.
                blocks.push(Block {
                    name: String::new(),
                    attrs,
                    ..Block::default()
                });
                return Some(blocks);
            }
            let start = self.at;
            let name = self.name()?;
            if self.eat('=') {
                attrs.push((name, self.value(0)?));
                continue;
            }
            self.skip();
            let label = if self.rest().starts_with('"') {
                self.string()?
            } else {
                String::new()
            };
            if !self.eat('{') {
                return None;
            }
            let mut inner = self.body(depth + 1)?;
            let own = inner.pop().map(|b| b.attrs).unwrap_or_default();
            blocks.push(Block {
                name,
                label,
                attrs: own,
                blocks: inner,
                span: Span::new(start, self.at),
            });
        }
    }

    /// A double-quoted string (with escapes) or a backquoted raw string.
    fn string(&mut self) -> Option<String> {
        self.skip();
        let rest = self.rest();
        if let Some(raw) = rest.strip_prefix('`') {
            let end = raw.find('`')?;
            self.at += end + 2;
            return Some(raw[..end].to_owned());
        }
        let mut chars = rest.strip_prefix('"')?.char_indices();
        let mut out = String::new();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.at += i + 2;
                    return Some(out);
                }
                '\\' => match chars.next()?.1 {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    other => out.push(other),
                },
                c => out.push(c),
            }
        }
        None
    }

    fn value(&mut self, depth: u8) -> Option<Value> {
        if depth > 16 {
            return None;
        }
        self.skip();
        let rest = self.rest();
        let value = if rest.starts_with('"') || rest.starts_with('`') {
            Value::Str(self.string()?)
        } else if self.eat('[') {
            let mut items = Vec::new();
            while !self.eat(']') {
                items.push(self.value(depth + 1)?);
                self.eat(',');
            }
            Value::List(items)
        } else if self.eat('{') {
            let mut fields = Vec::new();
            while !self.eat('}') {
                self.skip();
                let key = if self.rest().starts_with('"') {
                    self.string()?
                } else {
                    self.name()?
                };
                if !self.eat('=') {
                    return None;
                }
                fields.push((key, self.value(depth + 1)?));
                self.eat(',');
            }
            Value::Object(fields)
        } else {
            let name = self.name();
            // A reference is a name alone: what follows on its line ends the value.
            let after = self.rest().trim_start_matches([' ', '\t', '\r']);
            let ends = after.is_empty()
                || after.starts_with("//")
                || [',', ']', '}', '\n'].iter().any(|c| after.starts_with(*c));
            match name {
                Some(n) if ends && !n.chars().next()?.is_ascii_digit() => Value::Ref(n),
                _ => {
                    self.skip_expression()?;
                    Value::Other
                }
            }
        };
        Some(value)
    }

    /// Skips the rest of an expression this reader does not model (a call, an operator),
    /// up to the `,`, `]` or `}` that ends it, or the end of its line.
    fn skip_expression(&mut self) -> Option<()> {
        let mut depth = 0i32;
        while let Some(c) = self.rest().chars().next() {
            match c {
                '"' | '`' => {
                    self.string()?;
                    continue;
                }
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => return Some(()),
                ')' | ']' | '}' => depth -= 1,
                ',' | '\n' if depth == 0 => return Some(()),
                _ => {}
            }
            self.at += c.len_utf8();
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
// Node logs and the audit log, to Loki.
local.file_match "audit" {
  path_targets = [
    {"__path__" = "/var/log/kubernetes/audit/*.log", job = "audit"},
  ]
}

local.file_match "pods" {
  path_targets = [{
    __path__         = "/var/log/pods/*/*/*.log",
    __path_exclude__ = "/var/log/pods/kube-system_*/*/*.log",
  }]
}

loki.source.file "audit" {
  targets    = local.file_match.audit.targets
  forward_to = [loki.process.add_labels.receiver]
}

loki.source.file "pods" {
  targets    = local.file_match.pods.targets
  forward_to = [loki.echo.debug.receiver]
}

loki.process "add_labels" {
  stage.static_labels {
    values = { cluster = "prod" }
  }
  forward_to = [loki.write.default.receiver]
}

loki.echo "debug" { }

loki.write "default" {
  endpoint {
    url = "http://loki.logging.svc:3100/loki/api/v1/push"
  }
  external_labels = { cluster = env("CLUSTER") }
}

prometheus.scrape "x" {
  targets    = discovery.kubernetes.pods.targets
  forward_to = [prometheus.remote_write.default.receiver]
}
"#;

    #[test]
    fn file_match_to_loki_write_through_process() {
        let p = read(CONFIG, 0).expect("readable");
        assert_eq!(p.inputs.len(), 2);
        assert!(p.ships("/var/log/kubernetes/audit/audit.log"));
        // Pods go only to loki.echo (stdout); kube-system's are excluded.
        assert!(!p.ships("/var/log/pods/app_web_1/web/0.log"));
        let (_, excluding) = p.readers("/var/log/pods/kube-system_a_1/a/0.log");
        assert_eq!(excluding.len(), 1);
        let write = p.outputs.iter().find(|o| o.plugin == "loki.write").unwrap();
        assert!(write.plaintext && !write.local);
        let s = write.at.span;
        assert!(CONFIG[s.start..s.end].starts_with("loki.write \"default\" {"));
        assert!(!p.buffered);
    }

    #[test]
    fn inline_targets_and_raw_strings() {
        let text = "loki.source.file \"x\" {\n  targets = [{__path__ = `/var/log/syslog`}]\n  forward_to = [loki.write.w.receiver]\n}\nloki.write \"w\" {\n  endpoint { url = \"https://logs.example.com/push\" }\n  wal { enabled = true }\n}\n";
        let p = read(text, 0).unwrap();
        assert!(p.ships("/var/log/syslog"));
        assert!(!p.outputs[0].plaintext);
        assert!(p.buffered);
    }

    #[test]
    fn metrics_only_configs_tail_nothing() {
        let text = "prometheus.exporter.unix \"node\" { }\nprometheus.scrape \"n\" {\n  targets = prometheus.exporter.unix.node.targets\n  forward_to = [prometheus.remote_write.r.receiver]\n}\nprometheus.remote_write \"r\" {\n  endpoint { url = \"https://prom/api/v1/write\" }\n}\n";
        let p = read(text, 0).unwrap();
        assert!(p.inputs.is_empty());
    }

    #[test]
    fn other_ways_of_reading_logs_and_expressions_are_not_judged() {
        for text in [
            // Container logs through the Kubernetes API: not a file input, not nothing either.
            "loki.source.kubernetes \"pods\" {\n  targets = discovery.kubernetes.pods.targets\n  forward_to = [loki.write.w.receiver]\n}\n",
            // Targets computed by relabelling.
            "loki.source.file \"pods\" {\n  targets = discovery.relabel.pods.output\n  forward_to = [loki.write.w.receiver]\n}\n",
            // A path that is an expression.
            "loki.source.file \"x\" {\n  targets = [{__path__ = env(\"LOG\")}]\n  forward_to = [loki.write.w.receiver]\n}\nloki.write \"w\" { endpoint { url = \"https://x\" } }\n",
            // A forward to a component not modelled.
            "loki.source.file \"x\" {\n  targets = [{__path__ = \"/var/log/a.log\"}]\n  forward_to = [otelcol.receiver.loki.o.receiver]\n}\notelcol.receiver.loki \"o\" { output { } }\n",
            // Broken syntax.
            "loki.source.file \"x\" {\n  targets = [{__path__ = \"/var/log/a.log\"\n",
        ] {
            assert!(read(text, 0).is_none(), "{text}");
        }
    }
}
