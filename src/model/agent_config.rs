//! Where a log agent's configuration comes from: a ConfigMap mounted into its containers,
//! read from the file the agent loads (its `-c`/`--config` argument, else the agent's
//! default), and turned into a [`Pipeline`].

use std::sync::Arc;

use super::pipeline::{self, Format, Pipeline};
use crate::source::SourceFile;
use crate::yaml::{embedded_text, Node, OffsetMap, Span};

/// A ConfigMap whose data looks like a log agent's configuration.
#[derive(Debug, Clone)]
pub struct ConfigMapFacts {
    pub file: Arc<SourceFile>,
    pub namespace: Option<String>,
    pub name: String,
    /// (data key, text, where the text is in `file`).
    pub data: Vec<(String, String, OffsetMap)>,
}

/// What every agent configuration format has somewhere (cheap to look for).
const MARKERS: &[&str] = &[
    "[INPUT]",
    "[OUTPUT]",
    "<source>",
    "<match",
    "pipeline:",
    "sources:",
    "sinks:",
    "[sources.",
    "[sinks.",
    "receivers:",
    "exporters:",
    "filebeat",
    "scrape_configs",
    "clients:",
    "loki.source",
    "local.file_match",
    "logs_collected",
    "metrics_collected",
    "prometheus.scrape",
];

/// The facts of a ConfigMap that may hold an agent configuration.
pub fn config_map(root: Node<'_>, file: &Arc<SourceFile>) -> Option<ConfigMapFacts> {
    if root.get_str("kind") != Some("ConfigMap") {
        return None;
    }
    let data = root.get("data")?;
    // Most ConfigMaps hold no agent configuration: look before copying and mapping texts.
    let holds_config = data.entries().any(|(_, v)| {
        v.text()
            .is_some_and(|t| MARKERS.iter().any(|m| t.contains(m)))
    });
    if !holds_config {
        return None;
    }
    let texts: Vec<(String, String, OffsetMap)> = data
        .entries()
        .filter_map(|(k, v)| {
            let (text, map) = embedded_text(&file.text, v)?;
            Some((k.text()?.to_owned(), text, map))
        })
        .collect();
    let meta = root.get("metadata");
    Some(ConfigMapFacts {
        file: Arc::clone(file),
        namespace: meta.and_then(|m| m.get_str("namespace")).map(str::to_owned),
        name: meta?.get_str("name")?.to_owned(),
        data: texts,
    })
}

/// A ConfigMap mounted into an agent container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigMount {
    pub config_map: String,
    /// The directory it is mounted at (or the file, with `subPath`).
    pub mount_path: String,
    /// `subPath`: the one file mounted as `mount_path`.
    pub sub_path: Option<String>,
    /// The volume's `items`: (file path, key). When set, only these keys are mounted, each
    /// under its path (the OpenTelemetry collector chart mounts key `relay` as `relay.yaml`).
    pub items: Vec<(String, String)>,
}

impl ConfigMount {
    /// The key a file of this mount (its path under `mount_path`) holds.
    fn key_of<'a>(&'a self, file: &'a str) -> Option<&'a str> {
        if self.items.is_empty() {
            return Some(file);
        }
        self.items
            .iter()
            .find(|(path, _)| path == file)
            .map(|(_, key)| key.as_str())
    }
}

/// The file each agent loads when no argument names one.
fn default_file(agent: &str) -> &'static [&'static str] {
    match agent {
        "fluent-bit" | "aws-for-fluent-bit" => &["fluent-bit.conf", "fluent-bit.yaml"],
        "fluentd" | "splunk-connect" => &["fluent.conf"],
        "grafana-alloy" => &["config.alloy"],
        "grafana-agent" => &["config.river"],
        // The agent reads every file of `/etc/cwagentconfig`; the manifests name it so.
        "cloudwatch-agent" => &["cwagentconfig.json", "cwagentconfig"],
        "vector" => &["vector.yaml", "vector.toml", "vector.yml"],
        "opentelemetry-collector" => &["relay", "config.yaml", "collector.yaml"],
        "filebeat" => &["filebeat.yml", "filebeat.yaml"],
        "promtail" => &["promtail.yaml", "config.yml", "promtail.yml"],
        _ => &[],
    }
}

/// An agent's resolved configuration: the pipeline, and where its texts are.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub pipeline: Pipeline,
    pub file: Arc<SourceFile>,
    /// Per text the pipeline's spans refer to: its place in `file`.
    maps: Vec<OffsetMap>,
    /// The ConfigMap's name, for messages.
    pub config_map: String,
    /// The text the agent loads (the others are included from it).
    main: usize,
}

impl Resolved {
    /// The first text of the configuration, in the ConfigMap's file (for a finding about
    /// the configuration as a whole).
    pub fn file_span(&self) -> Span {
        self.maps
            .get(self.main)
            .map_or(Span::point(0), |m| m.span(Span::new(0, 0)))
    }

    /// A span of the pipeline (text `index`, span there) in the ConfigMap's file.
    pub fn span(&self, at: pipeline::At) -> Span {
        self.maps
            .get(at.file)
            .map_or(Span::point(0), |m| m.span(at.span))
    }
}

/// What became of an agent's configuration.
#[derive(Debug, Clone)]
pub enum Resolution {
    Read(Resolved),
    /// The file a known agent loads is in the scan, but could not be read: the agent is
    /// judged by its image and mounts, never by a guess at its configuration.
    Unreadable(Unreadable),
    /// No configuration of the agent is in the scan.
    Absent,
}

/// A configuration file that could not be read.
#[derive(Debug, Clone)]
pub struct Unreadable {
    pub file: Arc<SourceFile>,
    /// Where its text starts in the ConfigMap's file.
    pub span: Span,
    pub config_map: String,
    pub key: String,
}

impl Resolution {
    pub fn read(self) -> Option<Resolved> {
        match self {
            Resolution::Read(r) => Some(r),
            _ => None,
        }
    }
}

/// The configuration `agent` loads from `mounts` (ConfigMaps in `maps`, same namespace),
/// given the path its arguments name (`config_arg`).
///
/// An agent not in the list (`None`), or one whose format is not read here, loads the text
/// that reads as a known configuration by its content ([`Format::sniff`]): the file its
/// arguments name, else the ConfigMap's keys with an agent's default file name first (the
/// file that includes the others), else the other keys in order.
pub fn resolve(
    agent: Option<&str>,
    namespace: Option<&str>,
    mounts: &[ConfigMount],
    config_arg: Option<&str>,
    maps: &[ConfigMapFacts],
) -> Resolution {
    let mut unreadable = None;
    for mount in mounts {
        let Some(cm) = maps.iter().find(|m| {
            m.name == mount.config_map
                && (m.namespace.as_deref() == namespace
                    || m.namespace.is_none()
                    || namespace.is_none())
        }) else {
            continue;
        };
        let known = agent.filter(|a| !default_file(a).is_empty());
        // The key the agent loads: the argument's file name when it is under this mount,
        // else the agent's default.
        let wanted: Vec<String> = match (config_arg, &mount.sub_path) {
            (Some(arg), Some(sub)) if arg == mount.mount_path => vec![sub.clone()],
            (Some(arg), _) => arg
                .strip_prefix(mount.mount_path.trim_end_matches('/'))
                .map(|rest| vec![rest.trim_start_matches('/').to_owned()])
                .unwrap_or_default(),
            (None, _) => match known {
                Some(agent) => default_file(agent)
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                None if mount.items.is_empty() => by_default_name_first(&cm.data),
                None => mount.items.iter().map(|(path, _)| path.clone()).collect(),
            },
        };
        let files: Vec<(&str, &str)> = cm
            .data
            .iter()
            .map(|(k, t, _)| (k.as_str(), t.as_str()))
            .collect();
        let read = |main: usize| {
            let (name, text) = files[main];
            let format = match known {
                Some(agent) => Format::of(agent, name)?,
                None => Format::sniff(name, text)?,
            };
            pipeline::read(format, &files, main)
        };
        let mut present = wanted
            .iter()
            .filter_map(|w| mount.key_of(w))
            .filter_map(|w| cm.data.iter().position(|(k, _, _)| k == w));
        // A known agent loads the first wanted key present; an agent found by its
        // configuration, the first that reads as one.
        let found = match known {
            Some(_) => present.next().map(|main| (main, read(main))),
            None => present.find_map(|main| Some((main, Some(read(main)?)))),
        };
        let Some((main, pipeline)) = found else {
            continue;
        };
        let Some(pipeline) = pipeline else {
            let (key, _, map) = &cm.data[main];
            unreadable.get_or_insert(Unreadable {
                file: Arc::clone(&cm.file),
                span: map.span(Span::new(0, 0)),
                config_map: cm.name.clone(),
                key: key.clone(),
            });
            continue;
        };
        return Resolution::Read(Resolved {
            pipeline,
            file: Arc::clone(&cm.file),
            maps: cm.data.iter().map(|(_, _, m)| m.clone()).collect(),
            config_map: cm.name.clone(),
            main,
        });
    }
    unreadable.map_or(Resolution::Absent, Resolution::Unreadable)
}

/// A ConfigMap's keys, those named like an agent's default file first.
fn by_default_name_first(data: &[(String, String, OffsetMap)]) -> Vec<String> {
    const AGENTS: &[&str] = &[
        "fluent-bit",
        "fluentd",
        "vector",
        "opentelemetry-collector",
        "filebeat",
        "promtail",
        "grafana-alloy",
        "cloudwatch-agent",
    ];
    let is_default = |k: &str| AGENTS.iter().any(|a| default_file(a).contains(&k));
    let (mut first, rest): (Vec<String>, Vec<String>) = data
        .iter()
        .map(|(k, _, _)| k.clone())
        .partition(|k| is_default(k));
    first.extend(rest);
    first
}

/// The configuration file an agent container's arguments name: `-c FILE`, `--config FILE`,
/// `--config=FILE`, `--config-file`, `-config.file` (promtail), or the path after `run`
/// (Grafana Alloy and Grafana Agent flow mode: `alloy run /etc/alloy/config.alloy`).
pub fn config_argument(args: &[&str]) -> Option<String> {
    if let Some(run) = args.iter().position(|a| *a == "run") {
        let path = args[run + 1..].iter().find(|a| !a.starts_with('-'));
        if let Some(path) = path.filter(|p| p.ends_with(".alloy") || p.ends_with(".river")) {
            return Some((*path).to_owned());
        }
    }
    let flags = [
        "-c",
        "--config",
        "--config-file",
        "-config.file",
        "--config.file",
        "-config",
    ];
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some((flag, value)) = a.split_once('=') {
            if flags.contains(&flag) {
                return Some(value.trim_start_matches("file:").to_owned());
            }
        } else if flags.contains(a) {
            return it.next().map(|v| v.trim_start_matches("file:").to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_all, Item};

    fn maps(text: &str) -> Vec<ConfigMapFacts> {
        let file = SourceFile::new("cm.yaml", text);
        let (items, _) = parse_all(&file.text);
        items
            .iter()
            .filter_map(|i| match i {
                Item::Document(d) => config_map(d.root()?, &file),
                Item::Error(_) => None,
            })
            .collect()
    }

    #[test]
    fn a_mounted_config_map_resolves_with_spans_in_its_file() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fb, namespace: logging}\ndata:\n  fluent-bit.conf: |\n    [INPUT]\n        Name tail\n        Path /var/log/containers/*.log\n    [OUTPUT]\n        Name stdout\n        Match *\n";
        let cms = maps(text);
        assert_eq!(cms.len(), 1);
        let mount = ConfigMount {
            config_map: "fb".into(),
            mount_path: "/fluent-bit/etc/".into(),
            sub_path: None,
            items: Vec::new(),
        };
        let r = resolve(
            Some("fluent-bit"),
            Some("logging"),
            std::slice::from_ref(&mount),
            None,
            &cms,
        )
        .read()
        .unwrap();
        let out = &r.pipeline.outputs[0];
        let s = r.span(out.at);
        assert_eq!(&text[s.start..s.end], "[OUTPUT]");
        // Another namespace's ConfigMap of the same name is not it.
        assert!(resolve(
            Some("fluent-bit"),
            Some("other"),
            std::slice::from_ref(&mount),
            None,
            &cms
        )
        .read()
        .is_none());
        // An argument naming another key of the mount.
        assert!(resolve(
            Some("fluent-bit"),
            Some("logging"),
            &[mount],
            Some("/fluent-bit/etc/other.conf"),
            &cms
        )
        .read()
        .is_none());
    }

    #[test]
    fn volume_items_rename_keys() {
        // The OpenTelemetry collector chart: key `relay` mounted as `relay.yaml`.
        let text = "kind: ConfigMap\nmetadata: {name: otel}\ndata:\n  relay: |\n    receivers: {filelog: {include: [/var/log/pods/*/*/*.log]}}\n    exporters: {otlp: {endpoint: 'x:4317'}}\n    service: {pipelines: {logs: {receivers: [filelog], exporters: [otlp]}}}\n";
        let cms = maps(text);
        let mount = |items: Vec<(String, String)>| ConfigMount {
            config_map: "otel".into(),
            mount_path: "/conf".into(),
            sub_path: None,
            items,
        };
        let renamed = mount(vec![("relay.yaml".into(), "relay".into())]);
        let arg = Some("/conf/relay.yaml");
        let agent = Some("opentelemetry-collector");
        let r = resolve(agent, None, std::slice::from_ref(&renamed), arg, &cms).read();
        assert_eq!(r.expect("read through items").pipeline.inputs.len(), 1);
        // Without the items, the file `relay.yaml` is not in the volume.
        let plain = mount(Vec::new());
        assert!(resolve(agent, None, &[plain], arg, &cms).read().is_none());
    }

    #[test]
    fn plain_config_maps_are_not_kept() {
        assert!(maps("kind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n").is_empty());
    }

    #[test]
    fn config_arguments() {
        assert_eq!(
            config_argument(&["-c", "/etc/x.conf"]).as_deref(),
            Some("/etc/x.conf")
        );
        assert_eq!(
            config_argument(&["--config=/conf/relay.yaml"]).as_deref(),
            Some("/conf/relay.yaml")
        );
        assert_eq!(
            config_argument(&["--config=file:/conf/relay.yaml"]).as_deref(),
            Some("/conf/relay.yaml")
        );
        assert_eq!(
            config_argument(&["-config.file", "/etc/promtail/promtail.yaml"]).as_deref(),
            Some("/etc/promtail/promtail.yaml")
        );
        assert_eq!(config_argument(&["--other"]), None);
        assert_eq!(
            config_argument(&[
                "run",
                "--server.http.listen-addr=0.0.0.0:12345",
                "/etc/alloy/config.alloy"
            ])
            .as_deref(),
            Some("/etc/alloy/config.alloy")
        );
    }
}
