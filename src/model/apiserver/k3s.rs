//! k3s and RKE2 `config.yaml`: `kube-apiserver-arg: ["flag=value", …]`; RKE2 adds a
//! top-level `audit-policy-file` and turns auditing on with CIS defaults under `profile: cis`.

use super::flags::{parse_k3s_args, string_items, Flag};
use super::{taints, ApiServerConfig, Form, Insertion};
use crate::source::SourceFile;
use crate::yaml::{Node, Span};

/// Keys only a k3s/RKE2 server configuration has; one of them (with no `kind`) is enough.
const SERVER_KEYS: &[&str] = &[
    "kube-apiserver-arg",
    "write-kubeconfig-mode",
    "tls-san",
    "cluster-init",
    "etcd-snapshot-schedule-cron",
    "secrets-encryption",
    "protect-kernel-defaults",
    "disable-cloud-controller",
    "node-taint",
];

const RKE2_DEFAULT_POLICY: &str = "/etc/rancher/rke2/audit-policy.yaml";
const RKE2_DEFAULT_LOG: &str = "/var/lib/rancher/rke2/server/logs/audit.log";

pub(super) fn read(root: Node<'_>, file: &SourceFile, out: &mut Vec<ApiServerConfig>) {
    if !root.is_map() || root.get("kind").is_some() || root.get("apiVersion").is_some() {
        return;
    }
    let has_server_key = SERVER_KEYS.iter().any(|k| root.get(k).is_some());
    let name = file.path.rsplit('/').next().unwrap_or("");
    let in_config_dir = file.path.contains("config.yaml.d/");
    let rke2_keys = root.get("audit-policy-file").is_some()
        || root
            .get_str("profile")
            .is_some_and(|p| p.starts_with("cis"));
    let is_config_file = name == "config.yaml" || name == "config.yml" || in_config_dir;
    if !(root.get("kube-apiserver-arg").is_some()
        || (is_config_file && (has_server_key || rke2_keys)))
    {
        return;
    }
    let rke2 = rke2_keys || file.path.contains("rke2");
    let form = if rke2 { Form::Rke2 } else { Form::K3s };
    let args = root.get("kube-apiserver-arg");
    let items = match args {
        Some(list) if list.is_seq() => string_items(list, &file.text),
        Some(single) => single
            .text()
            .map(|t| vec![(t.to_owned(), single.span())])
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let mut flags: Vec<Flag> = Vec::new();
    let mut defaults = Vec::new();
    if rke2 {
        // RKE2 prepends these when auditing is on (`pkg/podtemplate`); user args override.
        let policy = root.entry("audit-policy-file");
        let cis = root
            .get_str("profile")
            .is_some_and(|p| p.starts_with("cis"));
        if let Some((key, value)) = policy {
            if let Some(path) = value.str() {
                flags.push(Flag {
                    name: "audit-policy-file".into(),
                    value: Some(path.to_owned()),
                    span: Span::new(key.span().start, value.span().end),
                    value_span: value.span(),
                });
            }
        } else if cis {
            defaults.push((
                "audit-policy-file".to_owned(),
                RKE2_DEFAULT_POLICY.to_owned(),
            ));
        }
        if policy.is_some() || cis {
            for (name, value) in [
                ("audit-log-maxage", "30"),
                ("audit-log-maxbackup", "10"),
                ("audit-log-maxsize", "100"),
                ("audit-log-path", RKE2_DEFAULT_LOG),
            ] {
                defaults.push((name.to_owned(), value.to_owned()));
            }
        }
    }
    flags.extend(parse_k3s_args(&items));
    let insertion = Insertion::after(args.filter(|a| a.is_seq()), root, form);
    // Findings about the configuration as a whole point at what makes it an apiserver
    // configuration: its flags, else RKE2's audit settings, else its first key.
    let anchor = ["kube-apiserver-arg", "audit-policy-file", "profile"]
        .iter()
        .find_map(|key| root.entry(key).map(|(k, _)| k.span()))
        .or_else(|| root.entries().next().map(|(k, _)| k.span()))
        .unwrap_or_default();
    out.push(ApiServerConfig {
        form,
        anchor,
        flags,
        defaults,
        mounts: None,
        mount_sites: None,
        insertion,
        static_pod: false,
        problems: Vec::new(),
        taints: taints::k3s_node_taints(root, &file.text),
        policy_generated: false,
        declared_version: None,
        server: "kube-apiserver".to_owned(),
        audit_off: None,
    });
}
