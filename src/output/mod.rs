//! One module per output format; each renders a finished [`Report`](crate::engine::Report).

pub mod checkstyle;
pub mod clusters;
pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod location;
pub mod sarif;
pub mod snippet;
pub mod statistics;
pub mod xml;

use crate::engine::Report;
use crate::finding::{Finding, Safety};

/// ` [*]` after the code of a finding `--fix` repairs (as ruff marks them); nothing otherwise.
pub fn fixable_marker(f: &Finding) -> &'static str {
    match f.fix.as_ref().map(|fix| fix.safety) {
        Some(Safety::Safe) => " [*]",
        _ => "",
    }
}

/// `[*] 3 fixable with `--fix` (1 more with `--unsafe-fixes`)`, when any active finding has a
/// fix.
pub fn fixable_summary(report: &Report) -> Option<String> {
    let count = |safety| {
        report
            .active()
            .filter(|f| f.fix.as_ref().is_some_and(|fix| fix.safety == safety))
            .count()
    };
    let (safe, unsafe_) = (count(Safety::Safe), count(Safety::Unsafe));
    match (safe, unsafe_) {
        (0, 0) => None,
        (n, 0) => Some(format!("[*] {n} fixable with `--fix`")),
        (n, m) => Some(format!(
            "[*] {n} fixable with `--fix` ({m} more with `--unsafe-fixes`)"
        )),
    }
}
