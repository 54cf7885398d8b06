//! The inputs of `terraform-aws-modules/eks/aws`, by the major version a call pins.
//!
//! Checked against the module's `variables.tf` at each major (repository
//! `terraform-aws-modules/terraform-aws-eks`, tags v12.0.0 … v17.24.0 (e90c877a), v18.0.0
//! (d71ef01c), v19.21.0 (2cb1fac3), v20.37.2 (8a0efdbb), v21.0.0 (b7eabbd3)):
//!
//! | majors | log types input (default)                                   | retention input (default)                       | own log group                        |
//! |--------|-------------------------------------------------------------|-------------------------------------------------|--------------------------------------|
//! | 12–17  | `cluster_enabled_log_types` (`[]`)                          | `cluster_log_retention_in_days` (90)            | when any log type is enabled         |
//! | 18–20  | `cluster_enabled_log_types` (`["audit","api","authenticator"]`) | `cloudwatch_log_group_retention_in_days` (90) | `create_cloudwatch_log_group` (true) |
//! | 21     | `enabled_log_types` (`["audit","api","authenticator"]`)     | `cloudwatch_log_group_retention_in_days` (90)   | `create_cloudwatch_log_group` (true) |
//!
//! The cluster's name is `cluster_name` up to v20 and `name` from v21. A call whose
//! `version` does not pin one major of this table (unpinned, `>= 18`, a major before 12 or
//! after 21) gets nothing from defaults.

/// What a major version of the module takes and defaults to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inputs {
    pub major: u32,
    pub log_types: &'static str,
    pub default_log_types: &'static [&'static str],
    pub retention: &'static str,
    pub default_retention: u32,
    /// The input that turns the module's own log group off, when there is one.
    pub create_log_group: Option<&'static str>,
    pub cluster_name: &'static str,
}

const DEFAULT_TYPES: &[&str] = &["audit", "api", "authenticator"];

/// The inputs of `major`, when the table knows it.
pub fn inputs(major: u32) -> Option<Inputs> {
    let (log_types, default_log_types, retention, create_log_group, cluster_name) = match major {
        12..=17 => (
            "cluster_enabled_log_types",
            &[][..],
            "cluster_log_retention_in_days",
            None,
            "cluster_name",
        ),
        18..=20 => (
            "cluster_enabled_log_types",
            DEFAULT_TYPES,
            "cloudwatch_log_group_retention_in_days",
            Some("create_cloudwatch_log_group"),
            "cluster_name",
        ),
        21 => (
            "enabled_log_types",
            DEFAULT_TYPES,
            "cloudwatch_log_group_retention_in_days",
            Some("create_cloudwatch_log_group"),
            "name",
        ),
        _ => return None,
    };
    Some(Inputs {
        major,
        log_types,
        default_log_types,
        retention,
        default_retention: 90,
        create_log_group,
        cluster_name,
    })
}

/// Whether a module `source` is this module (the registry address, or its repository).
pub fn is_eks_module(source: &str) -> bool {
    let s = source.trim().to_ascii_lowercase();
    s.trim_start_matches("registry.terraform.io/")
        .trim_start_matches("registry.opentofu.org/")
        == "terraform-aws-modules/eks/aws"
        || s.contains("github.com/terraform-aws-modules/terraform-aws-eks")
}

/// The one major version a `version` constraint (or a git source's `?ref=vX.Y.Z`) allows.
pub fn pinned_major(constraint: &str) -> Option<u32> {
    if let Some((_, tag)) = constraint.split_once("?ref=") {
        return exact_major(tag.trim_start_matches('v'));
    }
    let mut lower = None;
    let mut upper = None;
    for term in constraint.split(',').map(str::trim) {
        let (op, v) = split_op(term);
        let parts: Vec<u32> = v
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        let major = *parts.first()?;
        match op {
            "" | "=" => return exact_major(v),
            // `~> 20.1` allows 20.x; `~> 20.1.3` allows 20.1.x; `~> 20` allows anything ≥ 20.
            "~>" if parts.len() >= 2 => return Some(major),
            ">=" => lower = Some(major),
            ">" => lower = Some(major),
            "<" if parts.iter().skip(1).all(|&p| p == 0) => upper = Some(major.checked_sub(1)?),
            "<" | "<=" => upper = Some(major),
            _ => return None,
        }
    }
    match (lower, upper) {
        (Some(l), Some(u)) if l == u => Some(l),
        _ => None,
    }
}

fn split_op(term: &str) -> (&str, &str) {
    for op in ["~>", ">=", "<=", "!=", "=", ">", "<"] {
        if let Some(rest) = term.strip_prefix(op) {
            return (op, rest.trim().trim_start_matches('v'));
        }
    }
    ("", term.trim_start_matches('v'))
}

fn exact_major(v: &str) -> Option<u32> {
    let mut parts = v.split('.');
    let major = parts.next()?.parse().ok()?;
    parts
        .all(|p| p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty())
        .then_some(major)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_that_pin_one_major() {
        assert_eq!(pinned_major("~> 20.0"), Some(20));
        assert_eq!(pinned_major("~> 19.21.0"), Some(19));
        assert_eq!(pinned_major("20.8.4"), Some(20));
        assert_eq!(pinned_major("= 17.24.0"), Some(17));
        assert_eq!(pinned_major(">= 20.0, < 21.0"), Some(20));
        assert_eq!(pinned_major(">= 18"), None);
        assert_eq!(pinned_major("~> 20"), None);
        assert_eq!(pinned_major(">= 19.0, < 21.0"), None);
        assert_eq!(
            pinned_major(
                "git::https://github.com/terraform-aws-modules/terraform-aws-eks.git?ref=v18.31.2"
            ),
            Some(18)
        );
    }

    #[test]
    fn defaults_by_major() {
        assert_eq!(inputs(17).unwrap().default_log_types, &[] as &[&str]);
        assert_eq!(inputs(20).unwrap().log_types, "cluster_enabled_log_types");
        assert_eq!(inputs(21).unwrap().log_types, "enabled_log_types");
        assert!(inputs(11).is_none() && inputs(22).is_none());
        assert!(is_eks_module("terraform-aws-modules/eks/aws"));
        assert!(!is_eks_module("terraform-aws-modules/vpc/aws"));
    }
}
