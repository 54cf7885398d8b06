//! AL209: a rule that can never match because an earlier rule provably matches every
//! request it would (first match wins). Only proven subsumption is reported.

use super::edit::editor;
use crate::catalog::Code;
use crate::context::DocCtx;
use crate::fix::Safety;
use crate::model::policy::subsume::covers;
use crate::model::policy::Policy;

pub fn check(cx: &mut DocCtx<'_>, policy: &Policy, _: &super::Analysis) {
    // Rules after a catch-all `None` are reported by AL205 as a whole.
    let dead_end = super::catch_all_none(policy);
    let version = cx.config.version();
    for (i, later) in policy.rules.iter().enumerate() {
        let Some(earlier) = policy.rules[..i].iter().find(|e| covers(e, later, version)) else {
            continue;
        };
        if Some(earlier.index) == dead_end {
            continue;
        }
        let level = |r: &crate::model::policy::Rule| {
            r.level_raw
                .as_ref()
                .map_or("(none)".to_owned(), |l| l.value.clone())
        };
        cx.report(
            cx.finding(Code::AL209, later.anchor())
                .message(format!(
                    "rule {} can never match: rule {} comes first and matches every request it would, so its `level: {}` never applies (rule {} decides at `{}`)",
                    later.number(),
                    earlier.number(),
                    level(later),
                    earlier.number(),
                    level(earlier)
                ))
                .label("never reached")
                .related(cx.file, earlier.anchor(), format!("rule {} matches all of its requests first", earlier.number()))
                .help(format!(
                    "move rule {} above rule {} if it is meant to take precedence, or delete it",
                    later.number(),
                    earlier.number()
                ))
                // Unsafe: the rule may be meant to come first; deleting it keeps what the
                // policy does, not what its author meant.
                .fix_with(Safety::Unsafe, delete(cx, policy, later)),
        );
    }
}

/// The dead rule deleted, unless it holds an anchor another rule may use.
fn delete(
    cx: &DocCtx<'_>,
    policy: &Policy,
    rule: &crate::model::policy::Rule,
) -> Option<Vec<crate::fix::Edit>> {
    let written = cx.file.text.get(rule.span.start..rule.span.end)?;
    if written.contains('&') {
        return None;
    }
    editor(cx, policy)?.remove_item(rule.span).map(|e| vec![e])
}
