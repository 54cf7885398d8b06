//! The document tree: an arena of nodes, each with the byte span it was parsed from.
//!
//! Aliases are kept as references to their anchor's node and never copied, so an alias
//! bomb costs memory proportional to its text. Code that walks a whole subtree must use
//! [`Node::to_json`], which has a node budget.

use super::Span;

pub type NodeId = u32;

/// How a scalar was written; Kubernetes resolves only plain scalars to non-strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug)]
pub(crate) enum Value {
    Scalar {
        text: Box<str>,
        style: Style,
        tag: Option<Box<str>>,
    },
    Seq(Vec<NodeId>),
    Map(Vec<(NodeId, NodeId)>),
    Alias(NodeId),
}

#[derive(Debug)]
pub(crate) struct NodeData {
    pub(crate) value: Value,
    pub(crate) span: Span,
}

/// A mapping key that appears twice in one mapping.
#[derive(Debug, Clone)]
pub struct DuplicateKey {
    pub key: String,
    pub first: Span,
    pub second: Span,
}

/// One YAML document of a stream.
#[derive(Debug)]
pub struct Document {
    pub(crate) nodes: Vec<NodeData>,
    pub(crate) root: Option<NodeId>,
    /// Position of this document in its stream, from 0 (broken documents count too).
    pub index: usize,
    /// From the `---` (or first content) to the end of the document's content.
    pub span: Span,
    /// The Helm template named by a `# Source:` comment right before the document.
    pub template: Option<String>,
    pub duplicates: Vec<DuplicateKey>,
}

impl Document {
    pub fn root(&self) -> Option<Node<'_>> {
        self.root.map(|id| Node { doc: self, id })
    }

    /// Where a Go template action (`{{ .Values.x }}`) was parsed as a flow mapping: the
    /// sign of an unrendered template that happens to be valid YAML.
    pub fn template_action(&self, text: &str) -> Option<Span> {
        self.nodes
            .iter()
            .find(|n| {
                matches!(n.value, Value::Map(_))
                    && text
                        .get(n.span.start..)
                        .is_some_and(|t| t.starts_with("{{"))
            })
            .map(|n| n.span)
    }
}

/// A borrowed handle on one node. Copy it freely.
#[derive(Clone, Copy)]
pub struct Node<'d> {
    doc: &'d Document,
    id: NodeId,
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node({} @{:?})", self.kind_name(), self.span())
    }
}

impl<'d> Node<'d> {
    fn data(self) -> &'d NodeData {
        &self.doc.nodes[self.id as usize]
    }

    /// The value behind an alias (one hop: an anchor is always a real node).
    fn target(self) -> &'d NodeData {
        match self.data().value {
            Value::Alias(id) => &self.doc.nodes[id as usize],
            _ => self.data(),
        }
    }

    fn at(self, id: NodeId) -> Node<'d> {
        Node { doc: self.doc, id }
    }

    /// Where this node was written (for an alias: the `*name`).
    pub fn span(self) -> Span {
        self.data().span
    }

    pub fn document(self) -> &'d Document {
        self.doc
    }

    pub fn is_alias(self) -> bool {
        matches!(self.data().value, Value::Alias(_))
    }

    pub fn is_map(self) -> bool {
        matches!(self.target().value, Value::Map(_))
    }

    pub fn is_seq(self) -> bool {
        matches!(self.target().value, Value::Seq(_))
    }

    pub fn is_scalar(self) -> bool {
        matches!(self.target().value, Value::Scalar { .. })
    }

    /// The scalar's text after YAML escapes, whatever its style; `None` for collections.
    pub fn text(self) -> Option<&'d str> {
        match &self.target().value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn style(self) -> Option<Style> {
        match &self.target().value {
            Value::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    /// The explicit tag suffix (`str` for `!!str`), if any.
    pub fn tag(self) -> Option<&'d str> {
        match &self.target().value {
            Value::Scalar { tag, .. } => tag.as_deref(),
            _ => None,
        }
    }

    /// The value as Kubernetes (go-yaml v2) would decode it.
    pub fn scalar(self) -> Option<super::Scalar<'d>> {
        let text = self.text()?;
        Some(super::scalar::resolve(text, self.style()?, self.tag()))
    }

    /// A string value: quoted scalars, and plain ones Kubernetes would read as strings.
    /// Numbers and booleans written plain are returned as written (`30`, `true`), because
    /// Kubernetes string fields accept them that way in `extraArgs` and annotations.
    pub fn str(self) -> Option<&'d str> {
        (!self.is_null()).then_some(self.text()?)
    }

    pub fn is_null(self) -> bool {
        let (Some(text), Some(style)) = (self.text(), self.style()) else {
            return false;
        };
        super::scalar::is_null(text, style, self.tag())
    }

    /// Entries of a mapping in source order (duplicates included); empty otherwise.
    pub fn entries(self) -> impl Iterator<Item = (Node<'d>, Node<'d>)> + 'd {
        let pairs: &'d [(NodeId, NodeId)] = match &self.target().value {
            Value::Map(pairs) => pairs,
            _ => &[],
        };
        let doc = self.doc;
        pairs
            .iter()
            .map(move |&(k, v)| (Node { doc, id: k }, Node { doc, id: v }))
    }

    /// Items of a sequence; empty otherwise.
    pub fn items(self) -> impl Iterator<Item = Node<'d>> + 'd {
        let ids: &'d [NodeId] = match &self.target().value {
            Value::Seq(ids) => ids,
            _ => &[],
        };
        let doc = self.doc;
        ids.iter().map(move |&id| Node { doc, id })
    }

    pub fn len(self) -> usize {
        match &self.target().value {
            Value::Seq(ids) => ids.len(),
            Value::Map(pairs) => pairs.len(),
            _ => 0,
        }
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The value of `key` in a mapping; the last one wins, as in Kubernetes.
    pub fn get(self, key: &str) -> Option<Node<'d>> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value node of `key` (the last occurrence).
    pub fn entry(self, key: &str) -> Option<(Node<'d>, Node<'d>)> {
        match &self.target().value {
            Value::Map(pairs) => pairs
                .iter()
                .rev()
                .find(|&&(k, _)| self.at(k).text() == Some(key))
                .map(|&(k, v)| (self.at(k), self.at(v))),
            _ => None,
        }
    }

    /// Follows a path of mapping keys.
    pub fn path(self, keys: &[&str]) -> Option<Node<'d>> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// Shorthand for `get(key)?.str()`.
    pub fn get_str(self, key: &str) -> Option<&'d str> {
        self.get(key)?.str()
    }

    /// A human name for the node's type, as used in messages ("a mapping").
    pub fn kind_name(self) -> &'static str {
        match &self.target().value {
            Value::Map(_) => "mapping",
            Value::Seq(_) => "list",
            Value::Scalar { .. } => match self.scalar() {
                Some(super::Scalar::Null) => "null",
                Some(super::Scalar::Bool(_)) => "boolean",
                Some(super::Scalar::Int(_)) | Some(super::Scalar::Float(_)) => "number",
                _ => "string",
            },
            Value::Alias(_) => "alias",
        }
    }

    /// Converts the subtree to JSON the way Kubernetes would read it, visiting at most
    /// `budget` nodes (aliases are expanded, so this is where an alias bomb is stopped).
    pub fn to_json(self, budget: &mut usize) -> Result<serde_json::Value, TooLarge> {
        use serde_json::Value as J;
        if *budget == 0 {
            return Err(TooLarge);
        }
        *budget -= 1;
        Ok(match &self.target().value {
            Value::Scalar { .. } => match self.scalar().unwrap_or(super::Scalar::Null) {
                super::Scalar::Null => J::Null,
                super::Scalar::Bool(b) => J::Bool(b),
                super::Scalar::Int(i) => J::from(i),
                super::Scalar::Float(f) => {
                    serde_json::Number::from_f64(f).map_or(J::Null, J::Number)
                }
                super::Scalar::Str(s) => J::String(s.to_owned()),
            },
            Value::Seq(_) => J::Array(
                self.items()
                    .map(|n| n.to_json(budget))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Map(_) => {
                let mut map = serde_json::Map::new();
                for (k, v) in self.entries() {
                    let key = k.text().unwrap_or("").to_owned();
                    map.insert(key, v.to_json(budget)?);
                }
                J::Object(map)
            }
            Value::Alias(_) => J::Null,
        })
    }

    /// Finds the node at a JSON pointer (`/rules/0/level`), as produced by schema validators.
    pub fn pointer(self, pointer: &str) -> Option<Node<'d>> {
        let mut node = self;
        for raw in pointer.split('/').skip(1) {
            let part = raw.replace("~1", "/").replace("~0", "~");
            node = if node.is_seq() {
                node.items().nth(part.parse().ok()?)?
            } else {
                node.get(&part)?
            };
        }
        Some(node)
    }
}

/// A subtree larger than the node budget (usually an alias bomb).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;
