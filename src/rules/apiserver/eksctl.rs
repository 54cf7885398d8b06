//! AL116: an eksctl `ClusterConfig` that does not ship EKS audit logs to CloudWatch.
//! (EKS's audit policy is managed by AWS; exporting the `audit` log type is the only knob.)

use crate::catalog::Code;
use crate::context::DocCtx;
use crate::yaml::Span;

const TYPES: &[&str] = &[
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

pub fn check(cx: &mut DocCtx<'_>) {
    if cx.kind() != Some("ClusterConfig")
        || !cx
            .api_version()
            .is_some_and(|v| v.starts_with("eksctl.io/"))
    {
        return;
    }
    let logging = cx.root.path(&["cloudWatch", "clusterLogging"]);
    let types = logging.and_then(|l| l.get("enableTypes"));
    let Some(types) = types.filter(|t| t.is_seq() && !t.is_empty()) else {
        let at = logging
            .or_else(|| cx.root.get("cloudWatch"))
            .map_or(cx.root.span().end, |n| n.span().end);
        let finding = cx
            .finding(Code::AL116, Span::point(at))
            .message("this EKS cluster does not export control-plane logs: the managed audit log is never written to CloudWatch, so API activity cannot be reviewed or alerted on")
            .label("no `enableTypes`")
            .help("add:\ncloudWatch:\n  clusterLogging:\n    enableTypes: [\"audit\", \"authenticator\"]");
        cx.report(finding);
        return;
    };
    let values: Vec<_> = types
        .items()
        .filter_map(|t| Some((t.str()?, t.span())))
        .collect();
    let wildcard = values.iter().any(|(v, _)| matches!(*v, "*" | "all"));
    for &(value, span) in &values {
        let problem = if matches!(value, "*" | "all") && values.len() > 1 {
            Some(format!("`{value}` only means every log type when it is the only entry; with other entries eksctl rejects it as an unknown log type"))
        } else if !matches!(value, "*" | "all") && !TYPES.contains(&value) {
            let fix = TYPES.iter().find(|t| t.eq_ignore_ascii_case(value));
            Some(match fix {
                Some(t) => format!(
                    "log type `{value}` is miscased: eksctl rejects it (did you mean `{t}`?)"
                ),
                None => format!("`{value}` is not a control-plane log type: eksctl rejects it"),
            })
        } else {
            None
        };
        if let Some(message) = problem {
            let finding = cx
                .finding(Code::AL116, span)
                .message(format!(
                    "{message}, so no control-plane logs (audit included) are exported"
                ))
                .label("rejected by eksctl")
                .help(format!(
                    "use only these exact values: {} (or `[\"*\"]` alone)",
                    TYPES.join(", ")
                ));
            cx.report(finding);
        }
    }
    // A miscased `Audit` was reported above; saying it is missing too would repeat it.
    if !wildcard && !values.iter().any(|(v, _)| v.eq_ignore_ascii_case("audit")) {
        let at = types
            .items()
            .last()
            .map_or(types.span().end, |l| l.span().end);
        let finding = cx
            .finding(Code::AL116, Span::point(at))
            .message("`enableTypes` does not include `audit`: the EKS audit log (who did what through the API) is not exported to CloudWatch")
            .label("add \"audit\"")
            .help("add `audit` to `cloudWatch.clusterLogging.enableTypes`");
        cx.report(finding);
    }
}
