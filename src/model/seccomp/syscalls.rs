//! The system call names some Linux architecture knows (`rules/syscalls.txt`, from
//! libseccomp's table), and the nearest known name for a misspelt one.

use std::collections::HashSet;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../../rules/syscalls.txt");

fn names() -> &'static HashSet<&'static str> {
    static NAMES: OnceLock<HashSet<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        TABLE
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Whether some architecture has a system call of this name.
pub fn is_known(name: &str) -> bool {
    names().contains(name)
}

/// The known name closest to `name`, when one is close enough to be a likely typo.
pub fn nearest(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if lower != name && is_known(&lower) {
        return names().get(lower.as_str()).copied();
    }
    let mut best: Option<(f64, &'static str)> = None;
    for &candidate in names() {
        let score = strsim::jaro_winkler(&lower, candidate);
        // Ties go to the alphabetically first name so the suggestion is stable.
        let better = match best {
            None => true,
            Some((s, c)) => score > s || (score == s && candidate < c),
        };
        if better {
            best = Some((score, candidate));
        }
    }
    best.filter(|&(score, _)| score >= 0.85).map(|(_, c)| c)
}

/// How many names the table holds.
pub fn count() -> usize {
    names().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_names_of_every_architecture() {
        for name in [
            "read",
            "openat2",
            "clone3",
            "_llseek",
            "socketcall",
            "arm_fadvise64_64",
            "s390_pci_mmio_read",
            "riscv_flush_icache",
            "cacheflush",
            "mseal",
        ] {
            assert!(is_known(name), "{name}");
        }
        assert!(count() > 450);
    }

    #[test]
    fn rejects_what_no_architecture_has() {
        for name in ["", "opne", "READ", "sys_read", "# Linux", "create"] {
            assert!(!is_known(name), "{name}");
        }
    }

    #[test]
    fn suggests_the_nearest_name() {
        assert_eq!(nearest("opne"), Some("open"));
        assert_eq!(nearest("READ"), Some("read"));
        assert_eq!(nearest("clone_3"), Some("clone3"));
        assert_eq!(nearest("xyzzy_frobnicate"), None);
    }
}
