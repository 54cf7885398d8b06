//! GitOps objects that deploy a chart or a kustomization kept in the same repository: a Flux
//! `HelmRelease` whose chart is a path of a `GitRepository`, an Argo CD `Application` whose
//! source is a `path`. With `render: auto` they are rendered as the controller would render
//! them (release name, namespace, values); sources elsewhere (Helm repositories, OCI, other
//! Git repositories' paths that are not here) are named in a note and never fetched.
//!
//! Paths are resolved against the repository root: the nearest directory above the object's
//! file that holds `.git`, else the configuration's directory, else the working directory.

use std::path::{Path, PathBuf};

use crate::yaml::{parse_all, Item, Node};

/// How to render what an object deploys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Helm {
        chart: PathBuf,
        release: String,
        namespace: Option<String>,
        /// Values files, in order.
        value_files: Vec<PathBuf>,
        /// Inline values (YAML or JSON), applied after the files.
        values: Option<String>,
        /// `--set name=value` parameters.
        set: Vec<String>,
    },
    Kustomize(PathBuf),
}

/// The GitOps objects of a scan.
#[derive(Debug, Default)]
pub struct Found {
    /// (the object, as `path: Kind/name`, and what to render).
    pub local: Vec<(String, Target)>,
    /// Objects whose source is not in this repository.
    pub remote: Vec<String>,
}

/// Reads the GitOps objects among `files` (paths on disk).
pub fn find<'a>(files: impl Iterator<Item = &'a Path>, config_root: Option<&Path>) -> Found {
    let mut found = Found::default();
    for path in files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        // Most files are neither: a substring search settles them.
        if !text.contains("HelmRelease") && !text.contains("Application") {
            continue;
        }
        let root = repo_root(path, config_root);
        let (items, _) = parse_all(&text);
        for item in &items {
            let Item::Document(doc) = item else { continue };
            let Some(object) = doc.root() else { continue };
            let name = object
                .path(&["metadata", "name"])
                .and_then(Node::str)
                .unwrap_or("");
            let shown =
                |kind: &str| format!("{}: {kind}/{name}", crate::discover::display_path(path));
            let api = object.get_str("apiVersion").unwrap_or("");
            match object.get_str("kind") {
                Some("HelmRelease") if api.starts_with("helm.toolkit.fluxcd.io/") => {
                    match helm_release(object, &root) {
                        Some(t) => found.local.push((shown("HelmRelease"), t)),
                        None => found.remote.push(shown("HelmRelease")),
                    }
                }
                Some("Application") if api.starts_with("argoproj.io/") => {
                    let sources = object
                        .path(&["spec", "sources"])
                        .map(|s| s.items().collect::<Vec<_>>())
                        .or_else(|| object.path(&["spec", "source"]).map(|s| vec![s]))
                        .unwrap_or_default();
                    let namespace = object
                        .path(&["spec", "destination", "namespace"])
                        .and_then(Node::str);
                    for source in sources {
                        match argo_source(source, name, namespace, &root) {
                            Some(t) => found.local.push((shown("Application"), t)),
                            None => found.remote.push(shown("Application")),
                        }
                    }
                }
                _ => {}
            }
        }
    }
    found
}

/// The nearest directory above `file` holding `.git`, else the configuration's directory,
/// else the working directory.
fn repo_root(file: &Path, config_root: Option<&Path>) -> PathBuf {
    let absolute = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    absolute
        .ancestors()
        .skip(1)
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
        .or_else(|| config_root.map(Path::to_path_buf))
        .or_else(crate::discover::working_dir)
        .unwrap_or_default()
}

/// A Flux `HelmRelease` whose chart is a path in a `GitRepository` that exists here.
fn helm_release(object: Node<'_>, root: &Path) -> Option<Target> {
    let chart = object.path(&["spec", "chart", "spec"])?;
    if chart.path(&["sourceRef", "kind"]).and_then(Node::str) != Some("GitRepository") {
        return None;
    }
    let dir = root.join(chart.get_str("chart")?.trim_start_matches("./"));
    if !dir.join("Chart.yaml").is_file() {
        return None;
    }
    let spec = object.get("spec")?;
    let value_files = chart
        .get("valuesFiles")
        .into_iter()
        .flat_map(|l| l.items())
        .filter_map(|v| v.str())
        .map(|v| root.join(v.trim_start_matches("./")))
        .collect();
    Some(Target::Helm {
        chart: dir,
        release: spec
            .get_str("releaseName")
            .or_else(|| object.path(&["metadata", "name"]).and_then(Node::str))
            .unwrap_or("release")
            .to_owned(),
        namespace: spec
            .get_str("targetNamespace")
            .or_else(|| object.path(&["metadata", "namespace"]).and_then(Node::str))
            .map(str::to_owned),
        value_files,
        values: spec.get("values").and_then(json),
        set: Vec::new(),
    })
}

/// An Argo CD source whose `path` is a directory here holding a chart or a kustomization.
fn argo_source(
    source: Node<'_>,
    app: &str,
    namespace: Option<&str>,
    root: &Path,
) -> Option<Target> {
    let dir = root.join(source.get_str("path")?.trim_start_matches("./"));
    if dir.join("Chart.yaml").is_file() {
        let helm = source.get("helm");
        let get = |key: &str| helm.and_then(|h| h.get(key));
        let value_files = get("valueFiles")
            .into_iter()
            .flat_map(|l| l.items())
            .filter_map(|v| v.str())
            .map(|v| dir.join(v))
            .collect();
        let values = get("valuesObject")
            .and_then(json)
            .or_else(|| get("values").and_then(Node::str).map(str::to_owned));
        let set = get("parameters")
            .into_iter()
            .flat_map(|l| l.items())
            .filter_map(|p| Some(format!("{}={}", p.get_str("name")?, p.get_str("value")?)))
            .collect();
        return Some(Target::Helm {
            chart: dir,
            release: get("releaseName")
                .and_then(Node::str)
                .unwrap_or(app)
                .to_owned(),
            namespace: namespace.map(str::to_owned),
            value_files,
            values,
            set,
        });
    }
    crate::kustomize::FILE_NAMES
        .iter()
        .any(|n| dir.join(n).is_file())
        .then_some(Target::Kustomize(dir))
}

/// A mapping as JSON text (which Helm reads as YAML).
fn json(node: Node<'_>) -> Option<String> {
    let mut budget = 1_000_000;
    node.to_json(&mut budget).ok().map(|v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_and_remote_sources() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(root.join("charts/app")).unwrap();
        std::fs::write(
            root.join("charts/app/Chart.yaml"),
            "name: app\nversion: 0.1.0\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("deploy/prod")).unwrap();
        std::fs::write(
            root.join("deploy/prod/kustomization.yaml"),
            "resources: []\n",
        )
        .unwrap();
        let objects = root.join("gitops/apps.yaml");
        std::fs::create_dir_all(objects.parent().unwrap()).unwrap();
        std::fs::write(
            &objects,
            "apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: app, namespace: web}
spec:
  chart:
    spec:
      chart: ./charts/app
      sourceRef: {kind: GitRepository, name: flux-system}
  values: {replicas: 2}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: remote}
spec:
  chart:
    spec:
      chart: podinfo
      sourceRef: {kind: HelmRepository, name: podinfo}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: prod}
spec:
  destination: {namespace: prod}
  sources:
  - {repoURL: https://example.com/repo.git, path: deploy/prod}
  - repoURL: https://example.com/repo.git
    path: charts/app
    helm:
      valueFiles: [values-prod.yaml]
      parameters: [{name: image.tag, value: '2'}]
  - {repoURL: https://charts.example.com, chart: redis, targetRevision: 1.0.0}
",
        )
        .unwrap();
        let found = find(std::iter::once(objects.as_path()), None);
        assert_eq!(
            found
                .local
                .iter()
                .map(|(_, t)| t.clone())
                .collect::<Vec<_>>(),
            [
                Target::Helm {
                    chart: root.join("charts/app"),
                    release: "app".into(),
                    namespace: Some("web".into()),
                    value_files: vec![],
                    values: Some("{\"replicas\":2}".into()),
                    set: vec![],
                },
                Target::Kustomize(root.join("deploy/prod")),
                Target::Helm {
                    chart: root.join("charts/app"),
                    release: "prod".into(),
                    namespace: Some("prod".into()),
                    value_files: vec![root.join("charts/app/values-prod.yaml")],
                    values: None,
                    set: vec!["image.tag=2".into()],
                },
            ]
        );
        assert_eq!(found.remote.len(), 2, "{:?}", found.remote);
        assert!(found.remote[0].ends_with("HelmRelease/remote"));
    }
}
