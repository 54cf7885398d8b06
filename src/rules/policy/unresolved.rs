//! AL112: an apiserver's `--audit-policy-file` matches no scanned Policy, so the policy's
//! content was not checked. Reported once per apiserver, at the flag.

use super::resolve::{resolve, Unresolved};
use crate::catalog::Code;
use crate::cluster::ClusterIndex;
use crate::config::Config;
use crate::finding::Finding;

pub fn check(index: &ClusterIndex, config: &Config, out: &mut Vec<Finding>) {
    for api in &index.apiservers {
        let Err(why) = resolve(api, index, config) else {
            continue;
        };
        let Some(written) = &api.policy_file else {
            continue;
        };
        let path = &written.value;
        let host = api
            .policy_host_path
            .as_deref()
            .filter(|h| h != path)
            .map(|h| format!(" (`{h}` on the host)"))
            .unwrap_or_default();
        let (what, label) = match &why {
            Unresolved::NotFound => (
                "matches no scanned Policy".to_owned(),
                "no scanned Policy is at this path",
            ),
            Unresolved::NotScanned(file) => (
                format!("exists at `{file}` but was not scanned as a Policy"),
                "not scanned",
            ),
            Unresolved::Mapped(file) => (
                format!(
                    "is mapped in the configuration to `{file}`, which holds no scanned Policy"
                ),
                "mapped file holds no Policy",
            ),
            Unresolved::Ambiguous(entries) => {
                let mut names: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
                names.dedup();
                (
                    format!(
                        "matches {} scanned Policies equally well ({}), and auditlint does not guess",
                        entries.len(),
                        names.join(", ")
                    ),
                    "ambiguous",
                )
            }
        };
        out.push(
            Finding::new(Code::AL112, &api.file, written.span)
                .message(format!(
                    "the audit policy `{path}`{host} {what}, so its content was not checked"
                ))
                .label(label)
                .help(format!(
                    "scan the Policy file together with this configuration, map it in `.auditlint.yaml`:\n  policy-paths:\n    \"{path}\": path/in/repository/policy.yaml\nor, on a control-plane node, run `auditlint check --host-root / ...`"
                ))
                .template(api.template.as_deref()),
        );
    }
}
