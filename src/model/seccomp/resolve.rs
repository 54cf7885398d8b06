//! Resolving a `localhostProfile` to a profile: the kubelet reads
//! `<root-dir>/seccomp/<localhostProfile>` (by default under `/var/lib/kubelet`). auditlint
//! looks for that file under `--host-root`, then for the file `profile-paths` maps it to in
//! the configuration, and otherwise for a scanned profile whose path ends with the same
//! components (at least the file name). It never guesses beyond that.

use std::path::{Component, Path, PathBuf};

use super::ProfileEntry;

/// The kubelet's seccomp root, relative to the host's `/`.
pub const KUBELET_SECCOMP_ROOT: &str = "var/lib/kubelet/seccomp";

/// Where a reference was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The file exists under `--host-root`.
    Host(PathBuf),
    /// Scanned profiles (indices into the list) whose path matches.
    Scanned(Vec<usize>),
    /// Nothing matches.
    Missing,
}

/// Whether a `localhostProfile` value can be resolved at all: Kubernetes rejects absolute
/// paths and `..` elements, so those are reported elsewhere and not looked up.
pub fn is_valid_reference(profile: &str) -> bool {
    !profile.is_empty() && !profile.starts_with('/') && !has_dotdot(profile)
}

/// Kubernetes splits on both separators (`validateLocalDescendingPath`).
pub fn has_dotdot(profile: &str) -> bool {
    profile.split(['/', '\\']).any(|part| part == "..")
}

/// The non-empty, non-`.` components of a slash path.
fn components(path: &str) -> Vec<&str> {
    path.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
        .collect()
}

/// Resolves one reference against `--host-root` (when given), the repository file the
/// configuration maps it to (`mapped`), and the scanned profiles.
pub fn resolve(
    profile: &str,
    profiles: &[ProfileEntry],
    host_root: Option<&Path>,
    mapped: Option<&str>,
) -> Resolution {
    if let Some(root) = host_root {
        if let Some(found) = host_file(root, profile) {
            return Resolution::Host(found);
        }
    }
    let matches: Vec<usize> = match mapped {
        // A mapping is exact: the profile scanned from that file, or nothing.
        Some(file) => {
            let file = components(file);
            profiles
                .iter()
                .enumerate()
                .filter(|(_, p)| p.operator.is_none() && is_file(&file, p))
                .map(|(i, _)| i)
                .collect()
        }
        None => {
            let wanted = components(profile);
            profiles
                .iter()
                .enumerate()
                .filter(|(_, p)| matches_entry(&wanted, p))
                .map(|(i, _)| i)
                .collect()
        }
    };
    if matches.is_empty() {
        Resolution::Missing
    } else {
        Resolution::Scanned(matches)
    }
}

/// The profile file under `<root>/var/lib/kubelet/seccomp/`, if it is a regular file that
/// stays inside the host root once symlinks are resolved.
pub fn host_file(root: &Path, profile: &str) -> Option<PathBuf> {
    let root = root.canonicalize().ok()?;
    let mut path = root.join(KUBELET_SECCOMP_ROOT);
    for c in components(profile) {
        path.push(c);
    }
    let real = path.canonicalize().ok()?;
    (real.starts_with(&root) && real.is_file()).then_some(path)
}

fn matches_entry(wanted: &[&str], entry: &ProfileEntry) -> bool {
    if wanted.is_empty() {
        return false;
    }
    if let Some(op) = &entry.operator {
        // `operator/<namespace>/<name>.json`
        let file = format!("{}.json", op.name);
        return wanted.len() == 3
            && wanted[0] == "operator"
            && wanted[2] == file
            && op.namespace.as_deref().is_none_or(|ns| ns == wanted[1]);
    }
    // The path on disk is the whole truth when there is one; the shown path may be only
    // the file name (a profile scanned from inside its directory).
    match &entry.abs_path {
        Some(abs) => suffix_match(wanted, &disk_components(abs)),
        None => suffix_match(wanted, &components(&entry.path)),
    }
}

/// The named components of a path on disk.
fn disk_components(path: &Path) -> Vec<&str> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect()
}

/// Whether the profile was scanned from `file` (a path relative to where auditlint runs or
/// to the scanned directory).
fn is_file(file: &[&str], entry: &ProfileEntry) -> bool {
    if components(&entry.path) == file {
        return true;
    }
    entry
        .abs_path
        .as_deref()
        .is_some_and(|abs| !file.is_empty() && disk_components(abs).ends_with(file))
}

/// The shorter of the two paths is a trailing part of the longer one (so a profile scanned
/// as `audit.json` from inside `profiles/` still matches `profiles/audit.json`).
fn suffix_match(wanted: &[&str], path: &[&str]) -> bool {
    let n = wanted.len().min(path.len());
    n > 0 && wanted[wanted.len() - n..] == path[path.len() - n..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::seccomp::OperatorName;
    use crate::source::SourceFile;
    use crate::yaml::Span;

    fn entry(path: &str, abs: Option<&str>) -> ProfileEntry {
        ProfileEntry {
            path: path.to_owned(),
            abs_path: abs.map(PathBuf::from),
            operator: None,
            file: SourceFile::new(path, "{}"),
            span: Span::point(0),
        }
    }

    fn operator(ns: Option<&str>, name: &str) -> ProfileEntry {
        ProfileEntry {
            operator: Some(OperatorName {
                namespace: ns.map(str::to_owned),
                name: name.to_owned(),
            }),
            ..entry("spo.yaml", None)
        }
    }

    #[test]
    fn a_mapping_names_the_exact_file() {
        let profiles = vec![
            entry(
                "node/seccomp/audit.json",
                Some("/repo/node/seccomp/audit.json"),
            ),
            entry("other/audit.json", None),
        ];
        let mapped = |file| resolve("profiles/audit.json", &profiles, None, Some(file));
        assert_eq!(
            mapped("node/seccomp/audit.json"),
            Resolution::Scanned(vec![0])
        );
        assert_eq!(
            mapped("./node/seccomp/audit.json"),
            Resolution::Scanned(vec![0])
        );
        assert_eq!(mapped("other/audit.json"), Resolution::Scanned(vec![1]));
        // The mapped path must end the file's path on disk; the reference's own name plays
        // no part any more.
        assert_eq!(mapped("seccomp/audit.json"), Resolution::Scanned(vec![0]));
        assert_eq!(mapped("elsewhere/audit.json"), Resolution::Missing);
        let renamed = |file| resolve("profiles/x.json", &profiles, None, Some(file));
        assert_eq!(renamed("other/audit.json"), Resolution::Scanned(vec![1]));
    }

    #[test]
    fn rejects_what_kubernetes_rejects() {
        assert!(is_valid_reference("profiles/audit.json"));
        assert!(is_valid_reference("audit.json"));
        assert!(is_valid_reference("a/..b/c.json"));
        assert!(!is_valid_reference("/var/lib/kubelet/seccomp/audit.json"));
        assert!(!is_valid_reference("../audit.json"));
        assert!(!is_valid_reference("profiles/../../etc/x"));
        assert!(!is_valid_reference("profiles\\..\\x"));
        assert!(!is_valid_reference(""));
    }

    #[test]
    fn matches_trailing_components() {
        let profiles = [
            entry("deploy/kind/profiles/audit.json", None),
            entry("other/fine.json", None),
        ];
        assert_eq!(
            resolve("profiles/audit.json", &profiles, None, None),
            Resolution::Scanned(vec![0])
        );
        assert_eq!(
            resolve("./profiles//audit.json", &profiles, None, None),
            Resolution::Scanned(vec![0])
        );
        // A different directory with the same file name is not the same file.
        assert_eq!(
            resolve("x/audit.json", &profiles, None, None),
            Resolution::Missing
        );
        assert_eq!(
            resolve("audit.jsn", &profiles, None, None),
            Resolution::Missing
        );
    }

    #[test]
    fn a_profile_scanned_from_inside_its_directory_still_matches() {
        let profiles = [entry("audit.json", None)];
        assert_eq!(
            resolve("profiles/audit.json", &profiles, None, None),
            Resolution::Scanned(vec![0])
        );
        let profiles = [entry("audit.json", Some("/repo/profiles/audit.json"))];
        assert_eq!(
            resolve("profiles/audit.json", &profiles, None, None),
            Resolution::Scanned(vec![0])
        );
        // The file on disk is in another directory: not the profile the workload names.
        let profiles = [entry("audit.json", Some("/repo/other/audit.json"))];
        assert_eq!(
            resolve("profiles/audit.json", &profiles, None, None),
            Resolution::Missing
        );
    }

    #[test]
    fn operator_profiles_resolve_by_namespace_and_name() {
        let profiles = [operator(Some("apps"), "audit"), operator(None, "any")];
        assert_eq!(
            resolve("operator/apps/audit.json", &profiles, None, None),
            Resolution::Scanned(vec![0])
        );
        assert_eq!(
            resolve("operator/other/audit.json", &profiles, None, None),
            Resolution::Missing
        );
        assert_eq!(
            resolve("operator/whatever/any.json", &profiles, None, None),
            Resolution::Scanned(vec![1])
        );
        assert_eq!(
            resolve("audit.json", &profiles, None, None),
            Resolution::Missing
        );
    }

    #[test]
    fn finds_the_file_under_the_host_root() {
        let dir = tempfile::tempdir().unwrap();
        let seccomp = dir.path().join(KUBELET_SECCOMP_ROOT).join("profiles");
        std::fs::create_dir_all(&seccomp).unwrap();
        std::fs::write(seccomp.join("audit.json"), "{}").unwrap();
        assert!(matches!(
            resolve("profiles/audit.json", &[], Some(dir.path()), None),
            Resolution::Host(_)
        ));
        assert_eq!(
            resolve("profiles/missing.json", &[], Some(dir.path()), None),
            Resolution::Missing
        );
        // A directory is not a profile.
        assert_eq!(
            resolve("profiles", &[], Some(dir.path()), None),
            Resolution::Missing
        );
    }

    #[cfg(unix)]
    #[test]
    fn does_not_follow_symlinks_out_of_the_host_root() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.json"), "{}").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let seccomp = dir.path().join(KUBELET_SECCOMP_ROOT);
        std::fs::create_dir_all(&seccomp).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.json"), seccomp.join("p.json"))
            .unwrap();
        assert_eq!(
            resolve("p.json", &[], Some(dir.path()), None),
            Resolution::Missing
        );
    }
}
