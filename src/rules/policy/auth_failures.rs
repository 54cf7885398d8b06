//! AL212: failed authentications are not logged. They carry no user (rules with `users` or
//! `userGroups` cannot match) and are emitted only at stage `ResponseStarted`.

use super::edit::{append_catch_all, editor, set_level};
use super::Analysis;
use crate::catalog::Code;
use crate::context::DocCtx;
use crate::fix::Safety;
use crate::model::policy::matcher::evaluate;
use crate::model::policy::probes;
use crate::model::policy::{Level, Policy, Stage};
use crate::yaml::Span;

pub fn check(cx: &mut DocCtx<'_>, policy: &Policy, analysis: &Analysis) {
    let version = cx.config.version();
    let dead_end = super::catch_all_none(policy);
    let trailing = super::trailing_none(policy);
    for request in probes::failed_authentication() {
        let decision = evaluate(policy, &request, version);
        if decision.logs_stage(Stage::ResponseStarted) || !policy.decision_known(decision.rule) {
            continue;
        }
        let witness = request.describe();
        let finding = match decision
            .rule
            .filter(|&i| Some(i) != trailing)
            .map(|i| &policy.rules[i])
        {
            None => unmatched(cx, policy, analysis, &witness, trailing),
            Some(rule) if rule.level() == Some(Level::None) => {
                if Some(rule.index) == dead_end {
                    // AL205 already reports this rule.
                    return;
                }
                cx.finding(Code::AL212, rule.anchor())
                    .message(format!(
                        "failed authentications (401) are not logged: {witness} is matched by rule {}, which is `level: None`",
                        rule.number()
                    ))
                    .label("silences failed authentications")
                    .help(format!(
                        "limit rule {} with `users`/`userGroups` (failed authentications have no user, so they then fall through to a logging rule)",
                        rule.number()
                    ))
            }
            Some(rule) => {
                let in_rule = rule
                    .omit_stages
                    .iter()
                    .find(|s| s.value == Stage::ResponseStarted.as_str());
                let in_policy = policy
                    .omit_stages
                    .iter()
                    .find(|s| s.value == Stage::ResponseStarted.as_str());
                // The list that omits the stage, and the stage in it.
                let omitted = match (in_rule, in_policy) {
                    (Some(s), _) => Some((rule.omit_stages_span, rule.omit_stages.len(), s.span)),
                    (None, Some(s)) => {
                        Some((policy.omit_stages_span, policy.omit_stages.len(), s.span))
                    }
                    (None, None) => None,
                };
                let (span, whose) = match (in_rule, in_policy) {
                    (Some(s), _) => (s.span, format!("rule {}", rule.number())),
                    (None, Some(s)) => (s.span, "the policy".to_owned()),
                    (None, None) => (rule.anchor(), format!("rule {}", rule.number())),
                };
                cx.finding(Code::AL212, span)
                    .message(format!(
                        "failed authentications (401) are not logged: {witness} is matched by rule {}, but {whose} omits `ResponseStarted`, the only stage at which failed authentications are recorded",
                        rule.number()
                    ))
                    .label("drops every 401 event")
                    .help("remove `ResponseStarted` from `omitStages` (omit `RequestReceived` instead to cut volume)")
                    .related(cx.file, rule.anchor(), format!("rule {} matches requests without a user", rule.number()))
                    // Safe: it only adds the events of the stage back.
                    .fix_with(
                        Safety::Safe,
                        omitted
                            .zip(editor(cx, policy))
                            .and_then(|(omitted, e)| keep_response_started(&e, omitted))
                            .map(|e| vec![e]),
                    )
            }
        };
        cx.report(finding);
        return;
    }
}

/// AL212 for a failed authentication that no rule logs: it matches no rule, or only a final
/// `- level: None`. The reason given is this policy's; when AL207 reports the missing
/// catch-all at the same place, the finding says it has the same cause.
fn unmatched(
    cx: &DocCtx<'_>,
    policy: &Policy,
    analysis: &Analysis,
    witness: &str,
    trailing: Option<usize>,
) -> crate::finding::Finding {
    let without_users: Vec<String> = policy
        .rules
        .iter()
        .filter(|r| r.user_independent() && Some(r.index) != trailing)
        .map(|r| r.number().to_string())
        .collect();
    let reason = match without_users.as_slice() {
        [] => "every rule requires a user or group, which a failed authentication does not have"
            .to_owned(),
        [one] => {
            format!("rule {one}, the only one without `users`/`userGroups`, selects other requests")
        }
        many => format!(
            "rules {}, the ones without `users`/`userGroups`, select other requests",
            many.join(", ")
        ),
    };
    let reaches = match trailing {
        Some(i) => format!("reaches only rule {}, the final `- level: None`", i + 1),
        None => "matches no rule".to_owned(),
    };
    let span: Span = match trailing {
        Some(i) => policy.rules[i].anchor(),
        None => super::after(cx.file, policy.rules_end),
    };
    let finding = cx.finding(Code::AL212, span);
    // Without AL207 here, AL207's fix is this one's: the catch-all it appends (or the final
    // `None` made to log) catches failed authentications too.
    let editor = editor(cx, policy);
    let finding = match trailing {
        _ if super::misses_catch_all(policy, analysis) => finding,
        Some(i) => finding.fix_with(
            Safety::Unsafe,
            editor
                .and_then(|e| set_level(&e, &policy.rules[i], Level::Metadata))
                .map(|e| vec![e]),
        ),
        None => finding.fix_with(
            Safety::Safe,
            editor
                .and_then(|e| append_catch_all(&e, policy))
                .map(|e| vec![e]),
        ),
    };
    if super::misses_catch_all(policy, analysis) {
        finding
            .message(format!(
                "failed authentications (401) are not logged either, for the reason AL207 gives here (no catch-all that logs): {witness} {reaches}; {reason}"
            ))
            .label("same cause as AL207")
            .help("the catch-all AL207 asks for fixes this too, if it has no `users`/`userGroups` and keeps `ResponseStarted`:\n- level: Metadata\n  omitStages: [RequestReceived]")
    } else {
        finding
            .message(format!(
                "failed authentications (401) are not logged: {witness} {reaches}; {reason}"
            ))
            .label("no rule without users/userGroups catches it")
            .help("end the rules with a catch-all that has no `users`/`userGroups` and keeps `ResponseStarted`:\n- level: Metadata\n  omitStages: [RequestReceived]")
    }
}

/// `ResponseStarted` (at `item`) taken out of its `omitStages` list (at `list`, of `len`
/// stages): the item, or the whole `omitStages` entry when it is the only one.
fn keep_response_started(
    editor: &crate::fix::Editor<'_>,
    (list, len, item): (Option<Span>, usize, Span),
) -> Option<crate::fix::Edit> {
    match list {
        Some(list) if len == 1 => editor.remove_entry(editor.key_of(list)?, list),
        _ => editor.remove_item(item),
    }
}
