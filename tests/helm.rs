//! Helm: rendered streams (on stdin, or from `--helm-chart` through a stand-in `helm` on a
//! temporary PATH) are scanned with every finding attributed to its template.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// A `helm template` stream: an apiserver (so the stream is a cluster), a forwarder
/// DaemonSet that mounts no host logs, and an application, each under its `# Source:` line.
const STREAM: &str = "---
# Source: logging/templates/apiserver.yaml
apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - name: kube-apiserver
    command: [kube-apiserver, --audit-log-path=-]
---
# Source: logging/templates/daemonset.yaml
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: release-fluent-bit
spec:
  template:
    spec:
      containers:
      - name: fluent-bit
        image: cr.fluentbit.io/fluent/fluent-bit:3.1
---
# Source: logging/templates/app.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    spec:
      containers:
      - name: app
        image: example/app:1
";

fn run(args: &[&str], stdin: &str, cwd: &Path, path_var: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_auditlint"));
    command
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(p) = path_var {
        command.env("PATH", p);
    }
    let mut child = command.spawn().expect("auditlint runs");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).expect("JSON output")
}

/// Every finding's (code, path, template).
fn findings(v: &serde_json::Value) -> Vec<(String, String, Option<String>)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["template"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[test]
fn a_helm_stream_on_stdin_names_the_template_of_every_finding() {
    let dir = tempfile::tempdir().unwrap();
    let human = run(
        &["check", "-", "--color", "never"],
        STREAM,
        dir.path(),
        None,
    );
    assert_eq!(human.status.code(), Some(1));
    let out = text(&human.stdout);
    assert!(out.contains("AL403"), "{out}");
    assert!(
        out.contains("(in template logging/templates/daemonset.yaml)"),
        "{out}"
    );
    let j = run(
        &["check", "-", "--format", "json"],
        STREAM,
        dir.path(),
        None,
    );
    let found = findings(&json(&j));
    assert!(!found.is_empty());
    assert!(found.contains(&(
        "AL403".to_owned(),
        "-".to_owned(),
        Some("logging/templates/daemonset.yaml".to_owned())
    )));
    assert!(found.iter().all(|f| f.2.is_some()), "{found:?}");
}

#[cfg(unix)]
mod chart {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A stand-in `helm` that records its arguments and prints `stream` (shell builtins only,
    /// so that PATH can hold nothing else).
    fn fake_helm(bin: &Path, stream: &str, status: i32) {
        std::fs::write(bin.join("rendered.yaml"), stream).unwrap();
        let script = format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{args}'\nwhile IFS= read -r line; do printf '%s\\n' \"$line\"; done < '{out}'\nif [ {status} -ne 0 ]; then echo 'Error: chart failed' >&2; else echo 'WARNING: a helm warning' >&2; fi\nexit {status}\n",
            args = bin.join("args").display(),
            out = bin.join("rendered.yaml").display(),
        );
        let helm = bin.join("helm");
        std::fs::write(&helm, script).unwrap();
        std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn setup() -> (tempfile::TempDir, tempfile::TempDir) {
        let work = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(work.path().join("chart/templates")).unwrap();
        std::fs::write(work.path().join("values-prod.yaml"), "a: 1\n").unwrap();
        std::fs::write(work.path().join("values-eu.yaml"), "b: 2\n").unwrap();
        // A file in the working directory that must not be scanned with --helm-chart alone.
        std::fs::write(
            work.path().join("eks.yaml"),
            "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c}\n",
        )
        .unwrap();
        (work, tempfile::tempdir().unwrap())
    }

    #[test]
    fn renders_the_chart_with_its_values_and_scans_the_output() {
        let (work, bin) = setup();
        fake_helm(bin.path(), STREAM, 0);
        let o = run(
            &[
                "check",
                "--helm-chart",
                "chart",
                "--values",
                "values-prod.yaml",
                "--values",
                "values-eu.yaml",
                "--format",
                "json",
            ],
            "",
            work.path(),
            Some(bin.path()),
        );
        assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
        assert!(text(&o.stderr).contains("WARNING: a helm warning"));
        let args = std::fs::read_to_string(bin.path().join("args")).unwrap();
        assert_eq!(
            args.lines().collect::<Vec<_>>(),
            [
                "template",
                "chart",
                "-f",
                "values-prod.yaml",
                "-f",
                "values-eu.yaml"
            ]
        );
        let found = findings(&json(&o));
        assert!(found.contains(&(
            "AL403".to_owned(),
            "chart (helm template)".to_owned(),
            Some("logging/templates/daemonset.yaml".to_owned())
        )));
        assert!(
            found.iter().all(|f| f.1 == "chart (helm template)"),
            "only the rendered stream is scanned: {found:?}"
        );
    }

    #[test]
    fn scans_the_chart_together_with_named_paths() {
        let (work, bin) = setup();
        fake_helm(bin.path(), STREAM, 0);
        let o = run(
            &[
                "check",
                "--helm-chart",
                "chart",
                "eks.yaml",
                "--format",
                "json",
            ],
            "",
            work.path(),
            Some(bin.path()),
        );
        let paths: Vec<String> = findings(&json(&o)).into_iter().map(|f| f.1).collect();
        assert!(paths.iter().any(|p| p == "eks.yaml"), "{paths:?}");
        assert!(
            paths.iter().any(|p| p == "chart (helm template)"),
            "{paths:?}"
        );
    }

    #[test]
    fn a_missing_or_failing_helm_is_a_clear_error() {
        let (work, bin) = setup();
        let o = run(
            &["check", "--helm-chart", "chart"],
            "",
            work.path(),
            Some(bin.path()),
        );
        assert_eq!(o.status.code(), Some(2));
        let err = text(&o.stderr);
        assert!(err.contains("needs `helm` on PATH"), "{err}");

        fake_helm(bin.path(), "", 1);
        let o = run(
            &["check", "--helm-chart", "chart"],
            "",
            work.path(),
            Some(bin.path()),
        );
        assert_eq!(o.status.code(), Some(2));
        let err = text(&o.stderr);
        assert!(
            err.contains("`helm template chart` failed") && err.contains("Error: chart failed"),
            "{err}"
        );

        let o = run(
            &["check", "--helm-chart", "nochart"],
            "",
            work.path(),
            Some(bin.path()),
        );
        assert_eq!(o.status.code(), Some(2));
        assert!(text(&o.stderr).contains("no such chart directory"));
    }

    #[test]
    fn values_need_a_chart() {
        let (work, _bin) = setup();
        let o = run(
            &["check", "--values", "values-prod.yaml"],
            "",
            work.path(),
            None,
        );
        assert_eq!(o.status.code(), Some(2));
    }
}

#[test]
fn a_syntax_error_in_a_helm_stream_names_its_template() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "---\n# Source: c/templates/ok.yaml\nkind: ConfigMap\nmetadata: {name: a}\n---\n# Source: c/templates/broken.yaml\nkind: ConfigMap\nmetadata: {name: b\n  x: [\n";
    let o = run(
        &["check", "-", "--format", "json"],
        broken,
        dir.path(),
        None,
    );
    let found = findings(&json(&o));
    assert!(
        found.contains(&(
            "AL001".to_owned(),
            "-".to_owned(),
            Some("c/templates/broken.yaml".to_owned())
        )),
        "{found:?}"
    );
}
