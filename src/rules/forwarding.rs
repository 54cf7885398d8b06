//! AL4xx: log forwarding, judged over the whole scan. Every workload leaves its facts in the
//! cluster index (`check_document`); the rules then look at the forwarder DaemonSets
//! together with the apiserver configurations (`check_cluster`).

mod audit_log;
mod host_logs;
mod missing;
mod pipeline;
mod placement;

use super::registry::{Check, Rule};
use crate::catalog::Code;
use crate::cluster::ClusterIndex;
use crate::config::{Config, Managed};
use crate::context::DocCtx;
use crate::finding::Finding;
use crate::model::agent_config::{self, Resolution, Resolved, Unreadable};
use crate::model::apiserver::{ApiServerFacts, NodeTaints};
use crate::model::workload::{pod_template, AgentMatch, WorkloadFacts};

pub(super) const RULES: &[Rule] = &[
    Rule {
        codes: &[Code::AL401],
        check: Check::Forwarding(|scan, _, out| missing::check(scan, scan.declared_at, out)),
    },
    Rule {
        codes: &[Code::AL402],
        check: Check::Forwarding(|scan, _, out| placement::check(scan, out)),
    },
    Rule {
        codes: &[Code::AL403],
        check: Check::Forwarding(|scan, _, out| host_logs::check(scan, out)),
    },
    Rule {
        codes: &[Code::AL406],
        check: Check::Forwarding(|scan, _, out| pipeline::never_ships(scan, out)),
    },
    Rule {
        codes: &[Code::AL407],
        check: Check::Forwarding(|scan, _, out| pipeline::audit_log_excluded(scan, out)),
    },
    Rule {
        codes: &[Code::AL408],
        check: Check::Forwarding(|scan, _, out| pipeline::plaintext(scan, out)),
    },
    Rule {
        codes: &[Code::AL410],
        check: Check::Forwarding(|scan, _, out| pipeline::unreadable(scan, out)),
    },
    Rule {
        codes: &[Code::AL409],
        check: Check::Forwarding(|scan, _, out| pipeline::no_disk_buffer(scan, out)),
    },
    Rule {
        codes: &[Code::AL404, Code::AL405],
        // A managed control plane writes no audit log file on a node anyone can reach.
        check: Check::Forwarding(|scan, config, out| {
            if scan.managed == Managed::None {
                audit_log::check(scan, config, out);
            }
        }),
    },
];

/// Records the facts of a workload document for the cross-file rules.
pub(super) fn record(cx: &mut DocCtx<'_>) {
    if let Some(config) = crate::model::agent_config::config_map(cx.root, cx.file) {
        cx.index.agent_configs.push(config);
    }
    let Some(t) = pod_template(cx.root) else {
        return;
    };
    let facts = WorkloadFacts::read(t, cx.file, cx.doc.template.clone(), &cx.config.log_agents);
    // Other workloads are no cross-file rule's concern: what makes a cluster is its control
    // plane, not its applications.
    if facts.may_be_agent() {
        cx.index.workloads.push(facts);
    }
}

/// What the AL4xx rules look at, in a deterministic order (path, then offset).
pub struct Scan<'a> {
    pub apiservers: Vec<&'a ApiServerFacts>,
    pub workloads: Vec<&'a WorkloadFacts>,
    /// Log agents that run as DaemonSets.
    pub forwarders: Vec<&'a WorkloadFacts>,
    /// Taints of kubeadm `InitConfiguration`s, by file.
    pub kubeadm_init_taints: &'a [(std::sync::Arc<crate::source::SourceFile>, NodeTaints)],
    /// Where `.auditlint.yaml` declares the cluster, when it does.
    pub declared_at: Option<&'a (std::sync::Arc<crate::source::SourceFile>, crate::yaml::Span)>,
    /// Who runs the control plane.
    pub managed: Managed,
    /// The configuration of each agent whose ConfigMap is scanned: what it tails and ships.
    pub pipelines: Vec<(&'a WorkloadFacts, Resolved)>,
    /// Agents whose configuration is scanned but could not be read.
    pub unreadable: Vec<(&'a WorkloadFacts, Unreadable)>,
}

impl Scan<'_> {
    /// What `w` is configured to do, when its configuration is scanned.
    pub fn pipeline(&self, w: &WorkloadFacts) -> Option<&Resolved> {
        self.pipelines
            .iter()
            .find(|(p, _)| std::ptr::eq(*p, w))
            .map(|(_, r)| r)
    }

    /// Whether forwarder `w` ships the node file `host` off the node: it mounts it and, when
    /// its configuration is known, an input tails it into a remote output.
    pub fn ships(&self, w: &WorkloadFacts, host: &str) -> bool {
        let Some(mount) = w.mount_covering(host) else {
            return false;
        };
        match self.pipeline(w) {
            Some(r) => r.pipeline.ships(&mount.inside(host)),
            None => true,
        }
    }

    /// The taints of the nodes `api` runs on: a kubeadm `InitConfiguration` written beside
    /// its `ClusterConfiguration` replaces kubeadm's default.
    pub fn node_taints<'s>(&'s self, api: &'s ApiServerFacts) -> &'s NodeTaints {
        match &api.taints {
            NodeTaints::Kubeadm => self
                .kubeadm_init_taints
                .iter()
                .find(|(file, _)| file.path == api.file.path)
                .map_or(&api.taints, |(_, taints)| taints),
            listed => listed,
        }
    }
}

/// Runs the [`Check::Forwarding`] rules over the cluster's log forwarders.
pub(super) fn check_cluster(index: &ClusterIndex, config: &Config, out: &mut Vec<Finding>) {
    let mut apiservers: Vec<&ApiServerFacts> = index.apiservers.iter().collect();
    apiservers.sort_by(|a, b| (&a.file.path, a.span.start).cmp(&(&b.file.path, b.span.start)));
    let resolve = |w: &WorkloadFacts| {
        agent_config::resolve(
            w.agent.as_ref().map(|a| a.agent.as_str()),
            w.namespace.as_deref(),
            &w.config_mounts,
            w.config_arg.as_deref(),
            &index.agent_configs,
        )
    };
    // A workload that is no agent by its image or name is a forwarder when the ConfigMap it
    // mounts reads as an agent's configuration that tails node files (a re-hosted image).
    let by_config: Vec<(WorkloadFacts, Resolved)> = index
        .workloads
        .iter()
        .filter(|w| w.agent.is_none())
        .filter_map(|w| {
            let r = resolve(w)
                .read()
                .filter(|r| !r.pipeline.inputs.is_empty())?;
            let agent = AgentMatch {
                agent: r.pipeline.agent.to_owned(),
                matched: format!("configuration (ConfigMap `{}`)", r.config_map),
                span: w.mounts_span,
            };
            let w = WorkloadFacts {
                agent: Some(agent),
                ..w.clone()
            };
            Some((w, r))
        })
        .collect();
    let mut workloads: Vec<&WorkloadFacts> = index
        .workloads
        .iter()
        .filter(|w| w.agent.is_some())
        .chain(by_config.iter().map(|(w, _)| w))
        .collect();
    workloads.sort_by(|a, b| (&a.file.path, a.span.start).cmp(&(&b.file.path, b.span.start)));
    let mut pipelines: Vec<(&WorkloadFacts, Resolved)> = Vec::new();
    let mut unreadable: Vec<(&WorkloadFacts, Unreadable)> = Vec::new();
    for w in &workloads {
        if let Some((_, r)) = by_config.iter().find(|(b, _)| std::ptr::eq(b, *w)) {
            pipelines.push((*w, r.clone()));
            continue;
        }
        match resolve(w) {
            Resolution::Read(r) => pipelines.push((*w, r)),
            Resolution::Unreadable(u) => unreadable.push((*w, u)),
            Resolution::Absent => {}
        }
    }
    // A collector whose configuration tails no file (it only receives OTLP, or scrapes
    // metrics) forwards no node log, whatever its image.
    let tails_nothing = |w: &WorkloadFacts| {
        pipelines
            .iter()
            .any(|(p, r)| std::ptr::eq(*p, w) && r.pipeline.inputs.is_empty())
    };
    let forwarders = workloads
        .iter()
        .copied()
        .filter(|w| w.is_forwarder_daemonset() && !tails_nothing(w))
        .collect();
    let scan = Scan {
        apiservers,
        workloads,
        forwarders,
        kubeadm_init_taints: &index.kubeadm_init_taints,
        declared_at: index.declared_at.as_ref(),
        managed: index.managed,
        pipelines,
        unreadable,
    };
    super::registry::run_into(out, |check, out| match check {
        Check::Forwarding(check) => {
            check(&scan, config, out);
            true
        }
        _ => false,
    });
}
