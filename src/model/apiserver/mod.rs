//! kube-apiserver configuration in every form it is written: static Pods (and Deployments or
//! DaemonSets running it), kubeadm ClusterConfiguration (v1beta3 map / v1beta4 list
//! `extraArgs`, also inside kind patches, Cluster API and the `kubeadm-config` ConfigMap),
//! k3s and RKE2 `config.yaml`. Each form becomes the same [`ApiServerConfig`] view.

pub mod flags;
mod k3s;
mod kubeadm;
pub mod mounts;
mod pod;
mod taints;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::source::SourceFile;
use crate::yaml::{Node, Span};

pub use flags::Flag;
pub use mounts::{Mount, Volume};
pub use taints::{kubeadm_registration, NodeTaint, NodeTaints};

/// How the configuration was written; decides how a missing flag is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `command:`/`args:` of a kube-apiserver container.
    Pod,
    /// kubeadm `extraArgs` as a map (v1beta3 and earlier, kind patches, CAPI v1beta1).
    KubeadmMap,
    /// kubeadm `extraArgs` as a list of `{name, value}` (v1beta4, CAPI v1beta2).
    KubeadmList,
    /// k3s `config.yaml`: the apiserver runs in-process, paths are host paths.
    K3s,
    /// RKE2 `config.yaml`: mounts are generated, CIS defaults may be prepended.
    Rke2,
}

impl Form {
    pub fn describe(self) -> &'static str {
        match self {
            Form::Pod => "kube-apiserver container",
            Form::KubeadmMap | Form::KubeadmList => "kubeadm ClusterConfiguration",
            Form::K3s => "k3s configuration",
            Form::Rke2 => "RKE2 configuration",
        }
    }
}

/// Where a missing flag would be added, and how to write it there.
#[derive(Debug, Clone)]
pub struct Insertion {
    /// The insertion point (an empty span at the end of the list, or the place the list
    /// itself must be added).
    pub at: Span,
    /// Whether the flag list itself is missing (so the line to add includes its key).
    pub list_missing: bool,
    pub form: Form,
}

impl Insertion {
    /// The entry for `--name=value` as it is written inside a flow collection (`[a, b]`,
    /// `{a: b}`).
    pub fn flow_entry(&self, name: &str, value: &str) -> String {
        match self.form {
            Form::Pod => format!("--{name}={value}"),
            Form::KubeadmMap => format!("{name}: \"{value}\""),
            Form::KubeadmList => format!("{{name: {name}, value: \"{value}\"}}"),
            Form::K3s | Form::Rke2 => format!("{name}={value}"),
        }
    }

    /// The exact YAML to add for `--name=value`.
    pub fn line(&self, name: &str, value: &str) -> String {
        let entry = match self.form {
            Form::Pod => format!("- --{name}={value}"),
            Form::KubeadmMap => format!("{name}: \"{value}\""),
            Form::KubeadmList => format!("- name: {name}\n  value: \"{value}\""),
            Form::K3s | Form::Rke2 => format!("- {name}={value}"),
        };
        if !self.list_missing {
            return entry;
        }
        let key = match self.form {
            Form::Pod => "command",
            Form::KubeadmMap | Form::KubeadmList => "extraArgs",
            Form::K3s | Form::Rke2 => "kube-apiserver-arg",
        };
        let indented: Vec<String> = entry.lines().map(|l| format!("  {l}")).collect();
        format!("{key}:\n{}", indented.join("\n"))
    }
}

/// One kube-apiserver's audit-relevant configuration.
#[derive(Debug, Clone)]
pub struct ApiServerConfig {
    pub form: Form,
    /// Where findings about the configuration as a whole are reported.
    pub anchor: Span,
    pub flags: Vec<Flag>,
    /// Values the distribution sets before the user's flags (RKE2 CIS mode).
    pub defaults: Vec<(String, String)>,
    /// `None` when the apiserver sees host paths directly (k3s) or its mounts are generated
    /// (RKE2); otherwise the written mounts plus implicit ones (kubeadm defaults).
    pub mounts: Option<Vec<Mount>>,
    pub insertion: Insertion,
    /// A bare Pod (static Pod): it cannot mount ConfigMaps or Secrets.
    pub static_pod: bool,
    /// How the configuration itself is malformed (kubeadm extraArgs shape, value types).
    pub problems: Vec<Problem>,
    /// The taints of the nodes it runs on.
    pub taints: NodeTaints,
}

/// Something wrong with how the flags are written, found while reading them (AL117, AL118).
#[derive(Debug, Clone)]
pub struct Problem {
    pub code: crate::catalog::Code,
    pub span: Span,
    pub message: String,
    pub help: String,
}

impl ApiServerConfig {
    /// The effective setting of `name` (last one wins; distribution defaults come first).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().rev().find(|f| f.name == name)
    }

    /// The effective value of `name`, including distribution defaults.
    pub fn value(&self, name: &str) -> Option<&str> {
        match self.flag(name) {
            Some(f) => Some(f.value.as_deref().unwrap_or("true")),
            None => self
                .defaults
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str()),
        }
    }

    /// Whether `name` is set by the distribution rather than written here.
    pub fn is_default(&self, name: &str) -> bool {
        self.flag(name).is_none() && self.defaults.iter().any(|(n, _)| n == name)
    }

    /// The log backend writes to a file (not stdout, not off).
    pub fn logs_to_file(&self) -> bool {
        self.value("audit-log-path")
            .is_some_and(|p| !p.is_empty() && p != "-")
    }

    /// The host path of a container path, through the covering hostPath mount; paths are
    /// host paths already when the apiserver is not in a container.
    pub fn host_path(&self, path: &str) -> Option<String> {
        match &self.mounts {
            None => Some(path.to_owned()),
            Some(mounts) => mounts::covering(mounts, path)?.host_path_of(path),
        }
    }
}

/// Every kube-apiserver configuration in a document (a kind Cluster may hold several).
pub fn read(root: Node<'_>, file: &SourceFile) -> Vec<ApiServerConfig> {
    let mut out = Vec::new();
    pod::read(root, file, &mut out);
    kubeadm::read(root, file, &mut out);
    k3s::read(root, file, &mut out);
    out
}

/// A flag value with where it was written.
#[derive(Debug, Clone)]
pub struct Located {
    pub value: String,
    pub span: Span,
}

/// What cross-file rules need to know about one kube-apiserver configuration.
#[derive(Debug, Clone)]
pub struct ApiServerFacts {
    pub file: Arc<SourceFile>,
    /// Where cluster-level findings about this apiserver are reported.
    pub span: Span,
    pub template: Option<String>,
    /// `--audit-policy-file` as written (a path on the apiserver's filesystem).
    pub policy_file: Option<Located>,
    /// The policy file's path on the host, through the hostPath mount that covers it.
    pub policy_host_path: Option<String>,
    /// `--audit-log-path` as written (`-` is stdout).
    pub log_path: Option<Located>,
    /// The audit log's path on the host (through its mount); `None` for stdout or unmounted.
    pub log_host_path: Option<String>,
    /// `--audit-log-format` (`json` when absent).
    pub log_format: Option<Located>,
    pub webhook_config_file: Option<Located>,
    /// The taints of the nodes it runs on, which a forwarder must tolerate to run there.
    pub taints: NodeTaints,
}

impl ApiServerFacts {
    pub fn new(config: &ApiServerConfig, file: &Arc<SourceFile>, template: Option<String>) -> Self {
        let located = |name: &str| {
            let value = config.value(name)?.to_owned();
            let span = config.flag(name).map_or(config.anchor, |f| f.value_span);
            Some(Located { value, span })
        };
        let policy_file = located("audit-policy-file").filter(|l| !l.value.is_empty());
        let log_path = located("audit-log-path").filter(|l| !l.value.is_empty());
        ApiServerFacts {
            file: Arc::clone(file),
            span: config.anchor,
            template,
            policy_host_path: policy_file
                .as_ref()
                .and_then(|p| config.host_path(&p.value)),
            log_host_path: log_path
                .as_ref()
                .filter(|l| l.value != "-")
                .and_then(|l| config.host_path(&l.value)),
            policy_file,
            log_path,
            log_format: located("audit-log-format"),
            webhook_config_file: located("audit-webhook-config-file")
                .filter(|l| !l.value.is_empty()),
            taints: config.taints.clone(),
        }
    }
}
