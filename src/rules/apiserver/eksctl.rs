//! AL116: an eksctl `ClusterConfig` that does not ship EKS audit logs to CloudWatch.
//! (EKS's audit policy is managed by AWS; exporting the `audit` log type is the only knob.)

use crate::catalog::Code;
use crate::context::DocCtx;
use crate::finding::{Edit, Safety};
use crate::fix::{Editor, Value};
use crate::yaml::{Node, Span};

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
        let fix = enable_audit(&cx.file.text, cx.root, types);
        let finding = cx
            .finding(Code::AL116, Span::point(at))
            .message("this EKS cluster does not export control-plane logs: the managed audit log is never written to CloudWatch, so API activity cannot be reviewed or alerted on")
            .label("no `enableTypes`")
            .help("add:\ncloudWatch:\n  clusterLogging:\n    enableTypes: [\"audit\", \"authenticator\"]")
            .fix_with(Safety::Safe, fix.map(|e| vec![e]));
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
        // A miscased type has one right spelling; `*` beside others has no single repair.
        let respelled = TYPES
            .iter()
            .find(|t| t.eq_ignore_ascii_case(value) && **t != value)
            .and_then(|t| Editor::new(&cx.file.text).replace_scalar(span, t));
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
                ))
                .fix_with(Safety::Safe, respelled.map(|e| vec![e]));
            cx.report(finding);
        }
    }
    // A miscased `Audit` was reported above; saying it is missing too would repeat it.
    if !wildcard && !values.iter().any(|(v, _)| v.eq_ignore_ascii_case("audit")) {
        let at = types
            .items()
            .last()
            .map_or(types.span().end, |l| l.span().end);
        let fix = enable_audit(&cx.file.text, cx.root, Some(types));
        let finding = cx
            .finding(Code::AL116, Span::point(at))
            .message("`enableTypes` does not include `audit`: the EKS audit log (who did what through the API) is not exported to CloudWatch")
            .label("add \"audit\"")
            .help("add `audit` to `cloudWatch.clusterLogging.enableTypes`")
            .fix_with(Safety::Safe, fix.map(|e| vec![e]));
        cx.report(finding);
    }
}

/// The edit that adds `audit` to `cloudWatch.clusterLogging.enableTypes`: one more item (quoted
/// as the last one is), or the list, or the keys above it that are missing. eksctl's schema:
/// <https://eksctl.io/usage/cloudwatch-cluster-logging/>.
fn enable_audit(text: &str, root: Node<'_>, types: Option<Node<'_>>) -> Option<Edit> {
    let editor = Editor::new(text);
    if let Some(types) = types.filter(|t| t.is_seq()) {
        let last = types.items().last().map(|l| l.span());
        let quote = last
            .and_then(|l| text.get(l.start..l.start + 1))
            .filter(|q| matches!(*q, "\"" | "'"))
            .unwrap_or("");
        let item = Value::scalar(format!("{quote}audit{quote}"));
        return editor.append_item(types.span(), last, &item);
    }
    if types.is_some() {
        return None;
    }
    let list = Value::list(["audit"]);
    let cloud_watch = root.get("cloudWatch");
    match (
        cloud_watch,
        cloud_watch.and_then(|c| c.get("clusterLogging")),
    ) {
        (_, Some(logging)) if logging.is_map() => {
            editor.append_entry(logging.span(), "enableTypes", &list)
        }
        (Some(cw), None) if cw.is_map() => editor.append_entry(
            cw.span(),
            "clusterLogging",
            &Value::map([("enableTypes", list)]),
        ),
        (None, _) => editor.append_entry(
            root.span(),
            "cloudWatch",
            &Value::map([("clusterLogging", Value::map([("enableTypes", list)]))]),
        ),
        _ => None,
    }
}
