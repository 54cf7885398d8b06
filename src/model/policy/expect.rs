//! Policy tests: a YAML file of expectations, each a request and the level (and optionally
//! the omitted stages) the policy must give it. `auditlint policy test` runs them, and
//! `check` does when `.auditlint.yaml` lists the file under `policy-tests`.
//!
//! ```yaml
//! policy: audit-policy.yaml        # relative to this file
//! tests:
//! - name: exec into kube-system is recorded with bodies
//!   request: {user: alice, groups: [system:authenticated], verb: create,
//!             resource: pods, subresource: exec, namespace: kube-system, name: web}
//!   expect: {level: RequestResponse, omitStages: [RequestReceived]}
//! ```

use std::collections::BTreeSet;

use super::matcher::{evaluate, Decision, Request, Resource, User};
use super::{Level, Policy, Stage};
use crate::yaml::{parse_all, Item, Node, Span};

/// One expectation.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: Option<String>,
    pub request: Request,
    pub level: Level,
    /// `None`: the stages are not checked.
    pub omit_stages: Option<BTreeSet<Stage>>,
    /// The `expect` mapping (where a failure points).
    pub span: Span,
}

/// A test file read: its `policy` (as written, with its span) and its cases.
#[derive(Debug, Default)]
pub struct Suite {
    pub policy: Option<(String, Span)>,
    pub cases: Vec<Case>,
    /// What could not be read: (where, why). Such cases are not run.
    pub errors: Vec<(Span, String)>,
}

/// A case the policy does not meet, with what the policy decides.
#[derive(Debug, Clone)]
pub struct Failure {
    pub case: Case,
    pub decision: Decision,
}

const REQUEST_KEYS: &[&str] = &[
    "user",
    "groups",
    "verb",
    "apiGroup",
    "resource",
    "subresource",
    "namespace",
    "name",
    "path",
];

/// Reads a test file.
pub fn read(text: &str) -> Suite {
    let mut suite = Suite::default();
    let (items, _) = parse_all(text);
    let root = items.iter().find_map(|i| match i {
        Item::Document(d) => d.root(),
        Item::Error(_) => None,
    });
    let Some(root) = root.filter(|r| r.is_map()) else {
        suite.errors.push((
            Span::point(0),
            "a policy test file is a mapping with `tests:` (and optionally `policy:`)".into(),
        ));
        return suite;
    };
    if let Some(p) = root.get("policy") {
        match p.str() {
            Some(s) => suite.policy = Some((s.to_owned(), p.span())),
            None => suite
                .errors
                .push((p.span(), "`policy` is the path of a policy file".into())),
        }
    }
    let Some(tests) = root.get("tests").filter(|t| t.is_seq()) else {
        suite
            .errors
            .push((root.span(), "`tests` must be a list of expectations".into()));
        return suite;
    };
    for t in tests.items() {
        match case(t) {
            Ok(c) => suite.cases.push(c),
            Err(e) => suite.errors.push(e),
        }
    }
    suite
}

fn case(node: Node<'_>) -> Result<Case, (Span, String)> {
    let req = node
        .get("request")
        .filter(|r| r.is_map())
        .ok_or((node.span(), "a test needs a `request` mapping".to_owned()))?;
    for (k, _) in req.entries() {
        let key = k.str().unwrap_or("");
        if !REQUEST_KEYS.contains(&key) {
            return Err((
                k.span(),
                format!(
                    "unknown request field `{key}`; the fields are {}",
                    REQUEST_KEYS.join(", ")
                ),
            ));
        }
    }
    let text = |k: &str| req.get(k).and_then(|n| n.str()).unwrap_or("").to_owned();
    let verb = text("verb");
    if verb.is_empty() {
        return Err((req.span(), "the request needs a `verb`".into()));
    }
    let user = req.get("user").and_then(|n| n.str()).map(|name| User {
        name: name.to_owned(),
        groups: req
            .get("groups")
            .map(|g| {
                g.items()
                    .filter_map(|i| i.str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    });
    let resource = text("resource");
    let path = text("path");
    let request = match (resource.is_empty(), path.is_empty()) {
        (false, true) => {
            let (res, sub) = match resource.split_once('/') {
                Some((r, s)) => (r.to_owned(), s.to_owned()),
                None => (resource.clone(), text("subresource")),
            };
            Request::resource(
                user,
                &verb,
                Resource {
                    group: text("apiGroup"),
                    resource: res,
                    subresource: sub,
                    namespace: text("namespace"),
                    name: text("name"),
                },
            )
        }
        (true, false) => Request::non_resource(user, &verb, &path),
        _ => {
            return Err((
                req.span(),
                "the request needs either a `resource` or a non-resource `path`".into(),
            ))
        }
    };
    let expect = node
        .get("expect")
        .filter(|e| e.is_map())
        .ok_or((node.span(), "a test needs an `expect` mapping".to_owned()))?;
    let level_node = expect
        .get("level")
        .ok_or((expect.span(), "`expect` needs a `level`".to_owned()))?;
    let level = level_node.str().and_then(Level::parse).ok_or((
        level_node.span(),
        "`level` is one of None, Metadata, Request, RequestResponse".to_owned(),
    ))?;
    let omit_stages = match expect.get("omitStages") {
        None => None,
        Some(list) => {
            let mut stages = BTreeSet::new();
            for item in list.items() {
                let stage = item.str().and_then(Stage::parse).ok_or((
                    item.span(),
                    "stages are RequestReceived, ResponseStarted, ResponseComplete, Panic"
                        .to_owned(),
                ))?;
                stages.insert(stage);
            }
            Some(stages)
        }
    };
    Ok(Case {
        name: node.get("name").and_then(|n| n.str()).map(str::to_owned),
        request,
        level,
        omit_stages,
        span: expect.span(),
    })
}

/// The cases `policy` does not meet.
pub fn run(policy: &Policy, cases: &[Case], version: Option<(u32, u32)>) -> Vec<Failure> {
    cases
        .iter()
        .filter_map(|case| {
            let decision = evaluate(policy, &case.request, version);
            let stages_ok = case
                .omit_stages
                .as_ref()
                .is_none_or(|s| *s == decision.omit_stages);
            (decision.level != case.level || !stages_ok).then(|| Failure {
                case: case.clone(),
                decision,
            })
        })
        .collect()
}

impl Failure {
    /// "expected RequestResponse, got None (rule 2)".
    pub fn message(&self) -> String {
        let expected = expectation(self.case.level, self.case.omit_stages.as_ref());
        let got = expectation(self.decision.level, Some(&self.decision.omit_stages));
        let by = match self.decision.rule {
            Some(i) => format!("rule {} decides", i + 1),
            None => "no rule matches".to_owned(),
        };
        format!(
            "{}{}: expected {expected}, but the policy gives {got} ({by})",
            self.case
                .name
                .as_ref()
                .map(|n| format!("`{n}`: "))
                .unwrap_or_default(),
            self.case.request.describe()
        )
    }
}

fn expectation(level: Level, stages: Option<&BTreeSet<Stage>>) -> String {
    match stages {
        // Nothing is recorded at any stage.
        _ if level == Level::None => level.as_str().to_owned(),
        Some(s) if !s.is_empty() => format!(
            "{} omitting {}",
            level.as_str(),
            s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        ),
        Some(_) => format!("{} omitting no stage", level.as_str()),
        None => level.as_str().to_owned(),
    }
}
