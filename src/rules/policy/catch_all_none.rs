//! AL205: a `level: None` rule with no selector. It matches every request, so nothing it
//! catches is logged and every later rule is dead (the RKE2 default policy is exactly this).

use crate::catalog::Code;
use crate::context::DocCtx;
use crate::model::policy::Policy;

pub fn check(cx: &mut DocCtx<'_>, policy: &Policy, _: &super::Analysis) {
    let Some(index) = super::catch_all_none(policy) else {
        return;
    };
    let rule = &policy.rules[index];
    let later = policy.rules.len() - index - 1;
    let mut message = format!(
        "rule {} is `level: None` with no selector: it matches every request, authenticated or not, so nothing that reaches it is logged",
        rule.number()
    );
    if index == 0 {
        message.push_str(" (it is the first rule: this policy logs nothing at all)");
    }
    if later > 0 {
        message.push_str(&format!(
            "; the {later} rule{} after it can never match",
            if later == 1 { "" } else { "s" }
        ));
    }
    let mut finding = cx
        .finding(Code::AL205, rule.anchor())
        .message(message)
        .label("matches every request and logs none")
        .help("replace it with a catch-all that logs, as the last rule: `- level: Metadata` with `omitStages: [RequestReceived]`; silence specific noisy requests with narrower `None` rules before it (users, resources, nonResourceURLs)");
    if let Some(next) = policy.rules.get(index + 1) {
        finding = finding.related(
            cx.file,
            next.anchor(),
            format!("rule {} is never reached", next.number()),
        );
    }
    cx.report(finding);
}
