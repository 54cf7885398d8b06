//! AL206: a `None` rule (or one omitting every stage) is the first match for requests that
//! must be logged: exec into pods, RBAC and webhook changes, secret access …

use std::collections::BTreeMap;

use super::{more, Analysis};
use crate::catalog::Code;
use crate::context::DocCtx;
use crate::model::policy::probes::Purpose;
use crate::model::policy::{Level, Policy};

pub fn check(cx: &mut DocCtx<'_>, policy: &Policy, analysis: &Analysis) {
    // A catch-all `None` is AL205's (or, as the last rule, AL207's).
    let dead_end = super::catch_all_none(policy).or(super::trailing_none(policy));
    // rule index → the probes it silences, in probe order.
    let mut silenced: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, (probe, decision)) in analysis.iter().enumerate() {
        let Some(rule) = decision.rule else { continue };
        if probe.purpose == Purpose::MustLog
            && decision.effective_level() == Level::None
            && Some(rule) != dead_end
        {
            silenced.entry(rule).or_default().push(i);
        }
    }
    for (index, probes) in silenced {
        let rule = &policy.rules[index];
        let (witness, _) = analysis.get(probes[0]);
        let how = if rule.level() == Some(Level::None) {
            "`level: None`".to_owned()
        } else {
            "omits every stage, which logs nothing".to_owned()
        };
        cx.report(
            cx.finding(Code::AL206, rule.anchor())
                .message(format!(
                    "rule {} ({how}) is the first match for requests that must be logged: {} is not logged{}",
                    rule.number(),
                    witness.request.describe(),
                    more(analysis, &probes)
                ))
                .label("drops requests that must be logged")
                .help(format!(
                    "narrow rule {} to the requests it is meant to silence (add `users`/`userGroups` of the system components, or specific `resources`/`verbs`), or put a rule logging these requests at `Metadata` before it",
                    rule.number()
                )),
        );
    }
}
