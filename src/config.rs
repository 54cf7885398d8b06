//! Settings that shape a scan. Built from defaults, then `.auditlint.yaml`, then the
//! command line; rules read only this, never the environment.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::finding::Severity;

mod error;
pub mod load;
pub mod starter;

pub use error::{ConfigError, ConfigErrors};

/// CIS minimums for the log rotation flags (AL103–AL105).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thresholds {
    pub maxage: i64,
    pub maxbackup: i64,
    pub maxsize: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            maxage: 30,
            maxbackup: 10,
            maxsize: 100,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Only these rules run (codes), when set.
    pub select: Option<Vec<String>>,
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
    /// The Kubernetes version the configuration targets, as (major, minor).
    pub kubernetes_version: Option<(u32, u32)>,
    /// Resolve absolute host paths under this directory (`--host-root /` on a node).
    pub host_root: Option<PathBuf>,
    /// Files larger than this are reported (AL002 family) and not parsed.
    pub max_file_size: u64,
    /// Extra audit probes from the config file, for the policy rules (AL2xx).
    pub extra_probes: Vec<ExtraProbe>,
    /// At most this many findings of one rule in one file are shown (0: all).
    pub max_findings_per_rule: usize,
}

/// One `extra-probes` entry: written like a probe set of `rules/probes.yaml` (plus `kind:
/// sensitive|must-log`), expanded by the policy rules over their identities and namespaces.
pub use crate::model::policy::probes::ProbeSpec as ExtraProbe;

impl Config {
    pub fn new() -> Self {
        Config {
            max_file_size: 32 * 1024 * 1024,
            max_findings_per_rule: crate::cap::DEFAULT_LIMIT,
            ..Default::default()
        }
    }

    /// Whether `code` is enabled by `select`/`ignore`.
    pub fn enabled(&self, code: &str) -> bool {
        let selected = self
            .select
            .as_ref()
            .is_none_or(|s| s.iter().any(|c| c == code));
        selected && !self.ignore.iter().any(|c| c == code)
    }
}
