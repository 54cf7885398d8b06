//! Real audit policies from `../shared/corpus/audit-policies`: the problems its README lists
//! are found, and the correct patterns (OpenShift AllRequestBodies, GCE-style) are not
//! flagged. Only the rules of this family are asserted. Skipped when the corpus is absent.

mod common;
use common::corpus;

use std::path::Path;

use auditlint::config::Config;
use auditlint::engine;

struct Hit {
    path: String,
    code: String,
    line: usize,
    message: String,
}

fn scan(dir: &Path) -> Vec<Hit> {
    let report = engine::scan_paths(&[dir.to_path_buf()], &Config::new()).expect("scans");
    report
        .findings
        .iter()
        .map(|f| Hit {
            path: f.file.path.clone(),
            code: f.code().to_owned(),
            line: f.file.position(f.span.start).line,
            message: f.message.clone(),
        })
        .collect()
}

fn of<'a>(hits: &'a [Hit], file: &str, code: &str) -> Vec<&'a Hit> {
    hits.iter()
        .filter(|h| h.path.contains(file) && h.code == code)
        .collect()
}

const CONTENT_RULES: [&str; 5] = ["AL205", "AL206", "AL207", "AL208", "AL209"];

#[test]
fn audit_policy_corpus() {
    let Some(dir) = corpus("audit-policies") else {
        return;
    };
    let h = scan(&dir);

    // kelemetry: a lone catch-all RequestResponse logs Secret and token bodies, twice.
    let kelemetry = of(&h, "kubewharf__kelemetry", "AL208");
    assert_eq!(kelemetry.len(), 1);
    assert!(
        kelemetry[0].message.contains("secrets"),
        "{}",
        kelemetry[0].message
    );
    assert_eq!(of(&h, "kubewharf__kelemetry", "AL214").len(), 1);

    // OpenShift `None` and `oauth` profiles end in a catch-all None: as the last rule it hides
    // nothing (not AL205); what must be logged reaches it and is not (AL207).
    for file in ["testdata__none.yaml", "testdata__oauth.yaml"] {
        assert!(of(&h, file, "AL205").is_empty());
        assert_eq!(of(&h, file, "AL207").len(), 1);
        assert!(of(&h, file, "AL207")[0]
            .message
            .contains("reach only the last rule, a catch-all `- level: None`"));
    }
    // `tokenrequests` is not a resource (a TokenRequest is `serviceaccounts/token`).
    assert!(of(&h, "testdata__oauth.yaml", "AL210")
        .iter()
        .any(|f| f.message.contains("`tokenrequests` never matches")));

    // aks-engine (v1 and the v1beta1 azurestack copy): Secret request bodies at Request.
    for file in ["Azure__aks-engine__", "Azure__aks-engine-azurestack__"] {
        let leaks = of(&h, file, "AL208");
        assert!(
            leaks
                .iter()
                .any(|l| l.message.contains("`create secrets`")
                    && l.message.contains("at Request by")),
            "{file}: {:?}",
            leaks.iter().map(|l| &l.message).collect::<Vec<_>>()
        );
    }

    // EKS Anywhere logs only the named aws-auth ConfigMap in full: not a leak.
    assert!(of(&h, "aws__eks-anywhere", "AL208").is_empty());

    // No catch-all: most traffic is never audited.
    for file in [
        "nunoadrego__pod-security",
        "EnterpriseDB__cloudnative-pg",
        "kcp-dev__kcp__test__e2e__audit__policy",
        "neondatabase__autoscaling",
        "cloudnativetrainings__trainings",
        "yokaze__kind-manifests",
    ] {
        assert_eq!(of(&h, file, "AL207").len(), 1, "{file}");
    }

    // yokaze: the first rule drops every read, cluster-wide.
    let yokaze = of(&h, "yokaze__kind-manifests", "AL206");
    assert_eq!(yokaze.len(), 1);
    assert!(
        yokaze[0].message.starts_with("rule 1 "),
        "{}",
        yokaze[0].message
    );

    // kube-scheduling-perf omits ResponseStarted: failed authentications vanish.
    assert_eq!(of(&h, "wzshiming__kube-scheduling-perf", "AL212").len(), 1);

    // kcp's test server returns issued tokens in full (RequestResponse on every create).
    assert!(of(&h, "kcp-dev__kcp__cmd__test-server", "AL208")
        .iter()
        .any(|l| l.message.contains("serviceaccounts/token")));

    // The three Policies of one OpenShift ConfigMap are each analysed, at their own lines.
    let mut cm_lines: Vec<usize> = h
        .iter()
        .filter(|x| x.path.contains("audit-policies-cm-scenario-1") && x.code.starts_with("AL2"))
        .map(|x| x.line)
        .collect();
    cm_lines.sort_unstable();
    cm_lines.dedup();
    assert!(cm_lines.len() >= 2, "{cm_lines:?}");

    // The correct pattern: AllRequestBodies carves Secrets and tokens out before its
    // RequestResponse catch-all. It does log ConfigMap bodies: AL215, a warning, not AL208.
    for code in CONTENT_RULES {
        let found = of(&h, "testdata__allrequestbodies", code);
        assert!(
            found.is_empty(),
            "{code}: {:?}",
            found.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
    }
    assert!(!of(&h, "testdata__allrequestbodies", "AL215").is_empty());
    // GCE-style copies: no broad None, no missing catch-all, nothing shadowed. The
    // grafana copy predates the GCE policy's TokenReview carve-out, and logs TokenReview
    // bodies through its known-APIs rule: that one finding is real.
    for file in [
        "canonical__grafana-k8s-operator",
        "scaleway__kubernetes-gists",
    ] {
        for code in CONTENT_RULES {
            let found = of(&h, file, code);
            let allowed =
                code == "AL208" && found.iter().all(|f| f.message.contains("tokenreviews"));
            assert!(
                found.is_empty() || allowed,
                "{file} {code}: {:?}",
                found.iter().map(|f| &f.message).collect::<Vec<_>>()
            );
        }
    }

    // Every probe-based finding names its witness request and the deciding rule.
    for x in h
        .iter()
        .filter(|x| ["AL206", "AL208"].contains(&x.code.as_str()))
    {
        assert!(
            x.message.contains(" by `") && x.message.contains("rule "),
            "{}",
            x.message
        );
    }
}

#[test]
fn policies_inside_cluster_api_objects_are_linked() {
    let Some(dir) = corpus("apiserver") else {
        return;
    };
    let h = scan(&dir);
    // The eks-anywhere KubeadmControlPlane writes its own policy file: it resolves.
    assert!(of(
        &h,
        "aws__eks-anywhere__pkg__providers__cloudstack__testdata__expected_kcp",
        "AL112"
    )
    .is_empty());
    // kind clusters that mount a policy from the host, with no such file scanned.
    assert_eq!(
        of(&h, "nunoadrego__pod-security__kind-config", "AL112").len(),
        1
    );
}
