//! The seccomp profile model: which documents are profiles, the syscall names every
//! architecture knows, and the facts the cross-file rules need (scanned profiles and the
//! `localhostProfile` references of workloads).

pub mod resolve;
pub mod syscalls;

use std::path::PathBuf;
use std::sync::Arc;

use crate::source::SourceFile;
use crate::yaml::{Node, Span};

/// A scanned seccomp profile, kept in the cluster index for `localhostProfile` resolution.
#[derive(Debug, Clone)]
pub struct ProfileEntry {
    /// The path as shown in output (as given on the command line, or relative to it).
    pub path: String,
    /// The canonical path on disk, when the profile was read from a file.
    pub abs_path: Option<PathBuf>,
    /// Where the kubelet finds it, relative to its seccomp root, when the document says so
    /// itself: a security-profiles-operator `SeccompProfile` is installed as
    /// `operator/<namespace>/<name>.json` (`namespace` is `None` when the object has none).
    pub operator: Option<OperatorName>,
    pub file: Arc<SourceFile>,
    pub span: Span,
}

/// The namespace and name of a security-profiles-operator `SeccompProfile`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorName {
    pub namespace: Option<String>,
    pub name: String,
}

/// A workload's `localhostProfile` (a path under the kubelet's seccomp root).
#[derive(Debug, Clone)]
pub struct LocalhostRef {
    pub profile: String,
    pub file: Arc<SourceFile>,
    pub span: Span,
    pub template: Option<String>,
    /// `Deployment/web`, to name the workload in messages.
    pub workload: String,
}

/// How a profile is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The OCI / Docker JSON (or YAML) file the runtime reads.
    File,
    /// The `spec` of a security-profiles-operator `SeccompProfile`.
    Operator,
}

/// A document that is a seccomp profile: the mapping holding `defaultAction`/`syscalls`.
#[derive(Debug, Clone, Copy)]
pub struct Profile<'d> {
    pub body: Node<'d>,
    pub form: Form,
}

const OPERATOR_GROUP: &str = "security-profiles-operator.x-k8s.io/";

/// Recognises a seccomp profile. Random JSON files must not be mistaken for one, so a
/// mapping counts only when it is not a Kubernetes object (except the operator's
/// `SeccompProfile`) and its `defaultAction` is an `SCMP_` value (or empty), or its
/// `syscalls` is a list of syscall rules. `{}` counts only in a file whose path says it is
/// a seccomp profile, since `{}` is what disables seccomp in runc.
pub fn recognise<'d>(root: Node<'d>, path: &str) -> Option<Profile<'d>> {
    if !root.is_map() {
        return None;
    }
    if root.get("kind").is_some() || root.get("apiVersion").is_some() {
        let operator = root.get_str("kind") == Some("SeccompProfile")
            && root
                .get_str("apiVersion")
                .is_some_and(|v| v.starts_with(OPERATOR_GROUP));
        let spec = root.get("spec").filter(|s| s.is_map())?;
        return operator.then_some(Profile {
            body: spec,
            form: Form::Operator,
        });
    }
    let profile = Profile {
        body: root,
        form: Form::File,
    };
    let seccomp_path = path.to_ascii_lowercase().contains("seccomp");
    if root.is_empty() {
        return seccomp_path.then_some(profile);
    }
    let default = root.get("defaultAction");
    let syscalls = root.get("syscalls");
    if default.is_none() && syscalls.is_none() {
        return None;
    }
    let scmp_default = default.is_some_and(|d| {
        d.is_null()
            || d.text()
                .is_some_and(|t| t.is_empty() || t.starts_with("SCMP_"))
    });
    let rule_list = syscalls.is_some_and(|s| {
        s.is_seq()
            && s.items().next().is_some_and(|first| {
                first.is_map()
                    && (first.get("action").is_some()
                        || first.get("names").is_some()
                        || first.get("name").is_some())
            })
    });
    let empty_list = syscalls.is_some_and(|s| s.is_null() || (s.is_seq() && s.is_empty()));
    (scmp_default || rule_list || (seccomp_path && (default.is_some() || empty_list)))
        .then_some(profile)
}

/// The operator name of a `SeccompProfile` object (for where the operator installs it).
pub fn operator_name(root: Node<'_>) -> Option<OperatorName> {
    let meta = root.get("metadata")?;
    Some(OperatorName {
        namespace: meta.get_str("namespace").map(str::to_owned),
        name: meta.get_str("name")?.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_all, Item};

    fn form(text: &str, path: &str) -> Option<Form> {
        let (items, _) = parse_all(text);
        let Some(Item::Document(doc)) = items.into_iter().next() else {
            panic!("no document")
        };
        let root = doc.root()?;
        recognise(root, path).map(|p| p.form)
    }

    #[test]
    fn recognises_profiles() {
        let file = Some(Form::File);
        assert_eq!(
            form(r#"{"defaultAction": "SCMP_ACT_ERRNO"}"#, "p.json"),
            file
        );
        assert_eq!(form(r#"{"defaultAction": ""}"#, "p.json"), file);
        assert_eq!(
            form(
                r#"{"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}"#,
                "a.json"
            ),
            file
        );
        assert_eq!(form("{}", "profiles/seccomp/empty.json"), file);
        assert_eq!(
            form(r#"{"defaultAction": "deny"}"#, "seccomp/odd.json"),
            file
        );
        assert_eq!(
            form(
                "apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nmetadata: {name: p}\nspec: {defaultAction: SCMP_ACT_LOG}\n",
                "p.yaml"
            ),
            Some(Form::Operator)
        );
    }

    #[test]
    fn leaves_other_json_alone() {
        for (text, path) in [
            ("{}", "package.json"),
            (r#"{"defaultAction": "deny"}"#, "settings.json"),
            (r#"{"syscalls": 3}"#, "x.json"),
            (r#"{"syscalls": ["read"]}"#, "x.json"),
            (r#"{"name": "x", "version": "1"}"#, "seccomp.json"),
            (
                "kind: ConfigMap\ndata: {defaultAction: SCMP_ACT_ALLOW}",
                "cm.yaml",
            ),
            (
                "kind: Pod\nspec: {defaultAction: SCMP_ACT_ALLOW}",
                "pod.yaml",
            ),
            ("[1, 2]", "seccomp.json"),
        ] {
            assert_eq!(form(text, path), None, "{text} ({path})");
        }
    }
}
