//! Real log-forwarder manifests and rendered Helm streams from `../shared/corpus`: every
//! forwarder is recognised, nothing else is, and the AL4xx findings on them are the ones
//! judged right. Skipped (with a notice) when the corpus is not beside the project.

mod common;
use common::corpus;

use std::path::{Path, PathBuf};

use auditlint::config::Config;
use auditlint::engine;
use auditlint::model::workload::{pod_template, WorkloadFacts};
use auditlint::source::SourceFile;
use auditlint::yaml::{parse_all, Item};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Every workload of a file: (file name, kind, name, recognised agent).
fn workloads(path: &Path) -> Vec<(String, String, String, Option<String>)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let file = SourceFile::new(name.clone(), text.as_str());
    let (items, _) = parse_all(&text);
    items
        .iter()
        .filter_map(|item| match item {
            Item::Document(doc) => {
                let t = doc.root().and_then(pod_template)?;
                let f = WorkloadFacts::read(t, &file, None, &[]);
                Some((
                    name.clone(),
                    f.kind.clone(),
                    f.name.clone().unwrap_or_default(),
                    f.agent.map(|a| a.agent),
                ))
            }
            Item::Error(_) => None,
        })
        .collect()
}

/// (file name, code) of every AL4xx finding of a scan.
fn al4(paths: &[PathBuf]) -> Vec<(String, String)> {
    al4_with(paths, &Config::new())
}

/// A configuration that declares every scanned file one cluster, judged whatever it holds.
fn one_declared_cluster() -> Config {
    Config {
        clusters: vec![auditlint::config::ClusterDecl {
            name: "corpus".into(),
            paths: vec!["*".into()],
            kubernetes_version: None,
            managed: auditlint::config::Managed::None,
            // Where findings about the cluster as a whole are shown.
            origin: Some((
                auditlint::source::SourceFile::new(
                    ".auditlint.yaml",
                    "clusters:\n  corpus: {paths: [\"*\"]}\n",
                ),
                auditlint::yaml::Span::new(12, 18),
            )),
        }],
        ..Config::new()
    }
}

fn al4_with(paths: &[PathBuf], config: &Config) -> Vec<(String, String)> {
    let report = engine::scan_paths(paths, config).expect("the corpus scans");
    report
        .findings
        .iter()
        .filter(|f| f.code().starts_with("AL4"))
        .map(|f| {
            let name = Path::new(&f.file.path)
                .file_name()
                .map_or(f.file.path.clone(), |n| n.to_string_lossy().into_owned());
            (name, f.code().to_owned())
        })
        .collect()
}

#[test]
fn every_forwarder_manifest_is_recognised() {
    let Some(dir) = corpus("forwarders") else {
        return;
    };
    let mut seen = 0;
    for file in files(&dir) {
        for (name, kind, object, agent) in workloads(&file) {
            seen += 1;
            assert!(agent.is_some(), "{name}: {kind}/{object} is not recognised");
        }
    }
    // 19 of the 22 files hold a DaemonSet; the rest are ConfigMaps.
    assert_eq!(seen, 19);
}

#[test]
fn nothing_else_is_taken_for_a_log_agent() {
    let (Some(helm), Some(bulk)) = (corpus("helm-rendered"), corpus("bulk")) else {
        return;
    };
    let mut agents: Vec<(String, String, String)> = files(&helm)
        .iter()
        .chain(files(&bulk).iter())
        .flat_map(|f| workloads(f))
        .filter_map(|(file, kind, name, agent)| Some((file, format!("{kind}/{name}"), agent?)))
        .collect();
    agents.sort();
    let expected = [
        // Real agents: the OpenTelemetry collector as a gateway Deployment (no hostPath, so
        // AL402 leaves it alone) and a trimmed fluentd DaemonSet in a kyverno test.
        (
            "istio__istio__samples__open-telemetry__loki__otel.yaml",
            "Deployment/opentelemetry-collector",
            "opentelemetry-collector",
        ),
        (
            "istio__istio__samples__open-telemetry__otel.yaml",
            "Deployment/opentelemetry-collector",
            "opentelemetry-collector",
        ),
        (
            "kyverno__policies__other__memory-requests-equal-limits__.kyverno-test__resource.yaml",
            "DaemonSet/fluentd-elasticsearch",
            "fluentd",
        ),
        (
            "open-telemetry__opentelemetry-demo__kubernetes__opentelemetry-demo.yaml",
            "Deployment/otel-collector",
            "opentelemetry-collector",
        ),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(agents, expected);
}

#[test]
fn forwarder_findings_are_the_judged_ones() {
    let Some(dir) = corpus("forwarders") else {
        return;
    };
    // Forwarders without a control plane are no cluster: nothing to say about them.
    assert_eq!(al4(std::slice::from_ref(&dir)), []);
    // Declared a cluster and scanned together: forwarders exist (no AL401), the Windows
    // HostProcess fluent-bit sees the host filesystem (no AL403), and only the collector
    // that reads Kubernetes objects through the API, a DaemonSet that mounts nothing from
    // the node, is reported.
    // Read from their ConfigMaps, two agents ship without TLS: Elastic's Filebeat example
    // (basic-auth credentials to Elasticsearch over http) and Fluent Bit's Elasticsearch
    // example (`es` without `tls On`). The OpenTelemetry chart's collector-logs example
    // (ConfigMap key `relay`, mounted as `relay.yaml` through the volume's `items`) tails pod
    // logs into the `debug` exporter only: it ships nothing (AL406) and no container log
    // leaves the node (AL403). Its hostmetrics sibling is a DaemonSet of the same name and
    // namespace, so in one cluster it loads that same ConfigMap (the second AL403).
    let cm = "open-telemetry__opentelemetry-helm-charts__charts__opentelemetry-collector__examples__daemonset-collector-logs__rendered__configmap-agent.yaml";
    let hit = |file: &str, code: &str| (file.to_owned(), code.to_owned());
    assert_eq!(
        al4_with(std::slice::from_ref(&dir), &one_declared_cluster()),
        [
            hit("elastic__beats__deploy__kubernetes__filebeat-kubernetes.yaml", "AL408"),
            hit(
                "fluent__fluent-bit-kubernetes-logging__output__elasticsearch__fluent-bit-configmap.yaml",
                "AL408"
            ),
            hit(cm, "AL403"),
            hit(cm, "AL403"),
            hit(cm, "AL406"),
            hit(
                "open-telemetry__opentelemetry-helm-charts__charts__opentelemetry-collector__examples__daemonset-kubernetes-objects__rendered__daemonset.yaml",
                "AL403"
            ),
        ]
    );
    // With the apiserver corpus: some forwarder tolerates the control-plane taint, mounts
    // /var/log and tails the audit logs into a remote output, so they are collected.
    let Some(api) = corpus("apiserver") else {
        return;
    };
    let hits = al4(&[api, dir]);
    assert!(
        hits.iter()
            .all(|(_, c)| c == "AL403" || c == "AL406" || c == "AL408"),
        "{hits:?}"
    );
}

#[test]
fn helm_streams_scan_and_keep_their_templates() {
    let Some(dir) = corpus("helm-rendered") else {
        return;
    };
    for file in files(&dir) {
        // An application chart is no cluster: no cross-file finding.
        let report = engine::scan_paths(std::slice::from_ref(&file), &Config::new())
            .expect("a rendered stream scans");
        assert!(
            !report.findings.iter().any(|f| f.code().starts_with("AL4")),
            "{}",
            file.display()
        );
        // Declared a cluster, each stream lacks a forwarder DaemonSet: reported once.
        let report = engine::scan_paths(std::slice::from_ref(&file), &one_declared_cluster())
            .expect("a rendered stream scans");
        let al401: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.code() == "AL401")
            .collect();
        assert_eq!(al401.len(), 1, "{}", file.display());
        let text = std::fs::read_to_string(&file).unwrap();
        // istio's jaeger.yaml starts with hand-written documents; only those after the first
        // `# Source:` line belong to a template.
        if let Some(first) = text.find("# Source: ") {
            let in_stream = |f: &&auditlint::finding::Finding| f.file.path != ".auditlint.yaml";
            for f in report
                .findings
                .iter()
                .filter(in_stream)
                .filter(|f| f.span.start > first)
            {
                assert!(
                    f.template.is_some(),
                    "{}: {} has no template",
                    file.display(),
                    f.code()
                );
            }
        }
    }
}
