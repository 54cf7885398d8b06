//! Edits computed on the text of a string value — a Policy in a ConfigMap's `|` block, a
//! Cluster API `files[].content` — moved into the file that holds the string. The parse of
//! the string already maps its spans into the file ([`crate::yaml::parse_embedded`]); this
//! maps an edit's span the same way ([`OffsetMap`]) and gives every line it adds the
//! block's indentation and the file's newline.
//!
//! Only a `|` block can take new lines; a quoted or plain string takes only edits within
//! one line (an escaped `\n` would have to be written back escaped).

use super::Edit;
use crate::yaml::{OffsetMap, Span};

/// The edit of the file `outer` that makes `edit` (of the string mapped by `map`); `None`
/// when the edit cannot be written in that string.
pub fn to_file(outer: &str, map: &OffsetMap, edit: &Edit) -> Option<Edit> {
    let start = map.offset(edit.span.start)?;
    let end = map.offset(edit.span.end)?;
    if end < start || outer.get(start..end).is_none() {
        return None;
    }
    let text = &edit.replacement;
    if !text.contains('\n') {
        return Some(Edit::replace(Span::new(start, end), text.clone()));
    }
    let width = map.block_indent()?;
    let indent = " ".repeat(width);
    // The end of the string maps into the indentation of the line after the block: that
    // point is the start of that line, outside the block.
    let outside = |at: usize| {
        let line = outer[..at].rfind('\n').map_or(0, |i| i + 1);
        let blank = outer[line..at].bytes().all(|b| b == b' ');
        if blank && at - line < width {
            line
        } else {
            at
        }
    };
    let (start, end) = (outside(start), outside(end));
    let newline = super::layout::newline_of(outer);
    // The end of the string maps to the start of the line after the block: what is inserted
    // there is indented here, and what follows it is not the block's.
    let line_start = |at: usize| at == 0 || outer[..at].ends_with('\n');
    let mut out = String::new();
    let pieces: Vec<&str> = text.split('\n').collect();
    for (i, piece) in pieces.iter().enumerate() {
        let piece = piece.trim_end_matches('\r');
        let last = i + 1 == pieces.len();
        let indented = if i == 0 {
            line_start(start) && !piece.is_empty()
        } else if last && piece.is_empty() {
            !line_start(end)
        } else {
            !piece.is_empty()
        };
        if i > 0 {
            out.push_str(newline);
        }
        if indented {
            out.push_str(&indent);
        }
        out.push_str(piece);
    }
    Some(Edit::replace(Span::new(start, end), out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::apply;
    use crate::yaml::{embedded_text, parse_all, Item};

    /// The string at `data.policy` of `text`, with its offset map.
    fn string(text: &str) -> (String, OffsetMap) {
        let (items, _) = parse_all(text);
        let Some(Item::Document(doc)) = items.into_iter().next() else {
            panic!("does not parse:\n{text}")
        };
        let node = doc.root().unwrap().path(&["data", "policy"]).unwrap();
        embedded_text(text, node).unwrap()
    }

    /// Applies `edit(inner)` to the string at `data.policy` of `outer`, and checks that the
    /// string read back from the result is the edited inner text.
    fn round_trip(outer: &str, edit: impl Fn(&str) -> Edit) -> String {
        let (inner, map) = string(outer);
        let inner_edit = edit(&inner);
        let expected = apply(&inner, std::slice::from_ref(&inner_edit)).unwrap();
        let file_edit = to_file(outer, &map, &inner_edit).expect("mappable");
        let out = apply(outer, &[file_edit]).unwrap();
        assert_eq!(string(&out).0, expected, "in\n{out}");
        out
    }

    const TWO: &str = "data:\n  policy: |\n    rules:\n    - level: Request\n  other: x\n";

    #[test]
    fn insertions_take_the_block_indentation() {
        let out = round_trip(TWO, |inner| {
            Edit::insert(
                inner.find("- level").unwrap(),
                "- level: None\n  users: [a]\n",
            )
        });
        assert_eq!(
            out,
            "data:\n  policy: |\n    rules:\n    - level: None\n      users: [a]\n    - level: Request\n  other: x\n"
        );
        let out = round_trip(TWO, |inner| {
            Edit::insert(inner.len(), "- level: Metadata\n")
        });
        assert_eq!(
            out,
            "data:\n  policy: |\n    rules:\n    - level: Request\n    - level: Metadata\n  other: x\n"
        );
    }

    #[test]
    fn four_spaces_crlf_and_a_strip_block() {
        let outer = "data:\r\n    policy: |-\r\n        rules:\r\n            - level: Request\r\n";
        let out = round_trip(outer, |inner| {
            Edit::insert(inner.len(), "\n    - level: Metadata")
        });
        assert_eq!(
            out,
            "data:\r\n    policy: |-\r\n        rules:\r\n            - level: Request\r\n            - level: Metadata\r\n"
        );
    }

    #[test]
    fn replacements_within_a_line_map_in_any_style() {
        let outer = "data:\n  policy: '{\"kind\": \"Policy\", \"level\": \"Requst\"}'\n";
        let out = round_trip(outer, |inner| {
            let at = inner.find("Requst").unwrap();
            Edit::replace(Span::new(at, at + 6), "Request")
        });
        assert!(out.contains("\"Request\""), "{out}");
    }

    #[test]
    fn new_lines_in_a_quoted_string_are_refused() {
        let outer = "data:\n  policy: \"rules:\\n- level: Request\\n\"\n";
        let (inner, map) = string(outer);
        let edit = Edit::insert(inner.len(), "- level: Metadata\n");
        assert_eq!(to_file(outer, &map, &edit), None);
    }
}
