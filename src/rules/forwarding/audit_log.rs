//! AL404 and AL405: the apiserver's file audit log must be reachable by a forwarder: one that
//! runs on control-plane nodes and mounts the directory the log is written to.
//!
//! Both rules need at least one forwarder DaemonSet; without one, AL401 already says that
//! nothing ships any log.

use super::Scan;
use crate::catalog::Code;
use crate::config::Config;
use crate::finding::{Edit, Finding, Safety};
use crate::fix::{Editor, Value};
use crate::model::apiserver::{NodeTaint, NodeTaints};
use crate::model::workload::WorkloadFacts;
use crate::rules::mount_fix::{self, NewMount};
use crate::yaml::Span;

const CONTROL_PLANE: &str = "node-role.kubernetes.io/control-plane";
const MASTER: &str = "node-role.kubernetes.io/master";

/// The NoSchedule taints (empty value) kubeadm puts on control-plane nodes, by Kubernetes
/// version: `master` until 1.23, both in 1.24 (kubernetes/kubernetes#107533), `control-plane`
/// from 1.25 (kubernetes/kubernetes#110095). A pod must tolerate every one of them.
fn control_plane_taints(version: Option<(u32, u32)>) -> Option<&'static [&'static str]> {
    match version {
        None => None,
        Some(v) if v < (1, 24) => Some(&[MASTER]),
        Some(v) if v < (1, 25) => Some(&[MASTER, CONTROL_PLANE]),
        Some(_) => Some(&[CONTROL_PLANE]),
    }
}

/// The taints a forwarder must tolerate to run on the apiserver's nodes, and whether one of
/// them is enough (kubeadm's control-plane taint when the Kubernetes version is unknown).
fn required_taints(taints: &NodeTaints, config: &Config) -> (Vec<NodeTaint>, bool) {
    let taint = |key: &str| NodeTaint {
        key: key.to_owned(),
        value: String::new(),
        effect: "NoSchedule".to_owned(),
        span: Span::point(0),
    };
    match taints {
        NodeTaints::Kubeadm => match control_plane_taints(config.version()) {
            Some(keys) => (keys.iter().map(|k| taint(k)).collect(), false),
            None => (vec![taint(CONTROL_PLANE), taint(MASTER)], true),
        },
        NodeTaints::Listed(list) => (list.iter().filter(|t| t.repels()).cloned().collect(), false),
    }
}

pub(super) fn check(scan: &Scan<'_>, config: &Config, out: &mut Vec<Finding>) {
    if scan.forwarders.is_empty() {
        return;
    }
    for api in &scan.apiservers {
        let Some(log) = api.log_path.as_ref().filter(|p| p.value != "-") else {
            continue;
        };
        let node_taints = scan.node_taints(api);
        let (taints, either) = required_taints(node_taints, config);
        let tolerates = |w: &WorkloadFacts, t: &NodeTaint| {
            w.tolerations
                .iter()
                .any(|o| o.tolerates(&t.key, &t.value, &t.effect))
        };
        let runs_there = |w: &WorkloadFacts| {
            if either {
                taints.iter().any(|t| tolerates(w, t))
            } else {
                taints.iter().all(|t| tolerates(w, t))
            }
        };
        if !taints.is_empty() && !scan.forwarders.iter().any(|w| runs_there(w)) {
            // When either key would do, the current one is what to add.
            let shown = if either { &taints[..1] } else { &taints[..] };
            let written: Vec<String> = shown.iter().map(|t| format!("`{}`", t.display())).collect();
            let tolerations: Vec<String> = shown
                .iter()
                .map(|t| format!("{{key: {}, operator: Exists, effect: {}}}", t.key, t.effect))
                .collect();
            let whose = match node_taints {
                NodeTaints::Kubeadm => "the control-plane taint",
                NodeTaints::Listed(_) => "the taints of the apiserver's nodes",
            };
            let mut f = Finding::new(Code::AL404, &api.file, log.span)
                .message(format!(
                    "the apiserver writes its audit log to `{}` on the control-plane nodes, but \
                     no forwarder DaemonSet tolerates {whose} ({}): no agent runs there and \
                     the audit log is never shipped",
                    log.value,
                    written.join(" and ")
                ))
                .label("written on control-plane nodes only")
                .help(format!(
                    "add to the forwarder's pod spec: `tolerations: [{}]`",
                    tolerations.join(", ")
                ))
                .template(api.template.as_deref());
            if let NodeTaints::Listed(_) = node_taints {
                for t in shown {
                    f = f.related(&api.file, t.span, format!("`{}` set here", t.display()));
                }
            }
            // The first forwarder is given the tolerations (the others are named below).
            if let Some(w) = scan.forwarders.first() {
                if let Some(edits) = tolerate(w, shown) {
                    f = f.fix_in(&w.file, Safety::Safe, edits);
                }
            }
            for w in &scan.forwarders {
                f = f.related(
                    &w.file,
                    w.tolerations_span,
                    format!(
                        "`{}` does not tolerate {}",
                        w.display(),
                        written.join(" and ")
                    ),
                );
            }
            out.push(f);
        }
        let Some(host) = &api.log_host_path else {
            continue;
        };
        if scan.forwarders.iter().any(|w| scan.ships(w, host)) {
            continue;
        }
        // Mounted, but the configuration never sends it anywhere: say what it does instead.
        if let Some((w, r)) = scan.forwarders.iter().find_map(|w| {
            Some((
                *w,
                scan.pipeline(w)
                    .filter(|_| w.mount_covering(host).is_some())?,
            ))
        }) {
            let inside = w
                .mount_covering(host)
                .map_or(host.clone(), |m| m.inside(host));
            let (reading, _) = r.pipeline.readers(&inside);
            let why = if reading.is_empty() {
                format!(
                    "no input of its configuration (ConfigMap `{}`) tails `{inside}`",
                    r.config_map
                )
            } else {
                format!("its configuration (ConfigMap `{}`) tails `{inside}` but sends it only to local outputs", r.config_map)
            };
            out.push(
                Finding::new(Code::AL405, &api.file, log.span)
                    .message(format!(
                        "the audit log is written to `{host}` on the node; `{}` mounts it, but {why}: the audit log stays on the node",
                        w.display()
                    ))
                    .label("mounted, never shipped")
                    .related(&r.file, r.file_span(), format!("`{}`'s configuration", w.display()))
                    .help(format!(
                        "add an input that tails `{inside}` (a Fluent Bit `tail` input with `Path {inside}`, a Vector `file` source, a `filelog` receiver …) and route it to the output that ships the other logs"
                    ))
                    .template(api.template.as_deref()),
            );
            continue;
        }
        let dir = host
            .rsplit_once('/')
            .map_or("/", |(d, _)| if d.is_empty() { "/" } else { d });
        let mut f = Finding::new(Code::AL405, &api.file, log.span)
            .message(format!(
                "the audit log is written to `{host}` on the node, and no forwarder DaemonSet \
                 mounts a host directory that holds it: the audit log stays on the node"
            ))
            .label("no forwarder reads this file")
            .help(format!(
                "mount a hostPath covering `{dir}` in the forwarder (for example \
                 `{{name: audit, hostPath: {{path: {dir}}}}}` mounted read-only at the same \
                 path) and add an input that tails `{host}`"
            ))
            .template(api.template.as_deref());
        // A mount is the whole repair only for a forwarder whose configuration is not known
        // here (it is taken to read what it mounts); one whose configuration is known also
        // needs an input that tails the file, which is not mechanical.
        if let Some((w, edits)) = scan
            .forwarders
            .iter()
            .filter(|w| scan.pipeline(w).is_none())
            .find_map(|w| Some((*w, mount_log_directory(w, dir)?)))
        {
            f = f.fix_in(&w.file, Safety::Unsafe, edits);
        }
        for w in &scan.forwarders {
            if w.host_mounts.is_empty() {
                f = f.related(
                    &w.file,
                    w.mounts_span,
                    format!("`{}` mounts no host directory", w.display()),
                );
            }
            for m in &w.host_mounts {
                f = f.related(
                    &w.file,
                    m.span,
                    format!("`{}` mounts `{}`", w.display(), m.host_path),
                );
            }
        }
        out.push(f);
    }
}

/// The edits that make forwarder `w` tolerate `taints` (`{key, operator: Exists, effect}` each,
/// as the help says): items after its last toleration, in its style, or a `tolerations` list
/// in its pod spec. Toleration fields: <https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/>.
fn tolerate(w: &WorkloadFacts, taints: &[NodeTaint]) -> Option<Vec<Edit>> {
    let text = &w.file.text;
    let editor = Editor::new(text);
    let items: Vec<Value> = taints
        .iter()
        .map(|t| {
            Value::map([
                ("key", Value::scalar(&t.key)),
                ("operator", Value::scalar("Exists")),
                ("effect", Value::scalar(&t.effect)),
            ])
        })
        .collect();
    let site = &w.tolerations_site;
    match (site.list, site.last) {
        (Some(_), Some(_)) => items
            .into_iter()
            .map(|item| mount_fix::append(&editor, text, site, "tolerations", item))
            .collect(),
        (Some(list), None) => {
            let flow: Vec<String> = items.iter().map(Value::flow).collect();
            Some(vec![editor.append_item(
                list,
                None,
                &Value::scalar(flow.join(", ")),
            )?])
        }
        (None, _) => Some(vec![editor.append_entry(
            site.owner,
            "tolerations",
            &Value::Seq(items),
        )?]),
    }
}

/// The edits that mount the audit log's directory `dir` read-only into forwarder `w`: the
/// node's `/var/log` when `dir` is under it and `w` mounts no part of it (the mount AL403's fix
/// adds, so that both findings are repaired by one edit), else `dir` itself.
fn mount_log_directory(w: &WorkloadFacts, dir: &str) -> Option<Vec<Edit>> {
    let var_log = crate::model::paths::covers("/var/log", dir)
        && !w
            .host_mounts
            .iter()
            .any(|m| crate::model::paths::covers("/var/log", &m.host_path));
    let mount = if var_log {
        mount_fix::VAR_LOG
    } else {
        NewMount {
            name: "audit-log",
            path: dir,
            host: dir,
            read_only: true,
            kind: "Directory",
        }
    };
    // A second mount at a path the container already mounts is rejected by the API server.
    let taken = w
        .host_mounts
        .iter()
        .any(|m| m.mount_path.trim_end_matches('/') == mount.path);
    if taken {
        return None;
    }
    mount_fix::add_to_pod(&w.file.text, w.mount_sites.as_ref()?, &mount)
}
