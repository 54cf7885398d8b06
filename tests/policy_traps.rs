//! Traps found in real configurations, one fixture each under `tests/fixtures/traps/`: what
//! auditlint reports for them, and what it must not conclude.

use std::process::Command;

/// (code, line, message) of every finding for one fixture.
fn findings(name: &str) -> Vec<(String, u64, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args([
            "check",
            &format!("tests/fixtures/traps/{name}"),
            "--format",
            "json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn of<'a>(all: &'a [(String, u64, String)], code: &str) -> Vec<&'a (String, u64, String)> {
    all.iter().filter(|f| f.0 == code).collect()
}

#[test]
fn literal_star_is_exact_in_users_groups_verbs_and_namespaces() {
    let all = findings("literal-stars.yaml");
    let stars: Vec<(u64, &str)> = of(&all, "AL210")
        .iter()
        .map(|f| (f.1, f.2.as_str()))
        .collect();
    assert_eq!(
        stars.iter().map(|s| s.0).collect::<Vec<_>>(),
        [8, 9, 14, 15],
        "{all:#?}"
    );
    for (field, (_, message)) in ["verbs", "namespaces", "users", "userGroups"]
        .iter()
        .zip(&stars)
    {
        assert!(
            message.contains(&format!("`\"*\"` in `{field}` is not a wildcard")),
            "{message}"
        );
    }
    // `resources: ["*"]` and `nonResourceURLs: ["*"]` are wildcards: not reported.
    assert!(!all.iter().any(|f| f.1 == 12 || f.1 == 16), "{all:#?}");
}

#[test]
fn verbs_no_request_carries_and_misspelt_resources_get_a_suggestion() {
    let all = findings("misspelt.yaml");
    let al210: Vec<(u64, &str)> = of(&all, "AL210")
        .iter()
        .map(|f| (f.1, f.2.as_str()))
        .collect();
    let has = |line: u64, text: &str| al210.iter().any(|(l, m)| *l == line && m.contains(text));
    assert!(
        has(
            7,
            "`replace` is not a request verb, so it matches nothing (did you mean `update`?)"
        ),
        "{al210:#?}"
    );
    assert!(
        has(
            7,
            "`pach` is not a request verb, so it matches nothing (did you mean `patch`?)"
        ),
        "{al210:#?}"
    );
    assert!(has(10, "`replicacontrollers` never matches: the core group `\"\"` serves no resource `replicacontrollers` (did you mean `replicationcontrollers`?)"), "{al210:#?}");
    assert!(
        has(
            10,
            "`container` never matches: containers are not API resources"
        ),
        "{al210:#?}"
    );
    assert!(has(10, "`pods/logs` never matches: `pods` has no subresource `logs` (did you mean `pods/log`?)"), "{al210:#?}");
    assert!(has(12, "`statefulset` never matches"), "{al210:#?}");
    // `delete` and `deployments/scale` are fine.
    assert_eq!(al210.len(), 6, "{al210:#?}");
}

#[test]
fn an_undecodable_rule_does_not_cascade() {
    let all = findings("undecodable-rule.yaml");
    let codes: Vec<&str> = all.iter().map(|f| f.0.as_str()).collect();
    // The apiserver cannot decode `users: ${NOISY_USERS}`: that is the finding. Read as "every
    // user", rule 1 would be a catch-all `None` hiding every later rule (AL205), silencing exec
    // (AL206) and failed logins (AL212); none of that is known.
    assert_eq!(codes, ["AL203"], "{all:#?}");
    assert_eq!(all[0].1, 9);
}

#[test]
fn witnesses_are_requests_the_apiserver_serves() {
    let all = findings("token-bodies.yaml");
    let al208 = of(&all, "AL208");
    assert_eq!(al208.len(), 1, "{all:#?}");
    let message = &al208[0].2;
    assert!(
        message.starts_with("`create serviceaccounts/token example` in `default`"),
        "{message}"
    );
    // TokenRequests and TokenReviews are only created: one more kind, not eleven.
    assert!(
        message.ends_with("(and 1 more kind of request)"),
        "{message}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args([
            "policy",
            "matrix",
            "tests/fixtures/traps/token-bodies.yaml",
            "--format",
            "json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let token_verbs: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["subresource"] == "token" || r["resource"] == "tokenreviews")
        .map(|r| r["verb"].as_str().unwrap())
        .collect();
    assert!(!token_verbs.is_empty());
    assert!(
        token_verbs.iter().all(|v| *v == "create"),
        "{token_verbs:?}"
    );
}

#[test]
fn al212_gives_this_policys_reason_and_relates_to_al207() {
    // No rule names users: the reason is that the rules select other requests.
    let all = findings("no-catch-all-user-free.yaml");
    let (al207, al212) = (of(&all, "AL207"), of(&all, "AL212"));
    assert_eq!((al207.len(), al212.len()), (1, 1), "{all:#?}");
    assert_eq!(al207[0].1, al212[0].1, "both at the end of the rules");
    let m = &al212[0].2;
    assert!(!m.contains("requires a user or group"), "{m}");
    assert!(m.contains("for the reason AL207 gives here"), "{m}");
    assert!(
        m.contains("rules 1, 2, the ones without `users`/`userGroups`, select other requests"),
        "{m}"
    );

    // Every rule names users or groups, and everything that must be logged is: AL212 alone,
    // with that reason.
    let all = findings("users-only.yaml");
    assert!(of(&all, "AL207").is_empty(), "{all:#?}");
    let al212 = of(&all, "AL212");
    assert_eq!(al212.len(), 1);
    assert!(
        al212[0].2.contains("every rule requires a user or group"),
        "{}",
        al212[0].2
    );
}

#[test]
fn a_final_catch_all_none_is_a_missing_catch_all_not_a_dead_end() {
    let all = findings("trailing-none.yaml");
    let codes: Vec<&str> = all.iter().map(|f| f.0.as_str()).collect();
    assert!(
        !codes.contains(&"AL205"),
        "nothing comes after it: {all:#?}"
    );
    assert!(!codes.contains(&"AL206"), "{all:#?}");
    let al207 = of(&all, "AL207");
    assert_eq!(al207.len(), 1, "{all:#?}");
    assert_eq!(al207[0].1, 18, "at the final rule");
    assert!(al207[0]
        .2
        .contains("reach only the last rule, a catch-all `- level: None`"));
    let al212 = of(&all, "AL212");
    assert_eq!(al212.len(), 1);
    assert!(
        al212[0].2.contains("the final `- level: None`"),
        "{}",
        al212[0].2
    );

    // As the first rule, it still makes the whole policy log nothing: AL205.
    let first = findings("../rules/AL205/bad.yaml");
    assert!(first.iter().any(|f| f.0 == "AL205"));
}

#[test]
fn al105_counts_the_history_maxsize_and_maxbackup_keep() {
    let all = findings("small-rotation.yaml");
    let al105 = of(&all, "AL105");
    assert_eq!(al105.len(), 1, "{all:#?}");
    assert!(
        al105[0].2.contains(
            "with `--audit-log-maxbackup=5` at most 60 MiB of history is kept (10 MiB × 6 files)"
        ),
        "{}",
        al105[0].2
    );
    let rationale = auditlint::rules::pack::get("AL105").rationale.clone();
    assert!(
        rationale.contains("`maxsize` × (`maxbackup` + 1)"),
        "{rationale}"
    );
}

#[test]
fn al109_does_not_make_the_log_directory_read_only() {
    let out = Command::new(env!("CARGO_BIN_EXE_auditlint"))
        .args([
            "check",
            "tests/fixtures/traps/shared-mount.yaml",
            "--select",
            "AL109,AL108",
            "--color",
            "never",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("AL109"), "{text}");
    assert!(
        !text.contains("AL108(audit"),
        "the mount is writable: {text}"
    );
    assert!(
        !text.contains("set `readOnly: true` on this volumeMount"),
        "{text}"
    );
    assert!(
        text.contains("also holds the audit log directory, which must stay writable"),
        "{text}"
    );
    assert!(
        text.contains("mountPath: /etc/kubernetes/audit/policy.yaml"),
        "{text}"
    );
    // A policy on its own writable mount: make that one read-only.
    let own = findings("../rules/AL109/bad.yaml");
    assert!(own.iter().any(|f| f.0 == "AL109"), "{own:#?}");
}

#[test]
fn al306_says_which_runtimes_read_the_legacy_name() {
    let all = findings("legacy-name.json");
    let al306 = of(&all, "AL306");
    assert_eq!(al306.len(), 1, "{all:#?}");
    let m = &al306[0].2;
    assert!(
        m.contains("containerd decodes profiles as OCI JSON and ignores it"),
        "{m}"
    );
    assert!(m.contains("Docker/moby"), "{m}");
    assert!(!m.contains("only CRI-O and Podman"), "{m}");
    let rationale = auditlint::rules::pack::get("AL306").rationale.clone();
    assert!(
        rationale.contains("only containerd ignores it"),
        "{rationale}"
    );
}
