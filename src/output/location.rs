//! Where a finding is, as the machine formats (SARIF, GitHub annotations, concise) name it.
//!
//! Paths are already as users see them (relative to the working directory, else absolute:
//! see [`crate::discover::display_path`]). A finding in rendered output (`--helm-chart`,
//! `--kustomize`) is placed in the file that wrote it — the chart template, or the file a
//! kustomization took the object from or the patch that set the finding's key — at the line of
//! the finding's key when that file has it (else line 1); its place in the rendered stream is
//! kept.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::source::{RenderedFrom, SourceFile};
use crate::yaml::Span;

/// A place to show: a path with `/` separators and a UTF-16 region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub path: String,
    pub region: [usize; 4],
    /// For a finding placed in a chart's template: where it is in the rendered stream.
    pub rendered: Option<(String, [usize; 4])>,
}

/// Where the finding at `span` of `file` is shown (see the module documentation).
pub fn place(file: &SourceFile, span: Span) -> Place {
    let here = Place {
        path: slashes(&file.path),
        region: utf16_region(file, span),
        rendered: None,
    };
    let source = match &file.rendered_from {
        None => None,
        Some(RenderedFrom::HelmChart(chart)) => helm_source(file, span, chart),
        Some(RenderedFrom::Kustomize(base)) => kustomize_source(file, span, base),
    };
    match source {
        Some((path, region)) => Place {
            path: slashes(&crate::discover::display_path(&path)),
            region,
            rendered: Some((here.path, here.region)),
        },
        None => here,
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

/// The text of the line holding `offset`.
fn line_at(file: &SourceFile, offset: usize) -> &str {
    file.line_text(file.line_index(offset))
}

/// The chart template that wrote the object at `span`, and the line of its key there.
fn helm_source(file: &SourceFile, span: Span, chart: &Path) -> Option<(PathBuf, [usize; 4])> {
    let (source_line_start, name) = crate::helm::source_at(&file.text, span.start)?;
    let template = crate::helm::template_file(chart, name);
    // Lines into the rendered document, which templates mostly keep.
    let nearby = file.line_index(span.start) - file.line_index(source_line_start);
    let region = read_template(&template)
        .and_then(|text| key_line(&text, line_at(file, span.start), nearby))
        .unwrap_or([1, 1, 1, 1]);
    Some((template, region))
}

/// The file kustomize says defined the object at `span` or, when one of the patches that
/// changed it sets the finding's key, that patch.
fn kustomize_source(file: &SourceFile, span: Span, base: &Path) -> Option<(PathBuf, [usize; 4])> {
    let origin = crate::kustomize::origin_at(&file.text, span.start);
    let line = line_at(file, span.start);
    // Overlays are applied after their bases: the last one to set the key decides.
    for kustomization in origin.configured_in.iter().rev() {
        let kustomization = crate::kustomize::resolve(base, kustomization);
        for patch in crate::kustomize::patch_files(&kustomization)
            .into_iter()
            .rev()
        {
            if let Some(region) = read_template(&patch).and_then(|t| key_line(&t, line, 0)) {
                return Some((patch, region));
            }
        }
    }
    let defined = crate::kustomize::resolve(base, origin.path.as_deref()?);
    let region = read_template(&defined)
        .and_then(|text| key_line(&text, line, 0))
        .unwrap_or([1, 1, 1, 1]);
    Some((defined, region))
}

/// Template files read so far (a chart's templates are read once per output).
fn read_template(path: &PathBuf) -> Option<String> {
    static CACHE: Mutex<Option<HashMap<PathBuf, Option<String>>>> = Mutex::new(None);
    let mut cache = CACHE.lock().ok()?;
    cache
        .get_or_insert_with(HashMap::new)
        .entry(path.clone())
        .or_insert_with(|| std::fs::read_to_string(path).ok())
        .clone()
}

/// The key a rendered line sets: `key` of `key: value`, the flag of `- --flag=value`, or a
/// plain list item.
fn key_of(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let t = t.strip_prefix("- ").unwrap_or(t).trim_start();
    let end = t.find(['=', ':', ' ']).unwrap_or(t.len());
    let key = t[..end].trim_matches(['"', '\'']);
    (!key.is_empty()).then_some(key)
}

/// The region of the template line that sets the same key as `rendered_line`, the one
/// nearest to line `nearby` (0-based) when several do.
fn key_line(template: &str, rendered_line: &str, nearby: usize) -> Option<[usize; 4]> {
    let key = key_of(rendered_line)?;
    template
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let t = line.trim_start();
            let t = t.strip_prefix("- ").unwrap_or(t).trim_start();
            let t = t.trim_start_matches(['"', '\'']);
            // The key itself, or a value that starts with it (`value: --flag=x` in a JSON
            // patch).
            let t = match t.strip_prefix(key) {
                Some(_) => t,
                None => t
                    .split_once(": ")
                    .map(|(_, v)| v.trim_start().trim_start_matches(['"', '\'']))
                    .filter(|v| v.starts_with(key))?,
            };
            let rest = t.strip_prefix(key)?;
            let boundary = rest.is_empty() || rest.starts_with(['=', ':', ' ', '"', '\'']);
            boundary.then(|| {
                let column = line.len() - t.len();
                let width: usize = key.chars().map(char::len_utf16).sum();
                let col: usize = line[..column].chars().map(char::len_utf16).sum::<usize>() + 1;
                (i, [i + 1, col, i + 1, col + width])
            })
        })
        .min_by_key(|(i, _)| i.abs_diff(nearby))
        .map(|(_, region)| region)
}

fn slashes(path: &str) -> String {
    if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_owned()
    }
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
    fn template_lines_by_key() {
        let template = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - command:\n    - kube-apiserver\n    - --audit-log-maxage={{ .Values.maxage }}\n    - --audit-log-path=/x\n";
        assert_eq!(
            key_line(template, "    - --audit-log-maxage=7", 6),
            Some([7, 7, 7, 25])
        );
        assert_eq!(key_line(template, "  containers:", 0), Some([4, 3, 4, 13]));
        assert_eq!(key_line(template, "  volumes:", 0), None);
        // Several lines set `name`: the one nearest the rendered line wins.
        let names = "a:\n  name: x\nb:\n  name: y\n";
        assert_eq!(key_line(names, "  name: y", 3), Some([4, 3, 4, 7]));
        assert_eq!(key_line(names, "  name: x", 0), Some([2, 3, 2, 7]));
    }
}
