//! AL212: failed authentications are not logged. They carry no user (rules with `users` or
//! `userGroups` cannot match) and are emitted only at stage `ResponseStarted`.

use super::Analysis;
use crate::context::DocCtx;
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
                cx.finding("AL212", rule.anchor())
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
                let (span, whose) = match (in_rule, in_policy) {
                    (Some(s), _) => (s.span, format!("rule {}", rule.number())),
                    (None, Some(s)) => (s.span, "the policy".to_owned()),
                    (None, None) => (rule.anchor(), format!("rule {}", rule.number())),
                };
                cx.finding("AL212", span)
                    .message(format!(
                        "failed authentications (401) are not logged: {witness} is matched by rule {}, but {whose} omits `ResponseStarted`, the only stage at which failed authentications are recorded",
                        rule.number()
                    ))
                    .label("drops every 401 event")
                    .help("remove `ResponseStarted` from `omitStages` (omit `RequestReceived` instead to cut volume)")
                    .related(cx.file, rule.anchor(), format!("rule {} matches requests without a user", rule.number()))
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
    let finding = cx.finding("AL212", span);
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
