//! Text edits that add to or remove from a YAML document the way a person would: at the byte
//! spans of the one parse of the file, in the style around the edit (block or flow, the
//! indentation of the neighbours, the file's newline), touching nothing else.
//!
//! Spans are of the scanned file. A Policy embedded in a ConfigMap's `|` block has its spans
//! in the file already ([`crate::yaml::parse_embedded`]), so the columns read here include
//! the block's indentation and an insertion inside the block is indented with it; for an edit
//! computed on the string itself, see [`super::embedded`].

use super::layout::Layout;
use super::Edit;
use crate::yaml::Span;

/// A value to insert, rendered in block or flow style to match where it goes. Scalars are
/// written as given (quote them if they need it: `"\"\""`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Scalar(String),
    Seq(Vec<Value>),
    Map(Vec<(String, Value)>),
}

impl Value {
    pub fn scalar(text: impl Into<String>) -> Value {
        Value::Scalar(text.into())
    }

    /// A list of scalars (`[get, create]`).
    pub fn list<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Value {
        Value::Seq(items.into_iter().map(Value::scalar).collect())
    }

    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// On one line: `{level: Metadata, verbs: [get]}`.
    pub fn flow(&self) -> String {
        self.flow_as(false)
    }

    /// On one line, as JSON when `json` (every key and string double-quoted): for a JSON
    /// document, which must stay JSON.
    pub fn flow_as(&self, json: bool) -> String {
        let key = |k: &str| {
            if json {
                format!("\"{k}\"")
            } else {
                k.to_owned()
            }
        };
        match self {
            Value::Scalar(s) if json && !s.starts_with('"') => format!("\"{s}\""),
            Value::Scalar(s) => s.clone(),
            Value::Seq(items) => {
                let items: Vec<String> = items.iter().map(|i| i.flow_as(json)).collect();
                format!("[{}]", items.join(", "))
            }
            Value::Map(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", key(k), v.flow_as(json)))
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
        }
    }

    /// As a block sequence item at column 0 in the default layout (`- level: Metadata`): for
    /// messages that show what to write.
    pub fn as_item(&self) -> String {
        let mut lines = Lines::new();
        item_lines(self, &Layout::default(), 0, &mut lines);
        let lines: Vec<String> = lines
            .into_iter()
            .map(|(column, content)| format!("{}{content}", " ".repeat(column)))
            .collect();
        lines.join("\n")
    }

    /// Written on the line of its key even in block style: scalars, lists of scalars (as
    /// audit policies write `verbs: ["get"]`), and empty collections.
    fn inline(&self) -> bool {
        match self {
            Value::Scalar(_) => true,
            Value::Seq(items) => items.iter().all(|i| matches!(i, Value::Scalar(_))),
            Value::Map(entries) => entries.is_empty(),
        }
    }
}

/// Lines of block text: (column, content).
type Lines = Vec<(usize, String)>;

fn entry_lines(key: &str, value: &Value, layout: &Layout, column: usize, out: &mut Lines) {
    if value.inline() {
        out.push((column, format!("{key}: {}", value.flow())));
        return;
    }
    out.push((column, format!("{key}:")));
    match value {
        Value::Map(entries) => {
            for (k, v) in entries {
                entry_lines(k, v, layout, column + layout.indent, out);
            }
        }
        Value::Seq(items) => {
            for item in items {
                item_lines(item, layout, layout.dash_column(column), out);
            }
        }
        Value::Scalar(_) => unreachable!("scalars are inline"),
    }
}

/// A sequence item whose `- ` is at `dash`.
fn item_lines(value: &Value, layout: &Layout, dash: usize, out: &mut Lines) {
    let Value::Map(entries) = value else {
        out.push((dash, format!("- {}", value.flow())));
        return;
    };
    if entries.is_empty() {
        out.push((dash, "- {}".to_owned()));
        return;
    }
    let first = out.len();
    for (k, v) in entries {
        entry_lines(k, v, layout, dash + 2, out);
    }
    out[first] = (dash, format!("- {}", out[first].1));
}

/// Inserts and removes items and keys in one text, in its layout.
pub struct Editor<'t> {
    text: &'t str,
    layout: Layout,
}

impl<'t> Editor<'t> {
    /// An editor for `text`, in the layout the whole text uses.
    pub fn new(text: &'t str) -> Self {
        Editor {
            text,
            layout: Layout::detect(text),
        }
    }

    /// An editor for `text` in the layout of its part `part` (an embedded Policy may be
    /// indented differently from the ConfigMap around it).
    pub fn within(text: &'t str, part: Span) -> Self {
        // From the start of the part's first line, so that its indentation counts.
        let start = text
            .get(..part.start)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let layout = Layout::detect(text.get(start..part.end).unwrap_or(text));
        Editor {
            text,
            layout: Layout {
                newline: super::layout::newline_of(text),
                ..layout
            },
        }
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The scalar at `span` rewritten as `value`, in the same quotes (`value` is plain text
    /// that needs no escaping).
    pub fn replace_scalar(&self, span: Span, value: &str) -> Option<Edit> {
        self.holds(span)?;
        let written = self.text.get(span.start..span.end)?;
        let quote = written.chars().next().filter(|c| matches!(c, '"' | '\''));
        if written.is_empty() || written.starts_with(['*', '&', '!', '|', '>']) {
            return None;
        }
        let text = match quote {
            Some(q) => format!("{q}{value}{q}"),
            None => value.to_owned(),
        };
        Some(Edit::replace(span, text))
    }

    /// A new item right after the sequence item at `item`.
    pub fn item_after(&self, item: Span, value: &Value) -> Option<Edit> {
        self.new_item(item, value, false)
    }

    /// A new item right before the sequence item at `item` (and before the comment lines
    /// just above it, which describe it).
    pub fn item_before(&self, item: Span, value: &Value) -> Option<Edit> {
        self.new_item(item, value, true)
    }

    fn new_item(&self, item: Span, value: &Value, before: bool) -> Option<Edit> {
        self.holds(item)?;
        let value = &self.quoted_like(item, value);
        if self.in_flow(item.start) {
            let (flow, gap) = (self.flow(value), self.flow_gap(item));
            return Some(match before {
                true => Edit::insert(item.start, format!("{flow},{gap}")),
                false => Edit::insert(item.end, format!(",{gap}{flow}")),
            });
        }
        let dash = self.dash_column(item.start)?;
        let mut lines = Lines::new();
        item_lines(value, &self.layout, dash, &mut lines);
        if !before {
            let at = self.line_end(self.content_end(item));
            return Some(Edit::insert(at, self.join_before(&lines)));
        }
        let mut at = self.line_start(item.start);
        if self.text[at..item.start].trim_start_matches(' ').len() != item.start - at - dash {
            return None;
        }
        while let Some(above) = at.checked_sub(1).map(|end| self.line_start(end)) {
            let line = self.text[above..at].trim_end_matches(['\n', '\r']);
            let content = line.trim_start_matches(' ');
            if !content.starts_with('#') || line.len() - content.len() != dash {
                break;
            }
            at = above;
        }
        Some(Edit::insert(at, self.join_after(&lines)))
    }

    /// A new last item of the sequence `seq`, whose last item is `last` (`None` when it has
    /// none: only an empty flow sequence `[]` can take one then).
    pub fn append_item(&self, seq: Span, last: Option<Span>, value: &Value) -> Option<Edit> {
        self.holds(seq)?;
        if let Some(last) = last {
            return self.item_after(last, value);
        }
        let written = self.text.get(seq.start..seq.end)?;
        let inside = written.strip_prefix('[')?.trim_end().strip_suffix(']')?;
        inside
            .trim()
            .is_empty()
            .then(|| Edit::insert(seq.start + 1, self.flow(value)))
    }

    /// Removes the sequence item at `item`, with its `- ` line(s) or its `, `.
    pub fn remove_item(&self, item: Span) -> Option<Edit> {
        self.holds(item)?;
        if self.in_flow(item.start) {
            return self.remove_flow(item);
        }
        let dash = self.dash_column(item.start)?;
        let start = self.line_start(item.start);
        if !self.text[start..start + dash].bytes().all(|b| b == b' ') {
            return None;
        }
        Some(Edit::delete(Span::new(
            start,
            self.next_line(self.content_end(item)),
        )))
    }

    /// A new `key: value` before the key at `before` in the same mapping.
    pub fn entry_before(&self, before: Span, key: &str, value: &Value) -> Option<Edit> {
        self.holds(before)?;
        if self.in_flow(before.start) {
            let text = format!("{}: {}, ", self.key(key), self.flow(value));
            return Some(Edit::insert(before.start, text));
        }
        let column = before.start - self.line_start(before.start);
        let mut lines = Lines::new();
        entry_lines(key, value, &self.layout, column, &mut lines);
        let mut text = self.join_after(&lines);
        // The insertion point is at the key's column already; the key moves down a line.
        text.replace_range(..column, "");
        text.push_str(&" ".repeat(column));
        Some(Edit::insert(before.start, text))
    }

    /// A new last `key: value` of the mapping `map` (its node span). Refused for a mapping
    /// that is an alias, or has an anchor or tag before it.
    pub fn append_entry(&self, map: Span, key: &str, value: &Value) -> Option<Edit> {
        self.holds(map)?;
        let written = self.text.get(map.start..map.end)?;
        if let Some(inside) = written.strip_prefix('{') {
            let inside = inside.trim_end().strip_suffix('}')?;
            let at = map.start + 1 + inside.trim_end().len();
            let comma = if inside.trim().is_empty() { "" } else { ", " };
            return Some(Edit::insert(
                at,
                format!("{comma}{}: {}", self.key(key), self.flow(value)),
            ));
        }
        if written.starts_with(['*', '&', '!', '[']) || written.is_empty() {
            return None;
        }
        let column = map.start - self.line_start(map.start);
        let mut lines = Lines::new();
        entry_lines(key, value, &self.layout, column, &mut lines);
        let at = self.line_end(self.content_end(map));
        Some(Edit::insert(at, self.join_before(&lines)))
    }

    /// Removes the entry `key: value` from its mapping: its line(s), or its `, `.
    pub fn remove_entry(&self, key: Span, value: Span) -> Option<Edit> {
        self.holds(key)?;
        self.holds(value)?;
        let entry = Span::new(key.start, value.end.max(key.end));
        if self.in_flow(key.start) {
            return self.remove_flow(entry);
        }
        let start = self.line_start(key.start);
        if !self.text[start..key.start].bytes().all(|b| b == b' ') {
            return None;
        }
        Some(Edit::delete(Span::new(
            start,
            self.next_line(self.content_end(entry)),
        )))
    }

    /// The key of the mapping entry whose value is at `value` (`omitStages` of
    /// `omitStages: [x]`), for a key written plain or quoted without spaces.
    pub fn key_of(&self, value: Span) -> Option<Span> {
        self.holds(value)?;
        let before = self.text.get(..value.start)?.trim_end();
        let key = before.strip_suffix(':')?.trim_end_matches(' ');
        let start = key
            .rfind(|c: char| c.is_whitespace() || matches!(c, '{' | ',' | '-'))
            .map_or(0, |i| i + 1);
        (start < key.len()).then(|| Span::new(start, key.len()))
    }

    /// Deletes `span`, an item of a flow collection, with the comma that separates it.
    fn remove_flow(&self, span: Span) -> Option<Edit> {
        let rest = self.text[span.end..].trim_start();
        if let Some(next) = rest.strip_prefix(',') {
            let end = self.text.len() - next.trim_start().len();
            return Some(Edit::delete(Span::new(span.start, end)));
        }
        let before = self.text[..span.start].trim_end();
        let start = before.strip_suffix(',').map_or(span.start, str::len);
        Some(Edit::delete(Span::new(start, span.end)))
    }

    /// The start of the line after the one of `at` (the end of the text on the last line).
    fn next_line(&self, at: usize) -> usize {
        self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |i| at + i + 1)
    }

    /// `Some` when `span` is a span of the text (what a parse of it gives; anything else is
    /// refused rather than sliced).
    fn holds(&self, span: Span) -> Option<()> {
        (span.start <= span.end && self.text.get(span.start..span.end).is_some()).then_some(())
    }

    /// What separates items of the flow collection of `item` after the comma: a new line at
    /// its column when it is on a line of its own, else a space.
    fn flow_gap(&self, item: Span) -> String {
        let start = self.line_start(item.start);
        let before = &self.text[start..item.start];
        if before.bytes().all(|b| b == b' ') {
            format!("{}{before}", self.layout.newline)
        } else {
            " ".to_owned()
        }
    }

    fn flow(&self, value: &Value) -> String {
        value.flow_as(self.layout.json)
    }

    fn key(&self, key: &str) -> String {
        if self.layout.json {
            format!("\"{key}\"")
        } else {
            key.to_owned()
        }
    }

    /// A plain scalar `value` in the quotes of its neighbour `item` (`["create", "get"]`).
    fn quoted_like(&self, item: Span, value: &Value) -> Value {
        let quote = self.text[item.start..].chars().next();
        match (value, quote) {
            (Value::Scalar(s), Some(q @ ('"' | '\''))) if !s.starts_with(['"', '\'']) => {
                Value::Scalar(format!("{q}{s}{q}"))
            }
            _ => value.clone(),
        }
    }

    /// Whether the node at `at` is an item or key of a flow collection (`[a, b]`, `{a: 1}`).
    fn in_flow(&self, at: usize) -> bool {
        let before = self.text[..at].trim_end_matches([' ', '\t', '\r', '\n']);
        before.ends_with(['[', '{', ','])
    }

    /// The column of the `- ` of the block sequence item whose node starts at `at`.
    fn dash_column(&self, at: usize) -> Option<usize> {
        let start = self.line_start(at);
        let before = self.text[start..at].trim_end_matches(' ');
        before.ends_with('-').then(|| before.len() - 1)
    }

    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    /// The end of the line of `at`, before its newline.
    fn line_end(&self, at: usize) -> usize {
        let end = self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |i| at + i);
        if self.text[..end].ends_with('\r') {
            end - 1
        } else {
            end
        }
    }

    /// The end of the last line of `span` that is not blank or a comment: a block node's span
    /// runs on over the comments and blank lines after it, which belong to what follows.
    fn content_end(&self, span: Span) -> usize {
        let written = &self.text[span.start..span.end];
        let mut end = written.len();
        loop {
            let kept = written[..end].trim_end();
            let line_start = kept.rfind('\n').map_or(0, |i| i + 1);
            let line = kept[line_start..].trim_start();
            if line_start == 0 || !line.starts_with('#') {
                return span.start + kept.len();
            }
            end = line_start;
        }
    }

    /// Lines each preceded by a newline: to insert at the end of a line.
    fn join_before(&self, lines: &Lines) -> String {
        lines
            .iter()
            .map(|(column, content)| {
                format!("{}{}{content}", self.layout.newline, " ".repeat(*column))
            })
            .collect()
    }

    /// Lines each followed by a newline: to insert at the start of a line.
    fn join_after(&self, lines: &Lines) -> String {
        lines
            .iter()
            .map(|(column, content)| {
                format!("{}{content}{}", " ".repeat(*column), self.layout.newline)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::apply;
    use crate::yaml::{parse_all, Document, Item, Node};

    fn first_doc(text: &str) -> Document {
        let (items, _) = parse_all(text);
        let Some(Item::Document(doc)) = items.into_iter().next() else {
            panic!("no document in {text:?}")
        };
        doc
    }

    /// Parses `text`, finds a node with `find`, edits with `edit`, and checks that the
    /// result parses.
    fn edited(
        text: &str,
        find: impl Fn(Node<'_>) -> Node<'_>,
        edit: impl Fn(&Editor<'_>, Node<'_>) -> Option<Edit>,
    ) -> String {
        let doc = first_doc(text);
        let node = find(doc.root().unwrap());
        let edit = edit(&Editor::new(text), node).expect("an edit");
        let out = apply(text, &[edit]).unwrap();
        let (items, _) = parse_all(&out);
        assert!(
            items.iter().all(|i| matches!(i, Item::Document(_))),
            "does not parse:\n{out}"
        );
        out
    }

    fn metadata() -> Value {
        Value::map([("level", Value::scalar("Metadata"))])
    }

    fn rule(n: usize) -> impl Fn(Node<'_>) -> Node<'_> {
        move |root| root.get("rules").unwrap().items().nth(n).unwrap()
    }

    fn guard() -> Value {
        Value::map([
            ("level", Value::scalar("Metadata")),
            (
                "resources",
                Value::Seq(vec![Value::map([
                    ("group", Value::scalar("\"\"")),
                    ("resources", Value::list(["secrets"])),
                ])]),
            ),
        ])
    }

    /// Items inserted before or after rule N, in each layout.
    #[test]
    fn items_before_and_after_in_each_layout() {
        let cases: [(&str, usize, bool, Value, &str); 5] = [
            // Two spaces, dashes not indented; the comment above rule 1 stays with it.
            (
                "rules:\n# bodies\n- level: Request\n  verbs: [get]\n",
                0,
                true,
                guard(),
                "rules:\n- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [secrets]\n# bodies\n- level: Request\n  verbs: [get]\n",
            ),
            // Four spaces, dashes indented.
            (
                "rules:\n    - level: Request\n      resources:\n          - group: \"\"\n",
                0,
                true,
                guard(),
                "rules:\n    - level: Metadata\n      resources:\n          - group: \"\"\n            resources: [secrets]\n    - level: Request\n      resources:\n          - group: \"\"\n",
            ),
            // CRLF; the comment after rule 1 belongs to rule 2.
            (
                "rules:\r\n- level: None\r\n  users: [a]\r\n# next\r\n- level: Request\r\n",
                0,
                false,
                metadata(),
                "rules:\r\n- level: None\r\n  users: [a]\r\n- level: Metadata\r\n# next\r\n- level: Request\r\n",
            ),
            // Flow style.
            (
                "rules: [{level: None, users: [a]}, {level: Request}]\n",
                1,
                true,
                guard(),
                "rules: [{level: None, users: [a]}, {level: Metadata, resources: [{group: \"\", resources: [secrets]}]}, {level: Request}]\n",
            ),
            (
                "rules: [{level: None, users: [a]}, {level: Request}]\n",
                1,
                false,
                metadata(),
                "rules: [{level: None, users: [a]}, {level: Request}, {level: Metadata}]\n",
            ),
        ];
        for (text, n, before, value, expected) in cases {
            let out = edited(text, rule(n), |e, item| match before {
                true => e.item_before(item.span(), &value),
                false => e.item_after(item.span(), &value),
            });
            assert_eq!(out, expected);
        }
    }

    #[test]
    fn json_stays_json() {
        let text = "{\"rules\": [{\"level\": \"RequestResponse\"}]}";
        let out = edited(text, rule(0), |e, n| e.item_before(n.span(), &guard()));
        assert_eq!(
            out,
            "{\"rules\": [{\"level\": \"Metadata\", \"resources\": [{\"group\": \"\", \"resources\": [\"secrets\"]}]}, {\"level\": \"RequestResponse\"}]}"
        );
        assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok());
        let out = edited(text, rule(0), |e, n| {
            e.append_entry(n.span(), "omitStages", &Value::list(["RequestReceived"]))
        });
        assert_eq!(
            out,
            "{\"rules\": [{\"level\": \"RequestResponse\", \"omitStages\": [\"RequestReceived\"]}]}"
        );
    }

    #[test]
    fn items_of_a_flow_list_on_lines_of_their_own_stay_so() {
        let text = "rules: [\r\n    {level: None, users: [a]},\r\n    {level: Request}\r\n]\r\n";
        let out = edited(text, rule(1), |e, n| e.item_after(n.span(), &metadata()));
        assert_eq!(
            out,
            "rules: [\r\n    {level: None, users: [a]},\r\n    {level: Request},\r\n    {level: Metadata}\r\n]\r\n"
        );
        let out = edited(text, rule(1), |e, n| e.item_before(n.span(), &metadata()));
        assert_eq!(
            out,
            "rules: [\r\n    {level: None, users: [a]},\r\n    {level: Metadata},\r\n    {level: Request}\r\n]\r\n"
        );
    }

    #[test]
    fn append_to_a_block_list_a_quoted_one_or_an_empty_flow_list() {
        for (text, key, expected) in [
            ("v:\n  - create\n", "v", "v:\n  - create\n  - get\n"),
            ("v: [\"create\"]\n", "v", "v: [\"create\", \"get\"]\n"),
            ("v: []\n", "v", "v: [get]\n"),
        ] {
            let out = edited(
                text,
                |r| r.get(key).unwrap(),
                |e, n| {
                    let last = n.items().last().map(Node::span);
                    e.append_item(n.span(), last, &Value::scalar("get"))
                },
            );
            assert_eq!(out, expected);
        }
    }

    #[test]
    fn remove_block_and_flow_items() {
        let text = "rules:\n- level: None\n  # why\n  users: [a]\n# keep\n- level: Metadata\n";
        let out = edited(text, rule(0), |e, n| e.remove_item(n.span()));
        assert_eq!(out, "rules:\n# keep\n- level: Metadata\n");
        let text = "rules: [{level: None}, {level: Metadata}]\n";
        let out = edited(text, rule(1), |e, n| e.remove_item(n.span()));
        assert_eq!(out, "rules: [{level: None}]\n");
        let out = edited(text, rule(0), |e, n| e.remove_item(n.span()));
        assert_eq!(out, "rules: [{level: Metadata}]\n");
    }

    #[test]
    fn entry_before_a_key_in_block_flow_and_dash_positions() {
        fn rules_key(root: Node<'_>) -> Node<'_> {
            root.entry("rules").unwrap().0
        }
        fn first_level_key(root: Node<'_>) -> Node<'_> {
            let first = root.get("rules").unwrap().items().next().unwrap();
            first.entry("level").unwrap().0
        }
        type Find = fn(Node<'_>) -> Node<'_>;
        let cases: [(&str, Find, &str); 3] = [
            (
                "apiVersion: audit.k8s.io/v1\nrules:\n    - level: Metadata\n",
                rules_key,
                "apiVersion: audit.k8s.io/v1\nomitStages: [RequestReceived]\nrules:\n    - level: Metadata\n",
            ),
            (
                "rules:\n    - level: Metadata\n",
                first_level_key,
                "rules:\n    - omitStages: [RequestReceived]\n      level: Metadata\n",
            ),
            (
                "{rules: [{level: Metadata}]}",
                rules_key,
                "{omitStages: [RequestReceived], rules: [{level: Metadata}]}",
            ),
        ];
        let omit = Value::list(["RequestReceived"]);
        for (text, key, expected) in cases {
            let out = edited(text, key, |e, k| {
                e.entry_before(k.span(), "omitStages", &omit)
            });
            assert_eq!(out, expected);
        }
    }

    #[test]
    fn append_entry_nests_block_values_in_the_layout() {
        let text =
            "spec:\n    securityContext:\n        runAsUser: 1 # uid\n\n    containers: []\n";
        let profile = Value::map([("type", Value::scalar("RuntimeDefault"))]);
        let out = edited(
            text,
            |r| r.path(&["spec", "securityContext"]).unwrap(),
            |e, sc| e.append_entry(sc.span(), "seccompProfile", &profile),
        );
        assert_eq!(
            out,
            "spec:\n    securityContext:\n        runAsUser: 1 # uid\n        seccompProfile:\n            type: RuntimeDefault\n\n    containers: []\n"
        );
        for (text, fixed) in [
            (
                "securityContext: {runAsUser: 1}\n",
                "securityContext: {runAsUser: 1, seccompProfile: {type: RuntimeDefault}}\n",
            ),
            (
                "securityContext: {}\n",
                "securityContext: {seccompProfile: {type: RuntimeDefault}}\n",
            ),
        ] {
            let out = edited(
                text,
                |r| r.get("securityContext").unwrap(),
                |e, sc| e.append_entry(sc.span(), "seccompProfile", &profile),
            );
            assert_eq!(out, fixed);
        }
    }

    #[test]
    fn replace_scalar_keeps_its_quotes() {
        let text = "a: \"Unconfined\"\nb: 'x'\nc: None\n";
        let e = Editor::new(text);
        let edits = [
            e.replace_scalar(Span::new(3, 15), "RuntimeDefault")
                .unwrap(),
            e.replace_scalar(Span::new(19, 22), "y").unwrap(),
            e.replace_scalar(Span::new(26, 30), "Metadata").unwrap(),
        ];
        assert_eq!(
            apply(text, &edits).unwrap(),
            "a: \"RuntimeDefault\"\nb: 'y'\nc: Metadata\n"
        );
    }

    /// Every operation on every node of odd documents: no panic, whatever comes out.
    #[test]
    fn any_node_any_operation_never_panics() {
        let texts = [
            "a: &x [1, *x]\n- b\n",
            "? complex\n: key\n",
            "k: |\n  block\n  text\n# end",
            "[{a: 1}, - ]",
            "- - - x\n- {a: [b, {c: d}]}\r\n",
            "é: ü\n  - ß",
        ];
        let value = Value::map([("k", Value::list(["v"]))]);
        for text in texts {
            let (items, _) = parse_all(text);
            let e = Editor::new(text);
            for item in &items {
                let Item::Document(doc) = item else { continue };
                let spans: Vec<Span> = doc.nodes.iter().map(|n| n.span).collect();
                let far = Span::new(text.len() + 3, text.len() + 9);
                for &s in spans.iter().chain([&far, &Span::new(1, 2)]) {
                    let edits = [
                        e.item_after(s, &value),
                        e.item_before(s, &value),
                        e.append_item(s, None, &value),
                        e.remove_item(s),
                        e.entry_before(s, "k", &value),
                        e.append_entry(s, "k", &value),
                        e.remove_entry(s, s),
                        e.replace_scalar(s, "v"),
                    ];
                    for edit in edits.into_iter().flatten() {
                        let _ = apply(text, &[edit]);
                    }
                    let _ = e.key_of(s);
                }
            }
        }
    }

    #[test]
    fn key_of_a_value() {
        let text = "a:\n  omitStages:\n  - x\nb: {\"omitStages\": [x]}\n- k: v\n";
        let e = Editor::new(text);
        let key = |v: &str| {
            let at = text.find(v).unwrap();
            e.key_of(Span::new(at, at + v.len()))
                .map(|k| &text[k.start..k.end])
        };
        assert_eq!(key("- x"), Some("omitStages"));
        assert_eq!(key("[x]"), Some("\"omitStages\""));
        assert_eq!(key("v\n"), Some("k"));
        assert_eq!(e.key_of(Span::new(0, 1)), None);
    }

    #[test]
    fn remove_block_and_flow_entries() {
        let text = "annotations:\r\n  a: x\r\n  b: |\r\n    y\r\n  c: z\r\n";
        let out = edited(
            text,
            |r| r.get("annotations").unwrap(),
            |e, m| {
                let (k, v) = m.entries().nth(1).unwrap();
                e.remove_entry(k.span(), v.span())
            },
        );
        assert_eq!(out, "annotations:\r\n  a: x\r\n  c: z\r\n");
        let text = "annotations: {a: x, b: y}\n";
        let out = edited(
            text,
            |r| r.get("annotations").unwrap(),
            |e, m| {
                let (k, v) = m.entries().next().unwrap();
                e.remove_entry(k.span(), v.span())
            },
        );
        assert_eq!(out, "annotations: {b: y}\n");
    }

    #[test]
    fn edits_inside_a_configmap_block_keep_its_indentation() {
        let text = "kind: ConfigMap\r\ndata:\r\n  policy.yaml: |\r\n    rules:\r\n    - level: Request\r\n  other: x\r\n";
        let doc = first_doc(text);
        let value = doc.root().unwrap().path(&["data", "policy.yaml"]).unwrap();
        let inner = crate::yaml::parse_embedded(text, value);
        let Item::Document(policy) = &inner[0] else {
            panic!()
        };
        let item = policy
            .root()
            .unwrap()
            .get("rules")
            .unwrap()
            .items()
            .next()
            .unwrap();
        let editor = Editor::within(text, policy.span);
        let before = editor.item_before(item.span(), &guard()).unwrap();
        let after = editor
            .item_after(
                item.span(),
                &Value::map([("level", Value::scalar("Metadata"))]),
            )
            .unwrap();
        let out = apply(text, &[before, after]).unwrap();
        assert_eq!(
            out,
            "kind: ConfigMap\r\ndata:\r\n  policy.yaml: |\r\n    rules:\r\n    - level: Metadata\r\n      resources:\r\n      - group: \"\"\r\n        resources: [secrets]\r\n    - level: Request\r\n    - level: Metadata\r\n  other: x\r\n"
        );
    }
}
