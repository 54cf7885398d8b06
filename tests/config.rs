//! `.auditlint.yaml`: loading every setting, errors with spans, the published JSON Schema
//! kept in sync with the loader, discovery from the scanned directory, and `auditlint init`.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use auditlint::config::load::{parse, CLUSTER_KEYS, PROBE_KEYS, THRESHOLD_KEYS, TOP_KEYS};
use auditlint::config::starter::STARTER;
use auditlint::config::Config;
use auditlint::finding::Severity;
use auditlint::source::SourceFile;

fn load_text(text: &str) -> Result<Config, Vec<(String, String)>> {
    let file = SourceFile::new(".auditlint.yaml", text.to_owned());
    parse(&file).map_err(|e| {
        e.errors
            .iter()
            .map(|err| (err.message.clone(), file.slice(err.span).to_owned()))
            .collect()
    })
}

#[test]
fn every_setting_is_loaded() {
    let config = load_text(
        r#"
select: [AL103, audit-log-maxbackup, al105]
ignore: [AL116]
severity:
  AL103: error
  audit-log-maxsize: note
thresholds: {maxage: 7, maxbackup: 3, maxsize: 0}
log-agents: [registry.example.com/shipper, vector]
extra-probes:
  - kind: sensitive
    group: vault.example.com
    resource: vaultsecrets
    verbs: [get, create]
    body_verbs: [create]
  - {kind: must-log, group: "", resource: pods, subresource: exec, namespaces: [prod], cluster: false, verbs: [create]}
  - {kind: sensitive, resource: tokens, cluster: true, verbs: [get]}
policy-paths:
  /etc/kubernetes/audit-policy.yaml: cluster/audit-policy.yaml
profile-paths:
  profiles/audit.json: node/seccomp/audit.json
exclude: ["charts/*/tests/", "*.tmpl.yaml"]
per-path-ignores:
  "legacy/**": [AL103, audit-log-maxsize]
kubernetes-version: "v1.30.2"
"#,
    )
    .unwrap();
    assert_eq!(
        config.select,
        Some(vec!["AL103".into(), "AL104".into(), "AL105".into()])
    );
    assert_eq!(config.ignore, vec!["AL116".to_owned()]);
    assert_eq!(config.severity.get("AL103"), Some(&Severity::Error));
    assert_eq!(config.severity.get("AL105"), Some(&Severity::Note));
    assert_eq!(
        (
            config.thresholds.maxage,
            config.thresholds.maxbackup,
            config.thresholds.maxsize
        ),
        (7, 3, 0)
    );
    assert_eq!(
        config.log_agents,
        ["registry.example.com/shipper", "vector"]
    );
    let p = &config.extra_probes;
    assert_eq!(p.len(), 3);
    assert_eq!(
        (
            p[0].group.as_str(),
            p[0].resource.as_str(),
            p[0].subresource.as_str()
        ),
        ("vault.example.com", "vaultsecrets", "")
    );
    assert_eq!(p[0].verbs, ["get", "create"]);
    assert_eq!(p[0].body_verbs, Some(vec!["create".to_owned()]));
    assert_eq!(
        (
            p[1].group.as_str(),
            p[1].resource.as_str(),
            p[1].subresource.as_str()
        ),
        ("", "pods", "exec")
    );
    assert_eq!(p[1].namespaces, ["prod"]);
    assert_eq!(p[1].body_verbs, None, "must-log");
    assert!(!p[1].cluster && p[2].cluster);
    assert_eq!(
        p[2].body_verbs,
        Some(Vec::new()),
        "sensitive, no body verbs"
    );
    assert_eq!(
        config
            .policy_paths
            .get("/etc/kubernetes/audit-policy.yaml")
            .map(String::as_str),
        Some("cluster/audit-policy.yaml")
    );
    assert_eq!(
        config
            .profile_paths
            .get("profiles/audit.json")
            .map(String::as_str),
        Some("node/seccomp/audit.json")
    );
    assert_eq!(config.exclude, ["charts/*/tests/", "*.tmpl.yaml"]);
    assert_eq!(
        config.path_ignores,
        vec![(
            "legacy/**".to_owned(),
            vec!["AL103".to_owned(), "AL105".to_owned()]
        )]
    );
    assert_eq!(config.kubernetes_version, Some((1, 30)));
}

#[test]
fn empty_file_and_empty_document_are_the_defaults() {
    for text in ["", "# only comments\n", "---\n"] {
        let config = load_text(text).unwrap();
        assert_eq!(config.select, None);
        assert_eq!(config.thresholds, Default::default());
        assert_eq!(config.max_file_size, Config::new().max_file_size);
    }
}

#[test]
fn errors_point_at_the_offending_node() {
    // (config text, part of the message, the exact text under the error's span)
    let table: &[(&str, &str, &str)] = &[
        (
            "selct: [AL103]\n",
            "unknown top-level setting `selct`",
            "selct",
        ),
        ("select: [AL103, AL999]\n", "no rule named `AL999`", "AL999"),
        ("select: AL103\n", "expected a list of rules", "AL103"),
        (
            "ignore: [audit-log-maxag]\n",
            "no rule named `audit-log-maxag`",
            "audit-log-maxag",
        ),
        (
            "severity: {AL103: fatal}\n",
            "`error`, `warning` or `note`",
            "fatal",
        ),
        ("severity: {nope: error}\n", "no rule named `nope`", "nope"),
        (
            "thresholds: {maxage: -1}\n",
            "`maxage` must be a whole number",
            "-1",
        ),
        (
            "thresholds: {maxage: ten}\n",
            "`maxage` must be a whole number",
            "ten",
        ),
        (
            "thresholds: {max_age: 3}\n",
            "unknown threshold `max_age`",
            "max_age",
        ),
        ("thresholds: [1]\n", "`thresholds` must be a mapping", "[1]"),
        ("log-agents: fluentd\n", "expected a list", "fluentd"),
        ("log-agents: ['']\n", "expected a non-empty string", "''"),
        (
            "extra-probes:\n  - {verbs: [get]}\n",
            "this probe has no `kind`, `resource`",
            "{verbs: [get]}",
        ),
        (
            "extra-probes:\n  - {kind: secret, resource: a, verbs: [get]}\n",
            "`sensitive` or `must-log`",
            "secret",
        ),
        (
            "extra-probes:\n  - {kind: sensitive, resource: a, verbs: [get], apiGroup: x}\n",
            "unknown probe field `apiGroup`",
            "apiGroup",
        ),
        (
            "extra-probes:\n  - {kind: must-log, resource: a, verbs: [get], body_verbs: [get]}\n",
            "only to `kind: sensitive`",
            "body_verbs",
        ),
        (
            "extra-probes:\n  - {kind: must-log, resource: a, verbs: get}\n",
            "expected a list",
            "get",
        ),
        (
            "extra-probes:\n  - {kind: must-log, resource: a, verbs: [get], cluster: maybe}\n",
            "`true` or `false`",
            "maybe",
        ),
        (
            "extra-probes:\n  - {kind: must-log, resource: a, verbs: [get], group: [x]}\n",
            "`group` must be a string",
            "[x]",
        ),
        (
            "policy-paths: {etc/policy.yaml: p.yaml}\n",
            "not an absolute host path",
            "etc/policy.yaml",
        ),
        (
            "profile-paths: {/var/lib/kubelet/seccomp/a.json: a.json}\n",
            "is an absolute path",
            "/var/lib/kubelet/seccomp/a.json",
        ),
        (
            // `AL0` is a prefix (the AL0xx rules); no rule code starts with `AL9`.
            "per-path-ignores: {\"legacy/**\": [AL9]}\n",
            "no rule named `AL9`",
            "AL9",
        ),
        (
            "kubernetes-version: \"2.1\"\n",
            "must be a version",
            "\"2.1\"",
        ),
        (
            "kubernetes-version: [1, 30]\n",
            "must be a version",
            "[1, 30]",
        ),
        (
            "select: [AL103]\nselect: [AL104]\n",
            "`select` is set twice",
            "select",
        ),
        ("a: [\n", "not valid YAML", ""),
        (
            "- AL103\n",
            "the configuration must be a mapping",
            "- AL103\n",
        ),
        (
            "select: []\n---\nignore: []\n",
            "more than one YAML document",
            "",
        ),
    ];
    for (text, message, under) in table {
        let errors = load_text(text).expect_err(text);
        assert!(
            errors
                .iter()
                .any(|(m, s)| m.contains(message) && (under.is_empty() || s == under)),
            "{text:?}: expected an error containing {message:?} at {under:?}, got {errors:?}"
        );
    }
}

#[test]
fn every_error_in_a_file_is_reported_at_once() {
    let errors =
        load_text("selct: []\nthresholds: {maxage: x}\nkubernetes-version: nope\n").unwrap_err();
    assert_eq!(errors.len(), 3, "{errors:?}");
}

#[test]
fn unknown_keys_suggest_the_nearest_name() {
    let file = SourceFile::new(".auditlint.yaml", "per-file-ignores: {}\n");
    let errors = parse(&file).unwrap_err();
    assert_eq!(
        errors.errors[0].help.as_deref(),
        Some("did you mean `per-path-ignores`?")
    );
    let rendered = errors.render(false);
    assert!(rendered.contains(".auditlint.yaml:1:1"), "{rendered}");
    assert!(rendered.contains("per-path-ignores"), "{rendered}");
}

#[test]
fn versions_parse_as_kubernetes_writes_them() {
    assert_eq!(auditlint::version::parse("1.30"), Some((1, 30)));
    assert_eq!(auditlint::version::parse("v1.9"), Some((1, 9)));
    assert_eq!(auditlint::version::parse("1.28.4"), Some((1, 28)));
    for bad in ["1", "2.0", "1.x", "1.30.4.5", "", "v"] {
        assert_eq!(auditlint::version::parse(bad), None, "{bad}");
    }
}

// ---- the JSON Schema ----

fn schema() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/auditlint-config.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn keys(object: &serde_json::Value) -> Vec<String> {
    let mut keys: Vec<String> = object
        .get("properties")
        .and_then(|p| p.as_object())
        .expect("a schema object with properties")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

fn sorted(keys: &[&str]) -> Vec<String> {
    let mut keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    keys.sort();
    keys
}

#[test]
fn schema_lists_exactly_the_keys_the_loader_accepts() {
    let schema = schema();
    assert_eq!(keys(&schema), sorted(TOP_KEYS), "top-level keys");
    let props = &schema["properties"];
    assert_eq!(
        keys(&props["thresholds"]),
        sorted(THRESHOLD_KEYS),
        "thresholds"
    );
    assert_eq!(
        keys(&props["extra-probes"]["items"]),
        sorted(PROBE_KEYS),
        "extra-probes items"
    );
    assert_eq!(
        keys(&props["clusters"]["additionalProperties"]),
        sorted(CLUSTER_KEYS),
        "clusters entries"
    );
    // Unknown keys are errors in the loader, so they must be in the schema too.
    for object in [
        &schema,
        &props["thresholds"],
        &props["extra-probes"]["items"],
        &props["clusters"]["additionalProperties"],
    ] {
        assert_eq!(
            object["additionalProperties"],
            serde_json::Value::Bool(false)
        );
    }
}

#[test]
fn schema_defaults_are_the_loader_defaults() {
    let schema = schema();
    let t = &schema["properties"]["thresholds"]["properties"];
    let defaults = Config::new().thresholds;
    assert_eq!(t["maxage"]["default"], defaults.maxage);
    assert_eq!(t["maxbackup"]["default"], defaults.maxbackup);
    assert_eq!(t["maxsize"]["default"], defaults.maxsize);
}

// ---- the starter file ----

/// The starter with every commented-out setting uncommented: a line `# key: ...` for a
/// known key, and the indented lines that follow it.
fn uncommented_starter() -> String {
    let mut out = String::new();
    let mut in_setting = false;
    for line in STARTER.lines() {
        let body = line.strip_prefix("# ");
        let starts_setting =
            body.is_some_and(|b| TOP_KEYS.iter().any(|k| b.starts_with(&format!("{k}:"))));
        let continues = in_setting && body.is_some_and(|b| b.starts_with("  "));
        if let (true, Some(b)) = (starts_setting || continues, body) {
            out.push_str(b);
            in_setting = true;
        } else {
            out.push_str(line);
            in_setting = false;
        }
        out.push('\n');
    }
    out
}

#[test]
fn starter_loads_as_is_and_with_every_setting_uncommented() {
    let as_is = load_text(STARTER).unwrap();
    assert_eq!(
        as_is.select, None,
        "the starter changes nothing until edited"
    );
    let text = uncommented_starter();
    let config = load_text(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    for key in TOP_KEYS {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{key}:"))),
            "the starter does not show `{key}`"
        );
    }
    assert_eq!(config.thresholds, Default::default(), "shows the defaults");
    assert!(!config.extra_probes.is_empty() && !config.path_ignores.is_empty());
}

// ---- the binary ----

fn auditlint(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("auditlint runs")
}

const MAXAGE_7: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    command:\n    - kube-apiserver\n    - --audit-policy-file=/etc/kubernetes/audit/policy.yaml\n    - --audit-log-path=/var/log/kubernetes/audit/audit.log\n    - --audit-log-maxage=7\n    - --audit-log-maxbackup=10\n    - --audit-log-maxsize=100\n    volumeMounts:\n    - {name: audit-policy, mountPath: /etc/kubernetes/audit, readOnly: true}\n    - {name: audit-log, mountPath: /var/log/kubernetes/audit}\n  volumes:\n  - {name: audit-policy, hostPath: {path: /etc/kubernetes/audit, type: DirectoryOrCreate}}\n  - {name: audit-log, hostPath: {path: /var/log/kubernetes/audit, type: DirectoryOrCreate}}\n";

fn codes(output: &Output) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    common::finding_codes(&json)
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn config_is_found_from_the_scanned_directory_upward() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join(".git")).unwrap();
    write(d, "manifests/apiserver.yaml", MAXAGE_7);
    let without = auditlint(&["check", "manifests", "--format", "json"], d);
    assert!(codes(&without).contains(&"AL103".to_owned()));

    write(d, ".auditlint.yaml", "thresholds: {maxage: 7}\n");
    for (args, cwd) in [
        (vec!["check", "manifests"], d.to_path_buf()),
        (vec!["check", "."], d.join("manifests")),
        (vec!["check", "apiserver.yaml"], d.join("manifests")),
    ] {
        let mut args = args.clone();
        args.extend(["--format", "json"]);
        let out = auditlint(&args, &cwd);
        assert!(
            !codes(&out).contains(&"AL103".to_owned()),
            "{args:?} in {}: the config's maxage threshold of 7 was not applied",
            cwd.display()
        );
    }
    let isolated = auditlint(
        &["check", "manifests", "--format", "json", "--no-config"],
        d,
    );
    assert!(codes(&isolated).contains(&"AL103".to_owned()));
}

#[test]
fn config_search_stops_at_the_repository_root() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, ".auditlint.yaml", "thresholds: {maxage: 7}\n");
    std::fs::create_dir_all(d.join("repo/.git")).unwrap();
    write(d, "repo/apiserver.yaml", MAXAGE_7);
    let out = auditlint(&["check", "repo", "--format", "json"], d);
    assert!(codes(&out).contains(&"AL103".to_owned()));
}

#[test]
fn config_flag_names_the_file_and_select_and_severity_apply() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "apiserver.yaml", MAXAGE_7);
    write(
        d,
        "settings/lint.yaml",
        "select: [audit-log-maxage]\nseverity: {AL103: note}\n",
    );
    let out = auditlint(
        &[
            "check",
            "apiserver.yaml",
            "--config",
            "settings/lint.yaml",
            "--format",
            "json",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "a note does not fail the run");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["code"], "AL103");
    assert_eq!(findings[0]["severity"], "note");
}

#[test]
fn command_line_select_overrides_the_file_and_ignore_adds_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "apiserver.yaml",
        &MAXAGE_7.replace("maxbackup=10", "maxbackup=2"),
    );
    write(d, ".auditlint.yaml", "select: [AL103]\n");
    let out = auditlint(&["check", ".", "--format", "json", "--select", "AL104"], d);
    assert_eq!(codes(&out), ["AL104"]);
    write(d, ".auditlint.yaml", "ignore: [AL103]\n");
    let out = auditlint(&["check", ".", "--format", "json", "--ignore", "AL104"], d);
    let c = codes(&out);
    assert!(
        !c.contains(&"AL103".into()) && !c.contains(&"AL104".into()),
        "{c:?}"
    );
}

#[test]
fn exclude_from_the_config_skips_paths() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "legacy/apiserver.yaml", MAXAGE_7);
    write(
        d,
        "ok.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    );
    write(d, ".auditlint.yaml", "exclude: [\"legacy/\"]\n");
    let out = auditlint(&["check", ".", "--format", "json"], d);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["files"], 1, "only ok.yaml is read");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("legacy/"));
}

#[test]
fn a_broken_config_exits_2_with_a_diagnostic_into_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "apiserver.yaml", MAXAGE_7);
    write(
        d,
        ".auditlint.yaml",
        "select: [AL103]\nthreshold: {maxage: 7}\n",
    );
    let out = auditlint(&["check", "."], d);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown top-level setting `threshold`"),
        "{stderr}"
    );
    assert!(stderr.contains(".auditlint.yaml:2:1"), "{stderr}");
    assert!(stderr.contains("did you mean `thresholds`?"), "{stderr}");
    assert!(out.stdout.is_empty());

    let missing = auditlint(&["check", ".", "--config", "nope.yaml"], d);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read the configuration file"));
}

#[test]
fn init_writes_a_starter_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = auditlint(&["init"], d);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(d.join(".auditlint.yaml")).unwrap(),
        STARTER
    );

    std::fs::write(d.join(".auditlint.yaml"), "select: [AL103]\n").unwrap();
    let again = auditlint(&["init"], d);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(d.join(".auditlint.yaml")).unwrap(),
        "select: [AL103]\n",
        "the existing file is untouched"
    );

    let forced = auditlint(&["init", "--force"], d);
    assert_eq!(forced.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(d.join(".auditlint.yaml")).unwrap(),
        STARTER
    );

    // The starter is used as is by `check`.
    write(d, "apiserver.yaml", MAXAGE_7);
    let check = auditlint(&["check", ".", "--format", "json"], d);
    assert!(codes(&check).contains(&"AL103".to_owned()));

    let elsewhere = auditlint(&["init", "conf/custom.yaml"], d);
    assert_eq!(
        elsewhere.status.code(),
        Some(2),
        "no parent directory is created"
    );
}

#[test]
fn readme_configuration_example_loads() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("## Configuration")
        .nth(1)
        .expect("a Configuration section");
    let block = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a yaml example");
    let config = load_text(block).unwrap_or_else(|e| panic!("{e:?}\n{block}"));
    assert_eq!(config.thresholds.maxage, 90);
    assert_eq!(config.kubernetes_version, Some((1, 30)));
}

/// Every file of the corpus read as a configuration: errors, never a crash. Skipped when
/// the corpus is not beside the project.
#[test]
fn corpus_files_never_crash_the_loader() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !root.is_dir() {
        eprintln!("skipped: {} is not present", root.display());
        return;
    }
    let mut stack = vec![root];
    let (mut seen, mut loaded) = (0, 0);
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                seen += 1;
                // A quarter of the corpus keeps this quick in debug builds.
                if seen % 4 != 0 {
                    continue;
                }
                if let Ok(text) = std::fs::read_to_string(&path) {
                    let file = SourceFile::new(path.display().to_string(), text);
                    if let Err(e) = parse(&file) {
                        assert!(!e.errors.is_empty());
                        // Rendering is slow in debug builds; a sample shows it holds up.
                        if loaded % 20 == 0 {
                            let _ = e.render(false);
                        }
                    }
                    loaded += 1;
                }
            }
        }
    }
    assert!(loaded > 100, "only {loaded} of {seen} corpus files read");
}
