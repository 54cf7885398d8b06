//! The apiserver's policy evaluation (`pkg/audit/policy/checker.go`), as a pure function:
//! rules are tried in order and the first match decides; no match means `None` with the
//! policy-level `omitStages`.

use std::collections::BTreeSet;

use super::{Level, Policy, Rule, Stage};

/// An authenticated identity. A request without one failed authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub groups: Vec<String>,
}

/// The resource attributes of a resource request (empty strings are absent values).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resource {
    pub group: String,
    pub resource: String,
    pub subresource: String,
    /// `""` for cluster-scoped objects and all-namespace list/watch.
    pub namespace: String,
    pub name: String,
}

/// What the audit policy sees of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `None`: authentication failed.
    pub user: Option<User>,
    /// A resource verb (`get`, `list`, `create` …) or, for non-resource requests, the
    /// lowercased HTTP method.
    pub verb: String,
    /// `Some` for resource requests.
    pub resource: Option<Resource>,
    /// The URL path of a non-resource request.
    pub path: Option<String>,
}

/// The outcome of evaluating a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The index of the deciding rule; `None` when no rule matched.
    pub rule: Option<usize>,
    pub level: Level,
    pub omit_stages: BTreeSet<Stage>,
}

impl Decision {
    /// Whether an event is produced at `stage`.
    pub fn logs_stage(&self, stage: Stage) -> bool {
        self.level > Level::None && !self.omit_stages.contains(&stage)
    }

    /// The level actually recorded: a rule that omits every stage records nothing.
    pub fn effective_level(&self) -> Level {
        if Stage::ALL.iter().all(|s| self.omit_stages.contains(s)) {
            Level::None
        } else {
            self.level
        }
    }
}

/// Evaluates `request` against `policy`. `version` is the targeted Kubernetes version
/// (`None`: the newest behaviour). A rule whose level is not valid is treated as `None`
/// (the apiserver would not have loaded such a policy at all).
pub fn evaluate(policy: &Policy, request: &Request, version: Option<(u32, u32)>) -> Decision {
    for rule in &policy.rules {
        if rule_matches(rule, request, version) {
            return Decision {
                rule: Some(rule.index),
                level: rule.level().unwrap_or(Level::None),
                omit_stages: policy.rule_stages(rule),
            };
        }
    }
    Decision {
        rule: None,
        level: Level::None,
        omit_stages: policy.policy_stages(),
    }
}

/// Whether `*` as a group matches every group: since 1.36 (before, it fails validation).
pub fn group_wildcard(version: Option<(u32, u32)>) -> bool {
    version.is_none_or(|v| v >= (1, 36))
}

/// `ruleMatches`: users, groups and verbs first, then the resource or non-resource matcher.
pub fn rule_matches(rule: &Rule, request: &Request, version: Option<(u32, u32)>) -> bool {
    if !rule.users.is_empty() {
        let Some(user) = &request.user else {
            return false;
        };
        if !rule.users.iter().any(|u| u.value == user.name) {
            return false;
        }
    }
    if !rule.user_groups.is_empty() {
        let Some(user) = &request.user else {
            return false;
        };
        if !rule
            .user_groups
            .iter()
            .any(|g| user.groups.contains(&g.value))
        {
            return false;
        }
    }
    if !rule.verbs.is_empty() && !rule.verbs.iter().any(|v| v.value == request.verb) {
        return false;
    }
    if rule.is_resource_rule() {
        return matches_resource(rule, request, version);
    }
    if !rule.non_resource_urls.is_empty() {
        return match (&request.resource, &request.path) {
            (Some(_), _) => false,
            (None, path) => {
                let path = path.as_deref().unwrap_or("");
                rule.non_resource_urls
                    .iter()
                    .any(|spec| path_matches(&spec.value, path))
            }
        };
    }
    true
}

/// `ruleMatchesResource`.
fn matches_resource(rule: &Rule, request: &Request, version: Option<(u32, u32)>) -> bool {
    let Some(attrs) = &request.resource else {
        return false;
    };
    if !rule.namespaces.is_empty() && !rule.namespaces.iter().any(|n| n.value == attrs.namespace) {
        return false;
    }
    if rule.resources.is_empty() {
        return true;
    }
    let combined = if attrs.subresource.is_empty() {
        attrs.resource.clone()
    } else {
        format!("{}/{}", attrs.resource, attrs.subresource)
    };
    let wildcard_group = group_wildcard(version);
    rule.resources.iter().any(|gr| {
        let group = gr.group();
        if group != attrs.group && !(wildcard_group && group == "*") {
            return false;
        }
        if gr.resources.is_empty() {
            return true;
        }
        gr.resources.iter().any(|r| {
            if !gr.resource_names.is_empty()
                && !gr.resource_names.iter().any(|n| n.value == attrs.name)
            {
                return false;
            }
            resource_matches(&r.value, attrs, &combined)
        })
    })
}

/// One `resources[]` string against a request's resource and subresource.
pub fn resource_matches(pattern: &str, attrs: &super::matcher::Resource, combined: &str) -> bool {
    if pattern == combined || pattern == "*" {
        return true;
    }
    if let Some(sub) = pattern.strip_prefix("*/") {
        if !attrs.subresource.is_empty() && sub == attrs.subresource {
            return true;
        }
    }
    // `R/*` matches R's subresources and, because only the resource is compared, R itself.
    if let Some(res) = pattern.strip_suffix("/*") {
        if res == attrs.resource {
            return true;
        }
    }
    false
}

/// `pathMatches`: `*`, an exact path, or a raw string prefix when the spec ends in `*`.
pub fn path_matches(spec: &str, path: &str) -> bool {
    if spec == "*" || spec == path {
        return true;
    }
    match spec.strip_suffix('*') {
        Some(_) => path.starts_with(spec.trim_end_matches('*')),
        None => false,
    }
}

impl Request {
    /// A resource request by `user` (or failed authentication when `None`).
    pub fn resource(user: Option<User>, verb: &str, attrs: Resource) -> Request {
        Request {
            user,
            verb: verb.to_owned(),
            resource: Some(attrs),
            path: None,
        }
    }

    /// A non-resource request: `verb` is the lowercased HTTP method.
    pub fn non_resource(user: Option<User>, verb: &str, path: &str) -> Request {
        Request {
            user,
            verb: verb.to_owned(),
            resource: None,
            path: Some(path.to_owned()),
        }
    }

    /// How a message names the request: "`create secrets` in `default` by `alice`".
    pub fn describe(&self) -> String {
        let who = match &self.user {
            Some(u) => format!("by `{}`", u.name),
            None => "with failed authentication (no user)".to_owned(),
        };
        match (&self.resource, &self.path) {
            (Some(r), _) => {
                let mut what = r.resource.clone();
                if !r.subresource.is_empty() {
                    what = format!("{what}/{}", r.subresource);
                }
                let group = if r.group.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", r.group)
                };
                let name = if r.name.is_empty() {
                    String::new()
                } else {
                    format!(" {}", r.name)
                };
                let place = if !r.namespace.is_empty() {
                    format!(" in `{}`", r.namespace)
                } else if matches!(self.verb.as_str(), "list" | "watch" | "deletecollection") {
                    " in all namespaces".to_owned()
                } else {
                    String::new()
                };
                format!("`{} {what}{name}`{group}{place} {who}", self.verb)
            }
            (None, path) => format!(
                "`{} {}` {who}",
                self.verb.to_uppercase(),
                path.as_deref().unwrap_or("")
            ),
        }
    }
}
