//! AL213: a body level (`Request`, `RequestResponse`) that records nothing more than
//! `Metadata`: on a rule that matches only non-resource URLs, or in a policy loaded by an
//! apiserver writing `--audit-log-format=legacy` (one text line per event, no bodies).

use super::edit::{editor, set_level};
use super::resolve::resolve;
use crate::catalog::Code;
use crate::cluster::ClusterIndex;
use crate::config::Config;
use crate::context::DocCtx;
use crate::finding::Finding;
use crate::fix::Safety;
use crate::model::policy::{Level, Policy};

pub fn check(cx: &mut DocCtx<'_>, policy: &Policy) {
    for rule in &policy.rules {
        let Some(level) = rule.level().filter(|l| l.has_body()) else {
            continue;
        };
        if !rule.is_non_resource_rule() {
            continue;
        }
        cx.report(
            cx.finding(Code::AL213, rule.anchor())
                .message(format!(
                    "rule {} is `level: {}` but matches only non-resource URLs, for which the apiserver never records bodies: it logs exactly what `Metadata` logs",
                    rule.number(),
                    level.as_str()
                ))
                .label("no body is recorded for non-resource URLs")
                .help("write `level: Metadata` to say what is logged")
                // Safe: the apiserver logs the same at `Metadata`.
                .fix_with(
                    Safety::Safe,
                    editor(cx, policy)
                        .and_then(|e| set_level(&e, rule, Level::Metadata))
                        .map(|e| vec![e]),
                ),
        );
    }
}

/// Policies loaded by an apiserver with `--audit-log-format=legacy`, reported once per
/// Policy however many apiservers load it.
pub fn check_cluster(index: &ClusterIndex, config: &Config, out: &mut Vec<Finding>) {
    let mut seen: Vec<*const Policy> = Vec::new();
    for api in &index.apiservers {
        let Some(format) = api.log_format.as_ref().filter(|f| f.value == "legacy") else {
            continue;
        };
        let Ok(entry) = resolve(api, index, config) else {
            continue;
        };
        let Some(entry) = entry else { continue };
        let key = std::sync::Arc::as_ptr(&entry.policy);
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let body_rules: Vec<_> = entry
            .policy
            .rules
            .iter()
            .filter(|r| r.level().is_some_and(|l| l.has_body()))
            .collect();
        // Point at a rule not already reported for non-resource URLs, when there is one.
        let Some(first) = body_rules
            .iter()
            .find(|r| !r.is_non_resource_rule())
            .or(body_rules.first())
        else {
            continue;
        };
        let finding = Finding::new(Code::AL213, &entry.file, first.anchor())
            .message(format!(
                "rule {} asks for `{}`, but the apiserver that loads this policy writes `--audit-log-format=legacy`, one text line per event with no bodies: {} body-level rule{} log only metadata",
                first.number(),
                first.level_raw.as_ref().map_or("", |l| l.value.as_str()),
                body_rules.len(),
                if body_rules.len() == 1 { "" } else { "s" }
            ))
            .label("bodies are dropped by the legacy format")
            .related(&api.file, format.span, "the legacy log format is set here")
            .help("use `--audit-log-format=json` (the default) to record bodies, or lower these rules to `Metadata`")
            .template(entry.template.as_deref());
        out.push(finding);
    }
}
