//! The embedded JSON Schema of `audit.k8s.io/v1` Policy: type mismatches (fatal when the
//! apiserver decodes the policy) and unknown fields (dropped with only a log warning).
//! Each schema error is mapped back to the YAML node at its instance path.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::Validator;

use super::fields::{self, Ctx};
use super::suggest::nearest;
use super::Issue;
use crate::catalog::Code;
use crate::yaml::{Node, Span};

pub const SCHEMA: &str = include_str!("../../../../schemas/audit-policy-v1.json");

/// Nodes visited when converting a policy to JSON; a policy is a few hundred nodes, so only
/// an alias bomb reaches this, and then the schema pass is skipped.
const NODE_BUDGET: usize = 200_000;

/// A field the schema does not know, and where it probably belongs.
#[derive(Debug, Clone)]
pub struct Unknown {
    /// The JSON pointer of the object holding it (`/rules/3`).
    pub object: String,
    pub target: Option<(Ctx, &'static str)>,
}

#[derive(Debug, Default)]
pub struct SchemaResult {
    pub issues: Vec<super::Issue>,
    pub unknown: Vec<Unknown>,
}

pub fn validator() -> Option<&'static Validator> {
    static VALIDATOR: OnceLock<Option<Validator>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let schema: serde_json::Value = serde_json::from_str(SCHEMA).ok()?;
            jsonschema::validator_for(&schema).ok()
        })
        .as_ref()
}

pub fn check(root: Node<'_>) -> SchemaResult {
    let mut out = SchemaResult::default();
    let Some(validator) = validator() else {
        return out;
    };
    let mut budget = NODE_BUDGET;
    let Ok(instance) = root.to_json(&mut budget) else {
        return out;
    };
    // Missing required fields: (object pointer, field, issue), kept back until every unknown
    // field is known.
    let mut required: Vec<(String, String, Issue)> = Vec::new();
    for error in validator.iter_errors(&instance) {
        let pointer = error.instance_path().as_str().to_owned();
        let Some(node) = root.pointer(&pointer) else {
            continue;
        };
        let parts: Vec<String> = pointer
            .split('/')
            .skip(1)
            .map(|p| p.replace("~1", "/").replace("~0", "~"))
            .collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    if let Some(issue) = unknown_field(root, node, &parts, key, &mut out.unknown) {
                        out.issues.push(issue);
                    }
                }
            }
            ValidationErrorKind::Type { .. } => out.issues.push(type_error(node, &parts)),
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or("a required field").to_owned();
                let issue = Issue::new(
                    Code::AL203,
                    Span::point(node.span().start),
                    format!(
                        "`{}` has no `{name}`, which the apiserver requires: it refuses to start",
                        fields::field_path(&parts)
                    ),
                )
                .label(format!("`{name}` is missing"));
                required.push((format!("/{}", parts.join("/")), name, issue));
            }
            _ => out.issues.push(
                Issue::new(
                    Code::AL203,
                    node.span(),
                    format!(
                        "`{}` is invalid ({error}): the apiserver refuses to start",
                        fields::field_path(&parts)
                    ),
                )
                .label("invalid value"),
            ),
        }
    }
    // A required field that is only misspelt is one problem: the unknown field (AL204).
    for (object, name, issue) in required {
        let misspelt = out
            .unknown
            .iter()
            .any(|u| u.object == object && u.target.is_some_and(|(_, f)| f == name));
        if !misspelt {
            out.issues.push(issue);
        }
    }
    out
}

/// A type mismatch: the decoder fails ("failed decoding") and the apiserver does not start.
fn type_error(node: Node<'_>, parts: &[&str]) -> Issue {
    let path = fields::field_path(parts);
    let got = fields::article(node.kind_name());
    let (what, example) = match parts.split_last() {
        None => ("a mapping", "apiVersion: audit.k8s.io/v1"),
        Some((last, parent)) => match Ctx::of(parent).and_then(|ctx| fields::expected(ctx, last)) {
            Some(e) => e,
            // An element of a list field.
            None => element(parent),
        },
    };
    let help = match (what, node.text()) {
        ("a list of strings" | "a list of stage names", Some(text)) if node.is_scalar() => {
            let field = parts.last().copied().unwrap_or("");
            format!("write a list, even for one value: `{field}: [\"{text}\"]`")
        }
        ("a string", _) if parts.last() == Some(&"level") => {
            format!("write one of {}", fields::LEVELS.join(", "))
        }
        ("a string", Some(text)) if node.is_scalar() => {
            format!("quote the value so that it is read as a string: `\"{text}\"` (for example `{example}`)")
        }
        _ => format!("write {what}, for example `{example}`"),
    };
    Issue::new(
        Code::AL203,
        node.span(),
        format!(
            "`{path}` must be {what}, but here it is {got}: the apiserver fails to decode the policy and refuses to start"
        ),
    )
    .label(format!("{got}, expected {what}"))
    .help(help)
}

/// What an element of the list at `list_parts` must be.
fn element(list_parts: &[&str]) -> (&'static str, &'static str) {
    match list_parts {
        ["rules"] => ("a mapping (one rule)", "- level: Metadata"),
        [.., "resources"] if list_parts.len() == 3 => {
            ("a mapping", "- {group: \"\", resources: [secrets]}")
        }
        [.., "omitStages"] => ("a stage name", "RequestReceived"),
        _ => ("a string", "\"value\""),
    }
}

fn unknown_field(
    root: Node<'_>,
    object: Node<'_>,
    parts: &[&str],
    key: &str,
    record: &mut Vec<Unknown>,
) -> Option<Issue> {
    let ctx = Ctx::of(parts)?;
    // A YAML merge key: Kubernetes' decoder merges it, this tree keeps it as a key.
    if key == "<<" {
        return None;
    }
    let (key_node, _) = object.entry(key)?;
    let target = fields::misplaced(ctx, key)
        .or_else(|| nearest(key, ctx.fields()).map(|f| (ctx, f)))
        // A known field of another object (`verbs` under `resources`) is a move, not a rename.
        .filter(|&(to, f)| to != ctx || f != key);
    record.push(Unknown {
        object: format!("/{}", parts.join("/")),
        target,
    });
    let dropped = "the apiserver drops it with only a log warning";
    let issue = match target {
        Some((to, field)) if to == ctx => {
            let written_default = ctx == Ctx::GroupResources
                && field == "group"
                && object
                    .get(key)
                    .is_some_and(|v| v.is_null() || v.text() == Some(""));
            let consequence = if object.get(field).is_some() {
                format!("`{field}` is also set here, so the values under `{key}` are ignored")
            } else if written_default {
                "the entry falls back to the core group (`\"\"`), which happens to be the value written here; any other group written this way would be ignored".to_owned()
            } else {
                fields::without(ctx, field, is_resource_rule(object)).to_owned()
            };
            Issue::new(
                Code::AL204,
                key_node.span(),
                format!(
                    "unknown field `{key}` in {} (did you mean `{field}`?): {dropped}, so {consequence}",
                    ctx.noun()
                ),
            )
            .label(format!("did you mean `{field}`?"))
            .help(format!("rename `{key}` to `{field}`"))
        }
        Some((Ctx::Rule, field)) if ctx == Ctx::GroupResources => {
            // A rule field indented under `resources`: the rule loses that restriction.
            let rule = parts
                .get(..2)
                .and_then(|p| root.pointer(&format!("/{}", p.join("/"))));
            let consequence = match rule {
                Some(rule) if rule.get(field).is_some() => format!(
                    "the rule's own `{field}` still applies and these values are ignored"
                ),
                Some(rule) => fields::without(Ctx::Rule, field, is_resource_rule(rule)).to_owned(),
                None => fields::without(Ctx::Rule, field, true).to_owned(),
            };
            Issue::new(
                Code::AL204,
                key_node.span(),
                format!(
                    "`{key}` is a field of the rule, not of a `resources` entry: {dropped}, so {consequence}"
                ),
            )
            .label("indented under `resources`")
            .help(format!(
                "move `{field}:` out of the `resources` entry, to the same indentation as `resources:`"
            ))
        }
        Some((Ctx::GroupResources, field)) => Issue::new(
            Code::AL204,
            key_node.span(),
            format!(
                "`{key}` is not a field of a rule; `{field}` belongs inside a `resources` entry: {dropped}, so it restricts nothing"
            ),
        )
        .label(format!("belongs in a `resources` entry as `{field}`"))
        .help(format!(
            "move it into the entry it qualifies: `resources: [{{group: ..., resources: [...], {}: ...}}]`",
            field
        )),
        Some((_, field)) => Issue::new(
            Code::AL204,
            key_node.span(),
            format!(
                "`{key}` is a field of a rule, not of {}: {dropped}, so it has no effect",
                ctx.noun()
            ),
        )
        .label("not a Policy field")
        .help(format!("put `{field}` in a rule under `rules:`")),
        None => Issue::new(
            Code::AL204,
            key_node.span(),
            format!(
                "unknown field `{key}` in {}: {dropped}, so whatever it was meant to restrict is not restricted",
                ctx.noun()
            ),
        )
        .label("unknown field")
        .help(format!(
            "remove it, or use one of the fields of {}: {}",
            ctx.noun(),
            ctx.fields().join(", ")
        )),
    };
    Some(issue)
}

/// Whether a rule is decided by the resource matcher (non-empty resources or namespaces).
pub fn is_resource_rule(rule: Node<'_>) -> bool {
    ["resources", "namespaces"]
        .iter()
        .any(|k| rule.get(k).is_some_and(|v| v.is_seq() && !v.is_empty()))
}
