//! The Kubernetes version an object declares for the cluster it configures: kubeadm's
//! `kubernetesVersion`, a Cluster API control plane's or topology's `version`, eksctl's
//! `metadata.version`, a kind node image, the tag of a kube-apiserver image.

use crate::version::{self, Version};
use crate::yaml::{Node, Span};

/// A version written in a file, with where and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub version: Version,
    pub span: Span,
    /// The field that says it (`kubernetesVersion`, `spec.version`, `image` …).
    pub field: &'static str,
}

/// The version `root` (one Kubernetes object) declares, if any.
pub fn declared(root: Node<'_>) -> Option<Declared> {
    let kind = root.get_str("kind")?;
    let group = root
        .get_str("apiVersion")
        .and_then(|v| v.split_once('/'))
        .map_or("", |(g, _)| g);
    let field = |node: Option<Node<'_>>, field: &'static str| {
        let node = node?;
        Some(Declared {
            version: version::parse(node.str()?)?,
            span: node.span(),
            field,
        })
    };
    match (group, kind) {
        ("kubeadm.k8s.io", "ClusterConfiguration") => {
            field(root.get("kubernetesVersion"), "kubernetesVersion")
        }
        ("controlplane.cluster.x-k8s.io", "KubeadmControlPlane") => {
            field(root.path(&["spec", "version"]), "spec.version")
        }
        ("cluster.x-k8s.io", "Cluster") => field(
            root.path(&["spec", "topology", "version"]),
            "spec.topology.version",
        ),
        ("eksctl.io", "ClusterConfig") => {
            field(root.path(&["metadata", "version"]), "metadata.version")
        }
        ("kind.x-k8s.io", "Cluster") => kind_node_image(root),
        _ => apiserver_image(root),
    }
}

/// kind's control-plane node image (`kindest/node:v1.30.0@sha256:…`): the first
/// control-plane node's, else the first node's.
fn kind_node_image(root: Node<'_>) -> Option<Declared> {
    let nodes: Vec<Node<'_>> = root.get("nodes")?.items().collect();
    let node = nodes
        .iter()
        .find(|n| n.get_str("role") == Some("control-plane"))
        .or(nodes.first())?;
    let image = node.get("image")?;
    let tag = image_tag(image.str()?, "kindest/node")?;
    Some(Declared {
        version: version::parse(tag)?,
        span: image.span(),
        field: "image",
    })
}

/// The tag of a `kube-apiserver` image in a Pod (or a workload's pod template).
fn apiserver_image(root: Node<'_>) -> Option<Declared> {
    let pod = super::workload::pod_template(root)?;
    pod.containers().find_map(|(_, c)| {
        let image = c.get("image")?;
        let text = image.str()?;
        let tag = image_tag(text, "kube-apiserver")
            .or_else(|| image_tag(text, "kube-apiserver-amd64"))
            .or_else(|| image_tag(text, "hyperkube"))?;
        Some(Declared {
            version: version::parse(tag)?,
            span: image.span(),
            field: "image",
        })
    })
}

/// The tag of `image` when its repository's last path component is `name`
/// (`registry.k8s.io/kube-apiserver:v1.30.2@sha256:…` → `v1.30.2`).
fn image_tag<'a>(image: &'a str, name: &str) -> Option<&'a str> {
    let image = image.split('@').next()?;
    let (repository, tag) = image.rsplit_once(':')?;
    if tag.contains('/') {
        // `host:port/name` without a tag.
        return None;
    }
    let last = repository.rsplit('/').next()?;
    (last == name || repository == name).then_some(tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_all, Item};

    fn of(text: &str) -> Option<(Version, &'static str, String)> {
        let (items, _) = parse_all(text);
        let Some(Item::Document(doc)) = items.into_iter().next() else {
            panic!("not a document")
        };
        declared(doc.root()?).map(|d| {
            (
                d.version,
                d.field,
                text[d.span.start..d.span.end].to_owned(),
            )
        })
    }

    #[test]
    fn every_declaring_form() {
        assert_eq!(
            of("apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nkubernetesVersion: v1.28.4\n"),
            Some(((1, 28), "kubernetesVersion", "v1.28.4".into()))
        );
        assert_eq!(
            of("apiVersion: controlplane.cluster.x-k8s.io/v1beta1\nkind: KubeadmControlPlane\nspec:\n  version: v1.21.2\n"),
            Some(((1, 21), "spec.version", "v1.21.2".into()))
        );
        assert_eq!(
            of("apiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\nspec:\n  topology:\n    version: v1.31.0\n"),
            Some(((1, 31), "spec.topology.version", "v1.31.0".into()))
        );
        assert_eq!(
            of("apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: x\n  version: \"1.30\"\n"),
            Some(((1, 30), "metadata.version", "\"1.30\"".into()))
        );
        assert_eq!(
            of("apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: worker\n  image: kindest/node:v1.29.0\n- role: control-plane\n  image: kindest/node:v1.30.0@sha256:abc\n"),
            Some(((1, 30), "image", "kindest/node:v1.30.0@sha256:abc".into()))
        );
        assert_eq!(
            of("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    image: registry.k8s.io/kube-apiserver:v1.27.3\n"),
            Some(((1, 27), "image", "registry.k8s.io/kube-apiserver:v1.27.3".into()))
        );
    }

    #[test]
    fn nothing_declared() {
        assert_eq!(of("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: app\n    image: nginx:1.25\n"), None);
        assert_eq!(of("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: registry:5000/kube-apiserver\n"), None);
        assert_eq!(of("apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nkubernetesVersion: stable\n"), None);
        assert_eq!(
            of("apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\n"),
            None
        );
    }

    #[test]
    fn image_tags() {
        assert_eq!(
            image_tag("registry.k8s.io/kube-apiserver:v1.30.2", "kube-apiserver"),
            Some("v1.30.2")
        );
        assert_eq!(
            image_tag("kube-apiserver:v1.30.2", "kube-apiserver"),
            Some("v1.30.2")
        );
        assert_eq!(
            image_tag("host:5000/kube-apiserver", "kube-apiserver"),
            None
        );
        assert_eq!(
            image_tag("x/not-kube-apiserver:v1.30.2", "kube-apiserver"),
            None
        );
    }
}
