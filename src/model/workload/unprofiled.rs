//! Containers that name no seccomp profile: neither their own nor the pod's
//! `securityContext.seccompProfile` is set. Such a container runs `Unconfined` unless the
//! kubelet's `seccompDefault` is on ([`crate::model::kubelet`]), which only the cluster's
//! files can say, so these are left in the cluster index.
//!
//! Not counted: Windows pods (`spec.os.name: windows`) and HostProcess containers, which
//! seccomp does not apply to; privileged containers, which always run `Unconfined` whatever
//! profile they name ("Privileged containers always run as Unconfined",
//! <https://kubernetes.io/docs/tutorials/security/seccomp/>).

use std::sync::Arc;

use super::PodTemplate;
use crate::source::SourceFile;
use crate::yaml::{Node, Scalar, Span};

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// A container without a seccomp profile.
#[derive(Debug, Clone)]
pub struct Unprofiled {
    pub file: Arc<SourceFile>,
    pub template: Option<String>,
    /// `Kind/name` of the workload.
    pub workload: String,
    /// `container `app``, `init container `setup``, for messages.
    pub container: String,
    /// The container's `securityContext` key, where `seccompProfile` goes, else its `name`.
    pub span: Span,
    /// Whether the container has a `securityContext` mapping to add the field to.
    pub has_security_context: bool,
    /// A legacy annotation that names its profile: the apiserver copies it into the field
    /// before Kubernetes 1.27, and ignores it from then on.
    pub annotation: Option<Span>,
}

/// The containers of `t` that name no seccomp profile.
pub fn unprofiled(
    t: PodTemplate<'_>,
    file: &Arc<SourceFile>,
    template: Option<&str>,
) -> Vec<Unprofiled> {
    if t.spec.path(&["os", "name"]).and_then(|n| n.str()) == Some("windows")
        || t.spec
            .path(&["securityContext", "seccompProfile"])
            .is_some()
        || flag(
            t.spec,
            &["securityContext", "windowsOptions", "hostProcess"],
        )
    {
        return Vec::new();
    }
    let annotation = |key: &str| {
        t.annotations()
            .find(|(_, _, name)| *name == key)
            .map(|(k, _, _)| k.span())
    };
    let pod_annotation = annotation(POD_ANNOTATION);
    let workload = format!("{}/{}", t.kind, t.name.unwrap_or("<unnamed>"));
    t.containers()
        .filter(|(_, c)| {
            c.path(&["securityContext", "seccompProfile"]).is_none()
                && !flag(*c, &["securityContext", "privileged"])
                && !flag(*c, &["securityContext", "windowsOptions", "hostProcess"])
        })
        .map(|(list, c)| {
            let name = c.get_str("name");
            let security_context = c.entry("securityContext").filter(|(_, v)| v.is_map());
            let span = security_context
                .map(|(k, _)| k)
                .or_else(|| c.get("name"))
                .map_or(c.span(), Node::span);
            Unprofiled {
                file: Arc::clone(file),
                template: template.map(str::to_owned),
                workload: workload.clone(),
                container: list.describe(name),
                span,
                has_security_context: security_context.is_some(),
                annotation: name
                    .and_then(|n| annotation(&format!("{CONTAINER_ANNOTATION}{n}")))
                    .or(pod_annotation),
            }
        })
        .collect()
}

/// Whether the boolean at `path` is `true`.
fn flag(node: Node<'_>, path: &[&str]) -> bool {
    matches!(
        node.path(path).and_then(|n| n.scalar()),
        Some(Scalar::Bool(true))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::workload::pod_template;
    use crate::yaml::{parse_all, Item};

    fn names(text: &str) -> Vec<(String, bool, bool)> {
        let file = SourceFile::new("w.yaml", text);
        let (items, _) = parse_all(&file.text);
        let Some(Item::Document(doc)) = items.into_iter().next() else {
            panic!("no document")
        };
        let t = doc.root().and_then(pod_template).expect("a workload");
        unprofiled(t, &file, None)
            .into_iter()
            .map(|u| (u.container, u.has_security_context, u.annotation.is_some()))
            .collect()
    }

    #[test]
    fn lists_containers_without_a_profile() {
        let found = names(
            "kind: Deployment
metadata:
  name: web
  annotations: {container.seccomp.security.alpha.kubernetes.io/side: runtime/default}
spec:
  template:
    spec:
      initContainers: [{name: init}]
      containers:
      - {name: app, securityContext: {runAsNonRoot: true}}
      - {name: ok, securityContext: {seccompProfile: {type: RuntimeDefault}}}
      - {name: priv, securityContext: {privileged: true}}
      - {name: side}
",
        );
        // The annotation is on the Deployment, not its pod template: it names nothing.
        assert_eq!(
            found,
            [
                ("container `app`".to_owned(), true, false),
                ("container `side`".to_owned(), false, false),
                ("init container `init`".to_owned(), false, false),
            ]
        );
    }

    #[test]
    fn the_pod_profile_windows_and_annotations() {
        assert!(names("kind: Pod\nspec: {securityContext: {seccompProfile: {type: Unconfined}}, containers: [{name: a}]}").is_empty());
        assert!(
            names("kind: Pod\nspec: {os: {name: windows}, containers: [{name: a}]}").is_empty()
        );
        let annotated = names(
            "kind: Pod\nmetadata: {annotations: {seccomp.security.alpha.kubernetes.io/pod: runtime/default}}\nspec: {containers: [{name: a}]}",
        );
        assert_eq!(annotated, [("container `a`".to_owned(), false, true)]);
    }
}
