//! AL207: requests that must be logged match no rule at all, so they get level `None`
//! (typically: no catch-all last rule).

use super::edit::{append_catch_all, editor, set_level};
use super::{more, Analysis};
use crate::catalog::Code;
use crate::context::DocCtx;
use crate::fix::Safety;
use crate::model::policy::probes::Purpose;
use crate::model::policy::{Level, Policy};

pub fn check(cx: &mut DocCtx<'_>, policy: &Policy, analysis: &Analysis) {
    let trailing = super::trailing_none(policy);
    let unmatched: Vec<usize> = (0..analysis.len())
        .filter(|&i| {
            let (p, d) = analysis.get(i);
            p.purpose == Purpose::MustLog && (d.rule.is_none() || d.rule == trailing)
        })
        .collect();
    let Some(&first) = unmatched.first() else {
        return;
    };
    let witness = analysis.get(first).0;
    let editor = editor(cx, policy);
    let finding = match trailing.map(|i| &policy.rules[i]) {
        // `- level: None` as the last rule logs nothing, the same as no rule.
        Some(last) => cx
            .finding(Code::AL207, last.anchor())
            .message(format!(
                "requests that must be logged reach only the last rule, a catch-all `- level: None`, which logs nothing (the same as having no catch-all): {} reaches rule {}{}",
                witness.request.describe(),
                last.number(),
                more(analysis, &unmatched)
            ))
            .label("a catch-all that logs nothing")
            .help("make the last rule log: `- level: Metadata` with `omitStages: [RequestReceived]` (silence noise with narrower `None` rules before it)")
            // Unsafe: the rule says `None` on purpose, and everything it silenced is logged.
            .fix_with(
                Safety::Unsafe,
                editor
                    .as_ref()
                    .and_then(|e| set_level(e, last, Level::Metadata))
                    .map(|e| vec![e]),
            ),
        None => cx
            .finding(Code::AL207, super::after(cx.file, policy.rules_end))
            .message(format!(
                "requests that must be logged match no rule, and a request no rule matches is not logged (level None): {} matches none of the {} rule{}{}",
                witness.request.describe(),
                policy.rules.len(),
                if policy.rules.len() == 1 { "" } else { "s" },
                more(analysis, &unmatched)
            ))
            .label("add a catch-all rule here")
            .help("end the rules with a catch-all:\n- level: Metadata\n  omitStages: [RequestReceived]")
            .fix_with(
                Safety::Safe,
                editor
                    .as_ref()
                    .and_then(|e| append_catch_all(e, policy))
                    .map(|e| vec![e]),
            ),
    };
    cx.report(finding);
}
