//! The scope model, run the way people run auditlint: an application repository, the chart
//! `helm create` writes (rendered by the real Helm engine), a monorepo of several clusters,
//! versions declared by files, a scan started from another directory, and inputs that fail.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{apiserver, finding_codes, tree, FORWARDER};
use serde_json::Value;

fn run_in(cwd: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_auditlint"));
    command
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("AUDITLINT_FORMAT")
        .env_remove("AUDITLINT_FAIL_ON")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("auditlint runs");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON output ({e}): {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const APP: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      securityContext: {seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: web
        image: example/web:1
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80}]
";

const POLICY: &str = "apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  resources:
  - group: \"\"
    resources: [secrets, configmaps, serviceaccounts/token]
  - group: authentication.k8s.io
    resources: [tokenreviews]
- level: RequestResponse
  verbs: [create, get]
  resources:
  - group: \"\"
    resources: [pods/exec, pods/attach, pods/portforward]
- level: Metadata
";

#[test]
fn an_application_repository_is_no_cluster() {
    let repo = tree(&[
        ("deploy/web.yaml", APP),
        (
            "deploy/agent.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: fluentd}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: fluentd, image: fluent/fluentd:v1.16}\n",
        ),
    ]);
    let out = run_in(repo.path(), &["check", "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    // No cluster rule speaks about it; only the note that its containers name no seccomp
    // profile (AL315 holds wherever they run, unless that cluster's kubelets default to one).
    assert_eq!(finding_codes(&report), ["AL315"]);
    let notes = report["findings"].as_array().unwrap();
    assert!(notes.iter().all(|f| f["severity"] == "note"));
    // Nothing read a version, so nothing is said about one.
    assert_eq!(report["notes"], serde_json::json!([]));
    let shown = run_in(repo.path(), &["check", "--show-clusters"], None);
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.contains("cluster default"), "{shown}");
    assert!(shown.contains("not checked (no control plane"), "{shown}");
}

#[test]
fn the_same_files_with_an_apiserver_form_a_cluster() {
    let repo = tree(&[
        ("deploy/web.yaml", APP),
        ("control-plane/kube-apiserver.yaml", &apiserver("v1.30.2")),
        ("control-plane/policy.yaml", POLICY),
    ]);
    let out = run_in(repo.path(), &["check", "--format", "json"], None);
    let report = json(&out);
    let al401: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "AL401")
        .collect();
    assert_eq!(al401.len(), 1, "{report:#}");
    assert_eq!(al401[0]["cluster"], "default");
    assert_eq!(al401[0]["path"], "control-plane/kube-apiserver.yaml");
}

fn monorepo() -> tempfile::TempDir {
    tree(&[
        ("clusters/prod/kube-apiserver.yaml", &apiserver("v1.30.2")),
        ("clusters/prod/audit/policy.yaml", POLICY),
        ("clusters/prod/logging/fluent-bit.yaml", FORWARDER),
        (
            "clusters/staging/kube-apiserver.yaml",
            &apiserver("v1.31.0"),
        ),
        ("clusters/staging/audit/policy.yaml", POLICY),
        ("apps/web.yaml", APP),
    ])
}

const CLUSTERS: &str = "clusters:
  prod:
    paths: [clusters/prod/]
  staging:
    paths: [\"clusters/staging/**\"]
    kubernetes-version: \"1.31\"
";

#[test]
fn each_cluster_is_judged_on_its_own_files() {
    let repo = monorepo();
    std::fs::write(repo.path().join(".auditlint.yaml"), CLUSTERS).unwrap();
    let out = run_in(repo.path(), &["check", "--format", "json"], None);
    let report = json(&out);
    let cross: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("AL4"))
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["cluster"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        cross,
        [(
            "AL401".to_owned(),
            "clusters/staging/kube-apiserver.yaml".to_owned(),
            "staging".to_owned()
        )],
        "{report:#}"
    );
    // Human output names the cluster too, and SARIF carries it as a property.
    let human = run_in(repo.path(), &["check"], None);
    assert!(
        String::from_utf8_lossy(&human.stdout)
            .contains("clusters/staging/kube-apiserver.yaml (cluster staging)"),
        "{}",
        String::from_utf8_lossy(&human.stdout)
    );
    let sarif = json(&run_in(repo.path(), &["check", "--format", "sarif"], None));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let al401 = results.iter().find(|r| r["ruleId"] == "AL401").unwrap();
    assert_eq!(al401["properties"]["cluster"], "staging");
    // The model is shown as built: versions and where they come from, files and why.
    let shown = json(&run_in(
        repo.path(),
        &["check", "--show-clusters", "--format", "json"],
        None,
    ));
    let clusters = shown["clusters"].as_array().unwrap();
    let names: Vec<&str> = clusters
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["prod", "staging", "default"]);
    assert_eq!(clusters[0]["kubernetes_version"], "1.30");
    assert!(
        clusters[0]["version_source"]
            .as_str()
            .unwrap()
            .contains("clusters/prod/kube-apiserver.yaml:7"),
        "{shown:#}"
    );
    assert_eq!(clusters[1]["kubernetes_version"], "1.31");
    assert_eq!(clusters[2]["judged"], false);
    assert_eq!(clusters[2]["files"][0]["path"], "apps/web.yaml");
    assert_eq!(
        clusters[0]["files"][0]["why"], "matches `clusters/prod/`",
        "{shown:#}"
    );
}

#[test]
fn without_clusters_the_scan_is_one_cluster() {
    // Documented behaviour: every file is in `default`, so prod's forwarder also counts for
    // staging's apiserver (and must tolerate and mount what both need).
    let repo = monorepo();
    let report = json(&run_in(repo.path(), &["check", "--format", "json"], None));
    let codes = finding_codes(&report);
    assert!(!codes.contains(&"AL401".to_owned()), "{codes:?}");
    let shown = json(&run_in(
        repo.path(),
        &["check", "--show-clusters", "--format", "json"],
        None,
    ));
    assert_eq!(shown["clusters"].as_array().unwrap().len(), 1);
    assert_eq!(shown["clusters"][0]["name"], "default");
    // The newest version the files declare.
    assert_eq!(shown["clusters"][0]["kubernetes_version"], "1.31");
}

#[test]
fn a_shared_directory_belongs_to_every_cluster_that_names_it() {
    let repo = tree(&[
        ("clusters/prod/kube-apiserver.yaml", &apiserver("v1.30.2")),
        ("clusters/staging/kube-apiserver.yaml", &apiserver("v1.30.2")),
        ("platform/logging/fluent-bit.yaml", FORWARDER),
        (
            ".auditlint.yaml",
            "clusters:\n  prod: {paths: [clusters/prod/, platform/]}\n  staging: {paths: [clusters/staging/, platform/]}\n",
        ),
    ]);
    let report = json(&run_in(repo.path(), &["check", "--format", "json"], None));
    let codes = finding_codes(&report);
    assert!(!codes.iter().any(|c| c.starts_with("AL4")), "{codes:?}");
}

fn kcp(version: &str) -> String {
    format!(
        "apiVersion: controlplane.cluster.x-k8s.io/v1beta1
kind: KubeadmControlPlane
metadata: {{name: cp}}
spec:
  version: {version}
  kubeadmConfigSpec:
    files:
    - path: /etc/kubernetes/audit-policy.yaml
      content: |
        apiVersion: audit.k8s.io/v1beta1
        kind: Policy
        rules:
        - level: Metadata
"
    )
}

/// (severity) of every AL201 finding of a JSON report.
fn al201(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "AL201")
        .map(|f| f["severity"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_cluster_api_object_is_checked_against_its_own_version() {
    let old = tree(&[("kcp.yaml", &kcp("v1.21.2"))]);
    let report = json(&run_in(old.path(), &["check", "--format", "json"], None));
    assert_eq!(al201(&report), ["warning"], "{report:#}");
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("this 1.21 cluster loads it"), "{message}");

    let new = tree(&[("kcp.yaml", &kcp("v1.30.0"))]);
    let report = json(&run_in(new.path(), &["check", "--format", "json"], None));
    assert_eq!(al201(&report), ["error"]);
    // The command line wins over what the file declares.
    let report = json(&run_in(
        new.path(),
        &["check", "--format", "json", "--kubernetes-version", "1.21"],
        None,
    ));
    assert_eq!(al201(&report), ["warning"]);
}

#[test]
fn a_version_declared_in_one_file_applies_to_the_others_of_its_cluster() {
    let v1beta1 = "apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules:\n- level: Metadata\n";
    let kubeadm = "apiVersion: kubeadm.k8s.io/v1beta2\nkind: ClusterConfiguration\nkubernetesVersion: v1.22.4\n";
    // `a-` sorts the policy first, so it is checked before the version is known.
    let repo = tree(&[("a-policy.yaml", v1beta1), ("kubeadm.yaml", kubeadm)]);
    let report = json(&run_in(repo.path(), &["check", "--format", "json"], None));
    assert_eq!(al201(&report), ["warning"], "{report:#}");
    assert_eq!(report["notes"], serde_json::json!([]));

    // Alone, the policy is checked against the newest version, and the report says so.
    let alone = tree(&[("a-policy.yaml", v1beta1)]);
    let out = run_in(alone.path(), &["check", "--format", "json"], None);
    let report = json(&out);
    assert_eq!(al201(&report), ["error"]);
    let notes = report["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0]
            .as_str()
            .unwrap()
            .starts_with("assuming Kubernetes 1."),
        "{notes:?}"
    );
    let human = run_in(alone.path(), &["check"], None);
    let text = String::from_utf8_lossy(&human.stdout);
    assert_eq!(
        text.matches("note: assuming Kubernetes").count(),
        1,
        "{text}"
    );
}

#[test]
fn versions_are_read_one_way_on_the_command_line_and_in_the_config() {
    let repo = tree(&[("p.yaml", POLICY)]);
    for bad in ["vvv1.30", "7.99", "1"] {
        let out = run_in(repo.path(), &["check", "--kubernetes-version", bad], None);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        std::fs::write(
            repo.path().join(".auditlint.yaml"),
            format!("kubernetes-version: \"{bad}\"\n"),
        )
        .unwrap();
        let out = run_in(repo.path(), &["check"], None);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
    }
}

/// Every path a format names, with its line.
fn paths_of(format: &str, out: &Output) -> Vec<String> {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    match format {
        "concise" => text
            .lines()
            .map(|l| l.split(':').next().unwrap().to_owned())
            .collect(),
        "github" => text
            .lines()
            .filter_map(|l| l.split("file=").nth(1))
            .map(|rest| rest.split(',').next().unwrap().replace("%2C", ","))
            .collect(),
        "json" => {
            let v: Value = serde_json::from_str(&text).unwrap();
            v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|f| {
                    std::iter::once(f["path"].as_str().unwrap().to_owned()).chain(
                        f["related"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|r| r["path"].as_str().unwrap().to_owned()),
                    )
                })
                .collect()
        }
        "sarif" => {
            let v: Value = serde_json::from_str(&text).unwrap();
            common::assert_schema_valid("sarif-2.1.0.json", &v);
            let mut paths = Vec::new();
            for r in v["runs"][0]["results"].as_array().unwrap() {
                let locations = r["locations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .chain(r["relatedLocations"].as_array().into_iter().flatten());
                for l in locations {
                    let uri = l["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap();
                    paths.push(uri.strip_prefix("file://").unwrap_or(uri).to_owned());
                }
            }
            paths
        }
        _ => unreachable!(),
    }
}

#[test]
fn paths_open_from_the_working_directory_in_every_format() {
    let root = tempfile::tempdir().unwrap();
    let project = root.path().join("project");
    let elsewhere = root.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    for (rel, text) in [
        ("control-plane/kube-apiserver.yaml", apiserver("v1.30.2")),
        ("control-plane/policy.yaml", POLICY.replace("- level: Metadata\n", "- level: None\n")),
        (
            "eks/cluster.yaml",
            "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: x, region: eu-west-1}\ncloudWatch:\n  clusterLogging:\n    enableTypes: [api]\n".to_owned(),
        ),
    ] {
        let path = project.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    // From a sibling directory (paths outside the working directory are absolute), from the
    // project itself and from its parent (relative).
    for (cwd, arg) in [
        (&elsewhere, "../project"),
        (&project, "."),
        (&root.path().to_path_buf(), "project/control-plane"),
    ] {
        for format in ["concise", "github", "json", "sarif"] {
            let out = run_in(cwd, &["check", "--format", format, arg], None);
            let paths = paths_of(format, &out);
            assert!(!paths.is_empty(), "{format} from {}", cwd.display());
            for p in paths {
                assert!(
                    cwd.join(&p).is_file(),
                    "{format} from {}: `{p}` does not open",
                    cwd.display()
                );
            }
        }
    }
    // Two scanned directories give distinct paths, under the working directory as `root`.
    let out = run_in(
        root.path(),
        &[
            "check",
            "--format",
            "json",
            "project/control-plane",
            "project/eks",
        ],
        None,
    );
    let report = json(&out);
    assert_eq!(
        report["root"].as_str().map(Path::new),
        Some(std::fs::canonicalize(root.path()).unwrap().as_path())
    );
    let paths = paths_of("json", &out);
    assert!(
        paths.iter().any(|p| p.starts_with("project/eks/")),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("project/control-plane/")),
        "{paths:?}"
    );
}

#[test]
fn a_missing_input_fails_the_scan_without_hiding_the_rest() {
    let repo = tree(&[("eks/cluster.yaml", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: x, region: eu-west-1}\n")]);
    for format in ["json", "sarif", "concise", "human"] {
        let out = run_in(
            repo.path(),
            &["check", "--format", format, "eks", "missing.yaml", "gone/"],
            None,
        );
        assert_eq!(out.status.code(), Some(2), "{format}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("AL116"),
            "{format}: the other findings stay: {text}"
        );
        assert!(text.contains("missing.yaml"), "{format}: {text}");
        assert!(
            stderr(&out).contains("missing.yaml: no such file or directory"),
            "{}",
            stderr(&out)
        );
        if format == "sarif" {
            let log: Value = serde_json::from_str(&text).unwrap();
            common::assert_schema_valid("sarif-2.1.0.json", &log);
            let invocation = &log["runs"][0]["invocations"][0];
            assert_eq!(invocation["executionSuccessful"], false);
            assert_eq!(
                invocation["toolExecutionNotifications"]
                    .as_array()
                    .unwrap()
                    .len(),
                2
            );
        }
        if format == "json" {
            let report: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(report["input_errors"].as_array().unwrap().len(), 2);
        }
    }
}

#[test]
fn a_directory_that_cannot_be_listed_fails_the_scan() {
    let repo = tree(&[("ok/cluster.yaml", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: x, region: eu-west-1}\n"), ("locked/x.yaml", "a: 1\n")]);
    use std::os::unix::fs::PermissionsExt;
    let locked = repo.path().join("locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads every directory: drop to an unprivileged user for this run when root.
    let is_root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let mut command = if is_root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_auditlint"));
        // The unprivileged user must reach the tree.
        let mut dir = repo.path();
        while let Some(parent) = dir.parent() {
            let mode = std::fs::metadata(dir).unwrap().permissions().mode();
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode | 0o005)).ok();
            dir = parent;
        }
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_auditlint"))
    };
    let out = command
        .args(["check", "--format", "concise", "ok", "locked"])
        .current_dir(repo.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ok/cluster.yaml"), "{text}");
    assert!(text.contains("locked: cannot list the directory"), "{text}");
}

#[test]
fn empty_standard_input_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["check", "-"], Some(""));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("standard input was empty: did the command before the pipe fail?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_template_file_is_linted_where_it_can_be() {
    let file = "{{- if .Values.enabled }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
{{- end }}
---
apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.30.2
    command:
    - kube-apiserver
    - --etcd-servers={{ .Values.etcd }}
    - --audit-log-maxage={{ .Values.maxage }}
";
    let repo = tree(&[("templates/apiserver.yaml", file)]);
    let out = run_in(repo.path(), &["check", "--format", "json"], None);
    let report = json(&out);
    let codes = finding_codes(&report);
    // The apiserver document parses and runs with no audit log: that is said. What a rule
    // would read from a templated value (the maxage) is not.
    assert!(codes.contains(&"AL101".to_owned()), "{codes:?}");
    assert!(!codes.contains(&"AL103".to_owned()), "{codes:?}");
    let al003: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "AL003")
        .collect();
    assert_eq!(al003.len(), 1);
    assert_eq!(al003[0]["severity"], "note");
    assert!(al003[0]["message"].as_str().unwrap().contains("1 document"));
}

fn helm_create(helm: &Path, dir: &Path) {
    let out = Command::new(helm)
        .args(["create", "mychart"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn the_chart_helm_create_writes_is_clean() {
    let Some(helm) = common::real_helm() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    helm_create(&helm, dir.path());
    let path = format!(
        "{}:{}",
        helm.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args(["check", "--format", "json", "--helm-chart", "mychart"])
        .current_dir(dir.path())
        .env("PATH", &path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Its Deployment and test Pod leave `securityContext` empty: only the notes that they name
    // no seccomp profile.
    assert_eq!(finding_codes(&json(&out)), ["AL315", "AL315"]);
    // The pipeline people write, with the shell's default (no pipefail).
    let pipeline = |args: &str| {
        Command::new("sh")
            .arg("-c")
            .arg(format!(
                "helm template mychart | {} check {args} -",
                env!("CARGO_BIN_EXE_auditlint")
            ))
            .current_dir(dir.path())
            .env("PATH", &path)
            .output()
            .unwrap()
    };
    let piped = pipeline("--format json");
    assert_eq!(piped.status.code(), Some(0), "{}", stderr(&piped));
    assert_eq!(finding_codes(&json(&piped)), ["AL315", "AL315"]);
    // A chart that fails to render leaves stdin empty: the pipeline fails too.
    std::fs::write(
        dir.path().join("mychart/templates/broken.yaml"),
        "{{ fail \"this chart is broken\" }}\n",
    )
    .unwrap();
    let broken = pipeline("");
    assert_eq!(broken.status.code(), Some(2), "{}", stderr(&broken));
    assert!(stderr(&broken).contains("standard input was empty"));
}

#[test]
fn helm_chart_findings_point_at_their_templates() {
    let Some(helm) = common::real_helm() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    helm_create(&helm, dir.path());
    let chart = dir.path().join("mychart");
    std::fs::write(chart.join("values.yaml"), "maxage: 7\n").unwrap();
    for t in std::fs::read_dir(chart.join("templates")).unwrap() {
        let t = t.unwrap().path();
        if t.is_file() {
            std::fs::remove_file(t).unwrap();
        }
    }
    std::fs::remove_dir_all(chart.join("templates/tests")).unwrap();
    let api = apiserver("v1.30.2").replace(
        "--audit-log-maxage=30",
        "--audit-log-maxage={{ .Values.maxage }}",
    );
    std::fs::write(chart.join("templates/apiserver.yaml"), &api).unwrap();
    std::fs::write(
        chart.join("templates/fluent-bit.yaml"),
        FORWARDER.replace(
            "      tolerations:\n      - {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}\n",
            "",
        ),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        helm.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_auditlint"))
            .args(["check", "--format", format, "--helm-chart", "mychart"])
            .current_dir(dir.path())
            .env("PATH", &path)
            .output()
            .unwrap()
    };
    let maxage_line = api
        .lines()
        .position(|l| l.contains("--audit-log-maxage"))
        .unwrap()
        + 1;
    let sarif = json(&run("sarif"));
    common::assert_schema_valid("sarif-2.1.0.json", &sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let al103 = results.iter().find(|r| r["ruleId"] == "AL103").unwrap();
    let loc = &al103["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "mychart/templates/apiserver.yaml"
    );
    assert_eq!(loc["region"]["startLine"], maxage_line);
    assert!(al103["properties"]["rendered"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .contains("helm%20template"));
    // The apiserver's finding about the forwarder relates it, in its own template.
    let al404 = results.iter().find(|r| r["ruleId"] == "AL404").unwrap();
    assert_eq!(
        al404["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "mychart/templates/apiserver.yaml"
    );
    let related = al404["relatedLocations"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["physicalLocation"]["artifactLocation"]["uri"]
                == "mychart/templates/fluent-bit.yaml"
                && r["properties"]["template"] == "mychart/templates/fluent-bit.yaml"),
        "{related:#?}"
    );
    let github = String::from_utf8_lossy(&run("github").stdout).into_owned();
    assert!(
        github.contains(&format!(
            "file=mychart/templates/apiserver.yaml,line={maxage_line},"
        )),
        "{github}"
    );
}

#[test]
fn removed_flags_follow_the_version() {
    let api = |tag: &str| {
        apiserver(tag).replace(
            "    - --audit-log-maxage=30\n",
            "    - --audit-log-maxage=30\n    - --audit-dynamic-configuration\n    - --audit-log-version=audit.k8s.io/v1beta1\n",
        )
    };
    let al106 = |tag: &str| {
        let repo = tree(&[("kube-apiserver.yaml", &api(tag))]);
        let report = json(&run_in(repo.path(), &["check", "--format", "json"], None));
        finding_codes(&report)
            .into_iter()
            .filter(|c| c == "AL106")
            .count()
    };
    assert_eq!(al106("v1.18.20"), 0, "both still exist in 1.18");
    assert_eq!(al106("v1.22.0"), 1, "dynamic audit is gone, v1beta1 is not");
    assert_eq!(al106("v1.30.2"), 2);
}
