//! Every form of apiserver configuration read into the same view.

use super::*;
use crate::catalog::Code;
use crate::yaml::{parse_all, Item};

fn configs(path: &str, text: &str) -> Vec<ApiServerConfig> {
    let file = SourceFile::new(path, text);
    let (items, _) = parse_all(&file.text);
    items
        .iter()
        .filter_map(|i| match i {
            Item::Document(d) => Some(read(d.root()?, &file)),
            Item::Error(e) => panic!("fixture does not parse: {}", e.message),
        })
        .flatten()
        .collect()
}

fn one(path: &str, text: &str) -> ApiServerConfig {
    let mut all = configs(path, text);
    assert_eq!(all.len(), 1, "expected one apiserver configuration");
    all.remove(0)
}

#[test]
fn static_pod_command_then_args_last_wins() {
    let c = one(
        "kube-apiserver.yaml",
        "kind: Pod\nspec:\n  containers:\n  - name: apiserver\n    command: [/usr/local/bin/kube-apiserver, --audit-log-maxage=7]\n    args: [--audit-log-maxage, \"40\"]\n",
    );
    assert_eq!(c.form, Form::Pod);
    assert!(c.static_pod);
    assert_eq!(c.value("audit-log-maxage"), Some("40"));
    assert_eq!(c.flags.len(), 2);
}

#[test]
fn container_recognised_by_args_or_name_only() {
    let by_args = "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: x\n        args: [kube-apiserver, --audit-policy-file=/p.yaml]\n";
    assert_eq!(
        one("d.yaml", by_args).value("audit-policy-file"),
        Some("/p.yaml")
    );
    let by_name = "kind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    args: [--audit-log-path=-]\n";
    assert_eq!(one("p.yaml", by_name).value("audit-log-path"), Some("-"));
    let other = "kind: Pod\nspec:\n  containers:\n  - name: karmada-aggregated-apiserver\n    command: [/bin/karmada-aggregated-apiserver, --audit-log-path=-]\n";
    assert!(configs("p.yaml", other).is_empty());
}

#[test]
fn kubeadm_v1beta3_map_and_v1beta4_list() {
    let v3 = "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\napiServer:\n  extraArgs:\n    audit-log-maxage: \"30\"\n  extraVolumes:\n  - {name: a, hostPath: /h/audit, mountPath: /etc/kubernetes/audit, readOnly: true}\n";
    let c = one("kubeadm.yaml", v3);
    assert_eq!(c.form, Form::KubeadmMap);
    assert_eq!(c.value("audit-log-maxage"), Some("30"));
    assert!(c.problems.is_empty());
    assert_eq!(
        c.host_path("/etc/kubernetes/audit/policy.yaml").as_deref(),
        Some("/h/audit/policy.yaml")
    );
    // kubeadm's default certificate mount is there, read-only.
    let pki = mounts::covering(c.mounts.as_ref().unwrap(), "/etc/kubernetes/pki/x").unwrap();
    assert!(pki.implicit && pki.read_only);

    let v4 = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\napiServer:\n  extraArgs:\n  - {name: audit-log-maxage, value: \"10\"}\n  - {name: audit-log-maxage, value: \"31\"}\n";
    let c = one("kubeadm.yaml", v4);
    assert_eq!(c.form, Form::KubeadmList);
    assert_eq!(
        c.value("audit-log-maxage"),
        Some("31"),
        "duplicates allowed in v1beta4, last wins"
    );
    assert_eq!(
        c.insertion.line("audit-log-path", "/l"),
        "- name: audit-log-path\n  value: \"/l\""
    );
}

#[test]
fn kubeadm_shape_mismatches_and_unquoted_values() {
    let map_in_v4 = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\napiServer:\n  extraArgs:\n    audit-log-maxage: 30\n";
    let c = one("k.yaml", map_in_v4);
    assert_eq!(c.problems.len(), 2, "{:?}", c.problems);
    let list_in_v3 = "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\napiServer:\n  extraArgs:\n  - {name: a, value: b}\n";
    assert_eq!(one("k.yaml", list_in_v3).problems.len(), 1);
}

#[test]
fn kind_patches_are_merged_and_spans_point_into_the_patch() {
    let text = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nkubeadmConfigPatches:\n- |\n  kind: ClusterConfiguration\n  apiServer:\n    extraArgs:\n      audit-policy-file: /etc/kubernetes/policies/audit.yaml\nnodes:\n- role: control-plane\n  kubeadmConfigPatches:\n  - |\n    kind: ClusterConfiguration\n    apiServer:\n      extraArgs:\n        audit-log-path: /var/log/kubernetes/audit.log\n- role: worker\n  kubeadmConfigPatches:\n  - |\n    kind: ClusterConfiguration\n    apiServer:\n      extraArgs:\n        audit-log-maxage: \"1\"\n";
    let c = one("kind.yaml", text);
    assert_eq!(
        c.value("audit-policy-file"),
        Some("/etc/kubernetes/policies/audit.yaml")
    );
    assert_eq!(
        c.value("audit-log-path"),
        Some("/var/log/kubernetes/audit.log")
    );
    assert_eq!(
        c.value("audit-log-maxage"),
        None,
        "worker patches do not configure the apiserver"
    );
    let span = c.flag("audit-log-path").unwrap().value_span;
    assert_eq!(&text[span.start..span.end], "/var/log/kubernetes/audit.log");
}

#[test]
fn cluster_api_control_plane_accepts_either_shape() {
    let text = "apiVersion: controlplane.cluster.x-k8s.io/v1beta2\nkind: KubeadmControlPlane\nspec:\n  kubeadmConfigSpec:\n    clusterConfiguration:\n      apiServer:\n        extraArgs:\n        - name: audit-policy-file\n          value: /etc/kubernetes/audit-policy.yaml\n";
    let c = one("kcp.yaml", text);
    assert_eq!(c.form, Form::KubeadmList);
    assert!(c.problems.is_empty());
    assert_eq!(
        c.value("audit-policy-file"),
        Some("/etc/kubernetes/audit-policy.yaml")
    );
}

#[test]
fn kubeadm_config_configmap() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kubeadm-config, namespace: kube-system}\ndata:\n  ClusterConfiguration: |\n    apiVersion: kubeadm.k8s.io/v1beta3\n    kind: ClusterConfiguration\n    apiServer:\n      extraArgs:\n        audit-log-path: /var/log/a.log\n";
    assert_eq!(
        one("cm.yaml", text).value("audit-log-path"),
        Some("/var/log/a.log")
    );
}

#[test]
fn k3s_config_paths_are_host_paths() {
    let text = "write-kubeconfig-mode: \"0644\"\nkube-apiserver-arg:\n  - 'audit-log-path=/var/lib/rancher/k3s/server/logs/audit.log'\n  - 'audit-log-maxage=30'\n";
    let c = one("etc/rancher/k3s/config.yaml", text);
    assert_eq!(c.form, Form::K3s);
    assert!(c.mounts.is_none());
    assert_eq!(c.value("audit-log-maxage"), Some("30"));
    assert_eq!(
        c.host_path("/var/lib/rancher/k3s/server/logs/audit.log")
            .as_deref(),
        Some("/var/lib/rancher/k3s/server/logs/audit.log")
    );
    assert_eq!(
        c.insertion.line("audit-log-maxbackup", "10"),
        "- audit-log-maxbackup=10"
    );
    // Any other YAML file is not mistaken for a k3s config.
    assert!(configs("values.yaml", "tls-san: [a]\n").is_empty());
}

#[test]
fn rke2_cis_profile_prepends_defaults_that_user_args_override() {
    let text = "profile: cis\nkube-apiserver-arg:\n  - audit-log-maxage=5\n";
    let c = one("/etc/rancher/rke2/config.yaml", text);
    assert_eq!(c.form, Form::Rke2);
    assert_eq!(
        c.value("audit-policy-file"),
        Some("/etc/rancher/rke2/audit-policy.yaml")
    );
    assert_eq!(
        c.value("audit-log-path"),
        Some("/var/lib/rancher/rke2/server/logs/audit.log")
    );
    assert_eq!(c.value("audit-log-maxage"), Some("5"));
    assert!(c.is_default("audit-log-maxbackup"));
    let plain = one(
        "/etc/rancher/rke2/config.yaml",
        "write-kubeconfig-mode: \"0600\"\n",
    );
    assert_eq!(
        plain.value("audit-policy-file"),
        None,
        "RKE2 audits only with a policy or the CIS profile"
    );
}

#[test]
fn rke2_findings_point_at_the_audit_settings() {
    let anchor = |text: &str| {
        let c = one("/etc/rancher/rke2/config.yaml", text);
        text[c.anchor.start..c.anchor.end].to_owned()
    };
    assert_eq!(
        anchor("node-taint: [a:NoSchedule]\nprofile: cis\n"),
        "profile"
    );
    assert_eq!(
        anchor("token: x\naudit-policy-file: /p.yaml\nprofile: cis\n"),
        "audit-policy-file"
    );
    assert_eq!(
        anchor("profile: cis\nkube-apiserver-arg: [audit-log-maxage=5]\n"),
        "kube-apiserver-arg"
    );
}

#[test]
fn kind_skips_patches_for_another_kubeadm_version() {
    let patch = |api: &str, image: &str| {
        format!("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n  image: {image}\n  kubeadmConfigPatches:\n  - |\n    kind: ClusterConfiguration\n    {api}\n    apiServer:\n      extraArgs:\n        audit-policy-file: /etc/kubernetes/p.yaml\n")
    };
    let skipped = one(
        "kind.yaml",
        &patch("apiVersion: kubeadm.k8s.io/v1beta3", "kindest/node:v1.36.0"),
    );
    assert_eq!(skipped.value("audit-policy-file"), None);
    assert_eq!(
        skipped
            .problems
            .iter()
            .filter(|p| p.code == Code::AL118)
            .count(),
        1
    );
    let applied = one(
        "kind.yaml",
        &patch(
            "apiVersion: kubeadm.k8s.io/v1beta3",
            "kindest/node:v1.34.2@sha256:abc",
        ),
    );
    assert_eq!(
        applied.value("audit-policy-file"),
        Some("/etc/kubernetes/p.yaml")
    );
    assert!(applied.problems.is_empty());
    let unversioned = one("kind.yaml", &patch("", "kindest/node:v1.36.0"));
    assert_eq!(
        unversioned.value("audit-policy-file"),
        Some("/etc/kubernetes/p.yaml")
    );
}
