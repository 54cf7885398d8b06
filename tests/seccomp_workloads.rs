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

#[test]
fn legacy_annotation_message_follows_the_target_version() {
    let pod = "apiVersion: v1
kind: Pod
metadata:
  name: app
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: runtime/default
spec:
  containers:
  - {name: a, image: a:1}
";
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
