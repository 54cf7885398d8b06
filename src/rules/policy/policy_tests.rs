//! AL216: the policy tests listed under `policy-tests` in `.auditlint.yaml`. Each failed
//! expectation is a finding at its `expect`, with the request and the rule that decided it.
//! They run once per scan, not per cluster: each test file names its own policy, which is
//! read from disk (scanned or not, a file's spans are the same).

use std::path::Path;
use std::sync::Arc;

use crate::catalog::Code;
use crate::config::Config;
use crate::discover::display_path;
use crate::finding::Finding;
use crate::model::policy::{expect, Policy};
use crate::source::SourceFile;
use crate::yaml::Span;

pub fn check(config: &Config, out: &mut Vec<Finding>) {
    for path in &config.policy_tests {
        check_file(config, path, out);
    }
}

fn check_file(config: &Config, path: &Path, out: &mut Vec<Finding>) {
    let shown = display_path(path);
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            let file = SourceFile::new(shown, "");
            out.push(
                Finding::new(Code::AL216, &file, Span::point(0))
                    .message(format!("the policy test file cannot be read: {e}"))
                    .help("fix the path under `policy-tests` in .auditlint.yaml (it is relative to that file)"),
            );
            return;
        }
    };
    let suite = expect::read(&text);
    let file = SourceFile::new(shown, text);
    for (span, why) in &suite.errors {
        out.push(
            Finding::new(Code::AL216, &file, *span)
                .message(format!("policy test not run: {why}"))
                .label("cannot be read")
                .help("see `auditlint explain AL216` for the format"),
        );
    }
    let Some((written, span)) = &suite.policy else {
        out.push(
            Finding::new(Code::AL216, &file, Span::point(0))
                .message("the policy test file names no `policy:`, so none of its tests run")
                .help("add `policy: PATH` (relative to the test file) naming the audit policy"),
        );
        return;
    };
    let target = crate::policy_cmd::test::policy_path(path, written);
    let Some((pfile, policy)) = policy_at(&target) else {
        out.push(
            Finding::new(Code::AL216, &file, *span)
                .message(format!(
                    "`{written}` holds no audit Policy, so none of the tests run"
                ))
                .label("no Policy here")
                .help("name the file that holds the audit policy, relative to the test file"),
        );
        return;
    };
    for failure in expect::run(&policy, &suite.cases, config.version()) {
        let mut finding = Finding::new(Code::AL216, &file, failure.case.span)
            .message(failure.message())
            .label("not what the policy does");
        finding = match failure.decision.rule {
            Some(i) => {
                let rule = &policy.rules[i];
                finding
                    .help(format!(
                        "rule {} decides this request; fix the policy (a rule before it, or the rule itself), or update the expectation if the change is intended",
                        rule.number()
                    ))
                    .related(&pfile, rule.anchor(), format!("rule {} decides", rule.number()))
            }
            None => finding.help(
                "no rule matches this request, so it is not logged; add a rule (or a catch-all) for it",
            ),
        };
        out.push(finding);
    }
}

/// The first Policy in `path`, with its file as findings show it.
fn policy_at(path: &Path) -> Option<(Arc<SourceFile>, Arc<Policy>)> {
    let canonical = path.canonicalize().ok();
    let (file, policy, _) = crate::policy_cmd::load(path).ok()?;
    let file = SourceFile::on_disk(display_path(path), file.text.clone(), canonical);
    Some((file, Arc::new(policy)))
}
