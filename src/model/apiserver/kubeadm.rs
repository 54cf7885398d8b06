//! kubeadm `ClusterConfiguration.apiServer` (extraArgs, extraVolumes), wherever it is written:
//! its own document, a kind `kubeadmConfigPatches` string, a Cluster API
//! `KubeadmControlPlane`, or the `kubeadm-config` ConfigMap.

use super::flags::{inner_span, list_flags, Flag};
use super::mounts::{self, Mount};
use super::{taints, ApiServerConfig, Form, Insertion, NodeTaints, Problem};
use crate::catalog::Code;
use crate::source::SourceFile;
use crate::yaml::{parse_embedded, Item, Node, Span};

/// Mounts kubeadm always gives kube-apiserver (read-only, same path on host), besides the
/// certificates directory (`cmd/kubeadm/app/phases/controlplane/volumes.go`).
const DEFAULT_MOUNTS: &[&str] = &[
    "/etc/ssl/certs",
    "/etc/pki/ca-trust",
    "/etc/pki/tls/certs",
    "/etc/ca-certificates",
    "/usr/share/ca-certificates",
    "/usr/local/share/ca-certificates",
];

pub(super) fn read(root: Node<'_>, file: &SourceFile, out: &mut Vec<ApiServerConfig>) {
    let api_version = root.get_str("apiVersion").unwrap_or("");
    match root.get_str("kind") {
        Some("ClusterConfiguration") if api_version.starts_with("kubeadm.k8s.io/") => {
            out.extend(read_cluster_configuration(&[root], Some(api_version), file));
        }
        Some("KubeadmControlPlane")
            if api_version.starts_with("controlplane.cluster.x-k8s.io/") =>
        {
            if let Some(cc) = root.path(&["spec", "kubeadmConfigSpec", "clusterConfiguration"]) {
                out.extend(read_cluster_configuration(&[cc], None, file).map(|config| {
                    ApiServerConfig {
                        taints: root
                            .get("spec")
                            .map_or(NodeTaints::Kubeadm, taints::control_plane_machines),
                        ..config
                    }
                }));
            }
        }
        Some("Cluster") if api_version.starts_with("kind.x-k8s.io/") => read_kind(root, file, out),
        Some("ConfigMap")
            if root.path(&["metadata", "name"]).and_then(|n| n.str()) == Some("kubeadm-config") =>
        {
            if let Some(text) = root.path(&["data", "ClusterConfiguration"]) {
                for_each_embedded(file, text, |cc| {
                    out.extend(read_cluster_configuration(
                        &[cc],
                        cc.get_str("apiVersion"),
                        file,
                    ))
                });
            }
        }
        _ => {}
    }
}

/// kind merges every `ClusterConfiguration` patch (cluster-wide, then control-plane nodes')
/// into one configuration, so they are read together. A patch that names an apiVersion other
/// than the one kind generates for the node's Kubernetes version is silently not applied.
fn read_kind(root: Node<'_>, file: &SourceFile, out: &mut Vec<ApiServerConfig>) {
    let control_planes: Vec<_> = root
        .get("nodes")
        .into_iter()
        .flat_map(|n| n.items())
        .filter(|n| n.get_str("role").is_none_or(|r| r == "control-plane"))
        .collect();
    let target = control_planes
        .iter()
        .find_map(|n| n.get_str("image"))
        .and_then(kind_kubeadm_version);
    let patch_lists = root.get("kubeadmConfigPatches").into_iter().chain(
        control_planes
            .iter()
            .filter_map(|n| n.get("kubeadmConfigPatches")),
    );
    let mut items = Vec::new();
    for list in patch_lists {
        for patch in list.items() {
            items.extend(parse_embedded(&file.text, patch));
        }
    }
    let docs: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Item::Document(d) => d.root(),
            Item::Error(_) => None,
        })
        .filter(|r| r.get_str("kind") == Some("ClusterConfiguration"))
        .collect();
    let Some(mut config) = read_cluster_configuration(&docs, None, file) else {
        return;
    };
    // kind removes the control-plane taint when the cluster is that one node
    // (`kubeadminit` action: `len(allNodes) == 1`); no or empty `nodes` means one control
    // plane.
    if root.get("nodes").map_or(0, |n| n.len()) <= 1 {
        config.taints = NodeTaints::Listed(Vec::new());
    }
    for doc in &docs {
        let Some((version, image)) = target else {
            break;
        };
        let Some((_, api)) = doc.entry("apiVersion") else {
            continue;
        };
        let Some(declared) = api
            .str()
            .filter(|v| v.starts_with("kubeadm.k8s.io/") && *v != version)
        else {
            continue;
        };
        // What kind does not apply, the apiserver never gets.
        let skipped = doc.span();
        let inside = |s: Span| s.start >= skipped.start && s.end <= skipped.end;
        config.flags.retain(|f| !inside(f.span));
        if let Some(mounts) = config.mounts.as_mut() {
            mounts.retain(|m| m.implicit || !inside(m.span));
        }
        config.problems.retain(|p| !inside(p.span));
        config.problems.push(Problem {
            code: Code::AL118,
            span: api.span(),
            message: format!("this patch says `{declared}`, but kind generates `{version}` for `{image}`: kind silently skips a patch whose apiVersion differs, so none of its apiServer settings (audit flags and volumes included) are applied"),
            help: "remove the `apiVersion` line from the patch (kind then applies it to any kubeadm version), or set it to the version kind uses".to_owned(),
            // Only when the patch's extraArgs already have the shape that version decodes
            // (a map before v1beta4, a list from it); otherwise it needs rewriting by hand.
            fix: fits_extra_args(doc, version)
                .then(|| crate::fix::Editor::new(&file.text).replace_scalar(api.span(), version))
                .flatten(),
        });
    }
    out.push(config);
}

/// Whether the `apiServer.extraArgs` of `doc`, if any, have the shape `version` decodes.
fn fits_extra_args(doc: &Node<'_>, version: &str) -> bool {
    match doc.path(&["apiServer", "extraArgs"]) {
        None => true,
        Some(args) if version.ends_with("/v1beta4") => args.is_seq(),
        Some(args) => args.is_map(),
    }
}

/// The kubeadm config version kind uses for a node image (`kindest/node:v1.34.0`):
/// v1beta2 before 1.23, v1beta3 up to 1.35, v1beta4 from 1.36 (kind v0.32+).
fn kind_kubeadm_version(image: &str) -> Option<(&'static str, &str)> {
    let tag = image.split('@').next()?.rsplit(':').next()?;
    let mut parts = tag.strip_prefix('v')?.split('.');
    let (major, minor): (u32, u32) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    let version = match (major, minor) {
        (1, m) if m < 23 => "kubeadm.k8s.io/v1beta2",
        (1, m) if m < 36 => "kubeadm.k8s.io/v1beta3",
        _ => "kubeadm.k8s.io/v1beta4",
    };
    Some((version, image))
}

fn for_each_embedded(file: &SourceFile, text: Node<'_>, mut f: impl FnMut(Node<'_>)) {
    for item in parse_embedded(&file.text, text) {
        if let Item::Document(doc) = item {
            if let Some(root) = doc.root() {
                f(root);
            }
        }
    }
}

/// Reads one or more ClusterConfiguration fragments (merged in order) as one apiserver.
/// `api_version` is known for standalone documents; patches and CAPI accept both shapes.
fn read_cluster_configuration(
    parts: &[Node<'_>],
    api_version: Option<&str>,
    file: &SourceFile,
) -> Option<ApiServerConfig> {
    let mut flags = Vec::new();
    let mut mounts = Vec::new();
    let mut form = if api_version.is_some_and(|v| v.ends_with("/v1beta4")) {
        Form::KubeadmList
    } else {
        Form::KubeadmMap
    };
    let mut insertion = None;
    let mut mount_sites = None;
    let mut certificates_dir = "/etc/kubernetes/pki".to_owned();
    let mut problems = Vec::new();
    for cc in parts {
        let version = cc.get_str("apiVersion").or(api_version);
        if let Some(dir) = cc.get_str("certificatesDir") {
            certificates_dir = dir.to_owned();
        }
        let api_server = cc.get("apiServer");
        if let Some(a) = api_server.filter(|a| a.is_map()) {
            let volumes = a.get("extraVolumes").into_iter().flat_map(|v| v.items());
            mount_sites = Some(mounts::MountSites {
                mounts: mounts::ListSite::of(a, "extraVolumes"),
                volumes: None,
                names: volumes
                    .filter_map(|v| v.get_str("name").map(str::to_owned))
                    .collect(),
            });
        }
        let extra_args = api_server.and_then(|a| a.get("extraArgs"));
        match extra_args {
            Some(args) if args.is_map() => {
                if api_version.is_none() {
                    form = Form::KubeadmMap;
                }
                if let Some(v) = version.filter(|v| v.ends_with("/v1beta4")) {
                    problems.push(shape_problem(
                        args,
                        v,
                        "a map",
                        "a list of `{name, value}` entries",
                    ));
                }
                problems.extend(unquoted_values(args));
                flags.extend(map_flags(args, file));
            }
            Some(args) if args.is_seq() => {
                if api_version.is_none() {
                    form = Form::KubeadmList;
                }
                if let Some(v) =
                    version.filter(|v| v.starts_with("kubeadm.k8s.io/") && !v.ends_with("/v1beta4"))
                {
                    problems.push(shape_problem(
                        args,
                        v,
                        "a list",
                        "a map of flag name to string",
                    ));
                }
                flags.extend(list_flags(args, "name", &file.text));
            }
            _ => {}
        }
        let at = match (extra_args, api_server) {
            (Some(args), _) if !args.is_empty() => Some((args.span().end, false)),
            (_, Some(a)) => Some((a.span().end, true)),
            _ => None,
        };
        if let Some((at, list_missing)) = at {
            let args = extra_args.filter(|_| !list_missing);
            insertion = Some(Insertion {
                at: Span::point(at),
                list_missing,
                form,
                list: args.map(|a| a.span()),
                last_item: args
                    .filter(|a| a.is_seq())
                    .and_then(|a| a.items().last().map(|i| i.span())),
            });
        }
        mounts.extend(
            api_server
                .and_then(|a| a.get("extraVolumes"))
                .into_iter()
                .flat_map(|v| v.items())
                .filter_map(mounts::extra_volume),
        );
    }
    let first = parts.first()?;
    let insertion = insertion.unwrap_or(Insertion {
        at: Span::point(first.span().end),
        list_missing: true,
        form,
        list: None,
        last_item: None,
    });
    let insertion = Insertion { form, ..insertion };
    // An extra volume with a default volume's name replaces it; paths decide coverage here.
    for path in std::iter::once(certificates_dir.as_str()).chain(DEFAULT_MOUNTS.iter().copied()) {
        mounts.push(Mount::implicit(path, true));
    }
    let anchor = first
        .entry("kind")
        .map(|(_, v)| v.span())
        .or_else(|| first.entry("apiServer").map(|(k, _)| k.span()))
        .unwrap_or(Span::point(first.span().start));
    Some(ApiServerConfig {
        form,
        anchor,
        flags,
        defaults: Vec::new(),
        mounts: Some(mounts),
        mount_sites,
        insertion,
        static_pod: false,
        problems,
        taints: NodeTaints::Kubeadm,
        policy_generated: false,
        declared_version: None,
        server: "kube-apiserver".to_owned(),
        audit_off: None,
    })
}

fn shape_problem(args: Node<'_>, version: &str, found: &str, expected: &str) -> Problem {
    Problem {
        code: Code::AL117,
        span: args.span(),
        message: format!("`extraArgs` is {found}, but `{version}` expects {expected}: kubeadm fails to decode the configuration (kind drops these arguments), so none of these flags reach kube-apiserver"),
        help: if found == "a map" {
            "write each flag as `- name: audit-policy-file` / `  value: /etc/kubernetes/audit/policy.yaml`, or use `apiVersion: kubeadm.k8s.io/v1beta3`".into()
        } else {
            "write each flag as `audit-policy-file: /etc/kubernetes/audit/policy.yaml`, or use `apiVersion: kubeadm.k8s.io/v1beta4`".into()
        },
        fix: None,
    }
}

/// extraArgs values are Go strings: an unquoted `30` or `true` fails to decode.
fn unquoted_values(args: Node<'_>) -> Vec<Problem> {
    use crate::yaml::Scalar;
    args.entries()
        .filter(|(_, v)| matches!(v.scalar(), Some(Scalar::Int(_) | Scalar::Float(_) | Scalar::Bool(_))))
        .map(|(k, v)| {
            let text = v.text().unwrap_or_default();
            Problem {
                code: Code::AL117,
                fix: Some(crate::fix::Edit::replace(v.span(), format!("\"{text}\""))),
                span: v.span(),
                message: format!("the value of `{}` is the {} {text}, but kubeadm reads extraArgs values as strings: the configuration fails to decode", k.text().unwrap_or_default(), v.kind_name()),
                help: format!("quote it: `{}: \"{text}\"`", k.text().unwrap_or_default()),
            }
        })
        .collect()
}

/// v1beta3 and earlier: `extraArgs: {audit-log-path: /var/log/audit.log}`.
fn map_flags(args: Node<'_>, file: &SourceFile) -> Vec<Flag> {
    args.entries()
        .filter_map(|(k, v)| {
            let raw = v.text()?;
            Some(Flag {
                name: k.text()?.trim_start_matches('-').to_owned(),
                value: Some(raw.to_owned()),
                span: Span::new(k.span().start, v.span().end.max(k.span().end)),
                value_span: inner_span(v.span(), &file.text, raw),
            })
        })
        .collect()
}
