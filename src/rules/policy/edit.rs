//! Edits of a Policy for the AL2xx fixes: an [`Editor`] in the Policy's own layout (an
//! embedded Policy may be indented differently from its ConfigMap), and new rules built
//! both as text to insert and as the model rule they become, so that a fix can be checked
//! against the rules around it (a new rule must not shadow a later one: AL209).

use crate::context::DocCtx;
use crate::fix::{Edit, Editor, Value};
use crate::model::policy::subsume::covers;
use crate::model::policy::{GroupResources, Level, Located, Policy, Rule, Stage};
use crate::yaml::Span;

/// `None` when the Policy is a string whose spans could not be mapped into the file (every
/// node then has the span of the whole string, and no edit could be placed), or a one-line
/// double-quoted string, where the `"` of an inserted `group: ""` would end the string.
pub fn editor<'a>(cx: &'a DocCtx<'_>, policy: &Policy) -> Option<Editor<'a>> {
    let mapped = policy.rules.iter().all(|r| r.span != policy.span);
    let text = &cx.file.text;
    let quoted = text
        .get(..policy.span.start)
        .is_some_and(|t| t.ends_with('"'));
    (mapped && !quoted).then(|| Editor::within(text, policy.span))
}

/// A rule to insert: a level and `resources` (group, resources) pairs, nothing else.
pub struct NewRule {
    pub level: Level,
    pub resources: &'static [(&'static str, &'static [&'static str])],
}

impl NewRule {
    pub fn value(&self) -> Value {
        let mut entries = vec![("level", Value::scalar(self.level.as_str()))];
        if !self.resources.is_empty() {
            let resources = self.resources.iter().map(|(group, names)| {
                let group = if group.is_empty() { "\"\"" } else { group };
                Value::map([
                    ("group", Value::scalar(group)),
                    ("resources", Value::list(names.iter().copied())),
                ])
            });
            entries.push(("resources", Value::Seq(resources.collect())));
        }
        Value::map(entries)
    }

    pub fn model(&self) -> Rule {
        let at = |value: &str| Located {
            value: value.to_owned(),
            span: Span::default(),
        };
        Rule {
            index: 0,
            span: Span::default(),
            level_raw: Some(at(self.level.as_str())),
            users: Vec::new(),
            user_groups: Vec::new(),
            verbs: Vec::new(),
            verbs_span: None,
            resources: self
                .resources
                .iter()
                .map(|(group, names)| GroupResources {
                    span: Span::default(),
                    group: Some(at(group)),
                    resources: names.iter().map(|n| at(n)).collect(),
                    resource_names: Vec::new(),
                })
                .collect(),
            namespaces: Vec::new(),
            non_resource_urls: Vec::new(),
            omit_stages: Vec::new(),
            omit_stages_span: None,
            omit_managed_fields: None,
            undecodable: None,
        }
    }
}

/// `level: LEVEL` for `rule`, when its level is written in the rule itself.
pub fn set_level(editor: &Editor<'_>, rule: &Rule, level: Level) -> Option<Edit> {
    let written = rule.level_raw.as_ref()?.span;
    (rule.anchor() == written)
        .then(|| editor.replace_scalar(written, level.as_str()))
        .flatten()
}

/// Whether `rule`, written just before rule `from` (a new rule, or a rewrite of rule
/// `from - 1`), would hide rule `from` or a later one that nothing hides now: a new AL209.
pub fn newly_dead(cx: &DocCtx<'_>, policy: &Policy, from: usize, rule: &Rule) -> bool {
    let version = cx.config.version();
    policy.rules.iter().skip(from).any(|later| {
        covers(rule, later, version)
            && !policy.rules[..later.index]
                .iter()
                .any(|e| covers(e, later, version))
    })
}

/// A catch-all `- level: Metadata` after the last rule, omitting `RequestReceived` unless the
/// policy omits it already. Being last, it hides no rule.
pub fn append_catch_all(editor: &Editor<'_>, policy: &Policy) -> Option<Edit> {
    let mut catch_all = vec![("level", Value::scalar(Level::Metadata.as_str()))];
    if !policy.policy_stages().contains(&Stage::RequestReceived) {
        catch_all.push(("omitStages", Value::list([Stage::RequestReceived.as_str()])));
    }
    editor.item_after(policy.rules.last()?.span, &Value::map(catch_all))
}
