//! What the XML formats (JUnit, checkstyle) share: escaping, and findings grouped by file.

use crate::engine::Report;
use crate::finding::Finding;

use super::location::place;

/// Text or an attribute value as XML 1.0: markup characters escaped, line breaks and tabs
/// kept as character references (attribute values would fold them to spaces), and the
/// control characters XML 1.0 cannot hold at all replaced by U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A finding with its place: the path, and the line and column (UTF-16) it starts at.
pub struct Placed<'a> {
    pub finding: &'a Finding,
    pub line: usize,
    pub column: usize,
}

/// Active findings grouped by the path the machine formats show, in report order.
pub fn by_file(report: &Report) -> Vec<(String, Vec<Placed<'_>>)> {
    let mut files: Vec<(String, Vec<Placed>)> = Vec::new();
    for f in report.active() {
        let at = place(&f.file, f.span);
        let placed = Placed {
            finding: f,
            line: at.region[0],
            column: at.region[1],
        };
        match files.iter_mut().find(|(p, _)| *p == at.path) {
            Some((_, findings)) => findings.push(placed),
            None => files.push((at.path, vec![placed])),
        }
    }
    files
}

/// The text of a finding for a tool that shows one string: message, then the fix.
pub fn details(f: &Finding) -> String {
    match &f.help {
        Some(help) => format!("{}\nhelp: {help}", f.message),
        None => f.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape("a<b>&\"c'\n\u{1b}"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;\u{fffd}"
        );
    }
}
