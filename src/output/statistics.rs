//! `--statistics`: how many findings each rule has, most first (like `ruff --statistics`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::RuleMeta;
use crate::engine::Report;

#[derive(Serialize)]
struct Row<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    count: usize,
}

/// One row per rule with active findings (those over the per-rule cap included), sorted by
/// count, then code; as text columns or a JSON list.
pub fn render(report: &Report, json: bool) -> String {
    let mut counts: BTreeMap<&str, (&RuleMeta, &'static str, usize)> = BTreeMap::new();
    for f in report.active() {
        let row = counts
            .entry(f.code())
            .or_insert((f.rule, f.severity.as_str(), 0));
        row.2 += f.count();
    }
    let mut rows: Vec<Row> = counts
        .into_iter()
        .map(|(code, (rule, severity, count))| Row {
            code,
            name: rule.name,
            severity,
            count,
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    if json {
        return serde_json::to_string_pretty(&rows).expect("serialisable") + "\n";
    }
    let width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    let name_width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
    rows.iter()
        .map(|r| {
            format!(
                "{:>width$}  {}  {:<name_width$}  {}\n",
                r.count, r.code, r.name, r.severity
            )
        })
        .collect()
}
