//! OpenShift's control-plane configuration files: `KubeAPIServerConfig`
//! (`kubecontrolplane.config.openshift.io/v1`) and `OpenShiftAPIServerConfig`
//! (`openshiftcontrolplane.config.openshift.io/v1`), whose `apiServerArguments` is a map
//! of flag name to a list of values (`openshift/api` `kubecontrolplane/v1/types.go`,
//! `APIServerArguments map[string]Arguments`, `Arguments []string`); the operator passes
//! each as `--name=value`. The operator writes the policy file itself from the cluster's
//! `APIServer` audit profile and generates the mounts, so neither is resolved here.

use super::flags::map_flags;
use super::{ApiServerConfig, Form, Insertion};
use crate::model::is_object;
use crate::source::SourceFile;
use crate::yaml::Node;

pub(super) fn read(root: Node<'_>, file: &SourceFile, out: &mut Vec<ApiServerConfig>) {
    if !is_object(
        root,
        "KubeAPIServerConfig",
        "kubecontrolplane.config.openshift.io",
    ) && !is_object(
        root,
        "OpenShiftAPIServerConfig",
        "openshiftcontrolplane.config.openshift.io",
    ) {
        return;
    }
    let args = root.entry("apiServerArguments").filter(|(_, v)| v.is_map());
    let flags = args
        .map(|(_, map)| map_flags(map, &file.text))
        .unwrap_or_default();
    let insertion = Insertion::after(args.map(|(_, v)| v), root, Form::OpenShift);
    let anchor = args
        .map(|(k, _)| k.span())
        .or_else(|| root.entry("kind").map(|(_, v)| v.span()))
        .unwrap_or_default();
    out.push(ApiServerConfig {
        policy_generated: true,
        ..ApiServerConfig::new(Form::OpenShift, anchor, flags, insertion)
    });
}
