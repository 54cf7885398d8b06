//! AL310 and AL311: `securityContext.seccompProfile` of the pod and of each container.

use crate::catalog::Code;
use crate::context::DocCtx;
use crate::fix::Safety;
use crate::model::seccomp::resolve::has_dotdot;
use crate::model::seccomp::LocalhostRef;
use crate::model::workload::{ContainerList, PodTemplate};
use crate::yaml::Node;

/// Where a `seccompProfile` is set, for messages.
enum Level<'d> {
    /// The pod's own field; `covers_some` when a container has no profile of its own (AL310
    /// says what an `Unconfined` one does when none inherits it).
    Pod {
        covers_some: bool,
    },
    Container(ContainerList, Option<&'d str>),
}

impl Level<'_> {
    fn describe(&self) -> String {
        match self {
            Level::Pod { .. } => "the pod (every container without its own profile)".to_owned(),
            Level::Container(list, name) => list.describe(*name),
        }
    }
}

pub fn check(cx: &mut DocCtx<'_>, pod: PodTemplate<'_>) {
    let workload = format!("{}/{}", pod.kind, pod.name.unwrap_or("<unnamed>"));
    if let Some(sp) = pod.spec.path(&["securityContext", "seccompProfile"]) {
        let covers_some = pod
            .containers()
            .any(|(_, c)| c.path(&["securityContext", "seccompProfile"]).is_none());
        check_profile(cx, sp, Level::Pod { covers_some }, &workload);
    }
    for (list, container) in pod.containers() {
        if let Some(sp) = container.path(&["securityContext", "seccompProfile"]) {
            let level = Level::Container(list, container.get_str("name"));
            check_profile(cx, sp, level, &workload);
        }
    }
}

fn check_profile(cx: &mut DocCtx<'_>, sp: Node<'_>, level: Level<'_>, workload: &str) {
    if !sp.is_map() {
        return;
    }
    let kind = sp.get("type");
    let kind_text = kind.and_then(|k| k.str());
    let profile = sp.entry("localhostProfile");
    let profile_text = profile.and_then(|(_, v)| v.str()).filter(|p| !p.is_empty());
    match (kind_text, kind) {
        (Some("Unconfined"), Some(kind)) => cx.report(
            cx.finding(Code::AL310, kind.span())
                .message(match level {
                    Level::Pod { covers_some: false } => {
                        "the pod's profile is `Unconfined`: every container sets its own today, \
                         but one added without a profile would run without seccomp, with every \
                         system call allowed and none logged (Pod Security Standards Baseline \
                         forbids an explicit `Unconfined`)"
                            .to_owned()
                    }
                    _ => format!(
                        "{} runs without seccomp: every system call is allowed and none is \
                         logged (Pod Security Standards Baseline forbids an explicit \
                         `Unconfined`)",
                        level.describe()
                    ),
                })
                .label("seccomp disabled")
                .help("use `type: RuntimeDefault` (or `Localhost` with a profile written for it)")
                // Unsafe: a workload that needs a system call the runtime's default profile
                // blocks stops working.
                .fix_with(
                    Safety::Unsafe,
                    super::seccomp_edit::editor(cx)
                        .replace_scalar(kind.span(), "RuntimeDefault")
                        .map(|e| vec![e]),
                ),
        ),
        (Some("Localhost"), Some(kind)) if profile_text.is_none() => cx.report(
            cx.finding(Code::AL311, kind.span())
                .message(format!(
                    "{}: `type: Localhost` without `localhostProfile`; the apiserver rejects the \
                     object (\"must be set when seccomp type is Localhost\")",
                    level.describe()
                ))
                .label("no localhostProfile")
                .help(
                    "add `localhostProfile: <path under /var/lib/kubelet/seccomp>`, e.g. \
                     `profiles/audit.json`",
                ),
        ),
        _ => {}
    }
    let (Some((key, value)), Some(path)) = (profile, profile_text) else {
        return;
    };
    if kind_text != Some("Localhost") {
        let with = match kind_text {
            Some(t) => format!("with `type: {t}`"),
            None => "without `type`".to_owned(),
        };
        cx.report(
            cx.finding(Code::AL311, key.span())
                .message(format!(
                    "{}: `localhostProfile` {with}; the apiserver rejects the object (\"can only \
                     be set when seccomp type is Localhost\")",
                    level.describe()
                ))
                .label("needs type: Localhost")
                .help("set `type: Localhost`, or remove `localhostProfile`"),
        );
        return;
    }
    if path.starts_with('/') {
        let relative = path
            .strip_prefix("/var/lib/kubelet/seccomp/")
            .unwrap_or(path.trim_start_matches('/'));
        cx.report(
            cx.finding(Code::AL311, value.span())
                .message(format!(
                    "{}: `localhostProfile` must be a relative path (under the kubelet's \
                     `/var/lib/kubelet/seccomp/`); the apiserver rejects `{path}`",
                    level.describe()
                ))
                .label("absolute path")
                .help(format!("write `localhostProfile: {relative}`")),
        );
        return;
    }
    if has_dotdot(path) {
        cx.report(
            cx.finding(Code::AL311, value.span())
                .message(format!(
                    "{}: `localhostProfile` must not contain `..`; the apiserver rejects `{path}` \
                     (a profile cannot be outside the kubelet's seccomp directory)",
                    level.describe()
                ))
                .label("contains ..")
                .help("put the profile under /var/lib/kubelet/seccomp/ and name it from there"),
        );
        return;
    }
    cx.index.seccomp_refs.push(LocalhostRef {
        profile: path.to_owned(),
        file: std::sync::Arc::clone(cx.file),
        span: value.span(),
        template: cx.doc.template.clone(),
        workload: workload.to_owned(),
    });
}
