//! AL208: a sensitive request (Secrets, TokenRequests, TokenReviews) is logged with a body, so
//! the audit log holds the secret or the token. AL215: the same for ConfigMaps, which hold
//! credentials only by mistake — a deliberate "log every body" profile that carves out Secrets
//! (OpenShift's AllRequestBodies) is a choice to review, not a leak of the same order.

use std::collections::BTreeMap;

use super::edit::{editor, newly_dead, set_level, NewRule};
use super::{more, Analysis};
use crate::catalog::Code;
use crate::context::DocCtx;
use crate::fix::{Edit, Safety};
use crate::model::policy::matcher::Request;
use crate::model::policy::probes::Purpose;
use crate::model::policy::subsume::covers;
use crate::model::policy::{Level, Policy};

/// The rule the fix places before the one that logs the bodies (as the help shows it).
const GUARD: NewRule = NewRule {
    level: Level::Metadata,
    resources: &[
        ("", &["secrets", "configmaps", "serviceaccounts/token"]),
        ("authentication.k8s.io", &["tokenreviews"]),
    ],
};

/// For AL215 alone: ConfigMaps.
const CONFIGMAP_GUARD: NewRule = NewRule {
    level: Level::Metadata,
    resources: &[("", &["configmaps"])],
};

pub fn check(cx: &mut DocCtx<'_>, policy: &Policy, analysis: &Analysis) {
    let mut leaks: BTreeMap<(Code, usize), Vec<usize>> = BTreeMap::new();
    for (i, (probe, decision)) in analysis.iter().enumerate() {
        let (Purpose::Sensitive { leak }, Some(rule)) = (probe.purpose, decision.rule) else {
            continue;
        };
        if decision.effective_level() >= leak {
            leaks
                .entry((code(&probe.request), rule))
                .or_default()
                .push(i);
        }
    }
    let fixes_al208: Vec<usize> = leaks
        .keys()
        .filter(|(c, _)| *c == Code::AL208)
        .map(|&(_, i)| i)
        .collect();
    for ((code, index), probes) in leaks {
        let rule = &policy.rules[index];
        let new_rule = match code {
            Code::AL215 => &CONFIGMAP_GUARD,
            _ => &GUARD,
        };
        // Fixing AL208 on a rule fixes its AL215 too (the guard covers ConfigMaps).
        let fix = match code {
            Code::AL215 if fixes_al208.contains(&index) => None,
            _ => guard(cx, policy, index, new_rule),
        };
        let (witness, decision) = analysis.get(probes[0]);
        let level = decision.level;
        let finding = cx
            .finding(code, rule.anchor())
            .message(format!(
                "{} is logged at {} by rule {}: {}{}",
                witness.request.describe(),
                level.as_str(),
                rule.number(),
                why(&witness.request, level),
                more(analysis, &probes)
            ))
            .label(format!("logs {} bodies", what(&witness.request)))
            .help(format!(
                "log these at `Metadata` in a rule placed before rule {}:\n{}",
                rule.number(),
                new_rule.value().as_item()
            ))
            .fix_with(Safety::Safe, fix);
        cx.report(finding);
    }
}

/// The guard rule inserted before rule `index`; or, when the guard would match every request
/// that rule matches (it is about these resources only), its level lowered to `Metadata`,
/// which is the same and leaves no dead rule. No fix when the guard would make a later rule
/// dead (AL209).
fn guard(cx: &DocCtx<'_>, policy: &Policy, index: usize, guard: &NewRule) -> Option<Vec<Edit>> {
    let editor = editor(cx, policy)?;
    let version = cx.config.version();
    let model = guard.model();
    let rule = &policy.rules[index];
    if covers(&model, rule, version) {
        return set_level(&editor, rule, Level::Metadata).map(|e| vec![e]);
    }
    if newly_dead(cx, policy, index, &model) {
        return None;
    }
    editor
        .item_before(rule.span, &guard.value())
        .map(|e| vec![e])
}

/// AL215 for ConfigMaps, AL208 for everything that carries a secret or a token by design.
fn code(request: &Request) -> Code {
    match &request.resource {
        Some(r) if r.resource == "configmaps" && r.subresource.is_empty() => Code::AL215,
        _ => Code::AL208,
    }
}

fn what(request: &Request) -> String {
    match &request.resource {
        Some(r) if !r.subresource.is_empty() => format!("{}/{}", r.resource, r.subresource),
        Some(r) => r.resource.clone(),
        None => "request".to_owned(),
    }
}

fn why(request: &Request, level: Level) -> &'static str {
    let resource = request
        .resource
        .as_ref()
        .map_or("", |r| r.resource.as_str());
    let sub = request
        .resource
        .as_ref()
        .is_some_and(|r| !r.subresource.is_empty());
    let body_verb = matches!(request.verb.as_str(), "create" | "update" | "patch");
    match (resource, sub, level == Level::RequestResponse && !body_verb) {
        ("serviceaccounts", true, _) => "the response carries the issued bearer token",
        ("tokenreviews", _, false) => "the request body carries the bearer token under review",
        ("tokenreviews", _, true) => "the response carries the reviewed token",
        ("secrets", _, false) => "the request body carries the Secret's data",
        ("configmaps", _, false) => {
            "the request body carries the ConfigMap's data, often credentials"
        }
        ("secrets", _, true) => "the response body carries the Secret's data",
        (_, _, true) => "the response body carries the object's data, often credentials",
        _ => "the request body carries the object's data, often credentials",
    }
}
