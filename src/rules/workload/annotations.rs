//! AL313: the legacy seccomp annotations (non-functional since Kubernetes 1.27).

use crate::context::DocCtx;
use crate::model::workload::PodTemplate;

const POD: &str = "seccomp.security.alpha.kubernetes.io/";
const CONTAINER: &str = "container.seccomp.security.alpha.kubernetes.io/";

pub fn check(cx: &mut DocCtx<'_>, pod: PodTemplate<'_>) {
    let Some(annotations) = pod.metadata.and_then(|m| m.get("annotations")) else {
        return;
    };
    for (key, value) in annotations.entries() {
        let Some(name) = key.text() else {
            continue;
        };
        let place = if let Some(container) = name.strip_prefix(CONTAINER) {
            format!("containers[name={container}].securityContext.seccompProfile")
        } else if name.starts_with(POD) {
            "spec.securityContext.seccompProfile".to_owned()
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
            cx.finding("AL313", key.span())
                .message(message)
                .label("legacy annotation, ignored")
                .help(format!("remove the annotation and set `{place}: {field}`")),
        );
    }
}
