//! Real-world seccomp profiles and workloads from `../shared/corpus`. Skipped (with a
//! notice) when the corpus is not beside the project.

mod common;
use common::corpus;

use std::path::PathBuf;

use auditlint::config::Config;
use auditlint::engine;
use auditlint::finding::Severity;
use auditlint::model::seccomp::syscalls;

/// (path, code, severity) of every finding in a scan.
fn scan(paths: &[PathBuf]) -> Vec<(String, String, Severity)> {
    let report = engine::scan_paths(paths, &Config::new()).expect("the corpus scans");
    report
        .findings
        .iter()
        .map(|f| (f.file.path.clone(), f.code().to_owned(), f.severity))
        .collect()
}

fn count(hits: &[(String, String, Severity)], file: &str, code: &str) -> usize {
    hits.iter()
        .filter(|(p, c, _)| p.contains(file) && c == code)
        .count()
}

#[test]
fn default_profiles_use_only_known_syscalls() {
    let Some(dir) = corpus("seccomp") else {
        return;
    };
    for file in [
        "moby__profiles__seccomp__default.json",
        "containers__common__pkg__seccomp__seccomp.json",
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let profile: serde_json::Value = serde_json::from_str(&text).unwrap();
        let rules = profile["syscalls"].as_array().expect("syscalls");
        let mut names = 0;
        for rule in rules {
            for name in rule["names"].as_array().expect("names") {
                let name = name.as_str().unwrap();
                assert!(
                    syscalls::is_known(name),
                    "{file}: `{name}` is not in rules/syscalls.txt"
                );
                names += 1;
            }
        }
        assert!(names > 300, "{file}: only {names} names");
    }
}

#[test]
fn seccomp_corpus_findings() {
    let Some(dir) = corpus("seccomp") else {
        return;
    };
    let h = scan(&[dir]);
    // The runtimes' own default profiles are valid and enforce: nothing to say.
    for file in [
        "moby__profiles__seccomp__default.json",
        "containers__common__pkg__seccomp__seccomp.json",
    ] {
        let theirs: Vec<_> = h.iter().filter(|(p, _, _)| p.contains(file)).collect();
        assert!(theirs.is_empty(), "{file}: {theirs:?}");
    }
    // Nothing in the corpus is rejected by runc, and every name is a real syscall.
    for (path, code, severity) in &h {
        assert!(*severity != Severity::Error, "{path}: {code}");
        assert!(code != "AL305", "{path}: unknown syscall");
    }
    // docker/labs' allow-all profile and the operator's "unsafe" examples.
    assert_eq!(count(&h, "seccomp-profiles__allow.json", "AL303"), 1);
    assert_eq!(count(&h, "examples__seccompprofile.yaml", "AL303"), 1);
    assert_eq!(count(&h, "examples__seccompprofile.yaml", "AL304"), 2);
    // Docker's old `name` format: one finding per profile, not one per rule.
    assert_eq!(count(&h, "seccomp-profiles__default.json", "AL306"), 1);
    assert_eq!(count(&h, "default-old-format.json", "AL306"), 1);
    assert_eq!(
        count(&h, "moby__profiles__seccomp__default.json", "AL306"),
        0
    );
    // The operator's validation example denies acct/add_key with the default action.
    assert_eq!(
        count(&h, "seccompprofile-allowed-syscalls-validation", "AL307"),
        1
    );
    // containers/common returns EPERM from rules under an ENOSYS default: not redundant.
    assert_eq!(
        count(
            &h,
            "containers__common__pkg__seccomp__seccomp.json",
            "AL307"
        ),
        0
    );
}

#[test]
fn workload_corpus_findings() {
    let (Some(bulk), Some(helm)) = (corpus("bulk"), corpus("helm-rendered")) else {
        return;
    };
    // Only the files that mention seccomp at all, to keep the test fast.
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&bulk)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("seccomp")))
        .collect();
    paths.sort();
    assert!(
        paths.len() > 20,
        "only {} files mention seccomp",
        paths.len()
    );
    paths.push(helm);
    let h = scan(&paths);
    // AL315 (no profile at all) is a note on most workloads; the others are about what a
    // profile says.
    assert!(count(&h, "", "AL315") > 100);
    let al31: Vec<_> = h
        .iter()
        .filter(|(_, c, _)| c.starts_with("AL31") && c != "AL315")
        .collect();
    // Explicit Unconfined only appears in kyverno's pod-security test resources.
    assert!(count(&h, "kyverno__policies__pod-security", "AL310") > 100);
    for (path, code, _) in &al31 {
        assert!(
            code == "AL310" && path.contains("kyverno__policies__pod-security"),
            "{path}: {code}"
        );
    }
    // CRDs describe `localhostProfile` in their schemas; they are not workloads.
    assert_eq!(count(&h, "CustomResourceDefinition", "AL311"), 0);
}

#[test]
fn apiserver_dumps_with_legacy_annotations() {
    let Some(dir) = corpus("apiserver") else {
        return;
    };
    let h = scan(&[dir]);
    // A live kube-apiserver Pod from a 2022 cluster still carries the annotation the
    // apiserver used to copy from the field: the field decides, the annotation is ignored
    // (AL314), and the pod is not said to run unconfined (AL313).
    let dump = "ensure-that-the-api-server-audit-log-path-argument-is-set__test__passed";
    assert_eq!(count(&h, dump, "AL314"), 1);
    assert_eq!(count(&h, dump, "AL313"), 0);
}
