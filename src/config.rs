//! Settings that shape a scan. Built from defaults, then `.auditlint.yaml`, then the
//! command line; rules read only this, never the environment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::catalog::{Code, Severity};
use crate::source::SourceFile;
use crate::version::Version;
use crate::yaml::Span;

mod error;
pub mod load;
pub mod starter;

pub use error::{ConfigError, ConfigErrors};

/// CIS minimums for the log rotation flags (AL103–AL105), and the days a managed
/// cluster's control-plane log group must keep its events (AL503).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thresholds {
    pub maxage: i64,
    pub maxbackup: i64,
    pub maxsize: i64,
    pub log_retention_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            maxage: 30,
            maxbackup: 10,
            maxsize: 100,
            // The CIS EKS Benchmark and AWS's guidance keep audit logs at least 90 days;
            // see rules/AL503.yaml.
            log_retention_days: 90,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Only these rules run (codes), when set; otherwise every rule that is not opt-in.
    pub select: Option<Vec<String>>,
    /// These rules run as well (codes): how an opt-in rule is turned on.
    pub extend_select: Vec<String>,
    /// These rules never run (codes).
    pub ignore: Vec<String>,
    /// Per-rule severity overrides (by code).
    pub severity: BTreeMap<String, Severity>,
    pub thresholds: Thresholds,
    /// Extra log-agent image or name patterns, beyond `rules/log-agents.yaml`.
    pub log_agents: Vec<String>,
    /// Host path of an audit policy → repository file holding it.
    pub policy_paths: BTreeMap<String, String>,
    /// `localhostProfile` (relative to the kubelet's seccomp root) → repository file holding
    /// the profile.
    pub profile_paths: BTreeMap<String, String>,
    /// Path patterns (gitignore syntax) never scanned.
    pub exclude: Vec<String>,
    /// Per-path rule ignores: (path pattern, codes).
    pub path_ignores: Vec<(String, Vec<String>)>,
    /// `kubernetes-version` at the top of `.auditlint.yaml`: the version of every cluster
    /// that does not set its own.
    pub kubernetes_version: Option<Version>,
    /// `--kubernetes-version`: the version of every cluster, whatever the files say.
    pub version_override: Option<Version>,
    /// The version the rules follow for what they are looking at now: set by the engine for
    /// each file and cluster (see [`crate::scope`]); read it with [`Config::version`].
    pub target_version: Option<Version>,
    /// `clusters:`: which files form which cluster.
    pub clusters: Vec<ClusterDecl>,
    /// The directory of the configuration file (canonical): `clusters` paths and
    /// `per-path-ignores` are relative to it.
    pub root: Option<PathBuf>,
    /// `render: auto`: kustomizations are linted as kustomize builds them, not as loose files.
    pub render: bool,
    /// Resolve absolute host paths under this directory (`--host-root /` on a node).
    pub host_root: Option<PathBuf>,
    /// Files larger than this are reported (AL002 family) and not parsed.
    pub max_file_size: u64,
    /// Extra audit probes from the config file, for the policy rules (AL2xx).
    pub extra_probes: Vec<ExtraProbe>,
    /// At most this many findings of one rule in one file are shown (0: all).
    pub max_findings_per_rule: usize,
    /// Policy test files (AL216), relative to the configuration file's directory once loaded.
    pub policy_tests: Vec<PathBuf>,
    /// Findings recorded earlier (`--baseline`): reported as suppressed, so only new ones
    /// count.
    pub baseline: Option<crate::baseline::Baseline>,
}

/// A file's path relative to `root` with `/` separators (from its canonical `abs_path`); its
/// displayed `path` when it is not under `root` (or has no place on disk).
pub fn relative_to<'f>(
    root: Option<&Path>,
    abs_path: Option<&Path>,
    path: &'f str,
) -> std::borrow::Cow<'f, str> {
    let relative = match (root, abs_path) {
        (Some(root), Some(abs)) => abs.strip_prefix(root).ok(),
        _ => None,
    };
    match relative {
        Some(rel) if !rel.as_os_str().is_empty() => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
            .into(),
        _ => std::borrow::Cow::Borrowed(path),
    }
}

/// One `extra-probes` entry: written like a probe set of `rules/probes.yaml` (plus `kind:
/// sensitive|must-log`), expanded by the policy rules over their identities and namespaces.
pub use crate::model::policy::probes::ProbeSpec as ExtraProbe;

/// One entry of `clusters:` in `.auditlint.yaml`.
#[derive(Debug, Clone)]
pub struct ClusterDecl {
    pub name: String,
    /// Path patterns (gitignore syntax, relative to the configuration file) of its files.
    pub paths: Vec<String>,
    pub kubernetes_version: Option<Version>,
    pub managed: Managed,
    /// Where it is declared: findings about the cluster as a whole point here when no file of
    /// it configures an apiserver.
    pub origin: Option<(std::sync::Arc<SourceFile>, Span)>,
}

/// Who runs a cluster's control plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Managed {
    /// Its own apiserver, configured in files (the default).
    #[default]
    None,
    Eks,
    Gke,
    Aks,
}

impl Managed {
    pub const NAMES: &'static [&'static str] = &["none", "eks", "gke", "aks"];

    pub fn parse(name: &str) -> Option<Managed> {
        match name {
            "none" => Some(Managed::None),
            "eks" => Some(Managed::Eks),
            "gke" => Some(Managed::Gke),
            "aks" => Some(Managed::Aks),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Managed::NAMES[self as usize]
    }
}

impl Config {
    pub fn new() -> Self {
        Config {
            max_file_size: 32 * 1024 * 1024,
            max_findings_per_rule: crate::cap::DEFAULT_LIMIT,
            ..Default::default()
        }
    }

    /// The Kubernetes version of what is being checked. Reading it is recorded, so that a
    /// file checked under an assumed version is checked again once its cluster's version is
    /// known.
    pub fn version(&self) -> Option<Version> {
        crate::version::note_consulted();
        self.target_version
    }

    /// Whether `code` is enabled by `select`/`extend-select`/`ignore`. With no `select`, an
    /// opt-in rule (`opt-in: true` in its rule file) runs only when a selector names it.
    pub fn enabled(&self, code: Code) -> bool {
        let opt_in = code.meta().opt_in;
        let code = code.as_str();
        let selected = match &self.select {
            Some(s) => s.iter().any(|c| c == code),
            None => !opt_in,
        } || self.extend_select.iter().any(|c| c == code);
        selected && !self.ignore.iter().any(|c| c == code)
    }
}
