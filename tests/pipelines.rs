//! Log agents judged by their own configuration, read from the ConfigMap mounted into them
//! (declared in another file of the same cluster): a collector that tails no file is no
//! forwarder, one that only prints is no shipper, and the audit log must be tailed into a
//! remote output.

mod common;

use auditlint::config::Config;
use auditlint::engine::{self, Text};

fn scan(files: &[(&str, &str)]) -> Vec<String> {
    scan_with(files, &Config::new())
}

/// The AL4xx codes `files` raise under `config`, each once.
fn scan_with(files: &[(&str, &str)], config: &Config) -> Vec<String> {
    let texts = files
        .iter()
        .map(|(name, text)| Text {
            display: (*name).to_owned(),
            text: (*text).to_owned(),
            abs_path: None,
        })
        .collect();
    let mut codes: Vec<String> = engine::scan_texts(texts, config)
        .findings
        .iter()
        .filter(|f| f.code().starts_with("AL4"))
        .map(|f| f.code().to_owned())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

/// An agent DaemonSet and the ConfigMap it mounts, beside a control plane that writes its
/// audit log to the node.
fn with_control_plane(ds: &str, cm: &str) -> Vec<String> {
    let api = common::apiserver("v1.30.2");
    scan(&[("api.yaml", &api), ("ds.yaml", ds), ("cm.yaml", cm)])
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
    assert_eq!(with_control_plane(&ds, &otlp), ["AL401"]);
    // Without its configuration in the scan, the image decides, as before.
    assert!(!scan(&[("api.yaml", &api), ("ds.yaml", &ds)]).contains(&"AL401".to_owned()));
}

#[test]
fn a_host_metrics_collector_does_not_hide_the_audit_log() {
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
    let codes = with_control_plane(&ds, &metrics);
    assert_eq!(codes, ["AL401"], "mounting / is not shipping /var/log");
}

#[test]
fn the_audit_log_must_be_tailed_into_a_remote_output() {
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
    assert_eq!(with_control_plane(&ds, &shipped), Vec::<String>::new());
    let printed = fluentd("stdout");
    assert_eq!(with_control_plane(&ds, &printed), ["AL405"]);
}

#[test]
fn a_stdout_pipeline_ships_nothing() {
    let ds = daemonset("vector", "timberio/vector:0.40.0", "/var/log", "[]");
    let vector = config_map(
        "vector.yaml",
        "sources: {logs: {type: file, include: ['/var/log/**/*.log']}}\nsinks: {out: {type: console, inputs: [logs]}}\n",
    );
    let codes = with_control_plane(&ds, &vector);
    assert!(codes.contains(&"AL406".to_owned()), "{codes:?}");
    assert!(codes.contains(&"AL405".to_owned()), "{codes:?}");
}

#[test]
fn grafana_alloy_is_read_from_the_file_after_run() {
    let ds = daemonset(
        "alloy",
        "grafana/alloy:v1.4.0",
        "/var/log",
        "[run, --storage.path=/tmp/alloy, /conf/config.alloy]",
    );
    let alloy = |sink: &str| {
        config_map(
            "config.alloy",
            &format!(
                "local.file_match \"logs\" {{\n  path_targets = [\n    {{\"__path__\" = \"/var/log/pods/*/*/*.log\"}},\n    {{\"__path__\" = \"/var/log/kubernetes/audit/*.log\"}},\n  ]\n}}\nloki.source.file \"logs\" {{\n  targets    = local.file_match.logs.targets\n  forward_to = [{sink}.receiver]\n}}\nloki.write \"loki\" {{\n  endpoint {{\n    url = \"https://loki.example.com/loki/api/v1/push\"\n  }}\n}}\nloki.echo \"debug\" {{ }}\n"
            ),
        )
    };
    let shipped = alloy("loki.write.loki");
    assert_eq!(with_control_plane(&ds, &shipped), Vec::<String>::new());
    let echoed = alloy("loki.echo.debug");
    assert_eq!(
        with_control_plane(&ds, &echoed),
        ["AL403", "AL405", "AL406"]
    );
}

#[test]
fn splunk_connect_is_fluentd_with_a_hec_output() {
    let ds = daemonset(
        "splunk-fluentd-k8s-logs",
        "docker.io/splunk/fluentd-hec:1.3.3",
        "/var/log",
        "[]",
    );
    let conf = |protocol: &str| {
        config_map(
            "fluent.conf",
            &format!("<source>\n  @type tail\n  @label @SPLUNK\n  tag tail.file.audit\n  path /var/log/containers/*.log,/var/log/kubernetes/audit/*.log\n</source>\n<label @SPLUNK>\n  <match **>\n    @type splunk_hec\n    protocol {protocol}\n    hec_host splunk.example.com\n  </match>\n</label>\n"),
        )
    };
    let https = conf("https");
    assert_eq!(with_control_plane(&ds, &https), Vec::<String>::new());
    let http = conf("http");
    assert_eq!(with_control_plane(&ds, &http), ["AL408"]);
}

#[test]
fn the_cloudwatch_agent_and_aws_for_fluent_bit() {
    let api = common::apiserver("v1.30.2");
    // Container Insights' CloudWatch agent collects metrics only: no forwarder.
    let agent = daemonset(
        "cloudwatch-agent",
        "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300040.0b650",
        "/var/log",
        "[]",
    );
    let metrics = config_map(
        "cwagentconfig.json",
        r#"{"logs": {"metrics_collected": {"kubernetes": {"cluster_name": "prod"}}}}"#,
    );
    assert_eq!(
        scan(&[
            ("api.yaml", &api),
            ("ds.yaml", &agent),
            ("cm.yaml", &metrics)
        ]),
        ["AL401"]
    );
    let files = config_map(
        "cwagentconfig.json",
        r#"{"logs": {"logs_collected": {"files": {"collect_list": [{"file_path": "/var/log/kubernetes/audit/*.log", "log_group_name": "audit"}]}}}}"#,
    );
    assert_eq!(
        with_control_plane(&agent, &files),
        ["AL403"],
        "the audit log ships; container logs are not tailed"
    );
    // aws-for-fluent-bit, as the EKS add-ons run it, reads a Fluent Bit configuration.
    let fluent_bit = daemonset(
        "fluent-bit",
        "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2",
        "/var/log",
        "[-c, /conf/fluent-bit.conf]",
    );
    let stdout = config_map(
        "fluent-bit.conf",
        "[INPUT]\n    Name tail\n    Path /var/log/kubernetes/audit/*.log\n[OUTPUT]\n    Name stdout\n    Match *\n",
    );
    assert_eq!(
        scan(&[
            ("api.yaml", &api),
            ("ds.yaml", &fluent_bit),
            ("cm.yaml", &stdout)
        ]),
        ["AL403", "AL405", "AL406"]
    );
}

#[test]
fn a_re_hosted_agent_is_a_forwarder_by_its_configuration() {
    let api = common::apiserver("v1.30.2");
    let ds = daemonset("vector", "quay.io/someone/vector:0.40.0", "/var/log", "[]");
    let vector = config_map(
        "vector.yaml",
        "sources:\n  pods: {type: file, include: ['/var/log/pods/**/*.log', '/var/log/kubernetes/audit/*.log']}\nsinks:\n  es: {type: elasticsearch, inputs: [pods], endpoints: ['https://es.example.com:9200']}\n",
    );
    assert_eq!(with_control_plane(&ds, &vector), Vec::<String>::new());
    // Without its configuration, neither image nor container name says it is an agent.
    assert_eq!(scan(&[("api.yaml", &api), ("ds.yaml", &ds)]), ["AL401"]);
    // Any name, any image: a Fluent Bit configuration that tails node files makes it one, and
    // it is then judged by that configuration.
    let shipper = daemonset(
        "shipper",
        "registry.acme.io/platform/shipper:2",
        "/var/log",
        "[]",
    );
    let fluent_bit = config_map(
        "shipper.conf",
        "[INPUT]\n    Name tail\n    Path /var/log/containers/*.log\n[OUTPUT]\n    Name stdout\n    Match *\n",
    );
    assert_eq!(
        scan(&[
            ("api.yaml", &api),
            ("ds.yaml", &shipper),
            ("cm.yaml", &fluent_bit)
        ]),
        ["AL403", "AL405", "AL406"]
    );
    // A configuration that tails nothing (OTLP in, OTLP out) makes no forwarder.
    let otlp = config_map(
        "relay.yaml",
        "receivers: {otlp: {protocols: {grpc: {}}}}\nexporters: {otlp: {endpoint: 'collector:4317'}}\nservice: {pipelines: {logs: {receivers: [otlp], exporters: [otlp]}}}\n",
    );
    assert_eq!(
        scan(&[
            ("api.yaml", &api),
            ("ds.yaml", &shipper),
            ("cm.yaml", &otlp)
        ]),
        ["AL401"]
    );
}

#[test]
fn no_persistent_buffer_is_opt_in() {
    let api = common::apiserver("v1.30.2");
    let ds = daemonset("vector", "timberio/vector:0.40.0", "/var/log", "[]");
    let vector = |buffer: &str| {
        config_map(
            "vector.yaml",
            &format!("sources:\n  pods: {{type: file, include: ['/var/log/pods/**/*.log', '/var/log/kubernetes/audit/*.log']}}\nsinks:\n  es: {{type: elasticsearch, inputs: [pods], endpoints: ['https://es.example.com:9200']{buffer}}}\n"),
        )
    };
    let memory = vector("");
    assert_eq!(
        with_control_plane(&ds, &memory),
        Vec::<String>::new(),
        "off by default"
    );
    let mut selected = Config::new();
    selected.extend_select.push("AL409".to_owned());
    let files = [
        ("api.yaml", api.as_str()),
        ("ds.yaml", &ds),
        ("cm.yaml", &memory),
    ];
    assert_eq!(scan_with(&files, &selected), ["AL409"]);
    let disk = vector(", buffer: {type: disk, max_size: 268435488}");
    let files = [
        ("api.yaml", api.as_str()),
        ("ds.yaml", &ds),
        ("cm.yaml", &disk),
    ];
    assert!(scan_with(&files, &selected).is_empty());
}

/// The AL4xx findings of `paths` (a fixture) scanned with the shared control plane (by
/// default: the opt-in AL409 has its own test), one line each: code, place, message.
fn fixture_findings(paths: Vec<std::path::PathBuf>) -> Vec<String> {
    let report = engine::scan_paths(&paths, &Config::new()).expect("the fixture scans");
    let mut lines: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.code().starts_with("AL4"))
        .map(|f| {
            let path = f.file.path.replace('\\', "/");
            let path = path
                .rsplit_once("/pipelines/")
                .map_or(path.as_str(), |(_, p)| p);
            let line = f.file.position(f.span.start).line;
            format!("{} {path}:{line} {}", f.code(), f.message)
        })
        .collect();
    lines.sort();
    lines
}

/// `tests/fixtures/pipelines/<case>/`: the agent's DaemonSet (`daemonset.yaml`, or one in each
/// side when they differ) and, in another file, the ConfigMap it names (`bad/configmap.yaml`,
/// `good/configmap.yaml`), judged with the shared `kube-apiserver.yaml` (audit log on the
/// node).
#[test]
fn every_agent_format_has_a_bad_and_a_good_fixture() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pipelines");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 16, "{cases:?}");
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let side = |side: &str| {
            let mut paths = vec![case.join(side), root.join("kube-apiserver.yaml")];
            let shared = case.join("daemonset.yaml");
            if shared.is_file() {
                paths.push(shared);
            }
            fixture_findings(paths)
        };
        let (bad, good) = (side("bad"), side("good"));
        assert!(!bad.is_empty(), "{name}: the bad fixture raises nothing");
        assert!(good.is_empty(), "{name}: the good fixture raises {good:?}");
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("../snapshots");
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!(format!("pipeline_{name}"), bad.join("\n")));
    }
}
