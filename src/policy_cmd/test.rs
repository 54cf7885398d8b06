//! `auditlint policy test FILE [POLICY]`: checks a file of expectations against a policy.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use super::{load, request_json, PolicyFormat};
use crate::model::policy::expect;

#[derive(Args, Debug)]
pub struct TestArgs {
    /// The test file (`tests:` with `request` and `expect`; see `auditlint explain AL216`).
    pub file: PathBuf,
    /// The policy file; default: the test file's `policy:` (relative to the test file).
    pub policy: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = PolicyFormat::Human)]
    pub format: PolicyFormat,
    /// As for `policy explain`.
    #[arg(long, value_name = "MAJOR.MINOR", value_parser = crate::version::parse_arg)]
    pub kubernetes_version: Option<(u32, u32)>,
}

/// The policy a test file names: `policy:` relative to the test file.
pub fn policy_path(test_file: &Path, written: &str) -> PathBuf {
    test_file.parent().unwrap_or(Path::new("")).join(written)
}

/// The report, and whether an expectation failed.
pub fn run(args: &TestArgs) -> Result<(String, bool), String> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let suite = expect::read(&text);
    let file = crate::source::SourceFile::new(args.file.display().to_string(), text);
    if let Some((span, why)) = suite.errors.first() {
        let at = file.position(span.start);
        return Err(format!("{}:{}:{}: {why}", file.path, at.line, at.column));
    }
    let policy_file = match (&args.policy, &suite.policy) {
        (Some(p), _) => p.clone(),
        (None, Some((written, _))) => policy_path(&args.file, written),
        (None, None) => {
            return Err(format!(
                "{} names no `policy:`; give the policy file after the test file",
                args.file.display()
            ))
        }
    };
    let (pfile, policy, _) = load(&policy_file)?;
    let failures = expect::run(&policy, &suite.cases, args.kubernetes_version);
    if args.format == PolicyFormat::Json {
        let rows: Vec<_> = failures
            .iter()
            .map(|f| {
                json!({
                    "name": f.case.name,
                    "line": file.position(f.case.span.start).line,
                    "request": request_json(&f.case.request),
                    "expected_level": f.case.level.as_str(),
                    "level": f.decision.level.as_str(),
                    "rule_index": f.decision.rule,
                    "omit_stages": f.decision.omit_stages.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                })
            })
            .collect();
        let out = json!({"tests": suite.cases.len(), "failed": rows});
        return Ok((format!("{out}\n"), !failures.is_empty()));
    }
    let mut out = String::new();
    for f in &failures {
        let at = file.position(f.case.span.start);
        let _ = writeln!(
            out,
            "FAIL {}:{}:{}: {}",
            file.path,
            at.line,
            at.column,
            f.message()
        );
        if let Some(i) = f.decision.rule {
            let line = pfile.position(policy.rules[i].span.start).line;
            let _ = writeln!(out, "     rule {} is at {}:{line}", i + 1, pfile.path);
        }
    }
    let _ = writeln!(
        out,
        "{} of {} policy tests passed ({})",
        suite.cases.len() - failures.len(),
        suite.cases.len(),
        pfile.path
    );
    Ok((out, !failures.is_empty()))
}
