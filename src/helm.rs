//! `auditlint check --helm-chart DIR`: renders a chart with the local `helm` binary and scans
//! its output. Nothing is run unless that flag is given, and only `helm template`, which
//! renders locally.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::discover::Rendered;

/// `helm` on `PATH` (the first executable file of that name), if any.
fn find_helm(path_var: Option<OsString>) -> Option<PathBuf> {
    let names: &[&str] = if cfg!(windows) {
        &["helm.exe", "helm"]
    } else {
        &["helm"]
    };
    std::env::split_paths(&path_var?)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
pub(crate) fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
pub(crate) fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// A path helm cannot mistake for an option (`-chart` → `./-chart`).
fn not_a_flag(path: &Path) -> PathBuf {
    if path.as_os_str().to_string_lossy().starts_with('-') {
        Path::new(".").join(path)
    } else {
        path.to_path_buf()
    }
}

/// The name the rendered stream is shown under.
pub fn display_name(chart: &Path) -> String {
    format!("{} (helm template)", crate::discover::display_path(chart))
}

/// Runs `helm template CHART -f VALUES...` and returns its output as one stream to scan.
pub fn render(chart: &Path, values: &[PathBuf]) -> Result<Rendered, String> {
    render_release(&Release {
        name: None,
        chart,
        values,
        set: &[],
        namespace: None,
    })
}

/// A chart as a release renders it: what `helm template [NAME] CHART -f … --set … -n NS`
/// takes.
#[derive(Debug)]
pub struct Release<'a> {
    pub name: Option<&'a str>,
    pub chart: &'a Path,
    pub values: &'a [PathBuf],
    /// `--set name=value` parameters.
    pub set: &'a [String],
    pub namespace: Option<&'a str>,
}

/// Runs `helm template` for `release` and returns its output as one stream to scan.
pub fn render_release(release: &Release<'_>) -> Result<Rendered, String> {
    let (chart, values) = (release.chart, release.values);
    if !chart.exists() {
        return Err(format!("{}: no such chart directory", chart.display()));
    }
    let helm = find_helm(std::env::var_os("PATH")).ok_or(
        "`--helm-chart` needs `helm` on PATH to render the chart; install Helm, or render it \
         yourself: `helm template CHART | auditlint check -`",
    )?;
    let mut command = Command::new(&helm);
    command.arg("template");
    if let Some(name) = release.name {
        command.arg(name);
    }
    command.arg(not_a_flag(chart));
    for v in values {
        command.arg("-f").arg(not_a_flag(v));
    }
    for s in release.set {
        command.arg("--set").arg(s);
    }
    if let Some(ns) = release.namespace {
        command.arg("-n").arg(ns);
    }
    let output = crate::renderer::run(&mut command, &format!("helm template {}", chart.display()))?;
    // Helm's warnings (deprecated APIs, readable kubeconfig) are the user's to see.
    if !output.warnings.trim().is_empty() {
        eprintln!("{}", output.warnings.trim_end());
    }
    let text = output.text;
    Ok(Rendered {
        display: display_name(chart),
        text,
        from: crate::source::RenderedFrom::HelmChart(chart.to_path_buf()),
    })
}

/// The Helm template of the document around `offset` of a rendered stream, read from the
/// text (for syntax errors, which have no parsed document to carry it): the last
/// `# Source:` line before `offset`, when no document separator follows it.
pub fn template_at(text: &str, offset: usize) -> Option<String> {
    source_at(text, offset).map(|(_, name)| name.to_owned())
}

/// As [`template_at`], with the offset of the `# Source:` line.
pub fn source_at(text: &str, offset: usize) -> Option<(usize, &str)> {
    let before = text.get(..offset)?;
    let line_start = before
        .rmatch_indices("# Source:")
        .map(|(i, _)| i)
        .find(|&i| i == 0 || before.as_bytes()[i - 1] == b'\n')?;
    let line = &before[line_start..];
    let (first, rest) = line.split_once('\n').unwrap_or((line, ""));
    let separated = rest
        .lines()
        .any(|l| l == "---" || l.starts_with("--- ") || l == "...");
    if separated {
        return None;
    }
    let name = first.strip_prefix("# Source:")?.trim();
    (!name.is_empty()).then_some((line_start, name))
}

/// Where template `name` (`CHART/templates/x.yaml`, as `# Source:` names it) is inside the
/// chart directory `chart`: the chart's own name is the first component.
pub fn template_file(chart: &Path, name: &str) -> PathBuf {
    let inside = name.split_once('/').map_or(name, |(_, rest)| rest);
    chart.join(inside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_template_around_an_offset() {
        let text = "# Source: c/templates/a.yaml\nkind: A\n---\n# Source: c/templates/b.yaml\nkind: [\n---\nkind: C\n";
        let at = |needle: &str| text.find(needle).unwrap();
        assert_eq!(
            template_at(text, at("kind: A")).as_deref(),
            Some("c/templates/a.yaml")
        );
        assert_eq!(
            template_at(text, at("kind: [")).as_deref(),
            Some("c/templates/b.yaml")
        );
        assert_eq!(template_at(text, at("kind: C")), None);
        assert_eq!(template_at("kind: A\n", 3), None);
        assert_eq!(template_at(text, text.len() + 10), None);
        assert_eq!(template_at("x # Source: no\nkind: [", 18), None);
    }

    #[test]
    fn paths_are_never_taken_for_options() {
        assert_eq!(not_a_flag(Path::new("-f")), Path::new("./-f"));
        assert_eq!(not_a_flag(Path::new("chart")), Path::new("chart"));
        assert_eq!(not_a_flag(Path::new("/abs/chart")), Path::new("/abs/chart"));
    }

    #[test]
    fn finds_helm_only_when_it_is_an_executable_on_path() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(find_helm(Some(dir.path().as_os_str().to_owned())), None);
        assert_eq!(find_helm(None), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let helm = dir.path().join("helm");
            std::fs::write(&helm, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert_eq!(find_helm(Some(dir.path().as_os_str().to_owned())), None);
            std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o755)).unwrap();
            let path = std::env::join_paths([Path::new("/nonexistent"), dir.path()]).unwrap();
            assert_eq!(find_helm(Some(path)), Some(helm));
        }
    }
}
