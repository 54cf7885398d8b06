//! The cap on findings per rule per file. A file that repeats one mistake a million times
//! (one key repeated, 200,000 Policies) would otherwise make a report of hundreds of
//! megabytes and hold every finding in memory; past the cap, a rule's findings in a file are
//! counted, not kept, and one finding says how many were left out.

use std::collections::HashMap;

use crate::finding::Finding;

/// The default `max-findings-per-rule`.
pub const DEFAULT_LIMIT: usize = 100;

/// Findings as they are made, at most `limit` per (file, rule); 0 means no limit.
pub struct Limiter {
    limit: usize,
    kept: Vec<Finding>,
    /// Per file path, then per code: how many were made, and the first one left out.
    counts: HashMap<String, HashMap<&'static str, (usize, Option<Finding>)>>,
}

impl Limiter {
    pub fn new(limit: usize) -> Self {
        Limiter {
            limit,
            kept: Vec::new(),
            counts: HashMap::new(),
        }
    }

    pub fn push(&mut self, finding: Finding) {
        if self.limit == 0 {
            self.kept.push(finding);
            return;
        }
        // Looked up before it is inserted: a path is copied once per file, not per finding.
        let path = finding.file.path.as_str();
        if !self.counts.contains_key(path) {
            self.counts.insert(path.to_owned(), HashMap::new());
        }
        let per_code = self.counts.get_mut(path).expect("inserted above");
        let (made, first_left_out) = per_code.entry(finding.code()).or_insert((0, None));
        *made += 1;
        if *made <= self.limit {
            self.kept.push(finding);
        } else if first_left_out.is_none() {
            *first_left_out = Some(finding);
        }
    }

    /// How many findings are kept so far.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The findings kept since there were `from` (what one rule just reported).
    pub fn kept_since(&self, from: usize) -> &[Finding] {
        self.kept.get(from..).unwrap_or(&[])
    }

    pub fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) {
        findings.into_iter().for_each(|f| self.push(f));
    }

    /// What [`Limiter::finish`] gives, leaving the limiter empty.
    pub fn take(&mut self) -> Vec<Finding> {
        std::mem::replace(self, Limiter::new(self.limit)).finish()
    }

    /// The findings kept, then one per (file, rule) over the cap, at the first finding left
    /// out, saying how many were.
    pub fn finish(self) -> Vec<Finding> {
        let Limiter {
            limit,
            mut kept,
            counts,
        } = self;
        let mut over: Vec<_> = counts
            .into_values()
            .flat_map(HashMap::into_values)
            .filter_map(|(made, first)| first.map(|f| (made - limit, f)))
            .collect();
        over.sort_by_cached_key(|(_, f)| f.sort_key());
        for (omitted, first) in over {
            kept.push(omitted_finding(first, omitted, limit));
        }
        kept
    }
}

/// The finding that stands for `omitted` findings like `first` that are not shown.
fn omitted_finding(first: Finding, omitted: usize, limit: usize) -> Finding {
    let code = first.code();
    let name = &first.rule.name;
    let s = if omitted == 1 { "" } else { "s" };
    Finding {
        message: format!(
            "{omitted} more {code} ({name}) finding{s} in this file, from here on, are not shown: only the first {limit} of a rule in a file are"
        ),
        label: Some(format!("{omitted} more like this")),
        help: Some(
            "fix the ones shown and scan again, or raise the cap with `--max-findings-per-rule` (or `max-findings-per-rule:` in .auditlint.yaml; 0 shows all)".to_owned(),
        ),
        related: Vec::new(),
        omitted,
        ..first
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml::Span;

    fn findings(path: &str, code: &str, n: usize) -> Vec<Finding> {
        let file = SourceFile::new(path, "a: 1\n".repeat(n.max(1)));
        (0..n)
            .map(|i| {
                Finding::new(
                    crate::catalog::Code::parse(code).unwrap(),
                    &file,
                    Span::point(i * 5),
                )
            })
            .collect()
    }

    #[test]
    fn past_the_cap_one_finding_counts_the_rest() {
        let mut limiter = Limiter::new(3);
        limiter.extend(findings("a.yaml", "AL002", 10));
        limiter.extend(findings("b.yaml", "AL002", 2));
        limiter.extend(findings("a.yaml", "AL001", 3));
        let out = limiter.finish();
        assert_eq!(out.len(), 3 + 2 + 3 + 1);
        let summary = out.last().unwrap();
        assert_eq!(
            (summary.code(), summary.file.path.as_str(), summary.omitted),
            ("AL002", "a.yaml", 7)
        );
        assert!(
            summary.message.starts_with("7 more AL002"),
            "{}",
            summary.message
        );
        // It stands where the first finding left out was: the fourth line.
        assert_eq!(summary.file.position(summary.span.start).line, 4);
        assert_eq!(out.iter().filter(|f| f.omitted > 0).count(), 1);
    }

    #[test]
    fn zero_means_no_cap() {
        let mut limiter = Limiter::new(0);
        limiter.extend(findings("a.yaml", "AL002", 500));
        let out = limiter.finish();
        assert_eq!(out.len(), 500);
        assert!(out.iter().all(|f| f.omitted == 0));
    }
}
