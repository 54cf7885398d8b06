//! One pass over a YAML (or JSON) stream: events become document trees with byte spans.
//!
//! A broken document is reported and skipped; parsing resumes at the next `---`, so one
//! bad document never hides the rest of a stream. The items of a list are documents of
//! their own as soon as they are parsed ([`Builder::detach`]), so in a list broken halfway
//! the items before the break are still checked, beside the syntax error.

use std::collections::HashMap;

use granit_parser::{Event, Marker, Parser, ScalarStyle, ScanError};

use super::tree::{DuplicateKey, NodeData, NodeId, Style, Value};
use super::{Comment, Document, Span, SyntaxError};

/// What the stream yields, in order.
#[derive(Debug)]
pub enum Item {
    Document(Document),
    Error(SyntaxError),
}

/// Everything of one stream except the documents, which go to the callback as they finish
/// (so memory is bounded by the largest document).
#[derive(Debug, Default)]
pub struct StreamInfo {
    pub comments: Vec<Comment>,
    pub documents: usize,
}

/// Parses `text`, calling `on_item` for each document or syntax error in order.
pub fn parse_stream(text: &str, mut on_item: impl FnMut(Item)) -> StreamInfo {
    // Long runs of comments (commented-out blocks) are common in real manifests; the buffer
    // grows only with comments actually present, so a high cap costs nothing otherwise.
    let options = granit_parser::options! { max_buffered_comment_events: 1 << 20 };
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut info = StreamInfo::default();
    let mut builder: Option<Builder> = None;
    // Comments seen since the previous document finished: a `# Source:` among them names
    // the template of the next document.
    let mut source_comment: Option<(String, usize)> = None;
    let mut last_error_at: Option<usize> = None;
    while let Some(next) = parser.next() {
        match next {
            Ok((event, span)) => {
                let span = Span::new(offset(text, &span.start), offset(text, &span.end));
                match event {
                    Event::StreamStart | Event::StreamEnd => {}
                    Event::DocumentStart(..) => {
                        builder = Some(Builder::new(info.documents, span.start));
                    }
                    Event::DocumentEnd => {
                        if let Some(mut b) = builder.take() {
                            let root_start = b.root.map(|r| b.nodes[r as usize].span.start);
                            if let Some((name, at)) = source_comment.take() {
                                if root_start.is_none_or(|r| at <= r) {
                                    b.template = Some(name);
                                } else {
                                    source_comment = Some((name, at));
                                }
                            }
                            info.documents += 1;
                            on_item(checked(b.finish()));
                        }
                    }
                    Event::Comment(comment, _) => {
                        if let Some(name) = comment.trim().strip_prefix("Source:") {
                            source_comment = Some((name.trim().to_owned(), span.start));
                        }
                        info.comments.push(Comment {
                            text: comment.into_owned(),
                            span,
                        });
                    }
                    other => {
                        if let Some(b) = builder.as_mut() {
                            b.event(other, span);
                            for mut item in b.detached.drain(..) {
                                item.template = source_comment.as_ref().map(|(n, _)| n.clone());
                                on_item(checked(item));
                            }
                        }
                    }
                }
            }
            Err(error) => {
                let at = offset(text, error.marker()).min(text.len());
                let stuck = last_error_at.is_some_and(|prev| at <= prev);
                last_error_at = Some(at);
                info.documents += 1;
                builder = None;
                on_item(Item::Error(syntax_error(text, &error, at)));
                if stuck || !matches!(parser.proceed_next_document(), Ok(true)) {
                    break;
                }
            }
        }
    }
    info
}

/// The document, unless Kubernetes would refuse to decode it (an alias bomb).
fn checked(doc: Document) -> Item {
    match super::aliasing::check(&doc) {
        None => Item::Document(doc),
        Some(rejected) => Item::Error(SyntaxError {
            message: rejected.message,
            span: rejected.span,
        }),
    }
}

fn syntax_error(text: &str, error: &ScanError, at: usize) -> SyntaxError {
    let message = error.info();
    let message = if message.is_empty() {
        format!("{:?}", error.kind())
    } else {
        message
    };
    // Point at the character, not the gap after it, unless at the very end.
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    SyntaxError {
        message,
        span: Span::new(at, end),
    }
}

fn offset(text: &str, marker: &Marker) -> usize {
    match marker.byte_offset() {
        Some(b) => b,
        None => text
            .char_indices()
            .nth(marker.index())
            .map_or(text.len(), |(b, _)| b),
    }
}

/// Mappings with this many keys get a key index for duplicate detection.
const WIDE: usize = 32;

/// A collection still being built.
struct Open {
    id: NodeId,
    pending_key: Option<NodeId>,
    keys: Option<HashMap<Box<str>, NodeId>>,
}

impl Open {
    fn new(id: NodeId) -> Self {
        Open {
            id,
            pending_key: None,
            keys: None,
        }
    }
}

/// Builds one document's arena from its events, without recursion.
struct Builder {
    nodes: Vec<NodeData>,
    root: Option<NodeId>,
    /// Open collections: the node, for a mapping a pending key, and (for wide mappings) an
    /// index of the keys seen so far.
    stack: Vec<Open>,
    /// Anchor id → node; a redefined anchor replaces the earlier one, as aliases expect.
    anchors: HashMap<usize, NodeId>,
    index: usize,
    start: usize,
    end: usize,
    template: Option<String>,
    duplicates: Vec<DuplicateKey>,
    /// The top-level `items` sequence while it is open.
    items: Option<NodeId>,
    /// The highest node that carries an anchor: an item at or before it may be aliased later.
    last_anchored: Option<NodeId>,
    /// Items of `items` split off as documents of their own, for the stream to hand on.
    detached: Vec<Document>,
}

impl Builder {
    fn new(index: usize, start: usize) -> Self {
        Builder {
            nodes: Vec::new(),
            root: None,
            stack: Vec::new(),
            anchors: HashMap::new(),
            index,
            start,
            end: start,
            template: None,
            duplicates: Vec::new(),
            items: None,
            last_anchored: None,
            detached: Vec::new(),
        }
    }

    fn event(&mut self, event: Event<'_>, span: Span) {
        self.end = self.end.max(span.end);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map(|t| t.suffix().into());
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                let id = self.push(
                    Value::Scalar {
                        text: text.into(),
                        style,
                        tag,
                    },
                    span,
                    anchor,
                );
                self.attach(id);
            }
            Event::SequenceStart(_, anchor, _) => {
                let top_level_items = self.stack.len() == 1 && self.pending_key_is("items");
                let id = self.push(Value::Seq(Vec::new()), span, anchor);
                self.stack.push(Open::new(id));
                if top_level_items {
                    self.items = Some(id);
                }
            }
            Event::MappingStart(_, anchor, _) => {
                let id = self.push(Value::Map(Vec::new()), span, anchor);
                self.stack.push(Open::new(id));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(Open { id, .. }) = self.stack.pop() {
                    let node = &mut self.nodes[id as usize];
                    node.span.end = node.span.end.max(span.end);
                    let id = self.detach(id).unwrap_or(id);
                    self.attach(id);
                }
            }
            Event::Alias(anchor) => {
                let value = match self.anchors.get(&anchor).copied() {
                    Some(target) => Value::Alias(target),
                    None => Value::Scalar {
                        text: "".into(),
                        style: Style::Plain,
                        tag: None,
                    },
                };
                let id = self.push(value, span, 0);
                self.attach(id);
            }
            _ => {}
        }
    }

    fn push(&mut self, value: Value, span: Span, anchor: usize) -> NodeId {
        let id = self.nodes.len() as NodeId;
        self.nodes.push(NodeData { value, span });
        if anchor != 0 {
            self.anchors.insert(anchor, id);
            self.last_anchored = Some(id);
        }
        id
    }

    /// Whether the open mapping's pending key is the plain scalar `key`.
    fn pending_key_is(&self, key: &str) -> bool {
        let Some(Open {
            pending_key: Some(k),
            ..
        }) = self.stack.last()
        else {
            return false;
        };
        matches!(&self.nodes[*k as usize].value, Value::Scalar { text, .. } if &**text == key)
    }

    /// Splits a just-finished item of the top-level `items` sequence off into a document of
    /// its own, and returns the null placeholder left in its place. kubectl treats any object
    /// whose `items` is a list as a list of objects (`Unstructured.IsList`), and `kubectl get
    /// -o json` puts `kind: List` after `items`, so the split cannot wait for the kind: it
    /// is what keeps a 200 MB single-line list from being held as one tree. An item that
    /// is not an object (no `kind`), holds an anchor or aliases outside itself stays.
    fn detach(&mut self, id: NodeId) -> Option<NodeId> {
        let in_items = self.stack.len() == 2 && self.items == self.stack.last().map(|o| o.id);
        let Value::Map(pairs) = &self.nodes[id as usize].value else {
            return None;
        };
        if !in_items {
            return None;
        }
        let has_kind = pairs.iter().any(|&(k, _)| {
            matches!(&self.nodes[k as usize].value, Value::Scalar { text, .. } if &**text == "kind")
        });
        let anchored = self.last_anchored.is_some_and(|a| a >= id);
        let aliases_out = self.nodes[id as usize..]
            .iter()
            .any(|n| matches!(n.value, Value::Alias(target) if target < id));
        if !has_kind || anchored || aliases_out {
            return None;
        }
        let mut nodes: Vec<NodeData> = self.nodes.drain(id as usize..).collect();
        for node in &mut nodes {
            match &mut node.value {
                Value::Seq(items) => items.iter_mut().for_each(|i| *i -= id),
                Value::Map(pairs) => pairs.iter_mut().for_each(|(k, v)| {
                    *k -= id;
                    *v -= id;
                }),
                Value::Alias(target) => *target -= id,
                Value::Scalar { .. } => {}
            }
        }
        let span = nodes[0].span;
        let (duplicates, outside) = std::mem::take(&mut self.duplicates)
            .into_iter()
            .partition(|d| d.second.start >= span.start);
        self.duplicates = outside;
        self.detached.push(Document {
            nodes,
            root: Some(0),
            index: self.index,
            span,
            template: None,
            duplicates,
        });
        let null = Value::Scalar {
            text: "".into(),
            style: Style::Plain,
            tag: None,
        };
        Some(self.push(null, span, 0))
    }

    /// Places a finished node into its parent (or as the root).
    fn attach(&mut self, id: NodeId) {
        let Some(&Open {
            id: parent,
            pending_key,
            ..
        }) = self.stack.last()
        else {
            self.root = Some(id);
            return;
        };
        // A collection that was just opened is still on the stack; it attaches when it ends.
        if parent == id {
            return;
        }
        let is_map = matches!(self.nodes[parent as usize].value, Value::Map(_));
        if !is_map {
            if let Value::Seq(items) = &mut self.nodes[parent as usize].value {
                items.push(id);
            }
            return;
        }
        match pending_key {
            None => {
                if let Some(open) = self.stack.last_mut() {
                    open.pending_key = Some(id);
                }
            }
            Some(key) => {
                self.note_duplicate(key);
                if let Value::Map(pairs) = &mut self.nodes[parent as usize].value {
                    pairs.push((key, id));
                }
            }
        }
    }

    /// Records `key` if the open mapping already has it. Small mappings are searched
    /// directly; past [`WIDE`] keys an index is built once, so a mapping with 100k keys
    /// costs O(n), not O(n²).
    fn note_duplicate(&mut self, key: NodeId) {
        let Some(open) = self.stack.last_mut() else {
            return;
        };
        open.pending_key = None;
        let map = open.id;
        let Value::Scalar { text, .. } = &self.nodes[key as usize].value else {
            return;
        };
        let Value::Map(pairs) = &self.nodes[map as usize].value else {
            return;
        };
        // `<<` merge keys may legitimately repeat.
        if &**text == "<<" {
            return;
        }
        let scalar = |id: NodeId| match &self.nodes[id as usize].value {
            Value::Scalar { text, .. } => Some(text.clone()),
            _ => None,
        };
        let earlier = match &mut open.keys {
            Some(keys) => match keys.get(text) {
                Some(&first) => Some(first),
                None => {
                    keys.insert(text.clone(), key);
                    None
                }
            },
            None => {
                let earlier = pairs
                    .iter()
                    .map(|&(k, _)| k)
                    .find(|&k| matches!(&self.nodes[k as usize].value, Value::Scalar { text: t, .. } if t == text));
                if earlier.is_none() && pairs.len() + 1 >= WIDE {
                    // The first occurrence of each key wins the index, as in the scan.
                    let mut keys = HashMap::with_capacity(pairs.len() * 2);
                    for &(k, _) in pairs.iter().chain(std::iter::once(&(key, key))) {
                        if let Some(t) = scalar(k) {
                            keys.entry(t).or_insert(k);
                        }
                    }
                    open.keys = Some(keys);
                }
                earlier
            }
        };
        if let Some(first) = earlier {
            self.duplicates.push(DuplicateKey {
                key: text.to_string(),
                first: self.nodes[first as usize].span,
                second: self.nodes[key as usize].span,
            });
        }
    }

    fn finish(self) -> Document {
        let end = self
            .root
            .map_or(self.end, |r| self.end.max(self.nodes[r as usize].span.end));
        Document {
            nodes: self.nodes,
            root: self.root,
            index: self.index,
            span: Span::new(self.start, end),
            template: self.template,
            duplicates: self.duplicates,
        }
    }
}
