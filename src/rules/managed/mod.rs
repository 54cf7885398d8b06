//! AL5xx (and AL116): managed control planes. Each document leaves its facts in the cluster
//! index ([`record`]); Terraform is resolved per directory when the clusters are formed; the
//! rules then judge each cluster's control planes together with the log groups, metric
//! filters, diagnostic settings and audit configurations of its files.

mod audit_export;
mod authenticator;
mod denials;
mod eksctl;
mod node_logs;
mod retention;

use super::registry::{Check, Rule};
use crate::catalog::Code;
use crate::cluster::ClusterIndex;
use crate::config::Config;
use crate::context::DocCtx;
use crate::finding::Finding;
use crate::model::managed::{documents, terraform, ControlPlane, Form, LogTypes};
use crate::yaml::Span;

pub(super) const RULES: &[Rule] = &[
    Rule {
        codes: &[Code::AL116],
        check: Check::Managed(eksctl::check),
    },
    Rule {
        codes: &[Code::AL501],
        check: Check::Managed(audit_export::check),
    },
    Rule {
        codes: &[Code::AL502],
        check: Check::Managed(authenticator::check),
    },
    Rule {
        codes: &[Code::AL503],
        check: Check::Managed(retention::check),
    },
    Rule {
        codes: &[Code::AL504],
        check: Check::Managed(denials::check),
    },
    Rule {
        codes: &[Code::AL505],
        check: Check::Managed(node_logs::check),
    },
];

/// Records the managed-cluster facts of a document, and a Terraform JSON document or plan
/// for its directory.
pub(super) fn record(cx: &mut DocCtx<'_>) {
    cx.index
        .control_planes
        .extend(documents::read(cx.root, cx.file));
    if let Some(module) = terraform::json::read(cx.root, cx.file) {
        cx.index.terraform.push(module);
    }
}

/// Runs the [`Check::Managed`] rules over a cluster's control planes, in a stable order.
pub(super) fn check_cluster(index: &ClusterIndex, config: &Config, out: &mut Vec<Finding>) {
    if index.control_planes.is_empty() {
        return;
    }
    let mut facts = index.control_planes.clone();
    facts
        .planes
        .sort_by(|a, b| (&a.file.path, a.at.start).cmp(&(&b.file.path, b.at.start)));
    super::registry::run_into(out, |check, out| match check {
        Check::Managed(check) => {
            check(&facts, config, out);
            true
        }
        _ => false,
    });
}

/// Where a finding about a cluster's log types points: the list, or where it would go.
pub(super) fn log_types_at(plane: &ControlPlane) -> Option<Span> {
    match &plane.log_types {
        LogTypes::Listed { at, .. } => Some(*at),
        LogTypes::Missing { insert } => Some(*insert),
        _ => None,
    }
}

/// How to set the log types in the cluster's own form.
pub(super) fn log_types_fix(plane: &ControlPlane, types: &str) -> String {
    let quoted: Vec<String> = types.split(',').map(|t| format!("\"{t}\"")).collect();
    match plane.form {
        Form::Eksctl => format!(
            "set `cloudWatch.clusterLogging.enableTypes: [{}]`",
            quoted.join(", ")
        ),
        Form::CloudFormation => format!(
            "add {} to `Logging.ClusterLogging.EnabledTypes` (as `- Type: NAME` entries)",
            quoted.join(", ")
        ),
        Form::Described => format!(
            "run `aws eks update-cluster-config --name {} --logging '{{\"clusterLogging\":[{{\"types\":[{}],\"enabled\":true}}]}}'`, and set the same in the cluster's configuration as code",
            plane.name.as_deref().unwrap_or("CLUSTER"),
            quoted.join(",")
        ),
        _ => format!("include {} in `{}`", quoted.join(", "), plane.field),
    }
}
