//! The fields of Policy, PolicyRule and GroupResources (`pkg/apis/audit/v1/types.go`), what
//! type each one has, and what a rule matches when the apiserver drops a misspelt field.

/// The three object types of a policy that have a fixed set of fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctx {
    Policy,
    Rule,
    GroupResources,
}

pub const POLICY_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "rules",
    "omitStages",
    "omitManagedFields",
];

pub const RULE_FIELDS: &[&str] = &[
    "level",
    "users",
    "userGroups",
    "verbs",
    "resources",
    "namespaces",
    "nonResourceURLs",
    "omitStages",
    "omitManagedFields",
];

pub const GROUP_RESOURCES_FIELDS: &[&str] = &["group", "resources", "resourceNames"];

pub const LEVELS: &[&str] = &["None", "Metadata", "Request", "RequestResponse"];

pub const STAGES: &[&str] = &[
    "RequestReceived",
    "ResponseStarted",
    "ResponseComplete",
    "Panic",
];

impl Ctx {
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Ctx::Policy => POLICY_FIELDS,
            Ctx::Rule => RULE_FIELDS,
            Ctx::GroupResources => GROUP_RESOURCES_FIELDS,
        }
    }

    /// How the object is named in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Ctx::Policy => "the Policy",
            Ctx::Rule => "a policy rule",
            Ctx::GroupResources => "a `resources` entry",
        }
    }

    /// Which object type a JSON pointer (split into parts) designates, if any.
    pub fn of(parts: &[&str]) -> Option<Ctx> {
        match parts {
            [] => Some(Ctx::Policy),
            ["rules", i] if is_index(i) => Some(Ctx::Rule),
            ["rules", i, "resources", k] if is_index(i) && is_index(k) => Some(Ctx::GroupResources),
            _ => None,
        }
    }
}

fn is_index(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// What a field holds, for type-error messages: (description, example of the right form).
pub fn expected(ctx: Ctx, field: &str) -> Option<(&'static str, &'static str)> {
    Some(match (ctx, field) {
        (Ctx::Policy, "apiVersion") => ("a string", "apiVersion: audit.k8s.io/v1"),
        (Ctx::Policy, "kind") => ("a string", "kind: Policy"),
        (Ctx::Policy, "metadata") => ("a mapping", "metadata: {name: audit-policy}"),
        (Ctx::Policy, "rules") => ("a list of rules", "rules: [{level: Metadata}]"),
        (Ctx::Policy | Ctx::Rule, "omitStages") => {
            ("a list of stage names", "omitStages: [RequestReceived]")
        }
        (Ctx::Policy | Ctx::Rule, "omitManagedFields") => ("a boolean", "omitManagedFields: true"),
        (Ctx::Rule, "level") => ("a string", "level: Metadata"),
        (Ctx::Rule, "users") => ("a list of strings", "users: [\"alice@example.com\"]"),
        (Ctx::Rule, "userGroups") => ("a list of strings", "userGroups: [\"system:nodes\"]"),
        (Ctx::Rule, "verbs") => ("a list of strings", "verbs: [get, list, watch]"),
        (Ctx::Rule, "namespaces") => ("a list of strings", "namespaces: [kube-system]"),
        (Ctx::Rule, "nonResourceURLs") => ("a list of strings", "nonResourceURLs: [\"/healthz*\"]"),
        (Ctx::Rule, "resources") => (
            "a list of {group, resources, resourceNames} entries",
            "resources: [{group: \"\", resources: [secrets]}]",
        ),
        (Ctx::GroupResources, "group") => ("a string", "group: apps"),
        (Ctx::GroupResources, "resources") => ("a list of strings", "resources: [pods, pods/log]"),
        (Ctx::GroupResources, "resourceNames") => {
            ("a list of strings", "resourceNames: [kubeadm-config]")
        }
        _ => return None,
    })
}

/// Fields that are often written in the wrong object, or under a name far from the real one.
pub fn misplaced(ctx: Ctx, key: &str) -> Option<(Ctx, &'static str)> {
    let lower = key.to_ascii_lowercase();
    match ctx {
        Ctx::Rule => match lower.as_str() {
            "group" | "apigroup" | "apigroups" => Some((Ctx::GroupResources, "group")),
            "resourcename" | "resourcenames" => Some((Ctx::GroupResources, "resourceNames")),
            "groups" | "usergroup" => Some((Ctx::Rule, "userGroups")),
            _ => None,
        },
        Ctx::GroupResources => {
            if let Some(f) = RULE_FIELDS.iter().find(|f| f.eq_ignore_ascii_case(key)) {
                // `resources` itself is a field of both.
                return (*f != "resources").then_some((Ctx::Rule, *f));
            }
            match lower.as_str() {
                "apigroup" | "apigroups" | "groups" => Some((Ctx::GroupResources, "group")),
                "verb" => Some((Ctx::Rule, "verbs")),
                "namespace" => Some((Ctx::Rule, "namespaces")),
                _ => None,
            }
        }
        Ctx::Policy => match lower.as_str() {
            "rule" | "policyrules" => Some((Ctx::Policy, "rules")),
            "level" | "users" | "usergroups" | "verbs" | "resources" | "namespaces"
            | "nonresourceurls" => RULE_FIELDS
                .iter()
                .find(|f| f.eq_ignore_ascii_case(key))
                .map(|f| (Ctx::Rule, *f)),
            _ => None,
        },
    }
}

/// What the object matches or does once `field` is missing from it (the consequence of the
/// apiserver dropping a misspelt or misplaced field), as the end of a sentence.
pub fn without(ctx: Ctx, field: &str, rule_is_resource_rule: bool) -> &'static str {
    match (ctx, field) {
        (Ctx::Policy, "rules") => {
            "the policy has no rules, and the apiserver refuses to start (\"loaded illegal policy with 0 rules\")"
        }
        (Ctx::Policy, "omitStages") => "no stage is omitted for every request",
        (Ctx::Policy, "omitManagedFields") => {
            "managedFields stay in every logged request and response body"
        }
        (Ctx::Policy, "metadata") => "nothing changes (metadata has no effect)",
        (Ctx::Policy, _) => "the apiserver ignores it",
        (Ctx::Rule, "level") => {
            "the rule has no `level`, which the validator rejects: the apiserver refuses to start"
        }
        (Ctx::Rule, "users") => "the rule now matches every user",
        (Ctx::Rule, "userGroups") => "the rule now matches users of every group",
        (Ctx::Rule, "verbs") => "the rule now matches every verb",
        (Ctx::Rule, "namespaces") => "the rule now matches every namespace",
        (Ctx::Rule, "resources") if rule_is_resource_rule => {
            "the rule now matches every resource"
        }
        (Ctx::Rule, "resources") => {
            "the rule now matches every request, resource and non-resource alike"
        }
        (Ctx::Rule, "nonResourceURLs") if rule_is_resource_rule => "nothing changes",
        (Ctx::Rule, "nonResourceURLs") => {
            "the rule now matches every request, resource and non-resource alike"
        }
        (Ctx::Rule, "omitStages") => "the rule omits only the policy's `omitStages`",
        (Ctx::Rule, "omitManagedFields") => {
            "the rule inherits the policy's `omitManagedFields`"
        }
        (Ctx::Rule, _) => "the apiserver ignores it",
        (Ctx::GroupResources, "group") => {
            "the entry selects the core API group (`\"\"`) only, not the group that was meant"
        }
        (Ctx::GroupResources, "resources") => {
            "the entry now matches every resource and subresource of its group"
        }
        (Ctx::GroupResources, "resourceNames") => "the entry now matches every object name",
        (Ctx::GroupResources, _) => "the apiserver ignores it",
    }
}

/// "a mapping", "an alias".
pub fn article(noun: &str) -> String {
    match noun.as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'u') => format!("an {noun}"),
        _ => format!("a {noun}"),
    }
}

/// A JSON pointer as the field path the apiserver prints (`rules[2].resources[0].group`).
pub fn field_path(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        if is_index(part) {
            out.push('[');
            out.push_str(part);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(part);
        }
    }
    out
}
