//! Where a finding is, as the machine formats (SARIF, GitHub annotations, concise) name it.
//!
//! The human and JSON formats show paths as given or relative to the scanned directory. CI
//! consumers need paths relative to the repository root (the working directory), whatever
//! directory was scanned: `auditlint check deploy/` must still annotate `deploy/x.yaml`.

use std::path::Path;

use crate::source::SourceFile;

/// The file's path relative to `base` (the canonical working directory), with `/`
/// separators; the path as displayed when the file is not under `base` or is stdin.
pub fn relative_path(file: &SourceFile, base: Option<&Path>) -> String {
    let relative = match (&file.abs_path, base) {
        (Some(abs), Some(base)) => abs.strip_prefix(base).ok().map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        }),
        _ => None,
    };
    match relative {
        Some(p) if !p.is_empty() => p,
        _ => file.path.replace('\\', "/"),
    }
}

/// A path for line-oriented output: control characters (a newline in a file name would
/// start a new record) written as escapes (`\n`, `\u{1b}`).
pub fn escape_path(path: &str) -> std::borrow::Cow<'_, str> {
    if !path.chars().any(char::is_control) {
        return path.into();
    }
    path.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// The canonical working directory, which machine formats make paths relative to.
pub fn working_dir() -> Option<std::path::PathBuf> {
    std::env::current_dir()
        .ok()
        .and_then(|d| std::fs::canonicalize(d).ok())
}

/// A 1-based line and a 1-based column counted in UTF-16 code units, the unit GitHub's
/// code scanning and annotations (JavaScript strings) count in; SARIF's `columnKind` says so.
pub fn utf16_position(file: &SourceFile, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(file.text.len());
    while !file.text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line = file.line_index(offset);
    let start = file.line_start(line).min(offset);
    let column = file.text[start..offset]
        .chars()
        .map(char::len_utf16)
        .sum::<usize>()
        + 1;
    (line + 1, column)
}

/// A span's region: start and end as [`utf16_position`]s. A span that ends at the start of
/// a line (a block that includes its final line break, often the end of the file) ends
/// instead at the end of its last line, so the region never names a line past the content:
/// GitHub's annotations do not handle one that does.
pub fn utf16_region(file: &SourceFile, span: crate::yaml::Span) -> [usize; 4] {
    let (start_line, start_column) = utf16_position(file, span.start);
    let mut end = span.end.min(file.text.len());
    if end > span.start {
        let trimmed = file.text[span.start..end].trim_end_matches(['\n', '\r']);
        if trimmed.len() < end - span.start && !trimmed.is_empty() {
            end = span.start + trimmed.len();
        }
    }
    let (end_line, end_column) = utf16_position(file, end);
    [start_line, start_column, end_line, end_column]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_surrogate_pairs_twice() {
        // `😀` is one character but two UTF-16 code units; `é` is one of each.
        let f = SourceFile::new("x", "a: 😀é b\nc\n");
        let b = f.text.find('b').unwrap();
        assert_eq!(utf16_position(&f, b), (1, 8));
        assert_eq!(f.position(b).column, 7, "character columns differ");
        assert_eq!(utf16_position(&f, f.text.find('c').unwrap()), (2, 1));
        // Past the end and inside a character are clamped, never a panic.
        assert_eq!(utf16_position(&f, 10_000).0, 3);
        assert_eq!(utf16_position(&f, 4), (1, 4));
    }

    #[test]
    fn regions_end_on_their_last_line() {
        use crate::yaml::Span;
        let f = SourceFile::new("x", "a: 1\nb:\n  c: 2\n");
        let b = f.text.find('b').unwrap();
        // `b: {c: 2}` with its final line break, up to the end of the file.
        assert_eq!(utf16_region(&f, Span::new(b, f.text.len())), [2, 1, 3, 7]);
        assert_eq!(utf16_region(&f, Span::new(b, b + 1)), [2, 1, 2, 2]);
        assert_eq!(utf16_region(&f, Span::point(b)), [2, 1, 2, 1]);
        // A span of nothing but a line break stays where it is.
        assert_eq!(utf16_region(&f, Span::new(4, 5)), [1, 5, 2, 1]);
        let crlf = SourceFile::new("y", "a: 1\r\nb: 2\r\n");
        assert_eq!(
            utf16_region(&crlf, Span::new(0, crlf.text.len())),
            [1, 1, 2, 5]
        );
    }

    #[test]
    fn control_characters_in_paths_are_escaped() {
        assert_eq!(escape_path("dir/a.yaml"), "dir/a.yaml");
        assert_eq!(escape_path("x\ny\r\u{1b}.yaml"), "x\\ny\\r\\u{1b}.yaml");
    }

    #[test]
    fn paths_are_relative_to_the_base_with_forward_slashes() {
        let dir = std::env::temp_dir();
        let file = SourceFile::on_disk("x.yaml", "", Some(dir.join("deploy").join("x.yaml")));
        assert_eq!(relative_path(&file, Some(&dir)), "deploy/x.yaml");
        assert_eq!(
            relative_path(&file, Some(Path::new("/elsewhere"))),
            "x.yaml"
        );
        assert_eq!(relative_path(&file, None), "x.yaml");
        let stdin = SourceFile::new("-", "");
        assert_eq!(relative_path(&stdin, Some(&dir)), "-");
    }
}
