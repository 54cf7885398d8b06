//! Managed control planes (AL5xx, AL116): every input form is read into the same model, with
//! Terraform values resolved per directory and nothing guessed.

mod common;

use auditlint::config::{Config, Managed};
use auditlint::engine::{self, Report, Text};

fn scan_with(files: &[(&str, &str)], config: &Config) -> Report {
    let texts = files
        .iter()
        .map(|(path, text)| Text {
            display: (*path).to_owned(),
            text: (*text).to_owned(),
            abs_path: None,
        })
        .collect();
    engine::scan_texts(texts, config)
}

fn scan(files: &[(&str, &str)]) -> Report {
    let mut config = Config::new();
    config.extend_select.push("AL504".into());
    scan_with(files, &config)
}

/// `CODE path:line` of each active finding of the AL5xx and AL0xx rules and AL116, with the
/// text it points at.
fn hits(report: &Report) -> Vec<String> {
    report
        .active()
        .filter(|f| {
            let c = f.code();
            c.starts_with("AL5") || c.starts_with("AL0") || c == "AL116"
        })
        .map(|f| {
            format!(
                "{} {}:{} `{}`",
                f.code(),
                f.file.path,
                f.file.position(f.span.start).line,
                f.file.slice(f.span)
            )
        })
        .collect()
}

fn codes(report: &Report) -> Vec<&str> {
    let mut c: Vec<&str> = report
        .active()
        .map(|f| f.code())
        .filter(|c| c.starts_with("AL5") || *c == "AL116")
        .collect();
    c.sort_unstable();
    c
}

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/managed")
            .join(rel),
    )
    .unwrap()
}

const WATCHED: &str = r#"
resource "aws_cloudwatch_log_metric_filter" "denied" {
  name           = "denied"
  log_group_name = "/aws/eks/prod/cluster"
  pattern        = "{ $.responseStatus.code = 403 }"
  metric_transformation {
    name      = "Denied"
    namespace = "EKS"
    value     = "1"
  }
}
"#;

fn module(version: &str, inputs: &str) -> String {
    format!(
        "module \"eks\" {{\n  source  = \"terraform-aws-modules/eks/aws\"\n  version = \"{version}\"\n  cluster_name = \"prod\"\n  name = \"prod\"\n{inputs}}}\n{WATCHED}"
    )
}

#[test]
fn the_eks_module_on_its_defaults_is_clean_from_v18() {
    for v in ["~> 18.0", "~> 19.21", "20.37.2", "~> 21.0"] {
        let r = scan(&[("infra/main.tf", &module(v, ""))]);
        assert!(hits(&r).is_empty(), "{v}: {:?}", hits(&r));
    }
}

#[test]
fn the_eks_module_before_v18_exports_nothing_by_default() {
    let r = scan(&[("infra/main.tf", &module("~> 17.24", ""))]);
    assert_eq!(codes(&r), ["AL501"]);
}

#[test]
fn an_explicit_list_without_audit_is_found_at_the_list() {
    let text = module(
        "~> 20.0",
        "  cluster_enabled_log_types = [\"api\", \"authenticator\"]\n",
    );
    let r = scan(&[("infra/main.tf", &text)]);
    assert_eq!(
        hits(&r),
        ["AL501 infra/main.tf:6 `[\"api\", \"authenticator\"]`"]
    );
    // v21 renamed the input: the old name is not read there.
    let text = module("~> 21.0", "  enabled_log_types = [\"audit\"]\n");
    let r = scan(&[("infra/main.tf", &text)]);
    assert_eq!(codes(&r), ["AL502"]);
}

#[test]
fn a_module_call_that_creates_nothing_is_no_cluster() {
    let r = scan(&[("main.tf", &module("~> 17.0", "  create_eks = false\n"))]);
    assert!(codes(&r).is_empty(), "{:?}", hits(&r));
    assert!(r.clusters.iter().all(|c| !c.judged));
}

#[test]
fn an_unpinned_or_unknown_module_version_gives_nothing_from_defaults() {
    for v in [">= 18.0", "~> 11.0", "~> 22.0"] {
        let r = scan(&[("infra/main.tf", &module(v, ""))]);
        assert!(codes(&r).is_empty(), "{v}: {:?}", hits(&r));
    }
}

#[test]
fn module_retention_below_the_minimum_and_the_configured_minimum() {
    let text = module("~> 20.0", "  cloudwatch_log_group_retention_in_days = 30\n");
    let r = scan(&[("infra/main.tf", &text)]);
    assert_eq!(hits(&r), ["AL503 infra/main.tf:6 `30`"]);
    let mut config = Config::new();
    config.thresholds.log_retention_days = 30;
    assert!(hits(&scan_with(&[("infra/main.tf", &text)], &config)).is_empty());
}

const CLUSTER: &str = r#"
resource "aws_eks_cluster" "prod" {
  name                      = var.name
  role_arn                  = "arn:aws:iam::123456789012:role/eks"
  enabled_cluster_log_types = var.log_types
  vpc_config {
    subnet_ids = ["subnet-1"]
  }
}

resource "aws_cloudwatch_log_group" "prod" {
  name              = "/aws/eks/${var.name}/cluster"
  retention_in_days = 365
}
"#;

#[test]
fn a_variable_is_resolved_from_tfvars_of_its_directory_over_its_default() {
    let vars = "variable \"log_types\" {\n  default = [\"audit\", \"authenticator\"]\n}\nvariable \"name\" {}\n";
    let r = scan(&[
        ("infra/main.tf", CLUSTER),
        ("infra/variables.tf", vars),
        ("infra/terraform.tfvars", "log_types = [\"api\"]\n"),
    ]);
    assert_eq!(
        hits(&r),
        [
            "AL501 infra/main.tf:5 `var.log_types`",
            "AL502 infra/main.tf:5 `var.log_types`"
        ],
        "the tfvars value wins over the default"
    );
    // A .tfvars file Terraform does not load by itself gives no value; the default holds.
    let r = scan(&[
        ("infra/main.tf", CLUSTER),
        ("infra/variables.tf", vars),
        ("infra/prod.tfvars", "log_types = [\"api\"]\n"),
    ]);
    assert!(codes(&r).iter().all(|c| *c == "AL504"), "{:?}", hits(&r));
    // Another directory's tfvars says nothing about this one.
    let r = scan(&[
        ("infra/main.tf", CLUSTER),
        ("infra/variables.tf", vars),
        ("other/terraform.tfvars", "log_types = [\"api\"]\n"),
    ]);
    assert!(!codes(&r).contains(&"AL501"));
}

#[test]
fn an_unresolvable_variable_gives_no_finding() {
    let vars = "variable \"log_types\" {\n  type = list(string)\n}\nvariable \"name\" {}\n";
    let r = scan(&[("infra/main.tf", CLUSTER), ("infra/variables.tf", vars)]);
    assert!(hits(&r).is_empty(), "{:?}", hits(&r));
    // The log group named after the same unresolved variable is still the cluster's: its
    // retention is read.
    let short = CLUSTER.replace("365", "7");
    let vars = "variable \"log_types\" {\n  default = [\"audit\", \"authenticator\"]\n}\nvariable \"name\" {}\n";
    let r = scan(&[("infra/main.tf", &short), ("infra/variables.tf", vars)]);
    assert_eq!(codes(&r), ["AL503", "AL504"]);
}

#[test]
fn a_cluster_without_log_types_and_a_group_that_never_expires() {
    let text = r#"
resource "aws_eks_cluster" "prod" {
  name     = "prod"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  vpc_config {
    subnet_ids = ["subnet-1"]
  }
}
"#;
    let r = scan(&[("main.tf", text)]);
    assert_eq!(
        hits(&r),
        ["AL501 main.tf:8 ``"],
        "inserted before the closing brace"
    );
    let text = text.replace(
        "role_arn",
        "enabled_cluster_log_types = [\"audit\", \"authenticator\"]\n  role_arn",
    );
    let r = scan(&[("main.tf", &text)]);
    let notes: Vec<_> = r.active().filter(|f| f.code() == "AL503").collect();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].severity, auditlint::finding::Severity::Note);
    assert!(notes[0].message.contains("EKS creates it"));
    // A group whose name cannot be resolved may be this cluster's: no note.
    let group = "resource \"aws_cloudwatch_log_group\" \"g\" {\n  name = var.group\n}\n";
    let r = scan(&[("main.tf", &text), ("groups.tf", group)]);
    assert!(r.active().all(|f| f.code() != "AL503"));
}

#[test]
fn a_plan_has_every_value_resolved() {
    let r = scan(&[("plan.json", &fixture("plan/plan.json"))]);
    assert_eq!(
        hits(&r),
        [
            "AL501 plan.json:14 `[\"api\", \"scheduler\"]`",
            "AL502 plan.json:14 `[\"api\", \"scheduler\"]`",
            "AL503 plan.json:25 `0`"
        ]
    );
}

#[test]
fn cloudformation_with_ref_and_sub() {
    let r = scan(&[("stack.yaml", &fixture("cloudformation/template.yaml"))]);
    assert_eq!(
        hits(&r),
        ["AL504 stack.yaml:7 `Cluster`", "AL503 stack.yaml:23 `14`"]
    );
    // JSON, with Fn::Sub and a cluster named by its logical id.
    let json = r#"{"Resources": {
  "Eks": {"Type": "AWS::EKS::Cluster", "Properties": {"RoleArn": "r", "ResourcesVpcConfig": {"SubnetIds": ["s"]}}},
  "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": {"Fn::Sub": "/aws/eks/${Eks}/cluster"}, "RetentionInDays": 7}}
}}"#;
    let r = scan(&[("stack.json", json)]);
    assert_eq!(codes(&r), ["AL501"], "{:?}", hits(&r));
}

#[test]
fn ack_and_crossplane_resources() {
    let r = scan(&[("ack.yaml", &fixture("ack/cluster.yaml"))]);
    assert_eq!(codes(&r), ["AL501", "AL502"], "the audit entry is disabled");
    let upbound = "apiVersion: eks.aws.upbound.io/v1beta1\nkind: Cluster\nmetadata: {name: a}\nspec:\n  forProvider:\n    region: eu-west-1\n    enabledClusterLogTypes: [audit, authenticator]\n";
    assert!(codes(&scan(&[("a.yaml", upbound)]))
        .iter()
        .all(|c| *c == "AL504"));
    let community = "apiVersion: eks.aws.crossplane.io/v1beta1\nkind: Cluster\nmetadata: {name: b}\nspec:\n  forProvider:\n    region: eu-west-1\n";
    assert_eq!(codes(&scan(&[("b.yaml", community)])), ["AL501"]);
}

#[test]
fn eksctl_is_reported_under_al116_only() {
    let text = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: prod, region: eu-west-1}\ncloudWatch:\n  clusterLogging:\n    enableTypes: [api]\n    logRetentionInDays: 400\n";
    let r = scan(&[("cluster.yaml", text)]);
    assert_eq!(codes(&r), ["AL116", "AL502"]);
}

#[test]
fn describe_cluster_output() {
    let text = r#"{"cluster": {"name": "prod", "arn": "arn:aws:eks:eu-west-1:123456789012:cluster/prod",
  "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": true},
                                 {"types": ["scheduler"], "enabled": false}]}}}"#;
    assert!(codes(&scan(&[("prod.json", text)])).is_empty());
    let off = text.replace("\"enabled\": true", "\"enabled\": false");
    assert_eq!(codes(&scan(&[("prod.json", &off)])), ["AL501"]);
}

const GKE: &str = r#"
resource "google_container_cluster" "primary" {
  name     = "primary"
  location = "europe-west1"
}
"#;

#[test]
fn gke_needs_data_access_audit_logs_for_the_kubernetes_api() {
    let r = scan(&[("gke/main.tf", GKE)]);
    let f: Vec<_> = r.active().filter(|f| f.code() == "AL501").collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, auditlint::finding::Severity::Warning);
    let audit = r#"
resource "google_project_iam_audit_config" "k8s" {
  project = "my-project"
  service = "container.googleapis.com"
  audit_log_config {
    log_type = "DATA_READ"
  }
}
"#;
    assert!(codes(&scan(&[("gke/main.tf", GKE), ("gke/audit.tf", audit)])).is_empty());
    let other = audit.replace("container.googleapis.com", "storage.googleapis.com");
    assert_eq!(
        codes(&scan(&[("gke/main.tf", GKE), ("gke/audit.tf", &other)])),
        ["AL501"]
    );
    let kcc = "apiVersion: container.cnrm.cloud.google.com/v1beta1\nkind: ContainerCluster\nmetadata: {name: c}\nspec: {location: europe-west1}\n---\napiVersion: iam.cnrm.cloud.google.com/v1beta1\nkind: IAMAuditConfig\nmetadata: {name: a}\nspec:\n  service: allServices\n  auditLogConfigs: [{logType: DATA_WRITE}]\n";
    assert!(codes(&scan(&[("kcc.yaml", kcc)])).is_empty());
}

const AKS: &str = r#"
resource "azurerm_kubernetes_cluster" "aks" {
  name                = "aks"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "aks"
}
"#;

fn diagnostic(logs: &str) -> String {
    format!(
        "resource \"azurerm_monitor_diagnostic_setting\" \"aks\" {{\n  name = \"aks\"\n  target_resource_id = azurerm_kubernetes_cluster.aks.id\n  log_analytics_workspace_id = \"ws\"\n{logs}}}\n"
    )
}

#[test]
fn aks_needs_a_diagnostic_setting_with_kube_audit() {
    assert_eq!(codes(&scan(&[("aks/main.tf", AKS)])), ["AL501"]);
    let full = diagnostic("  enabled_log {\n    category = \"kube-audit\"\n  }\n");
    assert!(codes(&scan(&[("aks/main.tf", AKS), ("aks/diag.tf", &full)])).is_empty());
    let group = diagnostic("  enabled_log {\n    category_group = \"audit\"\n  }\n");
    assert!(codes(&scan(&[("aks/main.tf", AKS), ("aks/diag.tf", &group)])).is_empty());
    // The older `log` block, disabled.
    let off = diagnostic("  log {\n    category = \"kube-audit\"\n    enabled  = false\n  }\n");
    assert_eq!(
        codes(&scan(&[("aks/main.tf", AKS), ("aks/diag.tf", &off)])),
        ["AL501"]
    );
    let admin = diagnostic("  enabled_log {\n    category = \"kube-audit-admin\"\n  }\n");
    let r = scan(&[("aks/main.tf", AKS), ("aks/diag.tf", &admin)]);
    let f: Vec<_> = r.active().filter(|f| f.code() == "AL501").collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, auditlint::finding::Severity::Note);
    assert_eq!(f[0].file.path, "aks/diag.tf");
    // A setting whose target cannot be resolved may be the cluster's: nothing is said.
    let unknown = full.replace("azurerm_kubernetes_cluster.aks.id", "module.aks.cluster_id");
    assert!(codes(&scan(&[("aks/main.tf", AKS), ("aks/diag.tf", &unknown)])).is_empty());
    // One on another resource does not count.
    let other = full.replace(
        "azurerm_kubernetes_cluster.aks.id",
        "azurerm_key_vault.kv.id",
    );
    assert_eq!(
        codes(&scan(&[("aks/main.tf", AKS), ("aks/diag.tf", &other)])),
        ["AL501"]
    );
}

#[test]
fn arm_and_azure_service_operator() {
    let arm = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {"type": "Microsoft.ContainerService/managedClusters", "apiVersion": "2024-02-01", "name": "aks", "location": "westeurope"},
    {"type": "Microsoft.Insights/diagnosticSettings", "apiVersion": "2021-05-01-preview", "name": "audit",
     "scope": "[format('Microsoft.ContainerService/managedClusters/{0}', 'aks')]",
     "properties": {"workspaceId": "ws", "logs": [{"category": "kube-audit", "enabled": true}]}}
  ]
}"#;
    assert!(codes(&scan(&[("aks.json", arm)])).is_empty());
    // Names written as ARM expressions: the setting scoped to a managed cluster is the
    // template's cluster's.
    let expressions = arm
        .replace("\"name\": \"aks\"", "\"name\": \"[parameters('name')]\"")
        .replace("'aks')]", "parameters('name'))]");
    assert!(
        codes(&scan(&[("aks.json", &expressions)])).is_empty(),
        "{expressions}"
    );
    let off = arm.replace("\"enabled\": true", "\"enabled\": false");
    assert_eq!(codes(&scan(&[("aks.json", &off)])), ["AL501"]);
    let aso = "apiVersion: containerservice.azure.com/v1api20231001\nkind: ManagedCluster\nmetadata: {name: aks}\nspec: {location: westeurope}\n---\napiVersion: insights.azure.com/v1api20210501preview\nkind: DiagnosticSetting\nmetadata: {name: d}\nspec:\n  owner: {name: aks}\n  logs: [{category: kube-audit-admin, enabled: true}]\n";
    let r = scan(&[("aso.yaml", aso)]);
    assert_eq!(codes(&r), ["AL501"]);
    assert!(r
        .active()
        .all(|f| f.code() != "AL501" || f.severity == auditlint::finding::Severity::Note));
}

#[test]
fn invalid_hcl_is_an_input_finding_and_the_directory_is_still_read() {
    let r = scan(&[
        (
            "infra/broken.tf",
            "resource \"aws_eks_cluster\" \"x\" {\n  name = \n",
        ),
        ("infra/gke.tf", GKE),
    ]);
    let codes: Vec<&str> = r.active().map(|f| f.code()).collect();
    assert!(codes.contains(&"AL007"), "{codes:?}");
    assert!(codes.contains(&"AL501"), "{codes:?}");
}

#[test]
fn a_cluster_of_terraform_files_is_managed_and_judged() {
    let r = scan(&[("infra/gke.tf", GKE)]);
    assert_eq!(r.clusters.len(), 1);
    assert_eq!(r.clusters[0].managed, Managed::Gke);
    assert!(r.clusters[0].judged);
    // An apiserver of its own: the cluster is not inferred to be managed.
    let api = "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    image: registry.k8s.io/kube-apiserver:v1.30.0\n    command: [kube-apiserver, --audit-policy-file=/etc/kubernetes/audit.yaml, --audit-log-path=/var/log/audit.log]\n";
    let r = scan(&[("infra/gke.tf", GKE), ("api.yaml", api)]);
    assert_eq!(r.clusters[0].managed, Managed::None);
}

#[test]
fn terraform_downloads_are_not_scanned_and_show_files_says_so() {
    let dir = common::tree(&[
        ("infra/main.tf", GKE),
        (
            "infra/.terraform/modules/eks/main.tf",
            "resource \"aws_eks_cluster\" \"x\" {\n}\n",
        ),
        (
            "package.json",
            "{\"name\": \"app\", \"version\": \"1.0.0\"}",
        ),
    ]);
    let r = engine::scan_paths(&[dir.path().to_path_buf()], &Config::new()).unwrap();
    assert_eq!(r.files, 2, "main.tf and package.json");
    assert!(r.active().all(|f| f.file.path.ends_with("main.tf")));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args(["check", "--show-files"])
        .arg(dir.path())
        .output()
        .unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.contains("infra/.terraform: skipped: "), "{out}");
    assert!(!out.contains("modules/eks"), "{out}");
}

#[test]
fn gke_node_logs_not_shipped() {
    let components = GKE.replace(
        "location = \"europe-west1\"",
        "location = \"europe-west1\"\n  logging_config {\n    enable_components = [\"APISERVER\"]\n  }",
    );
    let r = scan(&[("gke/main.tf", &components)]);
    assert!(
        hits(&r).contains(&"AL505 gke/main.tf:6 `[\"APISERVER\"]`".to_owned()),
        "{:?}",
        hits(&r)
    );
    let kcc = "apiVersion: container.cnrm.cloud.google.com/v1beta1\nkind: ContainerCluster\nmetadata: {name: c}\nspec:\n  location: europe-west1\n  loggingService: none\n";
    assert!(codes(&scan(&[("kcc.yaml", kcc)])).contains(&"AL505"));
    let workloads = components.replace("\"APISERVER\"", "\"SYSTEM_COMPONENTS\", \"WORKLOADS\"");
    assert!(!codes(&scan(&[("gke/main.tf", &workloads)])).contains(&"AL505"));
}

#[test]
fn the_denials_rule_is_opt_in() {
    let text = module("~> 20.0", "").replace(WATCHED, "");
    assert!(codes(&scan_with(&[("main.tf", &text)], &Config::new())).is_empty());
    assert_eq!(codes(&scan(&[("main.tf", &text)])), ["AL504"]);
}

#[test]
fn terraform_json_with_interpolations() {
    let text = r#"{
  "variable": {"types": {"default": ["api"]}},
  "resource": {
    "aws_eks_cluster": {
      "main": {
        "name": "main",
        "role_arn": "arn:aws:iam::123456789012:role/eks",
        "enabled_cluster_log_types": "${var.types}",
        "vpc_config": {"subnet_ids": ["subnet-1"]}
      }
    },
    "aws_cloudwatch_log_group": {
      "main": {"name": "/aws/eks/${aws_eks_cluster.main.name}/cluster", "retention_in_days": 365}
    }
  }
}"#;
    let r = scan(&[("infra/main.tf.json", text)]);
    assert_eq!(
        hits(&r),
        [
            "AL501 infra/main.tf.json:8 `\"${var.types}\"`",
            "AL502 infra/main.tf.json:8 `\"${var.types}\"`"
        ]
    );
    // Unrelated JSON is read and says nothing.
    let r = scan(&[(
        "package.json",
        "{\"name\": \"app\", \"resource\": {\"x\": 1}}",
    )]);
    assert!(r.active().next().is_none());
}

#[test]
fn the_retention_minimum_is_read_from_the_configuration() {
    let dir = common::tree(&[(
        ".auditlint.yaml",
        "thresholds:\n  log-retention-days: 400\n",
    )]);
    let config = auditlint::config::load::load(&dir.path().join(".auditlint.yaml")).unwrap();
    assert_eq!(config.thresholds.log_retention_days, 400);
    let text = module("~> 20.0", "");
    let r = scan_with(&[("main.tf", &text)], &config);
    assert_eq!(
        hits(&r),
        ["AL503 main.tf:3 `\"~> 20.0\"`"],
        "the default 90 days, at the version that decides it"
    );
    let bad = common::tree(&[(".auditlint.yaml", "thresholds:\n  log-retention-days: -1\n")]);
    assert!(auditlint::config::load::load(&bad.path().join(".auditlint.yaml")).is_err());
}
