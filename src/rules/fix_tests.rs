//! The fixes of the AL2xx and AL3xx rules, end to end: scan a text, apply a finding's fix,
//! scan the result. Every fix must keep the file parsing, remove its finding and raise
//! nothing new at warning or above (what `--fix` verifies before it keeps an edit).

use crate::catalog::{Code, Severity};
use crate::config::Config;
use crate::engine::{scan_texts, Report, Text};
use crate::fix::{apply, Safety};

fn scan(path: &str, text: &str, config: &Config) -> Report {
    let text = Text {
        display: path.to_owned(),
        text: text.to_owned(),
        abs_path: None,
    };
    scan_texts(vec![text], config)
}

/// Codes at warning or above, with how many findings of each.
fn serious(report: &Report) -> std::collections::BTreeMap<Code, usize> {
    let mut out = std::collections::BTreeMap::new();
    for f in report.active().filter(|f| f.severity >= Severity::Warning) {
        *out.entry(f.rule.code).or_insert(0) += 1;
    }
    out
}

/// `text` (named `path`) after fixing, one finding at a time, every finding of `code` whose
/// fix is at most `safety`; each step is checked as `--fix` checks it.
pub(crate) fn fixed_as(
    path: &str,
    text: &str,
    code: Code,
    safety: Safety,
    config: &Config,
) -> String {
    let mut text = text.to_owned();
    let mut before = scan(path, &text, config);
    for _ in 0..10 {
        let Some(fix) = before
            .active()
            .filter(|f| f.rule.code == code)
            .find_map(|f| f.fix.clone().filter(|fix| fix.safety <= safety))
        else {
            return text;
        };
        let next = apply(&text, &fix.edits).expect("edits apply");
        let after = scan(path, &next, config);
        let count = |r: &Report| r.active().filter(|f| f.rule.code == code).count();
        assert!(
            count(&after) < count(&before),
            "{code} is still reported after its fix:\n{next}"
        );
        let (was, now) = (serious(&before), serious(&after));
        for (c, n) in &now {
            assert!(
                *n <= was.get(c).copied().unwrap_or(0),
                "the fix of {code} raised {c}:\n{next}\n{:#?}",
                after
                    .active()
                    .filter(|f| f.rule.code == *c)
                    .map(|f| &f.message)
                    .collect::<Vec<_>>()
            );
        }
        text = next;
        before = after;
    }
    panic!("{code}: fixes do not converge:\n{text}")
}

pub(crate) fn fixed(path: &str, text: &str, code: Code) -> String {
    fixed_as(path, text, code, Safety::Safe, &Config::new())
}

/// Whether a finding of `code` carries a fix.
pub(crate) fn has_fix(path: &str, text: &str, code: Code) -> bool {
    scan(path, text, &Config::new())
        .active()
        .any(|f| f.rule.code == code && f.fix.is_some())
}

const HEAD: &str = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";

fn policy(rules: &str) -> String {
    format!("{HEAD}{rules}")
}

#[test]
fn al208_guard_goes_before_the_rule_that_logs_bodies() {
    let text = policy("rules:\n# everything\n- level: RequestResponse\n");
    assert_eq!(
        fixed("policy.yaml", &text, Code::AL208),
        policy("rules:\n- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [secrets, configmaps, serviceaccounts/token]\n  - group: authentication.k8s.io\n    resources: [tokenreviews]\n# everything\n- level: RequestResponse\n")
    );
}

#[test]
fn al208_in_four_spaces_with_indented_dashes_and_crlf() {
    let text = policy(
        "rules:\n    - level: None\n      users: [system:kube-proxy]\n    - level: Request\n",
    )
    .replace('\n', "\r\n");
    assert_eq!(
        fixed("policy.yaml", &text, Code::AL208),
        policy("rules:\n    - level: None\n      users: [system:kube-proxy]\n    - level: Metadata\n      resources:\n          - group: \"\"\n            resources: [secrets, configmaps, serviceaccounts/token]\n          - group: authentication.k8s.io\n            resources: [tokenreviews]\n    - level: Request\n")
            .replace('\n', "\r\n")
    );
}

#[test]
fn al208_lowers_a_rule_about_secrets_only() {
    let text = policy("rules:\n- level: RequestResponse\n  resources:\n  - group: \"\"\n    resources: [\"secrets\"]\n- level: Metadata\n");
    assert_eq!(
        fixed("policy.yaml", &text, Code::AL208),
        text.replacen("RequestResponse", "Metadata", 1)
    );
}

#[test]
fn al208_in_flow_style_and_in_a_configmap() {
    let text = policy("rules: [{level: None, users: [a]}, {level: Request}]\n");
    assert_eq!(
        fixed("policy.yaml", &text, Code::AL208),
        policy("rules: [{level: None, users: [a]}, {level: Metadata, resources: [{group: \"\", resources: [secrets, configmaps, serviceaccounts/token]}, {group: authentication.k8s.io, resources: [tokenreviews]}]}, {level: Request}]\n")
    );
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: audit\ndata:\n  policy.yaml: |\n    apiVersion: audit.k8s.io/v1\n    kind: Policy\n    rules:\n      - level: Request\n";
    assert_eq!(
        fixed("audit-cm.yaml", text, Code::AL208),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: audit\ndata:\n  policy.yaml: |\n    apiVersion: audit.k8s.io/v1\n    kind: Policy\n    rules:\n      - level: Metadata\n        resources:\n          - group: \"\"\n            resources: [secrets, configmaps, serviceaccounts/token]\n          - group: authentication.k8s.io\n            resources: [tokenreviews]\n      - level: Request\n"
    );
}

#[test]
fn al208_has_no_fix_when_the_guard_would_hide_a_later_rule() {
    let text = policy("rules:\n- level: Request\n  verbs: [create]\n- level: None\n  resources:\n  - group: \"\"\n    resources: [secrets]\n- level: Metadata\n");
    assert!(!has_fix("policy.yaml", &text, Code::AL208));
}

#[test]
fn al215_guard_for_configmaps() {
    let text = policy("rules:\n- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [secrets]\n- level: Request\n  resources:\n  - group: \"\"\n- level: Metadata\n");
    assert_eq!(
        fixed("policy.yaml", &text, Code::AL215),
        policy("rules:\n- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [secrets]\n- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [configmaps]\n- level: Request\n  resources:\n  - group: \"\"\n- level: Metadata\n")
    );
}

#[test]
fn al207_appends_a_catch_all() {
    let text = policy("rules:\n- level: None\n  users: [system:kube-proxy]\n# end\n");
    assert_eq!(
        fixed("policy.yaml", &text, Code::AL207),
        policy("rules:\n- level: None\n  users: [system:kube-proxy]\n- level: Metadata\n  omitStages: [RequestReceived]\n# end\n")
    );
    let text = policy("omitStages: [RequestReceived]\nrules: [{level: None, users: [a]}]");
    assert_eq!(
        fixed("policy.yaml", &text, Code::AL207),
        policy(
            "omitStages: [RequestReceived]\nrules: [{level: None, users: [a]}, {level: Metadata}]"
        )
    );
}

#[test]
fn al207_trailing_none_is_an_unsafe_fix() {
    let text = policy("rules:\n- level: None\n  users: [a]\n- level: None\n");
    assert_eq!(fixed("policy.yaml", &text, Code::AL207), text);
    assert_eq!(
        fixed_as(
            "policy.yaml",
            &text,
            Code::AL207,
            Safety::Unsafe,
            &Config::new()
        ),
        policy("rules:\n- level: None\n  users: [a]\n- level: Metadata\n")
    );
}

#[test]
fn al214_adds_request_received_to_the_catch_all() {
    let text = policy("rules:\n  - level: None\n    users: [a]\n  - level: Metadata # all\n");
    assert_eq!(
        fixed("policy.yaml", &text, Code::AL214),
        policy("rules:\n  - level: None\n    users: [a]\n  - level: Metadata # all\n    omitStages: [RequestReceived]\n")
    );
    let text = policy("rules:\n- level: Metadata\n  omitStages:\n  - Panic\n");
    assert_eq!(
        fixed("policy.yaml", &text, Code::AL214),
        policy("rules:\n- level: Metadata\n  omitStages:\n  - Panic\n  - RequestReceived\n")
    );
    let text = policy("rules: [{level: Metadata}]\r\n");
    assert_eq!(
        fixed("policy.yaml", &text, Code::AL214),
        policy("rules: [{level: Metadata, omitStages: [RequestReceived]}]\r\n")
    );
}

#[test]
fn al211_adds_get_to_session_rules() {
    let text = policy("rules:\n- level: Metadata\n  verbs: [\"create\"]\n  resources:\n  - group: \"\"\n    resources: [pods/exec]\n- level: Metadata\n  omitStages: [RequestReceived]\n");
    assert_eq!(
        fixed("policy.yaml", &text, Code::AL211),
        text.replace("[\"create\"]", "[\"create\", \"get\"]")
    );
    let text = policy("rules:\n- level: Metadata\n  verbs:\n  - create\n  resources:\n  - group: \"\"\n    resources: [pods/exec]\n- level: Metadata\n  omitStages: [RequestReceived]\n");
    assert_eq!(
        fixed("policy.yaml", &text, Code::AL211),
        text.replace("  - create\n", "  - create\n  - get\n")
    );
}

#[test]
fn al209_deletes_the_dead_rule_only_when_unsafe() {
    let text = policy("rules:\n- level: Metadata\n  omitStages: [RequestReceived]\n# dead\n- level: Request\n  resources:\n  - group: \"\"\n    resources: [pods]\n");
    assert_eq!(fixed("policy.yaml", &text, Code::AL209), text);
    assert_eq!(
        fixed_as(
            "policy.yaml",
            &text,
            Code::AL209,
            Safety::Unsafe,
            &Config::new()
        ),
        policy("rules:\n- level: Metadata\n  omitStages: [RequestReceived]\n# dead\n")
    );
}

#[test]
fn al201_renames_a_removed_version() {
    let text = "apiVersion: \"audit.k8s.io/v1beta1\"\nkind: Policy\nrules:\n- level: Metadata\n  omitStages: [RequestReceived]\n";
    assert_eq!(
        fixed("policy.yaml", text, Code::AL201),
        text.replace("v1beta1", "v1")
    );
    let mut old = Config::new();
    old.version_override = Some((1, 11));
    assert_eq!(
        fixed_as("policy.yaml", text, Code::AL201, Safety::Safe, &old),
        text
    );
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n";

#[test]
fn al313_annotation_becomes_the_field() {
    let text = format!("{POD}  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: runtime/default\nspec:\n  containers:\n  - name: app\n    image: app\n");
    assert_eq!(
        fixed("pod.yaml", &text, Code::AL313),
        format!("{POD}spec:\n  containers:\n  - name: app\n    image: app\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n")
    );
    let text = format!("{POD}  annotations:\n    a: b\n    container.seccomp.security.alpha.kubernetes.io/app: docker/default\nspec:\n  containers:\n  - name: app\n    securityContext: {{runAsNonRoot: true}}\n");
    assert_eq!(
        fixed("pod.yaml", &text, Code::AL313),
        format!("{POD}  annotations:\n    a: b\nspec:\n  containers:\n  - name: app\n    securityContext: {{runAsNonRoot: true, seccompProfile: {{type: RuntimeDefault}}}}\n")
    );
    let unconfined = format!("{POD}  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined\nspec:\n  containers: []\n");
    assert!(!has_fix("pod.yaml", &unconfined, Code::AL313));
}

#[test]
fn al313_in_four_spaces_and_crlf() {
    let text = "apiVersion: apps/v1\r\nkind: Deployment\r\nmetadata:\r\n    name: d\r\nspec:\r\n    template:\r\n        metadata:\r\n            labels: {app: d}\r\n            annotations:\r\n                seccomp.security.alpha.kubernetes.io/pod: runtime/default\r\n        spec:\r\n            securityContext:\r\n                runAsNonRoot: true\r\n            containers:\r\n                - name: app\r\n";
    assert_eq!(
        fixed("deploy.yaml", text, Code::AL313),
        "apiVersion: apps/v1\r\nkind: Deployment\r\nmetadata:\r\n    name: d\r\nspec:\r\n    template:\r\n        metadata:\r\n            labels: {app: d}\r\n        spec:\r\n            securityContext:\r\n                runAsNonRoot: true\r\n                seccompProfile:\r\n                    type: RuntimeDefault\r\n            containers:\r\n                - name: app\r\n"
    );
}

#[test]
fn al314_removes_the_annotation_beside_the_field() {
    let text = format!("{POD}  annotations: {{seccomp.security.alpha.kubernetes.io/pod: runtime/default, x: y}}\nspec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  containers: []\n");
    assert_eq!(
        fixed("pod.yaml", &text, Code::AL314),
        format!("{POD}  annotations: {{x: y}}\nspec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  containers: []\n")
    );
}

#[test]
fn al310_unconfined_becomes_runtime_default_only_when_unsafe() {
    let text = format!("{POD}spec:\n  securityContext:\n    seccompProfile: {{type: \"Unconfined\"}}\n  containers: []\n");
    assert_eq!(fixed("pod.yaml", &text, Code::AL310), text);
    assert_eq!(
        fixed_as(
            "pod.yaml",
            &text,
            Code::AL310,
            Safety::Unsafe,
            &Config::new()
        ),
        text.replace("Unconfined", "RuntimeDefault")
    );
}

#[test]
fn al307_deletes_the_redundant_syscall_rule() {
    let text = "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [\n    {\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},\n    {\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ERRNO\"}\n  ]\n}\n";
    assert_eq!(
        fixed("seccomp/profile.json", text, Code::AL307),
        "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [\n    {\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}\n  ]\n}\n"
    );
}

#[test]
fn al306_legacy_names_become_lists_only_when_unsafe() {
    let text = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n  {\"name\": \"read\", \"action\": \"SCMP_ACT_ALLOW\"},\n  {\"name\": \"write\", \"action\": \"SCMP_ACT_ALLOW\"}\n]}\n";
    assert_eq!(fixed("seccomp/profile.json", text, Code::AL306), text);
    assert_eq!(
        fixed_as(
            "seccomp/profile.json",
            text,
            Code::AL306,
            Safety::Unsafe,
            &Config::new()
        ),
        text.replace("\"name\": \"read\"", "\"names\": [\"read\"]")
            .replace("\"name\": \"write\"", "\"names\": [\"write\"]")
    );
}

#[test]
fn al213_body_level_on_urls_becomes_metadata() {
    let text = policy("rules:\n- level: RequestResponse\n  nonResourceURLs: [\"/healthz*\"]\n- level: Metadata\n  omitStages: [RequestReceived]\n");
    assert_eq!(
        fixed("policy.yaml", &text, Code::AL213),
        text.replacen("RequestResponse", "Metadata", 1)
    );
}

/// Every fixture of `tests/fixtures/fixes/` for these families is repaired by its rule's fix
/// (`.unsafe` cases with unsafe fixes), with the checks of [`fixed_as`].
#[test]
fn fixtures_are_fixed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fixes");
    let mut seen = 0;
    for dir in std::fs::read_dir(&root).unwrap().flatten() {
        let name = dir.file_name().to_string_lossy().into_owned();
        let Some(code) = Code::ALL.iter().copied().find(|c| c.as_str() == name) else {
            continue;
        };
        if !(name.starts_with("AL2") || name.starts_with("AL3")) {
            continue;
        }
        for case in std::fs::read_dir(dir.path()).unwrap().flatten() {
            let case_name = case.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(case.path()).unwrap();
            let safety = if case_name.contains(".unsafe") {
                Safety::Unsafe
            } else {
                Safety::Safe
            };
            let out = fixed_as(&case_name, &text, code, safety, &Config::new());
            assert_ne!(out, text, "{name}/{case_name}: nothing fixed");
            if std::env::var_os("SHOW_FIXES").is_some() {
                eprintln!("==== {name}/{case_name}\n{}", out.replace('\r', "␍"));
            }
            seen += 1;
        }
    }
    assert!(seen > 0, "no fixtures under {}", root.display());
}

#[test]
fn al212_stops_omitting_response_started() {
    let text = policy(
        "omitStages: [\"RequestReceived\", \"ResponseStarted\"]\nrules:\n- level: Metadata\n",
    );
    assert_eq!(
        fixed("policy.yaml", &text, Code::AL212),
        policy("omitStages: [\"RequestReceived\"]\nrules:\n- level: Metadata\n")
    );
    let text = policy(
        "rules:\n- level: Metadata\n  omitStages:\n  - ResponseStarted\n  - RequestReceived\n",
    );
    assert_eq!(
        fixed("policy.yaml", &text, Code::AL212),
        policy("rules:\n- level: Metadata\n  omitStages:\n  - RequestReceived\n")
    );
}

#[test]
fn al212_catch_all_for_failed_authentications() {
    let text = policy("omitStages: [RequestReceived]\nrules:\n- level: Metadata\n  userGroups: [\"system:authenticated\", \"system:unauthenticated\"]\n");
    assert_eq!(
        fixed("policy.yaml", &text, Code::AL212),
        policy("omitStages: [RequestReceived]\nrules:\n- level: Metadata\n  userGroups: [\"system:authenticated\", \"system:unauthenticated\"]\n- level: Metadata\n")
    );
}

#[test]
fn al202_gets_a_catch_all_rule() {
    assert_eq!(
        fixed("policy.yaml", &policy("rules: []\n"), Code::AL202),
        policy("rules: [{level: Metadata, omitStages: [RequestReceived]}]\n")
    );
    assert_eq!(
        fixed(
            "policy.yaml",
            &policy("omitStages:\n    - RequestReceived\n"),
            Code::AL202
        ),
        policy("omitStages:\n    - RequestReceived\nrules:\n    - level: Metadata\n")
    );
}
