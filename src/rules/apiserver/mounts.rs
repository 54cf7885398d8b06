//! AL107–AL111: the files the audit flags name must be visible inside the apiserver's
//! container: the policy (and webhook kubeconfig) through a read-only hostPath mount, the
//! log directory through a writable one.

use crate::catalog::Code;
use crate::context::DocCtx;
use crate::finding::{Edit, Safety};
use crate::fix::Editor;
use crate::model::apiserver::mounts::{covering, covers, parent};
use crate::model::apiserver::{ApiServerConfig, Flag, Form, Mount};
use crate::rules::mount_fix::{self, NewMount};

const DIRECTORY_TYPES: &[&str] = &["Directory", "DirectoryOrCreate"];
const FILE_TYPES: &[&str] = &["File", "FileOrCreate"];
const HOST_PATH_TYPES: &[&str] = &[
    "",
    "DirectoryOrCreate",
    "Directory",
    "FileOrCreate",
    "File",
    "Socket",
    "CharDevice",
    "BlockDevice",
];

pub fn check(cx: &mut DocCtx<'_>, config: &ApiServerConfig) {
    let Some(mounts) = &config.mounts else { return };
    if let Some(flag) = path_flag(config, "audit-policy-file") {
        match covering(mounts, flag.value.as_deref().unwrap_or_default()) {
            None => not_mounted(
                cx,
                config,
                mounts,
                flag,
                Code::AL107,
                "audit-policy",
                "the audit policy",
                "fails to start: it cannot read its policy",
            ),
            Some(mount) => {
                if !mount.read_only && !mount.implicit {
                    writable_policy(cx, config, mounts, mount, flag);
                }
                broken(cx, config, mount, flag, Use::File);
            }
        }
    }
    if let Some(flag) = path_flag(config, "audit-webhook-config-file") {
        match covering(mounts, flag.value.as_deref().unwrap_or_default()) {
            None => not_mounted(
                cx,
                config,
                mounts,
                flag,
                Code::AL111,
                "audit-webhook",
                "the audit webhook configuration",
                "fails to start: it cannot read the webhook kubeconfig",
            ),
            Some(mount) => broken(cx, config, mount, flag, Use::File),
        }
    }
    if let Some(flag) =
        path_flag(config, "audit-log-path").filter(|f| f.value.as_deref() != Some("-"))
    {
        log_mount(cx, config, mounts, flag);
    }
}

fn path_flag<'c>(config: &'c ApiServerConfig, name: &str) -> Option<&'c Flag> {
    config
        .flag(name)
        .filter(|f| f.value.as_deref().is_some_and(|v| !v.is_empty()))
}

/// The YAML to add a hostPath mount for `path`, in the configuration's own form.
fn mount_lines(
    config: &ApiServerConfig,
    name: &str,
    path: &str,
    read_only: bool,
    kind: &str,
) -> String {
    match config.form {
        Form::KubeadmMap | Form::KubeadmList => format!(
            "under `apiServer.extraVolumes:`\n- name: {name}\n  hostPath: {path}\n  mountPath: {path}\n  readOnly: {read_only}\n  pathType: {kind}"
        ),
        Form::Rke1 => format!(
            "under `services.kube-api.extra_binds:`\n- \"{path}:{path}{}\"",
            if read_only { ":ro" } else { "" }
        ),
        Form::Talos => format!(
            "under `cluster.apiServer.extraVolumes:`\n- hostPath: {path}\n  mountPath: {path}\n  readOnly: {read_only}"
        ),
        _ => format!(
            "under the container's `volumeMounts:`\n- name: {name}\n  mountPath: {path}\n  readOnly: {read_only}\nand under the Pod's `volumes:`\n- name: {name}\n  hostPath:\n    path: {path}\n    type: {kind}"
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn not_mounted(
    cx: &mut DocCtx<'_>,
    config: &ApiServerConfig,
    mounts: &[Mount],
    flag: &Flag,
    code: Code,
    volume: &str,
    what: &str,
    consequence: &str,
) {
    let path = flag.value.as_deref().unwrap_or_default();
    let mut finding = cx
        .finding(code, flag.value_span)
        .message(format!("{what} `{path}` is not under any hostPath mount of the apiserver's container, so kube-apiserver {consequence}"))
        .label("not mounted")
        .help(format!("mount the file read-only, {}", mount_lines(config, volume, path, true, "File")))
        .fix_with(
            Safety::Safe,
            mount_fix::add(
                &cx.file.text,
                config,
                &NewMount {
                    name: volume,
                    path,
                    host: path,
                    read_only: true,
                    kind: "File",
                },
            ),
        );
    // A mount that looks like it covers the path but does not, on component boundaries.
    if let Some(near) = mounts
        .iter()
        .find(|m| !m.implicit && path.starts_with(m.mount_path.trim_end_matches('/')))
    {
        finding = finding.related(
            cx.file,
            near.mount_path_span,
            format!(
                "`{}` is a different path: it does not contain `{path}`",
                near.mount_path
            ),
        );
    }
    cx.report(finding);
}

fn writable_policy(
    cx: &mut DocCtx<'_>,
    config: &ApiServerConfig,
    mounts: &[Mount],
    mount: &Mount,
    policy: &Flag,
) {
    let span = mount.read_only_span.unwrap_or(mount.mount_path_span);
    let (key, fix) = match config.form {
        Form::KubeadmMap | Form::KubeadmList | Form::Talos => {
            ("extraVolume", "set `readOnly: true` on this extraVolume")
        }
        Form::Rke1 => ("bind", "add `:ro` to this bind (`host:container:ro`)"),
        _ => ("volumeMount", "set `readOnly: true` on this volumeMount"),
    };
    // The same mount may also hold the log directory, which must stay writable (AL108):
    // making it read-only would stop the apiserver from starting.
    let holds_log = path_flag(config, "audit-log-path")
        .and_then(|f| f.value.as_deref())
        .filter(|p| *p != "-")
        .and_then(|p| covering(mounts, p))
        .is_some_and(|m| std::ptr::eq(m, mount));
    let help = if holds_log {
        let path = policy.value.as_deref().unwrap_or_default();
        format!(
            "this {key} also holds the audit log directory, which must stay writable (a read-only one stops kube-apiserver from starting, AL108); give the policy a read-only mount of its own, {}",
            mount_lines(config, "audit-policy", path, true, "File")
        )
    } else {
        fix.to_owned()
    };
    let finding = cx
        .finding(Code::AL109, span)
        .message(format!(
            "the mount holding the audit policy (`{}`) is writable: anything running as the apiserver can rewrite the policy that decides what is audited",
            mount.mount_path
        ))
        .label("not read-only")
        .help(help);
    let finding = if holds_log {
        // A read-only mount of the policy file alone, deeper than the shared one, decides
        // what the container sees at that path; the log directory stays writable. Unsafe:
        // the file must exist on the node where the shared mount's host path puts it.
        let path = policy.value.as_deref().unwrap_or_default();
        let edits = mount.host_path_of(path).and_then(|host| {
            mount_fix::add(
                &cx.file.text,
                config,
                &NewMount {
                    name: "audit-policy",
                    path,
                    host: &host,
                    read_only: true,
                    kind: "File",
                },
            )
        });
        finding.fix_with(Safety::Unsafe, edits)
    } else {
        finding.fix_with(Safety::Safe, read_only(&cx.file.text, config, mount))
    };
    cx.report(finding);
}

/// The edit that makes `mount` read-only: `readOnly: true` written over `false`, or added to
/// the entry.
fn read_only(text: &str, config: &ApiServerConfig, mount: &Mount) -> Option<Vec<Edit>> {
    // Only where the mounts are written in this file (not generated).
    config.mount_sites.as_ref()?;
    let editor = Editor::new(text);
    let edit = match mount.read_only_span {
        Some(span) => editor.replace_scalar(span, "true")?,
        None => editor.append_entry(mount.span, "readOnly", &crate::fix::Value::scalar("true"))?,
    };
    Some(vec![edit])
}

#[derive(Clone, Copy, PartialEq)]
enum Use {
    /// A file the apiserver reads (policy, webhook kubeconfig).
    File,
    /// The directory the log is written (and rotated) in.
    LogDirectory,
}

/// AL110: the mount itself cannot work for this use.
fn broken(cx: &mut DocCtx<'_>, config: &ApiServerConfig, mount: &Mount, flag: &Flag, usage: Use) {
    if mount.implicit {
        return;
    }
    let path = flag.value.as_deref().unwrap_or_default();
    // The hostPath type to write instead, when one is right for this use.
    let mut retype = None;
    let problem = match &mount.volume {
        None => Some((
            mount.span,
            format!("the volumeMount `{}` that should provide `{path}` names no declared volume: the Pod is rejected", mount.name),
            format!("add a hostPath volume named `{}` under the Pod's `volumes:`, or fix the name", mount.name),
        )),
        Some(v) if v.host_path.is_none() && config.static_pod => Some((
            v.span,
            format!("volume `{}` is a {} volume, which a static Pod cannot use: the kubelet mounts only hostPath volumes for it", v.name, v.source_kind.as_deref().unwrap_or("non-hostPath")),
            format!("make `{}` a hostPath volume", v.name),
        )),
        Some(v) => match v.host_type.as_deref() {
            Some(t) if !HOST_PATH_TYPES.contains(&t) => {
                retype = HOST_PATH_TYPES
                    .iter()
                    .find(|valid| !valid.is_empty() && valid.eq_ignore_ascii_case(t))
                    .map(|valid| (v.type_span, *valid));
                Some((
                v.type_span.unwrap_or(v.span),
                format!("hostPath type `{t}` is not valid: the Pod is rejected"),
                "use one of File, FileOrCreate, Directory, DirectoryOrCreate (or leave it empty)".to_owned(),
            ))
            }
            Some(t) if usage == Use::File && DIRECTORY_TYPES.contains(&t) && mount.mount_path.trim_end_matches('/') == path => {
                retype = Some((v.type_span, "File"));
                Some((
                v.type_span.unwrap_or(v.span),
                format!("`{path}` is mounted as a file, but its hostPath type is `{t}`: the kubelet expects (or creates) a directory there and kube-apiserver cannot read its file"),
                "use `type: File` for a single-file mount, or mount the directory that contains the file".to_owned(),
            ))
            }
            Some(t) if usage == Use::LogDirectory && FILE_TYPES.contains(&t) => {
                retype = Some((v.type_span, "DirectoryOrCreate"));
                Some((
                v.type_span.unwrap_or(v.span),
                format!("the mount that must hold the audit log directory has hostPath type `{t}`: a file cannot hold the log and its rotated copies"),
                "use `type: DirectoryOrCreate` and mount the log's directory".to_owned(),
            ))
            }
            _ => None,
        },
    };
    if let Some((span, message, help)) = problem {
        let finding = cx
            .finding(Code::AL110, span)
            .message(message)
            .label("cannot work")
            .help(help)
            .related(cx.file, flag.value_span, "used for this path");
        let fix =
            retype.and_then(|(span, kind)| Editor::new(&cx.file.text).replace_scalar(span?, kind));
        let finding = finding.fix_with(Safety::Safe, fix.map(|e| vec![e]));
        cx.report(finding);
    }
}

/// AL108: the log must land on the host, in a writable directory.
fn log_mount(cx: &mut DocCtx<'_>, config: &ApiServerConfig, mounts: &[Mount], flag: &Flag) {
    let path = flag.value.as_deref().unwrap_or_default();
    let dir = parent(path);
    let add = mount_lines(config, "audit-log", dir, false, "DirectoryOrCreate");
    let missing = covering(mounts, path).is_none();
    let problem = match covering(mounts, path) {
        None => Some((
            format!("the audit log `{path}` is not under any hostPath mount: events are written into the container's own filesystem and lost when the container restarts; no node-level forwarder can read them"),
            None,
        )),
        Some(m) if !covers(&m.mount_path, dir) => Some((
            format!("only the file `{path}` is mounted, not its directory: rotated audit logs are written into the container's filesystem and lost"),
            Some((m.mount_path_span, "file mount")),
        )),
        Some(m) if m.read_only => Some((
            format!("the audit log directory `{dir}` is mounted read-only: kube-apiserver cannot create `{path}` and fails to start"),
            (!m.implicit).then_some((m.read_only_span.unwrap_or(m.mount_path_span), "read-only")),
        )),
        Some(m) => {
            broken(cx, config, m, flag, Use::LogDirectory);
            None
        }
    };
    if let Some((message, related)) = problem {
        let mut finding = cx
            .finding(Code::AL108, flag.value_span)
            .message(message)
            .label("not on a writable hostPath")
            .help(format!("mount the directory writable, {add}"));
        if missing {
            let new = NewMount {
                name: "audit-log",
                path: dir,
                host: dir,
                read_only: false,
                kind: "DirectoryOrCreate",
            };
            finding = finding.fix_with(Safety::Safe, mount_fix::add(&cx.file.text, config, &new));
        }
        if let Some((span, label)) = related {
            finding = finding.related(cx.file, span, label);
        }
        cx.report(finding);
    }
}
