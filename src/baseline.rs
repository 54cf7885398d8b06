//! Baselines: the findings a repository already has, recorded so that adopting auditlint
//! fails only on new ones. An entry matches by rule, path and a line-independent
//! fingerprint ([`crate::fingerprint`]), so edits that move a finding keep it matched.
//!
//! ```json
//! {"version": 1, "findings": [{"code": "AL103", "path": "kube-apiserver.yaml",
//!   "fingerprint": "3f2a…:0", "message": "…"}]}
//! ```

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Suppression};
use crate::fingerprint::fingerprints;

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub code: String,
    pub path: String,
    pub fingerprint: String,
    /// For people reading the file; not used to match.
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

impl Baseline {
    /// The baseline of `findings`: those not already suppressed some other way, sorted.
    /// `findings` must be in report order (fingerprints number repeated findings by order).
    pub fn of(findings: &[Finding]) -> Baseline {
        let active: Vec<Finding> = findings
            .iter()
            .filter(|f| f.suppressed.is_none())
            .cloned()
            .collect();
        let mut entries: Vec<Entry> = active
            .iter()
            .zip(fingerprints(&active))
            .map(|(f, fingerprint)| Entry {
                code: f.code().to_owned(),
                path: f.file.path.clone(),
                fingerprint,
                message: f.message.clone(),
            })
            .collect();
        entries.sort();
        Baseline {
            version: VERSION,
            findings: entries,
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("serialisable");
        s.push('\n');
        s
    }

    pub fn from_json(text: &str) -> Result<Baseline, String> {
        let baseline: Baseline =
            serde_json::from_str(text).map_err(|e| format!("not an auditlint baseline: {e}"))?;
        if baseline.version != VERSION {
            return Err(format!(
                "baseline version {} is not supported (this auditlint reads version {VERSION})",
                baseline.version
            ));
        }
        Ok(baseline)
    }

    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("baseline {}: {e}", path.display()))?;
        Baseline::from_json(&text).map_err(|e| format!("baseline {}: {e}", path.display()))
    }

    pub fn write(&self, path: &Path) -> Result<(), String> {
        std::fs::write(path, self.to_json())
            .map_err(|e| format!("baseline {}: {e}", path.display()))
    }

    /// Marks the findings the baseline holds as suppressed (kind `baseline`); returns how
    /// many. `findings` must be in report order, as when the baseline was written.
    pub fn apply(&self, findings: &mut [Finding]) -> usize {
        let stale = self.apply_and_find_stale(findings).len();
        self.findings.len() - stale
    }

    /// As [`Baseline::apply`], returning the entries that matched no finding: fixed since
    /// the baseline was written (or not scanned this time).
    pub fn apply_and_find_stale(&self, findings: &mut [Finding]) -> Vec<Entry> {
        let known: HashMap<(&str, &str, &str), usize> = self
            .findings
            .iter()
            .enumerate()
            .map(|(n, e)| {
                (
                    (e.code.as_str(), e.path.as_str(), e.fingerprint.as_str()),
                    n,
                )
            })
            .collect();
        let active: Vec<usize> = (0..findings.len())
            .filter(|&i| findings[i].suppressed.is_none())
            .collect();
        let subset: Vec<Finding> = active.iter().map(|&i| findings[i].clone()).collect();
        let prints = fingerprints(&subset);
        let mut matched = HashSet::new();
        for (&i, fp) in active.iter().zip(&prints) {
            let f = &findings[i];
            if let Some(&entry) = known.get(&(f.code(), f.file.path.as_str(), fp.as_str())) {
                matched.insert(entry);
                findings[i].suppressed = Some(Suppression {
                    kind: "baseline",
                    reason: None,
                });
            }
        }
        self.findings
            .iter()
            .enumerate()
            .filter(|(n, _)| !matched.contains(n))
            .map(|(_, e)| e.clone())
            .collect()
    }

    /// The baseline without `stale` entries.
    pub fn without(&self, stale: &[Entry]) -> Baseline {
        Baseline {
            version: self.version,
            findings: self
                .findings
                .iter()
                .filter(|e| !stale.contains(e))
                .cloned()
                .collect(),
        }
    }
}
