//! What the human format shows of a file: the lines around a finding's labels, with any
//! very long line cut to windows around the labelled places (`…` marks what is left out).
//!
//! A minified JSON manifest is one line of hundreds of kilobytes; showing it whole is
//! useless, and miette pads labels with a width Rust limits to 65,535 (a panic past that
//! column). The excerpt keeps the original line numbers; only the human format uses it:
//! JSON, SARIF and the other formats report the real columns.

use std::sync::Arc;

use crate::source::SourceFile;
use crate::yaml::Span;

/// Lines longer than this many bytes are windowed.
pub const MAX_LINE: usize = 240;
/// Bytes kept on each side of a labelled place in a windowed line.
const CONTEXT: usize = 60;
/// Lines of context miette shows around a label (its default).
const CONTEXT_LINES: usize = 1;
const ELLIPSIS: &str = "…";

/// The lines of a file around some spans, with long lines windowed.
pub struct Excerpt {
    /// The excerpt's text, read by miette as if it were the file.
    pub file: Arc<SourceFile>,
    /// The original 0-based line number of each line of `file`.
    lines: Vec<usize>,
}

impl Excerpt {
    /// The original line number of the excerpt's 0-based `line`.
    pub fn original_line(&self, line: usize) -> usize {
        match self.lines.get(line) {
            Some(&n) => n,
            None => self
                .lines
                .last()
                .map_or(line, |&n| n + 1 + line - self.lines.len()),
        }
    }
}

/// A cut of one line: `original` bytes shown from `at` in the excerpt.
struct Segment {
    original: std::ops::Range<usize>,
    at: usize,
}

/// `None` when every line the spans' snippets show is short enough to show whole;
/// otherwise an excerpt and the spans moved into it (in the same order).
pub fn excerpt(file: &SourceFile, spans: &[Span]) -> Option<(Excerpt, Vec<Span>)> {
    let len = file.text.len();
    let clamp = |s: &Span| {
        let start = floor_boundary(&file.text, s.start.min(len));
        let end = floor_boundary(&file.text, s.end.min(len)).max(start);
        Span::new(start, end)
    };
    let spans: Vec<Span> = spans.iter().map(clamp).collect();
    let groups = line_groups(file, &spans);
    let long = |line: usize| content_end(file, line) - file.line_start(line) > MAX_LINE;
    if !groups.iter().any(|g| g.clone().any(long)) {
        return None;
    }
    let mut text = String::new();
    let mut lines = Vec::new();
    // Per original line in the excerpt: its segments, to move offsets.
    let mut cuts: Vec<(usize, Vec<Segment>)> = Vec::new();
    for group in groups {
        for line in group {
            let start = file.line_start(line);
            let end = content_end(file, line);
            let windows = if end - start > MAX_LINE {
                windows(file, start, end, &spans)
            } else {
                std::iter::once(start..end).collect()
            };
            let mut segments = Vec::new();
            if windows.first().is_some_and(|w| w.start > start) {
                text.push_str(ELLIPSIS);
            }
            for (i, w) in windows.iter().enumerate() {
                if i > 0 {
                    text.push_str(ELLIPSIS);
                }
                segments.push(Segment {
                    original: w.clone(),
                    at: text.len(),
                });
                text.push_str(&file.text[w.clone()]);
            }
            if windows.last().is_some_and(|w| w.end < end) {
                text.push_str(ELLIPSIS);
            }
            // The line break as it was (`\n`, `\r\n`, or none at the end of the file).
            let next = file.line_start(line + 1).min(len);
            text.push_str(&file.text[end..next.max(end)]);
            lines.push(line);
            cuts.push((line, segments));
        }
    }
    let moved = spans
        .iter()
        .map(|s| Span::new(move_offset(file, &cuts, s.start), 0))
        .zip(&spans)
        .map(|(m, s)| {
            let end = move_offset(file, &cuts, s.end).max(m.start);
            Span::new(m.start, end)
        })
        .collect();
    let excerpt = Excerpt {
        file: SourceFile::new(file.path.clone(), text),
        lines,
    };
    Some((excerpt, moved))
}

/// Ranges of original lines shown: each span's lines with a line of context either side,
/// joined when miette would show them as one snippet (overlapping, or one line apart).
fn line_groups(file: &SourceFile, spans: &[Span]) -> Vec<std::ops::RangeInclusive<usize>> {
    let last_line = file.line_count().saturating_sub(1);
    let mut ranges: Vec<(usize, usize)> = spans
        .iter()
        .map(|s| {
            let first = file.line_index(s.start);
            let end_line = file.line_index(s.end.saturating_sub(usize::from(s.end > s.start)));
            (
                first.saturating_sub(CONTEXT_LINES),
                (end_line.max(first) + CONTEXT_LINES).min(last_line),
            )
        })
        .collect();
    ranges.sort_unstable();
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for (a, b) in ranges {
        match groups.last_mut() {
            Some((_, end)) if a <= *end + 2 => *end = (*end).max(b),
            _ => groups.push((a, b)),
        }
    }
    groups.into_iter().map(|(a, b)| a..=b).collect()
}

/// The windows of a long line: `CONTEXT` bytes around each span start or end on it,
/// merged where they meet; the line's start when no span touches it.
fn windows(
    file: &SourceFile,
    start: usize,
    end: usize,
    spans: &[Span],
) -> Vec<std::ops::Range<usize>> {
    let text = &file.text;
    let mut points: Vec<usize> = spans
        .iter()
        .flat_map(|s| [s.start, s.end])
        .filter(|&p| p >= start && p <= end)
        .collect();
    points.sort_unstable();
    if points.is_empty() {
        return std::iter::once(start..floor_boundary(text, start + MAX_LINE)).collect();
    }
    let mut windows: Vec<std::ops::Range<usize>> = Vec::new();
    for p in points {
        let from = floor_boundary(text, p.saturating_sub(CONTEXT).max(start));
        let to = ceil_boundary(text, (p + CONTEXT).min(end));
        match windows.last_mut() {
            Some(w) if from <= w.end => w.end = w.end.max(to),
            _ => windows.push(from..to),
        }
    }
    windows
}

/// Where original offset `at` is in the excerpt (every span end is inside a window).
fn move_offset(file: &SourceFile, cuts: &[(usize, Vec<Segment>)], at: usize) -> usize {
    let line = file.line_index(at);
    let Some((_, segments)) = cuts.iter().find(|(l, _)| *l == line) else {
        return 0;
    };
    segments
        .iter()
        .find(|s| s.original.start <= at && at <= s.original.end)
        .or_else(|| segments.iter().rev().find(|s| s.original.end <= at))
        .map_or(0, |s| s.at + at.min(s.original.end) - s.original.start)
}

/// The end of 0-based `line`'s content, before its line break.
fn content_end(file: &SourceFile, line: usize) -> usize {
    let start = file.line_start(line);
    start + file.line_text(line).len()
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_shown_whole() {
        let f = SourceFile::new("x", "a: 1\nb: 2\n");
        assert!(excerpt(&f, &[Span::new(5, 6)]).is_none());
    }

    #[test]
    fn a_long_line_is_cut_around_each_span_and_keeps_its_line_number() {
        let text = format!("first: 1\n{{a: 1, {}a: 2}}\nlast: 1\n", " ".repeat(70_000));
        let f = SourceFile::new("x", text.as_str());
        let first = text.find("a: 1").unwrap();
        let second = text.rfind("a: 2").unwrap();
        let (ex, moved) = excerpt(
            &f,
            &[Span::new(second, second + 1), Span::new(first, first + 1)],
        )
        .unwrap();
        assert_eq!(&ex.file.text[moved[0].start..moved[0].end], "a");
        assert_eq!(&ex.file.text[moved[1].start..moved[1].end], "a");
        assert_eq!(
            ex.file.slice(Span::new(moved[0].start, moved[0].start + 4)),
            "a: 2"
        );
        let long = ex.file.line_text(1);
        assert!(
            long.len() < 2 * (2 * CONTEXT + ELLIPSIS.len()) + 10,
            "{}",
            long.len()
        );
        assert!(long.contains(ELLIPSIS));
        assert_eq!(ex.file.line_text(0), "first: 1");
        assert_eq!(ex.file.line_text(2), "last: 1");
        assert_eq!((ex.original_line(0), ex.original_line(2)), (0, 2));
    }

    #[test]
    fn far_apart_lines_keep_their_numbers() {
        let mut text = format!("{}\n", "x".repeat(1000));
        text.push_str(&"y: 1\n".repeat(50));
        text.push_str("z: 2\n");
        let f = SourceFile::new("x", text.as_str());
        let z = text.find("z: 2").unwrap();
        let (ex, moved) = excerpt(&f, &[Span::new(z, z + 1), Span::point(3)]).unwrap();
        assert_eq!(ex.file.slice(Span::new(moved[0].start, moved[0].end)), "z");
        let z_line = ex.file.line_index(moved[0].start);
        assert_eq!(ex.original_line(z_line), 51);
        assert_eq!(ex.original_line(0), 0);
    }

    #[test]
    fn spans_inside_multibyte_text_stay_on_boundaries() {
        let text = format!("k: {}é{}\n", "é".repeat(300), "ü".repeat(300));
        let f = SourceFile::new("x", text.as_str());
        let at = 3 + 600;
        let (ex, moved) = excerpt(&f, &[Span::new(at, at + 2), Span::new(at + 1, 10_000)]).unwrap();
        assert_eq!(ex.file.slice(moved[0]), "é");
        assert!(moved[1].end <= ex.file.text.len());
    }
}
