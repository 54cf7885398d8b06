//! AL310–AL315: seccomp settings of workloads. The per-document rules read the pod's and
//! every container's `seccompProfile` and the legacy annotations; `localhostProfile`
//! references, containers without a profile and the kubelet's `seccompDefault` are left in
//! the cluster index and judged once every file is read.

mod annotation_beside_field;
mod annotations;
mod no_profile;
mod profile_fields;
mod profile_refs;
mod seccomp_edit;

use super::registry::{Check, Rule};
use crate::catalog::Code;
use crate::cluster::KubeletSeccompDefault;
use crate::context::DocCtx;
use crate::model::workload::{pod_template, unprofiled};

pub(super) const RULES: &[Rule] = &[
    Rule {
        codes: &[Code::AL310, Code::AL311],
        check: Check::Workload(profile_fields::check),
    },
    Rule {
        codes: &[Code::AL313],
        check: Check::Workload(annotations::check),
    },
    Rule {
        codes: &[Code::AL314],
        check: Check::Workload(annotation_beside_field::check),
    },
    Rule {
        codes: &[Code::AL312],
        check: Check::Cluster(profile_refs::check),
    },
    Rule {
        codes: &[Code::AL315],
        check: Check::AnyCluster(no_profile::check),
    },
];

/// Leaves in the cluster index what AL315 needs: where the kubelet's `seccompDefault` is set,
/// and the containers that name no seccomp profile.
pub(super) fn record(cx: &mut DocCtx<'_>) {
    let name = cx.file.path.rsplit(['/', '\\']).next().unwrap_or_default();
    for setting in crate::model::kubelet::seccomp_default(cx.root, &cx.file.text, name) {
        cx.index.seccomp_defaults.push(KubeletSeccompDefault {
            file: std::sync::Arc::clone(cx.file),
            setting,
        });
    }
    if let Some(pod) = pod_template(cx.root) {
        let found = unprofiled(pod, cx.file, cx.doc.template.as_deref());
        cx.index.unprofiled.extend(found);
    }
}

/// Runs the [`Check::Workload`] rules on an object's pod template, if it has one.
pub(super) fn check_object(cx: &mut DocCtx<'_>) {
    let Some(pod) = pod_template(cx.root) else {
        return;
    };
    super::registry::run_on(cx, |check, cx| match check {
        Check::Workload(check) => {
            check(cx, pod);
            true
        }
        _ => false,
    });
}
