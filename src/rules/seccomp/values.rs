//! The values runc and crun accept in a profile, and how a profile's JSON types are read
//! (Go's `encoding/json`: `null` leaves a field unset, any other mismatch fails the decode).

use crate::yaml::{Node, Scalar, Style};

pub const ACTIONS: &[&str] = &[
    "SCMP_ACT_KILL",
    "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO",
    "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW",
    "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",
];

/// Architectures runc maps to libseccomp (`libcontainer/seccomp/config.go`).
pub const ARCHES: &[&str] = &[
    "SCMP_ARCH_X86",
    "SCMP_ARCH_X86_64",
    "SCMP_ARCH_X32",
    "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64",
    "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",
    "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",
    "SCMP_ARCH_MIPSEL64",
    "SCMP_ARCH_MIPSEL64N32",
    "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",
    "SCMP_ARCH_PPC64LE",
    "SCMP_ARCH_RISCV64",
    "SCMP_ARCH_S390",
    "SCMP_ARCH_S390X",
    "SCMP_ARCH_LOONGARCH64",
];

/// Named by the OCI spec (or libseccomp) but rejected by runc as "not a valid arch".
pub const ARCHES_RUNC_REJECTS: &[&str] = &[
    "SCMP_ARCH_PARISC",
    "SCMP_ARCH_PARISC64",
    "SCMP_ARCH_M68K",
    "SCMP_ARCH_SH",
    "SCMP_ARCH_SHEB",
    "SCMP_ARCH_NATIVE",
];

/// Common names of architectures that libseccomp spells differently.
pub fn arch_alias(arch: &str) -> Option<&'static str> {
    let bare = arch.strip_prefix("SCMP_ARCH_").unwrap_or(arch);
    Some(match bare.to_ascii_uppercase().as_str() {
        "AMD64" | "X64" | "X86-64" => "SCMP_ARCH_X86_64",
        "ARM64" => "SCMP_ARCH_AARCH64",
        "I386" | "I686" | "386" => "SCMP_ARCH_X86",
        "PPC64EL" => "SCMP_ARCH_PPC64LE",
        "LOONG64" => "SCMP_ARCH_LOONGARCH64",
        _ => return None,
    })
}

/// Flags runc knows (`libcontainer/seccomp/config.go`; TSYNC is accepted and ignored).
pub const FLAGS: &[&str] = &[
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
];

/// In the OCI spec (and crun) but unknown to runc: "seccomp flag ... is not known to runc".
pub const FLAGS_RUNC_REJECTS: &[&str] = &["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"];

pub const OPERATORS: &[&str] = &[
    "SCMP_CMP_NE",
    "SCMP_CMP_LT",
    "SCMP_CMP_LE",
    "SCMP_CMP_EQ",
    "SCMP_CMP_GE",
    "SCMP_CMP_GT",
    "SCMP_CMP_MASKED_EQ",
];

/// EPERM: the errno runc uses for ERRNO and TRACE when none is given.
pub const DEFAULT_ERRNO: i64 = 1;

/// Whether an action takes an errno (`errnoRet`/`defaultErrnoRet`).
pub fn has_errno(action: &str) -> bool {
    matches!(action, "SCMP_ACT_ERRNO" | "SCMP_ACT_TRACE")
}

/// The action libseccomp ends up with: KILL is KILL_THREAD, and ERRNO/TRACE carry their
/// errno. Two rules with the same effective action do the same thing.
pub fn effective(action: &str, errno: Option<i64>) -> (&str, Option<i64>) {
    match action {
        "SCMP_ACT_KILL" => ("SCMP_ACT_KILL_THREAD", None),
        a if has_errno(a) => (a, Some(errno.unwrap_or(DEFAULT_ERRNO))),
        a => (a, None),
    }
}

/// The closest value of `allowed` to a wrong one, to suggest it.
pub fn nearest<'a>(value: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let upper = value.to_ascii_uppercase();
    allowed
        .iter()
        .map(|&a| (strsim::jaro_winkler(&upper, a), a))
        .filter(|&(score, _)| score >= 0.85)
        .max_by(|x, y| x.0.total_cmp(&y.0))
        .map(|(_, a)| a)
}

/// A string field as Go decodes it: `Ok(None)` for `null`, `Err` for any other type.
pub fn string<'d>(node: Node<'d>) -> Result<Option<&'d str>, ()> {
    match node.scalar() {
        Some(Scalar::Null) => Ok(None),
        Some(Scalar::Str(s)) => Ok(Some(s)),
        _ => Err(()),
    }
}

/// An unsigned integer field: `Ok(None)` for `null`, `Ok(Some(n))` for a non-negative
/// integer (`n` is `i64::MAX` beyond that range, still a valid uint64), `Err` otherwise.
pub fn uint(node: Node<'_>) -> Result<Option<i64>, ()> {
    match node.scalar() {
        Some(Scalar::Null) => Ok(None),
        Some(Scalar::Int(i)) if i >= 0 => Ok(Some(i)),
        Some(Scalar::Float(_))
            if node.style() == Some(Style::Plain)
                && node
                    .text()
                    .is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())) =>
        {
            Ok(Some(i64::MAX))
        }
        _ => Err(()),
    }
}

/// A list field: `Ok(None)` for `null`, `Err` for anything but a list.
pub fn list(node: Node<'_>) -> Result<Option<Node<'_>>, ()> {
    if node.is_null() {
        Ok(None)
    } else if node.is_seq() {
        Ok(Some(node))
    } else {
        Err(())
    }
}

/// How a value is described in a type error ("a number", "a list").
pub fn describe(node: Node<'_>) -> String {
    let kind = node.kind_name();
    if kind == "null" {
        return "null".to_owned();
    }
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_all, Item};

    fn with<R>(text: &str, f: impl FnOnce(Node<'_>) -> R) -> R {
        let (items, _) = parse_all(text);
        let Some(Item::Document(doc)) = items.into_iter().next() else {
            panic!("no document")
        };
        f(doc.root().unwrap().get("v").unwrap())
    }

    #[test]
    fn reads_types_as_go_does() {
        assert_eq!(
            with(r#"{"v": "SCMP_ACT_LOG"}"#, |n| string(n)
                .map(|s| s.map(str::to_owned))),
            Ok(Some("SCMP_ACT_LOG".into()))
        );
        assert_eq!(
            with(r#"{"v": null}"#, |n| string(n).map(|s| s.is_none())),
            Ok(true)
        );
        assert!(with(r#"{"v": 1}"#, |n| string(n).is_err()));
        assert!(with("v: yes", |n| string(n).is_err()));
        assert_eq!(with(r#"{"v": 38}"#, uint), Ok(Some(38)));
        assert_eq!(
            with(r#"{"v": 18446744073709551615}"#, uint),
            Ok(Some(i64::MAX))
        );
        assert!(with(r#"{"v": -1}"#, |n| uint(n).is_err()));
        assert!(with(r#"{"v": "38"}"#, |n| uint(n).is_err()));
        assert!(with(r#"{"v": 1.5}"#, |n| uint(n).is_err()));
        assert!(with(r#"{"v": "x"}"#, |n| list(n).is_err()));
    }

    #[test]
    fn effective_actions() {
        assert_eq!(
            effective("SCMP_ACT_KILL", None),
            effective("SCMP_ACT_KILL_THREAD", None)
        );
        assert_eq!(
            effective("SCMP_ACT_ERRNO", None),
            effective("SCMP_ACT_ERRNO", Some(1))
        );
        assert_ne!(
            effective("SCMP_ACT_ERRNO", Some(38)),
            effective("SCMP_ACT_ERRNO", None)
        );
        assert_ne!(
            effective("SCMP_ACT_KILL_PROCESS", None),
            effective("SCMP_ACT_KILL", None)
        );
    }

    #[test]
    fn suggests_close_values() {
        assert_eq!(nearest("SCMP_ACT_ALOW", ACTIONS), Some("SCMP_ACT_ALLOW"));
        assert_eq!(nearest("scmp_act_errno", ACTIONS), Some("SCMP_ACT_ERRNO"));
        assert_eq!(nearest("deny", ACTIONS), None);
    }
}
