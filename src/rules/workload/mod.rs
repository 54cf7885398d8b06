//! AL310–AL313: seccomp settings of workloads. The per-document rules read the pod's and
//! every container's `seccompProfile` and the legacy annotations; `localhostProfile`
//! references are left in the cluster index and resolved once every file is read.

mod annotation_beside_field;
mod annotations;
mod profile_fields;
mod profile_refs;
mod seccomp_edit;

use super::registry::{Check, Rule};
use crate::catalog::Code;
use crate::context::DocCtx;
use crate::model::workload::pod_template;

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
];

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
