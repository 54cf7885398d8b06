//! AL102: a policy but no backend, so events go nowhere.

use super::missing_flag;
use crate::catalog::Code;
use crate::context::DocCtx;
use crate::model::apiserver::ApiServerConfig;

pub fn check(cx: &mut DocCtx<'_>, config: &ApiServerConfig) {
    let set = |name| config.value(name).is_some_and(|v: &str| !v.is_empty());
    if !set("audit-policy-file") || set("audit-log-path") || set("audit-webhook-config-file") {
        return;
    }
    let path = "/var/log/kubernetes/audit/audit.log";
    let mut finding = missing_flag(cx, config, Code::AL102, "audit-log-path", path).message(
        "an audit policy is loaded but there is no backend (`--audit-log-path` or `--audit-webhook-config-file`): every event is evaluated and then dropped",
    );
    if let Some(policy) = config.flag("audit-policy-file") {
        finding = finding.related(cx.file, policy.value_span, "the policy is loaded here");
    }
    cx.report(finding);
}
