//! Line-independent fingerprints of findings, shared by SARIF `partialFingerprints` and
//! baselines: a finding keeps its fingerprint when unrelated edits move it to another line.
//!
//! The fingerprint hashes the rule, the file, the Helm template, the message and the source
//! text under the finding's span with whitespace collapsed, never a line or column. Findings
//! that would hash alike (the same mistake twice in one file) are told apart by their order.

use std::collections::HashMap;

use crate::finding::Finding;

/// The fingerprints of `findings`, in the same order. Stable across runs, platforms and
/// releases (FNV-1a, not `std`'s randomised hasher).
pub fn fingerprints(findings: &[Finding]) -> Vec<String> {
    let mut seen: HashMap<u64, u32> = HashMap::new();
    findings
        .iter()
        .map(|f| {
            let base = base_hash(f);
            let n = seen.entry(base).or_insert(0);
            let occurrence = *n;
            *n += 1;
            format!("{base:016x}:{occurrence}")
        })
        .collect()
}

fn base_hash(f: &Finding) -> u64 {
    let snippet: Vec<&str> = f.file.slice(f.span).split_whitespace().collect();
    let mut h = Fnv::default();
    for part in [
        f.code(),
        &f.file.path,
        f.template.as_deref().unwrap_or(""),
        &f.message,
        &snippet.join(" "),
    ] {
        h.write(part.as_bytes());
        h.write(&[0]);
    }
    h.0
}

struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Code;
    use crate::source::SourceFile;
    use crate::yaml::Span;

    fn finding_at(text: &str, needle: &str) -> Finding {
        let file = SourceFile::new("a.yaml", text.to_owned());
        let start = text.find(needle).unwrap();
        Finding::new(Code::AL001, &file, Span::new(start, start + needle.len())).message("m")
    }

    #[test]
    fn moving_a_finding_to_another_line_keeps_its_fingerprint() {
        let before = finding_at("a: 1\nbad: value\n", "bad: value");
        let after = finding_at("# new\nx: 2\na: 1\nbad:   value\n", "bad:   value");
        assert_eq!(fingerprints(&[before]), fingerprints(&[after]));
    }

    #[test]
    fn different_text_or_rule_changes_the_fingerprint() {
        let a = finding_at("bad: value\n", "bad: value");
        let b = finding_at("bad: other\n", "bad: other");
        assert_ne!(fingerprints(std::slice::from_ref(&a)), fingerprints(&[b]));
        let mut c = a.clone();
        c.rule = Code::AL002.meta();
        assert_ne!(fingerprints(&[a]), fingerprints(&[c]));
    }

    #[test]
    fn identical_findings_are_numbered() {
        let a = finding_at("bad: value\n", "bad: value");
        let fps = fingerprints(&[a.clone(), a]);
        assert_ne!(fps[0], fps[1]);
        assert!(fps[0].ends_with(":0") && fps[1].ends_with(":1"));
    }
}
