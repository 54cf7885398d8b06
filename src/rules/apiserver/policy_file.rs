//! AL101: no `--audit-policy-file`, so nothing is ever audited.

use super::missing_flag;
use crate::context::DocCtx;
use crate::model::apiserver::{ApiServerConfig, Form};

const SUGGESTED: &str = "/etc/kubernetes/audit/policy.yaml";

pub fn check(cx: &mut DocCtx<'_>, config: &ApiServerConfig) {
    let policy = config.value("audit-policy-file");
    if policy.is_some_and(|p| !p.is_empty()) {
        return;
    }
    let mut why = format!("{} runs without an audit policy (`--audit-policy-file`): it records no audit events at all", config.server);
    match config.form {
        Form::K3s => why.push_str(" (k3s does not enable auditing by default)"),
        Form::Kubespray => why.push_str(
            " (kubespray passes the audit flags only when `kubernetes_audit: true`; the default is false)",
        ),
        Form::Kamaji => {
            why.push_str(" (Kamaji passes no audit flags to a tenant's apiserver by default)")
        }
        _ => {}
    }
    let log = config
        .flag("audit-log-path")
        .filter(|f| f.value.as_deref().is_some_and(|v| !v.is_empty()));
    if log.is_some() {
        why.push_str("; `--audit-log-path` is set, but without a policy the log stays empty");
    }
    let finding = match (config.flag("audit-policy-file"), &config.audit_off) {
        // A setting of the form turns auditing off as a whole.
        (None, Some(switch)) => cx
            .finding("AL101", switch.span)
            .label("auditing is off")
            .help(switch.fix.clone()),
        // Present but empty: the apiserver treats it as unset.
        (Some(flag), _) => cx
            .finding("AL101", flag.value_span)
            .label("empty: no policy is loaded")
            .help(format!(
                "point it at a Policy file, e.g. `--audit-policy-file={SUGGESTED}`"
            )),
        (None, None) => missing_flag(cx, config, "AL101", "audit-policy-file", SUGGESTED),
    };
    let mut finding = finding.message(format!("{why}. Create a Policy (at least a catch-all `- level: Metadata` rule), pass it with `--audit-policy-file` and mount it read-only (CIS 3.2.1)"));
    if let Some(log) = log {
        finding = finding.related(cx.file, log.value_span, "events would be written here");
    }
    cx.report(finding);
}
