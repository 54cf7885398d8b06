//! AL4xx across files: when the rules fire, where, and with which settings.

use auditlint::config::Config;
use auditlint::engine::{self, Text};

const APISERVER: &str = "apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  containers:
  - name: kube-apiserver
    command:
    - kube-apiserver
    - --audit-policy-file=/etc/kubernetes/audit/policy.yaml
    - --audit-log-path=/var/log/kubernetes/audit/audit.log
    volumeMounts:
    - {name: audit-log, mountPath: /var/log/kubernetes/audit}
  volumes:
  - {name: audit-log, hostPath: {path: /var/log/kubernetes/audit}}
";

fn daemonset(tolerations: &str, volumes: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: fluent-bit}}
spec:
  template:
    spec:
      tolerations: {tolerations}
      containers:
      - name: fluent-bit
        image: fluent/fluent-bit:3.1
        volumeMounts: [{{name: logs, mountPath: /logs}}]
      volumes: [{{name: logs, hostPath: {{path: {volumes}}}}}]
"
    )
}

/// (path, line, code) of the AL4xx findings of a scan of `files`.
fn scan(files: &[(&str, &str)], config: &Config) -> Vec<(String, usize, String)> {
    let texts = files
        .iter()
        .map(|(name, text)| Text {
            display: (*name).to_owned(),
            text: (*text).to_owned(),
            abs_path: None,
        })
        .collect();
    engine::scan_texts(texts, config)
        .findings
        .iter()
        .filter(|f| f.code().starts_with("AL4"))
        .map(|f| {
            let p = f.file.position(f.span.start);
            (f.file.path.clone(), p.line, f.code().to_owned())
        })
        .collect()
}

/// A configuration declaring one cluster of every file, as `.auditlint.yaml` would.
fn declared() -> Config {
    let text = "clusters:\n  all: {paths: [\"*\"]}\n";
    let file = auditlint::source::SourceFile::new(".auditlint.yaml", text);
    let mut config = auditlint::config::load::parse(&file).expect("a valid configuration");
    assert_eq!(config.clusters.len(), 1);
    config.clusters[0].origin = Some((file, auditlint::yaml::Span::new(12, 15)));
    config
}

fn codes(hits: &[(String, usize, String)]) -> Vec<&str> {
    hits.iter().map(|h| h.2.as_str()).collect()
}

#[test]
fn nothing_without_a_cluster_definition() {
    let policy = "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Metadata}]\n";
    assert!(scan(&[("policy.yaml", policy)], &Config::new()).is_empty());
}

#[test]
fn al401_is_reported_once_at_the_apiserver_else_where_the_cluster_is_declared() {
    let app = "kind: Deployment\nmetadata: {name: a}\nspec: {template: {spec: {containers: [{name: a, image: a}]}}}\n";
    let hits = scan(
        &[
            ("b.yaml", app),
            ("a.yaml", app),
            ("z-apiserver.yaml", APISERVER),
        ],
        &Config::new(),
    );
    assert_eq!(
        hits,
        [("z-apiserver.yaml".to_owned(), 6, "AL401".to_owned())]
    );
    // Applications alone are no cluster; declared one, they are.
    assert_eq!(
        scan(&[("b.yaml", app), ("a.yaml", app)], &Config::new()),
        []
    );
    let hits = scan(&[("b.yaml", app), ("a.yaml", app)], &declared());
    assert_eq!(
        hits,
        [(".auditlint.yaml".to_owned(), 2, "AL401".to_owned())]
    );
    // Many files, folded in parallel in any order: a log agent among them is still seen.
    let names: Vec<String> = (0..200).rev().map(|i| format!("app-{i:03}.yaml")).collect();
    let two_apps = format!("{app}---\n{app}");
    let ds = daemonset("[{operator: Exists}]", "/var/log");
    let mut files: Vec<(&str, &str)> = names
        .iter()
        .map(|n| (n.as_str(), two_apps.as_str()))
        .collect();
    files.push(("zz-agent.yaml", &ds));
    assert!(scan(&files, &declared()).is_empty());
    files.pop();
    assert_eq!(
        scan(&files, &declared()),
        [(".auditlint.yaml".to_owned(), 2, "AL401".to_owned())]
    );
}

#[test]
fn a_complete_setup_is_clean() {
    let ds = daemonset("[{operator: Exists}]", "/var/log");
    assert!(scan(&[("api.yaml", APISERVER), ("ds.yaml", &ds)], &Config::new()).is_empty());
}

#[test]
fn control_plane_tolerations_decide_al404() {
    let cases = [
        ("[]", true),
        (
            "[{key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoExecute}]",
            true,
        ),
        (
            "[{key: node-role.kubernetes.io/control-plane, value: x, effect: NoSchedule}]",
            true,
        ),
        (
            "[{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]",
            false,
        ),
        // The version is unknown: the newest is assumed, whose nodes carry only the
        // control-plane taint.
        (
            "[{key: node-role.kubernetes.io/master, operator: Exists}]",
            true,
        ),
        ("[{operator: Exists, effect: NoSchedule}]", false),
    ];
    for (tolerations, fires) in cases {
        let ds = daemonset(tolerations, "/var/log");
        let hits = scan(&[("api.yaml", APISERVER), ("ds.yaml", &ds)], &Config::new());
        assert_eq!(
            codes(&hits).contains(&"AL404"),
            fires,
            "{tolerations}: {hits:?}"
        );
    }
}

#[test]
fn the_control_plane_taints_follow_the_kubernetes_version() {
    let master = "[{key: node-role.kubernetes.io/master, operator: Exists}]";
    let current = "[{key: node-role.kubernetes.io/control-plane, operator: Exists}]";
    let both = "[{key: node-role.kubernetes.io/master, operator: Exists}, {key: node-role.kubernetes.io/control-plane, operator: Exists}]";
    // (tolerations, version, AL404 fires): kubeadm taints `master` until 1.23, both in 1.24,
    // `control-plane` from 1.25; without a version the newest is assumed.
    let cases = [
        (master, None, true),
        (current, None, false),
        (master, Some((1, 23)), false),
        (current, Some((1, 23)), true),
        (master, Some((1, 24)), true),
        (current, Some((1, 24)), true),
        (both, Some((1, 24)), false),
        (master, Some((1, 30)), true),
        (current, Some((1, 30)), false),
        ("[{operator: Exists}]", Some((1, 24)), false),
    ];
    for (tolerations, version, fires) in cases {
        let ds = daemonset(tolerations, "/var/log");
        let mut config = Config::new();
        config.kubernetes_version = version;
        let hits = scan(&[("api.yaml", APISERVER), ("ds.yaml", &ds)], &config);
        assert_eq!(
            codes(&hits).contains(&"AL404"),
            fires,
            "{tolerations} {version:?}"
        );
    }
}

#[test]
fn al405_follows_the_apiserver_mount_and_path_components() {
    let cases = [
        ("/var/log", false),
        ("/var/log/kubernetes", false),
        ("/var/log/kubernetes/audit/", false),
        ("/", false),
        ("/var/log/kubernetes/audit-old", true),
        ("/var/log/pods", true),
    ];
    for (dir, fires) in cases {
        let ds = daemonset("[{operator: Exists}]", dir);
        let hits = scan(&[("api.yaml", APISERVER), ("ds.yaml", &ds)], &Config::new());
        assert_eq!(codes(&hits).contains(&"AL405"), fires, "{dir}: {hits:?}");
    }
    // A stdout audit log is not a file to collect.
    let stdout = APISERVER.replace("/var/log/kubernetes/audit/audit.log", "-");
    let ds = daemonset("[]", "/var/log/pods");
    let hits = scan(&[("api.yaml", &stdout), ("ds.yaml", &ds)], &Config::new());
    assert!(
        !codes(&hits).contains(&"AL404") && !codes(&hits).contains(&"AL405"),
        "{hits:?}"
    );
}

#[test]
fn extra_agent_patterns_come_from_the_configuration() {
    let ds = "kind: DaemonSet\nmetadata: {name: shipper}\nspec: {template: {spec: {containers: [{name: s, image: registry.acme.io/acme/log-shipper:2}]}}}\n";
    assert_eq!(codes(&scan(&[("ds.yaml", ds)], &declared())), ["AL401"]);
    let mut config = declared();
    config.log_agents = vec!["acme/log-shipper".to_owned()];
    assert_eq!(codes(&scan(&[("ds.yaml", ds)], &config)), ["AL403"]);
}

#[test]
fn k3s_servers_carry_no_control_plane_taint() {
    let k3s = "kube-apiserver-arg:\n- audit-policy-file=/etc/rancher/k3s/audit.yaml\n- audit-log-path=/var/lib/rancher/k3s/server/logs/audit.log\n";
    let ds = daemonset("[]", "/var/log");
    let hits = scan(&[("config.yaml", k3s), ("ds.yaml", &ds)], &Config::new());
    // No AL404 (servers are schedulable), but the log lies outside /var/log: AL405.
    assert_eq!(codes(&hits), ["AL405"], "{hits:?}");
    // Mounting the log directory collects it (but no container logs: AL403).
    let ds = daemonset("[]", "/var/lib/rancher/k3s/server/logs");
    let hits = scan(&[("config.yaml", k3s), ("ds.yaml", &ds)], &Config::new());
    assert_eq!(codes(&hits), ["AL403"], "{hits:?}");
}

#[test]
fn k3s_and_rke2_node_taints_must_be_tolerated() {
    let rke2 = "node-taint:\n- CriticalAddonsOnly=true:NoExecute\n- dedicated=ops:PreferNoSchedule\nprofile: cis\n";
    let k3s_one = "node-taint: \"CriticalAddonsOnly=true:NoExecute\"\nkube-apiserver-arg: [audit-policy-file=/etc/rancher/k3s/audit.yaml, audit-log-path=/var/log/k3s-audit.log]\n";
    // (tolerations, AL404 fires): PreferNoSchedule does not keep pods off.
    let cases = [
        ("[]", true),
        ("[{key: CriticalAddonsOnly, operator: Exists}]", false),
        (
            "[{key: CriticalAddonsOnly, value: \"true\", effect: NoExecute}]",
            false,
        ),
        ("[{key: CriticalAddonsOnly, value: \"false\"}]", true),
        (
            "[{key: CriticalAddonsOnly, operator: Exists, effect: NoSchedule}]",
            true,
        ),
        ("[{operator: Exists}]", false),
    ];
    for (path, config) in [("rke2/config.yaml", rke2), ("k3s/config.yaml", k3s_one)] {
        for (tolerations, fires) in cases {
            let ds = daemonset(tolerations, "/");
            let hits = scan(&[(path, config), ("ds.yaml", &ds)], &Config::new());
            assert_eq!(
                codes(&hits).contains(&"AL404"),
                fires,
                "{path} {tolerations}: {hits:?}"
            );
        }
    }
}

#[test]
fn a_single_node_kind_cluster_has_no_control_plane_taint() {
    let kind = |nodes: &str| {
        format!(
            "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n{nodes}kubeadmConfigPatches:\n- |\n  kind: ClusterConfiguration\n  apiServer:\n    extraArgs:\n      audit-policy-file: /etc/kubernetes/policies/audit.yaml\n      audit-log-path: /var/log/kubernetes/audit.log\n"
        )
    };
    let ds = daemonset("[]", "/var/log");
    let al404 = |nodes: &str| {
        let cluster = kind(nodes);
        codes(&scan(
            &[("kind.yaml", &cluster), ("ds.yaml", &ds)],
            &Config::new(),
        ))
        .contains(&"AL404")
    };
    assert!(!al404(""));
    assert!(!al404("nodes:\n- role: control-plane\n"));
    assert!(al404("nodes:\n- role: control-plane\n- role: worker\n"));
    assert!(al404(
        "nodes:\n- role: control-plane\n- role: control-plane\n- role: control-plane\n"
    ));
}

#[test]
fn kubeadm_node_registration_taints_replace_the_default() {
    let cluster = "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\napiServer:\n  extraArgs:\n    audit-policy-file: /etc/kubernetes/audit/policy.yaml\n    audit-log-path: /var/log/kubernetes/audit/audit.log\n  extraVolumes:\n  - {name: log, hostPath: /var/log/kubernetes/audit, mountPath: /var/log/kubernetes/audit}\n";
    let init = |taints: &str| {
        format!("apiVersion: kubeadm.k8s.io/v1beta3\nkind: InitConfiguration\nnodeRegistration:\n  name: cp{taints}\n---\n{cluster}")
    };
    let ds = daemonset("[]", "/var/log");
    let al404 = |text: &str| {
        codes(&scan(
            &[("kubeadm.yaml", text), ("ds.yaml", &ds)],
            &Config::new(),
        ))
        .contains(&"AL404")
    };
    assert!(al404(cluster), "kubeadm's default taint");
    assert!(al404(&init("")), "no `taints`: the default");
    assert!(al404(&init("\n  taints: null")), "null: the default");
    assert!(
        !al404(&init("\n  taints: []")),
        "an empty list: schedulable (minikube)"
    );
    assert!(al404(&init(
        "\n  taints: [{key: dedicated, value: cp, effect: NoSchedule}]"
    )));
    assert!(!al404(&init(
        "\n  taints: [{key: dedicated, effect: PreferNoSchedule}]"
    )));
    // Only the InitConfiguration of the same file counts.
    let other = init("\n  taints: []").replace(cluster, "");
    let hits = scan(
        &[
            ("kubeadm.yaml", cluster),
            ("other.yaml", &other),
            ("ds.yaml", &ds),
        ],
        &Config::new(),
    );
    assert!(codes(&hits).contains(&"AL404"), "{hits:?}");
}

#[test]
fn cluster_api_control_plane_taints_come_from_its_kubeadm_config_spec() {
    let kcp = |replicas: u32, init: &str, join: &str| {
        format!(
            "apiVersion: controlplane.cluster.x-k8s.io/v1beta1\nkind: KubeadmControlPlane\nspec:\n  replicas: {replicas}\n  kubeadmConfigSpec:\n    clusterConfiguration:\n      apiServer:\n        extraArgs:\n          audit-policy-file: /etc/kubernetes/audit/policy.yaml\n          audit-log-path: /var/log/kubernetes/audit/audit.log\n    initConfiguration:\n      nodeRegistration: {{{init}}}\n    joinConfiguration:\n      nodeRegistration: {{{join}}}\n"
        )
    };
    let ds = daemonset("[]", "/var/log");
    let al404 = |text: &str| {
        codes(&scan(
            &[("kcp.yaml", text), ("ds.yaml", &ds)],
            &Config::new(),
        ))
        .contains(&"AL404")
    };
    assert!(
        !al404(&kcp(1, "taints: []", "")),
        "one machine: init's taints"
    );
    assert!(
        al404(&kcp(3, "taints: []", "")),
        "joining machines keep the default"
    );
    assert!(!al404(&kcp(3, "taints: []", "taints: []")), "eks-anywhere");
    assert!(al404(&kcp(1, "", "taints: []")));
}

#[test]
fn container_log_links_without_their_targets_are_not_enough() {
    let only_links = daemonset("[{operator: Exists}]", "/var/log/containers");
    let hits = scan(&[("ds.yaml", &only_links)], &declared());
    assert_eq!(codes(&hits), ["AL403"], "{hits:?}");
    for dir in ["/var/log/pods", "/var/log", "/var", "/"] {
        let ds = daemonset("[{operator: Exists}]", dir);
        assert!(scan(&[("ds.yaml", &ds)], &declared()).is_empty(), "{dir}");
    }
}
