//! Edits of a pod template for the AL310, AL313 and AL314 fixes: remove a legacy seccomp
//! annotation, set a `seccompProfile` field. Both are written in the layout of the
//! object's document.

use crate::context::DocCtx;
use crate::fix::{Edit, Editor, Value};
use crate::model::workload::PodTemplate;
use crate::yaml::Node;

pub fn editor<'a>(cx: &'a DocCtx<'_>) -> Editor<'a> {
    Editor::within(&cx.file.text, cx.doc.span)
}

/// Removes the annotation `key: value`; the whole `annotations` entry when it is the only
/// one, so that no `annotations:` with nothing under it is left behind.
pub fn remove_annotation(
    cx: &DocCtx<'_>,
    pod: PodTemplate<'_>,
    key: Node<'_>,
    value: Node<'_>,
) -> Option<Edit> {
    let editor = editor(cx);
    let (map_key, map) = pod.metadata?.entry("annotations")?;
    if map.len() == 1 {
        return editor.remove_entry(map_key.span(), map.span());
    }
    editor.remove_entry(key.span(), value.span())
}

/// `securityContext.seccompProfile: {type: TYPE}` set on `target` (the pod spec or a
/// container), which has no `seccompProfile` yet.
pub fn add_profile(cx: &DocCtx<'_>, target: Node<'_>, kind: &str) -> Option<Edit> {
    let editor = editor(cx);
    let profile = Value::map([("type", Value::scalar(kind))]);
    match target.get("securityContext") {
        Some(sc) if sc.is_map() => editor.append_entry(sc.span(), "seccompProfile", &profile),
        Some(_) => None,
        None => editor.append_entry(
            target.span(),
            "securityContext",
            &Value::map([("seccompProfile", profile)]),
        ),
    }
}
