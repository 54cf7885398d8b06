//! Where the fixes of the AL2xx and AL3xx rules hold back: no fix where it would raise a
//! finding of its own, unsafe fixes not applied as safe ones. What each fix writes is shown
//! by the fixtures of `tests/fixtures/fixes/` (`tests/fixes.rs`). The helpers scan a text,
//! apply a finding's fix and scan the result, checking what `--fix` checks.

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
fn fixed_as(path: &str, text: &str, code: Code, safety: Safety, config: &Config) -> String {
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

fn fixed(path: &str, text: &str, code: Code) -> String {
    fixed_as(path, text, code, Safety::Safe, &Config::new())
}

/// Whether `code` is reported, and none of its findings carries a fix.
fn reported_without_fix(path: &str, text: &str, code: Code) -> bool {
    let report = scan(path, text, &Config::new());
    let mut found = report.active().filter(|f| f.rule.code == code).peekable();
    found.peek().is_some() && found.all(|f| f.fix.is_none())
}

const HEAD: &str = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";

fn policy(rules: &str) -> String {
    format!("{HEAD}{rules}")
}

/// The fixtures that need `--unsafe-fixes` are left alone by the safe fixes.
#[test]
fn unsafe_fixes_wait_for_unsafe_fixes() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fixes");
    for code in [
        Code::AL207,
        Code::AL209,
        Code::AL301,
        Code::AL306,
        Code::AL310,
    ] {
        for case in std::fs::read_dir(root.join(code.as_str()))
            .unwrap()
            .flatten()
        {
            let name = case.file_name().to_string_lossy().into_owned();
            if name.contains(".unsafe") {
                let text = std::fs::read_to_string(case.path()).unwrap();
                assert_eq!(fixed(&name, &text, code), text, "{code}/{name}");
            }
        }
    }
}

#[test]
fn al208_has_no_fix_when_the_guard_would_hide_a_later_rule() {
    let text = policy("rules:\n- level: Request\n  verbs: [create]\n- level: None\n  resources:\n  - group: \"\"\n    resources: [secrets]\n- level: Metadata\n");
    assert!(reported_without_fix("policy.yaml", &text, Code::AL208));
}

#[test]
fn al201_has_no_fix_for_a_cluster_without_audit_v1() {
    let text = "apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules:\n- level: Metadata\n";
    let mut old = Config::new();
    old.version_override = Some((1, 11));
    assert_eq!(
        fixed_as("policy.yaml", text, Code::AL201, Safety::Safe, &old),
        text
    );
}

#[test]
fn al313_has_no_fix_for_unconfined_or_localhost() {
    for value in ["unconfined", "localhost/profiles/audit.json"] {
        let text = format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: {value}\nspec:\n  containers: []\n");
        assert!(
            reported_without_fix("pod.yaml", &text, Code::AL313),
            "{value}"
        );
    }
}

#[test]
fn al211_has_no_fix_when_get_would_hide_a_later_rule() {
    let text = policy("rules:\n- level: Metadata\n  verbs: [create]\n  resources:\n  - group: \"\"\n    resources: [pods/exec]\n- level: RequestResponse\n  verbs: [get]\n  resources:\n  - group: \"\"\n    resources: [pods/exec]\n- level: Metadata\n");
    assert!(reported_without_fix("policy.yaml", &text, Code::AL211));
}

#[test]
fn al301_never_writes_an_allow_by_default_profile() {
    let text = "{\"defaultAction\": \"SCMP_ACT_ALOW\", \"syscalls\": []}\n";
    assert!(reported_without_fix("profile.json", text, Code::AL301));
}

#[test]
fn a_policy_in_a_double_quoted_string_is_not_edited() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: audit\ndata:\n  policy.yaml: \"{apiVersion: audit.k8s.io/v1, kind: Policy, rules: [{level: RequestResponse}]}\"\n";
    assert!(reported_without_fix("cm.yaml", text, Code::AL208));
}
