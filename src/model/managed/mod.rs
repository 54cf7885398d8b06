//! A managed cluster's control-plane logging, whatever file declares it: which log types
//! EKS exports, where they go and how long they stay, which diagnostic setting exports an AKS
//! cluster's `kube-audit`, which audit configuration turns on GKE's Data Access logs.
//!
//! Readers turn each input form into the same facts: the Kubernetes-shaped forms (eksctl,
//! CloudFormation, ARM, the controllers' CRs, `aws eks describe-cluster`) as each document is
//! read ([`documents`]); Terraform once every file of a directory is read, because a
//! variable's value may be in another file ([`terraform`]). The AL5xx rules (and AL116, the
//! eksctl form of the EKS audit-export rule) judge the facts of a cluster together, since a
//! cluster's log group or diagnostic setting is often written in another file.
//!
//! What the providers do, as checked:
//! - EKS exports no control-plane log type unless asked, and writes the ones it exports to
//!   the CloudWatch log group `/aws/eks/<cluster>/cluster`, which it creates without expiry
//!   when nobody created it first
//!   (<https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html>).
//! - GKE always writes the Kubernetes API's Admin Activity audit log; its Data Access audit
//!   log (ADMIN_READ, DATA_READ, DATA_WRITE) is written only when the project's audit
//!   configuration enables it for `container.googleapis.com` (or `allServices`)
//!   (<https://cloud.google.com/kubernetes-engine/docs/how-to/audit-logging>,
//!   <https://cloud.google.com/kubernetes-engine/docs/concepts/audit-policy>).
//! - AKS exports the API server's audit log only through a diagnostic setting on the
//!   cluster with the `kube-audit` or `kube-audit-admin` category (or the `audit` or
//!   `allLogs` category group)
//!   (<https://learn.microsoft.com/en-us/azure/azure-monitor/reference/supported-logs/microsoft-containerservice-managedclusters-logs>;
//!   `kube-audit-admin` leaves out get and list events).

pub mod documents;
pub mod terraform;

use std::sync::Arc;

use crate::source::SourceFile;
use crate::yaml::Span;

/// Who runs a managed control plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Eks,
    Gke,
    Aks,
}

/// The EKS control-plane log types.
pub const EKS_LOG_TYPES: &[&str] = &[
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

/// How a cluster is declared, for messages that name the field to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Eksctl,
    /// `aws_eks_cluster`, `google_container_cluster`, `azurerm_kubernetes_cluster` (HCL,
    /// `.tf.json` or a plan).
    Terraform,
    /// A call of `terraform-aws-modules/eks/aws`.
    EksModule,
    CloudFormation,
    Arm,
    /// A controller's custom resource (ACK, Crossplane, Config Connector, Azure Service
    /// Operator).
    Resource,
    /// `aws eks describe-cluster` output: what is running.
    Described,
}

/// A managed cluster, as one file declares it.
#[derive(Debug, Clone)]
pub struct ControlPlane {
    pub provider: Provider,
    pub form: Form,
    pub file: Arc<SourceFile>,
    /// The cluster's declaration (a resource block's header, an object).
    pub at: Span,
    /// What other resources call it: a Terraform address, a CloudFormation logical id, an
    /// ARM or custom-resource name.
    pub key: String,
    /// Its name, when known (EKS names its log group after it); unresolved references are
    /// kept as written, so that two uses of the same variable still match.
    pub name: Option<String>,
    /// The EKS log types it exports, and the field that lists them.
    pub log_types: LogTypes,
    pub field: &'static str,
    /// Log types eksctl rejects (AL116), each with why.
    pub rejected: Vec<(Span, String)>,
    /// A retention the declaration sets itself (eksctl, the EKS module), rather than the log
    /// group's.
    pub retention: Retention,
    /// Where a GKE cluster turns off shipping its nodes' and workloads' logs, and how.
    pub node_logs_off: Option<(Span, String)>,
}

impl ControlPlane {
    /// A cluster declared at `at`, with nothing known yet about its logs.
    pub fn new(
        provider: Provider,
        form: Form,
        file: &Arc<SourceFile>,
        at: Span,
        key: String,
    ) -> Self {
        ControlPlane {
            provider,
            form,
            file: Arc::clone(file),
            at,
            key,
            name: None,
            log_types: LogTypes::NotApplicable,
            field: "",
            rejected: Vec::new(),
            retention: Retention::ByLogGroup,
            node_logs_off: None,
        }
    }
}

/// Which log types a cluster exports.
#[derive(Debug, Clone, PartialEq)]
pub enum LogTypes {
    /// Not an EKS notion (GKE, AKS).
    NotApplicable,
    /// No list at all: nothing is exported. `insert` is where the field goes.
    Missing { insert: Span },
    /// A list, or a module default (`at` is then the module's version).
    Listed {
        at: Span,
        types: Vec<String>,
        default: bool,
    },
    /// A value that cannot be resolved: nothing is said.
    Unknown,
}

impl LogTypes {
    /// Whether `kind` is exported; `None` when that is not known.
    pub fn exports(&self, kind: &str) -> Option<bool> {
        match self {
            LogTypes::Missing { .. } => Some(false),
            LogTypes::Listed { types, .. } => Some(types.iter().any(|t| t == kind || t == "*")),
            _ => None,
        }
    }
}

/// The name a log group is kept under when its name cannot be read: no cluster's, and the
/// sign that it may be any cluster's.
pub const UNKNOWN_NAME: &str = "${?}";

/// How long a log group keeps its events.
#[derive(Debug, Clone, PartialEq)]
pub enum Retention {
    /// Decided by the log group (a separate resource, or the one EKS creates).
    ByLogGroup,
    /// Days, where they are set (or the default that applies, at the module's version).
    Days(u32, Span),
    /// Never expires; `at` is where retention would be set.
    Never(Span),
    Unknown,
}

/// A CloudWatch log group.
#[derive(Debug, Clone)]
pub struct LogGroup {
    pub file: Arc<SourceFile>,
    pub at: Span,
    /// Its name, references to a cluster written `{KEY}` when the cluster's name is unknown.
    pub name: String,
    pub retention: Retention,
}

/// A CloudWatch metric filter.
#[derive(Debug, Clone)]
pub struct MetricFilter {
    pub file: Arc<SourceFile>,
    pub log_group: String,
    pub pattern: String,
}

/// An Azure diagnostic setting.
#[derive(Debug, Clone)]
pub struct DiagnosticSetting {
    pub file: Arc<SourceFile>,
    pub at: Span,
    /// The resource it is on, as written (an address, an ARM expression, a name); `None`
    /// when it cannot be read.
    pub target: Option<String>,
    /// Enabled categories and category groups.
    pub logs: Vec<String>,
}

/// A Google Cloud audit configuration (`google_project_iam_audit_config`,
/// `IAMAuditConfig`).
#[derive(Debug, Clone)]
pub struct AuditConfig {
    pub file: Arc<SourceFile>,
    pub service: Option<String>,
    pub log_types: Vec<String>,
}

/// Every fact of this module, as a file or a directory leaves them.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub planes: Vec<ControlPlane>,
    pub log_groups: Vec<LogGroup>,
    pub metric_filters: Vec<MetricFilter>,
    pub diagnostics: Vec<DiagnosticSetting>,
    pub audit_configs: Vec<AuditConfig>,
}

impl Facts {
    pub fn extend(&mut self, other: Facts) {
        self.planes.extend(other.planes);
        self.log_groups.extend(other.log_groups);
        self.metric_filters.extend(other.metric_filters);
        self.diagnostics.extend(other.diagnostics);
        self.audit_configs.extend(other.audit_configs);
    }

    pub fn is_empty(&self) -> bool {
        self.planes.is_empty()
    }

    /// The log group an EKS cluster writes to, when one is declared.
    pub fn log_group_of(&self, plane: &ControlPlane) -> Option<&LogGroup> {
        self.log_groups
            .iter()
            .find(|g| log_group_names(plane).contains(&g.name))
    }

    /// The provider the clusters of these facts are run by, when it is one.
    pub fn provider(&self) -> Option<Provider> {
        let first = self.planes.first()?.provider;
        self.planes
            .iter()
            .all(|p| p.provider == first)
            .then_some(first)
    }
}

/// The names an EKS cluster's log group may be written with: after its name, or after the
/// reference to it.
pub fn log_group_names(plane: &ControlPlane) -> Vec<String> {
    let mut names = vec![format!("/aws/eks/{{{}}}/cluster", plane.key)];
    if let Some(name) = &plane.name {
        names.push(format!("/aws/eks/{name}/cluster"));
    }
    names
}

/// The cluster's log group as a message names it: `/aws/eks/<cluster>/cluster` when its
/// name is not known.
pub fn log_group_shown(plane: &ControlPlane) -> String {
    match &plane.name {
        Some(n) if !n.contains('{') => format!("/aws/eks/{n}/cluster"),
        _ => "/aws/eks/<cluster>/cluster".to_owned(),
    }
}

/// Whether a metric filter pattern counts authentication or authorisation failures.
pub fn watches_denials(pattern: &str) -> bool {
    ["401", "403"].iter().any(|code| pattern.contains(code))
        || ["unauthorized", "forbidden"]
            .iter()
            .any(|w| pattern.to_ascii_lowercase().contains(w))
}
