//! Real public Terraform for EKS, GKE and AKS (`tests/fixtures/terraform-public/`, sources in
//! its PROVENANCE.md): the managed-cluster rules say exactly what can be defended.

use std::path::Path;

use auditlint::config::Config;
use auditlint::engine;

#[test]
fn real_tutorial_terraform_raises_only_defensible_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform-public");
    let mut config = Config::new();
    config.extend_select.push("AL504".into());
    let report = engine::scan_paths(&[root], &config).unwrap();
    let found: Vec<String> = report
        .active()
        .map(|f| {
            let path = f.file.path.rsplit("terraform-public/").next().unwrap_or("");
            let line = f.file.position(f.span.start).line;
            format!("{} {:?} {path}:{line}", f.code(), f.severity)
        })
        .collect();
    assert_eq!(
        found,
        [
            "AL501 Error aks/aks-cluster.tf:22",
            "AL504 Note eks/main.tf:43",
            "AL501 Warning gke/gke.tf:25",
        ]
    );
}
