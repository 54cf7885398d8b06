//! Workload seccomp rules through the whole engine: AL312 across files (when a
//! `localhostProfile` can be checked, and what it resolves to) and AL313's version awareness.

use std::path::PathBuf;

use auditlint::config::Config;
use auditlint::engine::{self, Text};

const POD: &str = "apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: a
    image: a:1
    securityContext:
      seccompProfile: {type: Localhost, localhostProfile: profiles/audit.json}
  - name: b
    image: b:1
    securityContext:
      seccompProfile: {type: Localhost, localhostProfile: profiles/audit.json}
";

const PROFILE: &str = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}"#;

fn text(display: &str, text: &str) -> Text {
    Text {
        display: display.to_owned(),
        text: text.to_owned(),
        abs_path: None,
    }
}

/// The control plane that makes the scanned files a cluster (AL312 judges only clusters).
const APISERVER: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver]\n";

/// AL312's messages for `texts` scanned with a control plane beside them.
fn al312(mut texts: Vec<Text>, config: &Config) -> Vec<String> {
    texts.push(text("kube-apiserver.yaml", APISERVER));
    al312_alone(texts, config)
}

fn al312_alone(texts: Vec<Text>, config: &Config) -> Vec<String> {
    engine::scan_texts(texts, config)
        .findings
        .iter()
        .filter(|f| f.code() == "AL312")
        .map(|f| f.message.clone())
        .collect()
}

#[test]
fn silent_when_nothing_can_be_checked() {
    assert!(al312(vec![text("pod.yaml", POD)], &Config::new()).is_empty());
}

#[test]
fn silent_outside_a_cluster() {
    // Profiles and workloads of an application repository: no control plane, no cluster.
    let other = vec![text("pod.yaml", POD), text("profiles/other.json", PROFILE)];
    assert!(al312_alone(other.clone(), &Config::new()).is_empty());
    assert_eq!(al312(other, &Config::new()).len(), 1);
}

#[test]
fn resolves_against_scanned_profiles() {
    let found = vec![
        text("pod.yaml", POD),
        text("deploy/profiles/audit.json", PROFILE),
    ];
    assert!(al312(found, &Config::new()).is_empty());
    let other = vec![text("pod.yaml", POD), text("profiles/other.json", PROFILE)];
    let hits = al312(other, &Config::new());
    // Two containers name the same missing profile: reported once.
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].contains("Pod/app") && hits[0].contains("profiles/audit.json"));
}

#[test]
fn resolves_under_the_host_root() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::new();
    config.host_root = Some(PathBuf::from(dir.path()));
    assert_eq!(al312(vec![text("pod.yaml", POD)], &config).len(), 1);
    let profiles = dir.path().join("var/lib/kubelet/seccomp/profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    std::fs::write(profiles.join("audit.json"), PROFILE).unwrap();
    assert!(al312(vec![text("pod.yaml", POD)], &config).is_empty());
}

#[test]
fn resolves_through_the_configured_mapping() {
    let mut config = Config::new();
    config.profile_paths.insert(
        "profiles/audit.json".to_owned(),
        "node/seccomp/strict.json".to_owned(),
    );
    // The mapped file is scanned: resolved, whatever its name.
    let mapped = vec![
        text("pod.yaml", POD),
        text("node/seccomp/strict.json", PROFILE),
    ];
    assert!(al312(mapped, &config).is_empty());
    // A mapping is checked even when no profile is scanned, and is exact: a profile whose
    // name matches the reference does not stand in for the mapped file.
    assert_eq!(al312(vec![text("pod.yaml", POD)], &config).len(), 1);
    let hits = al312(
        vec![text("pod.yaml", POD), text("profiles/audit.json", PROFILE)],
        &config,
    );
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].contains("`profile-paths`") && hits[0].contains("node/seccomp/strict.json"));
}

/// A pod whose only seccomp setting is the legacy pod annotation.
const LEGACY_ANNOTATED: &str = "apiVersion: v1
kind: Pod
metadata:
  name: app
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: runtime/default
spec:
  containers:
  - {name: a, image: a:1}
";

#[test]
fn legacy_annotation_message_follows_the_target_version() {
    let pod = LEGACY_ANNOTATED;
    let messages = |config: &Config| -> Vec<String> {
        engine::scan_texts(vec![text("pod.yaml", pod)], config)
            .findings
            .iter()
            .filter(|f| f.code() == "AL313")
            .map(|f| f.message.clone())
            .collect()
    };
    let current = messages(&Config::new());
    assert_eq!(current.len(), 1);
    assert!(current[0].contains("non-functional since Kubernetes 1.27"));
    let mut old = Config::new();
    old.kubernetes_version = Some((1, 26));
    let before = messages(&old);
    assert_eq!(before.len(), 1);
    assert!(before[0].contains("after an upgrade"), "{before:?}");
}

#[test]
fn malformed_profiles_are_reported_not_fatal() {
    let texts = [
        r#"{"defaultAction": {"a":1}, "syscalls": {"x":1}, "architectures": "x", "flags": [1, null], "archMap": [{"architecture": 3, "subArchitectures": null}, 4]}"#,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": -3, "syscalls": [1, null, "x", [1], {"names": [[1], null, "read"], "action": ["x"], "errnoRet": "a", "args": "z"}, {"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [null, 1, {"index": -1, "value": "x", "op": 5}]}]}"#,
        "x: &a {names: [read], action: SCMP_ACT_ALLOW}\ndefaultAction: SCMP_ACT_TRACE\ndefaultErrnoRet: 99999999999999999999999\nsyscalls: [*a, *a]\nlistenerPath: [1]\nlistenerMetadata: {}\n",
    ];
    let report = engine::scan_texts(
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| text(&format!("seccomp/{i}.json"), t))
            .collect(),
        &Config::new(),
    );
    let per_file = |i: usize| {
        report
            .findings
            .iter()
            .filter(|f| f.code() == "AL301" && f.file.path == format!("seccomp/{i}.json"))
            .count()
    };
    assert_eq!(per_file(0), 4);
    // Every wrong type in the second profile, including the null name Go decodes as "".
    assert_eq!(per_file(1), 15);
    assert_eq!(per_file(2), 2);
    for f in &report.findings {
        assert!(
            f.span.end <= f.file.text.len(),
            "{}: span out of the file",
            f.code()
        );
    }
}

/// (code, message) of the legacy-annotation findings (AL313, AL314) of one workload.
fn annotation_findings(workload: &str) -> Vec<(String, String)> {
    engine::scan_texts(vec![text("w.yaml", workload)], &Config::new())
        .findings
        .iter()
        .filter(|f| f.code() == "AL313" || f.code() == "AL314")
        .map(|f| (f.code().to_owned(), f.message.clone()))
        .collect()
}

fn annotated(annotations: &str, pod_field: &str, containers: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  annotations:\n{annotations}spec:\n{pod_field}  containers:\n{containers}"
    )
}

const APP_OWN: &str = "  - name: app\n    image: app:1\n    securityContext:\n      seccompProfile: {type: RuntimeDefault}\n";
const APP_BARE: &str = "  - name: app\n    image: app:1\n";
const POD_FIELD: &str = "  securityContext:\n    seccompProfile: {type: RuntimeDefault}\n";

#[test]
fn an_annotation_beside_the_field_that_decides_is_a_note_not_unconfined() {
    let pod_annotation = "    seccomp.security.alpha.kubernetes.io/pod: runtime/default\n";
    let container_annotation =
        "    container.seccomp.security.alpha.kubernetes.io/app: runtime/default\n";
    // The pod's field decides for the pod annotation, and for a container without its own.
    for (annotations, pod, containers) in [
        (pod_annotation, POD_FIELD, APP_BARE),
        (container_annotation, POD_FIELD, APP_BARE),
        (container_annotation, "", APP_OWN),
        // Every container has its own field: the pod annotation governs nothing.
        (pod_annotation, "", APP_OWN),
    ] {
        let found = annotation_findings(&annotated(annotations, pod, containers));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "AL314", "{found:?}");
        assert!(found[0].1.contains("is ignored"), "{found:?}");
    }
    // No field anywhere: the workload relies on the annotation, which does nothing (AL313).
    let found = annotation_findings(&annotated(pod_annotation, "", APP_BARE));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "AL313");
    assert!(found[0].1.contains("runs unconfined"), "{found:?}");
}

#[test]
fn an_annotation_that_disagrees_with_its_field_is_rejected() {
    let unconfined = "    seccomp.security.alpha.kubernetes.io/pod: unconfined\n";
    let found = annotation_findings(&annotated(unconfined, POD_FIELD, APP_BARE));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].1.contains("the apiserver rejects the object"),
        "{found:?}"
    );
    // The apiserver compares only the same level: a container's own field is not compared
    // with the pod annotation.
    let found = annotation_findings(&annotated(unconfined, "", APP_OWN));
    assert!(found[0].1.contains("is ignored"), "{found:?}");
    let localhost = "    container.seccomp.security.alpha.kubernetes.io/app: localhost/a.json\n";
    let own_b = APP_OWN.replace(
        "{type: RuntimeDefault}",
        "{type: Localhost, localhostProfile: b.json}",
    );
    let found = annotation_findings(&annotated(localhost, "", &own_b));
    assert!(found[0].1.contains("disagrees"), "{found:?}");
}

/// A workload with one container that names no seccomp profile.
const UNPROFILED: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - {name: web, image: nginx:1.27}
      - name: confined
        image: nginx:1.27
        securityContext: {seccompProfile: {type: RuntimeDefault}}
";

/// AL315's findings (message, related labels) for `texts` under `config`.
fn al315(texts: Vec<Text>, config: &Config) -> Vec<(String, Vec<String>)> {
    engine::scan_texts(texts, config)
        .findings
        .iter()
        .filter(|f| f.code() == "AL315")
        .map(|f| {
            let related = f.related.iter().map(|r| r.message.clone()).collect();
            (f.message.clone(), related)
        })
        .collect()
}

#[test]
fn no_profile_is_a_note_in_an_application_repository() {
    // No cluster facts at all: the kubelet's default (off) is what the container gets.
    let hits = al315(vec![text("web.yaml", UNPROFILED)], &Config::new());
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].0.contains("container `web` of Deployment/web"));
    assert!(hits[0].0.contains("no scanned file turns on"));
    let report = engine::scan_texts(vec![text("web.yaml", UNPROFILED)], &Config::new());
    let f = report
        .findings
        .iter()
        .find(|f| f.code() == "AL315")
        .unwrap();
    assert_eq!(f.severity, auditlint::catalog::Severity::Note);
}

#[test]
fn no_profile_is_silent_when_each_source_turns_seccomp_default_on() {
    let sources = [
        (
            "kubelet.yaml",
            "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nseccompDefault: true\n",
        ),
        (
            "kubeadm.yaml",
            "apiVersion: kubeadm.k8s.io/v1beta3\nkind: InitConfiguration\nnodeRegistration:\n  kubeletExtraArgs: {seccomp-default: \"true\"}\n",
        ),
        (
            "kubeadm.yaml",
            "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nnodeRegistration:\n  kubeletExtraArgs: [{name: seccomp-default, value: \"true\"}]\n",
        ),
        ("patches/kubeletconfiguration+merge.yaml", "seccompDefault: true\n"),
        (
            "kind.yaml",
            "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nkubeadmConfigPatches:\n- |\n  kind: KubeletConfiguration\n  seccompDefault: true\n",
        ),
        ("config.yaml", "kubelet-arg: [seccomp-default=true]\n"),
        (
            "controlplane.yaml",
            "version: v1alpha1\nmachine:\n  type: controlplane\n  kubelet: {defaultRuntimeSeccompProfileEnabled: true}\n",
        ),
        (
            "patch.yaml",
            "machine:\n  kubelet: {extraConfig: {seccompDefault: true}}\n",
        ),
    ];
    for (name, source) in sources {
        let texts = vec![text("web.yaml", UNPROFILED), text(name, source)];
        assert!(al315(texts, &Config::new()).is_empty(), "{name}: {source}");
    }
}

#[test]
fn no_profile_names_the_setting_that_leaves_it_off() {
    let off = text(
        "kubelet.yaml",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nseccompDefault: false\n",
    );
    let hits = al315(vec![text("web.yaml", UNPROFILED), off], &Config::new());
    assert_eq!(hits.len(), 1);
    assert!(
        hits[0]
            .0
            .contains("KubeletConfiguration `seccompDefault` turns it off"),
        "{hits:?}"
    );
    assert_eq!(hits[0].1, ["the kubelet's `seccompDefault`"]);
    // On, but before 1.25 the feature gate is off unless turned on.
    let on = text(
        "kubelet.yaml",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nseccompDefault: true\n",
    );
    let mut old = Config::new();
    old.kubernetes_version = Some((1, 24));
    let hits = al315(vec![text("web.yaml", UNPROFILED), on.clone()], &old);
    assert_eq!(hits.len(), 1);
    assert!(hits[0].0.contains("feature gate"), "{hits:?}");
    let gated = text(
        "kubelet.yaml",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nseccompDefault: true\nfeatureGates: {SeccompDefault: true}\n",
    );
    assert!(al315(vec![text("web.yaml", UNPROFILED), gated], &old).is_empty());
}

#[test]
fn no_profile_counts_a_legacy_annotation_only_before_1_27() {
    let pod = LEGACY_ANNOTATED;
    let hits = al315(vec![text("pod.yaml", pod)], &Config::new());
    assert_eq!(hits.len(), 1);
    assert_eq!(
        hits[0].1,
        ["a legacy annotation, ignored from Kubernetes 1.27"]
    );
    let mut old = Config::new();
    old.kubernetes_version = Some((1, 26));
    assert!(al315(vec![text("pod.yaml", pod)], &old).is_empty());
}

#[test]
fn annotation_beside_a_field_is_ignored_not_unconfined_and_pod_unconfined_is_worded_per_case() {
    let pod = "apiVersion: v1
kind: Pod
metadata:
  name: app
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: unconfined
spec:
  securityContext:
    seccompProfile: {type: Unconfined}
  containers:
  - name: a
    image: a:1
    securityContext: {seccompProfile: {type: RuntimeDefault}}
";
    let report = engine::scan_texts(vec![text("pod.yaml", pod)], &Config::new());
    let of = |code: &str| -> Vec<String> {
        report
            .findings
            .iter()
            .filter(|f| f.code() == code)
            .map(|f| f.message.clone())
            .collect()
    };
    // The pod's own field decides: the annotation is dead text (AL314), never "unconfined".
    assert!(of("AL313").is_empty());
    let dead = of("AL314");
    assert_eq!(dead.len(), 1);
    assert!(
        dead[0].contains("is ignored") && !dead[0].contains("runs unconfined"),
        "{dead:?}"
    );
    // Every container has its own profile: AL310 does not speak of containers without one.
    let unconfined = of("AL310");
    assert_eq!(unconfined.len(), 1);
    assert!(
        unconfined[0].contains("every container sets its own today")
            && !unconfined[0].contains("every container without its own profile"),
        "{unconfined:?}"
    );
}
