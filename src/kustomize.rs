//! `auditlint check --kustomize DIR`: renders a kustomization with `kubectl kustomize` or
//! `kustomize build` (whichever is on `PATH`) and scans the output, each object traced to the
//! file that defined it and the patches that changed it. Nothing is run unless asked.
//!
//! The user's files are never touched: a wrapper kustomization in a temporary directory
//! names `DIR` as its one resource and asks for kustomize's build metadata
//! (`config.kubernetes.io/origin`, `alpha.config.kubernetes.io/transformations`), whose paths
//! are relative to the wrapper.

use std::path::{Component, Path, PathBuf};
use std::process::Command;

use crate::discover::Rendered;
use crate::source::RenderedFrom;
use crate::yaml::{parse_all, Item};

/// The names a kustomization file may have, in kustomize's order.
pub const FILE_NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The renderer found on `PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tool {
    /// `kubectl kustomize DIR` (kubectl embeds kustomize).
    Kubectl(PathBuf),
    /// `kustomize build DIR`.
    Kustomize(PathBuf),
}

impl Tool {
    /// `kubectl` first, as most machines have it; else `kustomize`.
    pub fn find(path_var: Option<std::ffi::OsString>) -> Option<Tool> {
        let path_var = path_var?;
        let find = |name: &str| {
            std::env::split_paths(&path_var)
                .map(|dir| dir.join(name))
                .find(|p| crate::helm::is_executable(p))
        };
        find("kubectl")
            .map(Tool::Kubectl)
            .or_else(|| find("kustomize").map(Tool::Kustomize))
    }

    pub fn describe(&self) -> &'static str {
        match self {
            Tool::Kubectl(_) => "kubectl kustomize",
            Tool::Kustomize(_) => "kustomize build",
        }
    }

    fn command(&self, dir: &Path) -> Command {
        let mut c = match self {
            Tool::Kubectl(p) => {
                let mut c = Command::new(p);
                c.arg("kustomize");
                c
            }
            Tool::Kustomize(p) => {
                let mut c = Command::new(p);
                c.arg("build");
                c
            }
        };
        c.arg(dir);
        c
    }
}

/// Renders the kustomization in `dir` with `tool`, with build metadata on every object.
pub fn render(dir: &Path, tool: &Tool) -> Result<Rendered, String> {
    let shown = crate::discover::display_path(dir);
    if !FILE_NAMES.iter().any(|n| dir.join(n).is_file()) {
        return Err(format!("{shown}: no kustomization.yaml in this directory"));
    }
    let target = std::fs::canonicalize(dir).map_err(|e| format!("{shown}: {e}"))?;
    let wrapper = crate::scratch::Scratch::new("kustomize")?;
    let resource = relative(&wrapper.dir, &target);
    std::fs::write(
        wrapper.dir.join("kustomization.yaml"),
        format!(
            "# Written by auditlint to render {shown} with build metadata; removed after.\n\
             resources:\n- {}\nbuildMetadata: [originAnnotations, transformerAnnotations]\n",
            serde_json::to_string(&resource.display().to_string()).expect("a string"),
        ),
    )
    .map_err(|e| format!("could not write a temporary kustomization: {e}"))?;
    let text = crate::renderer::run(
        &mut tool.command(&wrapper.dir),
        &format!("{} {shown}", tool.describe()),
    )?
    .text;
    Ok(Rendered {
        display: format!("{shown} ({})", tool.describe()),
        text,
        from: RenderedFrom::Kustomize(wrapper.dir.clone()),
    })
}

/// `to` relative to `from` (both absolute): `../../home/me/overlays/prod`.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c);
    }
    out
}

/// What kustomize recorded about the object around `offset` of its output: the file that
/// defined it, and the kustomizations whose transformers (patches) changed it, as paths
/// relative to the render's wrapper directory.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub path: Option<String>,
    pub configured_in: Vec<String>,
}

/// The [`Origin`] of the document around `offset` of a `kustomize build` stream.
pub fn origin_at(text: &str, offset: usize) -> Origin {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind("\n---").map_or(0, |i| i + 1);
    let end = text[offset..]
        .find("\n---")
        .map_or(text.len(), |i| offset + i);
    let doc = &text[start..end];
    let mut origin = Origin::default();
    let mut in_origin = false;
    for line in doc.lines() {
        let t = line.trim_start();
        if t.starts_with("config.kubernetes.io/origin:") {
            in_origin = true;
            continue;
        }
        if in_origin {
            if let Some(p) = t.strip_prefix("path: ") {
                origin.path = Some(unquote(p).to_owned());
                in_origin = false;
            }
        }
        if let Some(k) = t
            .strip_prefix("- configuredIn: ")
            .or(t.strip_prefix("configuredIn: "))
        {
            let k = unquote(k).to_owned();
            if !origin.configured_in.contains(&k) {
                origin.configured_in.push(k);
            }
        }
    }
    origin
}

fn unquote(s: &str) -> &str {
    s.trim().trim_matches(['"', '\''])
}

/// The files a kustomization's patches are written in (patch files; the kustomization
/// itself for inline patches), in its order.
pub fn patch_files(kustomization: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(kustomization) else {
        return Vec::new();
    };
    let dir = kustomization.parent().unwrap_or(Path::new("."));
    let (items, _) = parse_all(&text);
    let mut out = Vec::new();
    for item in &items {
        let Item::Document(doc) = item else { continue };
        let Some(root) = doc.root() else { continue };
        for key in ["patches", "patchesJson6902", "patchesStrategicMerge"] {
            for entry in root.get(key).into_iter().flat_map(|n| n.items()) {
                match entry.str().or_else(|| entry.get_str("path")) {
                    Some(p) => out.push(dir.join(p)),
                    None if entry.get("patch").is_some() => out.push(kustomization.to_path_buf()),
                    None => {}
                }
            }
        }
    }
    out.dedup();
    out
}

/// Lexically `base/rel` (`..` resolved), for the paths kustomize writes.
pub fn resolve(base: &Path, rel: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for c in base.join(rel).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// What `render: auto` does with a scan: the top-level kustomizations to render, and the
/// files they render (their own, their bases' and their patches), not to be linted loose.
#[derive(Debug, Default)]
pub struct Plan {
    /// Directories of kustomizations no other scanned kustomization builds on.
    pub top_level: Vec<PathBuf>,
    /// Canonical paths of every file a kustomization reads.
    pub covered: std::collections::HashSet<PathBuf>,
    /// How many kustomizations were found.
    pub found: usize,
}

/// Plans the rendering of the kustomizations among `files` (scanned files on disk).
pub fn plan<'a>(files: impl Iterator<Item = &'a Path>) -> Plan {
    let kustomizations: Vec<PathBuf> = files
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| FILE_NAMES.contains(&n))
        })
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let mut plan = Plan {
        found: kustomizations.len(),
        ..Plan::default()
    };
    let mut built_on = std::collections::HashSet::new();
    for k in &kustomizations {
        let dir = k.parent().unwrap_or(Path::new("/"));
        plan.covered.insert(k.clone());
        for read in reads(k) {
            let Ok(path) = std::fs::canonicalize(dir.join(&read)) else {
                continue;
            };
            if path.is_dir() {
                built_on.insert(path);
            } else {
                plan.covered.insert(path);
            }
        }
        for patch in patch_files(k) {
            if let Ok(path) = std::fs::canonicalize(patch) {
                plan.covered.insert(path);
            }
        }
    }
    plan.top_level = kustomizations
        .iter()
        .filter_map(|k| k.parent().map(Path::to_path_buf))
        .filter(|dir| !built_on.contains(dir))
        .collect();
    plan.top_level.sort();
    plan
}

/// The paths a kustomization names as its inputs (`resources`, `bases`, `components`,
/// generator and transformer files), as written.
fn reads(kustomization: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(kustomization) else {
        return Vec::new();
    };
    let (items, _) = parse_all(&text);
    let mut out = Vec::new();
    for item in &items {
        let Item::Document(doc) = item else { continue };
        let Some(root) = doc.root() else { continue };
        for key in [
            "resources",
            "bases",
            "components",
            "crds",
            "configurations",
            "generators",
            "transformers",
            "validators",
        ] {
            out.extend(
                root.get(key)
                    .into_iter()
                    .flat_map(|n| n.items())
                    .filter_map(|n| n.str())
                    // A remote base (`github.com/…?ref=`) is kustomize's to fetch.
                    .filter(|p| !p.contains("://") && !p.contains('?'))
                    .map(str::to_owned),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_between_directories() {
        assert_eq!(
            relative(Path::new("/tmp/w"), Path::new("/home/me/o")),
            Path::new("../../home/me/o")
        );
        assert_eq!(
            relative(Path::new("/a/b"), Path::new("/a/c/d")),
            Path::new("../c/d")
        );
        assert_eq!(
            resolve(Path::new("/tmp/w"), "../../home/me/o/x.yaml"),
            Path::new("/home/me/o/x.yaml")
        );
    }

    #[test]
    fn origins_of_rendered_objects() {
        let text = "apiVersion: v1\nkind: A\nmetadata:\n  annotations:\n    alpha.config.kubernetes.io/transformations: |\n      - configuredIn: ../o/kustomization.yaml\n        configuredBy:\n          kind: PatchTransformer\n    config.kubernetes.io/origin: |\n      path: ../b/a.yaml\n  name: a\n---\napiVersion: v1\nkind: B\nmetadata:\n  annotations:\n    config.kubernetes.io/origin: |\n      path: \"../b/b.yaml\"\n";
        let a = origin_at(text, text.find("name: a").unwrap());
        assert_eq!(a.path.as_deref(), Some("../b/a.yaml"));
        assert_eq!(a.configured_in, ["../o/kustomization.yaml"]);
        let b = origin_at(text, text.find("kind: B").unwrap());
        assert_eq!(b.path.as_deref(), Some("../b/b.yaml"));
        assert!(b.configured_in.is_empty());
    }

    #[test]
    fn patch_files_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let k = dir.path().join("kustomization.yaml");
        std::fs::write(
            &k,
            "patches:\n- path: a.yaml\n- patch: |\n    - op: add\npatchesStrategicMerge: [b.yaml]\npatchesJson6902:\n- {path: c.yaml, target: {kind: Pod}}\n",
        )
        .unwrap();
        assert_eq!(
            patch_files(&k),
            [
                dir.path().join("a.yaml"),
                k.clone(),
                dir.path().join("c.yaml"),
                dir.path().join("b.yaml")
            ]
        );
    }

    #[test]
    fn plans_top_level_overlays_and_what_they_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let files = [
            ("base/kustomization.yaml", "resources: [api.yaml]\n"),
            ("base/api.yaml", "kind: Pod\n"),
            ("base/unused.yaml", "kind: Pod\n"),
            (
                "overlays/prod/kustomization.yaml",
                "resources: [../../base, extra.yaml, https://x/y]\npatches: [{path: p.yaml}]\n",
            ),
            ("overlays/prod/p.yaml", "kind: Pod\n"),
            ("overlays/prod/extra.yaml", "kind: Pod\n"),
            (
                "overlays/dev/kustomization.yaml",
                "resources: [../../base]\n",
            ),
        ];
        for (rel, text) in files {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let paths: Vec<PathBuf> = files.iter().map(|(rel, _)| root.join(rel)).collect();
        let plan = plan(paths.iter().map(PathBuf::as_path));
        assert_eq!(plan.found, 3);
        assert_eq!(
            plan.top_level,
            [root.join("overlays/dev"), root.join("overlays/prod")]
        );
        for covered in [
            "base/api.yaml",
            "overlays/prod/p.yaml",
            "overlays/prod/extra.yaml",
            "base/kustomization.yaml",
        ] {
            assert!(plan.covered.contains(&root.join(covered)), "{covered}");
        }
        assert!(!plan.covered.contains(&root.join("base/unused.yaml")));
    }

    #[test]
    fn tools_on_path() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Tool::find(Some(dir.path().as_os_str().to_owned())), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let k = dir.path().join("kustomize");
            std::fs::write(&k, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o755)).unwrap();
            assert_eq!(
                Tool::find(Some(dir.path().as_os_str().to_owned())),
                Some(Tool::Kustomize(k))
            );
            let kubectl = dir.path().join("kubectl");
            std::fs::write(&kubectl, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&kubectl, std::fs::Permissions::from_mode(0o755)).unwrap();
            assert_eq!(
                Tool::find(Some(dir.path().as_os_str().to_owned())),
                Some(Tool::Kubectl(kubectl))
            );
        }
    }
}
