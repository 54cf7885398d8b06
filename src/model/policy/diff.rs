//! What changes between two policies: every class of requests whose recorded level or
//! omitted stages differ, with one witness request and the deciding rule on each side.
//! Candidates come from [`space::candidates`] over both policies, so a change is found even
//! for requests no probe names.

use std::collections::{BTreeMap, BTreeSet};

use super::matcher::{evaluate, Decision, Request};
use super::{space, Level, Policy, Stage};

/// What a request's events look like: the level recorded and the stages that produce one.
/// Two decisions that record the same are the same, whichever rule made them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Outcome {
    pub level: Level,
    pub stages: BTreeSet<Stage>,
}

impl Outcome {
    pub fn of(d: &Decision) -> Outcome {
        let level = d.effective_level();
        let stages = if level == Level::None {
            BTreeSet::new()
        } else {
            Stage::ALL
                .into_iter()
                .filter(|s| d.logs_stage(*s))
                .collect()
        };
        Outcome { level, stages }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Less is recorded (a lower level or a stage no longer logged), and nothing more.
    Decrease,
    /// More is recorded, and nothing less.
    Increase,
    /// Less in one respect, more in another (e.g. a higher level, one stage fewer).
    Mixed,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Decrease => "decrease",
            Change::Increase => "increase",
            Change::Mixed => "mixed",
        }
    }

    /// Some request is recorded less than before.
    pub fn loses(self) -> bool {
        matches!(self, Change::Decrease | Change::Mixed)
    }

    fn between(old: &Outcome, new: &Outcome) -> Change {
        let less = new.level < old.level || old.stages.iter().any(|s| !new.stages.contains(s));
        let more = new.level > old.level || new.stages.iter().any(|s| !old.stages.contains(s));
        match (less, more) {
            (true, false) => Change::Decrease,
            (false, true) => Change::Increase,
            _ => Change::Mixed,
        }
    }
}

/// A class of requests the two policies treat differently: same deciding rule on each side,
/// same outcome on each side.
#[derive(Debug, Clone)]
pub struct Class {
    pub change: Change,
    /// The first request of the class (a probe request when one falls in it).
    pub witness: Request,
    pub old: Decision,
    pub new: Decision,
    /// How many candidate requests fall in the class.
    pub requests: usize,
    pub verbs: BTreeSet<String>,
    /// `resource[/sub][.group]`, or the URL path of non-resource requests.
    pub targets: BTreeSet<String>,
    /// Namespaces (`""`: cluster-scoped or all namespaces); empty for non-resource requests.
    pub namespaces: BTreeSet<String>,
}

/// Every class of requests `old` and `new` record differently, most severe first.
pub fn diff(old: &Policy, new: &Policy, version: Option<(u32, u32)>) -> Vec<Class> {
    let mut classes: Vec<Class> = Vec::new();
    let mut index: BTreeMap<(Option<usize>, Option<usize>, Outcome, Outcome), usize> =
        BTreeMap::new();
    for request in space::candidates(&[old, new]) {
        let (a, b) = (
            evaluate(old, &request, version),
            evaluate(new, &request, version),
        );
        let (oa, ob) = (Outcome::of(&a), Outcome::of(&b));
        if oa == ob {
            continue;
        }
        let key = (a.rule, b.rule, oa.clone(), ob.clone());
        let i = *index.entry(key).or_insert_with(|| {
            classes.push(Class {
                change: Change::between(&oa, &ob),
                witness: request.clone(),
                old: a,
                new: b,
                requests: 0,
                verbs: BTreeSet::new(),
                targets: BTreeSet::new(),
                namespaces: BTreeSet::new(),
            });
            classes.len() - 1
        });
        let class = &mut classes[i];
        class.requests += 1;
        class.verbs.insert(request.verb.clone());
        match (&request.resource, &request.path) {
            (Some(r), _) => {
                class.targets.insert(target(r));
                class.namespaces.insert(r.namespace.clone());
            }
            (None, path) => {
                class.targets.insert(path.clone().unwrap_or_default());
            }
        }
    }
    classes.sort_by_key(|c| (!c.change.loses(), c.old.rule, c.new.rule));
    classes
}

/// `pods/exec`, `deployments.apps`.
pub fn target(r: &super::matcher::Resource) -> String {
    let mut t = r.resource.clone();
    if !r.subresource.is_empty() {
        t = format!("{t}/{}", r.subresource);
    }
    if !r.group.is_empty() {
        t = format!("{t}.{}", r.group);
    }
    t
}
