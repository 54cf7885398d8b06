//! AL116: an eksctl `ClusterConfig` that does not export the EKS `audit` log: the eksctl
//! form of AL501 (which leaves eksctl files to this rule), with eksctl's own refusals
//! (miscased types, `*`/`all` beside other entries).

use crate::catalog::Code;
use crate::config::Config;
use crate::finding::{Edit, Finding, Safety};
use crate::fix::{Editor, Value};
use crate::model::managed::{Facts, Form, LogTypes, EKS_LOG_TYPES};
use crate::source::SourceFile;
use crate::yaml::{parse_all, Item, Node, Span};

pub fn check(facts: &Facts, _: &Config, out: &mut Vec<Finding>) {
    for p in facts.planes.iter().filter(|p| p.form == Form::Eksctl) {
        for (span, message) in &p.rejected {
            out.push(
                Finding::new(Code::AL116, &p.file, *span)
                    .message(format!(
                        "{message}, so no control-plane logs (audit included) are exported"
                    ))
                    .label("rejected by eksctl")
                    .help(format!(
                        "use only these exact values: {} (or `[\"*\"]` alone)",
                        EKS_LOG_TYPES.join(", ")
                    ))
                    .fix_with(
                        Safety::Safe,
                        respelled(&p.file, *span)
                            .and_then(|r| audit_added(&p.file, *span, Some(r))),
                    ),
            );
        }
        match &p.log_types {
            LogTypes::Missing { insert } => out.push(
                Finding::new(Code::AL116, &p.file, *insert)
                    .message("this EKS cluster does not export control-plane logs: the managed audit log is never written to CloudWatch, so API activity cannot be reviewed or alerted on")
                    .label("no `enableTypes`")
                    .help("add:\ncloudWatch:\n  clusterLogging:\n    enableTypes: [\"audit\", \"authenticator\"]")
                    .fix_with(Safety::Safe, audit_added(&p.file, *insert, None)),
            ),
            // A miscased `Audit` was reported above; saying it is missing too would repeat it.
            LogTypes::Listed { at, types, .. }
                if !types.iter().any(|t| t.eq_ignore_ascii_case("audit")) =>
            {
                out.push(
                    Finding::new(Code::AL116, &p.file, *at)
                        .message("`enableTypes` does not include `audit`: the EKS audit log (who did what through the API) is not exported to CloudWatch")
                        .label("no \"audit\" here")
                        .help("add `audit` to `cloudWatch.clusterLogging.enableTypes`")
                        .fix_with(Safety::Safe, audit_added(&p.file, *at, None)),
                )
            }
            _ => {}
        }
    }
}

/// A miscased log type respelled (`Audit` → `audit`); `*` beside others has no single repair.
fn respelled(file: &SourceFile, span: Span) -> Option<Edit> {
    let value = file.text.get(span.start..span.end)?;
    let value = value.trim_matches(|c| c == '"' || c == '\'');
    let right = EKS_LOG_TYPES
        .iter()
        .find(|t| t.eq_ignore_ascii_case(value) && **t != value)?;
    Editor::new(&file.text).replace_scalar(span, right)
}

/// The edits that add `audit`, and `authenticator` when it is missing too (AL502 would
/// follow), to the `ClusterConfig` around `at`, after `respell` (a miscased type respelled)
/// when there is one. The managed model keeps spans, not the tree, so the document is read
/// again: only for a finding, and eksctl files are small.
fn audit_added(file: &SourceFile, at: Span, respell: Option<Edit>) -> Option<Vec<Edit>> {
    let (items, _) = parse_all(&file.text);
    items.iter().find_map(|item| {
        let Item::Document(doc) = item else {
            return None;
        };
        let root = doc.root()?;
        let span = root.span();
        if at.start < span.start || at.start > span.end {
            return None;
        }
        let types = root
            .path(&["cloudWatch", "clusterLogging"])
            .and_then(|l| l.get("enableTypes"));
        let listed = |name: &str| {
            types.is_some_and(|t| {
                t.items()
                    .any(|i| i.str().is_some_and(|v| v.eq_ignore_ascii_case(name)))
            })
        };
        let names: Vec<&str> = ["audit", "authenticator"]
            .into_iter()
            .filter(|n| !listed(n))
            .collect();
        let mut edits: Vec<Edit> = respell.clone().into_iter().collect();
        if !names.is_empty() {
            edits.extend(enable(&file.text, root, types, &names)?);
        }
        Some(edits)
    })
}

/// The edits that add `names` to `cloudWatch.clusterLogging.enableTypes`: more items (quoted as
/// the last one is), or the list, or the keys above it that are missing. eksctl's schema:
/// <https://eksctl.io/usage/cloudwatch-cluster-logging/>.
fn enable(
    text: &str,
    root: Node<'_>,
    types: Option<Node<'_>>,
    names: &[&str],
) -> Option<Vec<Edit>> {
    let editor = Editor::new(text);
    if let Some(types) = types.filter(|t| t.is_seq()) {
        let Some(last) = types.items().last().map(|l| l.span()) else {
            // `[]`: written whole.
            let list = Value::list(names.iter().copied()).flow();
            return Some(vec![Edit::replace(types.span(), list)]);
        };
        let quote = text
            .get(last.start..last.start + 1)
            .filter(|q| matches!(*q, "\"" | "'"))
            .unwrap_or("");
        // Insertions at one place keep their order: `audit`, then `authenticator`.
        return names
            .iter()
            .map(|n| editor.item_after(last, &Value::scalar(format!("{quote}{n}{quote}"))))
            .collect();
    }
    if types.is_some() {
        return None;
    }
    let list = Value::list(names.iter().copied());
    let cloud_watch = root.get("cloudWatch");
    let edit = match (
        cloud_watch,
        cloud_watch.and_then(|c| c.get("clusterLogging")),
    ) {
        (_, Some(logging)) if logging.is_map() => {
            editor.append_entry(logging.span(), "enableTypes", &list)
        }
        (Some(cw), None) if cw.is_map() => editor.append_entry(
            cw.span(),
            "clusterLogging",
            &Value::map([("enableTypes", list)]),
        ),
        (None, _) => editor.append_entry(
            root.span(),
            "cloudWatch",
            &Value::map([("clusterLogging", Value::map([("enableTypes", list)]))]),
        ),
        _ => None,
    };
    edit.map(|e| vec![e])
}
