//! Audit policy validation (AL201–AL204) over the real policies in
//! `../shared/corpus/audit-policies`. Skipped (with a notice) when the corpus is absent.

use std::path::Path;

mod common;

use auditlint::config::Config;
use auditlint::engine;

const CODES: &[&str] = &["AL201", "AL202", "AL203", "AL204"];

#[test]
fn audit_policy_corpus_validation() {
    let Some(dir) = common::corpus("audit-policies") else {
        return;
    };
    let report = engine::scan_paths(&[dir], &Config::new()).expect("the corpus scans");
    let mut hits: Vec<(String, &str, usize, String)> = report
        .findings
        .iter()
        .filter(|f| CODES.contains(&f.code()))
        .map(|f| {
            let name = Path::new(&f.file.path)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let line = f.file.position(f.span.start).line;
            (name, f.code(), line, f.message.clone())
        })
        .collect();
    hits.sort();
    let listing: Vec<String> = hits
        .iter()
        .map(|(n, c, l, m)| format!("{n}:{l} {c} {m}"))
        .collect();
    let listing = listing.join("\n");

    // The two policies still on the removed v1beta1 API, reported at their apiVersion line.
    let v1beta1 = [
        "aws__eks-anywhere__pkg__providers__common__config__audit-policy.yaml",
        "Azure__aks-engine-azurestack__parts__k8s__addons__kubernetesmaster-audit-policy.yaml",
    ];
    for file in v1beta1 {
        assert!(
            hits.iter()
                .any(|(n, c, l, m)| n == file && *c == "AL201" && *l == 1 && m.contains("v1beta1")),
            "{file} should get AL201:\n{listing}"
        );
    }
    // `groups: ""` in a resources entry (meant: `group`).
    let typo = "cloudnativetrainings__trainings__kubernetes_security__13_auditing__my-policy.yaml";
    assert!(
        hits.iter().any(|(n, c, l, m)| n == typo
            && *c == "AL204"
            && *l == 8
            && m.contains("did you mean `group`?")),
        "{typo} should get AL204:\n{listing}"
    );
    // A real mistake in three OpenShift profiles: `resource:` (singular) in the entry for
    // `machineconfiguration.openshift.io`. The apiserver drops it, so that entry covers every
    // resource of the group.
    let openshift = [
        "openshift__library-go__pkg__operator__apiserver__audit__testdata__allrequestbodies.yaml",
        "openshift__library-go__pkg__operator__apiserver__audit__testdata__oauth.yaml",
        "openshift__library-go__pkg__operator__apiserver__audit__testdata__writerequestbodies.yaml",
    ];
    for file in openshift {
        assert!(
            hits.iter().any(|(n, c, l, m)| n == file
                && *c == "AL204"
                && *l == 38
                && m.contains("unknown field `resource`")
                && m.contains("every resource and subresource of its group")),
            "{file} should get AL204:\n{listing}"
        );
    }
    // Nothing else: every other policy in the directory is a valid v1 policy.
    let unexpected: Vec<&(String, &str, usize, String)> = hits
        .iter()
        .filter(|(n, c, _, _)| {
            let expected = v1beta1.contains(&n.as_str()) && *c == "AL201"
                || (n == typo || openshift.contains(&n.as_str())) && *c == "AL204";
            !expected
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected AL201-AL204 findings:\n{unexpected:#?}"
    );
}
