//! RKE1 `cluster.yml` (end of life, still in many repositories): `services.kube-api`.
//! From `rancher/rke` `cluster/defaults.go` (`setClusterServicesDefaults`) and
//! `cluster/plan.go` (`getKubeAPIServerOptions`):
//! - `audit_log` absent: auditing is on for every supported Kubernetes version, with
//!   `max_age: 30`, `max_backup: 10`, `max_size: 100`,
//!   `path: /var/log/kube-audit/audit-log.json` and a catch-all `Metadata` policy;
//! - `audit_log.configuration` written: its fields become the flags as they are, so a field
//!   left out is passed as `0` (or an empty path), and only a missing `policy` is defaulted;
//! - the policy is written to `/etc/kubernetes/audit-policy.yaml`; the apiserver container
//!   binds `/etc/kubernetes` and, when auditing is enabled, `/var/log/kube-audit` from the
//!   host; `extra_binds` add `host:container[:options]` binds;
//! - `extra_args` override everything.

use super::fields;
use super::flags::map_flags;
use super::mounts::{Mount, Volume};
use super::{ApiServerConfig, Form, Insertion, NodeTaints, Switch};
use crate::model::policy::is_policy;
use crate::source::SourceFile;
use crate::yaml::{Node, Scalar, Span};

const POLICY: &str = "/etc/kubernetes/audit-policy.yaml";
const LOG_DIR: &str = "/var/log/kube-audit";

/// `audit_log.configuration` fields and the flags they set.
const FIELDS: &[(&str, &str)] = &[
    ("path", "audit-log-path"),
    ("max_age", "audit-log-maxage"),
    ("max_backup", "audit-log-maxbackup"),
    ("max_size", "audit-log-maxsize"),
    ("format", "audit-log-format"),
];

/// How to set `flag` in `audit_log.configuration` (or in `extra_args`).
pub(super) fn setting(flag: &str, value: &str) -> String {
    match fields::field_for(FIELDS, flag) {
        Some(field) => format!("{field}: {value}"),
        None if flag == "audit-policy-file" => "enabled: true".to_owned(),
        None => format!("# under services.kube-api.extra_args:\n{flag}: \"{value}\""),
    }
}

/// `services.kube-api` of an RKE1 cluster file.
fn kube_api(root: Node<'_>) -> Option<Node<'_>> {
    if !root.is_map() || root.get("kind").is_some() || root.get("apiVersion").is_some() {
        return None;
    }
    root.get("nodes").filter(|n| n.is_seq())?;
    root.path(&["services", "kube-api"]).filter(|k| k.is_map())
}

/// The inline `audit_log.configuration.policy`, and where RKE writes it.
pub fn rke1_policy(root: Node<'_>) -> Option<(Node<'_>, &'static str)> {
    let policy = kube_api(root)?.path(&["audit_log", "configuration", "policy"])?;
    is_policy(policy).then_some((policy, POLICY))
}

pub(super) fn read(root: Node<'_>, file: &SourceFile, out: &mut Vec<ApiServerConfig>) {
    let Some(api) = kube_api(root) else { return };
    let audit_log = api.entry("audit_log").filter(|(_, v)| v.is_map());
    let enabled = audit_log.and_then(|(_, a)| a.entry("enabled"));
    let on = match enabled.map(|(_, v)| v.scalar()) {
        None => audit_log.is_none(),
        Some(Some(Scalar::Bool(b))) => b,
        Some(_) => return,
    };
    let configuration = audit_log
        .and_then(|(_, a)| a.get("configuration"))
        .filter(|c| c.is_map());
    let mut flags = Vec::new();
    let mut defaults = Vec::new();
    if let Some(c) = configuration {
        flags = fields::read(c, FIELDS, file);
        for (field, flag) in FIELDS {
            let empty = if *field == "path" { "" } else { "0" };
            if *field != "format" && c.get(field).is_none() {
                defaults.push(((*flag).to_owned(), empty.to_owned()));
            }
        }
        defaults.push(("audit-policy-file".to_owned(), POLICY.to_owned()));
    } else if on {
        for (flag, value) in [
            ("audit-log-path", "/var/log/kube-audit/audit-log.json"),
            ("audit-log-maxage", "30"),
            ("audit-log-maxbackup", "10"),
            ("audit-log-maxsize", "100"),
            ("audit-log-format", "json"),
            ("audit-policy-file", POLICY),
        ] {
            defaults.push((flag.to_owned(), value.to_owned()));
        }
    }
    if let Some(extra) = api.get("extra_args").filter(|m| m.is_map()) {
        flags.extend(map_flags(extra, &file.text));
    }
    let mut mounts = vec![Mount::implicit("/etc/kubernetes", false)];
    if on {
        mounts.push(Mount::implicit(LOG_DIR, false));
    }
    mounts.extend(
        api.get("extra_binds")
            .into_iter()
            .flat_map(|b| b.items())
            .filter_map(bind),
    );
    // New fields go after the last one written (not after a nested `policy`).
    let last_field = configuration
        .into_iter()
        .flat_map(|c| c.entries())
        .filter(|(k, v)| v.is_scalar() && k.text().is_some_and(|k| k != "policy"))
        .last();
    let insertion = match (last_field, configuration) {
        (Some((_, v)), _) => Insertion {
            at: Span::point(v.span().end),
            list_missing: false,
            form: Form::Rke1,
            list: None,
            last_item: None,
        },
        (None, Some(c)) if !c.is_empty() => Insertion {
            at: Span::point(c.span().end),
            list_missing: false,
            form: Form::Rke1,
            list: None,
            last_item: None,
        },
        (None, _) => Insertion {
            at: Span::point(audit_log.map_or(api.span().end, |(_, a)| a.span().end)),
            list_missing: false,
            form: Form::Rke1,
            list: None,
            last_item: None,
        },
    };
    let anchor = audit_log
        .map(|(k, _)| k.span())
        .or_else(|| {
            root.path(&["services"])
                .and_then(|s| s.entry("kube-api"))
                .map(|(k, _)| k.span())
        })
        .unwrap_or_default();
    let policy_written = configuration.is_some_and(|c| c.get("policy").is_some());
    out.push(ApiServerConfig {
        defaults,
        mounts: Some(mounts),
        static_pod: true,
        taints: NodeTaints::Listed(Vec::new()),
        policy_generated: !policy_written,
        declared_version: root.get_str("kubernetes_version").map(str::to_owned),
        audit_off: match enabled {
            Some((_, v)) if !on => Some(Switch {
                span: v.span(),
                fix: "set `audit_log.enabled: true` (RKE then passes the audit flags and writes its default policy, or `audit_log.configuration.policy`)".to_owned(),
            }),
            _ => None,
        },
        ..ApiServerConfig::new(Form::Rke1, anchor, flags, insertion)
    });
}

/// An `extra_binds` entry: `host:container` with optional `:ro`/`:z` options.
fn bind(item: Node<'_>) -> Option<Mount> {
    let text = item.str()?;
    let mut parts = text.split(':');
    let host = parts.next()?;
    let container = parts.next()?;
    let read_only = parts.any(|o| o.split(',').any(|o| o == "ro"));
    Some(Mount {
        name: String::new(),
        mount_path: container.to_owned(),
        read_only,
        span: item.span(),
        mount_path_span: item.span(),
        read_only_span: None,
        volume: Some(Volume {
            name: String::new(),
            host_path: Some(host.to_owned()),
            host_type: None,
            source_kind: None,
            config_map: None,
            span: item.span(),
            type_span: None,
        }),
        implicit: false,
    })
}
