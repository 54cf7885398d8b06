//! kwok `KwokctlConfiguration` (`config.kwok.x-k8s.io/v1alpha1`): the simulated cluster's
//! kube-apiserver gets its flags from the `componentsPatches` entry named
//! `kube-apiserver` (`extraArgs` is a list of `{key, value}`, `extraVolumes` mounts host
//! paths; `pkg/apis/config/v1alpha1/kwokctl_configuration_types.go`, `ComponentPatches`)
//! and its policy from `options.kubeAuditPolicy`, which kwokctl copies into the cluster's
//! work directory and passes as `--audit-policy-file`, with `--audit-log-path` in that
//! directory's `logs/`. Whether the components run as processes or containers depends on
//! the runtime, so mounts are not checked.

use super::flags::{inner_span, list_flags, Flag};
use super::{ApiServerConfig, Form, Insertion, NodeTaints};
use crate::model::is_object;
use crate::source::SourceFile;
use crate::yaml::Node;

pub(super) fn read(root: Node<'_>, file: &SourceFile, out: &mut Vec<ApiServerConfig>) {
    if !is_object(root, "KwokctlConfiguration", "config.kwok.x-k8s.io") {
        return;
    }
    let patch = root
        .get("componentsPatches")
        .into_iter()
        .flat_map(|p| p.items())
        .find(|p| p.get_str("name") == Some("kube-apiserver"));
    let policy = root
        .path(&["options", "kubeAuditPolicy"])
        .filter(|p| p.str().is_some_and(|s| !s.is_empty()));
    if patch.is_none() && policy.is_none() {
        // A simulated cluster that says nothing about its apiserver's auditing.
        return;
    }
    let mut flags = Vec::new();
    let mut defaults = Vec::new();
    if let Some(p) = policy {
        let raw = p.str().unwrap_or_default();
        flags.push(Flag {
            name: "audit-policy-file".to_owned(),
            value: Some(raw.to_owned()),
            span: p.span(),
            value_span: inner_span(p.span(), &file.text, raw),
        });
        defaults.push((
            "audit-log-path".to_owned(),
            "<kwokctl work directory>/logs/audit.log".to_owned(),
        ));
    }
    let args = patch
        .and_then(|p| p.get("extraArgs"))
        .filter(|a| a.is_seq());
    if let Some(args) = args {
        flags.extend(list_flags(args, "key", &file.text));
    }
    let insertion = match patch {
        Some(patch) => Insertion::after(args, patch, Form::Kwok),
        None => Insertion::after(root.get("componentsPatches"), root, Form::KwokPatch),
    };
    let anchor = patch
        .and_then(|p| p.entry("name"))
        .map(|(_, v)| v.span())
        .or(policy.map(|p| p.span()))
        .unwrap_or_default();
    out.push(ApiServerConfig {
        defaults,
        taints: NodeTaints::Listed(Vec::new()),
        declared_version: root
            .path(&["options", "kubeVersion"])
            .and_then(|v| v.str())
            .map(str::to_owned),
        ..ApiServerConfig::new(Form::Kwok, anchor, flags, insertion)
    });
}
