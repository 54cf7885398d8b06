//! kops `Cluster` (`kops.k8s.io/v1alpha2`): `spec.kubeAPIServer` has one typed field per
//! kube-apiserver flag (`pkg/apis/kops/v1alpha2/componentconfig.go`, `KubeAPIServerConfig`,
//! each field tagged `flag:"audit-…"`), turned into the static Pod's arguments by nodeup.
//! nodeup also writes the mounts (`nodeup/pkg/model/kube_apiserver.go` mounts the audit
//! log's directory writable), so mounts are not checked here. The policy usually comes
//! from `spec.fileAssets` of the Cluster or of an `InstanceGroup` (read as a Policy written
//! to its `path`). `InstanceGroupSpec` has no `kubeAPIServer` field
//! (`pkg/apis/kops/v1alpha2/instancegroup.go`), so only the Cluster sets the flags.

use super::fields;
use super::{ApiServerConfig, Form, Insertion};
use crate::model::is_object;
use crate::source::SourceFile;
use crate::yaml::Node;

/// `KubeAPIServerConfig` audit fields and the flags they set.
const FIELDS: &[(&str, &str)] = &[
    ("auditLogFormat", "audit-log-format"),
    ("auditLogPath", "audit-log-path"),
    ("auditLogMaxAge", "audit-log-maxage"),
    ("auditLogMaxBackups", "audit-log-maxbackup"),
    ("auditLogMaxSize", "audit-log-maxsize"),
    ("auditPolicyFile", "audit-policy-file"),
    (
        "auditWebhookBatchBufferSize",
        "audit-webhook-batch-buffer-size",
    ),
    ("auditWebhookBatchMaxSize", "audit-webhook-batch-max-size"),
    ("auditWebhookBatchMaxWait", "audit-webhook-batch-max-wait"),
    (
        "auditWebhookBatchThrottleBurst",
        "audit-webhook-batch-throttle-burst",
    ),
    (
        "auditWebhookBatchThrottleEnable",
        "audit-webhook-batch-throttle-enable",
    ),
    (
        "auditWebhookBatchThrottleQps",
        "audit-webhook-batch-throttle-qps",
    ),
    ("auditWebhookConfigFile", "audit-webhook-config-file"),
    (
        "auditWebhookInitialBackoff",
        "audit-webhook-initial-backoff",
    ),
    ("auditWebhookMode", "audit-webhook-mode"),
    ("auditDynamicConfiguration", "audit-dynamic-configuration"),
];

/// The `kubeAPIServer` field that sets `flag`.
pub(super) fn field(flag: &str) -> Option<&'static str> {
    fields::field_for(FIELDS, flag)
}

pub(super) fn read(root: Node<'_>, file: &SourceFile, out: &mut Vec<ApiServerConfig>) {
    if !is_object(root, "Cluster", "kops.k8s.io") {
        return;
    }
    let Some(spec) = root.get("spec").filter(|s| s.is_map()) else {
        return;
    };
    let api = spec.entry("kubeAPIServer").filter(|(_, v)| v.is_map());
    let flags = api
        .map(|(_, v)| fields::read(v, FIELDS, file))
        .unwrap_or_default();
    let insertion = Insertion::after(api.map(|(_, v)| v), spec, Form::Kops);
    let anchor = api
        .map(|(k, _)| k.span())
        .or_else(|| root.entry("kind").map(|(_, v)| v.span()))
        .unwrap_or_default();
    out.push(ApiServerConfig {
        declared_version: spec.get_str("kubernetesVersion").map(str::to_owned),
        ..ApiServerConfig::new(Form::Kops, anchor, flags, insertion)
    });
}
