//! `docs/rules/` is generated from the rule pack; this test keeps it in sync (a page per rule,
//! an index, no page for a rule that is gone). Regenerate with
//! `AUDITLINT_REGENERATE=1 cargo test --test docs`.

use std::collections::BTreeMap;
use std::path::Path;

#[test]
fn rule_docs_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let wanted: BTreeMap<String, String> = auditlint::docs::rule_pages().into_iter().collect();
    let present: BTreeMap<String, String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    (name, std::fs::read_to_string(e.path()).unwrap_or_default())
                })
                .collect()
        })
        .unwrap_or_default();
    if present == wanted {
        return;
    }
    if std::env::var_os("AUDITLINT_REGENERATE").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for name in present.keys().filter(|n| !wanted.contains_key(*n)) {
            std::fs::remove_file(dir.join(name)).unwrap();
        }
        for (name, text) in &wanted {
            std::fs::write(dir.join(name), text).unwrap();
        }
        return;
    }
    let stale: Vec<&String> = wanted
        .iter()
        .filter(|(n, t)| present.get(*n) != Some(t))
        .map(|(n, _)| n)
        .chain(present.keys().filter(|n| !wanted.contains_key(*n)))
        .collect();
    panic!(
        "docs/rules is out of date ({stale:?}); run `AUDITLINT_REGENERATE=1 cargo test --test docs`"
    );
}

#[test]
fn every_rule_page_is_linked_from_the_index_and_the_sarif_help_uri() {
    let pages = auditlint::docs::rule_pages();
    let index = &pages.iter().find(|(n, _)| n == "README.md").unwrap().1;
    for r in auditlint::catalog::all() {
        assert!(index.contains(&format!("[{0}]({0}.md)", r.code)));
        assert!(pages.iter().any(|(n, _)| *n == format!("{}.md", r.code)));
        assert!(r.docs_url().ends_with(&format!("docs/rules/{}.md", r.code)));
    }
}
