//! Translations between what the editor speaks and what a scan speaks: `file:` URIs and paths,
//! LSP positions (line and UTF-16 or UTF-8 column) and byte offsets.

use std::path::{Path, PathBuf};

use lsp_types::{Position, Range};

use crate::source::SourceFile;
use crate::yaml::Span;

/// How the client counts columns (negotiated at initialisation; UTF-16 unless it offers UTF-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// The LSP range of `span` in `file`.
pub fn range(file: &SourceFile, span: Span, encoding: Encoding) -> Range {
    Range {
        start: position(file, span.start, encoding),
        end: position(file, span.end.max(span.start), encoding),
    }
}

/// The LSP position of byte `offset` in `file`.
pub fn position(file: &SourceFile, offset: usize, encoding: Encoding) -> Position {
    let (line, column) = match encoding {
        Encoding::Utf16 => crate::output::location::utf16_position(file, offset),
        Encoding::Utf8 => {
            let offset = floor_char_boundary(&file.text, offset.min(file.text.len()));
            let line = file.line_index(offset);
            (line + 1, offset - file.line_start(line) + 1)
        }
    };
    Position {
        line: (line - 1) as u32,
        character: (column - 1) as u32,
    }
}

/// The byte offset of an LSP position in `file` (clamped to the line's end, as the
/// protocol asks for columns past it).
pub fn offset(file: &SourceFile, at: Position, encoding: Encoding) -> usize {
    let line = at.line as usize;
    if line >= file.line_count() {
        return file.text.len();
    }
    let start = file.line_start(line);
    let text = file.line_text(line);
    let mut units = 0;
    for (i, c) in text.char_indices() {
        if units >= at.character as usize {
            return start + i;
        }
        units += match encoding {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
    }
    start + text.len()
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The path a `file:` URI names; `None` for other schemes (unsaved buffers, remote files).
pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // An authority is empty or `localhost`; anything else is a network share we do not read.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let decoded = percent_decode(path)?;
    // `file:///C:/x` names `C:/x` on Windows.
    let bytes = decoded.as_bytes();
    if cfg!(windows) && bytes.len() >= 3 && bytes[2] == b':' && bytes[1].is_ascii_alphabetic() {
        return Some(PathBuf::from(&decoded[1..]));
    }
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut uri = String::from("file://");
    if !text.starts_with('/') {
        uri.push('/'); // a Windows drive letter
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_or_bytes() {
        // `é` is 2 bytes and 1 UTF-16 unit; `𝄞` is 4 bytes and 2 units.
        let f = SourceFile::new("x", "a: 1\nb: é𝄞x\n");
        let x = f.text.find('x').unwrap();
        assert_eq!(
            position(&f, x, Encoding::Utf16),
            Position {
                line: 1,
                character: 6
            }
        );
        assert_eq!(
            position(&f, x, Encoding::Utf8),
            Position {
                line: 1,
                character: 9
            }
        );
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            assert_eq!(offset(&f, position(&f, x, enc), enc), x);
        }
        // Past the end of a line: its end; past the last line: the end of the text.
        let eol = Position {
            line: 0,
            character: 99,
        };
        assert_eq!(offset(&f, eol, Encoding::Utf16), 4);
        let eof = Position {
            line: 9,
            character: 0,
        };
        assert_eq!(offset(&f, eof, Encoding::Utf16), f.text.len());
    }

    #[test]
    fn file_uris_round_trip_with_escapes() {
        let path = Path::new("/tmp/my dir/kube-apiserver#1.yaml");
        let uri = path_to_uri(path);
        assert_eq!(uri, "file:///tmp/my%20dir/kube-apiserver%231.yaml");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(path));
        assert_eq!(
            uri_to_path("file://localhost/etc/a.yaml").as_deref(),
            Some(Path::new("/etc/a.yaml"))
        );
        assert_eq!(uri_to_path("untitled:Untitled-1"), None);
        assert_eq!(uri_to_path("file:///bad%zz"), None);
    }
}
