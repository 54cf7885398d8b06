//! kube-apiserver flags as pflag parses them: `--f=v` and `--f v`, last occurrence wins.

use crate::yaml::{Node, Span};

/// One flag setting, wherever it was written (argv element, extraArgs entry, k3s arg).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Without leading dashes: `audit-log-path`.
    pub name: String,
    /// `None` for a bare `--flag` (pflag: true for a bool flag).
    pub value: Option<String>,
    /// The whole setting (argv element or mapping entry).
    pub span: Span,
    /// The value as written, or the whole setting when there is no separate value node.
    pub value_span: Span,
}

/// Boolean audit flags: for these `--f v` does not consume the next argument.
const BOOL_FLAGS: &[&str] = &[
    "audit-log-compress",
    "audit-log-batch-throttle-enable",
    "audit-log-truncate-enabled",
    "audit-webhook-batch-throttle-enable",
    "audit-webhook-truncate-enabled",
];

/// Parses argv elements after the binary name. `args` are (text, span) of each element.
pub fn parse_argv(args: &[(String, Span)]) -> Vec<Flag> {
    let mut flags = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let (text, span) = (&args[i].0, args[i].1);
        i += 1;
        let Some(body) = text.strip_prefix("--").or_else(|| text.strip_prefix('-')) else {
            continue;
        };
        match body.split_once('=') {
            Some((name, value)) => {
                // The value starts after `--name=` inside this element.
                let start = (span.start + text.len() - value.len()).min(span.end);
                let value_span = if span.len() == text.len() {
                    Span::new(start, span.end)
                } else {
                    span
                };
                flags.push(Flag {
                    name: name.to_owned(),
                    value: Some(value.to_owned()),
                    span,
                    value_span,
                });
            }
            None => {
                let takes_value = !BOOL_FLAGS.contains(&body)
                    && args.get(i).is_some_and(|(next, _)| !next.starts_with('-'));
                if takes_value {
                    let (value, value_span) = (&args[i].0, args[i].1);
                    i += 1;
                    flags.push(Flag {
                        name: body.to_owned(),
                        value: Some(value.clone()),
                        span: Span::new(span.start, value_span.end),
                        value_span,
                    });
                } else {
                    flags.push(Flag {
                        name: body.to_owned(),
                        value: None,
                        span,
                        value_span: span,
                    });
                }
            }
        }
    }
    flags
}

/// The elements of a YAML list of strings, with spans of their text (quotes excluded when
/// the scalar is written on one line, so a value span points at the characters themselves).
pub fn string_items(list: Node<'_>, source: &str) -> Vec<(String, Span)> {
    list.items()
        .filter_map(|item| {
            let text = item.text()?.to_owned();
            Some((text.clone(), inner_span(item.span(), source, &text)))
        })
        .collect()
}

/// The span of `text` inside a scalar's span, when the scalar holds it verbatim.
pub fn inner_span(span: Span, source: &str, text: &str) -> Span {
    let raw = source.get(span.start..span.end).unwrap_or("");
    match raw.find(text) {
        Some(at) if !text.is_empty() => Span::new(span.start + at, span.start + at + text.len()),
        _ => span,
    }
}

/// A map of flag name to value (`{audit-log-maxage: "30"}`); a list value (OpenShift
/// `apiServerArguments`, Talos since 1.11) becomes repeated flags, of which the last counts.
pub fn map_flags(map: Node<'_>, source: &str) -> Vec<Flag> {
    map.entries()
        .filter_map(|(k, v)| {
            let value = if v.is_seq() { v.items().last()? } else { v };
            let raw = value.text()?;
            Some(Flag {
                name: k.text()?.trim_start_matches('-').to_owned(),
                value: Some(raw.to_owned()),
                span: Span::new(k.span().start, v.span().end.max(k.span().end)),
                value_span: inner_span(value.span(), source, raw),
            })
        })
        .collect()
}

/// A list of `{KEY: flag, value: v}` entries: kubeadm v1beta4 (`name`), kwok (`key`).
pub fn list_flags(args: Node<'_>, key: &str, source: &str) -> Vec<Flag> {
    args.items()
        .filter_map(|entry| {
            let name = entry.get_str(key)?.trim_start_matches('-').to_owned();
            let value = entry.get("value");
            let raw = value.and_then(|v| v.text()).unwrap_or("");
            Some(Flag {
                name,
                value: Some(raw.to_owned()),
                span: entry.span(),
                value_span: value.map_or(entry.span(), |v| inner_span(v.span(), source, raw)),
            })
        })
        .collect()
}

/// k3s/RKE2 `kube-apiserver-arg` entries: `flag=value` without dashes (dashes tolerated).
pub fn parse_k3s_args(args: &[(String, Span)]) -> Vec<Flag> {
    args.iter()
        .map(|(text, span)| {
            let body = text.trim_start_matches('-');
            match body.split_once('=') {
                Some((name, value)) => {
                    let start = span.start + text.len() - value.len();
                    let value_span = if span.len() == text.len() {
                        Span::new(start, span.end)
                    } else {
                        *span
                    };
                    Flag {
                        name: name.to_owned(),
                        value: Some(value.to_owned()),
                        span: *span,
                        value_span,
                    }
                }
                None => Flag {
                    name: body.to_owned(),
                    value: None,
                    span: *span,
                    value_span: *span,
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<(String, Span)> {
        let mut at = 0;
        list.iter()
            .map(|a| {
                let span = Span::new(at, at + a.len());
                at += a.len() + 1;
                (a.to_string(), span)
            })
            .collect()
    }

    #[test]
    fn equals_and_separate_value_forms() {
        let f = parse_argv(&args(&[
            "--audit-log-path=/var/log/a.log",
            "--audit-log-maxage",
            "30",
            "--v=2",
        ]));
        assert_eq!(f[0].name, "audit-log-path");
        assert_eq!(f[0].value.as_deref(), Some("/var/log/a.log"));
        assert_eq!(f[0].value_span, Span::new(17, 31));
        assert_eq!(f[1].name, "audit-log-maxage");
        assert_eq!(f[1].value.as_deref(), Some("30"));
        assert_eq!(f[1].value_span, Span::new(51, 53));
        assert_eq!(f[2].name, "v");
    }

    #[test]
    fn bool_flags_do_not_consume_the_next_argument() {
        let f = parse_argv(&args(&["--audit-log-compress", "--audit-log-maxsize=100"]));
        assert_eq!(f[0].value, None);
        assert_eq!(f[1].name, "audit-log-maxsize");
        let f = parse_argv(&args(&["--audit-log-truncate-enabled", "true"]));
        assert_eq!(f.len(), 1, "a bool flag takes its value only with `=`");
    }

    #[test]
    fn empty_value_and_single_dash() {
        let f = parse_argv(&args(&["--audit-policy-file=", "-v=2"]));
        assert_eq!(f[0].value.as_deref(), Some(""));
        assert_eq!(f[1].name, "v");
    }

    #[test]
    fn k3s_args_without_dashes() {
        let f = parse_k3s_args(&args(&[
            "audit-log-path=/var/lib/rancher/k3s/server/logs/audit.log",
            "--audit-log-maxage=30",
        ]));
        assert_eq!(f[0].name, "audit-log-path");
        assert_eq!(f[1].name, "audit-log-maxage");
        assert_eq!(f[1].value.as_deref(), Some("30"));
    }
}
