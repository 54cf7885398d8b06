//! AL313: the legacy seccomp annotations (non-functional since Kubernetes 1.27), where no
//! `seccompProfile` field decides the profile instead (that case is AL314).

use super::seccomp_edit::{add_profile, remove_annotation};
use crate::catalog::Code;
use crate::context::DocCtx;
use crate::fix::{Edit, Safety};
use crate::model::workload::PodTemplate;
use crate::yaml::Node;

const POD: &str = "seccomp.security.alpha.kubernetes.io/";
const CONTAINER: &str = "container.seccomp.security.alpha.kubernetes.io/";

pub fn check(cx: &mut DocCtx<'_>, pod: PodTemplate<'_>) {
    for (key, value, name) in pod.annotations() {
        // Beside a field that decides the profile, the annotation changes nothing (AL314).
        if super::annotation_beside_field::governing_field(pod, name).is_some() {
            continue;
        }
        let (place, target) = if let Some(container) = name.strip_prefix(CONTAINER) {
            let target = pod
                .containers()
                .map(|(_, c)| c)
                .find(|c| c.get_str("name") == Some(container));
            (
                format!("containers[name={container}].securityContext.seccompProfile"),
                target,
            )
        } else if name.starts_with(POD) {
            (
                "spec.securityContext.seccompProfile".to_owned(),
                Some(pod.spec),
            )
        } else {
            continue;
        };
        let field = value.str().map_or_else(
            || "{type: RuntimeDefault}".to_owned(),
            |v| match v.strip_prefix("localhost/") {
                Some(path) => format!("{{type: Localhost, localhostProfile: {path}}}"),
                None if v == "unconfined" => "{type: Unconfined}".to_owned(),
                None => "{type: RuntimeDefault}".to_owned(),
            },
        );
        // Before 1.27 the apiserver still copies the annotation into the field, so the
        // workload is confined today and loses it on upgrade.
        let message = match cx.config.version() {
            Some(v) if v < (1, 27) => format!(
                "`{name}` is deprecated since Kubernetes 1.19 and does nothing from 1.27: after \
                 an upgrade the workload silently runs without this seccomp profile"
            ),
            _ => format!(
                "`{name}` is non-functional since Kubernetes 1.27 (ignored by the kubelet since \
                 1.25): the workload gets no seccomp profile from it and runs unconfined unless \
                 the kubelet's `seccompDefault` is on"
            ),
        };
        cx.report(
            cx.finding(Code::AL313, key.span())
                .message(message)
                .label("legacy annotation, ignored")
                .help(format!("remove the annotation and set `{place}: {field}`"))
                .fix_with(Safety::Safe, to_field(cx, pod, key, value, target)),
        );
    }
}

/// The annotation replaced by the field, for the runtime's default profile only: a
/// `Localhost` field can be rejected or name a profile not on the node (AL311, AL312), and
/// `Unconfined` is a finding of its own (AL310).
fn to_field(
    cx: &DocCtx<'_>,
    pod: PodTemplate<'_>,
    key: Node<'_>,
    value: Node<'_>,
    target: Option<Node<'_>>,
) -> Option<Vec<Edit>> {
    if !matches!(value.str()?, "runtime/default" | "docker/default") {
        return None;
    }
    let add = add_profile(cx, target?, "RuntimeDefault")?;
    Some(vec![remove_annotation(cx, pod, key, value)?, add])
}
