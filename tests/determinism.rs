//! The same scan gives byte-identical output whatever the number of threads: files are
//! scanned in parallel, but findings are put back in one order before rendering.

mod common;

use std::fs;
use std::path::Path;
use std::time::Duration;

use auditlint::config::Config;
use auditlint::engine;
use auditlint::output;

/// Copies every rule fixture, plus generated files made to collide in the sort (same line,
/// column and code in many files; several findings on one line), into one tree.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_rule_fixtures(dir.path());
    let apiserver = "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver}\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --audit-log-path=-, --audit-log-maxage=1]\n";
    for i in 0..64 {
        let dup = format!("a: 1\nb: {{x: 1, x: 2, y: 1, y: 2}}\na: {i}\n---\n[broken\n");
        fs::create_dir_all(dir.path().join("gen")).unwrap();
        fs::write(dir.path().join(format!("gen/dup-{i:02}.yaml")), dup).unwrap();
        fs::write(dir.path().join(format!("gen/api-{i:02}.yaml")), apiserver).unwrap();
    }
    dir
}

/// JSON and human output of one scan on a pool of `threads` threads.
fn scan(root: &Path, threads: usize) -> (String, String) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut report = pool
        .install(|| engine::scan_paths(&[root.to_path_buf()], &Config::new()))
        .expect("the tree scans");
    // The only thing allowed to differ between runs is how long they took.
    report.elapsed = Duration::ZERO;
    (
        output::json::render(&report),
        output::human::render(&report, false, 100, false),
    )
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let dir = tree();
    let (json, human) = scan(dir.path(), 1);
    assert!(
        json.matches("\"code\"").count() > 300,
        "too few findings to test the order"
    );
    for threads in [2, 3, 4, 8] {
        for _ in 0..3 {
            let (j, h) = scan(dir.path(), threads);
            assert!(j == json, "JSON differs with {threads} threads");
            assert!(h == human, "human output differs with {threads} threads");
        }
    }
}

#[test]
fn findings_are_sorted_by_path_line_column_code() {
    let dir = tree();
    let (json, _) = scan(dir.path(), 4);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let keys = common::finding_keys(&value);
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}
