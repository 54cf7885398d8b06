//! YAML held inside a string of another YAML file: a Policy in a ConfigMap's `data`, a
//! `ClusterConfiguration` in a kind `kubeadmConfigPatches` entry. The inner documents are
//! parsed on their own and every span is moved back into the outer file, so diagnostics
//! point at the right line inside the string.

use super::parse::{parse_stream, Item};
use super::tree::Style;
use super::{Node, Span};

/// Parses the string value `node` (from the file whose text is `outer`) as a YAML stream.
/// Returns the documents and syntax errors with spans in the outer file's coordinates.
pub fn parse_embedded(outer: &str, node: Node<'_>) -> Vec<Item> {
    let Some(inner) = node.text() else {
        return Vec::new();
    };
    let map = OffsetMap::new(
        outer,
        node.span(),
        inner,
        node.style().unwrap_or(Style::Plain),
    );
    let mut items = Vec::new();
    parse_stream(inner, |item| items.push(item));
    for item in &mut items {
        match item {
            Item::Document(doc) => {
                for n in &mut doc.nodes {
                    n.span = map.span(n.span);
                }
                doc.span = map.span(doc.span);
                for d in &mut doc.duplicates {
                    d.first = map.span(d.first);
                    d.second = map.span(d.second);
                }
            }
            Item::Error(e) => e.span = map.span(e.span),
        }
    }
    items
}

/// The text of the string value `node` (of the file whose text is `outer`), with the map of
/// its offsets back into the outer file: for strings that are not YAML (an agent's
/// configuration in a ConfigMap).
pub fn embedded_text(outer: &str, node: Node<'_>) -> Option<(String, OffsetMap)> {
    let inner = node.text()?;
    let map = OffsetMap::new(
        outer,
        node.span(),
        inner,
        node.style().unwrap_or(Style::Plain),
    );
    Some((inner.to_owned(), map))
}

/// Maps byte offsets in the unescaped string to byte offsets in the outer file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetMap {
    /// (start of an inner line, where that line's text starts in the outer file)
    lines: Vec<(usize, usize)>,
    fallback: Span,
    /// The indentation of a `|` block's lines in the outer file: what a new line needs.
    block_indent: Option<usize>,
}

impl OffsetMap {
    fn new(outer: &str, scalar: Span, inner: &str, style: Style) -> Self {
        let fallback = scalar;
        let raw = outer.get(scalar.start..scalar.end).unwrap_or("");
        let (lines, block_indent) = match style {
            Style::Literal => match literal_lines(outer, scalar, inner) {
                (lines, indent) if !lines.is_empty() => (lines, Some(indent)),
                _ => (Vec::new(), None),
            },
            // A one-line string with no escapes appears verbatim after its opening quote.
            _ if !inner.contains('\n') => match raw.find(inner) {
                Some(at) if !inner.is_empty() => (vec![(0, scalar.start + at)], None),
                _ => (Vec::new(), None),
            },
            _ => (Vec::new(), None),
        };
        OffsetMap {
            lines,
            fallback,
            block_indent,
        }
    }

    /// The indentation of the lines of a `|` block in the outer file; `None` for a string
    /// in another style, where a new line cannot be written as such.
    pub fn block_indent(&self) -> Option<usize> {
        self.block_indent
    }

    /// Where byte `inner` of the string is in the outer file, when it can be mapped.
    pub fn offset(&self, inner: usize) -> Option<usize> {
        let i = self
            .lines
            .partition_point(|&(start, _)| start <= inner)
            .checked_sub(1)?;
        let (start, outer) = self.lines[i];
        Some(outer + (inner - start))
    }

    /// `span` of the string, in the outer file (the whole value when it cannot be mapped).
    pub fn span(&self, span: Span) -> Span {
        match (self.offset(span.start), self.offset(span.end)) {
            (Some(s), Some(e)) => Span::new(s, e.max(s)),
            _ => self.fallback,
        }
    }
}

/// For a `|` block: inner line k is outer content line k with its indentation removed.
/// Returns the lines (none when they do not match) and the indentation.
fn literal_lines(outer: &str, scalar: Span, inner: &str) -> (Vec<(usize, usize)>, usize) {
    let raw = outer.get(scalar.start..scalar.end).unwrap_or("");
    // The span may begin at the `|` header or at the first content character.
    let body_start = if raw.starts_with('|') {
        match raw.find('\n') {
            Some(i) => scalar.start + i + 1,
            None => return (Vec::new(), 0),
        }
    } else {
        outer[..scalar.start].rfind('\n').map_or(0, |i| i + 1)
    };
    let body = outer.get(body_start..scalar.end).unwrap_or("");
    let indent = body
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let mut out = Vec::new();
    let mut outer_pos = body_start;
    let mut inner_pos = 0;
    for (outer_line, inner_line) in body.split('\n').zip(inner.split('\n')) {
        let content = outer_line.get(indent..).unwrap_or("");
        if content.trim_end_matches('\r') != inner_line.trim_end_matches('\r')
            && !inner_line.is_empty()
        {
            return (Vec::new(), 0);
        }
        out.push((inner_pos, outer_pos + indent.min(outer_line.len())));
        outer_pos += outer_line.len() + 1;
        inner_pos += inner_line.len() + 1;
    }
    (out, indent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_stream;

    fn first_doc(text: &str) -> crate::yaml::Document {
        let mut docs = Vec::new();
        parse_stream(text, |i| {
            if let Item::Document(d) = i {
                docs.push(d)
            }
        });
        docs.remove(0)
    }

    #[test]
    fn literal_block_spans_point_into_the_outer_file() {
        let outer = "kind: ConfigMap\ndata:\n  policy.yaml: |\n    apiVersion: audit.k8s.io/v1\n    rules:\n    - level: Metadta\n";
        let doc = first_doc(outer);
        let value = doc.root().unwrap().path(&["data", "policy.yaml"]).unwrap();
        let items = parse_embedded(outer, value);
        let Item::Document(inner) = &items[0] else {
            panic!("no document")
        };
        let level = inner
            .root()
            .unwrap()
            .get("rules")
            .unwrap()
            .items()
            .next()
            .unwrap()
            .get("level")
            .unwrap();
        let s = level.span();
        assert_eq!(&outer[s.start..s.end], "Metadta");
    }

    #[test]
    fn quoted_single_line_json_maps_verbatim() {
        let outer = "data:\n  p: '{\"kind\": \"Policy\"}'\n";
        let doc = first_doc(outer);
        let value = doc.root().unwrap().path(&["data", "p"]).unwrap();
        let items = parse_embedded(outer, value);
        let Item::Document(inner) = &items[0] else {
            panic!()
        };
        let kind = inner.root().unwrap().get("kind").unwrap();
        assert_eq!(&outer[kind.span().start..kind.span().end], "\"Policy\"");
    }
}
