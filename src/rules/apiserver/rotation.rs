//! AL103–AL105: log rotation flags below the CIS minimums (thresholds configurable).

use super::missing_flag;
use crate::catalog::Code;
use crate::context::DocCtx;
use crate::finding::{Edit, Safety};
use crate::model::apiserver::ApiServerConfig;

pub fn check(cx: &mut DocCtx<'_>, config: &ApiServerConfig) {
    if !config.logs_to_file() {
        return;
    }
    let t = &cx.config.thresholds;
    let checks = [
        (
            Code::AL103,
            "audit-log-maxage",
            t.maxage,
            "how many days rotated audit logs are kept",
            "CIS 1.2.17",
        ),
        (
            Code::AL104,
            "audit-log-maxbackup",
            t.maxbackup,
            "how many rotated audit log files are kept",
            "CIS 1.2.18",
        ),
        (
            Code::AL105,
            "audit-log-maxsize",
            t.maxsize,
            "the size (MiB) at which the audit log is rotated",
            "CIS 1.2.19",
        ),
    ];
    for (code, name, minimum, what, cis) in checks {
        let add = config
            .insertion
            .add(&cx.file.text, name, &minimum.to_string())
            .map(|edit| vec![edit]);
        let finding = match config.value(name) {
            None => missing_flag(cx, config, code, name, &minimum.to_string()).fix_with(Safety::Safe, add).message(format!(
                "`--{name}` is not set: {what} is left to the Kubernetes version's default, which reviewers and kube-bench cannot see ({cis} requires an explicit value of at least {minimum})"
            )),
            Some(value) => {
                // Non-numeric values are AL106's.
                let Ok(n) = value.parse::<i64>() else { continue };
                if n >= minimum {
                    continue;
                }
                let Some(flag) = config.flag(name) else {
                    // The distribution's own default (kubespray keeps one backup): the fix
                    // is to write the setting.
                    let finding = missing_flag(cx, config, code, name, &minimum.to_string())
                        .fix_with(Safety::Safe, add)
                        .message(format!("`--{name}` is not written, so the {} passes {n}, below the minimum of {minimum} ({cis}): it sets {what}, and too little history is kept to investigate an incident", config.form.describe()));
                    cx.report(finding);
                    continue;
                };
                let meaning = match (name, n) {
                    ("audit-log-maxsize", 0) => " (0 means 100 MiB until 1.35 and no rotation at all since 1.36)",
                    (_, 0) => " (0 means unlimited, but an explicit minimum is what auditors check)",
                    _ => "",
                };
                // The history on the node is maxsize × (maxbackup + 1), not maxsize alone.
                let kept = match (name, config.value("audit-log-maxbackup").and_then(|b| b.parse::<i64>().ok())) {
                    ("audit-log-maxsize", Some(b)) if b > 0 && n > 0 => format!(
                        ", and with `--audit-log-maxbackup={b}` at most {} MiB of history is kept ({n} MiB × {} files), too little to investigate an incident",
                        n * (b + 1),
                        b + 1
                    ),
                    _ => ", and too little history is kept to investigate an incident".to_owned(),
                };
                // The value alone is replaced: its quoting and the flag's spelling stay.
                cx.finding(code, flag.value_span)
                    .fix(Safety::Safe, vec![Edit::replace(flag.value_span, minimum.to_string())])
                    .message(format!("`--{name}={n}` is below the minimum of {minimum} ({cis}){meaning}: it sets {what}{kept}"))
                    .label(format!("below {minimum}"))
                    .help(format!("set `{}` or more", config.form.spell(name, &minimum.to_string())))
            }
        };
        cx.report(finding);
    }
}
