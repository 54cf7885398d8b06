//! The `syscalls` list: each rule's names, action, errno and argument filters.

use crate::catalog::Code;
use crate::context::DocCtx;
use crate::fix::{Editor, Safety};
use crate::model::seccomp::syscalls;
use crate::yaml::{Node, Span};

use super::values::{self, effective, has_errno, list, string, uint};
use super::{errno_without_errno, type_error, unknown_value, Top};

pub fn check(cx: &mut DocCtx<'_>, body: Node<'_>, top: &Top<'_>) {
    let Some(rules) = body.get("syscalls") else {
        return;
    };
    let rules = match list(rules) {
        Err(()) => return type_error(cx, rules, "syscalls", "a list of syscall rules"),
        Ok(None) => return,
        Ok(Some(rules)) => rules,
    };
    let mut notify_reported = false;
    let mut legacy = Vec::new();
    for rule in rules.items() {
        if !rule.is_map() {
            type_error(
                cx,
                rule,
                "an item of `syscalls`",
                "a mapping (one syscall rule)",
            );
            continue;
        }
        let names = check_names(cx, rule, &mut legacy);
        let action = check_action(cx, rule);
        let errno = rule_errno(cx, rule, action.map(|(a, _)| a));
        check_args(cx, rule);
        let Some((action, action_node)) = action else {
            continue;
        };
        if action == "SCMP_ACT_NOTIFY" {
            notify(cx, top, &names, action_node, &mut notify_reported);
        }
        redundant(cx, top, (action, errno), action_node, rule);
    }
    legacy_names(cx, &legacy);
}

/// The rule's names (`names`, and the legacy `name`), with their nodes.
fn check_names<'d>(
    cx: &mut DocCtx<'_>,
    rule: Node<'d>,
    legacy: &mut Vec<Legacy>,
) -> Vec<(&'d str, Node<'d>)> {
    let mut out = Vec::new();
    if let Some(names) = rule.get("names") {
        match list(names) {
            Err(()) => type_error(cx, names, "names", "a list of syscall names"),
            Ok(None) => {}
            Ok(Some(names)) => {
                for name in names.items() {
                    match string(name) {
                        Err(()) => type_error(cx, name, "an item of `names`", "a string"),
                        Ok(Some(text)) => out.push((text, name)),
                        // Go decodes a null list item into "", which runc rejects.
                        Ok(None) => out.push(("", name)),
                    }
                }
            }
        }
    }
    if let Some((key, name)) = rule.entry("name") {
        match string(name) {
            Err(()) => type_error(cx, name, "name", "a string"),
            Ok(text) => {
                legacy.push(Legacy {
                    key: key.span(),
                    value: name.span(),
                    name: text.unwrap_or("").to_owned(),
                    beside_names: rule.get("names").is_some(),
                });
                if let Some(text) = text {
                    out.push((text, name));
                }
            }
        }
    }
    for &(text, node) in &out {
        check_name(cx, text, node);
    }
    out
}

/// AL306: Docker's legacy singular `name`, reported once per profile (old Docker profiles
/// use it on every rule) at the first use.
fn legacy_names(cx: &mut DocCtx<'_>, legacy: &[Legacy]) {
    let Some(Legacy {
        key: span, name, ..
    }) = legacy.first()
    else {
        return;
    };
    let count = match legacy.len() {
        1 => "a syscall rule uses".to_owned(),
        n => format!("{n} syscall rules use"),
    };
    cx.report(
        cx.finding(Code::AL306, *span)
            .message(format!(
                "{count} the legacy `\"name\"` (singular): containerd decodes profiles as OCI \
                 JSON and ignores it, so under containerd those rules do nothing (Docker/moby, \
                 and so cri-dockerd, CRI-O and Podman still read it)"
            ))
            .label("ignored by containerd")
            .help(format!(
                "write `\"names\": [\"{name}\"]` in this rule and the same in every other rule \
                 with `\"name\"` (or merge rules that share an action into one `names` list)"
            ))
            // Unsafe: under containerd the rules start to apply.
            .fix_with(Safety::Unsafe, to_names(cx, legacy)),
    );
}

/// One use of the legacy `name`.
struct Legacy {
    key: Span,
    value: Span,
    name: String,
    /// The rule has `names` too: merging them is a choice, not a rename.
    beside_names: bool,
}

/// Every `"name": "x"` written `"names": ["x"]`.
fn to_names(cx: &DocCtx<'_>, legacy: &[Legacy]) -> Option<Vec<crate::fix::Edit>> {
    let editor = Editor::within(&cx.file.text, cx.doc.span);
    let mut edits = Vec::new();
    for l in legacy {
        let value = cx.file.text.get(l.value.start..l.value.end)?;
        if l.beside_names || value.contains('\n') {
            return None;
        }
        edits.push(editor.replace_scalar(l.key, "names")?);
        edits.push(crate::fix::Edit::replace(l.value, format!("[{value}]")));
    }
    Some(edits)
}

fn check_name(cx: &mut DocCtx<'_>, name: &str, node: Node<'_>) {
    if name.is_empty() {
        cx.report(
            cx.finding(Code::AL301, node.span())
                .message(
                    "an empty syscall name: runc rejects the profile and the container does not \
                     start",
                )
                .label("empty name")
                .help("remove the empty string"),
        );
        return;
    }
    if syscalls::is_known(name) {
        return;
    }
    let help = match syscalls::nearest(name) {
        Some(near) => format!("did you mean `{near}`?"),
        None => "remove it, or check the name against the kernel's syscall table".to_owned(),
    };
    cx.report(
        cx.finding(Code::AL305, node.span())
            .message(format!(
                "`{name}` is not a system call on any architecture: runc and crun skip it \
                 silently, so this name has no effect"
            ))
            .label("unknown syscall")
            .help(help),
    );
}

/// A valid action of the rule, with its node.
fn check_action<'d>(cx: &mut DocCtx<'_>, rule: Node<'d>) -> Option<(&'d str, Node<'d>)> {
    let Some(node) = rule.get("action") else {
        missing_action(cx, Span::point(rule.span().start));
        return None;
    };
    match string(node) {
        Err(()) => {
            type_error(cx, node, "action", "a string such as `SCMP_ACT_ALLOW`");
            None
        }
        Ok(None) | Ok(Some("")) => {
            missing_action(cx, node.span());
            None
        }
        Ok(Some(action)) if !values::ACTIONS.contains(&action) => {
            unknown_value(
                cx,
                node,
                ("action", action),
                values::ACTIONS,
                &["SCMP_ACT_NOTIFY"],
            );
            None
        }
        Ok(Some(action)) => Some((action, node)),
    }
}

fn missing_action(cx: &mut DocCtx<'_>, span: Span) {
    cx.report(
        cx.finding(Code::AL301, span)
            .message(
                "a syscall rule without an `action`: runc rejects the profile (\"invalid \
                 action\") and the container does not start",
            )
            .label("no action")
            .help("add `\"action\": \"SCMP_ACT_ALLOW\"` (or the action this rule should take)"),
    );
}

/// NOTIFY on `write`, or without a listener.
fn notify(
    cx: &mut DocCtx<'_>,
    top: &Top<'_>,
    names: &[(&str, Node<'_>)],
    action: Node<'_>,
    reported: &mut bool,
) {
    if let Some(&(_, write)) = names.iter().find(|(n, _)| *n == "write") {
        cx.report(
            cx.finding(Code::AL301, write.span())
                .message(
                    "`SCMP_ACT_NOTIFY` on `write`: runc rejects it (the runtime itself must be \
                     able to write) and the container does not start",
                )
                .label("write cannot be notified")
                .help("remove `write` from this rule"),
        );
    }
    if !top.has_listener && !*reported {
        *reported = true;
        cx.report(
            cx.finding(Code::AL301, action.span())
                .message(
                    "`SCMP_ACT_NOTIFY` without `listenerPath`: runc fails with \"seccomp \
                     listenerPath is not set\" and the container does not start",
                )
                .label("no listener")
                .help("add `\"listenerPath\"` (the seccomp agent's UNIX socket) to the profile"),
        );
    }
}

/// The rule's `errnoRet`: a uint, and only on ERRNO/TRACE (checked when the action is valid).
fn rule_errno(cx: &mut DocCtx<'_>, rule: Node<'_>, action: Option<&str>) -> Option<i64> {
    let (key, value) = rule.entry("errnoRet")?;
    match uint(value) {
        Err(()) => {
            type_error(cx, value, "errnoRet", "a non-negative integer (an errno)");
            None
        }
        Ok(None) => None,
        Ok(Some(n)) => {
            if let Some(action) = action.filter(|a| !has_errno(a)) {
                errno_without_errno(cx, key.span(), "errnoRet", action);
            }
            Some(n)
        }
    }
}

fn check_args(cx: &mut DocCtx<'_>, rule: Node<'_>) {
    let Some(args) = rule.get("args") else {
        return;
    };
    let args = match list(args) {
        Err(()) => return type_error(cx, args, "args", "a list of argument filters"),
        Ok(None) => return,
        Ok(Some(args)) => args,
    };
    for arg in args.items() {
        if !arg.is_map() {
            type_error(cx, arg, "an item of `args`", "a mapping (index, value, op)");
            continue;
        }
        for field in ["index", "value", "valueTwo"] {
            if let Some(v) = arg.get(field) {
                match uint(v) {
                    Err(()) => type_error(cx, v, field, "a non-negative integer"),
                    Ok(Some(i)) if field == "index" && i > 5 => bad_index(cx, v.span(), i),
                    Ok(_) => {}
                }
            }
        }
        match arg.get("op") {
            None => missing_op(cx, Span::point(arg.span().start)),
            Some(op) => match string(op) {
                Err(()) => type_error(cx, op, "op", "a string such as `SCMP_CMP_EQ`"),
                Ok(None) | Ok(Some("")) => missing_op(cx, op.span()),
                Ok(Some(text)) if !values::OPERATORS.contains(&text) => {
                    unknown_value(cx, op, ("operator", text), values::OPERATORS, &[])
                }
                Ok(Some(_)) => {}
            },
        }
    }
}

/// System calls take at most six arguments; libseccomp refuses a condition on a seventh.
fn bad_index(cx: &mut DocCtx<'_>, span: Span, index: i64) {
    let shown = if index == i64::MAX {
        "a huge number".to_owned()
    } else {
        index.to_string()
    };
    cx.report(
        cx.finding(Code::AL301, span)
            .message(format!(
                "argument `index` {shown}: system calls have at most 6 arguments (index 0 to 5), \
                 so the runtime cannot build this filter and the container does not start"
            ))
            .label("index out of range")
            .help("use the 0-based position of the argument to compare (0 to 5)"),
    );
}

fn missing_op(cx: &mut DocCtx<'_>, span: Span) {
    cx.report(
        cx.finding(Code::AL301, span)
            .message(
                "an argument filter without `op`: runc rejects the profile (\"invalid \
                 operator\") and the container does not start",
            )
            .label("no operator")
            .help("add `\"op\": \"SCMP_CMP_EQ\"` (or the comparison this filter needs)"),
    );
}

/// AL307: the rule does what the default does; runc drops it.
fn redundant(
    cx: &mut DocCtx<'_>,
    top: &Top<'_>,
    (action, errno): (&str, Option<i64>),
    node: Node<'_>,
    rule: Node<'_>,
) {
    let Some((default, default_errno)) = top.default else {
        return;
    };
    if effective(action, errno) != effective(default, default_errno) {
        return;
    }
    let mut finding = cx
        .finding(Code::AL307, node.span())
        .message(format!(
            "this rule's action `{action}` is what `defaultAction` already does: runc skips \
             the rule, so it adds nothing (and may hide a mistake, such as a missing exception)"
        ))
        .label("same as the default action")
        .help("remove the rule, or give it the action it was meant to have")
        // Safe: runc drops the rule, so the profile enforces the same without it.
        .fix_with(
            Safety::Safe,
            Editor::within(&cx.file.text, cx.doc.span)
                .remove_item(rule.span())
                .map(|e| vec![e]),
        );
    if let Some(span) = top.default_span {
        finding = finding.related(cx.file, span, "the default action");
    }
    cx.report(finding);
}
