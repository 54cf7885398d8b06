//! `--format sarif` against the SARIF 2.1.0 schema and against `--format json`: every finding
//! is a result, at the same place. The structural checks always run; schema validation and
//! the corpus run when `../shared` is beside the project.

mod common;
use common::shared;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use auditlint::config::Config;
use auditlint::engine::{self, Report};
use auditlint::output::{json, sarif};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

fn scan(dir: &Path) -> (Report, Value) {
    let report = engine::scan_paths(&[dir.to_path_buf()], &Config::new()).expect("scans");
    let log = sarif::log(&report);
    (report, log)
}

fn decode(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// (code, path, line, suppressed) → count, from both outputs; they must be equal.
type Census = BTreeMap<(String, String, u64, bool), usize>;

fn census_json(report: &Report) -> Census {
    let out: Value = serde_json::from_str(&json::render(report)).unwrap();
    let mut c = Census::new();
    for (key, suppressed) in [("findings", false), ("suppressed", true)] {
        for f in out[key].as_array().unwrap() {
            let k = (
                f["code"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().replace('\\', "/"),
                f["line"].as_u64().unwrap(),
                suppressed,
            );
            *c.entry(k).or_default() += 1;
        }
    }
    c
}

fn census_sarif(log: &Value) -> Census {
    let mut c = Census::new();
    for r in log["runs"][0]["results"].as_array().unwrap() {
        let loc = &r["locations"][0]["physicalLocation"];
        let k = (
            r["ruleId"].as_str().unwrap().to_owned(),
            decode(
                loc["artifactLocation"]["uri"]
                    .as_str()
                    .map(|u| u.strip_prefix("file://").unwrap_or(u))
                    .unwrap(),
            ),
            loc["region"]["startLine"].as_u64().unwrap(),
            r.get("suppressions").is_some(),
        );
        *c.entry(k).or_default() += 1;
    }
    c
}

/// What GitHub code scanning needs of every result, checked without the schema.
fn assert_structure(log: &Value) {
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "auditlint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    let rules = driver["rules"].as_array().unwrap();
    for rule in rules {
        for key in [
            "id",
            "name",
            "shortDescription",
            "fullDescription",
            "help",
            "helpUri",
        ] {
            assert!(rule.get(key).is_some(), "rule lacks {key}: {rule}");
        }
        assert!(rule["properties"]["security-severity"].is_string());
    }
    let mut fingerprints = std::collections::HashSet::new();
    for r in run["results"].as_array().unwrap() {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"], r["ruleId"],
            "ruleIndex points at the rule"
        );
        assert!(matches!(
            r["level"].as_str(),
            Some("error" | "warning" | "note")
        ));
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        // Files under the working directory are relative to it (`%SRCROOT%`); others are
        // absolute `file:` URIs.
        if uri.starts_with("file:///") {
            assert!(loc["artifactLocation"].get("uriBaseId").is_none(), "{uri}");
        } else {
            assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            assert!(
                !uri.starts_with('/') && !uri.contains('\\'),
                "relative URI: {uri}"
            );
        }
        let region = &loc["region"];
        let (sl, sc) = (
            region["startLine"].as_u64().unwrap(),
            region["startColumn"].as_u64().unwrap(),
        );
        let (el, ec) = (
            region["endLine"].as_u64().unwrap(),
            region["endColumn"].as_u64().unwrap(),
        );
        assert!(
            sl >= 1 && sc >= 1 && (el, ec) >= (sl, sc),
            "region {region}"
        );
        let fp = r["partialFingerprints"][sarif::FINGERPRINT_KEY]
            .as_str()
            .unwrap();
        assert!(
            fingerprints.insert(fp.to_owned()),
            "fingerprints are unique: {fp}"
        );
    }
}

fn validator() -> Option<jsonschema::Validator> {
    let path = shared("schemas/sarif-2.1.0.json")?;
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    Some(jsonschema::validator_for(&schema).expect("the SARIF schema compiles"))
}

fn assert_valid(validator: &jsonschema::Validator, log: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF does not validate: {errors:#?}");
}

#[test]
fn fixtures_sarif_matches_json_and_is_well_formed() {
    let (report, log) = scan(&fixtures());
    assert!(report.findings.len() > 20, "the fixtures have findings");
    assert_structure(&log);
    assert_eq!(census_sarif(&log), census_json(&report));
    if let Some(v) = validator() {
        assert_valid(&v, &log);
    }
}

#[test]
fn a_schema_violation_is_caught() {
    // The validator must be able to fail, or the corpus test proves nothing.
    let Some(v) = validator() else { return };
    let (_, mut log) = scan(&fixtures());
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!v.is_valid(&log));
}

#[test]
fn corpus_sarif_validates_and_has_every_json_finding() {
    let Some(corpus) = shared("corpus") else {
        return;
    };
    let Some(v) = validator() else { return };
    let (report, log) = scan(&corpus);
    assert!(report.findings.len() > 10, "the corpus has findings");
    assert_structure(&log);
    assert_valid(&v, &log);
    assert_eq!(census_sarif(&log), census_json(&report));
}
