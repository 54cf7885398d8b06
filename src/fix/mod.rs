//! Fixes: text edits at byte spans of the file a finding is in, computed by the rule that
//! raised it. Never a re-serialisation: whatever an edit does not cover (comments, key order,
//! quoting, indentation, line endings) stays byte for byte.
//!
//! The toolkit for writing them: [`yaml_edit::Editor`] inserts and removes sequence items
//! and mapping entries in the style around them ([`layout::Layout`]: newline, indentation,
//! `- ` placement; block or flow), and [`embedded::to_file`] moves an edit made on the text of
//! a string value (a Policy in a ConfigMap) into the file.

pub mod embedded;
pub mod layout;
pub mod yaml_edit;

pub use layout::Layout;
pub use yaml_edit::{Editor, Value};

use crate::yaml::Span;

/// Whether `--fix` applies a fix, or only `--unsafe-fixes` (the edit may change behaviour,
/// as deleting a rule or tightening a profile can).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Safety {
    Safe,
    Unsafe,
}

impl Safety {
    pub fn as_str(self) -> &'static str {
        match self {
            Safety::Safe => "safe",
            Safety::Unsafe => "unsafe",
        }
    }
}

/// One replacement of a byte span of the finding's file; an empty span inserts, an empty
/// replacement deletes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Edit {
            span: Span::new(at, at),
            replacement: text.into(),
        }
    }

    pub fn replace(span: Span, text: impl Into<String>) -> Self {
        Edit {
            span,
            replacement: text.into(),
        }
    }

    pub fn delete(span: Span) -> Self {
        Edit::replace(span, "")
    }
}

/// The repair of one finding: edits applied together, or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub safety: Safety,
    pub edits: Vec<Edit>,
}

/// Two edits that touch the same bytes: they cannot be applied together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    pub first: Span,
    pub second: Span,
}

/// `text` with `edits` applied. Edits are ordered by position; two insertions at the same
/// offset keep their given order. Overlapping edits, or a span outside `text` or off a
/// character boundary, are refused.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, Overlap> {
    let mut order: Vec<&Edit> = edits.iter().collect();
    order.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut last: Option<Span> = None;
    for edit in order {
        let Span { start, end } = edit.span;
        let in_text = start <= end
            && end <= text.len()
            && text.is_char_boundary(start)
            && text.is_char_boundary(end);
        let overlaps = last.is_some_and(|l| start < l.end || (start == l.start && l.end > l.start));
        if !in_text || overlaps {
            return Err(Overlap {
                first: last.unwrap_or(edit.span),
                second: edit.span,
            });
        }
        out.push_str(&text[at..start]);
        out.push_str(&edit.replacement);
        at = end;
        last = Some(edit.span);
    }
    out.push_str(&text[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_insertions_replacements_and_deletions_in_position_order() {
        let text = "a: 1\nb: 2\n";
        let edits = [
            Edit::insert(text.len(), "c: 3\n"),
            Edit::replace(Span::new(3, 4), "10"),
            Edit::delete(Span::new(5, 10)),
        ];
        assert_eq!(apply(text, &edits).unwrap(), "a: 10\nc: 3\n");
    }

    #[test]
    fn insertions_at_one_offset_keep_their_order() {
        let edits = [Edit::insert(0, "x"), Edit::insert(0, "y")];
        assert_eq!(apply("z", &edits).unwrap(), "xyz");
    }

    #[test]
    fn refuses_overlaps_and_spans_outside_the_text() {
        let text = "abcdef";
        let overlapping = [
            Edit::replace(Span::new(0, 3), "x"),
            Edit::replace(Span::new(2, 4), "y"),
        ];
        assert!(apply(text, &overlapping).is_err());
        assert!(apply(text, &[Edit::delete(Span::new(4, 9))]).is_err());
        assert!(apply("é", &[Edit::insert(1, "x")]).is_err());
    }
}
