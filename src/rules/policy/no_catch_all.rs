//! AL207: requests that must be logged match no rule at all, so they get level `None`
//! (typically: no catch-all last rule).

use super::{more, Analysis};
use crate::catalog::Code;
use crate::context::DocCtx;
use crate::model::policy::probes::Purpose;
use crate::model::policy::Policy;

pub fn check(cx: &mut DocCtx<'_>, policy: &Policy, analysis: &Analysis) {
    let unmatched: Vec<usize> = (0..analysis.results.len())
        .filter(|&i| {
            let (p, d) = &analysis.results[i];
            p.purpose == Purpose::MustLog && d.rule.is_none()
        })
        .collect();
    let Some(&first) = unmatched.first() else {
        return;
    };
    let witness = &analysis.results[first].0;
    cx.report(
        cx.finding(Code::AL207, super::after(cx.file, policy.rules_end))
            .message(format!(
                "requests that must be logged match no rule, and a request no rule matches is not logged (level None): {} matches none of the {} rule{}{}",
                witness.request.describe(),
                policy.rules.len(),
                if policy.rules.len() == 1 { "" } else { "s" },
                more(analysis, &unmatched)
            ))
            .label("add a catch-all rule here")
            .help("end the rules with a catch-all:\n- level: Metadata\n  omitStages: [RequestReceived]"),
    );
}
