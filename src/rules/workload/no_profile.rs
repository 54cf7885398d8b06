//! AL315: a container that names no seccomp profile, in a cluster whose kubelets do not give it
//! `RuntimeDefault` (`seccompDefault`, [`crate::model::kubelet`]): it runs `Unconfined`.
//!
//! Files that configure no cluster (an application repository) are judged too: nothing there
//! turns `seccompDefault` on, and the kubelet's default is off, so the container runs
//! unconfined wherever it is deployed unless that cluster says otherwise. The rule is a note
//! so that it informs without failing a build by default.

use crate::catalog::Code;
use rayon::prelude::*;

use crate::cluster::{ClusterIndex, KubeletSeccompDefault, SeccompDefaulting};
use crate::config::Config;
use crate::finding::Finding;
use crate::model::workload::Unprofiled;
use crate::version::{self, Version};

/// The apiserver copies a legacy annotation into the field before this version.
const ANNOTATIONS_REMOVED: Version = (1, 27);

pub fn check(index: &ClusterIndex, config: &Config, out: &mut Vec<Finding>) {
    if index.unprofiled.is_empty() {
        return;
    }
    // The version decides only where a setting or an annotation is written; asking for it
    // otherwise would report an assumed version for nothing.
    let depends_on_version = !index.seccomp_defaults.is_empty()
        || index.unprofiled.iter().any(|u| u.annotation.is_some());
    let version = if depends_on_version {
        config.version().unwrap_or(version::NEWEST)
    } else {
        version::NEWEST
    };
    let why = match index.seccomp_defaulting(version) {
        SeccompDefaulting::On(_) => return,
        SeccompDefaulting::Off(s) => {
            let reason = if !s.setting.enabled {
                format!("{} turns it off", s.setting.source)
            } else if version < (1, 22) {
                format!(
                    "Kubernetes {} has no `seccompDefault` (it came in 1.22)",
                    version::display(version)
                )
            } else if version < (1, 25) {
                format!(
                    "before Kubernetes 1.25 it works only with the `SeccompDefault` feature gate \
                     on, which {} does not turn on",
                    s.setting.source
                )
            } else {
                format!(
                    "{} turns the `SeccompDefault` feature gate off",
                    s.setting.source
                )
            };
            (
                format!("the kubelet's `seccompDefault` is not in effect ({reason})"),
                Some(s),
            )
        }
        SeccompDefaulting::Unset => (
            "no scanned file turns on the kubelet's `seccompDefault` (it is off unless set)"
                .to_owned(),
            None,
        ),
    };
    // One finding per container of every workload scanned: made in parallel, in order.
    let findings: Vec<Finding> = index
        .unprofiled
        .par_iter()
        .filter(|u| u.annotation.is_none() || version >= ANNOTATIONS_REMOVED)
        .map(|u| finding(u, &why))
        .collect();
    out.extend(findings);
}

/// AL315 for one container; `why` says why the kubelet does not default it, and which
/// setting (if any) leaves it off.
fn finding(u: &Unprofiled, why: &(String, Option<&KubeletSeccompDefault>)) -> Finding {
    let add = if u.has_security_context {
        "add `seccompProfile: {type: RuntimeDefault}` to its `securityContext`"
    } else {
        "add `securityContext: {seccompProfile: {type: RuntimeDefault}}` to it"
    };
    let mut f = Finding::new(Code::AL315, &u.file, u.span)
        .message(format!(
            "{} of {} names no seccomp profile and {}: it runs `Unconfined`, with every \
             system call allowed",
            u.container, u.workload, why.0
        ))
        .label("no seccomp profile")
        .help(format!(
            "{add} (or set it once for every container in the pod's \
             `spec.securityContext`), or turn on `seccompDefault: true` in the kubelet \
             configuration of every node"
        ))
        .template(u.template.as_deref());
    if let Some(s) = why.1 {
        f = f.related(&s.file, s.setting.span, "the kubelet's `seccompDefault`");
    }
    if let Some(annotation) = u.annotation {
        f = f.related(
            &u.file,
            annotation,
            "a legacy annotation, ignored from Kubernetes 1.27",
        );
    }
    f
}
