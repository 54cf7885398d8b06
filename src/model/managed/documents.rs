//! The managed-cluster facts of YAML and JSON documents: eksctl `ClusterConfig`,
//! CloudFormation templates (YAML with `!Ref`/`!Sub` tags, or JSON; CDK synth output),
//! ARM templates (and Bicep compiled to ARM), the controllers' custom resources (ACK,
//! both Crossplane AWS providers, Config Connector, Azure Service Operator) and
//! `aws eks describe-cluster` output.

use std::sync::Arc;

use super::{
    AuditConfig, ControlPlane, DiagnosticSetting, Facts, Form, LogGroup, LogTypes, MetricFilter,
    Provider, Retention, EKS_LOG_TYPES, UNKNOWN_NAME,
};
use crate::source::SourceFile;
use crate::yaml::{Node, Span};

/// The facts of one document (or `kind: List` item).
pub fn read(root: Node<'_>, file: &Arc<SourceFile>) -> Facts {
    let mut out = Facts::default();
    let api = root.get_str("apiVersion").unwrap_or("");
    let group = api.split('/').next().unwrap_or("");
    let kind = root.get_str("kind").unwrap_or("");
    let name = root.path(&["metadata", "name"]).and_then(|n| n.str());
    let at = root.get("kind").map_or(root.span(), |k| k.span());
    let plane =
        |provider, form, key: &str| ControlPlane::new(provider, form, file, at, key.to_owned());
    match (group, kind) {
        ("eksctl.io", "ClusterConfig") => out.planes.push(eksctl(
            root,
            plane(Provider::Eks, Form::Eksctl, name.unwrap_or("")),
        )),
        ("eks.services.k8s.aws", "Cluster") => {
            let mut p = plane(Provider::Eks, Form::Resource, name.unwrap_or(""));
            p.name = root
                .path(&["spec", "name"])
                .and_then(|n| n.str())
                .or(name)
                .map(str::to_owned);
            p.field = "spec.logging.clusterLogging";
            let spec = root.get("spec").unwrap_or(root);
            p.log_types = cluster_logging(
                &file.text,
                root.path(&["spec", "logging", "clusterLogging"]),
                "types",
                "enabled",
                spec,
            );
            out.planes.push(p);
        }
        ("eks.aws.upbound.io", "Cluster") => {
            let mut p = plane(Provider::Eks, Form::Resource, name.unwrap_or(""));
            p.name = name.map(str::to_owned);
            p.field = "spec.forProvider.enabledClusterLogTypes";
            let at = root.path(&["spec", "forProvider"]).unwrap_or(root);
            p.log_types = match root.path(&["spec", "forProvider", "enabledClusterLogTypes"]) {
                None => LogTypes::Missing {
                    insert: Span::point(at.span().end),
                },
                Some(list) => strings(list, &file.text),
            };
            out.planes.push(p);
        }
        ("eks.aws.crossplane.io", "Cluster") => {
            let mut p = plane(Provider::Eks, Form::Resource, name.unwrap_or(""));
            p.name = name.map(str::to_owned);
            p.field = "spec.forProvider.logging.clusterLogging";
            let at = root.path(&["spec", "forProvider"]).unwrap_or(root);
            p.log_types = cluster_logging(
                &file.text,
                root.path(&["spec", "forProvider", "logging", "clusterLogging"]),
                "types",
                "enabled",
                at,
            );
            out.planes.push(p);
        }
        ("container.cnrm.cloud.google.com", "ContainerCluster") => {
            let mut p = plane(Provider::Gke, Form::Resource, name.unwrap_or(""));
            p.name = name.map(str::to_owned);
            if let Some(s) = root
                .path(&["spec", "loggingService"])
                .filter(|s| s.str() == Some("none"))
            {
                p.node_logs_off = Some((s.span(), "`spec.loggingService: none`".to_owned()));
            }
            out.planes.push(p);
        }
        ("iam.cnrm.cloud.google.com", "IAMAuditConfig") => out.audit_configs.push(AuditConfig {
            file: Arc::clone(file),
            service: root
                .path(&["spec", "service"])
                .and_then(|s| s.str())
                .map(str::to_owned),
            log_types: root
                .path(&["spec", "auditLogConfigs"])
                .into_iter()
                .flat_map(|l| l.items())
                .filter_map(|c| c.get_str("logType").map(str::to_owned))
                .collect(),
        }),
        ("containerservice.azure.com", "ManagedCluster") => {
            let mut p = plane(Provider::Aks, Form::Resource, name.unwrap_or(""));
            p.name = root
                .path(&["spec", "azureName"])
                .and_then(|n| n.str())
                .or(name)
                .map(str::to_owned);
            out.planes.push(p);
        }
        ("insights.azure.com", "DiagnosticSetting") => {
            let owner = root.path(&["spec", "owner"]);
            out.diagnostics.push(DiagnosticSetting {
                file: Arc::clone(file),
                at: root.get("kind").map_or(root.span(), |k| k.span()),
                target: owner
                    .and_then(|o| o.get_str("name").or_else(|| o.get_str("armId")))
                    .map(str::to_owned),
                logs: enabled_logs(
                    root.path(&["spec", "logs"]),
                    "category",
                    "categoryGroup",
                    "enabled",
                ),
            });
        }
        _ => {}
    }
    // `aws eks describe-cluster` (`cluster.logging`), or the DescribeCluster response as the
    // Go SDK names it (`Cluster.Logging`), as kubescape stores it (`data.Cluster`).
    let described = [("cluster", false), ("Cluster", true)]
        .into_iter()
        .find_map(|(key, sdk)| {
            let at = root.get(key).or_else(|| root.path(&["data", key]))?;
            let arn = at.get_str(if sdk { "Arn" } else { "arn" })?;
            (arn.starts_with("arn:aws") && arn.contains(":eks:")).then_some((at, sdk))
        });
    if let Some((cluster, sdk)) = described {
        let key = |k: &'static str, sdk_k: &'static str| if sdk { sdk_k } else { k };
        let cluster_name = cluster.get_str(key("name", "Name"));
        let mut p = plane(Provider::Eks, Form::Described, cluster_name.unwrap_or(""));
        p.at = cluster
            .path(&[key("logging", "Logging")])
            .map_or(Span::new(cluster.span().start, cluster.span().start), |l| {
                l.span()
            });
        p.name = cluster_name.map(str::to_owned);
        p.field = key("logging.clusterLogging", "Logging.ClusterLogging");
        p.log_types = cluster_logging(
            &file.text,
            cluster.path(&[
                key("logging", "Logging"),
                key("clusterLogging", "ClusterLogging"),
            ]),
            key("types", "Types"),
            key("enabled", "Enabled"),
            cluster,
        );
        // What runs is set with `aws eks update-cluster-config`; the log group EKS created is
        // not in this output.
        p.retention = Retention::Unknown;
        out.planes.push(p);
    }
    if let Some(resources) = root.get("Resources").filter(|r| r.is_map()) {
        cloudformation(root, resources, file, &mut out);
    }
    if root
        .get_str("$schema")
        .is_some_and(|s| s.contains("deploymentTemplate"))
    {
        if let Some(resources) = root.get("resources") {
            arm(resources, None, file, &mut out);
        }
    }
    out
}

/// A list's span without the lines that follow a block sequence (which the parser counts
/// in it), so that a finding underlines the list alone.
fn tight(list: Node<'_>, text: &str) -> Span {
    Span::new(list.span().start, content_end(list, text))
}

/// Where a node's own text ends: a block collection ends with its last value.
fn content_end(n: Node<'_>, text: &str) -> usize {
    let span = n.span();
    let flow = text
        .get(span.start..)
        .is_some_and(|t| t.starts_with('[') || t.starts_with('{'));
    let last = if n.is_map() {
        n.entries().last().map(|(_, v)| v)
    } else {
        n.items().last()
    };
    match last {
        Some(last) if !flow => content_end(last, text),
        _ => span.end,
    }
}

/// A list of strings; `Unknown` when an entry is not a plain string.
fn strings(list: Node<'_>, text: &str) -> LogTypes {
    let types: Option<Vec<String>> = list
        .items()
        .map(|t| t.str().filter(|_| t.tag().is_none()).map(str::to_owned))
        .collect();
    match types {
        Some(types) if list.is_seq() => LogTypes::Listed {
            at: tight(list, text),
            types,
            default: false,
        },
        _ => LogTypes::Unknown,
    }
}

/// `[{types: [...], enabled: bool}]`, EKS's own shape (ACK, Crossplane community, the EKS
/// API): the types of the entries that are enabled.
fn cluster_logging(
    text: &str,
    list: Option<Node<'_>>,
    types: &str,
    enabled: &str,
    parent: Node<'_>,
) -> LogTypes {
    let Some(list) = list else {
        return LogTypes::Missing {
            insert: Span::point(parent.span().end),
        };
    };
    let mut out = Vec::new();
    for entry in list.items() {
        let on = match entry.get(enabled) {
            None => true,
            Some(e) => match e.scalar().and_then(|s| s.as_bool()) {
                Some(b) => b,
                None => return LogTypes::Unknown,
            },
        };
        let Some(LogTypes::Listed { types: listed, .. }) =
            entry.get(types).map(|t| strings(t, text))
        else {
            return LogTypes::Unknown;
        };
        if on {
            out.extend(listed);
        }
    }
    LogTypes::Listed {
        at: tight(list, text),
        types: out,
        default: false,
    }
}

/// eksctl's `cloudWatch.clusterLogging`: the log types (eksctl rejects miscased types and a
/// `*`/`all` that is not alone), and the retention it sets on the log group.
fn eksctl(root: Node<'_>, mut p: ControlPlane) -> ControlPlane {
    p.name = root
        .path(&["metadata", "name"])
        .and_then(|n| n.str())
        .map(str::to_owned);
    p.field = "cloudWatch.clusterLogging.enableTypes";
    let logging = root.path(&["cloudWatch", "clusterLogging"]);
    let Some(types) = logging
        .and_then(|l| l.get("enableTypes"))
        .filter(|t| t.is_seq() && !t.is_empty())
    else {
        let at = logging
            .or_else(|| root.get("cloudWatch"))
            .map_or(root.span().end, |n| n.span().end);
        p.log_types = LogTypes::Missing {
            insert: Span::point(at),
        };
        return p;
    };
    let values: Vec<(&str, Span)> = types
        .items()
        .filter_map(|t| Some((t.str()?, t.span())))
        .collect();
    for &(value, span) in &values {
        let wildcard = matches!(value, "*" | "all");
        let problem = if wildcard && values.len() > 1 {
            Some(format!("`{value}` only means every log type when it is the only entry; with other entries eksctl rejects it as an unknown log type"))
        } else if !wildcard && !EKS_LOG_TYPES.contains(&value) {
            Some(
                match EKS_LOG_TYPES.iter().find(|t| t.eq_ignore_ascii_case(value)) {
                    Some(t) => format!(
                        "log type `{value}` is miscased: eksctl rejects it (did you mean `{t}`?)"
                    ),
                    None => format!("`{value}` is not a control-plane log type: eksctl rejects it"),
                },
            )
        } else {
            None
        };
        p.rejected.extend(problem.map(|m| (span, m)));
    }
    let all = values.iter().any(|(v, _)| matches!(*v, "*" | "all"));
    p.log_types = LogTypes::Listed {
        at: tight(types, &p.file.text),
        types: if all {
            EKS_LOG_TYPES.iter().map(|t| (*t).to_owned()).collect()
        } else {
            values.iter().map(|(v, _)| (*v).to_owned()).collect()
        },
        default: false,
    };
    let logging = logging.unwrap_or(root);
    p.retention = match logging.get("logRetentionInDays") {
        None => Retention::Never(Span::point(logging.span().end)),
        Some(d) => match d.scalar().and_then(|s| s.as_int()) {
            Some(0) => Retention::Never(d.span()),
            Some(n) if n > 0 => Retention::Days(n as u32, d.span()),
            _ => Retention::Unknown,
        },
    };
    p
}

/// Enabled diagnostic categories: `[{category|categoryGroup, enabled}]`.
fn enabled_logs(list: Option<Node<'_>>, category: &str, group: &str, enabled: &str) -> Vec<String> {
    list.into_iter()
        .flat_map(|l| l.items())
        .filter(|l| {
            l.get(enabled)
                .is_none_or(|e| e.scalar().and_then(|s| s.as_bool()) == Some(true))
        })
        .filter_map(|l| {
            l.get_str(category)
                .or_else(|| l.get_str(group))
                .map(str::to_owned)
        })
        .collect()
}

/// A CloudFormation value as a name: a string, a `Ref` to a parameter with a default or to a
/// resource, or a `Sub` whose `${X}` are such references. A reference to a resource whose
/// name is unknown is written `{X}`; `${AWS::StackName}` and the like are kept as written.
fn cfn_name(n: Node<'_>, template: Node<'_>) -> Option<String> {
    cfn_name_at(n, template, 0)
}

fn cfn_name_at(n: Node<'_>, template: Node<'_>, depth: usize) -> Option<String> {
    // Deeper than any real template: a reference cycle.
    if depth > 8 {
        return None;
    }
    let reference = |id: &str| -> String {
        if let Some(d) = template
            .path(&["Parameters", id, "Default"])
            .and_then(|d| d.str())
        {
            return d.to_owned();
        }
        let Some(resource) = template.path(&["Resources", id]) else {
            return format!("${{{id}}}");
        };
        resource
            .path(&["Properties", "Name"])
            .or_else(|| resource.path(&["Properties", "LogGroupName"]))
            .and_then(|n| cfn_name_at(n, template, depth + 1))
            .unwrap_or_else(|| format!("{{{id}}}"))
    };
    let sub = |text: &str| -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            out.push_str(&reference(&rest[start + 2..start + len]));
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        out
    };
    if n.is_map() {
        if let Some(id) = n.get_str("Ref") {
            return Some(reference(id));
        }
        return n
            .get("Fn::Sub")
            .filter(|s| s.is_scalar())
            .and_then(|s| s.str())
            .map(sub);
    }
    match n.tag() {
        Some("Ref") => n.str().map(reference),
        Some("Sub") => n.str().map(sub),
        None if n.is_scalar() => n.str().map(str::to_owned),
        _ => None,
    }
}

fn cloudformation(
    template: Node<'_>,
    resources: Node<'_>,
    file: &Arc<SourceFile>,
    out: &mut Facts,
) {
    for (id_node, r) in resources.entries() {
        let (Some(id), Some(kind)) = (id_node.str(), r.get_str("Type")) else {
            continue;
        };
        let props = r.get("Properties");
        let prop = |k: &str| props.and_then(|p| p.get(k));
        match kind {
            "AWS::EKS::Cluster" => {
                let types =
                    props.and_then(|p| p.path(&["Logging", "ClusterLogging", "EnabledTypes"]));
                let log_types = match types {
                    None => LogTypes::Missing {
                        insert: Span::point(props.unwrap_or(r).span().end),
                    },
                    Some(list) => {
                        let listed: Option<Vec<String>> = list
                            .items()
                            .map(|t| {
                                t.get("Type")
                                    .filter(|t| t.tag().is_none())
                                    .and_then(|t| t.str())
                                    .map(str::to_owned)
                            })
                            .collect();
                        match listed {
                            Some(types) if list.is_seq() => LogTypes::Listed {
                                at: tight(list, &file.text),
                                types,
                                default: false,
                            },
                            _ => LogTypes::Unknown,
                        }
                    }
                };
                let mut p = ControlPlane::new(
                    Provider::Eks,
                    Form::CloudFormation,
                    file,
                    id_node.span(),
                    id.to_owned(),
                );
                p.name = prop("Name").and_then(|n| cfn_name(n, template));
                p.log_types = log_types;
                p.field = "Logging.ClusterLogging.EnabledTypes";
                out.planes.push(p);
            }
            "AWS::Logs::LogGroup" => {
                // Without `LogGroupName` CloudFormation generates a name, never EKS's; one that
                // cannot be read may be any cluster's.
                let Some(name) = prop("LogGroupName")
                    .map(|n| cfn_name(n, template).unwrap_or_else(|| UNKNOWN_NAME.to_owned()))
                else {
                    continue;
                };
                let retention = match prop("RetentionInDays") {
                    None => Retention::Never(Span::point(props.unwrap_or(r).span().end)),
                    Some(d) => match d
                        .scalar()
                        .filter(|_| d.tag().is_none())
                        .and_then(|s| s.as_int())
                        .or_else(|| d.str().and_then(|t| t.parse().ok()))
                    {
                        Some(n) if n > 0 => Retention::Days(n as u32, d.span()),
                        _ => Retention::Unknown,
                    },
                };
                out.log_groups.push(LogGroup {
                    file: Arc::clone(file),
                    at: id_node.span(),
                    name,
                    retention,
                });
            }
            "AWS::Logs::MetricFilter" => {
                let group = prop("LogGroupName").and_then(|n| cfn_name(n, template));
                let pattern = prop("FilterPattern").and_then(|p| p.str());
                if let (Some(log_group), Some(pattern)) = (group, pattern) {
                    out.metric_filters.push(MetricFilter {
                        file: Arc::clone(file),
                        log_group,
                        pattern: pattern.to_owned(),
                    });
                }
            }
            _ => {}
        }
    }
}

/// ARM resources (and the resources nested in them): managed clusters, and diagnostic
/// settings with the resource they are on (their `scope`, or the resource they are nested
/// in, or the `cluster/Microsoft.Insights/name` of the older nested type).
fn arm(resources: Node<'_>, parent: Option<&str>, file: &Arc<SourceFile>, out: &mut Facts) {
    for r in resources.items() {
        let kind = r.get_str("type").unwrap_or("").to_ascii_lowercase();
        let name = r.get_str("name");
        let at = r.get("type").map_or(r.span(), |t| t.span());
        if kind == "microsoft.containerservice/managedclusters" {
            let mut p = ControlPlane::new(
                Provider::Aks,
                Form::Arm,
                file,
                at,
                name.unwrap_or("").to_owned(),
            );
            p.name = name.map(str::to_owned);
            out.planes.push(p);
        } else if kind.ends_with("diagnosticsettings") {
            let target = if kind.starts_with("microsoft.containerservice/managedclusters/") {
                name.map(|n| n.to_owned())
            } else {
                r.get_str("scope")
                    .map(str::to_owned)
                    .or_else(|| parent.map(str::to_owned))
            };
            // An ARM expression that names no managed cluster may be any resource: unknown.
            let target = target.filter(|t| {
                !t.starts_with('[') || t.to_ascii_lowercase().contains("managedclusters")
            });
            out.diagnostics.push(DiagnosticSetting {
                file: Arc::clone(file),
                at,
                target,
                logs: enabled_logs(
                    r.path(&["properties", "logs"]),
                    "category",
                    "categoryGroup",
                    "enabled",
                ),
            });
        }
        if let Some(nested) = r.get("resources") {
            let own = (kind == "microsoft.containerservice/managedclusters")
                .then_some(name)
                .flatten();
            arm(nested, own.or(parent), file, out);
        }
    }
}
