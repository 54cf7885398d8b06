//! Kubernetes versions: the one parser for the command line, the configuration and the
//! versions files declare, and the newest minor the rules know.

use std::cell::Cell;

/// A Kubernetes `(major, minor)` version.
pub type Version = (u32, u32);

/// The newest minor version the rules know; a cluster of unknown version is assumed to run it.
pub const NEWEST: Version = (1, 36);

/// `1.30`, `v1.30`, `1.30.2`, `v1.30.2-rc.1` or `v1.29.4+rke2r1` → `(1, 30)`. Only Kubernetes 1.x
/// exists; anything else (`7.99`, `vv1.30`, `1`) is not a version.
pub fn parse(text: &str) -> Option<Version> {
    let text = text.trim();
    let text = text.strip_prefix('v').unwrap_or(text);
    let (core, _build) = text.split_once('+').unwrap_or((text, ""));
    let (core, _pre) = core.split_once('-').unwrap_or((core, ""));
    let mut parts = core.split('.');
    let major = number(parts.next()?)?;
    let minor = number(parts.next()?)?;
    if let Some(patch) = parts.next() {
        number(patch)?;
    }
    (parts.next().is_none() && major == 1).then_some((major, minor))
}

/// A decimal number written with digits only (no sign, no spaces).
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `parse` for a command-line argument, with the message clap shows.
pub fn parse_arg(text: &str) -> Result<Version, String> {
    parse(text).ok_or_else(|| format!("`{text}` is not a Kubernetes version such as 1.30"))
}

pub fn display(v: Version) -> String {
    format!("{}.{}", v.0, v.1)
}

thread_local! {
    /// Whether a rule on this thread read the Kubernetes version since the last `take`.
    static CONSULTED: Cell<bool> = const { Cell::new(false) };
}

/// Records that a rule's result depends on the version (see [`take_consulted`]).
pub fn note_consulted() {
    CONSULTED.with(|c| c.set(true));
}

/// Whether the version was read since the last call: a file whose findings depend on it is
/// checked again when its cluster turns out to run another version than was assumed.
pub fn take_consulted() -> bool {
    CONSULTED.with(|c| c.replace(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_as_people_write_them() {
        assert_eq!(parse("1.30"), Some((1, 30)));
        assert_eq!(parse("v1.30"), Some((1, 30)));
        assert_eq!(parse(" 1.30.2 "), Some((1, 30)));
        assert_eq!(parse("v1.21.2"), Some((1, 21)));
        assert_eq!(parse("v1.30.0-rc.1"), Some((1, 30)));
        assert_eq!(parse("v1.29.4+rke2r1"), Some((1, 29)));
        assert_eq!(parse("v1.28.3-eks-1-28-6"), Some((1, 28)));
    }

    #[test]
    fn what_is_not_a_version() {
        for text in [
            "vvv1.30", "7.99", "1", "1.", "1.x", "1.30.2.1", "", "v", "1.+30", "latest",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
        assert!(parse_arg("vvv1.30").unwrap_err().contains("vvv1.30"));
    }

    #[test]
    fn consulting_is_recorded_per_thread_until_taken() {
        take_consulted();
        assert!(!take_consulted());
        note_consulted();
        assert!(take_consulted());
        assert!(!take_consulted());
    }
}
