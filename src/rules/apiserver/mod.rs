//! AL101–AL118: kube-apiserver audit configuration. Each configuration found in a document
//! (static Pod or any workload, kubeadm, kind, Cluster API, k3s, RKE2, kops, OpenShift,
//! Talos, kubespray, kwok, Kamaji) is checked the same way, and leaves its facts in the
//! cluster index for the cross-file rules. Settings that are not flags (OpenShift
//! audit profiles, a Gardener Shoot's policy reference) have their own checks; eksctl's log
//! types (AL116) are judged with the other managed control planes ([`super::managed`]).

mod backend;
mod flag_values;
mod gardener;
mod kubeadm_shape;
mod log_output;
mod mounts;
mod openshift_profile;
mod policy_file;
mod rotation;

use super::registry::{Check, Rule};
use crate::catalog::Code;
use crate::context::DocCtx;
use crate::finding::Finding;
use crate::model::apiserver::{self, ApiServerConfig, ApiServerFacts, NodeTaints};

pub(super) const RULES: &[Rule] = &[
    Rule {
        codes: &[Code::AL101, Code::AL206, Code::AL208],
        check: Check::Object(openshift_profile::check),
    },
    Rule {
        codes: &[Code::AL101],
        check: Check::Object(gardener::check),
    },
    Rule {
        codes: &[Code::AL117, Code::AL118],
        check: Check::ApiServer(kubeadm_shape::check),
    },
    Rule {
        codes: &[Code::AL101],
        check: Check::ApiServer(policy_file::check),
    },
    Rule {
        codes: &[Code::AL102],
        check: Check::ApiServer(backend::check),
    },
    Rule {
        codes: &[Code::AL103, Code::AL104, Code::AL105],
        check: Check::ApiServer(rotation::check),
    },
    Rule {
        codes: &[Code::AL106],
        check: Check::ApiServer(flag_values::check),
    },
    Rule {
        codes: &[
            Code::AL107,
            Code::AL108,
            Code::AL109,
            Code::AL110,
            Code::AL111,
        ],
        check: Check::ApiServer(mounts::check),
    },
    Rule {
        codes: &[Code::AL113, Code::AL114],
        check: Check::ApiServer(log_output::check),
    },
];

/// Finds the apiserver configurations of an object, runs the [`Check::ApiServer`] rules on
/// each, and leaves their facts (and kubeadm's node taints) in the cluster index.
pub(super) fn check_object(cx: &mut DocCtx<'_>) {
    if cx.kind() == Some("InitConfiguration")
        && cx
            .api_version()
            .is_some_and(|v| v.starts_with("kubeadm.k8s.io/"))
    {
        let taints = apiserver::kubeadm_registration(Some(cx.root));
        if taints != NodeTaints::Kubeadm {
            let file = std::sync::Arc::clone(cx.file);
            cx.index.kubeadm_init_taints.push((file, taints));
        }
    }
    for config in apiserver::read(cx.root, cx.file) {
        super::registry::run_on(cx, |check, cx| match check {
            Check::ApiServer(check) => {
                check(cx, &config);
                true
            }
            _ => false,
        });
        let facts = ApiServerFacts::new(&config, cx.file, cx.doc.template.clone());
        // The version a distribution's own form declares (kops, Talos, kubespray …).
        if let Some(version) = facts
            .declared_version
            .as_deref()
            .and_then(crate::version::parse)
        {
            cx.index.versions.push(crate::cluster::DeclaredVersion {
                file: std::sync::Arc::clone(cx.file),
                declared: crate::model::version::Declared {
                    version,
                    span: config.anchor,
                    field: "version",
                },
            });
        }
        cx.index.apiservers.push(facts);
    }
}

/// A finding for a flag that is absent: at the insertion point, with the exact line to add.
fn missing_flag(
    cx: &DocCtx<'_>,
    config: &ApiServerConfig,
    code: Code,
    name: &str,
    value: &str,
) -> Finding {
    let insertion = &config.insertion;
    // A flow list (`command: [kube-apiserver, --a=b]`) takes the entry before its `]`.
    let after = cx.file.text.get(insertion.at.end..).unwrap_or_default();
    let in_flow = !insertion.list_missing
        && after
            .trim_start_matches([' ', '\t'])
            .starts_with([',', ']', '}']);
    if in_flow {
        let entry = insertion.flow_entry(name, value);
        return cx
            .finding(code, insertion.at)
            .label(format!("add here: `, {entry}`"))
            .help(format!(
                "add to the {}, before the closing bracket: `, {entry}`",
                config.form.describe()
            ));
    }
    let line = insertion.line(name, value);
    let place = if insertion.list_missing {
        "add"
    } else {
        "add after this line"
    };
    cx.finding(code, insertion.at)
        .label(format!(
            "{place}: {}",
            line.lines().next().unwrap_or_default()
        ))
        .help(format!("add to the {}:\n{line}", config.form.describe()))
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::engine::{scan_texts, Text};

    /// (label, help) of the AL101 finding for an apiserver whose flags are `command`.
    fn al101(command: &str) -> (String, String) {
        let text = format!(
            "kind: Pod\nmetadata: {{name: kube-apiserver}}\nspec:\n  containers:\n  - name: kube-apiserver\n    command:{command}\n"
        );
        let texts = vec![Text {
            display: "pod.yaml".into(),
            text,
            abs_path: None,
        }];
        let report = scan_texts(texts, &Config::new());
        let f = report
            .findings
            .iter()
            .find(|f| f.code() == "AL101")
            .unwrap();
        (f.label.clone().unwrap(), f.help.clone().unwrap())
    }

    #[test]
    fn the_line_to_add_fits_the_list_it_goes_in() {
        let (label, help) = al101("\n    - kube-apiserver\n    - --secure-port=6443");
        assert_eq!(
            label,
            "add after this line: - --audit-policy-file=/etc/kubernetes/audit/policy.yaml"
        );
        assert!(help.ends_with("\n- --audit-policy-file=/etc/kubernetes/audit/policy.yaml"));
        let (label, help) = al101(" [kube-apiserver, --secure-port=6443]");
        assert_eq!(
            label,
            "add here: `, --audit-policy-file=/etc/kubernetes/audit/policy.yaml`"
        );
        assert!(help.contains("before the closing bracket"), "{help}");
    }
}
