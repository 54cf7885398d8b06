//! The kubelet's `seccompDefault`: whether containers that name no seccomp profile run with
//! the container runtime's default profile (`RuntimeDefault`) instead of `Unconfined`.
//!
//! The setting is the `KubeletConfiguration` field `seccompDefault` (flag `--seccomp-default`),
//! which defaults to `false` in every version. It works only where the `SeccompDefault` feature
//! gate is on: alpha (off by default) in 1.22, beta (on by default) in 1.25, GA and locked on
//! in 1.27 (kubernetes/enhancements#2413, KEP-2413; `pkg/features/kube_features.go`). Before
//! 1.22 the field does not exist.
//!
//! Where clusters set it, each read here:
//! - a `KubeletConfiguration` document, or the `kubelet-config` ConfigMap that holds one;
//! - kubeadm `nodeRegistration.kubeletExtraArgs` of an `InitConfiguration` or
//!   `JoinConfiguration` (a map in v1beta3, a list of `{name, value}` in v1beta4), also inside a
//!   Cluster API `KubeadmControlPlane`, `KubeadmConfig` or `KubeadmConfigTemplate`;
//! - a kubeadm patch of the target `kubeletconfiguration` (a file named
//!   `kubeletconfiguration[suffix][+patchtype].{yaml,json}` in the `--patches` directory, since
//!   kubeadm 1.25: kubernetes/kubernetes#110405);
//! - kind `kubeadmConfigPatches` (patches of any of the above kinds, matched by `kind`);
//! - k3s/RKE2 `kubelet-arg: [seccomp-default=true]` in `config.yaml`;
//! - Talos `machine.kubelet.defaultRuntimeSeccompProfileEnabled`, and `seccompDefault` in
//!   `machine.kubelet.extraConfig` (merged over what Talos generates) or `seccomp-default` in
//!   `machine.kubelet.extraArgs`;
//! - a Gardener `Shoot`: `spec.kubernetes.kubelet.seccompDefault`, and each worker pool's
//!   `kubernetes.kubelet`, which replaces it for that pool (gardener/gardener#6741).

use super::apiserver::flags::{list_flags, map_flags, parse_k3s_args, string_items, Flag};
use crate::yaml::{parse_embedded, Item, Node, Scalar, Span};

/// One place that sets the kubelet's `seccompDefault`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeccompDefault {
    pub enabled: bool,
    /// The `SeccompDefault` feature gate, when the same place sets it.
    pub gate: Option<bool>,
    /// The value (or the whole setting when it has no value of its own).
    pub span: Span,
    /// Where it is set, for messages: "KubeletConfiguration `seccompDefault`".
    pub source: &'static str,
}

impl SeccompDefault {
    /// Whether the kubelet of Kubernetes `version` uses `RuntimeDefault` for containers
    /// without a profile: the setting is on and its feature gate is (on by default from 1.25).
    pub fn effective(&self, version: (u32, u32)) -> bool {
        self.enabled
            && match version {
                v if v < (1, 22) => false,
                v if v < (1, 25) => self.gate == Some(true),
                v if v < (1, 27) => self.gate != Some(false),
                _ => true,
            }
    }
}

/// Every `seccompDefault` setting of one document (`file_name` is the file's base name, which
/// names a kubeadm patch's target).
pub fn seccomp_default(root: Node<'_>, file_text: &str, file_name: &str) -> Vec<SeccompDefault> {
    let mut out = Vec::new();
    let api_version = root.get_str("apiVersion").unwrap_or("");
    let group = |g: &str| api_version.starts_with(g);
    match root.get_str("kind") {
        Some("KubeletConfiguration") if group("kubelet.config.k8s.io/") => {
            out.extend(kubelet_configuration(
                root,
                "KubeletConfiguration `seccompDefault`",
            ));
        }
        Some("InitConfiguration" | "JoinConfiguration") if group("kubeadm.k8s.io/") => {
            out.extend(extra_args(root, file_text));
        }
        Some("KubeadmControlPlane") if group("controlplane.cluster.x-k8s.io/") => {
            if let Some(spec) = root.path(&["spec", "kubeadmConfigSpec"]) {
                out.extend(kubeadm_config_spec(spec, file_text));
            }
        }
        Some("KubeadmConfig") if group("bootstrap.cluster.x-k8s.io/") => {
            if let Some(spec) = root.get("spec") {
                out.extend(kubeadm_config_spec(spec, file_text));
            }
        }
        Some("KubeadmConfigTemplate") if group("bootstrap.cluster.x-k8s.io/") => {
            if let Some(spec) = root.path(&["spec", "template", "spec"]) {
                out.extend(kubeadm_config_spec(spec, file_text));
            }
        }
        Some("Cluster") if group("kind.x-k8s.io/") => out.extend(kind_patches(root, file_text)),
        Some("Shoot") if group("core.gardener.cloud/") => out.extend(gardener(root)),
        Some("ConfigMap")
            if root.path(&["metadata", "name"]).and_then(|n| n.str()) == Some("kubelet-config") =>
        {
            if let Some(text) = root.path(&["data", "kubelet"]) {
                for doc in embedded_documents(file_text, text) {
                    let root = doc.root();
                    out.extend(root.and_then(|r| {
                        kubelet_configuration(r, "`kubelet-config` ConfigMap `seccompDefault`")
                    }));
                }
            }
        }
        Some(_) => {}
        None if root.is_map() && root.get("apiVersion").is_none() => {
            if is_kubeadm_patch(file_name) {
                out.extend(kubeadm_patch(root));
            }
            out.extend(k3s(root, file_text));
            out.extend(talos(root, file_text));
        }
        None => {}
    }
    if root.is_seq() && is_kubeadm_patch(file_name) {
        out.extend(json_patch(root));
    }
    out
}

/// A kubeadm patch file of the kubelet configuration.
fn is_kubeadm_patch(file_name: &str) -> bool {
    file_name.starts_with("kubeletconfiguration")
        && [".yaml", ".yml", ".json"]
            .iter()
            .any(|e| file_name.ends_with(e))
}

/// `seccompDefault` and `featureGates.SeccompDefault` of a KubeletConfiguration (or a patch
/// of one).
fn kubelet_configuration(root: Node<'_>, source: &'static str) -> Option<SeccompDefault> {
    let value = root.get("seccompDefault")?;
    Some(SeccompDefault {
        enabled: boolean(value)?,
        gate: root
            .path(&["featureGates", "SeccompDefault"])
            .and_then(boolean),
        span: value.span(),
        source,
    })
}

/// A strategic or merge patch of the kubelet configuration.
fn kubeadm_patch(root: Node<'_>) -> Option<SeccompDefault> {
    kubelet_configuration(root, "kubeadm `kubeletconfiguration` patch")
}

/// A JSON patch (`+json`) of the kubelet configuration: `add`/`replace` of `/seccompDefault`.
fn json_patch(list: Node<'_>) -> Option<SeccompDefault> {
    let op = list.items().filter(|op| {
        op.get_str("path") == Some("/seccompDefault")
            && matches!(op.get_str("op"), Some("add" | "replace"))
    });
    let value = op.last()?.get("value")?;
    Some(SeccompDefault {
        enabled: boolean(value)?,
        gate: None,
        span: value.span(),
        source: "kubeadm `kubeletconfiguration` patch",
    })
}

/// The kubelet settings of a Cluster API kubeadm bootstrap spec.
fn kubeadm_config_spec(spec: Node<'_>, text: &str) -> Vec<SeccompDefault> {
    ["initConfiguration", "joinConfiguration"]
        .iter()
        .filter_map(|k| extra_args(spec.get(k)?, text))
        .collect()
}

/// kubeadm `nodeRegistration.kubeletExtraArgs`: a map (v1beta3) or a `{name, value}` list
/// (v1beta4).
fn extra_args(config: Node<'_>, text: &str) -> Option<SeccompDefault> {
    let args = config.path(&["nodeRegistration", "kubeletExtraArgs"])?;
    let flags = if args.is_seq() {
        list_flags(args, "name", text)
    } else {
        map_flags(args, text)
    };
    from_flags(&flags, "kubeadm `kubeletExtraArgs`")
}

/// The kubelet's `--seccomp-default` (a bool flag: bare means true) and `--feature-gates`.
fn from_flags(flags: &[Flag], source: &'static str) -> Option<SeccompDefault> {
    let flag = flags.iter().rev().find(|f| f.name == "seccomp-default")?;
    let enabled = match flag.value.as_deref() {
        None => true,
        Some(v) => parse_bool(v)?,
    };
    let gate = flags
        .iter()
        .rev()
        .find(|f| f.name == "feature-gates")
        .and_then(|f| {
            f.value.as_deref()?.split(',').find_map(|g| {
                let (name, value) = g.split_once('=')?;
                (name.trim() == "SeccompDefault").then(|| parse_bool(value.trim()))?
            })
        });
    Some(SeccompDefault {
        enabled,
        gate,
        span: flag.value_span,
        source,
    })
}

/// kind's `kubeadmConfigPatches`, cluster-wide and per node: kind applies a patch to the
/// document of the same `kind` (its `apiVersion` may be left out).
fn kind_patches(root: Node<'_>, text: &str) -> Vec<SeccompDefault> {
    let lists = root.get("kubeadmConfigPatches").into_iter().chain(
        root.get("nodes")
            .into_iter()
            .flat_map(|n| n.items())
            .filter_map(|n| n.get("kubeadmConfigPatches")),
    );
    let mut out = Vec::new();
    for patch in lists.flat_map(|l| l.items()) {
        for doc in embedded_documents(text, patch) {
            let Some(doc) = doc.root() else { continue };
            let found = match doc.get_str("kind") {
                Some("KubeletConfiguration") => {
                    kubelet_configuration(doc, "kind `kubeadmConfigPatches` KubeletConfiguration")
                }
                Some("InitConfiguration" | "JoinConfiguration") => {
                    extra_args(doc, text).map(|s| SeccompDefault {
                        source: "kind `kubeadmConfigPatches` `kubeletExtraArgs`",
                        ..s
                    })
                }
                _ => None,
            };
            out.extend(found);
        }
    }
    out
}

/// A Gardener Shoot's kubelet settings: the cluster's, and each worker pool's own.
fn gardener(root: Node<'_>) -> Vec<SeccompDefault> {
    const SOURCE: &str = "Gardener Shoot `kubelet.seccompDefault`";
    let spec = root.get("spec");
    let cluster = spec.and_then(|s| s.path(&["kubernetes", "kubelet"]));
    let pools = spec
        .and_then(|s| s.path(&["provider", "workers"]))
        .into_iter()
        .flat_map(|w| w.items())
        .filter_map(|w| w.path(&["kubernetes", "kubelet"]));
    let mut out: Vec<SeccompDefault> = cluster
        .and_then(|k| kubelet_configuration(k, SOURCE))
        .into_iter()
        .collect();
    let cluster_on = out.first().is_some_and(|s| s.enabled);
    for pool in pools {
        // A pool's own kubelet settings replace the cluster's: without `seccompDefault` the
        // pool's kubelets keep the default, off.
        out.extend(kubelet_configuration(pool, SOURCE).or_else(|| {
            cluster_on.then(|| SeccompDefault {
                enabled: false,
                gate: None,
                span: pool.span(),
                source:
                    "a Gardener worker pool's own `kubelet` settings (without `seccompDefault`)",
            })
        }));
    }
    out
}

/// k3s/RKE2 `kubelet-arg` (`seccomp-default=true`; one string or a list).
fn k3s(root: Node<'_>, text: &str) -> Option<SeccompDefault> {
    let args = root.get("kubelet-arg")?;
    let items = if args.is_seq() {
        string_items(args, text)
    } else {
        vec![(args.text()?.to_owned(), args.span())]
    };
    from_flags(&parse_k3s_args(&items), "k3s/RKE2 `kubelet-arg`")
}

/// Talos `machine.kubelet`: `extraConfig` and `extraArgs` override what
/// `defaultRuntimeSeccompProfileEnabled` generates.
fn talos(root: Node<'_>, text: &str) -> Option<SeccompDefault> {
    let kubelet = root.path(&["machine", "kubelet"])?;
    let extra_config = kubelet
        .get("extraConfig")
        .and_then(|c| kubelet_configuration(c, "Talos `machine.kubelet.extraConfig`"));
    let extra_args = kubelet
        .get("extraArgs")
        .filter(|a| a.is_map())
        .and_then(|a| from_flags(&map_flags(a, text), "Talos `machine.kubelet.extraArgs`"));
    let field = kubelet
        .get("defaultRuntimeSeccompProfileEnabled")
        .and_then(|v| {
            Some(SeccompDefault {
                enabled: boolean(v)?,
                gate: None,
                span: v.span(),
                source: "Talos `machine.kubelet.defaultRuntimeSeccompProfileEnabled`",
            })
        });
    extra_args.or(extra_config).or(field)
}

/// The documents of a YAML text embedded in a string (spans in the outer file).
fn embedded_documents(text: &str, node: Node<'_>) -> Vec<crate::yaml::Document> {
    parse_embedded(text, node)
        .into_iter()
        .filter_map(|i| match i {
            Item::Document(d) => Some(d),
            Item::Error(_) => None,
        })
        .collect()
}

/// A YAML boolean, or a string the kubelet's flag parser reads as one.
fn boolean(node: Node<'_>) -> Option<bool> {
    match node.scalar()? {
        Scalar::Bool(b) => Some(b),
        Scalar::Str(s) => parse_bool(s),
        _ => None,
    }
}

/// `strconv.ParseBool`, which pflag uses for bool flags.
fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_all;

    /// Every setting of every document of `text`, as (enabled, gate, source, text at span).
    fn read(name: &str, text: &str) -> Vec<(bool, Option<bool>, &'static str, String)> {
        let (items, _) = parse_all(text);
        items
            .iter()
            .filter_map(|i| match i {
                Item::Document(d) => d.root(),
                Item::Error(_) => None,
            })
            .flat_map(|root| seccomp_default(root, text, name))
            .map(|s| {
                let at = text[s.span.start..s.span.end].to_owned();
                (s.enabled, s.gate, s.source, at)
            })
            .collect()
    }

    #[test]
    fn kubelet_configuration_and_its_config_map() {
        let text = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nseccompDefault: true\nfeatureGates: {SeccompDefault: true}\n";
        assert_eq!(
            read("kubelet.yaml", text),
            [(
                true,
                Some(true),
                "KubeletConfiguration `seccompDefault`",
                "true".into()
            )]
        );
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kubelet-config, namespace: kube-system}\ndata:\n  kubelet: |\n    apiVersion: kubelet.config.k8s.io/v1beta1\n    kind: KubeletConfiguration\n    seccompDefault: false\n";
        let found = read("cm.yaml", cm);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].3.as_str()), (false, "false"));
        // Another group's KubeletConfiguration is not the kubelet's.
        assert!(read(
            "x.yaml",
            "apiVersion: example.com/v1\nkind: KubeletConfiguration\nseccompDefault: true\n"
        )
        .is_empty());
    }

    #[test]
    fn kubeadm_extra_args_in_both_shapes_and_in_cluster_api() {
        let v1beta3 = "apiVersion: kubeadm.k8s.io/v1beta3\nkind: InitConfiguration\nnodeRegistration:\n  kubeletExtraArgs: {seccomp-default: \"true\", feature-gates: \"SeccompDefault=true,Foo=false\"}\n";
        assert_eq!(
            read("kubeadm.yaml", v1beta3),
            [(
                true,
                Some(true),
                "kubeadm `kubeletExtraArgs`",
                "true".into()
            )]
        );
        let v1beta4 = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\nnodeRegistration:\n  kubeletExtraArgs:\n  - {name: seccomp-default, value: \"false\"}\n";
        assert!(!read("kubeadm.yaml", v1beta4)[0].0);
        let capi = "apiVersion: bootstrap.cluster.x-k8s.io/v1beta1\nkind: KubeadmConfigTemplate\nspec:\n  template:\n    spec:\n      joinConfiguration:\n        nodeRegistration:\n          kubeletExtraArgs: {seccomp-default: \"true\"}\n";
        assert_eq!(read("md.yaml", capi).len(), 1);
        let kcp = "apiVersion: controlplane.cluster.x-k8s.io/v1beta1\nkind: KubeadmControlPlane\nspec:\n  kubeadmConfigSpec:\n    initConfiguration: {nodeRegistration: {kubeletExtraArgs: {seccomp-default: \"true\"}}}\n    joinConfiguration: {nodeRegistration: {kubeletExtraArgs: {seccomp-default: \"true\"}}}\n";
        assert_eq!(read("kcp.yaml", kcp).len(), 2);
    }

    #[test]
    fn kubeadm_patches_by_file_name() {
        let merge = "seccompDefault: true\n";
        assert_eq!(read("kubeletconfiguration+strategic.yaml", merge).len(), 1);
        assert_eq!(read("kubeletconfiguration0.yaml", merge).len(), 1);
        // The same text in another file is no patch of the kubelet's configuration.
        assert!(read("values.yaml", merge).is_empty());
        let json = "[{\"op\": \"add\", \"path\": \"/seccompDefault\", \"value\": true}]";
        assert_eq!(
            read("kubeletconfiguration+json.json", json),
            [(
                true,
                None,
                "kubeadm `kubeletconfiguration` patch",
                "true".into()
            )]
        );
    }

    #[test]
    fn kind_patches() {
        let text = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nkubeadmConfigPatches:\n- |\n  kind: KubeletConfiguration\n  seccompDefault: true\nnodes:\n- role: worker\n  kubeadmConfigPatches:\n  - |\n    kind: JoinConfiguration\n    nodeRegistration:\n      kubeletExtraArgs:\n        seccomp-default: \"true\"\n";
        let found = read("kind.yaml", text);
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|f| f.0 && f.3 == "true"), "{found:?}");
    }

    #[test]
    fn k3s_kubelet_arg() {
        let text = "write-kubeconfig-mode: \"0644\"\nkubelet-arg:\n- seccomp-default=true\n- feature-gates=SeccompDefault=false\n";
        assert_eq!(
            read("config.yaml", text),
            [(true, Some(false), "k3s/RKE2 `kubelet-arg`", "true".into())]
        );
        assert!(read("config.yaml", "kubelet-arg: seccomp-default\n")[0].0);
        assert!(read("config.yaml", "kubelet-arg: [max-pods=200]\n").is_empty());
    }

    #[test]
    fn talos_machine_kubelet() {
        let field = "version: v1alpha1\nmachine:\n  type: worker\n  kubelet:\n    defaultRuntimeSeccompProfileEnabled: true\n";
        assert!(read("worker.yaml", field)[0].0);
        // extraConfig is merged over what the field generates.
        let overridden = "machine:\n  kubelet:\n    defaultRuntimeSeccompProfileEnabled: true\n    extraConfig: {seccompDefault: false}\n";
        let found = read("patch.yaml", overridden);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].0, found[0].2),
            (false, "Talos `machine.kubelet.extraConfig`")
        );
    }

    #[test]
    fn gardener_shoot_and_its_worker_pools() {
        let text = "apiVersion: core.gardener.cloud/v1beta1\nkind: Shoot\nspec:\n  kubernetes:\n    kubelet: {seccompDefault: true}\n  provider:\n    workers:\n    - name: a\n      kubernetes: {kubelet: {seccompDefault: false}}\n    - name: b\n    - name: c\n      kubernetes: {kubelet: {maxPods: 110}}\n";
        let found = read("shoot.yaml", text);
        assert_eq!(
            found.iter().map(|f| f.0).collect::<Vec<_>>(),
            [true, false, false]
        );
    }

    #[test]
    fn the_feature_gate_decides_by_version() {
        let s = |enabled, gate| SeccompDefault {
            enabled,
            gate,
            span: Span::point(0),
            source: "test",
        };
        assert!(!s(true, None).effective((1, 21)));
        assert!(!s(true, None).effective((1, 24)));
        assert!(s(true, Some(true)).effective((1, 22)));
        assert!(s(true, None).effective((1, 25)));
        assert!(!s(true, Some(false)).effective((1, 26)));
        assert!(s(true, Some(false)).effective((1, 27)));
        assert!(!s(false, Some(true)).effective((1, 30)));
    }

    #[test]
    fn bad_input_does_not_panic() {
        for text in [
            "kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1beta1\nseccompDefault: [1]\n",
            "kubelet-arg: {a: b}\n",
            "machine: {kubelet: [1]}\n",
            "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nkubeadmConfigPatches: [1, {a: b}, \"kind: [\"]\n",
        ] {
            let _ = read("kubeletconfiguration.yaml", text);
        }
    }
}
