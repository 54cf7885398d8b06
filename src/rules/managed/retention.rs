//! AL503: how long an EKS cluster's control-plane log group keeps its events: shorter than
//! the configured minimum (`thresholds.log-retention-days`, 90 by default), or never
//! expiring (a note: CloudWatch keeps, and bills, everything).

use crate::catalog::Code;
use crate::config::Config;
use crate::finding::{Finding, Severity};
use crate::model::managed::{log_group_shown, ControlPlane, Facts, Form, Provider, Retention};
use crate::source::SourceFile;
use crate::yaml::Span;

pub fn check(facts: &Facts, config: &Config, out: &mut Vec<Finding>) {
    let minimum = config.thresholds.log_retention_days;
    for p in &facts.planes {
        if p.provider != Provider::Eks || !exports_any(p) {
            continue;
        }
        let (file, retention) = match &p.retention {
            Retention::ByLogGroup => match facts.log_group_of(p) {
                Some(g) => (&g.file, &g.retention),
                // Only when every declared group is known to be another's.
                None if matches!(p.form, Form::Terraform | Form::CloudFormation)
                    && !facts.log_groups.iter().any(|g| g.name.contains("${")) =>
                {
                    // Nobody creates the group: EKS does, without expiry.
                    if let Some(at) = super::log_types_at(p) {
                        out.push(never(&p.file, at, p, true));
                    }
                    continue;
                }
                None => continue,
            },
            own => (&p.file, own),
        };
        match retention {
            Retention::Days(days, at) if i64::from(*days) < minimum => out.push(
                Finding::new(Code::AL503, file, *at)
                    .message(format!(
                        "the cluster's control-plane log group keeps events {days} days, less than the {minimum} days required: an intrusion found later than that has no audit trail left"
                    ))
                    .label(format!("{days} days"))
                    .help(format!(
                        "keep them at least {minimum} days (a CloudWatch retention value such as 90, 180 or 365), or change `thresholds.log-retention-days` in .auditlint.yaml"
                    )),
            ),
            Retention::Never(at) => out.push(never(file, *at, p, false)),
            _ => {}
        }
    }
}

fn exports_any(p: &ControlPlane) -> bool {
    match &p.log_types {
        crate::model::managed::LogTypes::Listed { types, .. } => !types.is_empty(),
        _ => false,
    }
}

fn never(
    file: &std::sync::Arc<SourceFile>,
    at: Span,
    p: &ControlPlane,
    created_by_eks: bool,
) -> Finding {
    let group = log_group_shown(p);
    let message = if created_by_eks {
        format!("no log group `{group}` is declared, so EKS creates it and its events never expire: CloudWatch keeps and bills every audit event forever (unless the group is created elsewhere)")
    } else {
        "the cluster's control-plane log group never expires: CloudWatch keeps and bills every audit event forever".to_owned()
    };
    let help = match p.form {
        Form::Eksctl => "set `cloudWatch.clusterLogging.logRetentionInDays` (for example 365)",
        Form::CloudFormation => "declare the `AWS::Logs::LogGroup` `/aws/eks/<cluster>/cluster` with `RetentionInDays` (for example 365)",
        Form::EksModule => "set `cloudwatch_log_group_retention_in_days` to the days you need (for example 365)",
        _ => "declare the `aws_cloudwatch_log_group` `/aws/eks/<cluster>/cluster` with `retention_in_days` (for example 365), created before the cluster",
    };
    let mut f = Finding::new(Code::AL503, file, at)
        .message(message)
        .label("never expires")
        .help(help);
    f.severity = Severity::Note;
    f
}
