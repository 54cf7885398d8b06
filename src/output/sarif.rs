//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning consumes it.
//!
//! - Every rule of the pack is in `tool.driver.rules` (not only those that fired), so code
//!   scanning can show rule help for any alert and `ruleIndex` is stable across runs.
//! - Locations are relative to the repository root (the working directory) under the
//!   `%SRCROOT%` base id; regions are 1-based with columns in UTF-16 code units, stated
//!   explicitly in `run.columnKind` rather than left to a consumer's default.
//! - `partialFingerprints["auditlint/v1"]` is the line-independent fingerprint baselines use,
//!   so an alert survives unrelated edits that move it.
//! - Suppressed findings are results with `suppressions`, which code scanning shows as
//!   dismissed instead of dropping them silently.

use serde_json::{json, Map, Value};

use crate::catalog::{self, RuleMeta};
use crate::engine::Report;
use crate::finding::{Finding, Severity};
use crate::fingerprint::fingerprints;
use crate::yaml::Span;

use super::location::{place, Place};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/auditlint/auditlint";
/// The key of our fingerprint in `partialFingerprints`; bump the version if the fingerprint
/// algorithm changes, so code scanning does not match old alerts against new hashes.
pub const FINGERPRINT_KEY: &str = "auditlint/v1";

/// SARIF `level` of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// GitHub's `security-severity` (CVSS-like, 0.0-10.0): error is high, warning medium, note low.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Note => "2.0",
    }
}

/// SARIF suppression kind of one of our suppression kinds: comments and annotations live in
/// the scanned file; config entries and baselines live elsewhere.
pub fn suppression_kind(kind: &str) -> &'static str {
    match kind {
        "inline" | "annotation" => "inSource",
        _ => "external",
    }
}

/// Renders the report (paths as [`super::location`] places them).
pub fn render(report: &Report) -> String {
    render_with_rules(report, catalog::all())
}

/// [`render`] with `rules` as the driver's rule list instead of the whole pack. The fuzzer
/// passes only the rules that fired: the whole pack's help (about 230 KB) is the same for
/// every input, and rendering it again for each would take most of every execution.
pub fn render_with_rules(report: &Report, rules: &[RuleMeta]) -> String {
    let mut s = serde_json::to_string_pretty(&log_with_rules(report, rules)).expect("serialisable");
    s.push('\n');
    s
}

/// The SARIF log as a JSON value (tests inspect it).
pub fn log(report: &Report) -> Value {
    log_with_rules(report, catalog::all())
}

fn log_with_rules(report: &Report, rules: &[RuleMeta]) -> Value {
    let fps = fingerprints(&report.findings);
    let results: Vec<Value> = report
        .findings
        .iter()
        .zip(&fps)
        .map(|(f, fp)| result(f, fp, rules))
        .collect();
    // An incomplete scan says so, with what it could not read and what it assumed.
    let notifications: Vec<Value> = report
        .input_errors
        .iter()
        .map(|e| json!({ "level": "error", "message": { "text": e } }))
        .chain(
            report
                .notes
                .iter()
                .map(|n| json!({ "level": "note", "message": { "text": n } })),
        )
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "auditlint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules.iter().map(rule).collect::<Vec<_>>(),
                }
            },
            "invocations": [{
                "executionSuccessful": report.input_errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    })
}

fn rule(r: &RuleMeta) -> Value {
    let mut tags = vec!["security".to_owned()];
    tags.extend(
        r.tags
            .iter()
            .filter(|t| **t != "security")
            .map(|t| t.to_string()),
    );
    let help_text = format!("{}\n\n{}", unwrap_lines(r.remediation), r.docs_url());
    json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": { "text": r.summary },
        "fullDescription": { "text": unwrap_lines(r.rationale) },
        "help": { "text": help_text, "markdown": crate::docs::markdown(r) },
        "helpUri": r.docs_url(),
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": {
            "tags": tags,
            "security-severity": security_severity(r.severity),
        },
    })
}

/// A SARIF `physicalLocation`: relative paths under `%SRCROOT%` (the working directory),
/// absolute ones as `file:` URIs.
fn physical(p: &Place) -> Value {
    physical_at(&p.path, p.region)
}

fn physical_at(path: &str, [sl, sc, el, ec]: [usize; 4]) -> Value {
    let artifact = if path.starts_with('/') {
        json!({ "uri": format!("file://{}", encode_uri(path)) })
    } else {
        json!({ "uri": encode_uri(path), "uriBaseId": "%SRCROOT%" })
    };
    json!({
        "artifactLocation": artifact,
        "region": { "startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec },
    })
}

fn result(f: &Finding, fingerprint: &str, rules: &[RuleMeta]) -> Value {
    let at = place(&f.file, f.span);
    let mut text = f.message.clone();
    if let Some(help) = &f.help {
        text.push_str("\n\nhelp: ");
        text.push_str(help);
    }
    let mut result = Map::new();
    result.insert("ruleId".into(), json!(f.code()));
    if let Some(index) = rules.iter().position(|r| r.code == f.rule.code) {
        result.insert("ruleIndex".into(), json!(index));
    }
    result.insert("level".into(), json!(level(f.severity)));
    result.insert("message".into(), json!({ "text": text }));
    result.insert(
        "locations".into(),
        json!([{ "physicalLocation": physical(&at) }]),
    );
    if !f.related.is_empty() {
        let related: Vec<Value> = f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let at = place(&r.file, r.span);
                let mut related = json!({
                    "id": i + 1,
                    "physicalLocation": physical(&at),
                    "message": { "text": r.message },
                });
                if let Some(template) = crate::helm::template_at(&r.file.text, r.span.start)
                    .filter(|_| r.file.rendered_from.is_some() || f.template.is_some())
                {
                    related["properties"] = json!({ "template": template });
                }
                related
            })
            .collect();
        result.insert("relatedLocations".into(), Value::Array(related));
    }
    result.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: fingerprint }),
    );
    if let Some(s) = &f.suppressed {
        let mut suppression = json!({ "kind": suppression_kind(s.kind), "status": "accepted" });
        let justification = match &s.reason {
            Some(reason) => format!("{} ({})", reason, s.kind),
            None => format!("suppressed by {}", s.kind),
        };
        suppression["justification"] = json!(justification);
        result.insert("suppressions".into(), json!([suppression]));
    }
    if let Some(fix) = fix(f) {
        result.insert("fixes".into(), json!([fix]));
    }
    let mut properties = Map::new();
    properties.insert("name".into(), json!(f.rule.name));
    if let Some(template) = &f.template {
        properties.insert("template".into(), json!(template));
    }
    if let Some((path, region)) = &at.rendered {
        properties.insert("rendered".into(), physical_at(path, *region));
    }
    if let Some(cluster) = &f.cluster {
        properties.insert("cluster".into(), json!(cluster));
    }
    result.insert("properties".into(), Value::Object(properties));
    Value::Object(result)
}

/// The finding's fix as a SARIF `fix`: one `artifactChange` of the finding's file, each edit a
/// `replacement` of a byte range (`byteOffset`/`byteLength` of the file as read; an empty
/// range inserts). Fixes of rendered output are left out: their offsets are in text no file
/// holds.
fn fix(f: &Finding) -> Option<Value> {
    let fix = f.fix.as_ref()?;
    let target = f.fix_target();
    if target.rendered_from.is_some() {
        return None;
    }
    let at = place(target, Span::point(0));
    let description = match fix.safety {
        crate::fix::Safety::Safe => f.rule.safe_fix,
        crate::fix::Safety::Unsafe => f.rule.unsafe_fix,
    }
    .unwrap_or(f.rule.remediation);
    let replacements: Vec<Value> = fix
        .edits
        .iter()
        .map(|e| {
            json!({
                "deletedRegion": {
                    "byteOffset": e.span.start,
                    "byteLength": e.span.end - e.span.start,
                },
                "insertedContent": { "text": e.replacement },
            })
        })
        .collect();
    let location = &physical(&at)["artifactLocation"];
    Some(json!({
        "description": { "text": description.trim() },
        "artifactChanges": [{
            "artifactLocation": location,
            "replacements": replacements,
        }],
        "properties": { "safety": fix.safety.as_str() },
    }))
}

/// Joins the hard-wrapped lines of the rule pack's prose: plain-text SARIF viewers reflow
/// nothing, and a line break mid-sentence reads as a break. Blank lines, list items and
/// fenced code keep their line breaks.
fn unwrap_lines(text: &str) -> String {
    let mut out = String::new();
    let mut in_fence = false;
    let mut joinable = false;
    for line in text.trim().lines() {
        let t = line.trim();
        let fence = t.starts_with("```");
        let item = t.starts_with("- ")
            || t.starts_with("* ")
            || t.split_once(". ")
                .is_some_and(|(n, _)| n.parse::<u32>().is_ok());
        if joinable && !t.is_empty() && !fence && !item && !in_fence {
            out.push(' ');
            out.push_str(t);
        } else {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(if in_fence || fence { line } else { t });
        }
        if fence {
            in_fence = !in_fence;
        }
        joinable = !t.is_empty() && !in_fence && !fence;
    }
    out
}

/// Percent-encodes a relative path into a URI reference: unreserved characters and `/` stay,
/// every other byte (spaces, `%`, `#`, `?`, non-ASCII) becomes `%XX`.
pub fn encode_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Code;
    use crate::finding::Suppression;
    use crate::source::SourceFile;
    use crate::yaml::Span;

    fn report(findings: Vec<Finding>) -> Report {
        Report {
            findings,
            files: 1,
            documents: 1,
            ..Report::default()
        }
    }

    #[test]
    fn prose_is_unwrapped_into_paragraphs() {
        assert_eq!(unwrap_lines("a b\nc\n\nd\n  e\n"), "a b c\n\nd e");
        assert_eq!(
            unwrap_lines("Do:\n- one\n  more\n- two\n```yaml\na: 1\n  b: 2\n```\nend\nhere"),
            "Do:\n- one more\n- two\n```yaml\na: 1\n  b: 2\n```\nend here"
        );
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(encode_uri("deploy/a b#1%.yaml"), "deploy/a%20b%231%25.yaml");
        assert_eq!(encode_uri("é.yaml"), "%C3%A9.yaml");
        assert_eq!(encode_uri("-"), "-");
    }

    #[test]
    fn a_result_has_its_rule_region_fingerprint_and_suppression() {
        let file = SourceFile::new("a.yaml", "x: 1\nbad: 😀 here\n");
        let start = file.text.find("here").unwrap();
        let mut f = Finding::new(Code::AL103, &file, Span::new(start, start + 4))
            .message("too short")
            .help("set it to 30")
            .template(Some("chart/templates/x.yaml"))
            .related(&file, Span::point(0), "see here");
        f.suppressed = Some(Suppression {
            kind: "inline",
            reason: Some("accepted risk".into()),
        });
        let log = log(&report(vec![f]));
        let run = &log["runs"][0];
        let r = &run["results"][0];
        assert_eq!(r["ruleId"], "AL103");
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][index]["id"], "AL103");
        assert_eq!(r["level"], "warning");
        assert_eq!(r["message"]["text"], "too short\n\nhelp: set it to 30");
        let region = &r["locations"][0]["physicalLocation"]["region"];
        // `😀` counts two UTF-16 units: `bad: ` 5 + 2 + space = column 9.
        assert_eq!(region["startLine"], 2);
        assert_eq!(region["startColumn"], 9);
        assert_eq!(region["endColumn"], 13);
        assert_eq!(run["columnKind"], "utf16CodeUnits");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "%SRCROOT%"
        );
        assert_eq!(r["relatedLocations"][0]["message"]["text"], "see here");
        assert_eq!(
            r["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
            1
        );
        assert!(r["partialFingerprints"][FINGERPRINT_KEY]
            .as_str()
            .is_some_and(|s| s.contains(':')));
        assert_eq!(r["suppressions"][0]["kind"], "inSource");
        assert_eq!(
            r["suppressions"][0]["justification"],
            "accepted risk (inline)"
        );
        assert_eq!(r["properties"]["template"], "chart/templates/x.yaml");
    }

    #[test]
    fn every_rule_is_described_with_security_severity() {
        let log = log(&report(Vec::new()));
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(rules.len(), catalog::all().len());
        for (r, meta) in rules.iter().zip(catalog::all()) {
            assert_eq!(r["id"], meta.code.as_str());
            assert_eq!(r["defaultConfiguration"]["level"], level(meta.severity));
            assert_eq!(
                r["properties"]["security-severity"],
                security_severity(meta.severity)
            );
            assert_eq!(r["properties"]["tags"][0], "security");
            assert!(r["helpUri"].as_str().unwrap().ends_with(".md"));
            assert!(r["help"]["markdown"]
                .as_str()
                .unwrap()
                .starts_with(&format!("# {}", meta.code)));
        }
        assert_eq!(log["runs"][0]["results"], json!([]));
    }

    #[test]
    fn external_suppressions_without_reason() {
        assert_eq!(suppression_kind("baseline"), "external");
        assert_eq!(suppression_kind("config"), "external");
        assert_eq!(suppression_kind("annotation"), "inSource");
        let file = SourceFile::new("a.yaml", "a: 1\n");
        let mut f = Finding::new(Code::AL001, &file, Span::point(0));
        f.suppressed = Some(Suppression {
            kind: "baseline",
            reason: None,
        });
        let log = log(&report(vec![f]));
        let s = &log["runs"][0]["results"][0]["suppressions"][0];
        assert_eq!(s["kind"], "external");
        assert_eq!(s["justification"], "suppressed by baseline");
    }
}
