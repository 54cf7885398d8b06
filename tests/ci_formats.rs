//! The formats other CI systems read (GitLab Code Quality, JUnit XML, checkstyle XML),
//! validated against their schemas and read back by a consumer's parser. The XML checks use
//! Python's `xmlschema` and `junitparser` (`.ci/run` installs them): missing, they skip with
//! a reason, or fail under `CI=true`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
}

/// A scan with findings of every severity, an XML-hostile message (`<`, `&`, quotes) and a
/// path with a space, plus its JSON report.
fn scanned(format: &str) -> (tempfile::TempDir, String, Value) {
    let dir = common::tree(&[
        (
            "control plane/apiserver.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    command:\n    - kube-apiserver\n    - --audit-log-path=/var/log/kubernetes/audit/audit.log\n    - --audit-policy-file=/etc/kubernetes/audit-policy.yaml\n",
        ),
        (
            "control plane/audit-policy.yaml",
            "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n",
        ),
        ("x&<\"y\".yaml", "a: 1\na: 2\n"),
    ]);
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_auditlint"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run(&["check", "--format", format, "."]);
    let json = serde_json::from_str(&run(&["check", "--format", "json", "."])).unwrap();
    (dir, text, json)
}

#[test]
fn gitlab_code_quality_matches_its_schema() {
    let (_dir, text, report) = scanned("gitlab");
    let issues: Value = serde_json::from_str(&text).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("gitlab-codequality.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&issues)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{text}");
    let issues = issues.as_array().unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(issues.len(), findings.len());
    let mut fingerprints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), issues.len(), "fingerprints are unique");
    for (issue, finding) in issues.iter().zip(findings) {
        assert_eq!(issue["check_name"], finding["code"]);
        assert_eq!(issue["location"]["path"], finding["path"]);
        assert_eq!(issue["location"]["lines"]["begin"], finding["line"]);
        let expected = match finding["severity"].as_str().unwrap() {
            "error" => "critical",
            "warning" => "major",
            _ => "info",
        };
        assert_eq!(issue["severity"], expected);
    }
}

/// Runs a Python check; `None` when Python or its modules are missing (a failure under CI).
fn python(script: &str, args: &[&Path]) -> Option<String> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output();
    let missing = |why: String| {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must install the XML validators (pip install xmlschema junitparser): {why}"
        );
        eprintln!("skipped: {why}");
        None
    };
    let out = match out {
        Ok(out) => out,
        Err(e) => return missing(format!("python3: {e}")),
    };
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if stderr.contains("ModuleNotFoundError") {
        return missing(stderr);
    }
    assert!(out.status.success(), "{stderr}");
    Some(String::from_utf8(out.stdout).unwrap())
}

const VALIDATE: &str = r#"
import sys, xmlschema
xmlschema.XMLSchema(sys.argv[1]).validate(sys.argv[2])
print("valid")
"#;

#[test]
fn junit_xml_matches_its_schema_and_reads_back_in_junitparser() {
    let (dir, text, report) = scanned("junit");
    let file = dir.path().join("report.xml");
    std::fs::write(&file, &text).unwrap();
    let Some(valid) = python(VALIDATE, &[&fixture("junit.xsd"), &file]) else {
        return;
    };
    assert_eq!(valid.trim(), "valid");
    let read = r#"
import sys, json
from junitparser import JUnitXml, Failure
xml = JUnitXml.fromfile(sys.argv[1])
cases = []
for suite in xml:
    for case in suite:
        failures = [r for r in case.result if isinstance(r, Failure)]
        cases.append({"suite": suite.name, "name": case.name, "failures": [f.message for f in failures]})
print(json.dumps({"tests": xml.tests, "failures": xml.failures, "cases": cases}))
"#;
    let Some(parsed) = python(read, &[&file]) else {
        return;
    };
    let parsed: Value = serde_json::from_str(&parsed).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(
        parsed["failures"].as_u64().unwrap() as usize,
        findings.len()
    );
    let cases = parsed["cases"].as_array().unwrap();
    assert_eq!(cases.len(), findings.len());
    for (case, finding) in cases.iter().zip(findings) {
        assert_eq!(case["suite"], finding["path"]);
        assert!(case["name"]
            .as_str()
            .unwrap()
            .starts_with(finding["code"].as_str().unwrap()));
        assert_eq!(case["failures"][0], finding["message"]);
    }
}

#[test]
fn a_clean_scan_is_one_passing_junit_test() {
    let dir = common::tree(&[(
        "ok.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    )]);
    let out = Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args(["check", "--format", "junit", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let file = dir.path().join("report.xml");
    std::fs::write(&file, &out.stdout).unwrap();
    if let Some(valid) = python(VALIDATE, &[&fixture("junit.xsd"), &file]) {
        assert_eq!(valid.trim(), "valid");
    }
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("tests=\"1\" failures=\"0\""), "{text}");
}

#[test]
fn checkstyle_xml_matches_its_schema_and_reads_back() {
    let (dir, text, report) = scanned("checkstyle");
    let file = dir.path().join("checkstyle.xml");
    std::fs::write(&file, &text).unwrap();
    let Some(valid) = python(VALIDATE, &[&fixture("checkstyle.xsd"), &file]) else {
        return;
    };
    assert_eq!(valid.trim(), "valid");
    // Read back with a plain XML parser, as the consumers do.
    let read = r#"
import sys, json
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
print(json.dumps([{"path": f.get("name"), "line": int(e.get("line")), "source": e.get("source"), "message": e.get("message")} for f in root for e in f]))
"#;
    let Some(parsed) = python(read, &[&file]) else {
        return;
    };
    let errors: Value = serde_json::from_str(&parsed).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(errors.as_array().unwrap().len(), findings.len());
    for (error, finding) in errors.as_array().unwrap().iter().zip(findings) {
        assert_eq!(error["path"], finding["path"]);
        assert_eq!(error["line"], finding["line"]);
        let source = error["source"].as_str().unwrap();
        assert!(source.starts_with(&format!("auditlint.{}.", finding["code"].as_str().unwrap())));
        assert!(error["message"]
            .as_str()
            .unwrap()
            .starts_with(finding["message"].as_str().unwrap()));
    }
}
