//! AL312: `localhostProfile` references that match no scanned profile (or file under
//! `--host-root`, or file `profile-paths` maps them to). Only checked when there is
//! something to check against.

use std::collections::{HashMap, HashSet};

use crate::catalog::Code;
use crate::cluster::ClusterIndex;
use crate::config::Config;
use crate::finding::Finding;
use crate::model::seccomp::resolve::{resolve, Resolution, KUBELET_SECCOMP_ROOT};
use crate::model::seccomp::ProfileEntry;

pub fn check(index: &ClusterIndex, config: &Config, out: &mut Vec<Finding>) {
    let host_root = config.host_root.as_deref();
    // One finding per file and profile name, however many containers repeat it.
    let mut seen = HashSet::new();
    // Whether a name resolves, and the profile nearest to it, looked up once per name: each
    // lookup goes through every scanned profile, and many workloads name the same ones.
    let mut missing: HashMap<&str, bool> = HashMap::new();
    let mut near: HashMap<&str, Option<&ProfileEntry>> = HashMap::new();
    for r in &index.seccomp_refs {
        if !seen.insert((r.file.path.as_str(), r.profile.as_str())) {
            continue;
        }
        let mapped = config.profile_paths.get(&r.profile).map(String::as_str);
        if mapped.is_none() && index.profiles.is_empty() && host_root.is_none() {
            continue;
        }
        let is_missing = *missing.entry(r.profile.as_str()).or_insert_with(|| {
            resolve(&r.profile, &index.profiles, host_root, mapped) == Resolution::Missing
        });
        if !is_missing {
            continue;
        }
        let mut looked = Vec::new();
        if let Some(root) = host_root {
            looked.push(format!(
                "no file {}",
                root.join(KUBELET_SECCOMP_ROOT).join(&r.profile).display()
            ));
        }
        if let Some(file) = mapped {
            looked.push(format!(
                "`profile-paths` in the configuration maps it to `{file}`, which is not a \
                 scanned seccomp profile"
            ));
        } else if !index.profiles.is_empty() {
            looked.push(format!(
                "no scanned seccomp profile ends with that path ({} scanned)",
                index.profiles.len()
            ));
        }
        let mut finding = Finding::new(Code::AL312, &r.file, r.span)
            .template(r.template.as_deref())
            .message(format!(
                "{} uses the seccomp profile `{}`, which cannot be found ({}): the kubelet \
                 fails the container with CreateContainerError when the file is missing",
                r.workload,
                r.profile,
                looked.join("; ")
            ))
            .label("profile not found");
        let nearest = *near
            .entry(r.profile.as_str())
            .or_insert_with(|| nearest(&r.profile, &index.profiles));
        finding = match (mapped, nearest) {
            (Some(file), _) => finding.help(format!(
                "scan `{file}` together with this workload, or correct the `profile-paths` \
                 entry for `{}` in .auditlint.yaml",
                r.profile
            )),
            (None, Some(p)) => finding
                .help(format!(
                    "did you mean the profile scanned as `{}`? Name it by its path under \
                     /var/lib/kubelet/seccomp/",
                    p.path
                ))
                .related(&p.file, p.span, "a profile with a similar name"),
            (None, None) => finding.help(
                "fix the path, or add the profile (as provisioned into \
                 /var/lib/kubelet/seccomp/) to the scan",
            ),
        };
        out.push(finding);
    }
}

/// The scanned profile whose file name is closest to the reference's.
fn nearest<'a>(profile: &str, profiles: &'a [ProfileEntry]) -> Option<&'a ProfileEntry> {
    let wanted = file_name(profile);
    profiles
        .iter()
        .map(|p| {
            let name = match &p.operator {
                Some(op) => format!("{}.json", op.name),
                None => file_name(&p.path).to_owned(),
            };
            (strsim::jaro_winkler(wanted, &name), p)
        })
        .filter(|&(score, _)| score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, p)| p)
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}
