//! `check --show-clusters`: the scope model as the scan built it — which files form each
//! cluster and why, the version each runs and where that comes from, and whether the
//! cross-file rules judged it.

use serde_json::json;

use crate::engine::Report;

pub fn human(report: &Report) -> String {
    let mut out = String::new();
    for c in &report.clusters {
        out.push_str(&format!(
            "cluster {} — Kubernetes {} ({})\n",
            c.name,
            crate::version::display(c.version),
            c.version_source
        ));
        if c.managed != crate::config::Managed::None {
            out.push_str(&format!(
                "  managed control plane: {}\n",
                c.managed.as_str()
            ));
        }
        if c.control_plane.is_empty() {
            out.push_str("  control plane: none configured in these files\n");
        } else {
            out.push_str(&format!(
                "  control plane: {}\n",
                c.control_plane.join(", ")
            ));
        }
        out.push_str(if c.judged {
            "  cross-file rules (AL112, AL312, AL4xx): checked\n"
        } else {
            "  cross-file rules (AL112, AL312, AL4xx): not checked (no control plane: an \
             application repository is no cluster; declare one under `clusters:` to check it)\n"
        });
        out.push_str(&format!("  files ({}):\n", c.files.len()));
        let width = c.files.iter().map(|(p, _)| p.len()).max().unwrap_or(0);
        for (path, why) in &c.files {
            out.push_str(&format!("    {path:width$}  {why}\n"));
        }
    }
    out
}

pub fn json(report: &Report) -> String {
    let clusters: Vec<_> = report
        .clusters
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "kubernetes_version": crate::version::display(c.version),
                "version_source": c.version_source.to_string(),
                "managed": c.managed.as_str(),
                "judged": c.judged,
                "control_plane": c.control_plane,
                "files": c.files.iter().map(|(p, why)| json!({"path": p, "why": why})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let root = crate::discover::working_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let mut s = serde_json::to_string_pretty(&json!({ "root": root, "clusters": clusters }))
        .expect("serialisable");
    s.push('\n');
    s
}
