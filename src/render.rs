//! What `check` scans: the named paths, plus what it renders on request — a Helm chart
//! (`--helm-chart`), kustomizations (`--kustomize`, and every top-level one with
//! `render: auto`). Renderers run only when asked.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::discover::{self, Discovered, Input, Rendered};
use crate::gitops::Target;
use crate::kustomize;

/// The inputs of `check` as the command line names them.
pub struct Request<'a> {
    pub paths: &'a [PathBuf],
    pub helm_chart: Option<&'a Path>,
    pub values: &'a [PathBuf],
    pub kustomize: &'a [PathBuf],
}

/// Everything to scan, and what the report must say about how it was gathered.
pub struct Inputs {
    pub found: Discovered,
    pub rendered: Vec<Rendered>,
    pub notes: Vec<String>,
}

pub fn gather(request: &Request<'_>, config: &Config) -> Result<Inputs, String> {
    let mut rendered = Vec::new();
    if let Some(chart) = request.helm_chart {
        rendered.push(crate::helm::render(chart, request.values)?);
    }
    let mut paths = request.paths.to_vec();
    if paths.is_empty() && rendered.is_empty() && request.kustomize.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let mut found = discover::discover(&paths, &config.exclude)?;
    let plan = kustomize::plan(found.inputs.iter().filter_map(|i| match i {
        Input::File { path, .. } => Some(path.as_path()),
        _ => None,
    }));
    let mut dirs = request.kustomize.to_vec();
    let mut notes = Vec::new();
    if config.render {
        // Rendered, a kustomization's files are linted as it builds them, not one by one.
        found.inputs.retain(|i| match i {
            Input::File { path, .. } => {
                std::fs::canonicalize(path).map_or(true, |p| !plan.covered.contains(&p))
            }
            _ => true,
        });
        dirs.extend(plan.top_level.iter().cloned());
    } else if plan.found > 0 {
        notes.push(format!(
            "{} kustomization{} linted as loose files (bases and patches one by one, not as \
             kustomize builds them); `render: auto` in .auditlint.yaml or `--render` lints each \
             top-level one rendered",
            plan.found,
            if plan.found == 1 { " was" } else { "s were" }
        ));
    }
    if config.render {
        let files: Vec<PathBuf> = found
            .inputs
            .iter()
            .filter_map(|i| match i {
                Input::File { path, .. } => Some(path.clone()),
                _ => None,
            })
            .collect();
        let gitops =
            crate::gitops::find(files.iter().map(PathBuf::as_path), config.root.as_deref());
        for (object, target) in gitops.local {
            match target {
                Target::Kustomize(dir) => {
                    let canonical = std::fs::canonicalize(&dir).ok();
                    let already = dirs
                        .iter()
                        .any(|d| std::fs::canonicalize(d).ok() == canonical);
                    if !already {
                        dirs.push(dir);
                    }
                }
                helm => rendered.push(render_helm(&object, &helm)?),
            }
        }
        if !gitops.remote.is_empty() {
            notes.push(format!(
                "not rendered, their sources are not in this repository (never fetched): {}",
                gitops.remote.join(", ")
            ));
        }
    }
    if !dirs.is_empty() {
        let tool = kustomize::Tool::find(std::env::var_os("PATH")).ok_or(
            "rendering kustomizations needs `kubectl` or `kustomize` on PATH; install one, or \
             render it yourself: `kubectl kustomize DIR | auditlint check -`",
        )?;
        for dir in &dirs {
            eprintln!(
                "auditlint: rendering {} with {}",
                discover::display_path(dir),
                tool.describe()
            );
            rendered.push(kustomize::render(dir, &tool)?);
        }
    }
    Ok(Inputs {
        found,
        rendered,
        notes,
    })
}

/// Renders the chart a GitOps object deploys, as its controller would.
fn render_helm(object: &str, target: &Target) -> Result<Rendered, String> {
    let Target::Helm {
        chart,
        release,
        namespace,
        value_files,
        values,
        set,
    } = target
    else {
        unreachable!("only Helm targets are rendered here");
    };
    let scratch = crate::scratch::Scratch::new("values")?;
    let mut files = value_files.clone();
    if let Some(values) = values {
        let inline = scratch.dir.join("values.yaml");
        std::fs::write(&inline, values).map_err(|e| format!("{object}: {e}"))?;
        files.push(inline);
    }
    eprintln!("auditlint: rendering {object} with helm template");
    let mut rendered = crate::helm::render_release(&crate::helm::Release {
        name: Some(release),
        chart,
        values: &files,
        set,
        namespace: namespace.as_deref(),
    })
    .map_err(|e| format!("{object}: {e}"))?;
    rendered.display = format!(
        "{} (helm template for {object})",
        discover::display_path(chart)
    );
    Ok(rendered)
}
