//! Finding the files to scan: directories walked with `.gitignore` respected, hidden and
//! vendored directories skipped, symlinks followed only when they stay inside the root.
//! Every input is named as users and CI consumers expect: relative to the working directory
//! when it is under it, else absolute (what compilers, ruff and zizmor print).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::WalkBuilder;

/// One thing to read: a file on disk, standard input, or text already in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File {
        display: String,
        path: PathBuf,
    },
    Stdin,
    /// A chart rendered by `helm template` (`--helm-chart`).
    Rendered(Arc<Rendered>),
}

impl Input {
    pub fn display(&self) -> &str {
        match self {
            Input::File { display, .. } => display,
            Input::Stdin => "-",
            Input::Rendered(r) => &r.display,
        }
    }
}

/// One file's text, named as it should be shown (a library caller's text, or a test's).
#[derive(Debug, Clone)]
pub struct Text {
    pub display: String,
    pub text: String,
    pub abs_path: Option<PathBuf>,
}

/// The output of a renderer, with what it rendered, so that findings can point at the file
/// that wrote each object.
#[derive(Debug, PartialEq, Eq)]
pub struct Rendered {
    pub display: String,
    pub text: String,
    pub from: crate::source::RenderedFrom,
}

/// What the command-line paths expand to.
#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    /// Paths inside a scanned directory that were passed over, and why (AL005).
    pub skipped: Vec<Skipped>,
    /// Paths named on the command line that cannot be scanned at all (AL004, exit 2).
    pub failed: Vec<Skipped>,
    /// Files named on the command line (not found by walking a directory).
    pub named: Vec<PathBuf>,
    /// The paths discovery was asked for, as shown.
    pub requested: Vec<String>,
    /// Directories passed over as someone else's code (Terraform's downloaded modules), for
    /// `--show-files`; the scan says nothing about them.
    pub vendored: Vec<Skipped>,
}

/// How a path is shown: relative to the working directory when it is under it, else
/// absolute, with `/` separators. Lexical, so a symlink inside the tree keeps its name.
pub fn display_path(path: &Path) -> String {
    display_path_from(path, working_dir().as_deref())
}

/// [`display_path`] against a given working directory (read once per scan by callers that
/// name many paths).
pub fn display_path_from(path: &Path, cwd: Option<&Path>) -> String {
    let Some(cwd) = cwd else {
        return slashes(path);
    };
    let absolute = normalize(&cwd.join(path));
    match absolute.strip_prefix(cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".to_owned(),
        Ok(rel) => slashes(rel),
        Err(_) => slashes(&absolute),
    }
}

/// The working directory, which paths are shown relative to.
pub fn working_dir() -> Option<PathBuf> {
    std::env::current_dir().ok()
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn slashes(path: &Path) -> String {
    let s = path.display().to_string();
    if cfg!(windows) {
        s.replace('\\', "/")
    } else {
        s
    }
}

/// A path that could not be scanned as asked (reported as AL004, or an error when nothing
/// at all is found).
#[derive(Debug, Clone)]
pub struct Skipped {
    pub display: String,
    pub reason: String,
}

/// YAML and JSON (Kubernetes objects, CloudFormation, ARM, Terraform's JSON forms), and
/// Terraform's HCL (`.tf`, `.tfvars`).
const EXTENSIONS: &[&str] = &["yaml", "yml", "json", "tf", "tfvars"];
const SKIPPED_DIRS: &[&str] = &["vendor", "node_modules", "third_party", "target"];

/// Expands the command-line paths into inputs, sorted, plus what was skipped and why. A
/// named path that cannot be scanned is recorded in `failed`; the others are still scanned.
/// Only an invalid `exclude` pattern stops discovery.
pub fn discover(paths: &[PathBuf], exclude: &[String]) -> Result<Discovered, String> {
    let mut found = Discovered {
        requested: paths.iter().map(|p| display_path(p)).collect(),
        ..Discovered::default()
    };
    for path in paths {
        if path.as_os_str() == "-" {
            found.inputs.push(Input::Stdin);
            continue;
        }
        let display = display_path(path);
        match fs::metadata(path) {
            Err(e) => found.failed.push(Skipped {
                reason: format!("{display}: {}", io_reason(&e)),
                display,
            }),
            Ok(meta) if meta.is_dir() => walk(path, exclude, &mut found)?,
            // A file named explicitly is read whatever its extension.
            Ok(_) => {
                found.named.push(path.clone());
                found.inputs.push(Input::File {
                    display,
                    path: path.clone(),
                });
            }
        }
    }
    found.inputs.sort_by(|a, b| a.display().cmp(b.display()));
    found.inputs.dedup();
    Ok(found)
}

/// What a walk of the directories in `paths` passes over without a word, and why: hidden
/// and vendored directories (each once, not walked), and YAML/JSON files that `exclude` or
/// an ignore file (`.gitignore`, `.ignore`) leaves out. For `--show-files` only; a scan
/// never reads these.
pub fn passed_over(paths: &[PathBuf], exclude: &[String], found: &Discovered) -> Vec<Skipped> {
    let cwd = working_dir();
    let scanned: std::collections::HashSet<&str> =
        found.inputs.iter().map(Input::display).collect();
    let said: std::collections::HashSet<&str> = found
        .skipped
        .iter()
        .chain(&found.failed)
        .map(|s| s.display.as_str())
        .collect();
    let mut out = Vec::new();
    for root in paths.iter().filter(|p| p.is_dir()) {
        // `exclude` as the walk reads it: gitignore-style patterns under the root.
        let mut overrides = ignore::overrides::OverrideBuilder::new(root);
        for pattern in exclude {
            let _ = overrides.add(&format!("!{pattern}"));
        }
        let excluded = overrides.build().ok();
        let quiet = Arc::new(Mutex::new(Vec::new()));
        let walker = WalkBuilder::new(root)
            .standard_filters(false)
            .follow_links(false)
            .filter_entry({
                let quiet = Arc::clone(&quiet);
                let cwd = cwd.clone();
                let root = root.clone();
                move |e| {
                    let name = e.file_name().to_string_lossy();
                    let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                    let why = if e.depth() == 0 || !is_dir {
                        None
                    } else if SKIPPED_DIRS.contains(&name.as_ref()) {
                        Some("vendored or build directory; not walked")
                    } else if name.starts_with('.') {
                        Some("hidden directory; not walked")
                    } else {
                        None
                    };
                    let Some(why) = why else { return true };
                    let display = display_path_from(e.path(), cwd.as_deref());
                    // A directory the scan was pointed at inside one is still walked.
                    if e.path().starts_with(&root) {
                        if let Ok(mut quiet) = quiet.lock() {
                            quiet.push(Skipped {
                                reason: why.to_owned(),
                                display: format!("{display}/"),
                            });
                        }
                    }
                    false
                }
            })
            .build();
        for entry in walker.flatten() {
            let path = entry.path();
            let is_file = entry.file_type().is_some_and(|t| t.is_file());
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !is_file || !EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()) {
                continue;
            }
            let display = display_path_from(path, cwd.as_deref());
            if scanned.contains(display.as_str()) || said.contains(display.as_str()) {
                continue;
            }
            let why = if name_is_hidden(path) {
                "hidden file"
            } else if excluded.as_ref().is_some_and(|x| {
                // The file, or a directory it is in (a pattern like `drafts/`).
                x.matched(path, false).is_ignore()
                    || path
                        .ancestors()
                        .skip(1)
                        .take_while(|a| a.starts_with(root) && *a != root.as_path())
                        .any(|a| x.matched(a, true).is_ignore())
            }) {
                "excluded by `exclude`"
            } else {
                "ignored by a .gitignore or .ignore file"
            };
            out.push(Skipped {
                reason: why.to_owned(),
                display,
            });
        }
        out.append(
            &mut quiet
                .lock()
                .map(|mut q| std::mem::take(&mut *q))
                .unwrap_or_default(),
        );
    }
    out.sort_by(|a, b| a.display.cmp(&b.display));
    out
}

fn name_is_hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// An I/O error as a sentence, without Rust's `(os error 2)`.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}

fn walk(root: &Path, exclude: &[String], found: &mut Discovered) -> Result<(), String> {
    let cwd = working_dir();
    let display_path = |p: &Path| display_path_from(p, cwd.as_deref());
    let canonical_root = match fs::canonicalize(root) {
        Ok(c) => c,
        Err(e) => {
            let display = display_path(root);
            found.failed.push(Skipped {
                reason: format!("{display}: {}", io_reason(&e)),
                display,
            });
            return Ok(());
        }
    };
    // A directory named on the command line that cannot be listed is a failure of the scan,
    // not a skipped corner of it.
    if let Err(e) = fs::read_dir(root) {
        let display = display_path(root);
        found.failed.push(Skipped {
            reason: format!("{display}: cannot list the directory: {}", io_reason(&e)),
            display,
        });
        return Ok(());
    }
    let (inputs, skipped, vendored) = (&mut found.inputs, &mut found.skipped, &mut found.vendored);
    let mut overrides = ignore::overrides::OverrideBuilder::new(root);
    for pattern in exclude {
        overrides
            .add(&format!("!{pattern}"))
            .map_err(|e| format!("exclude pattern `{pattern}`: {e}"))?;
    }
    let overrides = overrides.build().map_err(|e| e.to_string())?;
    // Symlinked directories leaving the root are pruned while walking (their files are not
    // symlinks themselves, so the per-file check below would not see them).
    let pruned = Arc::new(Mutex::new(Vec::new()));
    let walker = WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .require_git(false)
        .follow_links(true)
        .overrides(overrides)
        .filter_entry({
            let canonical_root = canonical_root.clone();
            let cwd = cwd.clone();
            let pruned = Arc::clone(&pruned);
            move |e| {
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                let name = e.file_name().to_string_lossy();
                if is_dir && SKIPPED_DIRS.contains(&name.as_ref()) {
                    return false;
                }
                if !(is_dir && e.path_is_symlink()) {
                    return true;
                }
                match fs::canonicalize(e.path()) {
                    Ok(target) if target.starts_with(&canonical_root) => true,
                    _ => {
                        let display = display_path_from(e.path(), cwd.as_deref());
                        let link = fs::read_link(e.path())
                            .map(|l| l.display().to_string())
                            .unwrap_or_default();
                        if let Ok(mut pruned) = pruned.lock() {
                            pruned.push(Skipped {
                                reason: format!("{display}: symlink to `{link}` leaves the scanned directory; not followed"),
                                display,
                            });
                        }
                        false
                    }
                }
            }
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                // Symlink loops and unreadable directories: say so, keep walking.
                let display = display_path(error_path(&err).unwrap_or(root));
                skipped.push(Skipped {
                    display,
                    reason: err.to_string(),
                });
                continue;
            }
        };
        let path = entry.path();
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if !EXTENSIONS.contains(&ext.as_str()) {
            continue;
        }
        let display = display_path(path);
        // Terraform keeps the modules it downloads in `.terraform/` beside the files that
        // call them (hidden, so never walked): say so once per directory.
        if ext == "tf" {
            let downloaded = path.with_file_name(".terraform");
            let shown = display_path(&downloaded);
            if downloaded.is_dir() && !vendored.iter().any(|s| s.display == shown) {
                vendored.push(Skipped {
                    reason: format!("{shown}: Terraform's downloaded modules; not scanned"),
                    display: shown,
                });
            }
        }
        if !file_type.is_file() {
            // A FIFO, socket or device named like a manifest: never opened (a FIFO would
            // block the scan), but said, so nobody wonders why it was not linted.
            skipped.push(Skipped {
                reason: format!("{display}: {}", Unreadable::NotRegular),
                display,
            });
            continue;
        }
        if entry.path_is_symlink() {
            match fs::canonicalize(path) {
                Ok(target) if target.starts_with(&canonical_root) => {}
                Ok(_) => {
                    let link = fs::read_link(path)
                        .map(|l| l.display().to_string())
                        .unwrap_or_default();
                    skipped.push(Skipped {
                        reason: format!("{display}: symlink to `{link}` leaves the scanned directory; not followed"),
                        display,
                    });
                    continue;
                }
                Err(e) => {
                    skipped.push(Skipped {
                        reason: format!("{display}: broken symlink: {e}"),
                        display,
                    });
                    continue;
                }
            }
        }
        inputs.push(Input::File {
            display,
            path: path.to_path_buf(),
        });
    }
    if let Ok(mut pruned) = pruned.lock() {
        skipped.append(&mut pruned);
    }
    Ok(())
}

/// The path a walk error is about (the link that loops, the directory that cannot be read).
fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::Loop { child, .. } => Some(child),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// Why a file's bytes could not be linted as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// Over `limit` bytes; `size` when it is known (a file's length; standard input is read
    /// only up to one byte past the limit, so its size is not).
    TooLarge {
        size: Option<u64>,
        limit: u64,
    },
    Binary,
    NotUtf8(usize),
    NotRegular,
    Io(String),
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::TooLarge { size, limit } => {
                match size {
                    Some(n) => write!(
                        f,
                        "file is larger than the size limit ({n} bytes, limit {limit})"
                    )?,
                    None => write!(
                        f,
                        "file is larger than the size limit (more than {limit} bytes)"
                    )?,
                }
                write!(f, "; raise it with --max-file-size")
            }
            Unreadable::Binary => {
                write!(f, "file is binary (contains NUL bytes), not YAML or JSON")
            }
            Unreadable::NotUtf8(at) => write!(
                f,
                "file is not valid UTF-8 (byte {at}); Kubernetes reads only UTF-8"
            ),
            Unreadable::NotRegular => {
                write!(f, "not a regular file (FIFO, socket or device); not read")
            }
            Unreadable::Io(e) => write!(f, "could not read the file: {e}"),
        }
    }
}

/// Reads an input as text within `limit` bytes. Never blocks on a FIFO.
pub fn read(input: &Input, limit: u64) -> Result<(String, Option<PathBuf>), Unreadable> {
    let (bytes, abs) = match input {
        Input::Rendered(r) => return Ok((r.text.clone(), None)),
        Input::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin()
                .take(limit.saturating_add(1))
                .read_to_end(&mut buf)
                .map_err(|e| Unreadable::Io(e.to_string()))?;
            (buf, None)
        }
        Input::File { path, .. } => {
            let meta = fs::metadata(path).map_err(|e| Unreadable::Io(e.to_string()))?;
            if !meta.is_file() {
                return Err(Unreadable::NotRegular);
            }
            if meta.len() > limit {
                return Err(Unreadable::TooLarge {
                    size: Some(meta.len()),
                    limit,
                });
            }
            let mut buf = Vec::with_capacity(meta.len() as usize);
            fs::File::open(path)
                .and_then(|f| f.take(limit.saturating_add(1)).read_to_end(&mut buf))
                .map_err(|e| Unreadable::Io(e.to_string()))?;
            (buf, fs::canonicalize(path).ok())
        }
    };
    Ok((decode(bytes, limit)?, abs))
}

/// Checks raw bytes the way every input is checked (size, binary, UTF-8) and returns the
/// text without a byte-order mark.
pub fn decode(bytes: Vec<u8>, limit: u64) -> Result<String, Unreadable> {
    if bytes.len() as u64 > limit {
        // Read up to one byte past the limit: the real size is not known.
        return Err(Unreadable::TooLarge { size: None, limit });
    }
    if bytes.contains(&0) {
        return Err(Unreadable::Binary);
    }
    let mut text =
        String::from_utf8(bytes).map_err(|e| Unreadable::NotUtf8(e.utf8_error().valid_up_to()))?;
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(text)
}
