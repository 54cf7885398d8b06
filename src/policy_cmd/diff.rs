//! `auditlint policy diff`: what a change to an audit Policy changes in what the cluster
//! records, class by class, for review (human, JSON, and Markdown for pull requests).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::{Args, ValueEnum};
use serde_json::{json, Value};

use super::load_text;
use crate::model::policy::diff::Outcome;
use crate::model::policy::diff::{diff, Class};
use crate::model::policy::matcher::Decision;
use crate::model::policy::{Level, Policy};

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    Human,
    Json,
    Markdown,
}

/// When `policy diff` exits with 1.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    /// Some request is recorded less than before.
    Decrease,
    /// Anything changes.
    Any,
    Never,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// OLD and NEW policy files; with `--base`, the policy files to compare with their
    /// version at that commit (default: every file changed since it that holds a Policy).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Read the old version of each file from this git revision (e.g. the merge base of a
    /// pull request).
    #[arg(long, value_name = "GITREF")]
    pub base: Option<String>,
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    #[arg(long, value_enum, default_value_t = FailOn::Decrease)]
    pub fail_on: FailOn,
    /// As for `policy explain`.
    #[arg(long, value_name = "MAJOR.MINOR", value_parser = crate::version::parse_arg)]
    pub kubernetes_version: Option<(u32, u32)>,
}

/// One compared pair: where the policies come from and what changes.
struct Pair {
    old_name: String,
    new_name: String,
    /// The 0-based position of the Policy in its file, when the file holds several.
    position: Option<usize>,
    classes: Vec<Class>,
}

/// The rendered diff, and whether `--fail-on` is triggered.
pub fn run(args: &DiffArgs) -> Result<(String, bool), String> {
    let sides = match &args.base {
        Some(base) => from_git(base, &args.files)?,
        None => match args.files.as_slice() {
            [old, new] => vec![(
                old.display().to_string(),
                read(old)?,
                new.display().to_string(),
                read(new)?,
            )],
            _ => {
                return Err(
                    "`policy diff` takes OLD and NEW files, or `--base GITREF` and files".into(),
                )
            }
        },
    };
    let mut pairs = Vec::new();
    for (old_name, old_text, new_name, new_text) in sides {
        let old = policies(&old_name, old_text.as_deref())?;
        let new = policies(&new_name, new_text.as_deref())?;
        let several = old.len().max(new.len()) > 1;
        let empty = Policy::empty();
        for i in 0..old.len().max(new.len()) {
            let (a, b) = (old.get(i).unwrap_or(&empty), new.get(i).unwrap_or(&empty));
            pairs.push(Pair {
                old_name: old_name.clone(),
                new_name: new_name.clone(),
                position: several.then_some(i),
                classes: diff(a, b, args.kubernetes_version),
            });
        }
    }
    let classes = pairs.iter().flat_map(|p| &p.classes);
    let failed = match args.fail_on {
        FailOn::Decrease => classes.clone().any(|c| c.change.loses()),
        FailOn::Any => classes.clone().next().is_some(),
        FailOn::Never => false,
    };
    let text = match args.format {
        DiffFormat::Human => human(&pairs),
        DiffFormat::Json => format!("{}\n", json_report(&pairs)),
        DiffFormat::Markdown => markdown(&pairs),
    };
    Ok((text, failed))
}

fn read(path: &Path) -> Result<Option<String>, String> {
    std::fs::read_to_string(path)
        .map(Some)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The Policies of a file's text; a missing file (added or deleted in git) holds none.
fn policies(name: &str, text: Option<&str>) -> Result<Vec<Policy>, String> {
    match text {
        None => Ok(Vec::new()),
        Some(text) => Ok(load_text(name, text).1),
    }
}

type Side = (String, Option<String>, String, Option<String>);

/// Each file beside its version at `base`. Without files, every file changed since `base`
/// that holds a Policy on either side.
fn from_git(base: &str, files: &[PathBuf]) -> Result<Vec<Side>, String> {
    // A revision is never an option: `--output=…` would make git write a file.
    if base.starts_with('-') || base.is_empty() {
        return Err(format!("`{base}` is not a git revision"));
    }
    let files: Vec<PathBuf> = if files.is_empty() {
        let listed = git(&[
            "diff",
            "--name-only",
            "--relative",
            "--no-renames",
            base,
            "--",
        ])?
        .ok_or_else(|| {
            format!("`git diff {base}` failed: is `{base}` a revision of this repository?")
        })?;
        listed.lines().map(PathBuf::from).collect()
    } else {
        files.to_vec()
    };
    let mut out = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let new = std::fs::read_to_string(&file).ok();
        let old = git(&["show", &format!("{base}:./{name}")])?;
        let holds = |t: &Option<String>| {
            t.as_deref()
                .is_some_and(|t| !load_text(&name, t).1.is_empty())
        };
        if holds(&old) || holds(&new) {
            out.push((format!("{name}@{base}"), old, name, new));
        }
    }
    Ok(out)
}

/// Runs git read-only; `Ok(None)` when it reports an error (e.g. the file is new).
fn git(args: &[&str]) -> Result<Option<String>, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    Ok(out
        .status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// `RequestResponse (rule 4)`, `None (no rule)`, with the stages no event is written for.
fn side(d: &Decision, other: &Decision, new: bool) -> String {
    let who = match d.rule {
        Some(i) if new => format!("new rule {}", i + 1),
        Some(i) => format!("rule {}", i + 1),
        None => "no rule matches".to_owned(),
    };
    let (mine, theirs) = (Outcome::of(d), Outcome::of(other));
    let mut text = format!("{} ({who})", mine.level.as_str());
    // Stages matter only when both sides record something.
    if mine.stages != theirs.stages && mine.level > Level::None && theirs.level > Level::None {
        let omitted: Vec<&str> = d.omit_stages.iter().map(|s| s.as_str()).collect();
        let _ = write!(
            text,
            " omitting {}",
            if omitted.is_empty() {
                "no stage".to_owned()
            } else {
                omitted.join(", ")
            }
        );
    }
    text
}

/// "24 requests: verbs get, create; pods/exec, pods/attach; namespaces kube-system".
fn scope(c: &Class) -> String {
    let list = |items: Vec<String>| -> String {
        const SHOWN: usize = 5;
        let more = items.len().saturating_sub(SHOWN);
        let mut s = items.into_iter().take(SHOWN).collect::<Vec<_>>().join(", ");
        if more > 0 {
            let _ = write!(s, " and {more} more");
        }
        s
    };
    let mut parts = vec![format!("verbs {}", list(c.verbs.iter().cloned().collect()))];
    parts.push(list(c.targets.iter().cloned().collect()));
    if !c.namespaces.is_empty() {
        let ns = c
            .namespaces
            .iter()
            .map(|n| {
                if n.is_empty() {
                    "(none: cluster-wide)".to_owned()
                } else {
                    n.clone()
                }
            })
            .collect();
        parts.push(format!("namespaces {}", list(ns)));
    }
    let noun = if c.requests == 1 {
        "request"
    } else {
        "requests"
    };
    format!("{} {noun} like it: {}", c.requests, parts.join("; "))
}

fn title(p: &Pair) -> String {
    let at = p
        .position
        .map(|i| format!(" (policy {} in the file)", i + 1))
        .unwrap_or_default();
    format!("{} → {}{at}", p.old_name, p.new_name)
}

fn human(pairs: &[Pair]) -> String {
    let mut out = String::new();
    for p in pairs {
        let _ = writeln!(out, "{}", title(p));
        if p.classes.is_empty() {
            let _ = writeln!(out, "  no request is recorded differently\n");
            continue;
        }
        for c in &p.classes {
            let _ = writeln!(
                out,
                "  {:<8} {}: {} → {}",
                c.change.as_str(),
                c.witness.describe(),
                side(&c.old, &c.new, false),
                side(&c.new, &c.old, true)
            );
            let _ = writeln!(out, "           {}", scope(c));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}", summary(pairs, ""));
    out
}

/// "2 classes of requests recorded differently; 1 records less than before".
fn summary(pairs: &[Pair], strong: &str) -> String {
    let (less, total) = counts(pairs);
    format!(
        "{total} class{} of requests recorded differently; {strong}{less}{strong} record{} less than before",
        if total == 1 { "" } else { "es" },
        if less == 1 { "s" } else { "" }
    )
}

fn counts(pairs: &[Pair]) -> (usize, usize) {
    let classes = || pairs.iter().flat_map(|p| &p.classes);
    (
        classes().filter(|c| c.change.loses()).count(),
        classes().count(),
    )
}

fn markdown(pairs: &[Pair]) -> String {
    let mut out = String::from("### Audit policy changes\n\n");
    if pairs.is_empty() {
        out.push_str("No audit policy changed.\n");
        return out;
    }
    for p in pairs {
        let _ = writeln!(out, "#### `{}`\n", title(p).replace('`', "'"));
        if p.classes.is_empty() {
            out.push_str("No request is recorded differently.\n\n");
            continue;
        }
        out.push_str("| Change | Request (one example) | Before | After | Requests like it |\n");
        out.push_str("|---|---|---|---|---|\n");
        for c in &p.classes {
            let change = if c.change.loses() {
                format!("**{}**", c.change.as_str())
            } else {
                c.change.as_str().to_owned()
            };
            let _ = writeln!(
                out,
                "| {change} | {} | {} | {} | {} |",
                cell(&c.witness.describe()),
                cell(&side(&c.old, &c.new, false)),
                cell(&side(&c.new, &c.old, true)),
                cell(&scope(c))
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}.", summary(pairs, "**"));
    out
}

/// Table cells cannot hold `|` or newlines.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn json_report(pairs: &[Pair]) -> Value {
    let decision = |d: &Decision| {
        json!({
            "level": d.level.as_str(),
            "rule_index": d.rule,
            "omit_stages": d.omit_stages.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        })
    };
    let files: Vec<Value> = pairs
        .iter()
        .map(|p| {
            let changes: Vec<Value> = p
                .classes
                .iter()
                .map(|c| {
                    json!({
                        "change": c.change.as_str(),
                        "witness": super::request_json(&c.witness),
                        "old": decision(&c.old),
                        "new": decision(&c.new),
                        "requests": c.requests,
                        "verbs": c.verbs,
                        "targets": c.targets,
                        "namespaces": c.namespaces,
                    })
                })
                .collect();
            json!({
                "old": p.old_name,
                "new": p.new_name,
                "policy_index": p.position,
                "changes": changes,
            })
        })
        .collect();
    let (less, total) = counts(pairs);
    json!({ "files": files, "classes": total, "decreases": less })
}
