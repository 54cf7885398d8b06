//! A scanned file's text with a line index, shared by every finding that points into it.

use std::sync::Arc;

use crate::yaml::Span;

/// What rendered a stream, and where the files it was rendered from are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderedFrom {
    /// `helm template CHART`: each `# Source: NAME/templates/x.yaml` is under the chart
    /// directory.
    HelmChart(std::path::PathBuf),
    /// `kustomize build`: each object's `config.kubernetes.io/origin` path is relative to
    /// this directory.
    Kustomize(std::path::PathBuf),
}

#[derive(Debug)]
pub struct SourceFile {
    /// As shown to users: relative to the working directory when the file is under it, else
    /// absolute; `-` for stdin, `CHART (helm template)` for a rendered chart.
    pub path: String,
    /// Owned, not shared: the text read is the text kept, never copied.
    pub text: String,
    /// The file on disk (canonical), for resolving host paths; `None` for stdin.
    pub abs_path: Option<std::path::PathBuf>,
    /// For rendered output: what rendered it, to find the file that wrote each object.
    pub rendered_from: Option<RenderedFrom>,
    /// Where each line starts, indexed the first time a position is asked for: most files
    /// of a scan have no finding, and need none.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        Self::on_disk(path, text, None)
    }

    pub fn on_disk(
        path: impl Into<String>,
        text: impl Into<String>,
        abs_path: Option<std::path::PathBuf>,
    ) -> Arc<Self> {
        Arc::new(SourceFile {
            path: path.into(),
            text: text.into(),
            abs_path,
            rendered_from: None,
            line_starts: std::sync::OnceLock::new(),
        })
    }

    /// Indexes the lines now rather than at the first position asked for.
    pub fn index_lines(&self) {
        self.line_starts();
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            // memchr's iterator finds the newlines a vector at a time.
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1))
                .collect()
        })
    }

    /// The output of a renderer (`helm template`, `kustomize build`).
    pub fn rendered(
        path: impl Into<String>,
        text: impl Into<String>,
        from: RenderedFrom,
    ) -> Arc<Self> {
        let mut file = Self::on_disk(path, text, None);
        if let Some(f) = Arc::get_mut(&mut file) {
            f.rendered_from = Some(from);
        }
        file
    }

    /// The file cut after the line following `offset`: the same path, lines and columns for
    /// everything before the cut, for facts that outlive their document but are shown only
    /// at one place.
    pub fn prefix_through_line_after(self: &Arc<Self>, offset: usize) -> Arc<Self> {
        let line = self.line_index(offset.min(self.text.len()));
        let end = self
            .line_starts()
            .get(line + 2)
            .copied()
            .unwrap_or(self.text.len());
        if end >= self.text.len() {
            return Arc::clone(self);
        }
        let mut prefix =
            SourceFile::on_disk(self.path.clone(), &self.text[..end], self.abs_path.clone());
        if let Some(p) = Arc::get_mut(&mut prefix) {
            p.rendered_from.clone_from(&self.rendered_from);
        }
        prefix
    }

    /// The 0-based line holding byte `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        self.line_starts()
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts()
            .get(line)
            .copied()
            .unwrap_or(self.text.len())
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line = self.line_index(offset);
        let start = self.line_starts()[line];
        Position {
            line: line + 1,
            column: self.text[start..offset].chars().count() + 1,
        }
    }

    /// The text of 0-based `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_start(line);
        let end = self.line_start(line + 1).min(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// Indentation (in spaces) of the line holding `offset`.
    pub fn indent_at(&self, offset: usize) -> usize {
        let line = self.line_text(self.line_index(offset));
        line.len() - line.trim_start_matches(' ').len()
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let f = SourceFile::new("x", "ab\nçd\n");
        assert_eq!(f.position(0), Position { line: 1, column: 1 });
        assert_eq!(f.position(3), Position { line: 2, column: 1 });
        assert_eq!(f.position(5), Position { line: 2, column: 2 });
        assert_eq!(f.line_text(1), "çd");
    }

    #[test]
    fn a_prefix_keeps_positions_and_the_line_after() {
        let f = SourceFile::new("x", "a: 1\nkind: Pod\nb: 2\nc: 3\nd: 4\n");
        let at = f.text.find("Pod").unwrap();
        let p = f.prefix_through_line_after(at);
        assert_eq!(&*p.text, "a: 1\nkind: Pod\nb: 2\n");
        assert_eq!(p.position(at), f.position(at));
        assert_eq!(p.path, f.path);
        // Near the end, the whole file is shared, not copied.
        let last = f.text.find("d: 4").unwrap();
        assert!(Arc::ptr_eq(&f.prefix_through_line_after(last), &f));
    }
}
