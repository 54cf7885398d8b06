//! The facts a directory's Terraform declares: `aws_eks_cluster`, calls of the EKS module,
//! `aws_cloudwatch_log_group`, `aws_cloudwatch_log_metric_filter`,
//! `google_container_cluster`, `google_project_iam_audit_config`,
//! `azurerm_kubernetes_cluster` and `azurerm_monitor_diagnostic_setting`.

use std::sync::Arc;

use super::eks_module;
use super::resolve::{Scope, Value};
use super::{Body, Expr, Item, Module};
use crate::model::managed::{
    AuditConfig, ControlPlane, DiagnosticSetting, Facts, Form, LogGroup, LogTypes, MetricFilter,
    Provider, Retention, UNKNOWN_NAME,
};
use crate::source::SourceFile;

/// The facts of one directory's files.
pub fn facts(modules: &[&Module]) -> Facts {
    let scope = Scope::new(modules);
    let mut out = Facts::default();
    for m in modules {
        for item in &m.items {
            match item {
                Item::Resource { kind, name, body } => {
                    resource(&scope, &m.file, kind, name, body, &mut out)
                }
                Item::Module { name, body } => {
                    out.planes.extend(eks_module(&scope, &m.file, name, body))
                }
                _ => {}
            }
        }
    }
    out
}

fn plane(
    provider: Provider,
    form: Form,
    file: &Arc<SourceFile>,
    key: String,
    body: &Body,
) -> ControlPlane {
    ControlPlane::new(provider, form, file, body.head, key)
}

/// A list of log types read from `e`.
fn listed(scope: &Scope<'_>, e: &Expr, default: bool) -> LogTypes {
    match scope.value(e) {
        Some(Value::List(_)) => match scope.value(e).and_then(|v| v.strings()) {
            Some(types) => LogTypes::Listed {
                at: e.span,
                types,
                default,
            },
            None => LogTypes::Unknown,
        },
        Some(Value::Null) => LogTypes::Missing { insert: e.span },
        _ => LogTypes::Unknown,
    }
}

fn retention(scope: &Scope<'_>, body: &Body, key: &str) -> Retention {
    match body.attr(key) {
        None => Retention::Never(body.insert),
        Some(e) => match scope.value(e) {
            Some(Value::Null) => Retention::Never(e.span),
            Some(v) => match v.as_days() {
                Some(0) => Retention::Never(e.span),
                Some(d) => Retention::Days(d, e.span),
                None => Retention::Unknown,
            },
            None => Retention::Unknown,
        },
    }
}

fn resource(
    scope: &Scope<'_>,
    file: &Arc<SourceFile>,
    kind: &str,
    name: &str,
    body: &Body,
    out: &mut Facts,
) {
    let key = format!("{kind}.{name}");
    match kind {
        "aws_eks_cluster" => {
            let mut p = plane(Provider::Eks, Form::Terraform, file, key, body);
            p.name = body.attr("name").and_then(|e| scope.name(e));
            p.field = "enabled_cluster_log_types";
            p.log_types = match body.attr("enabled_cluster_log_types") {
                None => LogTypes::Missing {
                    insert: body.insert,
                },
                Some(e) => listed(scope, e, false),
            };
            out.planes.push(p);
        }
        "aws_cloudwatch_log_group" => {
            // A group whose name cannot be read is kept under a name no cluster has: it may
            // be any cluster's.
            let name = body.attr("name").and_then(|e| scope.name(e));
            out.log_groups.push(LogGroup {
                file: Arc::clone(file),
                at: body.head,
                name: name.unwrap_or_else(|| UNKNOWN_NAME.to_owned()),
                retention: retention(scope, body, "retention_in_days"),
            });
        }
        "aws_cloudwatch_log_metric_filter" => {
            let group = body.attr("log_group_name").and_then(|e| scope.name(e));
            let pattern = body.attr("pattern").and_then(|e| scope.name(e));
            if let (Some(log_group), Some(pattern)) = (group, pattern) {
                out.metric_filters.push(MetricFilter {
                    file: Arc::clone(file),
                    log_group,
                    pattern,
                });
            }
        }
        "google_container_cluster" => {
            let mut p = plane(Provider::Gke, Form::Terraform, file, key, body);
            p.name = body.attr("name").and_then(|e| scope.name(e));
            p.node_logs_off = gke_node_logs_off(scope, body);
            out.planes.push(p);
        }
        "google_project_iam_audit_config"
        | "google_organization_iam_audit_config"
        | "google_folder_iam_audit_config" => {
            let service = body
                .attr("service")
                .and_then(|e| scope.value(e))
                .and_then(|v| v.as_str().map(str::to_owned));
            let log_types = body
                .blocks("audit_log_config")
                .filter_map(|b| {
                    scope
                        .value(b.attr("log_type")?)?
                        .as_str()
                        .map(str::to_owned)
                })
                .collect();
            out.audit_configs.push(AuditConfig {
                file: Arc::clone(file),
                service,
                log_types,
            });
        }
        "azurerm_kubernetes_cluster" => {
            let mut p = plane(Provider::Aks, Form::Terraform, file, key, body);
            p.name = body.attr("name").and_then(|e| scope.name(e));
            out.planes.push(p);
        }
        "azurerm_monitor_diagnostic_setting" => {
            // A variable or a module's output may be any resource: the target is unknown.
            let target = body
                .attr("target_resource_id")
                .and_then(|e| scope.name(e))
                .filter(|t| !t.contains("${"));
            let mut logs = Vec::new();
            for b in body.blocks("enabled_log").chain(body.blocks("log")) {
                let enabled = b
                    .attr("enabled")
                    .map_or(Some(true), |e| scope.value(e).and_then(|v| v.as_bool()));
                if enabled != Some(true) {
                    continue;
                }
                for key in ["category", "category_group"] {
                    if let Some(Value::Str(c)) = b.attr(key).and_then(|e| scope.value(e)) {
                        logs.push(c);
                    }
                }
            }
            out.diagnostics.push(DiagnosticSetting {
                file: Arc::clone(file),
                at: body.head,
                target,
                logs,
            });
        }
        _ => {}
    }
}

/// Where a `google_container_cluster` stops shipping node and workload logs:
/// `logging_service = "none"`, or a `logging_config` whose components include neither
/// `SYSTEM_COMPONENTS` nor `WORKLOADS`.
fn gke_node_logs_off(scope: &Scope<'_>, body: &Body) -> Option<(crate::yaml::Span, String)> {
    if let Some(e) = body.attr("logging_service") {
        if scope.value(e)?.as_str()? == "none" {
            return Some((e.span, "`logging_service = \"none\"`".to_owned()));
        }
    }
    let e = body
        .blocks("logging_config")
        .next()?
        .attr("enable_components")?;
    let components = scope.value(e)?.strings()?;
    let ships = components
        .iter()
        .any(|c| c == "SYSTEM_COMPONENTS" || c == "WORKLOADS");
    (!ships).then(|| {
        (
            e.span,
            "`logging_config` enables neither `SYSTEM_COMPONENTS` nor `WORKLOADS`".to_owned(),
        )
    })
}

/// A call of `terraform-aws-modules/eks/aws`, judged by the inputs of the major version it
/// pins; a call whose version is unknown tells only what it sets explicitly.
fn eks_module(
    scope: &Scope<'_>,
    file: &Arc<SourceFile>,
    name: &str,
    body: &Body,
) -> Option<ControlPlane> {
    let source = scope.value(body.attr("source")?)?;
    let source = source.as_str()?;
    if !eks_module::is_eks_module(source) {
        return None;
    }
    let version_expr = body.attr("version");
    let version = match version_expr {
        Some(e) => scope.value(e).and_then(|v| v.as_str().map(str::to_owned)),
        None if source.contains("?ref=") => Some(source.to_owned()),
        None => None,
    };
    let inputs = version
        .as_deref()
        .and_then(eks_module::pinned_major)
        .and_then(eks_module::inputs);
    let mut p = plane(
        Provider::Eks,
        Form::EksModule,
        file,
        format!("module.{name}"),
        body,
    );
    p.log_types = LogTypes::Unknown;
    p.retention = Retention::Unknown;
    // `create = false` (`create_eks` up to v17) makes the call create nothing.
    let off = ["create", "create_eks"].iter().any(|k| {
        body.attr(k)
            .and_then(|e| scope.value(e))
            .and_then(|v| v.as_bool())
            == Some(false)
    });
    if off {
        return None;
    }
    let Some(inputs) = inputs else {
        return Some(p);
    };
    p.name = body.attr(inputs.cluster_name).and_then(|e| scope.name(e));
    p.field = inputs.log_types;
    // Where a default applies: the version that decides it.
    let default_at = version_expr.map_or(body.head, |e| e.span);
    p.log_types = match body.attr(inputs.log_types) {
        Some(e) => listed(scope, e, false),
        None if inputs.default_log_types.is_empty() => LogTypes::Missing {
            insert: body.insert,
        },
        None => LogTypes::Listed {
            at: default_at,
            types: inputs
                .default_log_types
                .iter()
                .map(|t| (*t).to_owned())
                .collect(),
            default: true,
        },
    };
    let own_group = match inputs.create_log_group.and_then(|k| body.attr(k)) {
        Some(e) => scope.value(e).and_then(|v| v.as_bool()),
        None => Some(true),
    };
    p.retention = match own_group {
        Some(true) => match body.attr(inputs.retention) {
            None => Retention::Days(inputs.default_retention, default_at),
            Some(e) => match scope.value(e) {
                Some(Value::Null) => Retention::Days(inputs.default_retention, e.span),
                Some(v) => match v.as_days() {
                    Some(0) => Retention::Never(e.span),
                    Some(d) => Retention::Days(d, e.span),
                    None => Retention::Unknown,
                },
                None => Retention::Unknown,
            },
        },
        Some(false) => Retention::ByLogGroup,
        None => Retention::Unknown,
    };
    Some(p)
}
