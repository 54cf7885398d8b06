//! Bytes → findings → every output format: the whole pipeline as `auditlint check` runs it,
//! on up to eight files at once (so the cross-file rules see what broken files leave).
#![no_main]

use auditlint::config::Config;
use auditlint::discover;
use auditlint::engine::{self, Text};
use auditlint::output;
use libfuzzer_sys::fuzz_target;

/// Splits the input into files, so one input can exercise cross-file rules.
const FILE_SEPARATOR: &[u8] = b"\n#%%file%%\n";

fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut rest = data;
    while parts.len() < 7 {
        match rest
            .windows(FILE_SEPARATOR.len())
            .position(|w| w == FILE_SEPARATOR)
        {
            Some(at) => {
                parts.push(&rest[..at]);
                rest = &rest[at + FILE_SEPARATOR.len()..];
            }
            None => break,
        }
    }
    parts.push(rest);
    parts
}

fuzz_target!(|data: &[u8]| {
    let config = Config::new();
    let texts: Vec<Text> = split(data)
        .into_iter()
        .enumerate()
        .filter_map(|(i, bytes)| {
            let text = discover::decode(bytes.to_vec(), config.max_file_size).ok()?;
            Some(Text {
                display: format!("file{i}.yaml"),
                text,
                abs_path: None,
            })
        })
        .collect();
    let report = engine::scan_texts(texts, &config);
    let json = output::json::render(&report);
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
    let _ = output::human::render(&report, true, 80, false);
    let _ = output::human::render(&report, false, 40, true);
    // The rules that fired, not the whole pack: its help is the same for every input.
    let fired: Vec<_> = auditlint::catalog::all()
        .iter()
        .filter(|r| report.findings.iter().any(|f| f.rule.code == r.code))
        .cloned()
        .collect();
    let sarif = output::sarif::render_with_rules(&report, &fired);
    assert!(serde_json::from_str::<serde_json::Value>(&sarif).is_ok());
    let _ = output::github::render(&report);
    let _ = output::concise::render(&report);
    let gitlab = output::gitlab::render(&report);
    assert!(serde_json::from_str::<serde_json::Value>(&gitlab).is_ok());
    let _ = output::junit::render(&report);
    let _ = output::checkstyle::render(&report);
    let _ = output::statistics::render(&report, false);
});
