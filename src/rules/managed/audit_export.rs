//! AL501: a managed cluster whose API audit log is not exported: an EKS cluster without
//! the `audit` log type, an AKS cluster without a diagnostic setting that enables
//! `kube-audit` or `kube-audit-admin`, a GKE cluster whose project does not enable the Data
//! Access audit logs of the Kubernetes API (a warning: Admin Activity is always written).
//! eksctl files are AL116's.

use crate::catalog::Code;
use crate::config::Config;
use crate::finding::{Finding, Severity};
use crate::model::managed::{ControlPlane, DiagnosticSetting, Facts, Form, Provider};

/// Categories and category groups that export the API server's full audit log.
const FULL_AUDIT: &[&str] = &["kube-audit", "audit", "allLogs"];

/// The services whose Data Access audit configuration covers the Kubernetes API.
const GKE_SERVICES: &[&str] = &["container.googleapis.com", "allServices"];

pub fn check(facts: &Facts, _: &Config, out: &mut Vec<Finding>) {
    for p in &facts.planes {
        match p.provider {
            Provider::Eks if p.form != Form::Eksctl => eks(p, out),
            Provider::Aks => aks(p, facts, out),
            Provider::Gke => gke(p, facts, out),
            _ => {}
        }
    }
}

fn eks(p: &ControlPlane, out: &mut Vec<Finding>) {
    if p.log_types.exports("audit") != Some(false) {
        return;
    }
    let Some(at) = super::log_types_at(p) else {
        return;
    };
    let (message, label) = match &p.log_types {
        crate::model::managed::LogTypes::Listed { default: true, .. } => (
            format!("this version of the EKS module exports no control-plane log by default (`{}` is `[]`): the EKS audit log is never written to CloudWatch", p.field),
            "a version whose default exports nothing",
        ),
        crate::model::managed::LogTypes::Listed { .. } => (
            "the control-plane log types it exports (those of its enabled entries) do not include `audit`: the EKS audit log (who did what through the API) is never written to CloudWatch, so it cannot be reviewed or alerted on".to_owned(),
            "no \"audit\" here",
        ),
        _ => (
            format!("this EKS cluster exports no control-plane log (`{}` is not set, and EKS exports nothing by default): the audit log is never written to CloudWatch", p.field),
            "no log types",
        ),
    };
    out.push(
        Finding::new(Code::AL501, &p.file, at)
            .message(message)
            .label(label)
            .help(super::log_types_fix(
                p,
                if p.log_types.exports("authenticator") == Some(true) {
                    "audit"
                } else {
                    "audit,authenticator"
                },
            )),
    );
}

/// Whether diagnostic setting `d` is on cluster `p`: its target names the cluster's address
/// (`azurerm_kubernetes_cluster.x.id`) or name, or (in an ARM template, whose names are often
/// expressions) a managed cluster.
fn on(d: &DiagnosticSetting, p: &ControlPlane) -> bool {
    let Some(target) = &d.target else {
        return false;
    };
    let arm_cluster =
        p.form == Form::Arm && target.to_ascii_lowercase().contains("managedclusters");
    arm_cluster
        || target.contains(&format!("{{{}}}", p.key))
        || target == &p.key
        || p.name
            .as_ref()
            .is_some_and(|n| !n.is_empty() && target.contains(n.as_str()))
}

fn aks(p: &ControlPlane, facts: &Facts, out: &mut Vec<Finding>) {
    // A setting whose target cannot be read may be this cluster's: nothing is said.
    if facts.diagnostics.iter().any(|d| d.target.is_none()) {
        return;
    }
    let settings: Vec<&DiagnosticSetting> = facts.diagnostics.iter().filter(|d| on(d, p)).collect();
    let logs = |wanted: &[&str]| {
        settings.iter().any(|d| {
            d.logs
                .iter()
                .any(|l| wanted.iter().any(|w| l.eq_ignore_ascii_case(w)))
        })
    };
    if logs(FULL_AUDIT) {
        return;
    }
    if let Some(admin) = settings.iter().find(|d| {
        d.logs
            .iter()
            .any(|l| l.eq_ignore_ascii_case("kube-audit-admin"))
    }) {
        let mut f = Finding::new(Code::AL501, &admin.file, admin.at)
            .message("this diagnostic setting exports `kube-audit-admin` only: the API server's get and list events (who read which Secret) are not exported")
            .label("reads are not exported")
            .help("enable the `kube-audit` category as well when reads must be audited (it costs more: get and list are most of the API's traffic)");
        f.severity = Severity::Note;
        out.push(f);
        return;
    }
    let message = if settings.is_empty() {
        "no diagnostic setting exports this AKS cluster's logs: the API server's audit log (`kube-audit`) is kept nowhere you can read it"
    } else {
        "the diagnostic settings of this AKS cluster enable neither `kube-audit` nor `kube-audit-admin`: the API server's audit log is not exported"
    };
    out.push(
        Finding::new(Code::AL501, &p.file, p.at)
            .message(message)
            .label("audit log not exported")
            .help(match p.form {
                Form::Arm => "add a `Microsoft.Insights/diagnosticSettings` resource scoped to the cluster with `{\"category\": \"kube-audit\", \"enabled\": true}` (or `kube-audit-admin`) in `logs`",
                Form::Resource => "add an `insights.azure.com` `DiagnosticSetting` owned by the cluster with `category: kube-audit` (or `kube-audit-admin`) in `spec.logs`",
                _ => "add an `azurerm_monitor_diagnostic_setting` with `target_resource_id` set to the cluster's id and `enabled_log { category = \"kube-audit\" }` (or `kube-audit-admin`)",
            }),
    );
}

fn gke(p: &ControlPlane, facts: &Facts, out: &mut Vec<Finding>) {
    let enabled = facts.audit_configs.iter().any(|a| {
        a.service
            .as_deref()
            .is_some_and(|s| GKE_SERVICES.contains(&s))
            && !a.log_types.is_empty()
    });
    // A configuration whose service cannot be read may be the one.
    if enabled || facts.audit_configs.iter().any(|a| a.service.is_none()) {
        return;
    }
    let mut f = Finding::new(Code::AL501, &p.file, p.at)
        .message("no audit configuration enables the Data Access audit logs of the Kubernetes API for this GKE cluster's project: only Admin Activity (writes) is logged, so who read what (Secrets included) is never recorded")
        .label("Data Access audit logs off")
        .help(match p.form {
            Form::Resource => "add an `IAMAuditConfig` for `container.googleapis.com` with `auditLogConfigs` of `ADMIN_READ`, `DATA_READ` and `DATA_WRITE`",
            _ => "add `google_project_iam_audit_config` with `service = \"container.googleapis.com\"` and `audit_log_config` blocks for `ADMIN_READ`, `DATA_READ` and `DATA_WRITE`",
        });
    f.severity = Severity::Warning;
    out.push(f);
}
