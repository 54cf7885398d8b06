//! AL113 (audit log to stdout) and AL114 (legacy text format).

use crate::catalog::Code;
use crate::context::DocCtx;
use crate::finding::{Edit, Safety};
use crate::model::apiserver::ApiServerConfig;

pub fn check(cx: &mut DocCtx<'_>, config: &ApiServerConfig) {
    if let Some(flag) = config
        .flag("audit-log-path")
        .filter(|f| f.value.as_deref() == Some("-"))
    {
        let finding = cx
            .finding(Code::AL113, flag.value_span)
            .message("`--audit-log-path=-` writes audit events to the container's stdout: they are only as durable and complete as the log pipeline that collects them, and they are mixed with the apiserver's own logs")
            .label("stdout")
            .help("write to a file on a hostPath mount (`--audit-log-path=/var/log/kubernetes/audit/audit.log`) that a log forwarder collects, or use a webhook backend");
        cx.report(finding);
    }
    if let Some(flag) = config
        .flag("audit-log-format")
        .filter(|f| f.value.as_deref() == Some("legacy"))
    {
        let finding = cx
            .finding(Code::AL114, flag.value_span)
            .message("`--audit-log-format=legacy` writes one text line per event: no request or response bodies, no structured fields for log pipelines and SIEMs to parse")
            .label("legacy text format")
            .help("use `--audit-log-format=json` (the default): remove the flag or set it to json")
            // Unsafe: whatever parses the legacy lines downstream breaks on JSON.
            .fix(Safety::Unsafe, vec![Edit::replace(flag.value_span, "json")]);
        cx.report(finding);
    }
}
