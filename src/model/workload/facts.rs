//! What the cross-file rules keep of each workload: whether it is a log agent, which host
//! directories its agent containers mount, and which taints it tolerates.

use std::collections::HashMap;
use std::sync::Arc;

use super::{ContainerList, PodTemplate};
use crate::model::agent_config::ConfigMount;
use crate::model::agents;
use crate::model::apiserver::mounts::{ListSite, MountSites};
use crate::model::paths::{covers, host_path};
use crate::source::SourceFile;
use crate::yaml::{Node, Span};

/// What cross-file rules need to know about one workload.
#[derive(Debug, Clone)]
pub struct WorkloadFacts {
    pub file: Arc<SourceFile>,
    /// Where findings about the workload are reported: its `kind` value.
    pub span: Span,
    pub template: Option<String>,
    pub kind: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
    /// Set when the workload is a log agent.
    pub agent: Option<AgentMatch>,
    /// hostPath volumes mounted by the agent containers (empty for other workloads).
    pub host_mounts: Vec<HostMount>,
    pub tolerations: Vec<Toleration>,
    /// The `tolerations` key, or the start of the pod spec where one would be added.
    pub tolerations_span: Span,
    /// The first agent container's `volumeMounts` key, or its `name` when it has none.
    pub mounts_span: Span,
    /// Where `--fix` adds a toleration: the pod spec's `tolerations`.
    pub tolerations_site: ListSite,
    /// Where `--fix` adds a hostPath mount to the first agent container.
    pub mount_sites: Option<MountSites>,
    /// ConfigMaps mounted into the agent containers (where its configuration may be).
    pub config_mounts: Vec<ConfigMount>,
    /// The configuration file the agent containers' arguments name.
    pub config_arg: Option<String>,
}

/// A ConfigMap volume's `items`: (file path, key).
type ConfigItems = Vec<(String, String)>;

/// Why a workload is taken for a log agent.
#[derive(Debug, Clone)]
pub struct AgentMatch {
    /// The agent's name in the list (or the extra pattern that matched).
    pub agent: String,
    /// What matched, for messages: "image `fluent/fluent-bit:1.5`".
    pub matched: String,
    pub span: Span,
}

/// A hostPath volume mounted into an agent container.
#[derive(Debug, Clone)]
pub struct HostMount {
    /// The directory on the node (with the mount's `subPath`), normalised.
    pub host_path: String,
    pub mount_path: String,
    /// The volume's `hostPath.path`.
    pub span: Span,
}

/// One entry of a pod's `tolerations`.
#[derive(Debug, Clone, Default)]
pub struct Toleration {
    pub key: String,
    pub operator: String,
    pub value: String,
    pub effect: String,
    pub span: Span,
}

impl HostMount {
    /// Where the node file `host` (under this mount) is inside the container.
    pub fn inside(&self, host: &str) -> String {
        let host = crate::model::paths::normalize(host);
        let rest = host
            .strip_prefix(self.host_path.trim_end_matches('/'))
            .unwrap_or(&host);
        format!(
            "{}/{}",
            self.mount_path.trim_end_matches('/'),
            rest.trim_start_matches('/')
        )
    }
}

impl Toleration {
    /// Whether this toleration tolerates the taint `key=value:effect`, as the scheduler and
    /// the kubelet decide (`Toleration.ToleratesTaint` in k8s.io/api core/v1): an empty
    /// effect matches every effect, otherwise effects must be equal; an empty key matches
    /// every key but is only valid with `Exists`; `Exists` matches any value, `Equal` (the
    /// default) an equal value. Comparisons are case-sensitive; unknown operators match
    /// nothing.
    pub fn tolerates(&self, key: &str, value: &str, effect: &str) -> bool {
        if !self.effect.is_empty() && self.effect != effect {
            return false;
        }
        if self.key.is_empty() {
            // Validation rejects an empty key with any operator but `Exists`.
            return self.operator == "Exists";
        }
        if self.key != key {
            return false;
        }
        match self.operator.as_str() {
            "Exists" => true,
            "" | "Equal" => self.value == value,
            _ => false,
        }
    }
}

impl WorkloadFacts {
    /// Reads the facts of one workload. `extra_agents` are the configured extra patterns.
    pub fn read(
        t: PodTemplate<'_>,
        file: &Arc<SourceFile>,
        template: Option<String>,
        extra_agents: &[String],
    ) -> Self {
        let span = t.object.get("kind").map_or(t.object.span(), Node::span);
        let (agent, agent_containers) = find_agent(t, extra_agents);
        let volumes = host_path_volumes(t.spec);
        let mut host_mounts = Vec::new();
        for c in &agent_containers {
            for m in c.get("volumeMounts").into_iter().flat_map(|m| m.items()) {
                let (Some(name), Some(mount_path)) = (m.get_str("name"), m.get_str("mountPath"))
                else {
                    continue;
                };
                let Some(&(path, span)) = volumes.get(name) else {
                    continue;
                };
                let sub = m.get_str("subPath").unwrap_or_default();
                host_mounts.push(HostMount {
                    host_path: host_path(&format!("{path}/{sub}")),
                    mount_path: mount_path.to_owned(),
                    span,
                });
            }
        }
        // A Windows HostProcess container runs on the host and sees its whole filesystem,
        // without any hostPath volume.
        let pod_host_process = host_process(t.spec);
        for c in &agent_containers {
            if let Some(flag) = host_process(*c).or(pod_host_process).filter(|f| f.0) {
                host_mounts.push(HostMount {
                    host_path: "/".to_owned(),
                    mount_path: "(HostProcess container)".to_owned(),
                    span: flag.1,
                });
            }
        }
        let mounts_span = agent_containers
            .first()
            .map(|c| {
                c.entry("volumeMounts")
                    .map(|(k, _)| k)
                    .or_else(|| c.get("name"))
                    .map_or(c.span(), Node::span)
            })
            .unwrap_or(span);
        let mount_sites = agent_containers.first().map(|c| MountSites {
            mounts: ListSite::of(*c, "volumeMounts"),
            volumes: Some(ListSite::of(t.spec, "volumes")),
            names: t
                .spec
                .get("volumes")
                .into_iter()
                .flat_map(|v| v.items())
                .filter_map(|v| v.get_str("name").map(str::to_owned))
                .collect(),
        });
        let tolerations_node = t.spec.get("tolerations");
        let tolerations = tolerations_node
            .into_iter()
            .flat_map(|l| l.items())
            .filter(|i| i.is_map())
            .map(|i| {
                let s = |k: &str| i.get_str(k).unwrap_or_default().to_owned();
                Toleration {
                    key: s("key"),
                    operator: s("operator"),
                    value: s("value"),
                    effect: s("effect"),
                    span: i.span(),
                }
            })
            .collect();
        // ConfigMap volumes by name: the ConfigMap, and its `items` (file path, key) when
        // they pick and rename keys.
        let config_volumes: HashMap<&str, (&str, ConfigItems)> = t
            .spec
            .get("volumes")
            .into_iter()
            .flat_map(|v| v.items())
            .filter_map(|v| {
                let cm = v.get("configMap")?;
                let items = cm
                    .get("items")
                    .into_iter()
                    .flat_map(|i| i.items())
                    .filter_map(|i| {
                        Some((i.get_str("path")?.to_owned(), i.get_str("key")?.to_owned()))
                    })
                    .collect();
                Some((v.get_str("name")?, (cm.get_str("name")?, items)))
            })
            .collect();
        let config_mounts = agent_containers
            .iter()
            .flat_map(|c| c.get("volumeMounts").into_iter().flat_map(|m| m.items()))
            .filter_map(|m| {
                let (config_map, items) = config_volumes.get(m.get_str("name")?)?;
                Some(ConfigMount {
                    config_map: (*config_map).to_owned(),
                    mount_path: m.get_str("mountPath")?.to_owned(),
                    sub_path: m.get_str("subPath").map(str::to_owned),
                    items: items.clone(),
                })
            })
            .collect();
        let config_arg = agent_containers.iter().find_map(|c| {
            let args: Vec<&str> = ["command", "args"]
                .iter()
                .flat_map(|k| c.get(k).into_iter().flat_map(|l| l.items()))
                .filter_map(|a| a.str())
                .collect();
            crate::model::agent_config::config_argument(&args)
        });
        let metadata = t.object.get("metadata");
        WorkloadFacts {
            file: Arc::clone(file),
            span,
            template,
            kind: t.kind.to_owned(),
            name: t.name.map(str::to_owned),
            namespace: metadata
                .and_then(|m| m.get_str("namespace"))
                .map(str::to_owned),
            agent,
            host_mounts,
            tolerations,
            tolerations_span: t
                .spec
                .entry("tolerations")
                .map_or(Span::point(t.spec.span().start), |(k, _)| k.span()),
            mounts_span,
            tolerations_site: ListSite::of(t.spec, "tolerations"),
            mount_sites,
            config_mounts,
            config_arg,
        }
    }

    pub fn is_daemonset(&self) -> bool {
        self.kind == "DaemonSet"
    }

    /// Whether the cross-file rules need the workload: it is a log agent by its image or
    /// name, or it may be one by its configuration (it mounts a ConfigMap and a host
    /// directory).
    pub fn may_be_agent(&self) -> bool {
        self.agent.is_some() || (!self.config_mounts.is_empty() && !self.host_mounts.is_empty())
    }

    /// A forwarder DaemonSet: the workloads whose mounts and tolerations decide AL403–AL405.
    pub fn is_forwarder_daemonset(&self) -> bool {
        self.agent.is_some() && self.is_daemonset()
    }

    /// `Kind/name` for messages.
    pub fn display(&self) -> String {
        format!(
            "{}/{}",
            self.kind,
            self.name.as_deref().unwrap_or("<unnamed>")
        )
    }

    /// Whether some hostPath mount of the agent containers covers `path` on the node.
    pub fn mount_covering(&self, path: &str) -> Option<&HostMount> {
        let path = host_path(path);
        self.host_mounts
            .iter()
            .find(|m| covers(&m.host_path, &path))
    }
}

/// The long-running containers of a pod: regular ones, and init containers with
/// `restartPolicy: Always` (sidecars).
fn long_running<'d>(t: PodTemplate<'d>) -> impl Iterator<Item = Node<'d>> + 'd {
    t.containers().filter_map(|(list, c)| match list {
        ContainerList::Containers => Some(c),
        ContainerList::InitContainers if c.get_str("restartPolicy") == Some("Always") => Some(c),
        _ => None,
    })
}

/// The agent a workload runs, and its agent containers: those whose image or name is in the
/// list; when none is but the object's name is, every long-running container. A workload
/// that is no agent by either gets every long-running container, so that its mounts are known
/// if its configuration turns out to be an agent's.
fn find_agent<'d>(t: PodTemplate<'d>, extra: &[String]) -> (Option<AgentMatch>, Vec<Node<'d>>) {
    let mut found: Option<AgentMatch> = None;
    let mut containers = Vec::new();
    for c in long_running(t) {
        // The agent a field of the container names, by `agent_of` (image, then name).
        let by = |key: &str, what: &str, agent_of: fn(&str, &[String]) -> Option<String>| {
            let node = c.get(key)?;
            let value = node.str()?;
            Some(AgentMatch {
                agent: agent_of(value, extra)?,
                matched: format!("{what} `{value}`"),
                span: node.span(),
            })
        };
        let found_here = by("image", "image", agents::agent_of_image)
            .or_else(|| by("name", "container name", agents::agent_of_name));
        if let Some(m) = found_here {
            found.get_or_insert(m);
            containers.push(c);
        }
    }
    if found.is_none() {
        let name_node = t.object.path(&["metadata", "name"]);
        if let Some((n, name)) = name_node.and_then(|n| Some((n, n.str()?))) {
            if let Some(agent) = agents::agent_of_name(name, extra) {
                found = Some(AgentMatch {
                    agent,
                    matched: format!("name `{name}`"),
                    span: n.span(),
                });
                containers = long_running(t).collect();
            }
        }
    }
    if found.is_none() {
        containers = long_running(t).collect();
    }
    (found, containers)
}

/// `securityContext.windowsOptions.hostProcess` of a pod spec or container, with its span.
fn host_process(node: Node<'_>) -> Option<(bool, Span)> {
    let flag = node.path(&["securityContext", "windowsOptions", "hostProcess"])?;
    match flag.scalar()? {
        crate::yaml::Scalar::Bool(b) => Some((b, flag.span())),
        _ => None,
    }
}

/// Volumes with a `hostPath`, by name: (path, span of the path).
fn host_path_volumes<'d>(spec: Node<'d>) -> HashMap<&'d str, (&'d str, Span)> {
    spec.get("volumes")
        .into_iter()
        .flat_map(|v| v.items())
        .filter_map(|v| {
            let name = v.get_str("name")?;
            let path = v.path(&["hostPath", "path"])?;
            Some((name, (path.str()?, path.span())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::workload::pod_template;
    use crate::yaml::{parse_all, Item};

    fn facts(text: &str) -> WorkloadFacts {
        let (items, _) = parse_all(text);
        let Some(Item::Document(doc)) = items.into_iter().next() else {
            panic!("no document")
        };
        let file = SourceFile::new("w.yaml", text);
        let t = doc.root().and_then(pod_template).expect("a workload");
        WorkloadFacts::read(t, &file, None, &[])
    }

    fn tol(key: &str, operator: &str, value: &str, effect: &str) -> Toleration {
        Toleration {
            key: key.into(),
            operator: operator.into(),
            value: value.into(),
            effect: effect.into(),
            span: Span::point(0),
        }
    }

    const CP: &str = "node-role.kubernetes.io/control-plane";

    #[test]
    fn toleration_matching_follows_the_scheduler() {
        let yes = [
            tol(CP, "Exists", "", "NoSchedule"),
            tol(CP, "Exists", "", ""),
            tol(CP, "", "", "NoSchedule"),
            tol(CP, "Equal", "", "NoSchedule"),
            tol("", "Exists", "", ""),
            tol("", "Exists", "", "NoSchedule"),
        ];
        for t in &yes {
            assert!(t.tolerates(CP, "", "NoSchedule"), "{t:?}");
        }
        let no = [
            tol(CP, "Exists", "", "NoExecute"),
            tol(CP, "Exists", "", "PreferNoSchedule"),
            tol(CP, "Exists", "", "noschedule"),
            tol(CP, "Equal", "true", "NoSchedule"),
            tol(CP, "exists", "", "NoSchedule"),
            tol(CP, "Lt", "1", "NoSchedule"),
            tol("node-role.kubernetes.io/master", "Exists", "", "NoSchedule"),
            tol("Node-role.kubernetes.io/control-plane", "Exists", "", ""),
            tol("", "", "", ""),
            tol("", "Equal", "", "NoSchedule"),
            tol("", "Exists", "", "NoExecute"),
        ];
        for t in &no {
            assert!(!t.tolerates(CP, "", "NoSchedule"), "{t:?}");
        }
    }

    #[test]
    fn reads_agent_mounts_and_tolerations() {
        let f = facts(
            "kind: DaemonSet
metadata: {name: logs, namespace: logging}
spec:
  template:
    spec:
      tolerations:
      - {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}
      containers:
      - name: shipper
        image: cr.fluentbit.io/fluent/fluent-bit:3.1
        volumeMounts:
        - {name: varlog, mountPath: /var/log}
        - {name: docker, mountPath: /d, subPath: containers}
        - {name: cfg, mountPath: /etc/fluent-bit}
      - name: sidecar
        image: busybox
        volumeMounts: [{name: etc, mountPath: /host/etc}]
      volumes:
      - {name: varlog, hostPath: {path: /var/log/}}
      - {name: docker, hostPath: {path: /var/lib/docker}}
      - {name: etc, hostPath: {path: /etc}}
      - {name: cfg, configMap: {name: c}}
",
        );
        let agent = f.agent.as_ref().expect("an agent");
        assert_eq!(agent.agent, "fluent-bit");
        assert!(f.is_forwarder_daemonset());
        assert_eq!(f.namespace.as_deref(), Some("logging"));
        let paths: Vec<&str> = f.host_mounts.iter().map(|m| m.host_path.as_str()).collect();
        assert_eq!(paths, ["/var/log", "/var/lib/docker/containers"]);
        assert!(f
            .mount_covering("/var/log/kubernetes/audit/audit.log")
            .is_some());
        assert!(f.mount_covering("/etc/kubernetes").is_none());
        assert_eq!(f.tolerations.len(), 1);
        assert!(f.tolerations[0].tolerates(CP, "", "NoSchedule"));
    }

    #[test]
    fn recognises_by_object_name_and_ignores_other_workloads() {
        let f = facts(
            "kind: Deployment
metadata: {name: fluentd-aggregator}
spec: {template: {spec: {containers: [{name: main, image: acme/shipper:1, volumeMounts: [{name: v, mountPath: /v}]}], volumes: [{name: v, hostPath: {path: /var/log}}]}}}
",
        );
        assert_eq!(f.agent.as_ref().map(|a| a.agent.as_str()), Some("fluentd"));
        assert_eq!(f.host_mounts.len(), 1);
        assert!(!f.is_forwarder_daemonset());
        let g = facts(
            "kind: DaemonSet
metadata: {name: node-exporter}
spec: {template: {spec: {containers: [{name: e, image: prom/node-exporter, volumeMounts: [{name: v, mountPath: /v}]}], volumes: [{name: v, hostPath: {path: /}}]}}}
",
        );
        assert!(g.agent.is_none());
        // Its mounts are read, but it mounts no ConfigMap: no configuration can make it an
        // agent.
        assert_eq!(g.host_mounts.len(), 1);
        assert!(!g.may_be_agent());
    }

    #[test]
    fn a_windows_host_process_agent_sees_the_host_filesystem() {
        let pod_level = facts(
            "kind: DaemonSet
metadata: {name: fluent-bit-windows}
spec: {template: {spec: {securityContext: {windowsOptions: {hostProcess: true}}, containers: [{name: fluent-bit, image: fluent/fluent-bit:3.1-windows}]}}}
",
        );
        assert!(pod_level.mount_covering("/var/log/pods").is_some());
        let overridden = facts(
            "kind: DaemonSet
metadata: {name: fluent-bit-windows}
spec: {template: {spec: {securityContext: {windowsOptions: {hostProcess: true}}, containers: [{name: fluent-bit, image: fluent/fluent-bit:3.1-windows, securityContext: {windowsOptions: {hostProcess: false}}}]}}}
",
        );
        assert!(overridden.host_mounts.is_empty());
    }

    #[test]
    fn bad_input_does_not_panic() {
        for text in [
            "kind: DaemonSet\nspec: {template: {spec: {containers: [{image: [1]}], volumes: 3, tolerations: [1, {key: [x]}]}}}",
            "kind: Pod\nspec: {containers: [{name: fluent-bit, volumeMounts: [{name: x}, 5]}], volumes: [{name: x, hostPath: 2}]}",
        ] {
            let _ = facts(text);
        }
    }
}
