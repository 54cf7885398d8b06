//! A Gardener `Shoot` (`core.gardener.cloud`): the shoot's kube-apiserver loads the Policy of
//! the ConfigMap named by `spec.kubernetes.kubeAPIServer.auditConfig.auditPolicy.configMapRef`
//! (its `policy` key, linted where the ConfigMap is scanned). Without one, Gardener gives it
//! its default policy, a single `level: None` rule (`gardener/gardener`
//! `pkg/component/apiserver/audit.go`, `ReconcileConfigMapAuditPolicy`): nothing is recorded.

use crate::context::DocCtx;
use crate::model::is_object;

pub fn check(cx: &mut DocCtx<'_>) {
    if !is_object(cx.root, "Shoot", "core.gardener.cloud") {
        return;
    }
    let Some(spec) = cx.root.get("spec").filter(|s| s.is_map()) else {
        return;
    };
    let kubernetes = spec.entry("kubernetes").filter(|(_, k)| k.is_map());
    let api = kubernetes.and_then(|(_, k)| k.entry("kubeAPIServer"));
    let reference = api
        .and_then(|(_, a)| a.path(&["auditConfig", "auditPolicy", "configMapRef", "name"]))
        .and_then(|n| n.str())
        .filter(|n| !n.is_empty());
    if reference.is_some() {
        return;
    }
    let at = api
        .or(kubernetes)
        .map(|(k, _)| k.span())
        .or_else(|| cx.root.entry("spec").map(|(k, _)| k.span()))
        .unwrap_or_default();
    let finding = cx
        .finding("AL101", at)
        .message("this Shoot names no audit policy (`kubeAPIServer.auditConfig.auditPolicy.configMapRef`), so Gardener gives its kube-apiserver the default policy, a single `level: None` rule: no audit event is recorded")
        .label("no audit policy")
        .help("add under `spec.kubernetes.kubeAPIServer`:\nauditConfig:\n  auditPolicy:\n    configMapRef:\n      name: audit-policy\nand a ConfigMap `audit-policy` in the Shoot's namespace whose `policy` key holds the Policy");
    cx.report(finding);
}
