//! kube-apiserver configuration in every form it is written: static Pods (and Deployments or
//! DaemonSets running it), kubeadm ClusterConfiguration (v1beta3 map / v1beta4 list
//! `extraArgs`, also inside kind patches, Cluster API and the `kubeadm-config` ConfigMap),
//! k3s and RKE2 `config.yaml`. Each form becomes the same [`ApiServerConfig`] view.

mod fields;
pub mod flags;
mod form;
mod k3s;
mod kamaji;
mod kops;
mod kubeadm;
mod kubespray;
mod kwok;
pub mod mounts;
mod openshift;
mod pod;
mod rke1;
mod taints;
mod talos;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::source::SourceFile;
use crate::yaml::{Node, Span};

pub use flags::Flag;
pub use form::{Form, Insertion};
pub use kubespray::kubespray_custom_rules;
pub use mounts::{Mount, Volume};
pub use rke1::rke1_policy;
pub use taints::{kubeadm_registration, NodeTaint, NodeTaints};
pub use talos::talos_policy;

/// A Policy written inline in a distribution's configuration (Talos `auditPolicy`, RKE
/// `audit_log.configuration.policy`), and the file the distribution writes it to.
pub fn inline_policy(root: Node<'_>) -> Option<(Node<'_>, &'static str)> {
    talos_policy(root).or_else(|| rke1_policy(root))
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
    /// Where `--fix` adds a mount, when the form has a list of them in the file.
    pub mount_sites: Option<mounts::MountSites>,
    pub insertion: Insertion,
    /// A bare Pod (static Pod): it cannot mount ConfigMaps or Secrets.
    pub static_pod: bool,
    /// How the configuration itself is malformed (kubeadm extraArgs shape, value types).
    pub problems: Vec<Problem>,
    /// The taints of the nodes it runs on.
    pub taints: NodeTaints,
    /// The distribution writes the policy file itself (Talos' default policy, kubespray's
    /// template, an OpenShift profile): there is no file in the repository to resolve.
    pub policy_generated: bool,
    /// The Kubernetes version the configuration declares, as written (kops
    /// `kubernetesVersion`, kubespray `kube_version`, an image tag).
    pub declared_version: Option<String>,
    /// The server's name as messages give it: `kube-apiserver`, or an aggregated apiserver's
    /// binary (`karmada-aggregated-apiserver`).
    pub server: String,
    /// A setting of the form that turns auditing off as a whole (kubespray
    /// `kubernetes_audit: false`): findings about the missing policy point at it.
    pub audit_off: Option<Switch>,
}

/// A setting that turns auditing off, and how to turn it on.
#[derive(Debug, Clone)]
pub struct Switch {
    pub span: Span,
    pub fix: String,
}

/// Something wrong with how the flags are written, found while reading them (AL117, AL118).
#[derive(Debug, Clone)]
pub struct Problem {
    pub code: crate::catalog::Code,
    pub span: Span,
    pub message: String,
    pub help: String,
    /// The one edit that repairs it, when there is one (a value to quote, an apiVersion to
    /// set).
    pub fix: Option<crate::fix::Edit>,
}

impl ApiServerConfig {
    /// A configuration of these flags with nothing else known: no distribution defaults, no
    /// mounts to check (the distribution generates them), the control-plane taint as kubeadm
    /// sets it. Readers fill in what their form says beyond that.
    pub fn new(form: Form, anchor: Span, flags: Vec<Flag>, insertion: Insertion) -> Self {
        ApiServerConfig {
            form,
            anchor,
            flags,
            defaults: Vec::new(),
            mounts: None,
            mount_sites: None,
            insertion,
            static_pod: false,
            problems: Vec::new(),
            taints: NodeTaints::Kubeadm,
            policy_generated: false,
            declared_version: None,
            server: "kube-apiserver".to_owned(),
            audit_off: None,
        }
    }

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

    /// The ConfigMap a container path comes from, through the configMap volume that covers
    /// it: its name, and the key (the file's name under the mount) when the path is below
    /// the mount point.
    pub fn config_map_of(&self, path: &str) -> Option<(String, Option<String>)> {
        let mount = mounts::covering(self.mounts.as_ref()?, path)?;
        let name = mount.volume.as_ref()?.config_map.clone()?;
        let key = mounts::relative(&mount.mount_path, path)
            .filter(|rest| !rest.is_empty())
            .map(str::to_owned);
        Some((name, key))
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
    kops::read(root, file, &mut out);
    openshift::read(root, file, &mut out);
    talos::read(root, file, &mut out);
    kubespray::read(root, file, &mut out);
    kwok::read(root, file, &mut out);
    kamaji::read(root, file, &mut out);
    rke1::read(root, file, &mut out);
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
    /// The ConfigMap (name, and key when the path names one) a configMap volume gives the
    /// policy file from.
    pub policy_config_map: Option<(String, Option<String>)>,
    /// `--audit-log-path` as written (`-` is stdout).
    pub log_path: Option<Located>,
    /// The audit log's path on the host (through its mount); `None` for stdout or unmounted.
    pub log_host_path: Option<String>,
    /// `--audit-log-format` (`json` when absent).
    pub log_format: Option<Located>,
    pub webhook_config_file: Option<Located>,
    /// The taints of the nodes it runs on, which a forwarder must tolerate to run there.
    pub taints: NodeTaints,
    /// The Kubernetes version the configuration declares, as written.
    pub declared_version: Option<String>,
}

impl ApiServerFacts {
    pub fn new(config: &ApiServerConfig, file: &Arc<SourceFile>, template: Option<String>) -> Self {
        let located = |name: &str| {
            let value = config.value(name)?.to_owned();
            let span = config.flag(name).map_or(config.anchor, |f| f.value_span);
            Some(Located { value, span })
        };
        // A policy the distribution writes itself has no file to resolve.
        let policy_file = located("audit-policy-file")
            .filter(|l| !l.value.is_empty() && !config.policy_generated);
        let log_path = located("audit-log-path").filter(|l| !l.value.is_empty());
        ApiServerFacts {
            file: Arc::clone(file),
            span: config.anchor,
            template,
            policy_host_path: policy_file
                .as_ref()
                .and_then(|p| config.host_path(&p.value)),
            policy_config_map: policy_file
                .as_ref()
                .and_then(|p| config.config_map_of(&p.value)),
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
            declared_version: config.declared_version.clone(),
        }
    }
}
