//! How a YAML text is laid out — its newline, its indentation step, whether a block
//! sequence's `- ` is indented under its key — so that inserted text looks as if it had
//! been written with the rest.

/// The layout of a text (or of a part of one, such as a Policy embedded in a ConfigMap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// `"\n"` or `"\r\n"`, as the text's first line ends.
    pub newline: &'static str,
    /// Spaces per nesting level: 2 or 4.
    pub indent: usize,
    /// `key:\n  - item` (true) or `key:\n- item` (false, as `kubectl` writes).
    pub dash_indented: bool,
    /// The text is JSON (`{"key": ...`): what is inserted must be JSON too.
    pub json: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            newline: "\n",
            indent: 2,
            dash_indented: false,
            json: false,
        }
    }
}

/// A line with content: its indentation and what follows it.
struct Line<'t> {
    indent: usize,
    content: &'t str,
}

impl Layout {
    /// The layout the text uses most; what is not shown (a flat text) is the default: LF,
    /// 2 spaces, `- ` not indented.
    pub fn detect(text: &str) -> Layout {
        let newline = newline_of(text);
        let lines = text.split('\n').filter_map(|l| {
            let l = l.trim_end_matches('\r');
            let content = l.trim_start_matches(' ');
            let skip = content.is_empty() || content.starts_with('#') || content.starts_with("---");
            (!skip).then(|| Line {
                indent: l.len() - content.len(),
                content,
            })
        });
        let (mut steps, mut dashes) = ([0usize; 2], [0usize; 2]);
        let mut previous: Option<Line<'_>> = None;
        for line in lines {
            if let Some(prev) = previous.filter(|p| opens_block(p.content)) {
                // The column of the key that opens the block (after a `- ` of its own).
                let key_column = prev.indent + dash_prefix(prev.content);
                let step = line.indent.saturating_sub(key_column);
                if line.content.starts_with("- ") || line.content == "-" {
                    dashes[usize::from(step > 0)] += 1;
                }
                match step {
                    2 => steps[0] += 1,
                    4 => steps[1] += 1,
                    _ => {}
                }
            }
            previous = Some(line);
        }
        Layout {
            newline,
            indent: if steps[1] > steps[0] { 4 } else { 2 },
            dash_indented: dashes[1] > dashes[0],
            json: is_json(text),
        }
    }

    /// The column of the `- ` of a block sequence that is the value of a key at `key_column`.
    pub fn dash_column(&self, key_column: usize) -> usize {
        key_column + if self.dash_indented { self.indent } else { 0 }
    }
}

/// `"\r\n"` when the text's first line ends so, else `"\n"`.
pub fn newline_of(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if text[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// Starts as a JSON object does: `{` and a double-quoted key (or `}`).
fn is_json(text: &str) -> bool {
    text.trim_start()
        .strip_prefix('{')
        .is_some_and(|rest| rest.trim_start().starts_with(['"', '}']))
}

/// Whether a line ends with a key whose value is on the following lines (`rules:`).
fn opens_block(content: &str) -> bool {
    let code = match content.find(" #") {
        Some(i) => &content[..i],
        None => content,
    };
    code.trim_end().ends_with(':')
}

/// The width of the `- ` (or `- - `) that starts a line's content.
fn dash_prefix(content: &str) -> usize {
    let rest = content.trim_start_matches(['-', ' ']);
    let prefix = content.len() - rest.len();
    if content.starts_with("- ") {
        prefix
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_spaces_and_unindented_dashes() {
        let text = "rules:\n- level: Metadata\n  resources:\n  - group: \"\"\n";
        assert_eq!(Layout::detect(text), Layout::default());
    }

    #[test]
    fn four_spaces_and_indented_dashes() {
        let text = "spec:\n    rules:\n        - level: Metadata\n          resources:\n              - group: \"\"\n";
        let layout = Layout::detect(text);
        assert_eq!(layout.indent, 4);
        assert!(layout.dash_indented);
        assert_eq!(layout.dash_column(4), 8);
    }

    #[test]
    fn two_spaces_and_indented_dashes() {
        let text = "rules:\n  - level: None\n    users: [a]\n  - level: Metadata\n";
        let layout = Layout::detect(text);
        assert_eq!((layout.indent, layout.dash_indented), (2, true));
    }

    #[test]
    fn crlf_and_flow_style() {
        let layout = Layout::detect("{rules: [{level: Metadata}]}\r\n");
        assert_eq!(layout.newline, "\r\n");
        assert_eq!(layout.indent, 2);
        assert_eq!(Layout::detect("a: 1\nb: 2\r\n").newline, "\n");
    }

    #[test]
    fn json_is_recognised() {
        assert!(Layout::detect("{\n  \"defaultAction\": \"SCMP_ACT_LOG\"\n}").json);
        assert!(!Layout::detect("{defaultAction: SCMP_ACT_LOG}").json);
        assert!(!Layout::detect("a: {\"b\": 1}").json);
    }

    #[test]
    fn comments_and_blank_lines_do_not_count() {
        let text = "rules:\n\n    # the guard\n    - level: None\n";
        let layout = Layout::detect(text);
        assert_eq!((layout.indent, layout.dash_indented), (4, true));
    }
}
