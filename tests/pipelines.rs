//! Log agents judged by their own configuration, read from the ConfigMap mounted into them
//! (declared in another file of the same cluster): a collector that tails no file is no
//! forwarder, one that only prints is no shipper, and the audit log must be tailed into a
//! remote output.

mod common;

use auditlint::config::Config;
use auditlint::engine::{self, Text};

fn scan(files: &[(&str, &str)]) -> Vec<String> {
    let texts = files
        .iter()
        .map(|(name, text)| Text {
            display: (*name).to_owned(),
            text: (*text).to_owned(),
            abs_path: None,
        })
        .collect();
    let mut codes: Vec<String> = engine::scan_texts(texts, &Config::new())
        .findings
        .iter()
        .filter(|f| f.code().starts_with("AL4"))
        .map(|f| f.code().to_owned())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

/// A DaemonSet running `image` as container `name`, mounting the host's `/var/log` (or `/`)
/// and the ConfigMap `agent` at `/conf`, with `args`.
fn daemonset(name: &str, image: &str, host: &str, args: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: {name}, namespace: logging}}
spec:
  template:
    spec:
      tolerations: [{{operator: Exists}}]
      containers:
      - name: {name}
        image: {image}
        args: {args}
        volumeMounts:
        - {{name: host, mountPath: {host}, readOnly: true}}
        - {{name: conf, mountPath: /conf}}
      volumes:
      - {{name: host, hostPath: {{path: {host}}}}}
      - {{name: conf, configMap: {{name: agent}}}}
"
    )
}

fn config_map(key: &str, body: &str) -> String {
    let body: String = body.lines().map(|l| format!("    {l}\n")).collect();
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: agent, namespace: logging}}\ndata:\n  {key}: |\n{body}")
}

#[test]
fn an_otlp_only_collector_is_no_forwarder() {
    let api = common::apiserver("v1.30.2");
    let ds = daemonset(
        "otel-collector",
        "otel/opentelemetry-collector-contrib:0.100.0",
        "/var/log",
        "[--config=/conf/relay.yaml]",
    );
    let otlp = config_map(
        "relay.yaml",
        "receivers: {otlp: {protocols: {grpc: {}}}}\nexporters: {otlp: {endpoint: 'collector:4317'}}\nservice: {pipelines: {logs: {receivers: [otlp], exporters: [otlp]}}}\n",
    );
    assert_eq!(
        scan(&[("api.yaml", &api), ("ds.yaml", &ds), ("cm.yaml", &otlp)]),
        ["AL401"]
    );
    // Without its configuration in the scan, the image decides, as before.
    assert!(!scan(&[("api.yaml", &api), ("ds.yaml", &ds)]).contains(&"AL401".to_owned()));
}

#[test]
fn a_host_metrics_collector_does_not_hide_the_audit_log() {
    let api = common::apiserver("v1.30.2");
    let ds = daemonset(
        "otel-collector",
        "otel/opentelemetry-collector-contrib:0.100.0",
        "/",
        "[--config=/conf/relay.yaml]",
    );
    let metrics = config_map(
        "relay.yaml",
        "receivers: {hostmetrics: {root_path: /hostfs}}\nexporters: {otlp: {endpoint: 'x:4317'}}\nservice: {pipelines: {metrics: {receivers: [hostmetrics], exporters: [otlp]}}}\n",
    );
    let codes = scan(&[("api.yaml", &api), ("ds.yaml", &ds), ("cm.yaml", &metrics)]);
    assert_eq!(codes, ["AL401"], "mounting / is not shipping /var/log");
}

#[test]
fn the_audit_log_must_be_tailed_into_a_remote_output() {
    let api = common::apiserver("v1.30.2");
    let ds = daemonset("fluentd", "fluent/fluentd:v1.16", "/var/log", "[]");
    let fluentd = |audit_to: &str| {
        config_map(
            "fluent.conf",
            &format!(
                "<source>\n  @type tail\n  path /var/log/containers/*.log\n  tag kube.*\n</source>\n<source>\n  @type tail\n  path /var/log/kubernetes/audit/*.log\n  tag audit\n</source>\n<match audit>\n  @type {audit_to}\n</match>\n<match kube.**>\n  @type elasticsearch\n  scheme https\n</match>\n"
            ),
        )
    };
    let shipped = fluentd("elasticsearch\n  scheme https");
    assert_eq!(
        scan(&[("api.yaml", &api), ("ds.yaml", &ds), ("cm.yaml", &shipped)]),
        Vec::<String>::new()
    );
    let printed = fluentd("stdout");
    assert_eq!(
        scan(&[("api.yaml", &api), ("ds.yaml", &ds), ("cm.yaml", &printed)]),
        ["AL405"]
    );
}

#[test]
fn a_stdout_pipeline_ships_nothing() {
    let api = common::apiserver("v1.30.2");
    let ds = daemonset("vector", "timberio/vector:0.40.0", "/var/log", "[]");
    let vector = config_map(
        "vector.yaml",
        "sources: {logs: {type: file, include: ['/var/log/**/*.log']}}\nsinks: {out: {type: console, inputs: [logs]}}\n",
    );
    let codes = scan(&[("api.yaml", &api), ("ds.yaml", &ds), ("cm.yaml", &vector)]);
    assert!(codes.contains(&"AL406".to_owned()), "{codes:?}");
    assert!(codes.contains(&"AL405".to_owned()), "{codes:?}");
}
