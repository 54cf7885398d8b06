//! AL212: failed authentications are not logged. They carry no user (rules with `users` or
//! `userGroups` cannot match) and are emitted only at stage `ResponseStarted`.

use crate::catalog::Code;
use crate::context::DocCtx;
use crate::model::policy::matcher::evaluate;
use crate::model::policy::probes;
use crate::model::policy::{Level, Policy, Stage};

pub fn check(cx: &mut DocCtx<'_>, policy: &Policy, _: &super::Analysis) {
    let version = cx.config.version();
    let dead_end = super::catch_all_none(policy);
    for request in probes::failed_authentication() {
        let decision = evaluate(policy, &request, version);
        if decision.logs_stage(Stage::ResponseStarted) {
            continue;
        }
        let witness = request.describe();
        let finding = match decision.rule.map(|i| &policy.rules[i]) {
            None => cx
                .finding(Code::AL212, super::after(cx.file, policy.rules_end))
                .message(format!(
                    "failed authentications (401) are not logged: {witness} matches no rule, because every rule that could match it requires a user or group"
                ))
                .label("no rule without users/userGroups catches it")
                .help("end the rules with a catch-all that has no `users`/`userGroups` and keeps `ResponseStarted`:\n- level: Metadata\n  omitStages: [RequestReceived]"),
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
            }
        };
        cx.report(finding);
        return;
    }
}
