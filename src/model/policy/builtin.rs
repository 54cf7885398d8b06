//! The built-in Kubernetes API as far as audit policies care: which resources each built-in
//! group serves, whether they are namespaced, and which request verbs each resource and
//! subresource serves. AL210 uses it to tell a misspelt or misplaced resource; `policy diff`
//! uses it so that every witness request is one the apiserver can receive.

/// One built-in resource.
pub struct Builtin {
    pub name: &'static str,
    /// Every group it is served from (the current one first).
    pub groups: &'static [&'static str],
    pub namespaced: bool,
    pub verbs: &'static [&'static str],
    /// Subresources and the verbs each serves.
    pub subresources: &'static [(&'static str, &'static [&'static str])],
}

/// Every verb a resource request can carry.
pub const RESOURCE_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];

/// The verbs of a non-resource request: the lower-case HTTP method.
pub const HTTP_VERBS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "options"];

/// Verbs only the deprecated `/proxy/` path prefix produces (a request verb nonetheless).
pub const OTHER_REQUEST_VERBS: &[&str] = &["proxy"];

const CRUD: &[&str] = RESOURCE_VERBS;
const CREATE: &[&str] = &["create"];
const STATUS: (&str, &[&str]) = ("status", &["get", "update", "patch"]);
const SCALE: (&str, &[&str]) = ("scale", &["get", "update", "patch"]);
const PROXY: (&str, &[&str]) = ("proxy", &["get", "create", "update", "patch", "delete"]);
const STREAM: &[&str] = &["get", "create"];

macro_rules! res {
    ($name:literal, [$($g:literal),*], $ns:literal, $verbs:expr, [$($sub:expr),*]) => {
        Builtin { name: $name, groups: &[$($g),*], namespaced: $ns, verbs: $verbs, subresources: &[$($sub),*] }
    };
}

pub const RESOURCES: &[Builtin] = &[
    res!(
        "pods",
        [""],
        true,
        CRUD,
        [
            STATUS,
            ("log", &["get"]),
            ("exec", STREAM),
            ("attach", STREAM),
            ("portforward", STREAM),
            PROXY,
            ("binding", CREATE),
            ("eviction", CREATE),
            ("ephemeralcontainers", &["get", "update", "patch"]),
            ("resize", &["get", "update", "patch"])
        ]
    ),
    res!("services", [""], true, CRUD, [STATUS, PROXY]),
    res!("secrets", [""], true, CRUD, []),
    res!("configmaps", [""], true, CRUD, []),
    res!("serviceaccounts", [""], true, CRUD, [("token", CREATE)]),
    res!("nodes", [""], false, CRUD, [STATUS, PROXY]),
    res!(
        "namespaces",
        [""],
        false,
        &["get", "list", "watch", "create", "update", "patch", "delete"],
        [STATUS, ("finalize", &["update"])]
    ),
    res!("endpoints", [""], true, CRUD, []),
    res!("events", ["", "events.k8s.io"], true, CRUD, []),
    res!("persistentvolumes", [""], false, CRUD, [STATUS]),
    res!("persistentvolumeclaims", [""], true, CRUD, [STATUS]),
    res!("replicationcontrollers", [""], true, CRUD, [STATUS, SCALE]),
    res!("resourcequotas", [""], true, CRUD, [STATUS]),
    res!("limitranges", [""], true, CRUD, []),
    res!("podtemplates", [""], true, CRUD, []),
    res!("bindings", [""], true, CREATE, []),
    res!("componentstatuses", [""], false, &["get", "list"], []),
    res!(
        "deployments",
        ["apps", "extensions"],
        true,
        CRUD,
        [STATUS, SCALE]
    ),
    res!("daemonsets", ["apps", "extensions"], true, CRUD, [STATUS]),
    res!(
        "replicasets",
        ["apps", "extensions"],
        true,
        CRUD,
        [STATUS, SCALE]
    ),
    res!("statefulsets", ["apps"], true, CRUD, [STATUS, SCALE]),
    res!("controllerrevisions", ["apps"], true, CRUD, []),
    res!("jobs", ["batch"], true, CRUD, [STATUS]),
    res!("cronjobs", ["batch"], true, CRUD, [STATUS]),
    res!("roles", ["rbac.authorization.k8s.io"], true, CRUD, []),
    res!(
        "rolebindings",
        ["rbac.authorization.k8s.io"],
        true,
        CRUD,
        []
    ),
    res!(
        "clusterroles",
        ["rbac.authorization.k8s.io"],
        false,
        CRUD,
        []
    ),
    res!(
        "clusterrolebindings",
        ["rbac.authorization.k8s.io"],
        false,
        CRUD,
        []
    ),
    res!("tokenreviews", ["authentication.k8s.io"], false, CREATE, []),
    res!(
        "selfsubjectreviews",
        ["authentication.k8s.io"],
        false,
        CREATE,
        []
    ),
    res!(
        "subjectaccessreviews",
        ["authorization.k8s.io"],
        false,
        CREATE,
        []
    ),
    res!(
        "selfsubjectaccessreviews",
        ["authorization.k8s.io"],
        false,
        CREATE,
        []
    ),
    res!(
        "selfsubjectrulesreviews",
        ["authorization.k8s.io"],
        false,
        CREATE,
        []
    ),
    res!(
        "localsubjectaccessreviews",
        ["authorization.k8s.io"],
        true,
        CREATE,
        []
    ),
    res!(
        "ingresses",
        ["networking.k8s.io", "extensions"],
        true,
        CRUD,
        [STATUS]
    ),
    res!(
        "networkpolicies",
        ["networking.k8s.io", "extensions"],
        true,
        CRUD,
        []
    ),
    res!(
        "validatingwebhookconfigurations",
        ["admissionregistration.k8s.io"],
        false,
        CRUD,
        []
    ),
    res!(
        "mutatingwebhookconfigurations",
        ["admissionregistration.k8s.io"],
        false,
        CRUD,
        []
    ),
    res!(
        "certificatesigningrequests",
        ["certificates.k8s.io"],
        false,
        CRUD,
        [STATUS, ("approval", &["get", "update", "patch"])]
    ),
    res!("leases", ["coordination.k8s.io"], true, CRUD, []),
    res!("storageclasses", ["storage.k8s.io"], false, CRUD, []),
    res!(
        "customresourcedefinitions",
        ["apiextensions.k8s.io"],
        false,
        CRUD,
        [STATUS]
    ),
    res!("poddisruptionbudgets", ["policy"], true, CRUD, [STATUS]),
    res!(
        "horizontalpodautoscalers",
        ["autoscaling"],
        true,
        CRUD,
        [STATUS]
    ),
];

/// Built-in groups: only in these is a foreign well-known resource certainly absent (a
/// custom group may define its own `roles`).
pub const BUILTIN_GROUPS: &[&str] = &[
    "",
    "apps",
    "extensions",
    "batch",
    "rbac.authorization.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "networking.k8s.io",
    "admissionregistration.k8s.io",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "storage.k8s.io",
    "apiextensions.k8s.io",
    "policy",
    "autoscaling",
    "events.k8s.io",
];

/// Groups whose every resource is in [`RESOURCES`] (stable for years): a name served by none
/// of them is misspelt, not merely new.
pub const COMPLETE_GROUPS: &[&str] = &[
    "",
    "apps",
    "batch",
    "rbac.authorization.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
];

/// The built-in resource `name` (in any group).
pub fn resource(name: &str) -> Option<&'static Builtin> {
    RESOURCES.iter().find(|r| r.name == name)
}

/// The built-in resource `name` served from `group`.
pub fn served(group: &str, name: &str) -> Option<&'static Builtin> {
    RESOURCES
        .iter()
        .find(|r| r.name == name && r.groups.contains(&group))
}

/// Whether some request can carry `verb`.
pub fn is_request_verb(verb: &str) -> bool {
    RESOURCE_VERBS.contains(&verb)
        || HTTP_VERBS.contains(&verb)
        || OTHER_REQUEST_VERBS.contains(&verb)
}

/// Whether a resource request with these attributes can reach the apiserver, as far as the
/// built-in API tells: unknown (custom) resources are assumed possible.
pub fn possible(
    verb: &str,
    group: &str,
    resource: &str,
    sub: &str,
    namespace: &str,
    name: &str,
) -> bool {
    let Some(b) = served(group, resource) else {
        // A custom resource, or a built-in one outside its group (impossible in a complete
        // built-in group).
        return !(COMPLETE_GROUPS.contains(&group)
            || self::resource(resource).is_some() && BUILTIN_GROUPS.contains(&group))
            && RESOURCE_VERBS.contains(&verb)
            && name_possible(verb, sub, name);
    };
    let verbs = if sub.is_empty() {
        b.verbs
    } else {
        match b.subresources.iter().find(|(s, _)| *s == sub) {
            Some((_, v)) => v,
            None => return false,
        }
    };
    if !verbs.contains(&verb) || !name_possible(verb, sub, name) {
        return false;
    }
    let collection = matches!(verb, "list" | "watch");
    if b.name == "namespaces" {
        // A Namespace object carries its own name as the namespace attribute.
        return if collection || verb == "create" {
            namespace.is_empty()
        } else {
            !namespace.is_empty() && (name.is_empty() || name == namespace)
        };
    }
    if b.namespaced {
        // All-namespace requests exist only for list and watch.
        collection || !namespace.is_empty()
    } else {
        namespace.is_empty()
    }
}

/// Names come from the URL: none on create of the object itself and on deletecollection; a
/// subresource always belongs to a named object; list and watch may carry one (a
/// `metadata.name` field selector); every other verb names its object.
fn name_possible(verb: &str, sub: &str, name: &str) -> bool {
    if !sub.is_empty() {
        return !name.is_empty();
    }
    match verb {
        "create" | "deletecollection" => name.is_empty(),
        "list" | "watch" => true,
        _ => !name.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_requests_the_apiserver_serves_are_possible() {
        assert!(possible(
            "create",
            "",
            "serviceaccounts",
            "token",
            "default",
            "x"
        ));
        assert!(!possible(
            "get",
            "",
            "serviceaccounts",
            "token",
            "default",
            "x"
        ));
        assert!(possible(
            "create",
            "authentication.k8s.io",
            "tokenreviews",
            "",
            "",
            ""
        ));
        assert!(!possible(
            "list",
            "authentication.k8s.io",
            "tokenreviews",
            "",
            "",
            ""
        ));
        assert!(!possible("create", "", "tokenreviews", "", "", ""));
        assert!(possible("get", "", "pods", "exec", "kube-system", "x"));
        assert!(!possible("get", "", "pods", "exec", "kube-system", ""));
        assert!(!possible("get", "", "secrets", "", "", "x"));
        assert!(possible("list", "", "secrets", "", "", ""));
        assert!(!possible(
            "create",
            "rbac.authorization.k8s.io",
            "clusterroles",
            "",
            "default",
            ""
        ));
        assert!(possible("get", "", "namespaces", "", "team-a", "team-a"));
        assert!(possible(
            "create",
            "example.com",
            "widgets",
            "",
            "default",
            ""
        ));
        assert!(!possible("create", "", "widgets", "", "default", ""));
        assert!(!possible(
            "replace",
            "example.com",
            "widgets",
            "",
            "default",
            "x"
        ));
    }
}
