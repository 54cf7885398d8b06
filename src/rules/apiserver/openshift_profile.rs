//! OpenShift's cluster `APIServer` (`config.openshift.io/v1`): `spec.audit.profile` picks the
//! policy the operators write for every apiserver, and `spec.audit.customRules` picks one per
//! user group (`openshift/api` `config/v1/types_apiserver.go`, `AuditProfileType`). The
//! policies are in `openshift/library-go` `pkg/operator/apiserver/audit/manifests/`.
//!
//! - `None` logs nothing (AL101; for one group in `customRules`, AL206).
//! - `WriteRequestBodies` and `AllRequestBodies` log request and response bodies (of writes,
//!   or of everything); the only resources they keep at `Metadata` are `secrets`,
//!   `route.openshift.io` `routes` and `oauth.openshift.io` `oauthclients`
//!   (`writerequestbodies-rules.yaml`, `allrequestbodies-rules.yaml`). TokenReviews (the
//!   token under review) and TokenRequests (the issued token) are creates, so both profiles
//!   write those tokens into the audit log (AL208).

use crate::context::DocCtx;
use crate::model::is_object;
use crate::yaml::Node;

pub fn check(cx: &mut DocCtx<'_>) {
    if !is_object(cx.root, "APIServer", "config.openshift.io") {
        return;
    }
    let Some(audit) = cx.root.path(&["spec", "audit"]) else {
        // No `audit`: the `Default` profile (metadata for every request).
        return;
    };
    if let Some(profile) = audit.get("profile") {
        check_profile(cx, profile, None);
    }
    for rule in audit.get("customRules").into_iter().flat_map(|r| r.items()) {
        if let Some(profile) = rule.get("profile") {
            check_profile(cx, profile, rule.get_str("group"));
        }
    }
}

fn check_profile(cx: &mut DocCtx<'_>, profile: Node<'_>, group: Option<&str>) {
    let Some(name) = profile.str() else { return };
    let whom = group.map_or("any request".to_owned(), |g| {
        format!("requests from users in group `{g}`")
    });
    let finding = match name {
        "None" => {
            let code = if group.is_some() { "AL206" } else { "AL101" };
            cx.finding(code, profile.span())
                .message(format!("the OpenShift audit profile `None` turns auditing off: no apiserver of the cluster records {whom}, so nobody can tell afterwards who did what"))
                .label("auditing off")
                .help("use `profile: Default` (metadata of every request), or `WriteRequestBodies` where write payloads must be kept")
        }
        "WriteRequestBodies" | "AllRequestBodies" => {
            let what = if name == "AllRequestBodies" {
                "every request"
            } else {
                "every write request"
            };
            let from = group.map_or(String::new(), |g| format!(" from users in group `{g}`"));
            cx.finding("AL208", profile.span())
                .message(format!("the OpenShift audit profile `{name}` logs the request and response bodies of {what}{from}, keeping only Secrets, Routes and OAuthClients at metadata level: TokenReview bodies (the token under review) and TokenRequest responses (the issued service account token) are written into the audit log"))
                .label("logs token bodies")
                .help("use `profile: Default`, or keep the body profile only for the user groups that need it (`customRules`) and protect the audit log as a credential store")
        }
        _ => return,
    };
    cx.report(finding);
}
