//! AL106: `--audit-*` values the apiserver rejects at startup, and audit flags that do not
//! exist (removed, or misspelt). Log-backend flags are validated only when the log backend
//! is on, webhook flags only when the webhook is on, as the apiserver does.

use strsim::levenshtein;

use crate::catalog::Code;
use crate::context::DocCtx;
use crate::model::apiserver::{ApiServerConfig, Flag};

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Path,
    Int,
    NonNegative,
    Float,
    Bool,
    Duration,
    Mode,
    Format,
    Version,
}

/// Every audit flag of kube-apiserver (`pkg/server/options/audit.go`).
const FLAGS: &[(&str, Kind)] = &[
    ("audit-policy-file", Kind::Path),
    ("audit-log-path", Kind::Path),
    ("audit-log-maxage", Kind::NonNegative),
    ("audit-log-maxbackup", Kind::NonNegative),
    ("audit-log-maxsize", Kind::NonNegative),
    ("audit-log-compress", Kind::Bool),
    ("audit-log-format", Kind::Format),
    ("audit-log-version", Kind::Version),
    ("audit-log-mode", Kind::Mode),
    ("audit-log-batch-buffer-size", Kind::Int),
    ("audit-log-batch-max-size", Kind::Int),
    ("audit-log-batch-max-wait", Kind::Duration),
    ("audit-log-batch-throttle-enable", Kind::Bool),
    ("audit-log-batch-throttle-qps", Kind::Float),
    ("audit-log-batch-throttle-burst", Kind::Int),
    ("audit-log-truncate-enabled", Kind::Bool),
    ("audit-log-truncate-max-batch-size", Kind::Int),
    ("audit-log-truncate-max-event-size", Kind::Int),
    ("audit-webhook-config-file", Kind::Path),
    ("audit-webhook-initial-backoff", Kind::Duration),
    ("audit-webhook-batch-initial-backoff", Kind::Duration),
    ("audit-webhook-version", Kind::Version),
    ("audit-webhook-mode", Kind::Mode),
    ("audit-webhook-batch-buffer-size", Kind::Int),
    ("audit-webhook-batch-max-size", Kind::Int),
    ("audit-webhook-batch-max-wait", Kind::Duration),
    ("audit-webhook-batch-throttle-enable", Kind::Bool),
    ("audit-webhook-batch-throttle-qps", Kind::Float),
    ("audit-webhook-batch-throttle-burst", Kind::Int),
    ("audit-webhook-truncate-enabled", Kind::Bool),
    ("audit-webhook-truncate-max-batch-size", Kind::Int),
    ("audit-webhook-truncate-max-event-size", Kind::Int),
];

pub fn check(cx: &mut DocCtx<'_>, config: &ApiServerConfig) {
    let log_on = config
        .value("audit-log-path")
        .is_some_and(|v| !v.is_empty());
    let webhook_on = config
        .value("audit-webhook-config-file")
        .is_some_and(|v| !v.is_empty());
    for (i, flag) in config.flags.iter().enumerate() {
        // Only the effective (last) occurrence matters to the apiserver.
        if config.flags[i + 1..]
            .iter()
            .any(|later| later.name == flag.name)
            || !looks_like_audit_flag(&flag.name)
        {
            continue;
        }
        let Some(&(_, kind)) = FLAGS.iter().find(|(n, _)| *n == flag.name) else {
            unknown(cx, flag);
            continue;
        };
        let enabled = if flag.name.starts_with("audit-log-") {
            log_on
        } else if flag.name.starts_with("audit-webhook-") {
            webhook_on
        } else {
            true
        };
        if let Some((problem, fix)) = value_problem(flag, kind, || cx.config.version()) {
            if enabled
                || matches!(
                    kind,
                    Kind::Int | Kind::Float | Kind::Bool | Kind::Duration | Kind::NonNegative
                )
            {
                report(cx, flag, &problem, &fix);
            }
        }
    }
    for backend in
        ["log", "webhook"]
            .into_iter()
            .filter(|b| if *b == "log" { log_on } else { webhook_on })
    {
        batch_checks(cx, config, backend);
    }
}

fn report(cx: &mut DocCtx<'_>, flag: &Flag, problem: &str, fix: &str) {
    let finding = cx
        .finding(Code::AL106, flag.value_span)
        .message(format!(
            "`--{}`: {problem}; kube-apiserver refuses to start",
            flag.name
        ))
        .label(problem.to_owned())
        .help(fix.to_owned());
    cx.report(finding);
}

fn unknown(cx: &mut DocCtx<'_>, flag: &Flag) {
    // Dynamic audit existed (alpha) until 1.19.
    if flag.name == "audit-dynamic-configuration"
        && cx.config.version().is_some_and(|v| v < (1, 19))
    {
        return;
    }
    let (why, fix) = match flag.name.as_str() {
        "audit-dynamic-configuration" => (
            "was removed in Kubernetes 1.19 with dynamic audit (AuditSink)".to_owned(),
            "remove it (and the DynamicAuditing feature gate); configure auditing with --audit-policy-file and a backend".to_owned(),
        ),
        "audit-log-initial-backoff" => (
            "does not exist (only the webhook backend has a backoff)".to_owned(),
            "remove it, or use `--audit-webhook-initial-backoff` for the webhook backend".to_owned(),
        ),
        name => {
            let nearest = FLAGS.iter().map(|(n, _)| *n).min_by_key(|n| levenshtein(n, name)).filter(|n| levenshtein(n, name) <= 4);
            match nearest {
                Some(n) => (format!("is not a kube-apiserver flag (did you mean `--{n}`?)"), format!("rename it to `--{n}`")),
                None => ("is not a kube-apiserver flag".to_owned(), "remove it; `auditlint explain AL106` lists the audit flags".to_owned()),
            }
        }
    };
    let finding = cx
        .finding(Code::AL106, flag.span)
        .message(format!(
            "`--{}` {why}: kube-apiserver exits with \"unknown flag\"",
            flag.name
        ))
        .label("unknown flag")
        .help(fix);
    cx.report(finding);
}

/// An audit flag, or a misspelling of one (`--audti-log-path`).
fn looks_like_audit_flag(name: &str) -> bool {
    // The edit distance is at least the difference in length: most flags (`--etcd-servers`)
    // are ruled out without computing it.
    name.starts_with("audit-")
        || FLAGS.iter().any(|(known, _)| {
            known.len().abs_diff(name.len()) <= 2 && levenshtein(known, name) <= 2
        })
}

/// What is wrong with a flag's value for its type, and the fix.
fn value_problem(
    flag: &Flag,
    kind: Kind,
    version: impl FnOnce() -> Option<crate::version::Version>,
) -> Option<(String, String)> {
    let name = &flag.name;
    let v = flag.value.as_deref().unwrap_or("true");
    match kind {
        Kind::Path => None,
        Kind::Int if parse_int(v).is_none() => Some((format!("`{v}` is not an integer"), format!("set `--{name}` to a whole number"))),
        Kind::NonNegative => match parse_int(v) {
            None => Some((format!("`{v}` is not an integer"), format!("set `--{name}` to a whole number"))),
            Some(n) if n < 0 => Some((format!("{n} can't be a negative number"), format!("set `--{name}` to 0 or more"))),
            _ => None,
        },
        Kind::Float if v.parse::<f32>().is_err() => Some((format!("`{v}` is not a number"), format!("set `--{name}` to a number such as 10"))),
        Kind::Bool if parse_bool(v).is_none() => Some((format!("`{v}` is not a boolean"), format!("use `--{name}=true` or `--{name}=false`"))),
        Kind::Duration if !is_duration(v) => Some((format!("`{v}` is not a duration"), format!("use Go duration syntax, e.g. `--{name}=30s`"))),
        Kind::Mode if !matches!(v, "batch" | "blocking" | "blocking-strict") => {
            Some((format!("invalid mode `{v}`, allowed modes are batch, blocking, blocking-strict"), format!("use `--{name}=batch` (or blocking, blocking-strict)")))
        }
        Kind::Format if !matches!(v, "json" | "legacy") => {
            Some((format!("invalid audit log format `{v}`, allowed formats are json, legacy"), format!("use `--{name}=json`")))
        }
        // v1alpha1 and v1beta1 were still served before 1.24.
        Kind::Version
            if matches!(v, "audit.k8s.io/v1beta1" | "audit.k8s.io/v1alpha1")
                && version().is_some_and(|k| k < (1, 24)) =>
        {
            None
        }
        Kind::Version if v != "audit.k8s.io/v1" => Some((
            format!("`{v}` is not a supported version; only audit.k8s.io/v1 remains (v1alpha1 and v1beta1 were removed in 1.24)"),
            format!("use `--{name}=audit.k8s.io/v1` or remove the flag"),
        )),
        _ => None,
    }
}

/// Batch-mode and truncation checks of one backend (`AuditOptions.Validate`).
fn batch_checks(cx: &mut DocCtx<'_>, config: &ApiServerConfig, backend: &str) {
    let p = format!("audit-{backend}-");
    let default_mode = if backend == "log" {
        "blocking"
    } else {
        "batch"
    };
    let mode = config.value(&format!("{p}mode")).unwrap_or(default_mode);
    let throttle_default = backend == "webhook";
    let int = |name: &str| {
        config
            .flag(&format!("{p}{name}"))
            .and_then(|f| Some((f, parse_int(f.value.as_deref()?)?)))
    };
    if mode == "batch" {
        for name in ["batch-buffer-size", "batch-max-size"] {
            if let Some((flag, n)) = int(name).filter(|(_, n)| *n <= 0) {
                report(
                    cx,
                    flag,
                    &format!("{n} must be a positive number in batch mode"),
                    &format!("set `--{p}{name}` above 0"),
                );
            }
        }
        let throttle = config
            .value(&format!("{p}batch-throttle-enable"))
            .and_then(parse_bool)
            .unwrap_or(throttle_default);
        if throttle {
            if let Some(flag) = config.flag(&format!("{p}batch-throttle-qps")) {
                if flag
                    .value
                    .as_deref()
                    .and_then(|v| v.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
                {
                    report(
                        cx,
                        flag,
                        "throttle QPS must be a positive number when throttling is on",
                        &format!("set `--{p}batch-throttle-qps` above 0"),
                    );
                }
            }
            if let Some((flag, n)) = int("batch-throttle-burst").filter(|(_, n)| *n <= 0) {
                report(
                    cx,
                    flag,
                    &format!("throttle burst {n} must be a positive number when throttling is on"),
                    &format!("set `--{p}batch-throttle-burst` above 0"),
                );
            }
        }
    }
    let event = int("truncate-max-event-size");
    if let Some((flag, n)) = event.filter(|(_, n)| *n <= 0) {
        report(
            cx,
            flag,
            &format!("truncate max event size {n} must be a positive number"),
            &format!("set `--{p}truncate-max-event-size` above 0 (default 102400)"),
        );
    }
    let event_size = event.map_or(102_400, |(_, n)| n);
    if let Some((flag, n)) = int("truncate-max-batch-size").filter(|(_, n)| *n < event_size) {
        report(
            cx,
            flag,
            &format!(
                "truncate max batch size {n} must be at least the max event size ({event_size})"
            ),
            &format!(
                "set `--{p}truncate-max-batch-size` to {event_size} or more (default 10485760)"
            ),
        );
    }
}

/// pflag ints are `strconv.ParseInt(s, 0, 64)`: decimal, `0x`, `0o`/leading 0, `0b`.
fn parse_int(v: &str) -> Option<i64> {
    let (neg, body) = match v.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, v.strip_prefix('+').unwrap_or(v)),
    };
    let body = body.replace('_', "");
    let n = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(b) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
        i64::from_str_radix(b, 2).ok()?
    } else if let Some(o) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
        i64::from_str_radix(o, 8).ok()?
    } else if body.len() > 1 && body.starts_with('0') {
        i64::from_str_radix(&body[1..], 8).ok()?
    } else {
        body.parse().ok()?
    };
    Some(if neg { -n } else { n })
}

/// Go's `strconv.ParseBool`.
fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `time.ParseDuration`: `0`, or signed sequences of number+unit (`1h30m`, `1.5s`).
fn is_duration(v: &str) -> bool {
    let s = v.strip_prefix(['-', '+']).unwrap_or(v);
    if s == "0" {
        return true;
    }
    let mut rest = s;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ns", "us", "µs", "μs", "ms", "s", "m", "h"]
            .iter()
            .find(|u| rest.starts_with(**u));
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_number_bool_and_duration_syntax() {
        assert_eq!(parse_int("30"), Some(30));
        assert_eq!(parse_int("-1"), Some(-1));
        assert_eq!(parse_int("0x10"), Some(16));
        assert_eq!(parse_int("010"), Some(8));
        assert_eq!(parse_int("30d"), None);
        assert_eq!(parse_bool("T"), Some(true));
        assert_eq!(parse_bool("yes"), None);
        assert!(
            is_duration("30s") && is_duration("1h30m") && is_duration("1.5s") && is_duration("0")
        );
        assert!(!is_duration("30") && !is_duration("s") && !is_duration("10 s"));
    }
}
