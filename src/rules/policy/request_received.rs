//! AL214: the catch-all rule does not omit `RequestReceived`, so every request it logs
//! produces two events (RequestReceived and ResponseComplete) with the same content.

use super::edit::editor;
use crate::catalog::Code;
use crate::context::DocCtx;
use crate::fix::{Safety, Value};
use crate::model::policy::{Level, Policy, Stage};

pub fn check(cx: &mut DocCtx<'_>, policy: &Policy, _: &super::Analysis) {
    let Some(rule) = policy.rules.iter().find(|r| r.is_catch_all()) else {
        return;
    };
    if rule.level().is_none_or(|l| l == Level::None)
        || policy.rule_stages(rule).contains(&Stage::RequestReceived)
    {
        return;
    }
    let help = if policy.omit_stages_span.is_some() {
        "add `RequestReceived` to the policy's `omitStages`"
    } else {
        "add `omitStages: [RequestReceived]` at the top of the policy (it applies to every rule), or to this rule"
    };
    cx.report(
        cx.finding(Code::AL214, rule.anchor())
            .message(format!(
                "the catch-all (rule {}) does not omit the `RequestReceived` stage: every request it logs is recorded twice, once when received and once when complete, doubling the log volume for no extra information",
                rule.number()
            ))
            .label("logs RequestReceived and ResponseComplete")
            .help(help)
            .fix_with(Safety::Safe, omit_request_received(cx, policy, rule)),
    );
}

/// `RequestReceived` added to the catch-all's own `omitStages` (the policy's would change
/// every other rule too).
fn omit_request_received(
    cx: &DocCtx<'_>,
    policy: &Policy,
    rule: &crate::model::policy::Rule,
) -> Option<Vec<crate::fix::Edit>> {
    let editor = editor(cx, policy)?;
    let stage = Value::scalar(Stage::RequestReceived.as_str());
    let edit = match rule.omit_stages_span {
        Some(list) => editor.append_item(list, rule.omit_stages.last().map(|s| s.span), &stage)?,
        None => editor.append_entry(rule.span, "omitStages", &Value::Seq(vec![stage]))?,
    };
    Some(vec![edit])
}
