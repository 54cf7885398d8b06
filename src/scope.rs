//! The scope model: which scanned files form which cluster, and the Kubernetes version each
//! runs.
//!
//! A cluster is a set of files judged together by the rules that relate files (AL112, AL312,
//! AL4xx). `clusters:` in `.auditlint.yaml` declares clusters by path; a file may belong to
//! several (a shared `platform/logging/`). The files no declared cluster claims (every file,
//! without `clusters:`) form the cluster `default`. Cluster-wide rules speak only about a
//! cluster whose control plane is configured in it (an apiserver in any recognised form) or
//! that is declared: an application repository is no cluster, and gets no AL401.
//!
//! A cluster is managed (`managed: eks|gke|aks`) when `.auditlint.yaml` says so, or when it
//! runs no apiserver of its own and its files declare managed clusters of one provider
//! (Terraform, CloudFormation, eksctl, ARM, a controller's resource). The file-based audit
//! rules (AL404, AL405) never apply to a managed cluster; node-log forwarding (AL401) does.
//!
//! A cluster's version comes from, in order: `--kubernetes-version`, its `kubernetes-version`
//! in the configuration, the top-level `kubernetes-version`, the newest version its files
//! declare; else the newest version the rules know is assumed, and the report says so.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::cluster::ClusterIndex;
use crate::config::{relative_to, Config, Managed};
use crate::model::managed::Provider;
use crate::source::SourceFile;
use crate::version::{self, Version};

/// The name of the cluster formed by the files no declared cluster claims.
pub const DEFAULT: &str = "default";

/// Which clusters a file belongs to, from `clusters:` compiled once.
pub struct Membership {
    root: Option<PathBuf>,
    /// Per declared cluster, its patterns compiled one by one (to say which one matched).
    clusters: Vec<Vec<(String, Gitignore)>>,
}

impl Membership {
    pub fn new(config: &Config) -> Self {
        let clusters = config
            .clusters
            .iter()
            .map(|c| {
                c.paths
                    .iter()
                    .filter_map(|p| {
                        let mut b = GitignoreBuilder::new("");
                        b.add_line(None, p).ok()?;
                        Some((p.clone(), b.build().ok()?))
                    })
                    .collect()
            })
            .collect();
        Membership {
            root: config.root.clone(),
            clusters,
        }
    }

    /// The declared clusters `file` belongs to (indices into `config.clusters`), each with
    /// the pattern that put it there. Empty: the file is in `default`.
    pub fn of(&self, path: &str, abs_path: Option<&Path>) -> Vec<(usize, &str)> {
        if self.clusters.is_empty() {
            return Vec::new();
        }
        let relative = relative_to(self.root.as_deref(), abs_path, path);
        self.clusters
            .iter()
            .enumerate()
            .filter_map(|(i, patterns)| {
                patterns
                    .iter()
                    .find(|(_, m)| matches_path(m, &relative))
                    .map(|(p, _)| (i, p.as_str()))
            })
            .collect()
    }
}

/// Whether `path` or a directory above it matches (`clusters/prod/` covers every file in it).
/// `Gitignore::matched_path_or_any_parents` panics on absolute paths, which a file outside
/// the configuration's directory has; this walks the parents itself.
pub fn matches_path(matcher: &Gitignore, path: &str) -> bool {
    let path = Path::new(path.trim_start_matches("./"));
    let mut result = false;
    for (i, p) in path.ancestors().enumerate() {
        if p.as_os_str().is_empty() || p.parent().is_none() {
            continue;
        }
        let m = matcher.matched(p, i > 0);
        if m.is_whitelist() {
            return false;
        }
        result |= m.is_ignore();
    }
    result
}

/// Where a cluster's version comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSource {
    /// `--kubernetes-version`.
    CommandLine,
    /// `kubernetes-version` in `.auditlint.yaml` (the cluster's own, or the top-level one).
    Config,
    /// A field of a scanned file: `path:line` and the field.
    Declared { at: String, field: &'static str },
    /// Nothing says: the newest version the rules know.
    Assumed,
}

impl std::fmt::Display for VersionSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VersionSource::CommandLine => write!(f, "--kubernetes-version"),
            VersionSource::Config => write!(f, "kubernetes-version in the configuration"),
            VersionSource::Declared { at, field } => write!(f, "`{field}` at {at}"),
            VersionSource::Assumed => write!(f, "assumed: no version is set or declared"),
        }
    }
}

/// The version every file of a cluster is first checked under, from the settings alone (a
/// file's declared versions are known only once every file is read).
pub fn configured_version(config: &Config, clusters: &[usize]) -> (Version, VersionSource) {
    if let Some(v) = config.version_override {
        return (v, VersionSource::CommandLine);
    }
    let own = clusters
        .iter()
        .find_map(|&i| config.clusters[i].kubernetes_version);
    match own.or(config.kubernetes_version) {
        Some(v) => (v, VersionSource::Config),
        None => (version::NEWEST, VersionSource::Assumed),
    }
}

/// One cluster of the scan, with the facts of its files.
#[derive(Debug)]
pub struct Cluster {
    pub name: String,
    pub index: ClusterIndex,
    pub version: Version,
    pub version_source: VersionSource,
    pub managed: Managed,
    /// Declared in `.auditlint.yaml` (and where), as opposed to `default`.
    pub declared: bool,
    pub origin: Option<(Arc<SourceFile>, crate::yaml::Span)>,
    /// Its files, each with why it is in the cluster.
    pub files: Vec<(String, String)>,
}

impl Cluster {
    /// Whether the cluster-wide rules speak about this cluster: its control plane is
    /// configured in its files (an apiserver, or a managed cluster's declaration), or it is
    /// declared.
    pub fn is_judged(&self) -> bool {
        self.declared || !self.index.apiservers.is_empty() || !self.index.control_planes.is_empty()
    }
}

/// A scanned file, as the scope model needs it.
#[derive(Debug, Clone)]
pub struct FileInfo {
    pub path: String,
    pub abs_path: Option<PathBuf>,
}

/// Splits the scan's facts into clusters and settles each cluster's version.
pub fn partition(index: ClusterIndex, files: &[FileInfo], config: &Config) -> Vec<Cluster> {
    let membership = Membership::new(config);
    let n = config.clusters.len();
    let mut clusters: Vec<Cluster> = config
        .clusters
        .iter()
        .map(|c| Cluster {
            name: c.name.clone(),
            index: ClusterIndex::default(),
            version: version::NEWEST,
            version_source: VersionSource::Assumed,
            managed: c.managed,
            declared: true,
            origin: c.origin.clone(),
            files: Vec::new(),
        })
        .chain(std::iter::once(Cluster {
            name: DEFAULT.to_owned(),
            index: ClusterIndex::default(),
            version: version::NEWEST,
            version_source: VersionSource::Assumed,
            managed: Managed::None,
            declared: false,
            origin: None,
            files: Vec::new(),
        }))
        .collect();
    let members = |path: &str, abs: Option<&Path>| -> Vec<usize> {
        let of = membership.of(path, abs);
        if of.is_empty() {
            vec![n]
        } else {
            of.into_iter().map(|(i, _)| i).collect()
        }
    };
    for f in files {
        let of = membership.of(&f.path, f.abs_path.as_deref());
        if of.is_empty() {
            let why = if n == 0 {
                "scanned (no `clusters:` in the configuration)"
            } else {
                "matches no cluster's `paths`"
            };
            clusters[n].files.push((f.path.clone(), why.to_owned()));
        }
        for (i, pattern) in of {
            clusters[i]
                .files
                .push((f.path.clone(), format!("matches `{pattern}`")));
        }
    }
    let mut split = index.split(n + 1, |file| members(&file.path, file.abs_path.as_deref()));
    for (i, cluster) in clusters.iter_mut().enumerate() {
        cluster.index = std::mem::take(&mut split[i]);
        cluster.index.resolve_terraform();
        // A cluster that runs no apiserver of its own and whose files declare managed
        // clusters of one provider is managed by it, unless `.auditlint.yaml` says.
        if cluster.managed == Managed::None && cluster.index.apiservers.is_empty() {
            if let Some(provider) = cluster.index.control_planes.provider() {
                cluster.managed = match provider {
                    Provider::Eks => Managed::Eks,
                    Provider::Gke => Managed::Gke,
                    Provider::Aks => Managed::Aks,
                };
            }
        }
        let own = (i < n).then_some(i);
        let (v, source) = configured_version(config, own.as_slice());
        (cluster.version, cluster.version_source) = (v, source);
        if cluster.version_source == VersionSource::Assumed {
            if let Some(d) = cluster.index.newest_declared_version() {
                let p = d.file.position(d.declared.span.start);
                cluster.version = d.declared.version;
                cluster.version_source = VersionSource::Declared {
                    at: format!("{}:{}", d.file.path, p.line),
                    field: d.declared.field,
                };
            }
        }
    }
    // `default` is listed only when some file is in it.
    if clusters[n].files.is_empty() && n > 0 {
        clusters.pop();
    }
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClusterDecl;

    fn config(clusters: &[(&str, &[&str])]) -> Config {
        Config {
            clusters: clusters
                .iter()
                .map(|(name, paths)| ClusterDecl {
                    name: (*name).to_owned(),
                    paths: paths.iter().map(|p| (*p).to_owned()).collect(),
                    kubernetes_version: None,
                    managed: Managed::None,
                    origin: None,
                })
                .collect(),
            ..Config::new()
        }
    }

    #[test]
    fn files_belong_to_every_cluster_whose_paths_match() {
        let c = config(&[
            ("prod", &["clusters/prod/", "platform/**"]),
            ("staging", &["clusters/staging/**", "platform/"]),
        ]);
        let m = Membership::new(&c);
        let of = |p: &str| {
            m.of(p, None)
                .into_iter()
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        };
        assert_eq!(of("clusters/prod/api.yaml"), [0]);
        assert_eq!(of("clusters/staging/x/y.yaml"), [1]);
        assert_eq!(of("platform/logging/ds.yaml"), [0, 1]);
        assert_eq!(of("apps/web.yaml"), Vec::<usize>::new());
        assert_eq!(of("./clusters/prod/api.yaml"), [0]);
        assert_eq!(m.of("platform/a.yaml", None)[0].1, "platform/**");
    }

    #[test]
    fn versions_in_order_of_precedence() {
        let mut c = config(&[("prod", &["p/"])]);
        assert_eq!(
            configured_version(&c, &[0]),
            (version::NEWEST, VersionSource::Assumed)
        );
        c.kubernetes_version = Some((1, 29));
        assert_eq!(
            configured_version(&c, &[0]),
            ((1, 29), VersionSource::Config)
        );
        c.clusters[0].kubernetes_version = Some((1, 30));
        assert_eq!(
            configured_version(&c, &[0]),
            ((1, 30), VersionSource::Config)
        );
        assert_eq!(
            configured_version(&c, &[]),
            ((1, 29), VersionSource::Config)
        );
        c.version_override = Some((1, 31));
        assert_eq!(
            configured_version(&c, &[0]),
            ((1, 31), VersionSource::CommandLine)
        );
    }
}
