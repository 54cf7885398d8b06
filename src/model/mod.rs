//! Typed views over documents: what a kube-apiserver configuration, an audit Policy, a
//! seccomp profile or a workload says, with the span of every value a rule may point at.

pub mod agent_config;
pub mod agents;
pub mod apiserver;
pub mod kubelet;
pub mod managed;
pub mod paths;
pub mod pipeline;
pub mod policy;
pub mod seccomp;
pub mod version;
pub mod workload;

use crate::yaml::Node;

/// Whether `root` is a `kind` object of the API group `group` (its `apiVersion` is
/// `group/<version>`).
pub fn is_object(root: Node<'_>, kind: &str, group: &str) -> bool {
    root.get_str("kind") == Some(kind)
        && root
            .get_str("apiVersion")
            .and_then(|v| v.strip_prefix(group))
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The objects of a list (what `kubectl get -o yaml` writes for several objects) that are
/// still in its tree: each is an object of its own. As for kubectl (`Unstructured.IsList`),
/// any object whose `items` is a sequence is a list, whatever its kind. The parser already
/// splits most items off as documents of their own (`yaml::parse`); what remains here are
/// items it must keep in place (anchored or aliasing ones).
pub fn list_items<'d>(root: Node<'d>) -> impl Iterator<Item = Node<'d>> + 'd {
    root.get("items")
        .into_iter()
        .flat_map(Node::items)
        .filter(|item| item.is_map() && item.get("kind").is_some())
}
