//! The crate's top-level modules depend on each other without cycles, so data flows one way
//! (`discover` → `yaml` → `rules` → `suppress` → `output`, driven by `engine`), and
//! `catalog` is a leaf. Read from the sources: every `crate::NAME` outside comments and test
//! modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file that ships: without comments (they name modules without using them)
/// and without test modules, inline (`#[cfg(test)] mod tests { … }`, by convention at the end)
/// or in files of their own, whose paths are added to `test_files`.
fn shipped_code(file: &Path, text: &str, test_files: &mut BTreeSet<PathBuf>) -> String {
    let dir = match file.file_stem().and_then(|s| s.to_str()) {
        Some("mod" | "lib" | "main") => file.parent().unwrap().to_path_buf(),
        Some(stem) => file.parent().unwrap().join(stem),
        None => return String::new(),
    };
    let mut code = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed == "#[cfg(test)]" {
            let Some(next) = lines.peek().map(|l| l.trim()) else {
                break;
            };
            if let Some(name) = next.strip_prefix("mod ").and_then(|n| n.strip_suffix(';')) {
                test_files.insert(dir.join(format!("{name}.rs")));
                test_files.insert(dir.join(name).join("mod.rs"));
                lines.next();
                continue;
            }
            if next.starts_with("mod ") {
                break;
            }
        }
        if !trimmed.starts_with("//") {
            code.push(line);
        }
    }
    code.join("\n")
}

/// Top-level module → the top-level modules it uses.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut test_files = BTreeSet::new();
    let texts: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            let code = shipped_code(&f, &text, &mut test_files);
            (f, code)
        })
        .collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, code) in texts.iter().filter(|(f, _)| !test_files.contains(f)) {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_owned();
        if module == "main" || module == "lib" {
            continue;
        }
        let used = edges.entry(module.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != module {
                used.insert(name);
            }
        }
    }
    edges
}

/// Whether `to` is reachable from `from`.
fn reaches(edges: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_owned()];
    while let Some(m) = stack.pop() {
        for next in edges.get(&m).into_iter().flatten() {
            if next == to {
                return true;
            }
            if seen.insert(next.clone()) {
                stack.push(next.clone());
            }
        }
    }
    false
}

#[test]
fn no_import_cycles_between_modules() {
    let edges = graph();
    let mut cycles = Vec::new();
    for (module, used) in &edges {
        for other in used {
            if module < other && reaches(&edges, other, module) {
                cycles.push(format!("{module} ↔ {other}"));
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles: {cycles:?}");
    // The check sees a cycle when there is one.
    assert!(reaches(&edges, "engine", "rules") && !reaches(&edges, "rules", "engine"));
}

#[test]
fn the_catalog_is_a_leaf() {
    let edges = graph();
    assert_eq!(edges.get("catalog"), Some(&BTreeSet::new()));
    assert!(edges.contains_key("rules") && edges["rules"].contains("catalog"));
}
