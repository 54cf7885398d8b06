//! Talos machine configuration (`version: v1alpha1`, `machine:`, `cluster:`), whole or as a
//! patch: `cluster.apiServer.extraArgs` over Talos' own arguments, `extraVolumes` beside its
//! own mounts, and `auditPolicy` (an inline Policy, read by the policy model; since Talos 1.12
//! also a `KubeAuditPolicyConfig` document of its own).
//!
//! Talos audits by default (`internal/app/machined/pkg/controllers/k8s/
//! control_plane_static_pod.go`, `manageAPIServer`): it passes `--audit-policy-file`
//! (its own policy, `rules: [{level: Metadata}]`, or `auditPolicy` when written),
//! `--audit-log-path=/var/log/audit/kube/kube-apiserver.log`, `--audit-log-maxage=30`,
//! `--audit-log-maxbackup=10` and `--audit-log-maxsize=100`; `extraArgs` replace them
//! (the default merge policy). It mounts its config directory read-only and the audit log
//! directory writable, both hostPath at the same path.

use super::flags::{map_flags, Flag};
use super::mounts::{self, Mount};
use super::{ApiServerConfig, Form, Insertion};
use crate::source::SourceFile;
use crate::yaml::Node;

const CONFIG_DIR: &str = "/system/config/kubernetes/kube-apiserver";
const POLICY: &str = "/system/config/kubernetes/kube-apiserver/auditpolicy.yaml";
const AUDIT_DIR: &str = "/var/log/audit/kube";
const SECRETS_DIR: &str = "/system/secrets/kubernetes/kube-apiserver";

const DEFAULTS: &[(&str, &str)] = &[
    ("audit-policy-file", POLICY),
    ("audit-log-path", "/var/log/audit/kube/kube-apiserver.log"),
    ("audit-log-maxage", "30"),
    ("audit-log-maxbackup", "10"),
    ("audit-log-maxsize", "100"),
];

/// The keys a machine configuration (or a patch of one) has at its top level.
const TOP_KEYS: &[&str] = &["version", "debug", "persist", "machine", "cluster"];

/// The `cluster` section of a control-plane machine configuration, or of a patch that
/// configures the apiserver.
fn cluster_section(root: Node<'_>) -> Option<Node<'_>> {
    if !root.is_map() || root.get("kind").is_some() || root.get("apiVersion").is_some() {
        return None;
    }
    if !root
        .entries()
        .all(|(k, _)| k.text().is_some_and(|k| TOP_KEYS.contains(&k)))
    {
        return None;
    }
    let cluster = root.get("cluster").filter(|c| c.is_map())?;
    let machine_type = root.path(&["machine", "type"]).and_then(|t| t.str());
    let whole = root.get_str("version") == Some("v1alpha1")
        && matches!(machine_type, Some("controlplane" | "init"));
    let patch = machine_type.is_none() && cluster.get("apiServer").is_some_and(|a| a.is_map());
    (whole || patch).then_some(cluster)
}

/// The inline `auditPolicy` of a Talos configuration, and the file Talos writes it to.
/// Talos writes the mapping as it is, so one without `apiVersion`/`kind` is still the policy
/// the apiserver loads (and rejects: the validator says why).
/// Since Talos 1.12 the policy may be its own document, `kind: KubeAuditPolicyConfig`
/// (`pkg/machinery/config/types/k8s/kube_audit_policy_config.go`), under `configuration`.
pub fn talos_policy(root: Node<'_>) -> Option<(Node<'_>, &'static str)> {
    let policy = if root.get_str("kind") == Some("KubeAuditPolicyConfig")
        && root.get_str("apiVersion") == Some("v1alpha1")
    {
        root.get("configuration")?
    } else {
        cluster_section(root)?.path(&["apiServer", "auditPolicy"])?
    };
    policy.is_map().then_some((policy, POLICY))
}

pub(super) fn read(root: Node<'_>, file: &SourceFile, out: &mut Vec<ApiServerConfig>) {
    let Some(cluster) = cluster_section(root) else {
        return;
    };
    let api = cluster.entry("apiServer").filter(|(_, v)| v.is_map());
    let args = api
        .and_then(|(_, a)| a.entry("extraArgs"))
        .filter(|(_, v)| v.is_map());
    let flags: Vec<Flag> = args
        .map(|(_, map)| map_flags(map, &file.text))
        .unwrap_or_default();
    let mut mounts: Vec<Mount> = api
        .and_then(|(_, a)| a.get("extraVolumes"))
        .into_iter()
        .flat_map(|v| v.items())
        .filter_map(mounts::extra_volume)
        .collect();
    for (path, read_only) in [(CONFIG_DIR, true), (AUDIT_DIR, false), (SECRETS_DIR, true)] {
        mounts.push(Mount::implicit(path, read_only));
    }
    let policy_written = api.and_then(|(_, a)| a.get("auditPolicy")).is_some();
    let policy_overridden = flags.iter().any(|f| f.name == "audit-policy-file");
    let insertion = Insertion::after(
        args.map(|(_, v)| v),
        api.map_or(cluster, |(_, a)| a),
        Form::Talos,
    );
    let anchor = api
        .map(|(k, _)| k.span())
        .or_else(|| root.entry("cluster").map(|(k, _)| k.span()))
        .unwrap_or_default();
    let declared_version = api
        .and_then(|(_, a)| a.get_str("image"))
        .and_then(|image| image.split('@').next()?.rsplit_once(':'))
        .map(|(_, tag)| tag.to_owned());
    out.push(ApiServerConfig {
        defaults: DEFAULTS
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        mounts: Some(mounts),
        static_pod: true,
        policy_generated: !policy_written && !policy_overridden,
        declared_version,
        ..ApiServerConfig::new(Form::Talos, anchor, flags, insertion)
    });
}
