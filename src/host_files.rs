//! `--host-root`: the files the scanned configuration names on the node (the audit policy an
//! apiserver loads, the seccomp profiles workloads use), found under the host root so they
//! can be linted like scanned files. Never a path that leaves the root (through `..` or a
//! symlink), never one already scanned.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::cluster::ClusterIndex;
use crate::discover::Input;

/// The named files that exist under `root` and are not among `scanned`, in a stable order.
pub fn named(index: &ClusterIndex, root: &Path, scanned: &[Input]) -> Vec<Input> {
    let Ok(root) = root.canonicalize() else {
        return Vec::new();
    };
    let seen: BTreeSet<PathBuf> = scanned
        .iter()
        .filter_map(|i| match i {
            Input::File { path, .. } => path.canonicalize().ok(),
            _ => None,
        })
        .collect();
    let policies = index.apiservers.iter().flat_map(|api| {
        [
            api.policy_host_path.clone(),
            api.policy_file.as_ref().map(|p| p.value.clone()),
        ]
    });
    let mut found = BTreeSet::new();
    for host_path in policies.flatten() {
        let Some(relative) = host_path.strip_prefix('/') else {
            continue;
        };
        if let Some(path) = inside(&root, &root.join(relative)) {
            found.insert(path);
        }
    }
    for r in &index.seccomp_refs {
        if let Some(path) = crate::model::seccomp::resolve::host_file(&root, &r.profile)
            .and_then(|p| inside(&root, &p))
        {
            found.insert(path);
        }
    }
    found
        .into_iter()
        .filter(|p| !seen.contains(p))
        .map(|path| Input::File {
            display: crate::discover::display_path(&path),
            path,
        })
        .collect()
}

/// `path` made canonical, when it is a regular file inside `root`.
fn inside(root: &Path, path: &Path) -> Option<PathBuf> {
    let real = path.canonicalize().ok()?;
    (real.starts_with(root) && real.is_file()).then_some(real)
}
