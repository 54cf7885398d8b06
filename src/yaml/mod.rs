//! The only module that touches the YAML parser. Everything else sees [`Document`] trees
//! with byte spans, [`Node`] handles, and Kubernetes-resolved [`Scalar`]s.

mod aliasing;
mod embedded;
mod parse;
pub mod scalar;
mod tree;

pub use embedded::{embedded_text, parse_embedded, OffsetMap};
pub use parse::{parse_stream, Item, StreamInfo};
pub use scalar::Scalar;
pub use tree::{Document, DuplicateKey, Node, NodeId, Style, TooLarge};

/// A half-open byte range in one file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// An empty span: a place to insert something.
    pub fn point(at: usize) -> Self {
        Span { start: at, end: at }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// A `#` comment; `text` is what follows the `#`.
#[derive(Debug, Clone)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

/// A document that could not be parsed.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

/// Parses a whole stream into memory (for small inputs and tests).
pub fn parse_all(text: &str) -> (Vec<Item>, StreamInfo) {
    let mut items = Vec::new();
    let info = parse_stream(text, |i| items.push(i));
    (items, info)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(text: &str) -> Vec<Document> {
        parse_all(text)
            .0
            .into_iter()
            .filter_map(|i| match i {
                Item::Document(d) => Some(d),
                Item::Error(_) => None,
            })
            .collect()
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn spans_are_byte_exact_for_keys_and_values() {
        let text = "# é comment\nspec:\n  name: \"ünïcode\"\n  list: [a, b]\n";
        let d = &docs(text)[0];
        let (k, v) = d
            .root()
            .unwrap()
            .get("spec")
            .unwrap()
            .entry("name")
            .unwrap();
        assert_eq!(slice(text, k.span()), "name");
        assert_eq!(slice(text, v.span()), "\"ünïcode\"");
        assert_eq!(v.text(), Some("ünïcode"));
        let list = d.root().unwrap().path(&["spec", "list"]).unwrap();
        assert_eq!(slice(text, list.span()), "[a, b]");
    }

    #[test]
    fn broken_document_does_not_hide_the_rest() {
        let text = "a: 1\n---\nb: [1, 2\n---\nc: 3\n";
        let (items, info) = parse_all(text);
        assert!(matches!(items[0], Item::Document(_)));
        assert!(matches!(items[1], Item::Error(_)));
        let Item::Document(last) = &items[2] else {
            panic!("third document lost: {items:?}")
        };
        assert_eq!(last.root().unwrap().get_str("c"), Some("3"));
        assert_eq!(info.documents, 3);
    }

    #[test]
    fn duplicate_keys_are_recorded_and_the_last_wins() {
        let text = "a: 1\nb: 2\na: 3\n";
        let d = &docs(text)[0];
        assert_eq!(d.duplicates.len(), 1);
        assert_eq!(slice(text, d.duplicates[0].first), "a");
        assert_eq!(d.duplicates[0].second.start, 10);
        assert_eq!(d.root().unwrap().get_str("a"), Some("3"));
    }

    #[test]
    fn helm_source_comment_names_the_template() {
        let text = "---\n# Source: chart/templates/a.yaml\nkind: A\n---\n# Source: chart/templates/b.yaml\nkind: B\n";
        let d = docs(text);
        assert_eq!(d[0].template.as_deref(), Some("chart/templates/a.yaml"));
        assert_eq!(d[1].template.as_deref(), Some("chart/templates/b.yaml"));
    }

    /// `l0` holds ten aliases of `a`, `l1` ten of `l0`, and so on: ten to the `levels`.
    fn laughs(levels: usize) -> String {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..levels {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            text.push_str(&format!("l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        text
    }

    #[test]
    fn aliases_are_not_expanded_and_to_json_has_a_budget() {
        let text = laughs(2);
        let d = &docs(&text)[0];
        assert!(d.nodes.len() < 100);
        let mut budget = 500;
        assert_eq!(d.root().unwrap().to_json(&mut budget), Err(TooLarge));
        let mut budget = 100_000;
        assert!(d.root().unwrap().to_json(&mut budget).is_ok());
    }

    #[test]
    fn alias_bombs_are_rejected_as_kubernetes_rejects_them() {
        let text = format!("{}---\nafter: 1\n", laughs(9));
        let started = std::time::Instant::now();
        let (items, info) = parse_all(&text);
        assert!(started.elapsed().as_secs() < 5);
        let Item::Error(e) = &items[0] else {
            panic!("bomb accepted: {items:?}")
        };
        assert!(e.message.contains("excessive aliasing"), "{}", e.message);
        // Points at an alias in the bomb, not at the start of the file.
        assert_eq!(&text[e.span.start..e.span.start + 1], "*");
        assert!(matches!(items[1], Item::Document(_)));
        assert_eq!(info.documents, 2);
    }

    #[test]
    fn recursive_alias_is_rejected() {
        let (items, _) = parse_all("a: &a [1, *a]\n");
        let Item::Error(e) = &items[0] else {
            panic!("recursive alias accepted: {items:?}")
        };
        assert!(e.message.contains("contains itself"), "{}", e.message);
    }

    #[test]
    fn ordinary_anchors_and_merge_keys_are_accepted() {
        let mut text = String::from("base: &base {a: 1, b: 2}\n");
        for i in 0..2_000 {
            text.push_str(&format!("m{i}: {{<<: *base, c: {i}}}\n"));
        }
        let d = &docs(&text)[0];
        assert_eq!(d.root().unwrap().len(), 2_001);
    }

    #[test]
    fn json_is_parsed_with_spans() {
        let text = "{\n  \"defaultAction\": \"SCMP_ACT_LOG\",\n  \"syscalls\": []\n}";
        let d = &docs(text)[0];
        let v = d.root().unwrap().get("defaultAction").unwrap();
        assert_eq!(slice(text, v.span()), "\"SCMP_ACT_LOG\"");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        let (items, _) = parse_all(&text);
        assert!(items.iter().any(|i| matches!(i, Item::Error(_))));
    }

    #[test]
    fn wide_mapping_finds_duplicates_in_linear_time() {
        let mut text = String::new();
        for i in 0..100_000 {
            text.push_str(&format!("k{i}: {i}\n"));
        }
        // Repeats of an early key, a key from the middle, and the last one.
        text.push_str("k0: again\nk50000: again\nk99999: again\nk0: thrice\n");
        let started = std::time::Instant::now();
        let d = &docs(&text)[0];
        let elapsed = started.elapsed();
        let dups: Vec<(&str, usize)> = d
            .duplicates
            .iter()
            .map(|k| (k.key.as_str(), k.first.start))
            .collect();
        let at = |key: &str| text.find(&format!("{key}:")).unwrap();
        assert_eq!(
            dups,
            vec![
                ("k0", at("k0")),
                ("k50000", at("k50000")),
                ("k99999", at("k99999")),
                ("k0", at("k0")),
            ]
        );
        assert_eq!(d.root().unwrap().get_str("k0"), Some("thrice"));
        // Quadratic detection took minutes here; linear takes well under a second.
        assert!(elapsed.as_secs() < 10, "took {elapsed:?}");
    }

    #[test]
    fn small_and_wide_mappings_agree_on_duplicates() {
        for n in [3usize, 31, 32, 33, 100] {
            let mut text = String::new();
            for i in 0..n {
                text.push_str(&format!("k{}: {i}\n", i % (n - 1)));
            }
            let d = &docs(&text)[0];
            assert_eq!(d.duplicates.len(), 1, "n = {n}");
            assert_eq!(d.duplicates[0].key, "k0");
            assert_eq!(d.duplicates[0].first.start, 0);
        }
    }

    #[test]
    fn many_anchors_and_aliases_resolve_to_the_latest_definition() {
        let mut text = String::from("a: &x one\nb: *x\nc: &x two\nd: *x\n");
        for i in 0..50_000 {
            text.push_str(&format!("v{i}: &a{i} {i}\nr{i}: *a{i}\n"));
        }
        let d = &docs(&text)[0];
        let root = d.root().unwrap();
        assert_eq!(root.get("b").unwrap().text(), Some("one"));
        assert_eq!(root.get("d").unwrap().text(), Some("two"));
        assert_eq!(root.get("r49999").unwrap().text(), Some("49999"));
    }

    #[test]
    fn deepest_accepted_nesting_converts_to_json() {
        // Block and flow nesting at the parser's limits: the tree, `to_json` and dropping
        // both must neither overflow the stack nor be rejected.
        let mut text = String::new();
        for depth in 0..250 {
            text.push_str(&" ".repeat(depth));
            text.push_str("k:\n");
        }
        text.push_str(&" ".repeat(250));
        text.push_str(&format!("v: {}1{}\n", "[".repeat(250), "]".repeat(250)));
        let d = &docs(&text)[0];
        let mut budget = 1_000_000;
        let json = d
            .root()
            .unwrap()
            .to_json(&mut budget)
            .expect("within budget");
        assert!(json.to_string().contains("[[[1]]]"));
    }

    #[test]
    fn list_items_are_documents_of_their_own() {
        // As `kubectl get -o json` writes it: `kind` after `items`, on one line.
        let text = r#"{"apiVersion":"v1","items":[{"apiVersion":"v1","kind":"ConfigMap","data":{"a":"1","a":"2"}},{"kind":"Secret"}],"kind":"List"}"#;
        let docs = docs(text);
        assert_eq!(docs.len(), 3, "two items, then the list");
        let first = docs[0].root().unwrap();
        assert_eq!(first.get_str("kind"), Some("ConfigMap"));
        assert_eq!(first.path(&["data", "a"]).unwrap().text(), Some("2"));
        assert!(slice(text, docs[0].span).starts_with(r#"{"apiVersion":"v1","kind":"ConfigMap""#));
        assert_eq!(
            docs[0].duplicates.len(),
            1,
            "the item's duplicate key is the item's"
        );
        assert_eq!(slice(text, docs[0].duplicates[0].second), r#""a""#);
        assert_eq!(slice(text, docs[1].span), r#"{"kind":"Secret"}"#);
        let list = docs[2].root().unwrap();
        assert_eq!(list.get_str("kind"), Some("List"));
        assert!(docs[2].duplicates.is_empty());
        let items: Vec<_> = list.get("items").unwrap().items().collect();
        assert_eq!(items.len(), 2);
        assert!(items.iter().all(|i| i.is_null()), "{items:?}");
        assert_eq!(
            items[1].span(),
            docs[1].span,
            "the placeholder keeps the item's place"
        );
    }

    #[test]
    fn list_items_that_are_not_plain_objects_stay_in_the_list() {
        // Not an object (no kind), an anchored item and an item aliasing outside itself,
        // and `items` below the top level: nothing is split off.
        let text = "kind: List\nmeta: &m {x: 1}\nitems:\n- {name: no-kind}\n- &a {kind: A}\n- {kind: B, m: *m}\n- *a\nspec:\n  items: [{kind: C}]\n";
        let docs = docs(text);
        assert_eq!(docs.len(), 1, "{docs:?}");
        let items: Vec<_> = docs[0]
            .root()
            .unwrap()
            .get("items")
            .unwrap()
            .items()
            .collect();
        assert_eq!(items.len(), 4);
        assert!(items[..3].iter().all(|i| i.is_map()));
    }
}
