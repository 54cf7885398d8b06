//! A kube-apiserver container in a static Pod or in any workload's Pod template
//! (vcluster, kamaji's and other hosted control planes, karmada), and servers built on
//! `k8s.io/apiserver` that take the same `--audit-*` flags (aggregated apiservers such as
//! `karmada-aggregated-apiserver`): their audit options come from the same
//! `k8s.io/apiserver/pkg/server/options/audit.go`, so the same flag rules apply.

use super::flags::{parse_argv, string_items};
use super::mounts::{ListSite, Mount, MountSites, Volume};
use super::{ApiServerConfig, Form, Insertion};
use crate::source::SourceFile;
use crate::yaml::{Node, Span};

const WORKLOADS: &[&str] = &[
    "Pod",
    "Deployment",
    "DaemonSet",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
    "PodTemplate",
    "Job",
    "CronJob",
];

pub(super) fn read(root: Node<'_>, file: &SourceFile, out: &mut Vec<ApiServerConfig>) {
    let Some(kind) = root.get_str("kind") else {
        return;
    };
    if !WORKLOADS.contains(&kind) {
        return;
    }
    let spec = match kind {
        "Pod" => root.get("spec"),
        "PodTemplate" => root.path(&["template", "spec"]),
        "CronJob" => root.path(&["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => root.path(&["spec", "template", "spec"]),
    };
    let Some(spec) = spec else { return };
    let volumes = read_volumes(spec.get("volumes"));
    for container in spec.get("containers").into_iter().flat_map(|c| c.items()) {
        if let Some(mut config) = read_container(container, &volumes, file) {
            config.static_pod = kind == "Pod";
            config.mount_sites = Some(MountSites {
                mounts: ListSite::of(container, "volumeMounts"),
                volumes: Some(ListSite::of(spec, "volumes")),
                names: volumes.iter().map(|v| v.name.clone()).collect(),
            });
            out.push(config);
        }
    }
}

fn is_binary(text: &str) -> bool {
    text.rsplit('/').next() == Some("kube-apiserver")
}

/// Another server built on `k8s.io/apiserver` (`karmada-aggregated-apiserver`,
/// `metrics-apiserver`): recognised by its binary's name, and only when it is given audit
/// flags, since such servers audit nothing unless asked to.
fn is_aggregated(binary: &str, argv: &[(String, Span)]) -> bool {
    let name = binary.rsplit('/').next().unwrap_or_default();
    name != "kube-apiserver"
        && name.ends_with("apiserver")
        && argv.iter().any(|(a, _)| a.starts_with("--audit-"))
}

fn read_container(
    container: Node<'_>,
    volumes: &[Volume],
    file: &SourceFile,
) -> Option<ApiServerConfig> {
    let command = container.get("command").filter(|c| c.is_seq());
    let args = container.get("args").filter(|a| a.is_seq());
    let command_items = command
        .map(|c| string_items(c, &file.text))
        .unwrap_or_default();
    let args_items = args
        .map(|a| string_items(a, &file.text))
        .unwrap_or_default();
    let named = container.get_str("name") == Some("kube-apiserver");
    let all: Vec<(String, Span)> = command_items.iter().chain(&args_items).cloned().collect();
    let (argv, binary_span) = if let Some((_, span)) = command_items
        .first()
        .filter(|(c, _)| is_binary(c) || is_aggregated(c, &all))
    {
        (
            command_items[1..]
                .iter()
                .chain(&args_items)
                .cloned()
                .collect::<Vec<_>>(),
            Some(*span),
        )
    } else if command_items.is_empty()
        && args_items
            .first()
            .is_some_and(|(a, _)| is_binary(a) || is_aggregated(a, &all))
    {
        (args_items[1..].to_vec(), Some(args_items[0].1))
    } else if named {
        (
            command_items
                .iter()
                .chain(&args_items)
                .filter(|(a, _)| a.starts_with('-'))
                .cloned()
                .collect(),
            None,
        )
    } else {
        return None;
    };
    // New flags go at the end of the list that already holds flags (args after command).
    let list = if !args_items.is_empty() {
        args
    } else {
        command
    };
    let insertion = Insertion::after(list, container, Form::Pod);
    let anchor = container
        .entry("name")
        .map(|(_, v)| v.span())
        .or(binary_span)
        .unwrap_or(Span::point(container.span().start));
    // An aggregated apiserver is named by its binary in messages.
    let server = binary_span
        .and_then(|span| file.text.get(span.start..span.end))
        .map(|b| b.rsplit('/').next().unwrap_or(b).to_owned())
        .filter(|b| b != "kube-apiserver");
    Some(ApiServerConfig {
        mounts: Some(read_mounts(container.get("volumeMounts"), volumes)),
        server: server.unwrap_or_else(|| "kube-apiserver".to_owned()),
        ..ApiServerConfig::new(Form::Pod, anchor, parse_argv(&argv), insertion)
    })
}

/// A Pod's `volumes` list.
pub(super) fn read_volumes(list: Option<Node<'_>>) -> Vec<Volume> {
    list.into_iter()
        .flat_map(|v| v.items())
        .filter_map(|v| {
            let name = v.get_str("name")?.to_owned();
            let host = v.get("hostPath");
            let source_kind = v
                .entries()
                .filter_map(|(k, _)| k.text())
                .find(|k| *k != "name" && *k != "hostPath")
                .map(str::to_owned);
            Some(Volume {
                name,
                host_path: host.and_then(|h| h.get_str("path")).map(str::to_owned),
                host_type: host.and_then(|h| h.get_str("type")).map(str::to_owned),
                source_kind: if host.is_some() { None } else { source_kind },
                config_map: v
                    .path(&["configMap", "name"])
                    .and_then(|n| n.str())
                    .map(str::to_owned),
                span: v.span(),
                type_span: host.and_then(|h| h.get("type")).map(|t| t.span()),
            })
        })
        .collect()
}

/// A container's `volumeMounts` list, each with the volume it names.
pub(super) fn read_mounts(list: Option<Node<'_>>, volumes: &[Volume]) -> Vec<Mount> {
    list.into_iter()
        .flat_map(|m| m.items())
        .filter_map(|m| {
            let (_, path) = m.entry("mountPath")?;
            let name = m.get_str("name").unwrap_or_default().to_owned();
            let read_only = m.get("readOnly");
            Some(Mount {
                volume: volumes.iter().find(|v| v.name == name).cloned(),
                name,
                mount_path: path.str()?.to_owned(),
                read_only: read_only
                    .and_then(|r| r.scalar()?.as_bool())
                    .unwrap_or(false),
                span: m.span(),
                mount_path_span: path.span(),
                read_only_span: read_only.map(|r| r.span()),
                implicit: false,
            })
        })
        .collect()
}
