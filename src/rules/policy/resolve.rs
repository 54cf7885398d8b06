//! Which scanned Policy an apiserver's `--audit-policy-file` names. In order: (1) the exact
//! path under `--host-root`; (2) the `policy-paths` mapping of the configuration; (3) a
//! Policy that a Cluster API `files[]` entry of the same file writes to exactly that path;
//! (3b) the Policy in the ConfigMap (and key) that a configMap volume mounts at that path;
//! (4) the unique scanned Policy whose path ends with the most trailing components of it (at
//! least the file name).
//! Nothing is guessed: ties and misses are unresolved.

use std::path::Path;

use crate::cluster::ClusterIndex;
use crate::config::Config;
use crate::model::apiserver::ApiServerFacts;
use crate::model::policy::PolicyEntry;

/// Why a policy path did not resolve to a scanned Policy.
#[derive(Debug)]
pub enum Unresolved<'a> {
    /// Nothing scanned matches.
    NotFound,
    /// The file exists under `--host-root` but is not a scanned Policy.
    NotScanned(String),
    /// The configured mapping names a file that holds no scanned Policy.
    Mapped(String),
    /// Several scanned Policies match equally well.
    Ambiguous(Vec<&'a PolicyEntry>),
}

/// The Policy `api` loads: `Ok(None)` when it names none.
pub fn resolve<'a>(
    api: &ApiServerFacts,
    index: &'a ClusterIndex,
    config: &Config,
) -> Result<Option<&'a PolicyEntry>, Unresolved<'a>> {
    let Some(written) = &api.policy_file else {
        return Ok(None);
    };
    let mut targets = vec![written.value.as_str()];
    if let Some(host) = api.policy_host_path.as_deref() {
        if host != written.value {
            targets.insert(0, host);
        }
    }
    // (1) --host-root: the file on the node.
    if let Some(root) = &config.host_root {
        for target in &targets {
            let Some(relative) = target.strip_prefix('/') else {
                continue;
            };
            let on_disk = root.join(relative);
            let Ok(canonical) = on_disk.canonicalize() else {
                continue;
            };
            let found = index
                .policies
                .iter()
                .find(|e| e.file.abs_path.as_deref() == Some(canonical.as_path()));
            return match found {
                Some(e) => Ok(Some(e)),
                None => Err(Unresolved::NotScanned(on_disk.display().to_string())),
            };
        }
    }
    // (2) the configured mapping.
    for target in &targets {
        if let Some(mapped) = config.policy_paths.get(*target) {
            let mapped_norm = normalize(mapped);
            return index
                .policies
                .iter()
                .find(|e| {
                    normalize(&e.path) == mapped_norm
                        || e.file
                            .abs_path
                            .as_deref()
                            .is_some_and(|p| p.ends_with(Path::new(&mapped_norm)))
                })
                .map(Some)
                .ok_or(Unresolved::Mapped(mapped.clone()));
        }
    }
    // (3) a Cluster API `files[]` entry of the same file writing exactly that path (the
    // object that configures the apiserver also writes its policy). Another file's entry
    // describes another cluster's nodes and is not evidence.
    let declared: Vec<&PolicyEntry> = index
        .policies
        .iter()
        .filter(|e| e.file.path == api.file.path)
        .filter(|e| e.host_path.as_deref().is_some_and(|h| targets.contains(&h)))
        .collect();
    match declared.as_slice() {
        [] => {}
        [one] => return Ok(Some(one)),
        _ => return Err(Unresolved::Ambiguous(declared)),
    }
    // (3b) the ConfigMap a configMap volume of the apiserver's Pod mounts at that path.
    if let Some((name, key)) = &api.policy_config_map {
        let held: Vec<&PolicyEntry> = index
            .policies
            .iter()
            .filter(|e| {
                e.config_map
                    .as_ref()
                    .is_some_and(|(n, k)| n == name && key.as_ref().is_none_or(|key| key == k))
            })
            .collect();
        match held.as_slice() {
            [] => {}
            [one] => return Ok(Some(one)),
            _ => return Err(Unresolved::Ambiguous(held)),
        }
    }
    // (4) trailing path components.
    let mut best = 0;
    let mut candidates: Vec<&PolicyEntry> = Vec::new();
    for entry in &index.policies {
        if entry.host_path.is_some() {
            // Written to another host path: not this file.
            continue;
        }
        let score = targets
            .iter()
            .map(|t| trailing_match(t, &entry.path))
            .max()
            .unwrap_or(0);
        if score == 0 || score < best {
            continue;
        }
        if score > best {
            best = score;
            candidates.clear();
        }
        candidates.push(entry);
    }
    match candidates.as_slice() {
        [] => Err(Unresolved::NotFound),
        [one] => Ok(Some(one)),
        _ => Err(Unresolved::Ambiguous(candidates)),
    }
}

fn normalize(path: &str) -> String {
    path.trim_start_matches("./").replace('\\', "/")
}

/// How many trailing path components `a` and `b` share.
fn trailing_match(a: &str, b: &str) -> usize {
    let b = normalize(b);
    a.rsplit('/')
        .zip(b.rsplit('/'))
        .take_while(|(x, y)| x == y && !x.is_empty() && *x != "." && *x != "..")
        .count()
}

#[cfg(test)]
mod tests {
    use super::trailing_match;

    #[test]
    fn trailing_components_must_include_the_file_name() {
        assert_eq!(
            trailing_match("/etc/kubernetes/audit/policy.yaml", "audit/policy.yaml"),
            2
        );
        assert_eq!(
            trailing_match("/etc/kubernetes/audit/policy.yaml", "./policy.yaml"),
            1
        );
        assert_eq!(
            trailing_match("/etc/kubernetes/audit/policy.yaml", "audit/other.yaml"),
            0
        );
        assert_eq!(
            trailing_match("/etc/kubernetes/audit-policy.yaml", "x_audit-policy.yaml"),
            0
        );
    }
}
