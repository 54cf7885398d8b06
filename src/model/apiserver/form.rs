//! The forms an apiserver configuration is written in, and how a setting is spelled in each
//! (so a finding about a missing flag shows the exact line to add, in the file's own terms).

use crate::fix::{Edit, Editor};
use crate::yaml::{Node, Span};

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
    /// kops `Cluster` `spec.kubeAPIServer`: one typed field per flag.
    Kops,
    /// OpenShift `KubeAPIServerConfig` `apiServerArguments`: a map of flag to list of values.
    OpenShift,
    /// Talos machine configuration `cluster.apiServer.extraArgs` (a map), over Talos' defaults.
    Talos,
    /// kubespray inventory variables (`kubernetes_audit`, `audit_log_*`).
    Kubespray,
    /// kwok `KwokctlConfiguration` `componentsPatches[].extraArgs`: a list of `{key, value}`.
    Kwok,
    /// kwok without a `kube-apiserver` patch: a setting is a new `componentsPatches` entry.
    KwokPatch,
    /// Kamaji `TenantControlPlane` `spec.controlPlane.deployment.extraArgs.apiServer`.
    Kamaji,
    /// RKE1 `cluster.yml` `services.kube-api.audit_log.configuration`.
    Rke1,
}

impl Form {
    pub fn describe(self) -> &'static str {
        match self {
            Form::Pod => "kube-apiserver container",
            Form::KubeadmMap | Form::KubeadmList => "kubeadm ClusterConfiguration",
            Form::K3s => "k3s configuration",
            Form::Rke2 => "RKE2 configuration",
            Form::Kops => "kops Cluster `spec.kubeAPIServer`",
            Form::OpenShift => "OpenShift `apiServerArguments`",
            Form::Talos => "Talos `cluster.apiServer.extraArgs`",
            Form::Kubespray => "kubespray inventory",
            Form::Kwok => "kwok kube-apiserver `componentsPatches` entry",
            Form::KwokPatch => "kwok `componentsPatches`",
            Form::Kamaji => "Kamaji `extraArgs.apiServer`",
            Form::Rke1 => "RKE `services.kube-api.audit_log.configuration`",
        }
    }

    /// The key that holds the settings, written when it is missing.
    fn list_key(self) -> &'static str {
        match self {
            Form::Pod => "command",
            Form::KubeadmMap | Form::KubeadmList | Form::Talos | Form::Kwok => "extraArgs",
            Form::K3s | Form::Rke2 => "kube-apiserver-arg",
            Form::Kops => "kubeAPIServer",
            Form::OpenShift => "apiServerArguments",
            Form::KwokPatch => "componentsPatches",
            Form::Kubespray | Form::Rke1 => "",
            Form::Kamaji => "extraArgs:\n  apiServer",
        }
    }

    /// `--name=value` as one block-style entry (possibly several lines) of this form.
    pub fn entry(self, name: &str, value: &str) -> String {
        match self {
            Form::Pod | Form::Kamaji => format!("- --{name}={value}"),
            Form::KubeadmMap | Form::Talos => format!("{name}: \"{value}\""),
            Form::KubeadmList => format!("- name: {name}\n  value: \"{value}\""),
            Form::Kwok => format!("- key: {name}\n  value: \"{value}\""),
            Form::KwokPatch => format!(
                "- name: kube-apiserver\n  extraArgs:\n  - key: {name}\n    value: \"{value}\""
            ),
            Form::K3s | Form::Rke2 => format!("- {name}={value}"),
            Form::OpenShift => format!("{name}:\n- \"{value}\""),
            Form::Kops => match super::kops::field(name) {
                Some(field) => format!("{field}: {value}"),
                None => format!("# kops has no field for --{name}"),
            },
            Form::Kubespray => super::kubespray::setting(name, value),
            Form::Rke1 => super::rke1::setting(name, value),
        }
    }

    /// How `--name=value` is written in this form, for a message: the flag itself, or the
    /// field that sets it when the form has one field per flag.
    pub fn spell(self, name: &str, value: &str) -> String {
        match self {
            Form::Kops | Form::Kubespray | Form::Rke1 => self.entry(name, value),
            Form::Talos | Form::OpenShift | Form::Kwok | Form::KwokPatch => {
                self.flow_entry(name, value)
            }
            _ => format!("--{name}={value}"),
        }
    }

    /// `--name=value` as an entry of a flow collection (`[a, b]`, `{a: b}`).
    pub fn flow_entry(self, name: &str, value: &str) -> String {
        match self {
            Form::Pod | Form::Kamaji => format!("--{name}={value}"),
            Form::KubeadmMap | Form::Talos => format!("{name}: \"{value}\""),
            Form::KubeadmList => format!("{{name: {name}, value: \"{value}\"}}"),
            Form::Kwok => format!("{{key: {name}, value: \"{value}\"}}"),
            Form::KwokPatch => {
                format!(
                    "{{name: kube-apiserver, extraArgs: [{{key: {name}, value: \"{value}\"}}]}}"
                )
            }
            Form::K3s | Form::Rke2 => format!("{name}={value}"),
            Form::OpenShift => format!("{name}: [\"{value}\"]"),
            Form::Kops | Form::Kubespray | Form::Rke1 => self.entry(name, value),
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
    /// The flag list (a sequence or a mapping) and, for a sequence, its last item: where
    /// `--fix` adds a flag.
    pub list: Option<Span>,
    pub last_item: Option<Span>,
}

impl Insertion {
    /// New settings go after the last item of `list` (a sequence) or at the end of `list` (a
    /// mapping); without one, the list itself is added at the end of `parent`.
    pub fn after(list: Option<Node<'_>>, parent: Node<'_>, form: Form) -> Insertion {
        let end = list.and_then(|l| {
            if l.is_seq() {
                l.items().last().map(|last| last.span().end)
            } else {
                (l.is_map() && !l.is_empty()).then(|| l.span().end)
            }
        });
        Insertion {
            at: Span::point(end.unwrap_or(parent.span().end)),
            list_missing: end.is_none(),
            form,
            list: list.filter(|_| end.is_some()).map(|l| l.span()),
            last_item: list
                .filter(|l| l.is_seq())
                .and_then(|l| l.items().last().map(|i| i.span())),
        }
    }

    /// The entry for `--name=value` as it is written inside a flow collection (`[a, b]`,
    /// `{a: b}`).
    pub fn flow_entry(&self, name: &str, value: &str) -> String {
        self.form.flow_entry(name, value)
    }

    /// The edit that adds `--name=value` to the flag list, in the file's layout; `None` where
    /// the list itself is missing, or the form has no list to add to (kops, kubespray and RKE
    /// name one field per flag; a kwok patch must be created).
    pub fn add(&self, text: &str, name: &str, value: &str) -> Option<Edit> {
        use crate::fix::Value;
        let editor = Editor::new(text);
        let quoted = || Value::scalar(format!("\"{value}\""));
        let item = match self.form {
            Form::Pod | Form::Kamaji => Value::scalar(format!("--{name}={value}")),
            Form::K3s | Form::Rke2 => Value::scalar(format!("{name}={value}")),
            Form::KubeadmList => Value::map([("name", Value::scalar(name)), ("value", quoted())]),
            Form::Kwok => Value::map([("key", Value::scalar(name)), ("value", quoted())]),
            Form::KubeadmMap | Form::Talos => {
                return editor.append_entry(self.list?, name, &quoted())
            }
            Form::OpenShift => {
                let list = Value::Seq(vec![quoted()]);
                return editor.append_entry(self.list?, name, &list);
            }
            Form::Kops | Form::Kubespray | Form::Rke1 | Form::KwokPatch => return None,
        };
        editor.append_item(self.list?, self.last_item, &item)
    }

    /// The exact YAML to add for `--name=value`.
    pub fn line(&self, name: &str, value: &str) -> String {
        let entry = self.form.entry(name, value);
        let key = self.form.list_key();
        if !self.list_missing || key.is_empty() {
            return entry;
        }
        let indented: Vec<String> = entry.lines().map(|l| format!("  {l}")).collect();
        format!("{key}:\n{}", indented.join("\n"))
    }
}
