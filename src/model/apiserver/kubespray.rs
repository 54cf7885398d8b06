//! kubespray inventory variables (`inventory/*/group_vars/k8s_cluster/k8s-cluster.yml`),
//! recognised by their keys. kubespray audits only when `kubernetes_audit: true` (default
//! false); it then passes `--audit-log-path`, `--audit-log-maxage`, `--audit-log-maxbackup`,
//! `--audit-log-maxsize` and `--audit-policy-file` from these variables, whose defaults are
//! in `roles/kubernetes/control-plane/defaults/main/main.yml` (note `audit_log_maxbackups:
//! 1`). It writes the policy itself from its template
//! (`roles/kubernetes/control-plane/templates/apiserver-audit-policy.yaml.j2`):
//! `audit_policy_custom_rules`, a string holding a `rules` list, replaces the default rules
//! and is read as the policy's rules. It generates the mounts. `kube_kubeadm_apiserver_extra_args` adds
//! flags of its own.

use super::fields;
use super::flags::{map_flags, Flag};
use super::{ApiServerConfig, Form, Insertion, Switch};
use crate::source::SourceFile;
use crate::yaml::{Node, Scalar, Span};

/// Variables and the flags they set (when `kubernetes_audit` is on).
const FIELDS: &[(&str, &str)] = &[
    ("audit_log_path", "audit-log-path"),
    ("audit_log_maxage", "audit-log-maxage"),
    ("audit_log_maxbackups", "audit-log-maxbackup"),
    ("audit_log_maxsize", "audit-log-maxsize"),
    ("audit_policy_file", "audit-policy-file"),
];

/// kubespray's defaults for those variables.
const DEFAULTS: &[(&str, &str)] = &[
    ("audit-log-path", "/var/log/audit/kube-apiserver-audit.log"),
    ("audit-log-maxage", "30"),
    ("audit-log-maxbackup", "1"),
    ("audit-log-maxsize", "100"),
    ("audit-policy-file", DEFAULT_POLICY),
];

const DEFAULT_POLICY: &str = "/etc/kubernetes/audit-policy/apiserver-audit-policy.yaml";

/// Keys of the `k8s_cluster` group variables, for a file that does not set
/// `kubernetes_audit` at all.
const CLUSTER_KEYS: &[&str] = &[
    "kube_network_plugin",
    "kube_version",
    "kube_service_addresses",
];

/// How to set `flag` to `value` in the inventory.
pub(super) fn setting(flag: &str, value: &str) -> String {
    if flag == "audit-policy-file" {
        return "kubernetes_audit: true".to_owned();
    }
    match fields::field_for(FIELDS, flag) {
        Some(var) => format!("{var}: {value}"),
        None => format!("kube_kubeadm_apiserver_extra_args:\n  {flag}: \"{value}\""),
    }
}

/// Whether `root` is kubespray's cluster variables (`kubernetes_audit`, or the
/// `k8s_cluster` group variables).
fn is_inventory(root: Node<'_>, path: &str) -> bool {
    if !root.is_map() || root.get("kind").is_some() || root.get("apiVersion").is_some() {
        return false;
    }
    root.get("kubernetes_audit").is_some()
        || (path.contains("group_vars") && CLUSTER_KEYS.iter().any(|k| root.get(k).is_some()))
}

/// `audit_policy_custom_rules` (a string holding the policy's `rules` list), and the file
/// kubespray writes the policy to.
pub fn kubespray_custom_rules(root: Node<'_>) -> Option<(Node<'_>, String)> {
    if root.get("kubernetes_audit").is_none() && root.get("audit_policy_file").is_none() {
        return None;
    }
    let rules = root
        .get("audit_policy_custom_rules")
        .filter(|r| r.str().is_some())?;
    Some((rules, policy_path(root)))
}

/// Where kubespray writes the policy: `audit_policy_file` when it is written literally.
fn policy_path(root: Node<'_>) -> String {
    root.get_str("audit_policy_file")
        .filter(|p| !p.contains("{{"))
        .unwrap_or(DEFAULT_POLICY)
        .to_owned()
}

pub(super) fn read(root: Node<'_>, file: &SourceFile, out: &mut Vec<ApiServerConfig>) {
    if !is_inventory(root, &file.path) {
        return;
    }
    let switch = root.entry("kubernetes_audit");
    let on = match switch.map(|(_, v)| v.scalar()) {
        None => false,
        Some(Some(Scalar::Bool(b))) => b,
        // A Jinja expression or anything else: whether auditing is on is not known.
        Some(_) => return,
    };
    let mut flags = Vec::new();
    let mut defaults = Vec::new();
    if on {
        for (name, value) in DEFAULTS {
            defaults.push(((*name).to_owned(), (*value).to_owned()));
        }
        let (written, templated): (Vec<Flag>, Vec<Flag>) = fields::read(root, FIELDS, file)
            .into_iter()
            .partition(|f| !f.value.as_deref().is_some_and(|v| v.contains("{{")));
        // A templated value is some value, unknown here: it counts as set, unchecked.
        for f in templated {
            defaults.retain(|(n, _)| *n != f.name);
            defaults.insert(0, (f.name, f.value.unwrap_or_default()));
        }
        flags = written;
    }
    // `kube_kubeadm_apiserver_extra_args: {flag: value}` goes to kubeadm's `extraArgs`.
    if let Some(extra) = root
        .get("kube_kubeadm_apiserver_extra_args")
        .filter(|m| m.is_map())
    {
        flags.extend(map_flags(extra, &file.text));
    }
    let anchor = switch
        .map(|(k, _)| k.span())
        .or_else(|| root.entries().next().map(|(k, _)| k.span()))
        .unwrap_or_default();
    let insertion = match switch {
        // New variables go after `kubernetes_audit`, or at the end of the file.
        Some((_, v)) => Insertion {
            at: Span::point(v.span().end),
            list_missing: false,
            form: Form::Kubespray,
            list: None,
            last_item: None,
        },
        None => Insertion {
            at: Span::point(root.span().end),
            list_missing: false,
            form: Form::Kubespray,
            list: None,
            last_item: None,
        },
    };
    out.push(ApiServerConfig {
        defaults,
        // Without custom rules kubespray writes its own policy; with them, they are the
        // policy's rules and are read as a Policy.
        policy_generated: root.get("audit_policy_custom_rules").is_none(),
        declared_version: root.get_str("kube_version").map(str::to_owned),
        audit_off: match switch {
            Some((_, v)) if !on => Some(Switch {
                span: v.span(),
                fix: "set `kubernetes_audit: true` (kubespray then passes the audit flags and writes its default policy; `audit_policy_custom_rules` replaces its rules)".to_owned(),
            }),
            _ => None,
        },
        ..ApiServerConfig::new(Form::Kubespray, anchor, flags, insertion)
    });
}
