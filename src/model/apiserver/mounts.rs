//! Which hostPath mount makes a host file visible inside the apiserver's container.

pub use crate::model::paths::{covers, relative};
use crate::yaml::{Node, Span};

/// A declared volume (Pod `volumes[]`, or the host side of a kubeadm extraVolume).
#[derive(Debug, Clone)]
pub struct Volume {
    pub name: String,
    /// `Some` for a hostPath volume.
    pub host_path: Option<String>,
    /// hostPath `type` (kubeadm `pathType`), when set.
    pub host_type: Option<String>,
    /// For anything but hostPath: the volume source's key (`configMap`, `emptyDir`).
    pub source_kind: Option<String>,
    /// For a `configMap` volume: the ConfigMap's name.
    pub config_map: Option<String>,
    pub span: Span,
    /// Span of the `type`/`pathType` value, if any.
    pub type_span: Option<Span>,
}

/// A path inside the container and where it comes from.
#[derive(Debug, Clone)]
pub struct Mount {
    pub name: String,
    pub mount_path: String,
    pub read_only: bool,
    /// The whole volumeMount / extraVolume entry.
    pub span: Span,
    pub mount_path_span: Span,
    /// Span of `readOnly` value, if written.
    pub read_only_span: Option<Span>,
    /// The declared volume with this name, if any.
    pub volume: Option<Volume>,
    /// Built in (kubeadm default mounts) rather than written in the file.
    pub implicit: bool,
}

impl Mount {
    /// A mount the distribution always gives the apiserver (hostPath at the same path).
    pub fn implicit(path: &str, read_only: bool) -> Mount {
        Mount {
            name: String::new(),
            mount_path: path.to_owned(),
            read_only,
            span: Span::default(),
            mount_path_span: Span::default(),
            read_only_span: None,
            volume: Some(Volume {
                name: String::new(),
                host_path: Some(path.to_owned()),
                host_type: None,
                source_kind: None,
                config_map: None,
                span: Span::default(),
                type_span: None,
            }),
            implicit: true,
        }
    }

    /// Where a container path under this mount lives on the host.
    pub fn host_path_of(&self, container_path: &str) -> Option<String> {
        let host = self.volume.as_ref()?.host_path.as_deref()?;
        let rest = relative(&self.mount_path, container_path)?;
        Some(if rest.is_empty() {
            host.to_owned()
        } else {
            format!("{}/{rest}", host.trim_end_matches('/'))
        })
    }
}

/// The mount that decides what the container sees at `path`: the deepest covering one.
pub fn covering<'m>(mounts: &'m [Mount], path: &str) -> Option<&'m Mount> {
    mounts
        .iter()
        .filter(|m| covers(&m.mount_path, path))
        .max_by_key(|m| m.mount_path.trim_end_matches('/').len())
}

/// A kubeadm `extraVolumes` entry (`{name, hostPath, mountPath, readOnly, pathType}`); Talos
/// and kwok write theirs the same way (Talos without `name` and `pathType`).
pub fn extra_volume(v: Node<'_>) -> Option<Mount> {
    let (_, mount_path) = v.entry("mountPath")?;
    let name = v.get_str("name").unwrap_or_default().to_owned();
    let read_only = v.get("readOnly");
    let path_type = v.get("pathType");
    Some(Mount {
        volume: Some(Volume {
            name: name.clone(),
            host_path: v.get_str("hostPath").map(str::to_owned),
            host_type: path_type.and_then(|t| t.str()).map(str::to_owned),
            source_kind: None,
            config_map: None,
            span: v.span(),
            type_span: path_type.map(|t| t.span()),
        }),
        name,
        mount_path: mount_path.str()?.to_owned(),
        read_only: read_only
            .and_then(|r| r.scalar()?.as_bool())
            .unwrap_or(false),
        span: v.span(),
        mount_path_span: mount_path.span(),
        read_only_span: read_only.map(|r| r.span()),
        implicit: false,
    })
}

/// Where `--fix` adds an entry to a list: after the list's last item, or, when the list is
/// missing, as a new key of its owner mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListSite {
    pub owner: Span,
    pub list: Option<Span>,
    pub last: Option<Span>,
}

impl ListSite {
    /// The list `key` of `owner` (a block or flow sequence, possibly missing).
    pub fn of(owner: Node<'_>, key: &str) -> ListSite {
        let list = owner.get(key).filter(|l| l.is_seq());
        ListSite {
            owner: owner.span(),
            list: list.map(|l| l.span()),
            last: list.and_then(|l| l.items().last().map(|i| i.span())),
        }
    }
}

/// Where new mounts go: the container's `volumeMounts` and the Pod's `volumes` (a Pod), or
/// `apiServer.extraVolumes` (kubeadm, where one entry is both), with the volume names taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountSites {
    pub mounts: ListSite,
    /// A Pod's `volumes`; `None` where a mount entry names its host path itself.
    pub volumes: Option<ListSite>,
    pub names: Vec<String>,
}

/// The directory part of a file path (`/var/log/a.log` → `/var/log`).
pub fn parent(path: &str) -> &str {
    match path.trim_end_matches('/').rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => ".",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_respects_path_component_boundaries() {
        assert!(covers(
            "/etc/kubernetes/audit",
            "/etc/kubernetes/audit/policy.yaml"
        ));
        assert!(covers(
            "/etc/kubernetes/audit/",
            "/etc/kubernetes/audit/policy.yaml"
        ));
        assert!(covers(
            "/etc/kubernetes/audit-policy.yaml",
            "/etc/kubernetes/audit-policy.yaml"
        ));
        assert!(!covers(
            "/etc/kubernetes/audit",
            "/etc/kubernetes/audit-policy.yaml"
        ));
        assert!(!covers(
            "/etc/kubernetes/pol",
            "/etc/kubernetes/policy.yaml"
        ));
        assert!(covers("/", "/var/log/x"));
    }

    #[test]
    fn host_path_translation_and_deepest_mount() {
        let mount = |path: &str, host: &str| Mount {
            name: path.into(),
            mount_path: path.into(),
            read_only: false,
            span: Span::default(),
            mount_path_span: Span::default(),
            read_only_span: None,
            volume: Some(Volume {
                name: path.into(),
                host_path: Some(host.into()),
                host_type: None,
                source_kind: None,
                config_map: None,
                span: Span::default(),
                type_span: None,
            }),
            implicit: false,
        };
        let mounts = vec![
            mount("/var/log", "/var/log"),
            mount("/var/log/kubernetes/audit", "/srv/audit"),
        ];
        let m = covering(&mounts, "/var/log/kubernetes/audit/audit.log").unwrap();
        assert_eq!(
            m.host_path_of("/var/log/kubernetes/audit/audit.log")
                .as_deref(),
            Some("/srv/audit/audit.log")
        );
        assert_eq!(parent("/var/log/audit.log"), "/var/log");
        assert_eq!(parent("/audit.log"), "/");
    }
}
