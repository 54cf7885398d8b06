//! What a log agent is configured to do: which host files its inputs tail, where its outputs
//! send records, and which inputs reach which outputs. Read from the agent's own
//! configuration (Fluent Bit, Fluentd, Vector, the OpenTelemetry collector, Filebeat,
//! Promtail, Grafana Alloy, the CloudWatch agent), so that a forwarder is judged by what it ships, not by what it mounts.
//!
//! Spans are in the coordinates of the text each parser was given, tagged with the index of
//! that text (a configuration can span several files: `@INCLUDE`, `@include`).

mod alloy;
mod cloudwatch;
mod filebeat;
mod fluent_bit;
mod fluentd;
pub mod glob;
mod otel;
mod promtail;
mod vector;

use crate::yaml::Span;

/// A place in one of the configuration's texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    /// Which text (index into the files the parser was given).
    pub file: usize,
    pub span: Span,
}

impl At {
    /// Where `node` of text `file` is.
    pub fn of(file: usize, node: crate::yaml::Node<'_>) -> At {
        At {
            file,
            span: node.span(),
        }
    }
}

/// The texts an include directive (`@INCLUDE x.conf`, `@include conf.d/*.conf`) names: the
/// configuration's other files whose names match its last path component.
fn included(files: &[(&str, &str)], directive: &str) -> Vec<usize> {
    let name = directive.trim();
    let base = name.rsplit('/').next().unwrap_or(name);
    files
        .iter()
        .enumerate()
        .filter(|(_, (n, _))| glob::matches(base, n))
        .map(|(i, _)| i)
        .collect()
}

/// An input that tails files on the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInput {
    /// Its name in the configuration (`tail.0`, a Vector source id …).
    pub name: String,
    /// Glob patterns of the files it reads.
    pub include: Vec<String>,
    /// Glob patterns of the files it skips.
    pub exclude: Vec<String>,
    pub at: At,
}

/// An output (sink, exporter, match).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub name: String,
    /// The plugin (`es`, `stdout`, `elasticsearch` …).
    pub plugin: String,
    /// Records stay on the node or in the agent's own log: stdout, null, a local file.
    pub local: bool,
    /// Sends over the network without TLS (TLS off, or an `http://` endpoint).
    pub plaintext: bool,
    pub at: At,
}

/// One agent's configuration as a graph of inputs and outputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pipeline {
    /// The agent (`fluent-bit`, `fluentd`, `vector`, `opentelemetry-collector`, `filebeat`,
    /// `promtail`, `grafana-alloy`, `cloudwatch-agent`).
    pub agent: &'static str,
    pub inputs: Vec<FileInput>,
    pub outputs: Vec<Output>,
    /// (input, output) index pairs: records of the input reach the output.
    pub routes: Vec<(usize, usize)>,
    /// Records are buffered on disk (they survive a restart of the agent).
    pub buffered: bool,
}

/// The formats read, by agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    FluentBitClassic,
    FluentBitYaml,
    Fluentd,
    VectorYaml,
    VectorToml,
    Otel,
    Filebeat,
    Promtail,
    Alloy,
    CloudWatch,
}

impl Format {
    /// The format of a configuration file, by the agent and the file's name.
    pub fn of(agent: &str, file_name: &str) -> Option<Format> {
        let yaml = file_name.ends_with(".yaml") || file_name.ends_with(".yml");
        // aws-for-fluent-bit (the EKS add-ons' image) is Fluent Bit; Splunk Connect for
        // Kubernetes is Fluentd with the `splunk_hec` output.
        Some(match agent {
            "fluent-bit" | "aws-for-fluent-bit" if yaml => Format::FluentBitYaml,
            "fluent-bit" | "aws-for-fluent-bit" => Format::FluentBitClassic,
            "fluentd" | "splunk-connect" => Format::Fluentd,
            "grafana-alloy" | "grafana-agent"
                if file_name.ends_with(".alloy") || file_name.ends_with(".river") =>
            {
                Format::Alloy
            }
            "cloudwatch-agent" => Format::CloudWatch,
            "vector" if file_name.ends_with(".toml") => Format::VectorToml,
            "vector" => Format::VectorYaml,
            "opentelemetry-collector" => Format::Otel,
            "filebeat" => Format::Filebeat,
            "promtail" => Format::Promtail,
            _ => return None,
        })
    }
}

impl Format {
    /// The format a configuration file reads as, by its content (and name), whoever runs it:
    /// a workload whose image is not in the agent list is still a forwarder when it loads one.
    pub fn sniff(file_name: &str, text: &str) -> Option<Format> {
        let name = file_name.to_ascii_lowercase();
        if name.ends_with(".alloy") || name.ends_with(".river") {
            return Some(Format::Alloy);
        }
        let upper = text.to_ascii_uppercase();
        if ["[INPUT]", "[OUTPUT]", "[SERVICE]"]
            .iter()
            .any(|s| upper.contains(s))
        {
            return Some(Format::FluentBitClassic);
        }
        if text.contains("<source>") || text.contains("<match ") {
            return Some(Format::Fluentd);
        }
        if name.ends_with(".toml") {
            return (text.contains("[sources.") || text.contains("[sinks."))
                .then_some(Format::VectorToml);
        }
        let doc = first_document(text)?;
        let root = doc.root().filter(|r| r.is_map())?;
        let has = |k: &str| root.get(k).is_some();
        Some(if has("pipeline") {
            Format::FluentBitYaml
        } else if has("sources") || has("sinks") {
            Format::VectorYaml
        } else if has("receivers") && has("service") {
            Format::Otel
        } else if has("filebeat.inputs")
            || has("filebeat.autodiscover")
            || root.path(&["filebeat", "inputs"]).is_some()
        {
            Format::Filebeat
        } else if has("scrape_configs") && (has("positions") || has("clients")) {
            Format::Promtail
        } else if root.path(&["logs", "logs_collected"]).is_some() {
            Format::CloudWatch
        } else {
            return None;
        })
    }
}

/// Reads a configuration: `files` are (name, text) pairs, `main` the index of the one the
/// agent loads (the others can be included by name). `None` when it cannot be read.
pub fn read(format: Format, files: &[(&str, &str)], main: usize) -> Option<Pipeline> {
    let mut p = match format {
        Format::FluentBitClassic => fluent_bit::classic(files, main)?,
        Format::FluentBitYaml => fluent_bit::yaml(files, main)?,
        Format::Fluentd => fluentd::read(files, main)?,
        Format::VectorYaml => vector::yaml(files[main].1, main)?,
        Format::VectorToml => vector::toml(files[main].1, main)?,
        Format::Otel => otel::read(files[main].1, main)?,
        Format::Filebeat => filebeat::read(files[main].1, main)?,
        Format::Promtail => promtail::read(files[main].1, main)?,
        Format::Alloy => alloy::read(files[main].1, main)?,
        Format::CloudWatch => cloudwatch::read(files[main].1, main)?,
    };
    p.routes.sort_unstable();
    p.routes.dedup();
    Some(p)
}

impl Pipeline {
    /// The inputs that read `path`, and those that would but exclude it.
    pub fn readers(&self, path: &str) -> (Vec<usize>, Vec<(usize, &str)>) {
        let mut reading = Vec::new();
        let mut excluding = Vec::new();
        for (i, input) in self.inputs.iter().enumerate() {
            if !input.include.iter().any(|g| glob::matches(g, path)) {
                continue;
            }
            match input.exclude.iter().find(|g| glob::matches(g, path)) {
                Some(g) => excluding.push((i, g.as_str())),
                None => reading.push(i),
            }
        }
        (reading, excluding)
    }

    /// The outputs input `i` reaches.
    pub fn outputs_of(&self, i: usize) -> impl Iterator<Item = &Output> {
        self.routes
            .iter()
            .filter(move |(from, _)| *from == i)
            .filter_map(|(_, to)| self.outputs.get(*to))
    }

    /// Whether records of `path` leave the node: an input reads it and routes to an output
    /// that is not local.
    pub fn ships(&self, path: &str) -> bool {
        self.readers(path)
            .0
            .into_iter()
            .any(|i| self.outputs_of(i).any(|o| !o.local))
    }

    /// Whether anything the agent tails leaves the node.
    pub fn ships_anything(&self) -> bool {
        (0..self.inputs.len()).any(|i| self.outputs_of(i).any(|o| !o.local))
    }
}

/// The first document of `text` that parses (a configuration is one YAML document).
fn first_document(text: &str) -> Option<crate::yaml::Document> {
    let (items, _) = crate::yaml::parse_all(text);
    items.into_iter().find_map(|i| match i {
        crate::yaml::Item::Document(d) => Some(d),
        crate::yaml::Item::Error(_) => None,
    })
}

/// A plugin that keeps records on the node.
fn is_local(plugin: &str) -> bool {
    matches!(
        plugin.to_ascii_lowercase().as_str(),
        "stdout"
            | "null"
            | "file"
            | "counter"
            | "flowcounter"
            | "console"
            | "blackhole"
            | "debug"
            | "logging"
            | "nop"
            | "discard"
            | "exec"
    )
}

/// An endpoint written with `http://` (or another plaintext scheme).
fn plaintext_url(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    url.starts_with("http://") || url.starts_with("tcp://") || url.starts_with("udp://")
}
