//! AL211: a rule on exec/attach/portforward limited to `verbs: [create]`. kubectl opens
//! these sessions over WebSockets, which the apiserver sees as verb `get`.

use super::edit::{editor, newly_dead};
use crate::catalog::Code;
use crate::context::DocCtx;
use crate::fix::{Edit, Safety, Value};
use crate::model::policy::{Located, Policy, Rule};

const SESSIONS: [&str; 3] = ["exec", "attach", "portforward"];

pub fn check(cx: &mut DocCtx<'_>, policy: &Policy) {
    for rule in &policy.rules {
        let Some(verbs_span) = rule.verbs_span else {
            continue;
        };
        let has = |v: &str| rule.verbs.iter().any(|x| x.value == v);
        if !has("create") || has("get") {
            continue;
        }
        let session = rule.resources.iter().find_map(|gr| {
            if !gr.group().is_empty() {
                return None;
            }
            gr.resources.iter().find(|r| {
                let v = r.value.as_str();
                SESSIONS
                    .iter()
                    .any(|s| v == format!("pods/{s}") || v == format!("*/{s}"))
            })
        });
        let Some(session) = session else { continue };
        cx.report(
            cx.finding(Code::AL211, verbs_span)
                .message(format!(
                    "rule {} matches `{}` only for verb `create`: kubectl opens exec, attach and port-forward sessions over WebSockets, which the apiserver records as verb `get`, so those sessions do not match this rule",
                    rule.number(),
                    session.value
                ))
                .label("misses WebSocket sessions (verb get)")
                .related(cx.file, session.span, "the session subresource")
                .help("remove the `verbs` filter from this rule (or add `get`)")
                .fix_with(Safety::Safe, add_get(cx, policy, rule, verbs_span)),
        );
    }
}

/// `get` added to the rule's verbs, unless the wider rule would hide a later one (AL209).
fn add_get(
    cx: &DocCtx<'_>,
    policy: &Policy,
    rule: &Rule,
    verbs: crate::yaml::Span,
) -> Option<Vec<Edit>> {
    let mut wider = rule.clone();
    wider.verbs.push(Located {
        value: "get".to_owned(),
        span: crate::yaml::Span::default(),
    });
    if newly_dead(cx, policy, rule.index + 1, &wider) {
        return None;
    }
    let last = rule.verbs.last().map(|v| v.span);
    let edit = editor(cx, policy)?.append_item(verbs, last, &Value::scalar("get"))?;
    Some(vec![edit])
}
