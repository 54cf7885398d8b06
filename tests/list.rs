//! `kind: List` (what `kubectl get -o yaml|json` writes for several objects): every item is
//! checked as an object of its own, and an item's ignore annotation covers only that item.

use auditlint::config::Config;
use auditlint::engine::{self, Report, Text};

fn scan(name: &str, text: &str) -> Report {
    let texts = vec![Text {
        display: name.to_owned(),
        text: text.to_owned(),
        abs_path: None,
    }];
    let mut report = engine::scan_texts(texts, &Config::new());
    engine::sort(&mut report.findings);
    report
}

/// (line, code) of the findings that are not suppressed.
fn active(report: &Report) -> Vec<(usize, String)> {
    report
        .active()
        .map(|f| (f.file.position(f.span.start).line, f.code().to_owned()))
        .collect()
}

/// The lines of the AL101 findings that are not suppressed.
fn al101_lines(report: &Report) -> Vec<usize> {
    active(report)
        .into_iter()
        .filter(|(_, code)| code == "AL101")
        .map(|(line, _)| line)
        .collect()
}

/// A kube-apiserver Pod with no audit flags at all, as a List item (indented by 2).
fn apiserver_item(name: &str, annotation: &str) -> String {
    format!(
        "- apiVersion: v1
  kind: Pod
  metadata:
    name: {name}
    namespace: kube-system{annotation}
  spec:
    containers:
    - name: kube-apiserver
      command: [kube-apiserver, --secure-port=6443]
"
    )
}

#[test]
fn every_item_of_a_list_is_checked_where_it_is() {
    let text = format!(
        "apiVersion: v1\nkind: List\nitems:\n{}{}",
        apiserver_item("kube-apiserver-a", ""),
        apiserver_item("kube-apiserver-b", "")
    );
    let report = scan("dump.yaml", &text);
    let al101 = al101_lines(&report);
    // One per item, each inside its own item (items start on lines 4 and 13).
    assert_eq!(al101.len(), 2, "{:?}", active(&report));
    assert!((4..13).contains(&al101[0]) && al101[1] >= 13, "{al101:?}");
}

#[test]
fn a_json_list_from_kubectl_is_read_too() {
    let text = r#"{"apiVersion": "v1", "kind": "List", "items": [
  {"apiVersion": "v1", "kind": "Pod",
   "metadata": {"name": "kube-apiserver", "namespace": "kube-system"},
   "spec": {"containers": [{"name": "kube-apiserver", "command": ["kube-apiserver"]}]}}
]}"#;
    let codes: Vec<String> = active(&scan("dump.json", text))
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    assert!(codes.contains(&"AL101".to_owned()), "{codes:?}");
}

#[test]
fn an_items_annotation_covers_that_item_only() {
    let ignore = "\n    annotations: {auditlint.io/ignore: AL101}";
    let text = format!(
        "apiVersion: v1\nkind: List\nitems:\n{}{}",
        apiserver_item("kube-apiserver-a", ignore),
        apiserver_item("kube-apiserver-b", "")
    );
    let report = scan("dump.yaml", &text);
    let al101 = al101_lines(&report);
    assert_eq!(al101.len(), 1, "{:?}", active(&report));
    assert!(al101[0] >= 14, "the second item's finding stays: {al101:?}");
    let suppressed = report
        .findings
        .iter()
        .filter(|f| f.code() == "AL101" && f.suppressed.is_some())
        .count();
    assert_eq!(suppressed, 1);
}

/// kubectl reads any object whose `items` is a list as a list of objects, whatever its kind
/// (apimachinery `Unstructured.IsList`), and applies each item: so are they checked.
#[test]
fn any_object_with_items_is_a_list() {
    let text = format!(
        "apiVersion: example.com/v1\nkind: Inventory\nitems:\n{}",
        apiserver_item("kube-apiserver", "")
    );
    // The item's command list, line 12.
    assert_eq!(al101_lines(&scan("inventory.yaml", &text)), [12]);
}

/// An item that holds an anchor stays in the list's tree (a later item may alias it), and
/// is still checked as an object where it is.
#[test]
fn an_anchored_item_is_checked_in_place() {
    let text = format!(
        "apiVersion: v1\nkind: List\nitems:\n{}",
        apiserver_item("kube-apiserver", "").replacen("- apiVersion", "- &pinned\n  apiVersion", 1)
    );
    let report = scan("dump.yaml", &text);
    // The command list, one line lower than without the anchor's line.
    assert_eq!(al101_lines(&report), [13], "{:?}", active(&report));
}

/// A list broken halfway: the syntax error is reported, and the items before it are still
/// checked rather than hidden behind it.
#[test]
fn items_before_a_syntax_error_are_still_checked() {
    let text = format!(
        "apiVersion: v1\nkind: List\nitems:\n{}- [unclosed\n",
        apiserver_item("kube-apiserver", "")
    );
    let report = scan("dump.yaml", &text);
    let codes: Vec<String> = active(&report).into_iter().map(|(_, c)| c).collect();
    assert!(codes.contains(&"AL001".to_string()), "{codes:?}");
    assert_eq!(al101_lines(&report), [12], "{codes:?}");
}
