//! Every form of apiserver configuration read into the same view.

use super::*;
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
    let other = "kind: Pod\nspec:\n  containers:\n  - name: metrics\n    command: [/bin/metrics-server, --audit-log-path=-]\n";
    assert!(
        configs("p.yaml", other).is_empty(),
        "only servers named as apiservers are recognised"
    );
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
            .filter(|p| p.code == "AL118")
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

#[test]
fn kops_fields_are_flags_with_spans_on_the_fields() {
    let text = "apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec:\n  kubernetesVersion: v1.34.1\n  kubeAPIServer:\n    auditLogMaxAge: 10\n    auditLogMaxBackups: 1\n    auditPolicyFile: /srv/kubernetes/audit.yaml\n";
    let c = one("cluster.yaml", text);
    assert_eq!(c.form, Form::Kops);
    assert_eq!(c.value("audit-log-maxage"), Some("10"));
    assert_eq!(c.value("audit-log-maxbackup"), Some("1"));
    assert_eq!(
        c.value("audit-policy-file"),
        Some("/srv/kubernetes/audit.yaml")
    );
    let span = c.flag("audit-log-maxbackup").unwrap().value_span;
    assert_eq!(&text[span.start..span.end], "1");
    assert!(c.mounts.is_none(), "nodeup writes the mounts");
    assert_eq!(c.declared_version.as_deref(), Some("v1.34.1"));
    assert_eq!(
        c.insertion.line("audit-log-maxsize", "100"),
        "auditLogMaxSize: 100"
    );
    // Another `Cluster` kind is not kops'.
    assert!(configs(
        "c.yaml",
        "apiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\nspec: {}\n"
    )
    .is_empty());
}

#[test]
fn openshift_arguments_are_lists_of_values() {
    let text = "apiVersion: kubecontrolplane.config.openshift.io/v1\nkind: KubeAPIServerConfig\napiServerArguments:\n  audit-log-maxbackup:\n  - \"10\"\n  audit-log-path: [/var/log/a.log]\n";
    let c = one("config.yaml", text);
    assert_eq!(c.form, Form::OpenShift);
    assert_eq!(c.value("audit-log-maxbackup"), Some("10"));
    assert_eq!(c.value("audit-log-path"), Some("/var/log/a.log"));
    assert!(
        c.policy_generated,
        "the operator writes the policy from the audit profile"
    );
    assert_eq!(
        c.insertion.line("audit-log-maxage", "30"),
        "audit-log-maxage:\n- \"30\""
    );
}

#[test]
fn talos_defaults_audit_and_extra_args_replace_them() {
    let whole = "version: v1alpha1\nmachine:\n  type: controlplane\ncluster:\n  apiServer:\n    image: registry.k8s.io/kube-apiserver:v1.34.1\n    extraArgs:\n      audit-log-maxage: \"1\"\n";
    let c = one("controlplane.yaml", whole);
    assert_eq!(c.form, Form::Talos);
    assert_eq!(c.value("audit-log-maxage"), Some("1"));
    assert!(c.is_default("audit-log-maxbackup"));
    assert_eq!(
        c.value("audit-log-path"),
        Some("/var/log/audit/kube/kube-apiserver.log")
    );
    assert!(c.policy_generated, "no auditPolicy: Talos writes its own");
    assert_eq!(
        c.host_path("/var/log/audit/kube/kube-apiserver.log")
            .as_deref(),
        Some("/var/log/audit/kube/kube-apiserver.log"),
        "Talos mounts its audit directory"
    );
    assert_eq!(c.declared_version.as_deref(), Some("v1.34.1"));
    // A patch configures the apiserver too; a worker runs none.
    let patch = "cluster:\n  apiServer:\n    auditPolicy:\n      apiVersion: audit.k8s.io/v1\n      kind: Policy\n      rules: [{level: Metadata}]\n";
    let c = one("patch.yaml", patch);
    assert!(!c.policy_generated);
    let (items, _) = parse_all(patch);
    let Some(Item::Document(doc)) = items.first() else {
        panic!("the patch parses")
    };
    let (policy, path) = talos_policy(doc.root().unwrap()).unwrap();
    assert!(policy.get("rules").is_some());
    assert_eq!(
        path,
        "/system/config/kubernetes/kube-apiserver/auditpolicy.yaml"
    );
    // Talos writes `auditPolicy` as it is: without its header it is still the policy loaded.
    let headless = "cluster:\n  apiServer:\n    auditPolicy:\n      rules: [{level: Metadata}]\n";
    let (items, _) = parse_all(headless);
    let Some(Item::Document(doc)) = items.first() else {
        panic!("the patch parses")
    };
    assert!(talos_policy(doc.root().unwrap()).is_some());
    let document = "apiVersion: v1alpha1\nkind: KubeAuditPolicyConfig\nconfiguration:\n  apiVersion: audit.k8s.io/v1\n  kind: Policy\n  rules: [{level: None}]\n";
    let (items, _) = parse_all(document);
    let Some(Item::Document(doc)) = items.first() else {
        panic!("the document parses")
    };
    let (policy, _) = talos_policy(doc.root().unwrap()).unwrap();
    assert_eq!(policy.get_str("kind"), Some("Policy"));
    let worker = "version: v1alpha1\nmachine:\n  type: worker\ncluster:\n  apiServer: {}\n";
    assert!(configs("worker.yaml", worker).is_empty());
    // Not every map with a `cluster` key is a Talos configuration.
    assert!(configs("values.yaml", "cluster:\n  apiServer: {}\nreplicas: 2\n").is_empty());
}

#[test]
fn kubespray_audits_only_when_switched_on() {
    let off = "kube_network_plugin: calico\nkubernetes_audit: false\n";
    let c = one("inventory/prod/group_vars/k8s_cluster/k8s-cluster.yml", off);
    assert_eq!(c.form, Form::Kubespray);
    assert_eq!(c.value("audit-policy-file"), None);
    let switch = c.audit_off.as_ref().unwrap();
    assert_eq!(&off[switch.span.start..switch.span.end], "false");
    // Unset is off too, for the cluster's group variables.
    let unset = one(
        "group_vars/k8s_cluster/k8s-cluster.yml",
        "kube_network_plugin: calico\n",
    );
    assert_eq!(unset.value("audit-policy-file"), None);
    assert_eq!(
        unset.insertion.line("audit-policy-file", "x"),
        "kubernetes_audit: true"
    );
    // On: kubespray's defaults, overridden by the variables; templated values are unknown.
    let on = "kubernetes_audit: true\naudit_log_maxage: 7\naudit_log_path: \"{{ log_dir }}/audit.log\"\n";
    let c = one("k8s-cluster.yml", on);
    assert_eq!(c.value("audit-log-maxage"), Some("7"));
    assert_eq!(c.value("audit-log-maxbackup"), Some("1"));
    assert!(c.flag("audit-log-path").is_none());
    assert!(c.value("audit-log-path").is_some_and(|p| p.contains("{{")));
    // Other Ansible variables are not an inventory of a cluster.
    assert!(configs("roles/x/defaults/main.yml", "kube_network_plugin: calico\n").is_empty());
    assert!(configs("k.yml", "kubernetes_audit: \"{{ audit }}\"\n").is_empty());
}

#[test]
fn kwok_patches_are_key_value_lists() {
    let text = "apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokctlConfiguration\noptions:\n  kubeAuditPolicy: ./audit.yaml\ncomponentsPatches:\n- name: kube-scheduler\n  extraArgs: [{key: audit-log-maxage, value: \"1\"}]\n- name: kube-apiserver\n  extraArgs:\n  - key: audit-log-maxage\n    value: \"5\"\n";
    let c = one("kwok.yaml", text);
    assert_eq!(c.form, Form::Kwok);
    assert_eq!(c.value("audit-policy-file"), Some("./audit.yaml"));
    assert_eq!(
        c.value("audit-log-maxage"),
        Some("5"),
        "only the apiserver's patch"
    );
    assert!(c.logs_to_file(), "kwokctl logs to its work directory");
    let nothing =
        "apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokctlConfiguration\noptions: {}\n";
    assert!(configs("kwok.yaml", nothing).is_empty());
}

#[test]
fn kamaji_extra_args_and_additional_mounts() {
    let text = "apiVersion: kamaji.clastix.io/v1alpha1\nkind: TenantControlPlane\nspec:\n  controlPlane:\n    deployment:\n      additionalVolumes:\n      - {name: audit, configMap: {name: tcp-audit}}\n      additionalVolumeMounts:\n        apiServer:\n        - {name: audit, mountPath: /etc/audit, readOnly: true}\n      extraArgs:\n        apiServer: [--audit-policy-file=/etc/audit/policy.yaml]\n  kubernetes: {version: v1.33.0}\n";
    let c = one("tcp.yaml", text);
    assert_eq!(c.form, Form::Kamaji);
    assert_eq!(c.value("audit-policy-file"), Some("/etc/audit/policy.yaml"));
    assert_eq!(
        c.config_map_of("/etc/audit/policy.yaml"),
        Some(("tcp-audit".to_owned(), Some("policy.yaml".to_owned())))
    );
    assert_eq!(c.declared_version.as_deref(), Some("v1.33.0"));
}

#[test]
fn aggregated_apiservers_with_audit_flags() {
    let text = "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: x\n        command: [/bin/karmada-aggregated-apiserver, --audit-log-path=-]\n";
    assert_eq!(one("d.yaml", text).value("audit-log-path"), Some("-"));
    // Without audit flags it is not audited, and nothing is said about it.
    let quiet = "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: x\n        command: [/bin/karmada-aggregated-apiserver, --v=2]\n";
    assert!(configs("d.yaml", quiet).is_empty());
    let cron = "kind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - {name: a, args: [kube-apiserver]}\n";
    assert_eq!(configs("c.yaml", cron).len(), 1);
}

#[test]
fn rke1_defaults_and_written_configuration() {
    let nodes = "nodes:\n- {address: 10.0.0.1, role: [controlplane]}\n";
    let default = format!("{nodes}services:\n  kube-api: {{}}\n");
    let c = one("cluster.yml", &default);
    assert_eq!(c.form, Form::Rke1);
    assert_eq!(c.value("audit-log-maxbackup"), Some("10"));
    assert!(c.policy_generated, "RKE writes its default policy");
    assert_eq!(
        c.host_path("/var/log/kube-audit/audit-log.json").as_deref(),
        Some("/var/log/kube-audit/audit-log.json")
    );
    // A written configuration passes its fields as they are: left out is 0.
    let written = format!("{nodes}services:\n  kube-api:\n    audit_log:\n      enabled: true\n      configuration:\n        max_age: 7\n        path: /var/log/kube-audit/a.json\n    extra_binds: [\"/srv/audit:/srv/audit:ro\"]\n");
    let c = one("cluster.yml", &written);
    assert_eq!(c.value("audit-log-maxage"), Some("7"));
    assert_eq!(c.value("audit-log-maxbackup"), Some("0"));
    assert!(c.is_default("audit-log-maxbackup"));
    let bind = mounts::covering(c.mounts.as_ref().unwrap(), "/srv/audit/p.yaml").unwrap();
    assert!(bind.read_only && !bind.implicit);
    // Turned off.
    let off = format!("{nodes}services:\n  kube-api:\n    audit_log:\n      enabled: false\n");
    let c = one("cluster.yml", &off);
    assert_eq!(c.value("audit-policy-file"), None);
    let switch = c.audit_off.unwrap();
    assert_eq!(&off[switch.span.start..switch.span.end], "false");
    // A `services` map without RKE nodes is something else.
    assert!(configs("x.yml", "services:\n  kube-api: {}\n").is_empty());
}

#[test]
fn kwok_without_an_apiserver_patch_adds_one() {
    let text = "apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokctlConfiguration\noptions:\n  kubeAuditPolicy: ./audit.yaml\n";
    let c = one("kwok.yaml", text);
    assert_eq!(
        c.insertion.line("audit-log-maxage", "30"),
        "componentsPatches:\n  - name: kube-apiserver\n    extraArgs:\n    - key: audit-log-maxage\n      value: \"30\""
    );
    let text = "apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokctlConfiguration\noptions:\n  kubeAuditPolicy: ./audit.yaml\ncomponentsPatches:\n- name: etcd\n";
    let c = one("kwok.yaml", text);
    assert!(!c.insertion.list_missing);
    assert!(c
        .insertion
        .line("audit-log-maxage", "30")
        .starts_with("- name: kube-apiserver\n"));
}

#[test]
fn odd_shapes_are_read_without_panicking() {
    // Every form with its fields in the wrong shape: nothing is guessed, nothing panics.
    let odd = [
        "apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec:\n  kubeAPIServer: [a, b]\n  fileAssets: {content: 1}\n",
        "apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec: x\n",
        "apiVersion: kubecontrolplane.config.openshift.io/v1\nkind: KubeAPIServerConfig\napiServerArguments:\n  audit-log-path: []\n  audit-log-maxage: {a: b}\n",
        "version: v1alpha1\nmachine: {type: controlplane}\ncluster:\n  apiServer:\n    extraArgs: [a]\n    extraVolumes: {a: b}\n    auditPolicy: text\n",
        "cluster:\n  apiServer:\n    extraArgs:\n      audit-log-maxage: [[1]]\n",
        "kubernetes_audit: [true]\n",
        "kubernetes_audit: true\naudit_log_maxage: {a: 1}\naudit_policy_custom_rules: 7\nkube_kubeadm_apiserver_extra_args: [x]\n",
        "apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokctlConfiguration\ncomponentsPatches: {name: kube-apiserver}\noptions: [x]\n",
        "apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokctlConfiguration\ncomponentsPatches:\n- name: kube-apiserver\n  extraArgs: [1, {key: [x]}, {value: 2}]\n",
        "apiVersion: kamaji.clastix.io/v1alpha1\nkind: TenantControlPlane\nspec:\n  controlPlane:\n    deployment:\n      extraArgs: {apiServer: {a: b}}\n      additionalVolumeMounts: [x]\n",
        "nodes: []\nservices:\n  kube-api:\n    audit_log: {enabled: yes, configuration: [x]}\n    extra_binds: [\"nocolon\", 3, \":\"]\n",
        "nodes: []\nservices:\n  kube-api:\n    audit_log:\n      configuration:\n        max_age: {a: b}\n        policy: [x]\n",
        "kind: CronJob\nspec:\n  jobTemplate: [x]\n",
    ];
    for text in odd {
        let _ = configs("group_vars/k8s_cluster/k8s-cluster.yml", text);
    }
    // What is read from them is what is there.
    let c = one(
        "k.yml",
        "kubernetes_audit: true\naudit_log_maxage: {a: 1}\n",
    );
    assert_eq!(
        c.value("audit-log-maxage"),
        Some("30"),
        "a map is no value: the default stays"
    );
}
