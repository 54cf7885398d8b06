//! AL112 and the link from an apiserver's `--audit-policy-file` to a scanned Policy: host
//! root, configured mapping, Cluster API `files[]`, trailing path components, ambiguity.

mod common;

use std::path::Path;

use auditlint::config::Config;
use auditlint::engine;

use common::tree;

const APISERVER: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    command:\n    - kube-apiserver\n    - --audit-policy-file=/etc/kubernetes/audit/policy.yaml\n    - --audit-log-path=/var/log/kubernetes/audit/audit.log\n    - --audit-log-format=legacy\n    volumeMounts:\n    - {name: audit-policy, mountPath: /etc/kubernetes/audit, readOnly: true}\n    - {name: audit-log, mountPath: /var/log/kubernetes/audit}\n  volumes:\n  - {name: audit-policy, hostPath: {path: /etc/kubernetes/audit, type: DirectoryOrCreate}}\n  - {name: audit-log, hostPath: {path: /var/log/kubernetes/audit, type: DirectoryOrCreate}}\n";

/// A body-level policy: linked to the legacy-format apiserver above, it yields AL213.
const POLICY: &str = "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: Metadata\n  resources: [{group: \"\", resources: [secrets, configmaps, serviceaccounts/token]}]\n- level: Request\n  resources: [{group: apps}]\n- level: Metadata\n";

/// (AL112 messages, AL213 finding paths)
fn scan(root: &Path, config: &Config) -> (Vec<String>, Vec<String>) {
    let report = engine::scan_paths(&[root.to_path_buf()], config).unwrap();
    let of = |code: &str| {
        report
            .findings
            .iter()
            .filter(|f| f.code() == code)
            .map(|f| {
                if code == "AL112" {
                    f.message.clone()
                } else {
                    f.file.path.clone()
                }
            })
            .collect::<Vec<_>>()
    };
    (of("AL112"), of("AL213"))
}

#[test]
fn a_policy_nowhere_in_the_scan_is_reported_once() {
    let dir = tree(&[("apiserver.yaml", APISERVER)]);
    let (al112, al213) = scan(dir.path(), &Config::new());
    assert_eq!(al112.len(), 1, "{al112:?}");
    assert!(al112[0].contains("matches no scanned Policy"));
    assert!(al213.is_empty());
}

#[test]
fn trailing_components_link_a_unique_policy() {
    let dir = tree(&[
        ("apiserver.yaml", APISERVER),
        ("deploy/audit/policy.yaml", POLICY),
    ]);
    let (al112, al213) = scan(dir.path(), &Config::new());
    assert!(al112.is_empty(), "{al112:?}");
    assert_eq!(
        al213.len(),
        1,
        "the legacy format reaches the linked policy"
    );
    assert!(al213[0].ends_with("policy.yaml"));
}

#[test]
fn the_longest_trailing_match_wins_and_ties_are_not_guessed() {
    let dir = tree(&[
        ("apiserver.yaml", APISERVER),
        ("a/audit/policy.yaml", POLICY),
        ("b/other/policy.yaml", POLICY),
    ]);
    let (al112, al213) = scan(dir.path(), &Config::new());
    assert!(al112.is_empty(), "{al112:?}");
    assert_eq!(al213.len(), 1);
    assert!(al213[0].contains("audit"), "{al213:?}");

    let tie = tree(&[
        ("apiserver.yaml", APISERVER),
        ("a/policy.yaml", POLICY),
        ("b/policy.yaml", POLICY),
    ]);
    let (al112, al213) = scan(tie.path(), &Config::new());
    assert_eq!(al112.len(), 1);
    assert!(
        al112[0].contains("2 scanned Policies equally well"),
        "{al112:?}"
    );
    assert!(al213.is_empty());
}

#[test]
fn the_configured_mapping_decides() {
    let dir = tree(&[
        ("apiserver.yaml", APISERVER),
        ("a/policy.yaml", POLICY),
        ("b/policy.yaml", POLICY),
    ]);
    let mut config = Config::new();
    config.policy_paths.insert(
        "/etc/kubernetes/audit/policy.yaml".into(),
        "b/policy.yaml".into(),
    );
    let (al112, al213) = scan(dir.path(), &config);
    assert!(al112.is_empty(), "{al112:?}");
    assert_eq!(al213.len(), 1);
    assert!(al213[0].ends_with("b/policy.yaml"), "{al213:?}");

    config.policy_paths.insert(
        "/etc/kubernetes/audit/policy.yaml".into(),
        "c/missing.yaml".into(),
    );
    let (al112, _) = scan(dir.path(), &config);
    assert_eq!(al112.len(), 1);
    assert!(al112[0].contains("c/missing.yaml"));
}

#[test]
fn host_root_resolves_the_exact_file() {
    let dir = tree(&[
        (
            "node/etc/kubernetes/manifests/kube-apiserver.yaml",
            APISERVER,
        ),
        ("node/etc/kubernetes/audit/policy.yaml", POLICY),
        ("node/backup/etc/kubernetes/audit/policy.yaml", POLICY),
    ]);
    // By path components alone the two copies tie.
    let (al112, _) = scan(&dir.path().join("node"), &Config::new());
    assert_eq!(al112.len(), 1, "{al112:?}");
    let mut config = Config::new();
    config.host_root = Some(dir.path().join("node").canonicalize().unwrap());
    let (al112, al213) = scan(&dir.path().join("node"), &config);
    assert!(al112.is_empty(), "{al112:?}");
    assert_eq!(al213.len(), 1);
    assert!(!al213[0].contains("backup"), "{al213:?}");
}

#[test]
fn a_cluster_api_file_entry_names_its_host_path() {
    let kcp = "apiVersion: controlplane.cluster.x-k8s.io/v1beta1\nkind: KubeadmControlPlane\nmetadata: {name: cp}\nspec:\n  kubeadmConfigSpec:\n    clusterConfiguration:\n      apiServer:\n        extraArgs:\n          audit-policy-file: /etc/kubernetes/audit-policy.yaml\n          audit-log-path: /var/log/kubernetes/api-audit.log\n          audit-log-format: legacy\n    files:\n    - path: /etc/kubernetes/audit-policy.yaml\n      content: |\n        apiVersion: audit.k8s.io/v1\n        kind: Policy\n        rules:\n        - level: Request\n          resources: [{group: apps}]\n        - level: Metadata\n";
    let dir = tree(&[("kcp.yaml", kcp), ("other/audit-policy.yaml", POLICY)]);
    let (al112, al213) = scan(dir.path(), &Config::new());
    assert!(al112.is_empty(), "{al112:?}");
    assert_eq!(
        al213.len(),
        1,
        "linked to the embedded policy, not the look-alike file"
    );
    assert!(al213[0].ends_with("kcp.yaml"), "{al213:?}");
}

#[test]
fn a_policy_loaded_by_several_apiservers_is_reported_once() {
    let second = APISERVER.replace(
        "name: kube-apiserver, namespace",
        "name: kube-apiserver-2, namespace",
    );
    let dir = tree(&[
        ("a.yaml", APISERVER),
        ("b.yaml", &second),
        ("audit/policy.yaml", POLICY),
    ]);
    let (al112, al213) = scan(dir.path(), &Config::new());
    assert!(al112.is_empty());
    assert_eq!(al213.len(), 1, "{al213:?}");
}

/// A Deployment whose policy comes from the ConfigMap `NAME` mounted at the policy's
/// directory, logging in the legacy format (so a linked body-level policy yields AL213).
fn hosted(config_map: &str) -> String {
    format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: tenant-apiserver}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: kube-apiserver\n        command:\n        - kube-apiserver\n        - --audit-policy-file=/etc/audit/policy.yaml\n        - --audit-log-path=/var/log/kubernetes/audit/audit.log\n        - --audit-log-format=legacy\n        volumeMounts:\n        - {{name: policy, mountPath: /etc/audit, readOnly: true}}\n        - {{name: log, mountPath: /var/log/kubernetes/audit}}\n      volumes:\n      - {{name: policy, configMap: {{name: {config_map}}}}}\n      - {{name: log, hostPath: {{path: /var/log/kubernetes/audit, type: DirectoryOrCreate}}}}\n")
}

fn config_map(name: &str, key: &str) -> String {
    let indented: String = POLICY.lines().map(|l| format!("    {l}\n")).collect();
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\ndata:\n  {key}: |\n{indented}")
}

#[test]
fn a_policy_mounted_from_a_config_map_is_that_config_maps_policy() {
    // Two ConfigMaps hold a policy; the mounted one (and its key) decides, not the paths.
    let dir = tree(&[
        ("apiserver.yaml", &hosted("tenant-audit")),
        ("a/cm.yaml", &config_map("tenant-audit", "policy.yaml")),
        ("b/cm.yaml", &config_map("other-audit", "policy.yaml")),
    ]);
    let (al112, al213) = scan(dir.path(), &Config::new());
    assert!(al112.is_empty(), "{al112:?}");
    assert_eq!(al213.len(), 1, "{al213:?}");
    assert!(al213[0].ends_with("a/cm.yaml"), "{al213:?}");
    // The right ConfigMap under another key is not the file the apiserver reads.
    let dir = tree(&[
        ("apiserver.yaml", &hosted("tenant-audit")),
        ("cm.yaml", &config_map("tenant-audit", "other.yaml")),
    ]);
    let (al112, _) = scan(dir.path(), &Config::new());
    assert_eq!(al112.len(), 1, "{al112:?}");
}
