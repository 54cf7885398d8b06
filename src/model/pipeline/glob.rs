//! Path globs as log agents read them (glob(3), Ruby's `Dir.glob`, Vector's and the
//! OpenTelemetry collector's doublestar): `*` and `?` stay within one path component, `**`
//! crosses components, `{a,b}` and `[…]` as usual. Tag patterns as Fluent Bit and Fluentd
//! route records.

use std::cell::RefCell;
use std::collections::HashMap;

use globset::{GlobBuilder, GlobMatcher};

/// Whether the glob `pattern` matches the path `path`.
pub fn matches(pattern: &str, path: &str) -> bool {
    // Compiling a glob costs a hundred times matching it, and the cross-file rules ask about
    // the same few patterns again and again: each thread keeps the ones it compiled (a
    // bounded number, for a long-running language server).
    thread_local! {
        static COMPILED: RefCell<HashMap<String, Option<GlobMatcher>>> =
            RefCell::new(HashMap::new());
    }
    let pattern = pattern.trim();
    COMPILED.with_borrow_mut(|compiled| {
        if !compiled.contains_key(pattern) {
            if compiled.len() >= 1024 {
                compiled.clear();
            }
            let matcher = GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .ok()
                .map(|g| g.compile_matcher());
            compiled.insert(pattern.to_owned(), matcher);
        }
        compiled[pattern].as_ref().is_some_and(|m| m.is_match(path))
    })
}

/// Fluent Bit's `Match`: `*` matches any run of characters, dots included.
pub fn fluent_bit_match(pattern: &str, tag: &str) -> bool {
    wildcard(pattern.as_bytes(), tag.as_bytes())
}

fn wildcard(p: &[u8], t: &[u8]) -> bool {
    match (p.first(), t.first()) {
        (None, None) => true,
        (Some(b'*'), _) => wildcard(&p[1..], t) || (!t.is_empty() && wildcard(p, &t[1..])),
        (Some(a), Some(b)) if a == b => wildcard(&p[1..], &t[1..]),
        _ => false,
    }
}

/// Fluentd's `<match>` patterns (space-separated alternatives): `*` matches one tag part,
/// `**` zero or more parts, `{a,b}` either.
pub fn fluentd_match(patterns: &str, tag: &str) -> bool {
    patterns.split_whitespace().any(|p| {
        let tag: Vec<&str> = tag.split('.').collect();
        expand(p).iter().any(|p| {
            let parts: Vec<&str> = p.split('.').collect();
            parts_match(&parts, &tag)
        })
    })
}

/// `a.{b,c}.d` → `a.b.d`, `a.c.d`.
fn expand(pattern: &str) -> Vec<String> {
    let (Some(open), Some(close)) = (pattern.find('{'), pattern.find('}')) else {
        return vec![pattern.to_owned()];
    };
    if close < open {
        return vec![pattern.to_owned()];
    }
    pattern[open + 1..close]
        .split(',')
        .flat_map(|alt| {
            expand(&format!(
                "{}{alt}{}",
                &pattern[..open],
                &pattern[close + 1..]
            ))
        })
        .collect()
}

fn parts_match(p: &[&str], t: &[&str]) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some(&"**") => (0..=t.len()).any(|k| parts_match(&p[1..], &t[k..])),
        Some(part) => {
            !t.is_empty()
                && wildcard(part.as_bytes(), t[0].as_bytes())
                && parts_match(&p[1..], &t[1..])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_globs() {
        assert!(matches(
            "/var/log/containers/*.log",
            "/var/log/containers/a_b_c.log"
        ));
        assert!(!matches(
            "/var/log/*.log",
            "/var/log/kubernetes/audit/audit.log"
        ));
        assert!(matches(
            "/var/log/**/*.log",
            "/var/log/kubernetes/audit/audit.log"
        ));
        assert!(matches(
            "/var/log/kubernetes/audit/*.log",
            "/var/log/kubernetes/audit/audit.log"
        ));
        assert!(matches(
            "/var/log/{pods,kubernetes}/**",
            "/var/log/kubernetes/audit/audit.log"
        ));
        assert!(!matches(
            "/var/log/pods/*/*/*.log",
            "/var/log/kubernetes/audit/audit.log"
        ));
    }

    #[test]
    fn tags() {
        assert!(fluent_bit_match("kube.*", "kube.var.log.containers.x"));
        assert!(fluent_bit_match("*", "anything"));
        assert!(!fluent_bit_match("host.*", "kube.x"));
        assert!(fluentd_match("kubernetes.**", "kubernetes.var.log.x"));
        assert!(fluentd_match("kubernetes.*", "kubernetes.x"));
        assert!(!fluentd_match("kubernetes.*", "kubernetes.x.y"));
        assert!(fluentd_match("**", "a.b"));
        assert!(fluentd_match("audit.{a,b} other", "audit.b"));
        assert!(fluentd_match("a other.**", "other"));
    }
}
