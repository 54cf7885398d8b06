//! Workloads: Pods and the pod templates of every controller.

use crate::yaml::Node;

/// A pod spec and where it sits: a Pod's own, or a controller's template.
#[derive(Debug, Clone, Copy)]
pub struct PodTemplate<'d> {
    /// `Pod`, `Deployment`, `CronJob`, …
    pub kind: &'d str,
    /// The object's `metadata.name`.
    pub name: Option<&'d str>,
    /// The whole object (its root node).
    pub object: Node<'d>,
    /// The pod's metadata (the template's, for controllers); annotations live here.
    pub metadata: Option<Node<'d>>,
    /// The pod spec.
    pub spec: Node<'d>,
}

/// Which list of a pod spec a container is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerList {
    Containers,
    InitContainers,
    EphemeralContainers,
}

impl ContainerList {
    pub const ALL: [ContainerList; 3] = [
        ContainerList::Containers,
        ContainerList::InitContainers,
        ContainerList::EphemeralContainers,
    ];

    /// `container `app``, `init container `setup``, for messages.
    pub fn describe(self, name: Option<&str>) -> String {
        let kind = match self {
            ContainerList::Containers => "container",
            ContainerList::InitContainers => "init container",
            ContainerList::EphemeralContainers => "ephemeral container",
        };
        match name {
            Some(n) => format!("{kind} `{n}`"),
            None => format!("an unnamed {kind}"),
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            ContainerList::Containers => "containers",
            ContainerList::InitContainers => "initContainers",
            ContainerList::EphemeralContainers => "ephemeralContainers",
        }
    }
}

/// Finds the pod spec of a Pod or of a controller's template (at its usual path).
/// Objects of other kinds, and objects whose spec is not a mapping, give `None`.
pub fn pod_template(root: Node<'_>) -> Option<PodTemplate<'_>> {
    let kind = root.get_str("kind")?;
    let template = match kind {
        "Pod" => Some(root),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => root.path(&["spec", "template"]),
        "CronJob" => root.path(&["spec", "jobTemplate", "spec", "template"]),
        "PodTemplate" => root.get("template"),
        _ => None,
    }?;
    let spec = template.get("spec").filter(|s| s.is_map())?;
    Some(PodTemplate {
        kind,
        name: root.path(&["metadata", "name"]).and_then(|n| n.str()),
        object: root,
        metadata: template.get("metadata").filter(|m| m.is_map()),
        spec,
    })
}

impl<'d> PodTemplate<'d> {
    /// Every container of the pod, with the list it is in.
    pub fn containers(self) -> impl Iterator<Item = (ContainerList, Node<'d>)> + 'd {
        let spec = self.spec;
        ContainerList::ALL.into_iter().flat_map(move |list| {
            spec.get(list.key())
                .filter(|l| l.is_seq())
                .into_iter()
                .flat_map(|l| l.items())
                .filter(|c| c.is_map())
                .map(move |c| (list, c))
        })
    }

    /// The pod's annotations (the template's, for controllers), as (key, value, key text).
    pub fn annotations(self) -> impl Iterator<Item = (Node<'d>, Node<'d>, &'d str)> + 'd {
        self.metadata
            .and_then(|m| m.get("annotations"))
            .into_iter()
            .flat_map(Node::entries)
            .filter_map(|(k, v)| Some((k, v, k.text()?)))
    }
}

mod facts;
mod unprofiled;
pub use facts::{AgentMatch, HostMount, Toleration, WorkloadFacts};
pub use unprofiled::{unprofiled, Unprofiled};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_all, Item};

    fn with_template<R>(text: &str, f: impl FnOnce(Option<PodTemplate<'_>>) -> R) -> R {
        let (items, _) = parse_all(text);
        let Some(Item::Document(doc)) = items.into_iter().next() else {
            panic!("no document")
        };
        f(doc.root().and_then(pod_template))
    }

    #[test]
    fn finds_the_pod_spec_of_each_kind() {
        let cases = [
            ("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a}]}", "Pod"),
            (
                "kind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: [{name: a}]}}}",
                "Deployment",
            ),
            (
                "kind: CronJob\nmetadata: {name: c}\nspec: {jobTemplate: {spec: {template: {spec: {containers: [{name: a}]}}}}}",
                "CronJob",
            ),
        ];
        for (text, kind) in cases {
            with_template(text, |t| {
                let t = t.unwrap_or_else(|| panic!("{kind}: no template"));
                assert_eq!(t.kind, kind);
                assert_eq!(t.containers().count(), 1, "{kind}");
            });
        }
    }

    #[test]
    fn lists_every_container_list() {
        let text = "kind: Pod\nspec:\n  containers: [{name: a}, {name: b}]\n  initContainers: [{name: i}]\n  ephemeralContainers: [{name: e}]\n";
        with_template(text, |t| {
            let lists: Vec<_> = t.unwrap().containers().map(|(l, _)| l).collect();
            assert_eq!(
                lists,
                [
                    ContainerList::Containers,
                    ContainerList::Containers,
                    ContainerList::InitContainers,
                    ContainerList::EphemeralContainers
                ]
            );
        });
    }

    #[test]
    fn other_kinds_and_broken_specs_have_no_template() {
        for text in [
            "kind: Service\nspec: {}",
            "kind: Pod\nspec: [1]",
            "kind: Deployment\nspec: {template: 3}",
            "apiVersion: v1",
        ] {
            with_template(text, |t| assert!(t.is_none(), "{text}"));
        }
    }
}
