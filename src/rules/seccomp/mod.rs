//! AL301–AL307: seccomp profiles, checked the way runc and crun read them (through
//! containerd's plain JSON decode, or CRI-O's Docker-format loader), and left in the cluster
//! index for `localhostProfile` resolution.

mod syscall_rules;
mod values;

use std::sync::Arc;

use super::registry::{Check, Rule};
use crate::catalog::Code;
use crate::context::DocCtx;
use crate::fix::{Editor, Safety};
use crate::model::seccomp::{self, Form, Profile, ProfileEntry};
use crate::yaml::{Node, Span};

use values::{describe, has_errno, list, nearest, string, uint};

/// The profile's values are checked in one pass, the way runc decodes them: what the syscall
/// rules can say depends on the default action read first.
pub(super) const RULES: &[Rule] = &[Rule {
    codes: &[
        Code::AL301,
        Code::AL302,
        Code::AL303,
        Code::AL304,
        Code::AL305,
        Code::AL306,
        Code::AL307,
    ],
    check: Check::Seccomp(check_profile),
}];

/// Recognises a seccomp profile, runs the [`Check::Seccomp`] rules on it, and leaves it in
/// the cluster index for `localhostProfile` resolution.
pub(super) fn check_object(cx: &mut DocCtx<'_>) {
    let Some(profile) = seccomp::recognise(cx.root, &cx.file.path) else {
        return;
    };
    super::registry::run_on(cx, |check, cx| match check {
        Check::Seccomp(check) => {
            check(cx, &profile);
            true
        }
        _ => false,
    });
    let operator = match profile.form {
        Form::File => None,
        Form::Operator => match seccomp::operator_name(cx.root) {
            Some(name) => Some(name),
            // An operator profile without a name is installed nowhere we can name.
            None => return,
        },
    };
    cx.index.profiles.push(ProfileEntry {
        path: cx.file.path.clone(),
        abs_path: cx.file.abs_path.clone(),
        operator,
        file: Arc::clone(cx.file),
        // Its first line is enough to show it as a related location.
        span: profile
            .body
            .entry("defaultAction")
            .map_or(Span::point(profile.body.span().start), |(k, _)| k.span()),
    });
}

/// AL301–AL307 for one profile.
fn check_profile(cx: &mut DocCtx<'_>, profile: &Profile<'_>) {
    let top = check_top(cx, profile.body);
    syscall_rules::check(cx, profile.body, &top);
}

/// What the syscall rules need from the top of the profile.
pub(crate) struct Top<'d> {
    /// A valid `defaultAction` and its errno (`defaultErrnoRet`).
    default: Option<(&'d str, Option<i64>)>,
    /// Where the default action is written.
    default_span: Option<Span>,
    has_listener: bool,
}

fn check_top<'d>(cx: &mut DocCtx<'_>, body: Node<'d>) -> Top<'d> {
    let default_entry = body.entry("defaultAction");
    let syscalls = body.get("syscalls");
    let syscalls_empty = match syscalls {
        None => true,
        Some(s) => s.is_null() || (s.is_seq() && s.is_empty()),
    };
    let mut default = None;
    let mut default_text = None;
    if let Some((_, value)) = default_entry {
        match string(value) {
            Err(()) => type_error(
                cx,
                value,
                "defaultAction",
                "a string such as `SCMP_ACT_ERRNO`",
            ),
            Ok(text) => default_text = Some((text.unwrap_or(""), value)),
        }
    }
    let empty_default = match default_text {
        None => default_entry.is_none(),
        Some((text, _)) => text.is_empty(),
    };
    if empty_default {
        let span = default_entry.map_or(Span::point(body.span().start), |(_, v)| v.span());
        if syscalls_empty {
            disabled(cx, body, span);
        } else {
            cx.report(
                cx.finding(Code::AL301, span)
                    .message(
                        "the profile has syscall rules but no `defaultAction`: runc rejects it \
                         (\"invalid action\") and the container does not start",
                    )
                    .label("no default action")
                    .help(
                        "add `\"defaultAction\": \"SCMP_ACT_ERRNO\"` (deny what the rules do not \
                         allow)",
                    ),
            );
        }
    }
    if let Some((text, value)) = default_text.filter(|(t, _)| !t.is_empty()) {
        if default_action(cx, text, value) {
            let errno = default_errno(cx, body, text);
            default = Some((text, errno));
        }
    }
    check_arches(cx, body);
    check_flags(cx, body);
    let has_listener = check_listener(cx, body);
    Top {
        default,
        default_span: default_text.map(|(_, v)| v.span()),
        has_listener,
    }
}

/// AL302: `{}`, or an empty default action with no rules.
fn disabled(cx: &mut DocCtx<'_>, body: Node<'_>, span: Span) {
    let what = if body.is_empty() {
        "the profile is empty (`{}`)"
    } else if body.get("defaultAction").is_some() {
        "the profile's `defaultAction` is empty and it has no syscall rules"
    } else {
        "the profile has no `defaultAction` and no syscall rules"
    };
    cx.report(
        cx.finding(Code::AL302, span)
            .message(format!(
                "{what}: runc treats this as \"no seccomp\" and the container runs unconfined, \
                 with every system call allowed and none logged"
            ))
            .label("seccomp is disabled")
            .help(
                "set `\"defaultAction\": \"SCMP_ACT_ERRNO\"` with an allow-list, or use the \
                 runtime's default profile (`seccompProfile: {type: RuntimeDefault}`)",
            ),
    );
}

/// Checks a non-empty `defaultAction`; true when it is an action runc accepts as default.
fn default_action(cx: &mut DocCtx<'_>, text: &str, value: Node<'_>) -> bool {
    if !values::ACTIONS.contains(&text) {
        // The fix must not write a default action AL303, AL304 or the notify checks report.
        let avoid = ["SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"];
        unknown_value(cx, value, ("action", text), values::ACTIONS, &avoid);
        return false;
    }
    match text {
        "SCMP_ACT_NOTIFY" => {
            cx.report(
                cx.finding(Code::AL301, value.span())
                    .message(
                        "`SCMP_ACT_NOTIFY` cannot be the default action: runc rejects it and the \
                         container does not start",
                    )
                    .label("not allowed as default")
                    .help(
                        "use `SCMP_ACT_ERRNO` as the default and `SCMP_ACT_NOTIFY` only on the \
                         syscalls a listener handles",
                    ),
            );
            return false;
        }
        "SCMP_ACT_ALLOW" => cx.report(
            cx.finding(Code::AL303, value.span())
                .message(
                    "`defaultAction: SCMP_ACT_ALLOW` makes the profile a blocklist: every system \
                     call it does not list is allowed, including new ones, and nothing is logged",
                )
                .label("everything not listed is allowed")
                .help(
                    "invert it: `\"defaultAction\": \"SCMP_ACT_ERRNO\"` and list the syscalls the \
                     workload needs with `SCMP_ACT_ALLOW` (record them with `SCMP_ACT_LOG` first)",
                ),
        ),
        "SCMP_ACT_LOG" => cx.report(
            cx.finding(Code::AL304, value.span())
                .message(
                    "`defaultAction: SCMP_ACT_LOG` is audit mode: every system call is allowed \
                     and only logged, so the profile enforces nothing",
                )
                .label("logs, does not block")
                .help(
                    "use it to record what the workload needs, then switch the default to \
                     `SCMP_ACT_ERRNO` with those syscalls allowed",
                ),
        ),
        _ => {}
    }
    true
}

/// `defaultErrnoRet`: a uint, and only for ERRNO/TRACE.
fn default_errno(cx: &mut DocCtx<'_>, body: Node<'_>, action: &str) -> Option<i64> {
    let (key, value) = body.entry("defaultErrnoRet")?;
    match uint(value) {
        Err(()) => {
            type_error(
                cx,
                value,
                "defaultErrnoRet",
                "a non-negative integer (an errno)",
            );
            None
        }
        Ok(None) => None,
        Ok(Some(n)) => {
            if !has_errno(action) {
                errno_without_errno(cx, key.span(), "defaultErrnoRet", action);
            }
            Some(n)
        }
    }
}

/// AL301 for an errno on an action that returns none.
pub(crate) fn errno_without_errno(cx: &mut DocCtx<'_>, span: Span, field: &str, action: &str) {
    cx.report(
        cx.finding(Code::AL301, span)
            .message(format!(
                "`{field}` is set but `{action}` returns no errno: crun rejects the profile \
                 (\"errno value specified for action\"), as the OCI runtime spec requires, and runc \
                 silently ignores the value"
            ))
            .label(format!("no errno with {action}"))
            .help(format!(
                "remove `{field}`, or use `SCMP_ACT_ERRNO` if the call should fail with that errno"
            )),
    );
}

fn check_arches(cx: &mut DocCtx<'_>, body: Node<'_>) {
    if let Some(arches) = body.get("architectures") {
        for arch in string_list(cx, arches, "architectures") {
            check_arch(cx, arch);
        }
    }
    // CRI-O and Podman expand `archMap` into architectures; containerd ignores it.
    if let Some(map) = body.get("archMap") {
        let Ok(Some(map)) = list(map) else {
            return type_error(cx, map, "archMap", "a list");
        };
        for item in map.items() {
            if let Some(arch) = item.get("architecture") {
                if string(arch).is_ok_and(|a| a.is_some()) {
                    check_arch(cx, arch);
                }
            }
            if let Some(subs) = item.get("subArchitectures") {
                for arch in string_list(cx, subs, "subArchitectures") {
                    check_arch(cx, arch);
                }
            }
        }
    }
}

fn check_arch(cx: &mut DocCtx<'_>, node: Node<'_>) {
    let Ok(Some(arch)) = string(node) else {
        return;
    };
    if values::ARCHES.contains(&arch) {
        return;
    }
    if values::ARCHES_RUNC_REJECTS.contains(&arch) {
        cx.report(
            cx.finding(Code::AL301, node.span())
                .message(format!(
                    "runc rejects `{arch}` (\"not a valid arch\"): on nodes whose runtime is \
                     runc the container does not start"
                ))
                .label("runc does not support this architecture")
                .help(format!(
                    "remove `{arch}`; list the architectures of your nodes (e.g. \
                     `SCMP_ARCH_X86_64`, `SCMP_ARCH_AARCH64`)"
                )),
        );
    } else if let Some(real) = values::arch_alias(arch) {
        cx.report(
            cx.finding(Code::AL301, node.span())
                .message(format!(
                    "`{arch}` is not a seccomp architecture name: the profile is rejected and the \
                     container does not start"
                ))
                .label("unknown architecture")
                .help(format!("write `{real}`")),
        );
    } else {
        unknown_value(cx, node, ("architecture", arch), values::ARCHES, &[]);
    }
}

fn check_flags(cx: &mut DocCtx<'_>, body: Node<'_>) {
    let Some(flags) = body.get("flags") else {
        return;
    };
    for flag in string_list(cx, flags, "flags") {
        let Ok(Some(text)) = string(flag) else {
            continue;
        };
        if values::FLAGS_RUNC_REJECTS.contains(&text) {
            cx.report(
                cx.finding(Code::AL301, flag.span())
                    .message(format!(
                        "runc rejects `{text}` (\"seccomp flag ... is not known to runc\"): on \
                         nodes whose runtime is runc the container does not start (only crun \
                         supports it)"
                    ))
                    .label("unknown to runc")
                    .help(format!("remove `{text}` unless every node runs crun")),
            );
        } else if !values::FLAGS.contains(&text) {
            let mut known = values::FLAGS.to_vec();
            known.extend(values::FLAGS_RUNC_REJECTS);
            unknown_value(cx, flag, ("flag", text), &known, &[]);
        }
    }
}

/// `listenerPath`/`listenerMetadata`; true when a listener socket is set.
fn check_listener(cx: &mut DocCtx<'_>, body: Node<'_>) -> bool {
    let mut path = false;
    if let Some(value) = body.get("listenerPath") {
        match string(value) {
            Err(()) => type_error(cx, value, "listenerPath", "a string (a UNIX socket path)"),
            Ok(p) => path = p.is_some_and(|p| !p.is_empty()),
        }
    }
    if let Some((key, value)) = body.entry("listenerMetadata") {
        match string(value) {
            Err(()) => type_error(cx, value, "listenerMetadata", "a string"),
            Ok(Some(m)) if !m.is_empty() && !path => cx.report(
                cx.finding(Code::AL301, key.span())
                    .message(
                        "`listenerMetadata` is set without `listenerPath`: the OCI runtime spec \
                         forbids it and there is no listener to receive it",
                    )
                    .label("no listenerPath")
                    .help("add `listenerPath` (the seccomp agent's UNIX socket) or remove this"),
            ),
            Ok(_) => {}
        }
    }
    path
}

/// The string items of a list field; reports the field or items of the wrong type.
fn string_list<'d>(cx: &mut DocCtx<'_>, node: Node<'d>, field: &str) -> Vec<Node<'d>> {
    match list(node) {
        Err(()) => {
            type_error(cx, node, field, "a list of strings");
            Vec::new()
        }
        Ok(None) => Vec::new(),
        Ok(Some(items)) => items
            .items()
            .filter(|item| {
                let ok = string(*item).is_ok();
                if !ok {
                    type_error(cx, *item, &format!("an item of `{field}`"), "a string");
                }
                ok
            })
            .collect(),
    }
}

/// AL301 for a value of the wrong JSON type: the runtime's decoder fails on it.
pub(crate) fn type_error(cx: &mut DocCtx<'_>, node: Node<'_>, field: &str, expected: &str) {
    let field = if field.starts_with("an item") {
        field.to_owned()
    } else {
        format!("`{field}`")
    };
    cx.report(
        cx.finding(Code::AL301, node.span())
            .message(format!(
                "{field} is {} but must be {expected}: the runtime cannot decode the profile and \
                 the container does not start",
                describe(node)
            ))
            .label(format!("expected {expected}"))
            .help(format!("write {field} as {expected}")),
    );
}

/// AL301 for a value runc does not know (action, architecture, flag, operator).
pub(crate) fn unknown_value(
    cx: &mut DocCtx<'_>,
    node: Node<'_>,
    (what, value): (&str, &str),
    allowed: &[&str],
    avoid: &[&str],
) {
    let help = match nearest(value, allowed) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("use one of: {}", allowed.join(", ")),
    };
    let finding = cx
        .finding(Code::AL301, node.span())
        .message(format!(
            "`{value}` is not a seccomp {what} runc or crun know: the profile is rejected \
             and the container does not start"
        ))
        .label(format!("unknown {what}"))
        .help(help);
    let finding = match correction(cx, node, value, allowed, avoid) {
        Some((safety, edits)) => finding.fix(safety, edits),
        None => finding,
    };
    cx.report(finding);
}

/// The value `value` was meant to be, written over it: safe when only its case is wrong,
/// unsafe when it is the nearest of `allowed` (a guess). Never one of `avoid`, which would
/// raise a finding of its own (`SCMP_ACT_ALLOW` as the default action is AL303).
fn correction(
    cx: &DocCtx<'_>,
    node: Node<'_>,
    value: &str,
    allowed: &[&str],
    avoid: &[&str],
) -> Option<(Safety, Vec<crate::fix::Edit>)> {
    let (safety, meant) = match allowed.iter().find(|a| a.eq_ignore_ascii_case(value)) {
        Some(a) => (Safety::Safe, *a),
        None => (Safety::Unsafe, nearest(value, allowed)?),
    };
    if avoid.contains(&meant) {
        return None;
    }
    let edit = Editor::within(&cx.file.text, cx.doc.span).replace_scalar(node.span(), meant)?;
    Some((safety, vec![edit]))
}
