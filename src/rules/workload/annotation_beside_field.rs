//! AL314: a legacy seccomp annotation beside the `seccompProfile` field that governs the same
//! containers. The kubelet reads only the field (it stopped reading the annotations in 1.25),
//! so the annotation is dead text; where the two disagree, the apiserver rejects the object
//! (`validateSeccompAnnotationsAndFields`: "seccomp type in annotation and field must match").

use crate::catalog::Code;
use crate::context::DocCtx;
use crate::fix::Safety;
use crate::model::workload::PodTemplate;
use crate::yaml::Node;

pub const POD: &str = "seccomp.security.alpha.kubernetes.io/pod";
pub const CONTAINER: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// The `seccompProfile` field that decides the profile of what the legacy annotation `name`
/// names, with where it is written, if the field is set: the annotated container's own field
/// or the pod's (which it inherits); for the pod annotation, the pod's field, or the
/// containers' own fields when every container has one.
pub fn governing_field<'d>(pod: PodTemplate<'d>, name: &str) -> Option<(Node<'d>, String)> {
    let own = |c: Node<'d>| {
        c.path(&["securityContext", "seccompProfile"])
            .filter(|p| p.is_map())
    };
    let pod_field = pod
        .spec
        .path(&["securityContext", "seccompProfile"])
        .filter(|p| p.is_map());
    if let Some(container) = name.strip_prefix(CONTAINER) {
        let named = pod
            .containers()
            .find(|(_, c)| c.get_str("name") == Some(container));
        if let Some(field) = named.and_then(|(_, c)| own(c)) {
            let place = format!("containers[name={container}].securityContext.seccompProfile");
            return Some((field, place));
        }
        return pod_field.map(|f| (f, "spec.securityContext.seccompProfile".to_owned()));
    }
    if name != POD {
        return None;
    }
    if let Some(field) = pod_field {
        return Some((field, "spec.securityContext.seccompProfile".to_owned()));
    }
    let mut containers = pod.containers().peekable();
    containers.peek()?;
    let fields: Option<Vec<Node<'d>>> = containers.map(|(_, c)| own(c)).collect();
    let first = fields?.into_iter().next()?;
    Some((
        first,
        "each container's securityContext.seccompProfile".to_owned(),
    ))
}

pub fn check(cx: &mut DocCtx<'_>, pod: PodTemplate<'_>) {
    for (key, value, name) in pod.annotations() {
        let Some((field, place)) = governing_field(pod, name) else {
            continue;
        };
        // The apiserver compares an annotation with the field at its own level only.
        let compared = name == POD && place.starts_with("spec.")
            || name.starts_with(CONTAINER) && place.starts_with("containers[");
        let clash = compared && value.str().is_some_and(|v| !agrees(v, field));
        let message = if clash {
            format!(
                "`{name}` disagrees with `{place}`: the apiserver rejects the object (\"seccomp \
                 type in annotation and field must match\"); the field alone would decide the \
                 profile, since the kubelet ignores the annotation"
            )
        } else {
            format!(
                "`{name}` is ignored: `{place}` decides the seccomp profile (the kubelet reads \
                 only the field, and the annotation is non-functional since Kubernetes 1.27)"
            )
        };
        cx.report(
            cx.finding(Code::AL314, key.span())
                .message(message)
                .label(if clash {
                    "disagrees with the field"
                } else {
                    "ignored: the field decides"
                })
                .related(cx.file, field.span(), "this field decides the profile")
                .help("remove the annotation; keep the `seccompProfile` field")
                .fix_with(
                    Safety::Safe,
                    super::seccomp_edit::remove_annotation(cx, pod, key, value).map(|e| vec![e]),
                ),
        );
    }
}

/// Whether the annotation value says what the field says, as the apiserver compares them.
fn agrees(annotation: &str, field: Node<'_>) -> bool {
    match field.get_str("type") {
        Some("Unconfined") => annotation == "unconfined",
        Some("RuntimeDefault") => annotation == "runtime/default" || annotation == "docker/default",
        Some("Localhost") => annotation
            .strip_prefix("localhost/")
            .is_some_and(|p| field.get_str("localhostProfile") == Some(p)),
        _ => true,
    }
}
