//! The edits that give a container a hostPath mount (the apiserver: AL107, AL108, AL109's
//! split; a log agent: AL405), in the file's own form: a `volumeMounts` entry and a Pod `volumes` entry of the same name, or one
//! kubeadm `extraVolumes` entry. Each is appended after the list's last item, in that item's
//! style (a flow `{…}` item gets a flow item), or, when the list is missing, as a new key of
//! the container, the Pod spec or `apiServer`.
//!
//! Field names and hostPath types follow the Pod API (`volumeMounts[].readOnly`,
//! `hostPath.type`: <https://kubernetes.io/docs/concepts/storage/volumes/#hostpath>) and
//! kubeadm's `HostPathMount` (`name`, `hostPath`, `mountPath`, `readOnly`, `pathType`:
//! <https://kubernetes.io/docs/reference/config-api/kubeadm-config.v1beta4/#kubeadm-k8s-io-v1beta4-HostPathMount>).

use crate::fix::{Edit, Editor, Value};
use crate::model::apiserver::mounts::{ListSite, MountSites};
use crate::model::apiserver::{ApiServerConfig, Form};

/// A hostPath mount to add: `host` on the node seen at `path` in the container.
pub struct NewMount<'a> {
    pub name: &'a str,
    pub path: &'a str,
    pub host: &'a str,
    pub read_only: bool,
    /// The hostPath type: `File`, `DirectoryOrCreate`.
    pub kind: &'a str,
}

/// The node's `/var/log`, read-only at the same path: what a log agent mounts to read container
/// logs (`/var/log/pods`) and files such as the audit log under it.
pub const VAR_LOG: NewMount<'static> = NewMount {
    name: "varlog",
    path: "/var/log",
    host: "/var/log",
    read_only: true,
    kind: "Directory",
};

/// The edits that add `mount`, or `None` where the form keeps no list of mounts in this file
/// (k3s, RKE, Talos' generated mounts) or the list cannot be written to (an alias).
pub fn add(text: &str, config: &ApiServerConfig, mount: &NewMount<'_>) -> Option<Vec<Edit>> {
    let sites = config.mount_sites.as_ref()?;
    // A relative path is resolved against the apiserver's working directory: no mount
    // path to write for it.
    if !mount.path.starts_with('/') || !mount.host.starts_with('/') {
        return None;
    }
    match config.form {
        Form::Pod => add_to_pod(text, sites, mount),
        Form::KubeadmMap | Form::KubeadmList => {
            let scalar = |s: &str| Value::scalar(s);
            let read_only = if mount.read_only { "true" } else { "false" };
            let extra = Value::map([
                ("name", scalar(&free_name(sites, mount.name))),
                ("hostPath", scalar(mount.host)),
                ("mountPath", scalar(mount.path)),
                ("readOnly", scalar(read_only)),
                ("pathType", scalar(mount.kind)),
            ]);
            let editor = Editor::new(text);
            Some(vec![append(
                &editor,
                text,
                &sites.mounts,
                "extraVolumes",
                extra,
            )?])
        }
        _ => None,
    }
}

/// The edits that mount `mount` into the container of a Pod (template) `sites` describes: a
/// `volumeMounts` entry and a `volumes` entry of the same, unused, name.
pub fn add_to_pod(text: &str, sites: &MountSites, mount: &NewMount<'_>) -> Option<Vec<Edit>> {
    if !mount.path.starts_with('/') || !mount.host.starts_with('/') {
        return None;
    }
    let editor = Editor::new(text);
    let name = free_name(sites, mount.name);
    let scalar = |s: &str| Value::scalar(s);
    let mut entry = vec![
        ("name", scalar(name.as_str())),
        ("mountPath", scalar(mount.path)),
    ];
    if mount.read_only {
        entry.push(("readOnly", scalar("true")));
    }
    let volume = Value::map([
        ("name", scalar(name.as_str())),
        (
            "hostPath",
            Value::map([("path", scalar(mount.host)), ("type", scalar(mount.kind))]),
        ),
    ]);
    Some(vec![
        append(
            &editor,
            text,
            &sites.mounts,
            "volumeMounts",
            Value::map(entry),
        )?,
        append(&editor, text, sites.volumes.as_ref()?, "volumes", volume)?,
    ])
}

/// `item` after the last item of the list at `site`, or the list `key: [item]` in its owner.
pub fn append(
    editor: &Editor<'_>,
    text: &str,
    site: &ListSite,
    key: &str,
    item: Value,
) -> Option<Edit> {
    match (site.list, site.last) {
        (Some(list), last) => {
            // A list written as flow items (`- {name: a, …}`) gets one more of them.
            let flow = last
                .and_then(|l| text.get(l.start..l.end))
                .is_some_and(|t| t.starts_with('{'));
            let item = if flow {
                Value::scalar(item.flow())
            } else {
                item
            };
            editor.append_item(list, last, &item)
        }
        (None, _) => editor.append_entry(site.owner, key, &Value::Seq(vec![item])),
    }
}

/// `name`, or `name-2`, `name-3` … when a volume already has it.
fn free_name(sites: &MountSites, name: &str) -> String {
    (1..)
        .map(|n| {
            if n == 1 {
                name.to_owned()
            } else {
                format!("{name}-{n}")
            }
        })
        .find(|candidate| !sites.names.contains(candidate))
        .expect("some name is free")
}
