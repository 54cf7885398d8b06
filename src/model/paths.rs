//! Paths as written in configuration: one normaliser and one coverage test, for host paths
//! (hostPath volumes, apiserver mounts, the files a forwarder must read) and for the
//! repository paths of a scan (`policy-paths` mappings).

/// `path` in a canonical form: `/` separators (a Windows `C:\var\log` is `/var/log`), no
/// empty or `.` components, `..` resolved lexically, no trailing slash. An absolute path
/// stays absolute (`..` stops at the root); a relative one stays relative and keeps the
/// `..` that climb out of it (`./audit/p.yaml` is `audit/p.yaml`).
pub fn normalize(path: &str) -> String {
    clean(path, false)
}

/// A path on a node, always absolute: what the kubelet makes of a hostPath. A relative
/// path is taken from the root, as if it started with `/`.
pub fn host_path(path: &str) -> String {
    clean(path, true)
}

fn clean(path: &str, absolute: bool) -> String {
    let path = path.replace('\\', "/");
    let (path, drive) = match path.as_bytes() {
        [d, b':', ..] if d.is_ascii_alphabetic() => (&path[2..], true),
        _ => (&path[..], false),
    };
    let absolute = absolute || drive || path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(".."),
            },
            p => parts.push(p),
        }
    }
    if absolute {
        format!("/{}", parts.join("/"))
    } else {
        parts.join("/")
    }
}

/// `path` relative to directory `dir` when `dir` holds it (or is it), on path-component
/// boundaries: `/etc/kubernetes/audit` covers `/etc/kubernetes/audit/p.yaml`, not
/// `/etc/kubernetes/audit-policy.yaml`. A trailing slash on `dir` does not matter.
pub fn relative<'p>(dir: &str, path: &'p str) -> Option<&'p str> {
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() {
        return path.strip_prefix('/');
    }
    let rest = path.strip_prefix(dir)?;
    if rest.is_empty() {
        Some("")
    } else {
        rest.strip_prefix('/')
    }
}

/// Whether directory `dir` holds `path` (or is it): see [`relative`].
pub fn covers(dir: &str, path: &str) -> bool {
    relative(dir, path).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_paths_are_absolute_and_canonical() {
        assert_eq!(host_path("/var/log/"), "/var/log");
        assert_eq!(host_path("//var/./log//pods/"), "/var/log/pods");
        assert_eq!(host_path("/var/lib/../log"), "/var/log");
        assert_eq!(host_path("/../var/log"), "/var/log");
        assert_eq!(host_path("C:\\var\\log"), "/var/log");
        assert_eq!(host_path("var/log"), "/var/log");
        assert_eq!(host_path("/"), "/");
    }

    #[test]
    fn relative_paths_stay_relative() {
        assert_eq!(normalize("./audit/policy.yaml"), "audit/policy.yaml");
        assert_eq!(normalize("audit\\policy.yaml"), "audit/policy.yaml");
        assert_eq!(normalize("a/../../b.yaml"), "../b.yaml");
        assert_eq!(normalize("../shared/x.yaml"), "../shared/x.yaml");
        assert_eq!(
            normalize("/etc/kubernetes/./audit/"),
            "/etc/kubernetes/audit"
        );
    }

    #[test]
    fn coverage_is_on_component_boundaries() {
        assert!(covers("/var/log", "/var/log"));
        assert!(covers("/var/log", "/var/log/pods"));
        assert!(covers("/var/log/", "/var/log/pods"));
        assert!(covers("/var", "/var/log/pods"));
        assert!(covers("/", "/var/log"));
        assert!(!covers("/var/log", "/var/logs"));
        assert!(!covers("/var/log/pods", "/var/log"));
        assert!(!covers("/var/lo", "/var/log"));
        assert_eq!(
            relative("/etc/kubernetes/audit", "/etc/kubernetes/audit/p.yaml"),
            Some("p.yaml")
        );
        assert_eq!(
            relative("/etc/kubernetes/audit", "/etc/kubernetes/audit-policy.yaml"),
            None
        );
    }
}
