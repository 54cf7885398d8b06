//! AL208: a sensitive request (Secrets, TokenRequests, TokenReviews) is logged with a body, so
//! the audit log holds the secret or the token. AL215: the same for ConfigMaps, which hold
//! credentials only by mistake — a deliberate "log every body" profile that carves out Secrets
//! (OpenShift's AllRequestBodies) is a choice to review, not a leak of the same order.

use std::collections::BTreeMap;

use super::{more, Analysis};
use crate::catalog::Code;
use crate::context::DocCtx;
use crate::model::policy::matcher::Request;
use crate::model::policy::probes::Purpose;
use crate::model::policy::{Level, Policy};

pub fn check(cx: &mut DocCtx<'_>, policy: &Policy, analysis: &Analysis) {
    let mut leaks: BTreeMap<(Code, usize), Vec<usize>> = BTreeMap::new();
    for (i, (probe, decision)) in analysis.results.iter().enumerate() {
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
    for ((code, index), probes) in leaks {
        let rule = &policy.rules[index];
        let (witness, decision) = &analysis.results[probes[0]];
        let level = decision.level;
        cx.report(
            cx.finding(code, rule.anchor())
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
                    if code == Code::AL215 {
                        "- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [configmaps]"
                    } else {
                        "- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [secrets, configmaps, serviceaccounts/token]\n  - group: authentication.k8s.io\n    resources: [tokenreviews]"
                    }
                )),
        );
    }
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
