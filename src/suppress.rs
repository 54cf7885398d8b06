//! Suppressions: inline ignore comments, object annotations, config path ignores, baselines.
//! A suppressed finding stays in the report, flagged with its kind and reason, and does not
//! count towards the exit status.
//!
//! Inline comments (grammar in [`comment`]): a trailing `# auditlint: ignore[...]` covers
//! findings that start on its line; one on a line of its own covers findings that start on
//! the next line with content (comment-only and blank lines are skipped, so directives can
//! be stacked); `# auditlint: ignore-file[...]` covers the whole file. An ignore that names
//! an unknown rule, is malformed, or suppresses nothing is itself reported (AL006), so stale
//! suppressions do not pile up unseen.

pub mod annotation;
pub mod comment;

use std::collections::HashMap;
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

pub use crate::baseline::Baseline;
pub use annotation::DocIgnore;

use crate::catalog::Code;
use crate::catalog::{self, suggest_rule};
use crate::config::Config;
use crate::finding::{Finding, Suppression};
use crate::source::SourceFile;
use crate::yaml::{Comment, Span};

pub const INEFFECTIVE: Code = Code::AL006;

/// Where one ignore applies.
enum Scope {
    /// Findings starting on this 0-based line (`None`: a comment with nothing after it).
    Line(Option<usize>),
    File,
    /// Findings starting inside this document.
    Document(Span),
}

/// One rule named by an inline comment or annotation.
struct Named {
    code: Code,
    span: Span,
    used: bool,
}

struct Ignore {
    file: Arc<SourceFile>,
    scope: Scope,
    kind: &'static str,
    reason: Option<String>,
    rules: Vec<Named>,
    /// The directive as written, for messages.
    what: String,
}

/// Marks suppressed findings, and adds an AL006 finding for every ignore that names an
/// unknown rule, is malformed, or suppresses nothing.
pub fn apply(
    findings: &mut Vec<Finding>,
    sources: &[(Arc<SourceFile>, Vec<Comment>)],
    annotations: &[DocIgnore],
    config: &Config,
) {
    let mut problems = Vec::new();
    let mut ignores = Vec::new();
    for (file, comments) in sources {
        for c in comments {
            inline(file, c, &mut ignores, &mut problems);
        }
    }
    for a in annotations {
        annotated(a, &mut ignores, &mut problems);
    }
    let by_path = index(&ignores);
    let path_rules = PathIgnores::new(config);
    for f in findings.iter_mut() {
        suppress(f, &mut ignores, &by_path, &path_rules);
    }
    for ignore in &ignores {
        for named in ignore.rules.iter().filter(|n| !n.used) {
            // A rule that did not run cannot have been matched; AL006 cannot be judged
            // before it is reported.
            if !config.enabled(named.code) || named.code == INEFFECTIVE {
                continue;
            }
            let place = match ignore.scope {
                Scope::Line(Some(line)) => format!("on line {}", line + 1),
                Scope::Line(None) => "after it".to_owned(),
                Scope::File => "in this file".to_owned(),
                Scope::Document(_) => "in this object".to_owned(),
            };
            problems.push(
                Finding::new(INEFFECTIVE, &ignore.file, named.span)
                    .message(format!(
                        "{} suppresses nothing: there is no {} finding {place}",
                        ignore.what, named.code
                    ))
                    .label("no finding to suppress")
                    .help(format!(
                        "remove {} from the list (the problem it hid is fixed, or it is on another line)",
                        named.code
                    )),
            );
        }
    }
    // AL006 findings can be suppressed too (`ignore[AL006]`); uses are already judged.
    for mut p in problems {
        suppress(&mut p, &mut ignores, &by_path, &path_rules);
        findings.push(p);
    }
}

fn index(ignores: &[Ignore]) -> HashMap<String, Vec<usize>> {
    let mut by_path: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, ig) in ignores.iter().enumerate() {
        by_path.entry(ig.file.path.clone()).or_default().push(i);
    }
    by_path
}

/// Suppresses `f` by the first ignore that covers it, marking every covering ignore used.
fn suppress(
    f: &mut Finding,
    ignores: &mut [Ignore],
    by_path: &HashMap<String, Vec<usize>>,
    path_rules: &PathIgnores,
) {
    if f.suppressed.is_some() {
        return;
    }
    let line = || f.file.line_index(f.span.start);
    let code = f.rule.code;
    for &i in by_path.get(&f.file.path).map(Vec::as_slice).unwrap_or(&[]) {
        let ig = &mut ignores[i];
        let covers = match ig.scope {
            Scope::Line(l) => l == Some(line()),
            Scope::File => true,
            Scope::Document(span) => span.start <= f.span.start && f.span.start <= span.end,
        };
        if !covers {
            continue;
        }
        let mut hit = false;
        for named in ig.rules.iter_mut().filter(|n| n.code == code) {
            named.used = true;
            hit = true;
        }
        if hit && f.suppressed.is_none() {
            f.suppressed = Some(Suppression {
                kind: ig.kind,
                reason: ig.reason.clone(),
            });
        }
    }
    if f.suppressed.is_none() {
        if let Some(pattern) = path_rules.matching(&f.file, code.as_str()) {
            f.suppressed = Some(Suppression {
                kind: "config",
                reason: Some(format!("per-path-ignores `{pattern}`")),
            });
        }
    }
}

/// Reads one comment; a directive becomes an [`Ignore`], a broken one an AL006 finding.
fn inline(
    file: &Arc<SourceFile>,
    c: &Comment,
    ignores: &mut Vec<Ignore>,
    problems: &mut Vec<Finding>,
) {
    let directive = match comment::parse(&c.text) {
        comment::Parsed::NotDirective => return,
        comment::Parsed::Malformed(why) => {
            problems.push(
                Finding::new(INEFFECTIVE, file, c.span)
                    .message(format!("this ignore comment is not understood and suppresses nothing: {why}"))
                    .label("malformed ignore comment")
                    .help("write `# auditlint: ignore[AL103]` (codes or names, comma-separated), optionally followed by `-- reason`"),
            );
            return;
        }
        comment::Parsed::Directive(d) => d,
    };
    // The comment text starts right after the `#`.
    let text_start = c.span.start + 1;
    let rules = directive
        .rules
        .iter()
        .filter_map(|r| {
            let span = Span::new(text_start + r.start, text_start + r.end);
            resolve(file, &r.text, span, problems)
        })
        .collect();
    let (scope, what) = match directive.scope {
        comment::Scope::File => (Scope::File, "`ignore-file[...]`"),
        // With nothing after it, it covers nothing and is reported as unused.
        comment::Scope::Line => (
            Scope::Line(target_line(file, c.span)),
            "this ignore comment",
        ),
    };
    ignores.push(Ignore {
        file: Arc::clone(file),
        scope,
        kind: "inline",
        reason: directive.reason,
        rules,
        what: what.to_owned(),
    });
}

fn annotated(a: &DocIgnore, ignores: &mut Vec<Ignore>, problems: &mut Vec<Finding>) {
    if a.rules.is_empty() {
        problems.push(
            Finding::new(INEFFECTIVE, &a.file, a.value_span)
                .message(format!(
                    "the `{}` annotation names no rule and suppresses nothing",
                    annotation::IGNORE
                ))
                .label("no rule named")
                .help(format!(
                    "name the rules to ignore: `{}: \"AL310,AL401\"`",
                    annotation::IGNORE
                )),
        );
        return;
    }
    let rules = a
        .rules
        .iter()
        .filter_map(|(text, span)| resolve(&a.file, text, *span, problems))
        .collect();
    ignores.push(Ignore {
        file: Arc::clone(&a.file),
        scope: Scope::Document(a.doc_span),
        kind: "annotation",
        reason: a.reason.clone(),
        rules,
        what: format!("the `{}` annotation", annotation::IGNORE),
    });
}

/// A rule named in an ignore, or an AL006 finding if there is no such rule.
fn resolve(
    file: &Arc<SourceFile>,
    text: &str,
    span: Span,
    problems: &mut Vec<Finding>,
) -> Option<Named> {
    if let Some(rule) = catalog::find(text) {
        return Some(Named {
            code: rule.code,
            span,
            used: false,
        });
    }
    let help = match suggest_rule(text) {
        Some(s) => format!("did you mean `{s}`? `auditlint rules` lists the rules"),
        None => "`auditlint rules` lists the rule codes and names".to_owned(),
    };
    problems.push(
        Finding::new(INEFFECTIVE, file, span)
            .message(format!(
                "`{text}` is not a rule, so this ignore suppresses nothing for it"
            ))
            .label("unknown rule")
            .help(help),
    );
    None
}

/// Own-line `# auditlint:` comments the parser did not see as comments: they sit inside a
/// block scalar holding YAML (an audit Policy in a ConfigMap), where they are comments of
/// that inner YAML, and findings in it point at those lines.
/// The engine adds them to the file's comments while the file is at hand.
pub fn embedded_comments(file: &SourceFile, comments: &[Comment]) -> Vec<Comment> {
    if !file.text.contains("auditlint") {
        return Vec::new();
    }
    let seen: std::collections::HashSet<usize> = comments.iter().map(|c| c.span.start).collect();
    let mut out = Vec::new();
    for line in 0..file.line_count() {
        let text = file.line_text(line);
        let body = text.trim_start();
        let Some(after) = body.strip_prefix('#') else {
            continue;
        };
        if !after.trim_start().starts_with("auditlint") {
            continue;
        }
        let start = file.line_start(line) + (text.len() - body.len());
        if !seen.contains(&start) {
            out.push(Comment {
                text: after.to_owned(),
                span: Span::new(start, start + body.len()),
            });
        }
    }
    out
}

/// The line a line-scoped comment covers: its own line when it trails content, otherwise
/// the next line that is neither blank, a comment, nor a `---` document marker.
fn target_line(file: &SourceFile, comment: Span) -> Option<usize> {
    let line = file.line_index(comment.start);
    let before = &file.text[file.line_start(line)..comment.start.min(file.text.len())];
    if !before.trim().is_empty() {
        return Some(line);
    }
    (line + 1..file.line_count()).find(|&l| {
        let t = file.line_text(l).trim();
        !t.is_empty() && !t.starts_with('#') && t != "---"
    })
}

/// `per-path-ignores` from the configuration, compiled once.
struct PathIgnores {
    rules: Vec<(String, Gitignore, Vec<String>)>,
    /// The configuration file's directory, which patterns are relative to.
    root: Option<std::path::PathBuf>,
}

impl PathIgnores {
    fn new(config: &Config) -> Self {
        let rules = config
            .path_ignores
            .iter()
            .filter_map(|(pattern, codes)| {
                let mut b = GitignoreBuilder::new("");
                b.add_line(None, pattern).ok()?;
                Some((pattern.clone(), b.build().ok()?, codes.clone()))
            })
            .collect();
        PathIgnores {
            rules,
            root: config.root.clone(),
        }
    }

    /// The pattern that ignores `code` in `file`, if any.
    fn matching(&self, file: &crate::source::SourceFile, code: &str) -> Option<&str> {
        if self.rules.is_empty() {
            return None;
        }
        let path =
            crate::config::relative_to(self.root.as_deref(), file.abs_path.as_deref(), &file.path);
        let path = path.as_ref();
        self.rules
            .iter()
            .find(|(_, matcher, codes)| {
                codes.iter().any(|c| c == code) && crate::scope::matches_path(matcher, path)
            })
            .map(|(p, _, _)| p.as_str())
    }
}
