//! The taints of the nodes an apiserver runs on: a forwarder DaemonSet's pods run there only
//! if they tolerate every one that keeps pods off (`NoSchedule`, `NoExecute`).

use super::flags::string_items;
use crate::yaml::{Node, Span};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeTaints {
    /// kubeadm's control-plane taint, whose key depends on the Kubernetes version.
    Kubeadm,
    /// Exactly these: k3s/RKE2 `node-taint` (servers are schedulable without it), a kubeadm
    /// `nodeRegistration.taints` list, or none on a single-node kind cluster (kind removes
    /// the control-plane taint there).
    Listed(Vec<NodeTaint>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeTaint {
    pub key: String,
    pub value: String,
    pub effect: String,
    /// Where it is written.
    pub span: Span,
}

impl NodeTaint {
    /// Whether pods that do not tolerate it stay off the node (`PreferNoSchedule` only
    /// discourages them).
    pub fn repels(&self) -> bool {
        matches!(self.effect.as_str(), "NoSchedule" | "NoExecute")
    }

    /// As `kubectl taint` writes it: `key=value:Effect`.
    pub fn display(&self) -> String {
        match self.value.as_str() {
            "" => format!("{}:{}", self.key, self.effect),
            v => format!("{}={v}:{}", self.key, self.effect),
        }
    }
}

/// k3s/RKE2 `node-taint` (`key=value:Effect` or `key:Effect`, one string or a list).
pub(super) fn k3s_node_taints(root: Node<'_>, source: &str) -> NodeTaints {
    let entries = match root.get("node-taint") {
        Some(list) if list.is_seq() => string_items(list, source),
        Some(single) => single
            .str()
            .map(|t| vec![(t.to_owned(), single.span())])
            .unwrap_or_default(),
        None => Vec::new(),
    };
    NodeTaints::Listed(
        entries
            .iter()
            .filter_map(|(text, span)| parse(text, *span))
            .collect(),
    )
}

/// kubeadm `nodeRegistration.taints` of an `InitConfiguration` or `JoinConfiguration`:
/// absent or null keeps kubeadm's control-plane taint, a list (`[]` included) replaces it.
pub fn kubeadm_registration(config: Option<Node<'_>>) -> NodeTaints {
    match config.and_then(|c| c.path(&["nodeRegistration", "taints"])) {
        Some(list) if list.is_seq() => NodeTaints::Listed(
            list.items()
                .filter_map(|t| {
                    Some(NodeTaint {
                        key: t.get_str("key")?.to_owned(),
                        value: t.get_str("value").unwrap_or_default().to_owned(),
                        effect: t.get_str("effect").unwrap_or_default().to_owned(),
                        span: t.span(),
                    })
                })
                .collect(),
        ),
        _ => NodeTaints::Kubeadm,
    }
}

/// The taints of a Cluster API `KubeadmControlPlane`'s nodes: the first one's
/// (`initConfiguration`), and with more than one replica also the joining ones'
/// (`joinConfiguration`).
pub(super) fn control_plane_machines(spec: Node<'_>) -> NodeTaints {
    let init = kubeadm_registration(spec.path(&["kubeadmConfigSpec", "initConfiguration"]));
    let replicas = spec.get("replicas").and_then(|r| r.str()).unwrap_or("1");
    if replicas == "1" {
        return init;
    }
    let join = kubeadm_registration(spec.path(&["kubeadmConfigSpec", "joinConfiguration"]));
    match (init, join) {
        (NodeTaints::Listed(mut a), NodeTaints::Listed(b)) => {
            a.extend(b);
            NodeTaints::Listed(a)
        }
        _ => NodeTaints::Kubeadm,
    }
}

/// `key=value:Effect` or `key:Effect`, as kubelet's `--register-with-taints` reads it.
fn parse(text: &str, span: Span) -> Option<NodeTaint> {
    let (key_value, effect) = text.trim().rsplit_once(':')?;
    let (key, value) = key_value.split_once('=').unwrap_or((key_value, ""));
    Some(NodeTaint {
        key: key.to_owned(),
        value: value.to_owned(),
        effect: effect.to_owned(),
        span,
    })
    .filter(|t| !t.key.is_empty() && !t.effect.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taints_are_read_as_kubelet_writes_them() {
        let t = parse("CriticalAddonsOnly=true:NoExecute", Span::point(0)).unwrap();
        assert_eq!(
            (t.key.as_str(), t.value.as_str(), t.effect.as_str()),
            ("CriticalAddonsOnly", "true", "NoExecute")
        );
        assert!(t.repels());
        assert_eq!(t.display(), "CriticalAddonsOnly=true:NoExecute");
        let t = parse(
            "node-role.kubernetes.io/control-plane:NoSchedule",
            Span::point(0),
        )
        .unwrap();
        assert_eq!(
            (t.key.as_str(), t.value.as_str()),
            ("node-role.kubernetes.io/control-plane", "")
        );
        assert!(!parse("dedicated=logs:PreferNoSchedule", Span::point(0))
            .unwrap()
            .repels());
        assert_eq!(parse("no-effect", Span::point(0)), None);
        assert_eq!(parse(":NoSchedule", Span::point(0)), None);
    }
}
