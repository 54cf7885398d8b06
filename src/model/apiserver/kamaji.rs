//! Kamaji `TenantControlPlane` (`kamaji.clastix.io/v1alpha1`): the tenant's kube-apiserver
//! runs in a Deployment Kamaji generates; `spec.controlPlane.deployment.extraArgs.apiServer`
//! is a list of `--flag=value` strings appended to its arguments, and
//! `additionalVolumes` / `additionalVolumeMounts.apiServer` are added to its Pod
//! (`api/v1alpha1/tenantcontrolplane_types.go`, `ControlPlaneExtraArgs`,
//! `AdditionalVolumeMounts`). Kamaji passes no audit flags of its own.

use super::flags::{parse_argv, string_items};
use super::pod::{read_mounts, read_volumes};
use super::{ApiServerConfig, Form, Insertion, NodeTaints};
use crate::model::is_object;
use crate::source::SourceFile;
use crate::yaml::Node;

pub(super) fn read(root: Node<'_>, file: &SourceFile, out: &mut Vec<ApiServerConfig>) {
    if !is_object(root, "TenantControlPlane", "kamaji.clastix.io") {
        return;
    }
    let Some(deployment) = root.path(&["spec", "controlPlane", "deployment"]) else {
        // Without a deployment section the tenant apiserver still runs, with no audit flags.
        if let Some(spec) = root.get("spec") {
            out.push(config(root, spec, None, None, file));
        }
        return;
    };
    let args = deployment
        .path(&["extraArgs", "apiServer"])
        .filter(|a| a.is_seq());
    out.push(config(root, deployment, args, Some(deployment), file));
}

fn config(
    root: Node<'_>,
    parent: Node<'_>,
    args: Option<Node<'_>>,
    deployment: Option<Node<'_>>,
    file: &SourceFile,
) -> ApiServerConfig {
    let items = args
        .map(|a| string_items(a, &file.text))
        .unwrap_or_default();
    let volumes = read_volumes(deployment.and_then(|d| d.get("additionalVolumes")));
    let mounts = read_mounts(
        deployment.and_then(|d| d.path(&["additionalVolumeMounts", "apiServer"])),
        &volumes,
    );
    let insertion = Insertion::after(args, parent, Form::Kamaji);
    let anchor = root
        .entry("kind")
        .map(|(_, v)| v.span())
        .unwrap_or_default();
    ApiServerConfig {
        mounts: Some(mounts),
        taints: NodeTaints::Listed(Vec::new()),
        declared_version: root
            .path(&["spec", "kubernetes", "version"])
            .and_then(|v| v.str())
            .map(str::to_owned),
        ..ApiServerConfig::new(Form::Kamaji, anchor, parse_argv(&items), insertion)
    }
}
