//! The cluster index: small facts each document leaves behind for the cross-file rules
//! (an apiserver's policy path, a Policy's model, a forwarder's mounts). Trees are not
//! kept; only these facts live past their document. The scan's index is split into one
//! index per cluster ([`crate::scope`]) before the cross-file rules run.

use std::sync::Arc;

use crate::config::Managed;
use crate::model::apiserver::{ApiServerFacts, NodeTaints};
use crate::model::kubelet::SeccompDefault;
use crate::model::policy::PolicyEntry;
use crate::model::seccomp::{LocalhostRef, ProfileEntry};
use crate::model::version::Declared;
use crate::model::workload::{Unprofiled, WorkloadFacts};
use crate::source::SourceFile;
use crate::yaml::Span;

#[derive(Debug, Default, Clone)]
pub struct ClusterIndex {
    pub apiservers: Vec<ApiServerFacts>,
    pub policies: Vec<PolicyEntry>,
    pub profiles: Vec<ProfileEntry>,
    /// Log agents (workloads that are not are of no cross-file rule's concern).
    pub workloads: Vec<WorkloadFacts>,
    /// Every `localhostProfile` a workload names (for AL312).
    pub seccomp_refs: Vec<LocalhostRef>,
    /// Taints set by a kubeadm `InitConfiguration`, by file: they apply to the
    /// `ClusterConfiguration` written beside it.
    pub kubeadm_init_taints: Vec<(Arc<SourceFile>, NodeTaints)>,
    /// Kubernetes versions the files declare.
    pub versions: Vec<DeclaredVersion>,
    /// ConfigMaps that may hold a log agent's configuration.
    pub agent_configs: Vec<crate::model::agent_config::ConfigMapFacts>,
    /// Where the kubelet's `seccompDefault` is set.
    pub seccomp_defaults: Vec<KubeletSeccompDefault>,
    /// Containers that name no seccomp profile (for AL315).
    pub unprofiled: Vec<Unprofiled>,
    /// Managed control planes and what exports their logs, from YAML and JSON documents;
    /// on a cluster's own index, with its Terraform resolved too.
    pub control_planes: crate::model::managed::Facts,
    /// Terraform files, resolved by directory once every file is read.
    pub terraform: Vec<crate::model::managed::terraform::Module>,
    /// Set on a cluster's own index: who runs its control plane.
    pub managed: Managed,
    /// Set on a declared cluster's index: where `.auditlint.yaml` declares it.
    pub declared_at: Option<(Arc<SourceFile>, Span)>,
}

/// A version a file declares.
#[derive(Debug, Clone)]
pub struct DeclaredVersion {
    pub file: Arc<SourceFile>,
    pub declared: Declared,
}

/// A kubelet `seccompDefault` setting a file makes.
#[derive(Debug, Clone)]
pub struct KubeletSeccompDefault {
    pub file: Arc<SourceFile>,
    pub setting: SeccompDefault,
}

/// Whether a cluster's kubelets give containers without a profile `RuntimeDefault`.
#[derive(Debug, Clone, Copy)]
pub enum SeccompDefaulting<'a> {
    /// Every setting the cluster's files make turns it on (and it works at this version).
    On(&'a KubeletSeccompDefault),
    /// This setting leaves it off (or its feature gate off, or the version predates it).
    Off(&'a KubeletSeccompDefault),
    /// No file of the cluster sets it: the kubelet's default, off.
    Unset,
}

impl ClusterIndex {
    pub fn merge(&mut self, other: ClusterIndex) {
        self.apiservers.extend(other.apiservers);
        self.policies.extend(other.policies);
        self.profiles.extend(other.profiles);
        self.workloads.extend(other.workloads);
        self.seccomp_refs.extend(other.seccomp_refs);
        self.kubeadm_init_taints.extend(other.kubeadm_init_taints);
        self.versions.extend(other.versions);
        self.agent_configs.extend(other.agent_configs);
        self.seccomp_defaults.extend(other.seccomp_defaults);
        self.unprofiled.extend(other.unprofiled);
        self.control_planes.extend(other.control_planes);
        self.terraform.extend(other.terraform);
    }

    /// Resolves the Terraform of each directory into control-plane facts (every file of a
    /// directory is read by now).
    pub fn resolve_terraform(&mut self) {
        use crate::model::managed::terraform::{resolve, resources};
        let modules = std::mem::take(&mut self.terraform);
        for dir in resolve::by_directory(&modules) {
            self.control_planes.extend(resources::facts(&dir));
        }
    }

    /// One index per cluster: each fact goes to every cluster its file belongs to
    /// (`clusters_of` gives indices below `n`).
    pub fn split(
        self,
        n: usize,
        clusters_of: impl Fn(&SourceFile) -> Vec<usize>,
    ) -> Vec<ClusterIndex> {
        let mut out: Vec<ClusterIndex> = (0..n).map(|_| ClusterIndex::default()).collect();
        fn spread<T: Clone>(
            items: Vec<T>,
            out: &mut [ClusterIndex],
            of: impl Fn(&T) -> Vec<usize>,
            field: fn(&mut ClusterIndex) -> &mut Vec<T>,
        ) {
            for item in items {
                let mut clusters = of(&item);
                if let Some(last) = clusters.pop() {
                    for i in clusters {
                        field(&mut out[i]).push(item.clone());
                    }
                    field(&mut out[last]).push(item);
                }
            }
        }
        let by_file = |f: &SourceFile| clusters_of(f);
        spread(
            self.apiservers,
            &mut out,
            |a| by_file(&a.file),
            |i| &mut i.apiservers,
        );
        spread(
            self.policies,
            &mut out,
            |p| by_file(&p.file),
            |i| &mut i.policies,
        );
        spread(
            self.profiles,
            &mut out,
            |p| by_file(&p.file),
            |i| &mut i.profiles,
        );
        spread(
            self.workloads,
            &mut out,
            |w| by_file(&w.file),
            |i| &mut i.workloads,
        );
        spread(
            self.seccomp_refs,
            &mut out,
            |r| by_file(&r.file),
            |i| &mut i.seccomp_refs,
        );
        spread(
            self.versions,
            &mut out,
            |v| by_file(&v.file),
            |i| &mut i.versions,
        );
        spread(
            self.agent_configs,
            &mut out,
            |c| by_file(&c.file),
            |i| &mut i.agent_configs,
        );
        let facts = self.control_planes;
        spread(
            facts.planes,
            &mut out,
            |p| by_file(&p.file),
            |i| &mut i.control_planes.planes,
        );
        spread(
            facts.log_groups,
            &mut out,
            |g| by_file(&g.file),
            |i| &mut i.control_planes.log_groups,
        );
        spread(
            facts.diagnostics,
            &mut out,
            |d| by_file(&d.file),
            |i| &mut i.control_planes.diagnostics,
        );
        spread(
            facts.metric_filters,
            &mut out,
            |m| by_file(&m.file),
            |i| &mut i.control_planes.metric_filters,
        );
        spread(
            facts.audit_configs,
            &mut out,
            |a| by_file(&a.file),
            |i| &mut i.control_planes.audit_configs,
        );
        spread(
            self.terraform,
            &mut out,
            |m| by_file(&m.file),
            |i| &mut i.terraform,
        );
        spread(
            self.seccomp_defaults,
            &mut out,
            |s| by_file(&s.file),
            |i| &mut i.seccomp_defaults,
        );
        spread(
            self.unprofiled,
            &mut out,
            |u| by_file(&u.file),
            |i| &mut i.unprofiled,
        );
        spread(
            self.kubeadm_init_taints,
            &mut out,
            |(file, _)| by_file(file),
            |i| &mut i.kubeadm_init_taints,
        );
        out
    }

    /// Whether the cluster's kubelets default to `RuntimeDefault`, at Kubernetes `version`.
    /// A node whose kubelet leaves it off runs unconfined what it is given, so one setting
    /// that leaves it off decides (the first, in path order).
    pub fn seccomp_defaulting(&self, version: (u32, u32)) -> SeccompDefaulting<'_> {
        let mut settings: Vec<&KubeletSeccompDefault> = self.seccomp_defaults.iter().collect();
        settings.sort_by(|a, b| {
            (&a.file.path, a.setting.span.start).cmp(&(&b.file.path, b.setting.span.start))
        });
        if let Some(off) = settings.iter().find(|s| !s.setting.effective(version)) {
            return SeccompDefaulting::Off(off);
        }
        settings
            .first()
            .map_or(SeccompDefaulting::Unset, |on| SeccompDefaulting::On(on))
    }

    /// The newest version the files of this index declare.
    pub fn newest_declared_version(&self) -> Option<&DeclaredVersion> {
        self.versions.iter().max_by(|a, b| {
            (a.declared.version, &b.file.path, b.declared.span.start).cmp(&(
                b.declared.version,
                &a.file.path,
                a.declared.span.start,
            ))
        })
    }
}
