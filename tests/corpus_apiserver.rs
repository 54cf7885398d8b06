//! Real-world kube-apiserver configurations and malformed inputs from `../shared/corpus`.
//! Skipped (with a notice) when the corpus is not beside the project.

mod common;
use common::corpus;

use std::path::Path;

use auditlint::config::Config;
use auditlint::engine;

/// (path under `dir`, code) pairs found in a scan.
fn hits(dir: &Path) -> Vec<(String, String)> {
    let report =
        engine::scan_paths(&[dir.to_path_buf()], &Config::new()).expect("the corpus scans");
    let base = format!(
        "{}/",
        auditlint::discover::display_path(dir).trim_end_matches('/')
    );
    report
        .findings
        .iter()
        .map(|f| {
            let path = f.file.path.strip_prefix(&base).unwrap_or(&f.file.path);
            (path.to_owned(), f.code().to_owned())
        })
        .collect()
}

fn has(hits: &[(String, String)], file: &str, code: &str) -> bool {
    hits.iter().any(|(p, c)| p.contains(file) && c == code)
}

#[test]
fn apiserver_corpus_findings() {
    let Some(dir) = corpus("apiserver") else {
        return;
    };
    let h = hits(&dir);
    // checkov's "PASSED" fixture sets a log path but no policy: nothing is ever logged.
    assert!(has(&h, "ApiServerAuditLog__ApiServer-PASSED", "AL101"));
    assert!(has(&h, "ApiServerAuditLog__ApiServer-FAILED", "AL101"));
    // The removed dynamic audit flag, in kubeadm extraArgs and in a kind patch.
    assert!(has(
        &h,
        "falcosecurity__evolution__deploy__kubeadm__audit",
        "AL106"
    ));
    assert!(has(
        &h,
        "falcosecurity__evolution__deploy__kind__audit",
        "AL106"
    ));
    // Typhoon's production static Pod has no audit flags at all.
    assert!(has(&h, "poseidon__terraform-render-bootstrap", "AL101"));
    // eksctl examples without control-plane logging, but not the ones that enable audit.
    assert!(has(
        &h,
        "eksctl__examples__02-custom-vpc-cidr-no-nodes",
        "AL116"
    ));
    assert!(!has(
        &h,
        "eksctl__examples__11-cloudwatch-cluster-logging",
        "AL116"
    ));
    // A kind patch with audit flags but no rotation flags; its mounts are right.
    assert!(has(&h, "nunoadrego__pod-security__kind-config", "AL103"));
    assert!(!has(&h, "nunoadrego__pod-security__kind-config", "AL107"));
    assert!(!has(&h, "nunoadrego__pod-security__kind-config", "AL108"));
    // eks-anywhere's KubeadmControlPlane (list-form extraArgs, File mount) is correct.
    assert!(!h
        .iter()
        .any(|(p, c)| p.contains("expected_kcp") && c.starts_with("AL1")));
    // Long comment runs are valid YAML.
    assert!(!has(&h, "gardener__gardener__example__90-shoot", "AL001"));
}

#[test]
fn malformed_corpus_is_reported_not_crashed_on() {
    let Some(dir) = corpus("malformed") else {
        return;
    };
    let h = hits(&dir);
    // A committed heredoc terminator: a real syntax error.
    assert!(has(
        &h,
        "thomasfricke__training-minikube__audit-policy",
        "AL001"
    ));
    // Go templates are recognised as such, not reported as broken YAML.
    for template in [
        "aks-engine-azurestack__parts__k8s__addons__audit-policy",
        "karmada-io__karmada__artifacts__deploy__karmada-apiserver",
        "openshift__cluster-kube-apiserver-operator",
    ] {
        assert!(has(&h, template, "AL003"), "{template}");
        assert!(!has(&h, template, "AL001"), "{template}");
    }
}

#[test]
fn whole_corpus_scans_without_unparseable_valid_files() {
    let Some(dir) = corpus("") else { return };
    let h = hits(&dir);
    // Every file outside malformed/ loads with PyYAML; none may be reported as unparseable.
    let broken: Vec<_> = h
        .iter()
        .filter(|(p, c)| (c == "AL001" || c == "AL004") && !p.starts_with("malformed/"))
        .collect();
    assert!(broken.is_empty(), "{broken:?}");
}

#[test]
fn control_planes_of_other_distributions() {
    let Some(dir) = corpus("apiserver") else {
        return;
    };
    let h = hits(&dir);
    // kops: `auditLogMaxAge: 10`, `auditLogMaxBackups: 1`; the policy written by fileAssets
    // is linked to the cluster and linted (it logs every request twice).
    let kops = "kubernetes__kops__nodeup__pkg__model__tests__golden__audit";
    assert!(has(&h, kops, "AL103") && has(&h, kops, "AL104"));
    assert!(has(&h, kops, "AL214") && !has(&h, kops, "AL112"));
    // OpenShift's default KubeAPIServerConfig has no `audit-log-maxage`.
    let openshift = "openshift__cluster-kube-apiserver-operator__bindata__assets__config";
    assert!(has(&h, openshift, "AL103"));
    assert!(
        !has(&h, openshift, "AL112"),
        "the operator writes the policy"
    );
    // kubespray's sample inventory leaves auditing off; the hardening test turns it on with
    // CIS values.
    assert!(has(
        &h,
        "kubespray__inventory__sample__group_vars__k8s_cluster",
        "AL101"
    ));
    assert!(!h
        .iter()
        .any(|(p, c)| p.contains("kubespray__tests__files") && c.starts_with("AL1")));
    // karmada's aggregated apiserver: audit events to stdout, and no policy.
    let karmada = "karmada-io__karmada__artifacts__deploy__karmada-aggregated-apiserver";
    assert!(has(&h, karmada, "AL101") && has(&h, karmada, "AL113"));
    // kwok's kube-apiserver patch loads a policy that is not in the corpus.
    let kwok = "kubewharf__kelemetry__hack__kwok-cluster";
    assert!(has(&h, kwok, "AL112") && !has(&h, kwok, "AL101"));
    // Gardener's example Shoot names no policy: Gardener's default records nothing.
    assert!(has(&h, "gardener__gardener__example__90-shoot", "AL101"));
}
