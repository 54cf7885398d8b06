//! The audit Policy model: what a `audit.k8s.io` `Policy` says, with the span of every value,
//! read the way the apiserver decodes it (unknown fields dropped, empty lists mean "all").
//! [`matcher`] evaluates requests against it exactly as the apiserver does; [`probes`] holds
//! the representative requests the AL2xx rules ask about; [`subsume`] proves shadowing.

pub mod builtin;
pub mod diff;
#[cfg(test)]
mod diff_tests;
pub mod expect;
pub mod matcher;
pub mod probes;
mod read;
pub mod space;
pub mod subsume;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::source::SourceFile;
use crate::yaml::Span;

pub use crate::model::apiserver::Located;
pub use read::{is_policy, read, Found};

/// Audit levels, in increasing order of what is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    None,
    Metadata,
    Request,
    RequestResponse,
}

impl Level {
    /// The level named exactly (the apiserver's enum is case-sensitive).
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "None" => Level::None,
            "Metadata" => Level::Metadata,
            "Request" => Level::Request,
            "RequestResponse" => Level::RequestResponse,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "None",
            Level::Metadata => "Metadata",
            Level::Request => "Request",
            Level::RequestResponse => "RequestResponse",
        }
    }

    /// Whether bodies are recorded (for resource requests).
    pub fn has_body(self) -> bool {
        self >= Level::Request
    }
}

/// Event stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    RequestReceived,
    ResponseStarted,
    ResponseComplete,
    Panic,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::RequestReceived,
        Stage::ResponseStarted,
        Stage::ResponseComplete,
        Stage::Panic,
    ];

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::RequestReceived => "RequestReceived",
            Stage::ResponseStarted => "ResponseStarted",
            Stage::ResponseComplete => "ResponseComplete",
            Stage::Panic => "Panic",
        }
    }
}

/// One Policy document.
#[derive(Debug, Clone)]
pub struct Policy {
    pub api_version: Option<Located>,
    /// The whole Policy (the document, or the string that holds it).
    pub span: Span,
    /// The `rules` key, when written.
    pub rules_key: Option<Span>,
    /// Where a new last rule would go: just after the last rule (or after `rules:`).
    pub rules_end: Span,
    /// The policy-level `omitStages` list node, when written.
    pub omit_stages_span: Option<Span>,
    pub omit_stages: Vec<Located>,
    pub omit_managed_fields: Option<bool>,
    pub rules: Vec<Rule>,
}

/// One element of `rules`. List fields hold what was written; an empty list means "every".
#[derive(Debug, Clone)]
pub struct Rule {
    /// Position in `rules` (0-based; messages say `rule {index + 1}`).
    pub index: usize,
    /// The whole rule mapping.
    pub span: Span,
    /// `level` as written; see [`Rule::level`].
    pub level_raw: Option<Located>,
    pub users: Vec<Located>,
    pub user_groups: Vec<Located>,
    pub verbs: Vec<Located>,
    /// The `verbs` list node (for pointing at the whole list).
    pub verbs_span: Option<Span>,
    pub resources: Vec<GroupResources>,
    pub namespaces: Vec<Located>,
    pub non_resource_urls: Vec<Located>,
    pub omit_stages: Vec<Located>,
    pub omit_stages_span: Option<Span>,
    pub omit_managed_fields: Option<bool>,
    /// The first selector written with a value of the wrong type (a `${TEMPLATE}` string
    /// where a list belongs): the apiserver cannot decode it (AL203). The model reads it as
    /// absent, which can only widen the rule, so what such a rule matches is unknown; rule
    /// analysis draws no conclusion from it.
    pub undecodable: Option<Span>,
}

/// One element of a rule's `resources`.
#[derive(Debug, Clone)]
pub struct GroupResources {
    pub span: Span,
    /// `group` as written; absent means `""`, the core group.
    pub group: Option<Located>,
    pub resources: Vec<Located>,
    pub resource_names: Vec<Located>,
}

impl GroupResources {
    pub fn group(&self) -> &str {
        self.group.as_ref().map_or("", |g| g.value.as_str())
    }
}

impl Rule {
    /// The level, when it is one the apiserver accepts.
    pub fn level(&self) -> Option<Level> {
        Level::parse(&self.level_raw.as_ref()?.value)
    }

    /// Where findings about this rule point: its level, or the rule itself (also when the
    /// rule is a YAML alias, whose level is written elsewhere).
    pub fn anchor(&self) -> Span {
        self.level_raw
            .as_ref()
            .map(|l| l.span)
            .filter(|l| l.start >= self.span.start && l.end <= self.span.end)
            .unwrap_or(self.span)
    }

    /// From the rule's first written value to its last, without the comments and blank
    /// lines that YAML attaches to the end of a block mapping.
    pub fn extent(&self) -> Span {
        let mut spans: Vec<Span> = Vec::new();
        spans.extend(self.level_raw.iter().map(|l| l.span));
        for list in [
            &self.users,
            &self.user_groups,
            &self.verbs,
            &self.namespaces,
            &self.non_resource_urls,
            &self.omit_stages,
        ] {
            spans.extend(list.iter().map(|l| l.span));
        }
        for gr in &self.resources {
            spans.extend(gr.group.iter().map(|g| g.span));
            spans.extend(gr.resources.iter().map(|r| r.span));
            spans.extend(gr.resource_names.iter().map(|r| r.span));
        }
        let start = spans
            .iter()
            .map(|s| s.start)
            .min()
            .unwrap_or(self.span.start);
        let end = spans.iter().map(|s| s.end).max().unwrap_or(self.span.end);
        Span::new(start.min(self.span.start), end)
    }

    /// 1-based, as people count rules.
    pub fn number(&self) -> usize {
        self.index + 1
    }

    /// A resource rule (namespaces or resources set): only resource requests can match.
    pub fn is_resource_rule(&self) -> bool {
        !self.namespaces.is_empty() || !self.resources.is_empty()
    }

    /// A non-resource rule: only non-resource requests can match.
    pub fn is_non_resource_rule(&self) -> bool {
        !self.is_resource_rule() && !self.non_resource_urls.is_empty()
    }

    /// No selector at all: it matches every request, authenticated or not.
    pub fn is_catch_all(&self) -> bool {
        self.undecodable.is_none()
            && self.users.is_empty()
            && self.user_groups.is_empty()
            && self.verbs.is_empty()
            && !self.is_resource_rule()
            && self.non_resource_urls.is_empty()
    }

    /// No user or group filter: failed authentications (no user) can match.
    pub fn user_independent(&self) -> bool {
        self.users.is_empty() && self.user_groups.is_empty()
    }
}

impl Policy {
    /// A policy with no rules: what a cluster without one records (nothing). `policy diff`
    /// compares with it when a file gains or loses its Policy.
    pub fn empty() -> Policy {
        Policy {
            api_version: None,
            span: Span::point(0),
            rules_key: None,
            rules_end: Span::point(0),
            omit_stages_span: None,
            omit_stages: Vec::new(),
            omit_managed_fields: None,
            rules: Vec::new(),
        }
    }

    /// Whether the outcome `decided_by` (a rule index, `None`: no rule matched) is known.
    /// A rule that could not be decoded is read as widely as it can be, so when it does not
    /// match it certainly does not; when it does, the request may fall through to a later
    /// rule, and the outcome is unknown.
    pub fn decision_known(&self, decided_by: Option<usize>) -> bool {
        decided_by.is_none_or(|i| self.rules[i].undecodable.is_none())
    }

    /// Policy-level stages (valid ones).
    pub fn policy_stages(&self) -> BTreeSet<Stage> {
        self.omit_stages
            .iter()
            .filter_map(|s| Stage::parse(&s.value))
            .collect()
    }

    /// The stages omitted when `rule` matches: the union of policy and rule stages.
    pub fn rule_stages(&self, rule: &Rule) -> BTreeSet<Stage> {
        let mut stages = self.policy_stages();
        stages.extend(
            rule.omit_stages
                .iter()
                .filter_map(|s| Stage::parse(&s.value)),
        );
        stages
    }

    /// Every rule has a level the apiserver accepts. When not, the apiserver refuses the
    /// policy (AL203 says why) and content analysis would only guess.
    pub fn levels_valid(&self) -> bool {
        self.rules.iter().all(|r| r.level().is_some())
    }
}

/// A scanned Policy, kept in the cluster index for cross-file rules.
#[derive(Debug, Clone)]
pub struct PolicyEntry {
    pub file: Arc<SourceFile>,
    /// The file's path as shown to users.
    pub path: String,
    /// Where the Policy is written on a host, when the document says so (a Cluster API
    /// `files[]` entry's `path`).
    pub host_path: Option<String>,
    /// The ConfigMap (name, key) that holds it, when it is held in one.
    pub config_map: Option<(String, String)>,
    pub template: Option<String>,
    pub policy: Arc<Policy>,
    /// The Policy document (or the string holding it).
    pub span: Span,
}
