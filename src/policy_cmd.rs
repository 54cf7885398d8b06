//! `auditlint policy explain` and `auditlint policy matrix`: what an audit Policy does with
//! one request, and with every probe request, using the same matcher as the rules;
//! `policy diff` and `policy test` live in their own modules.

pub mod diff;
pub mod test;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use owo_colors::OwoColorize;
use serde_json::json;

use crate::model::policy::matcher::{evaluate, Decision, Request, Resource, User};
use crate::model::policy::probes::{self, Purpose};
use crate::model::policy::{self, Level, Policy};
use crate::source::SourceFile;
use crate::yaml::{parse_all, Item};

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Show which rule decides one request, its level and omitted stages.
    Explain(ExplainArgs),
    /// Show the level and deciding rule of every probe request (AL2xx rules use these).
    Matrix(MatrixArgs),
    /// Show every class of requests two versions of a policy record differently.
    Diff(diff::DiffArgs),
    /// Check a file of expectations (request → level and omitted stages) against a policy.
    Test(test::TestArgs),
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyFormat {
    Human,
    Json,
}

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("target").required(true).args(["resource", "path"])))]
pub struct ExplainArgs {
    /// The Policy file (a Policy document, or a ConfigMap or Cluster API object holding one).
    pub policy: PathBuf,
    /// The request verb: get, list, watch, create, update, patch, delete, deletecollection;
    /// for `--path`, the lower-case HTTP method.
    #[arg(long)]
    pub verb: String,
    /// The authenticated user name. Without it the request failed authentication.
    #[arg(long)]
    pub user: Option<String>,
    /// A group of the user (repeat for several).
    #[arg(long = "group", value_name = "GROUP")]
    pub groups: Vec<String>,
    /// The resource, with an optional subresource: `secrets`, `pods/exec`.
    #[arg(long, value_name = "R[/SUB]")]
    pub resource: Option<String>,
    /// The API group of the resource (`""`, the core group, when absent).
    #[arg(long, value_name = "GROUP", default_value = "", requires = "resource")]
    pub api_group: String,
    /// The namespace (`""`: cluster-scoped or all namespaces).
    #[arg(long, default_value = "", requires = "resource")]
    pub namespace: String,
    /// The object name, when the URL has one.
    #[arg(long, default_value = "", requires = "resource")]
    pub name: String,
    /// A non-resource URL path such as `/healthz`.
    #[arg(long, value_name = "URL")]
    pub path: Option<String>,
    #[arg(long, value_enum, default_value_t = PolicyFormat::Human)]
    pub format: PolicyFormat,
    /// The Kubernetes version the policy runs on (`1.35`); version-dependent matching
    /// (`group: "*"` since 1.36) follows it. Default: the newest behaviour.
    #[arg(long, value_name = "MAJOR.MINOR", value_parser = crate::version::parse_arg)]
    pub kubernetes_version: Option<(u32, u32)>,
}

#[derive(Args, Debug)]
pub struct MatrixArgs {
    /// The Policy file.
    pub policy: PathBuf,
    #[arg(long, value_enum, default_value_t = PolicyFormat::Human)]
    pub format: PolicyFormat,
    /// As for `policy explain`.
    #[arg(long, value_name = "MAJOR.MINOR", value_parser = crate::version::parse_arg)]
    pub kubernetes_version: Option<(u32, u32)>,
}

/// The first Policy in `path`, and how many it holds.
pub fn load(path: &Path) -> Result<(std::sync::Arc<SourceFile>, Policy, usize), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let (file, found) = load_text(&path.display().to_string(), &text);
    let count = found.len();
    let first = found
        .into_iter()
        .next()
        .ok_or(format!("no audit Policy found in {}", path.display()))?;
    Ok((file, first, count))
}

/// Every Policy in `text` (Policy documents, and Policies held in ConfigMaps and Cluster
/// API objects), in order.
pub fn load_text(name: &str, text: &str) -> (std::sync::Arc<SourceFile>, Vec<Policy>) {
    let file = SourceFile::new(name.to_owned(), text.to_owned());
    let (items, _) = parse_all(&file.text);
    let mut found = Vec::new();
    for item in &items {
        if let Item::Document(doc) = item {
            if let Some(root) = doc.root() {
                policy::read(root, &file, |_, f| found.push(f.policy));
            }
        }
    }
    (file, found)
}

/// A request as JSON output shows it.
pub fn request_json(r: &Request) -> serde_json::Value {
    let res = r.resource.clone().unwrap_or_default();
    json!({
        "user": r.user.as_ref().map(|u| u.name.clone()),
        "groups": r.user.as_ref().map(|u| u.groups.clone()).unwrap_or_default(),
        "verb": r.verb,
        "group": res.group,
        "resource": res.resource,
        "subresource": res.subresource,
        "namespace": res.namespace,
        "name": res.name,
        "path": r.path,
    })
}

/// The request described by the command line.
pub fn request(args: &ExplainArgs) -> Request {
    let user = args.user.as_ref().map(|name| User {
        name: name.clone(),
        groups: args.groups.clone(),
    });
    match (&args.resource, &args.path) {
        (Some(r), _) => {
            let (resource, sub) = r.split_once('/').unwrap_or((r.as_str(), ""));
            Request::resource(
                user,
                &args.verb,
                Resource {
                    group: args.api_group.clone(),
                    resource: resource.to_owned(),
                    subresource: sub.to_owned(),
                    namespace: args.namespace.clone(),
                    name: args.name.clone(),
                },
            )
        }
        (None, path) => Request::non_resource(user, &args.verb, path.as_deref().unwrap_or("/")),
    }
}

pub fn explain(args: &ExplainArgs, color: bool) -> Result<String, String> {
    let (file, policy, count) = load(&args.policy)?;
    let request = request(args);
    let decision = evaluate(&policy, &request, args.kubernetes_version);
    let stages: Vec<&str> = decision.omit_stages.iter().map(|s| s.as_str()).collect();
    if args.format == PolicyFormat::Json {
        let rule_line = decision
            .rule
            .map(|i| file.position(policy.rules[i].span.start).line);
        let out = json!({
            "level": decision.level.as_str(),
            "rule_index": decision.rule,
            "rule_line": rule_line,
            "omit_stages": stages,
        });
        return Ok(format!("{out}\n"));
    }
    let mut out = String::new();
    let _ = writeln!(out, "request: {}", request.describe());
    let level = paint(decision.level, decision.level.as_str(), color);
    match decision.rule {
        Some(i) => {
            let rule = &policy.rules[i];
            let _ = writeln!(
                out,
                "level:   {level} (rule {} of {})",
                rule.number(),
                policy.rules.len()
            );
            let _ = writeln!(
                out,
                "omitted stages: {}",
                if stages.is_empty() {
                    "none".to_owned()
                } else {
                    stages.join(", ")
                }
            );
            if decision.effective_level() == Level::None && decision.level > Level::None {
                let _ = writeln!(out, "every stage is omitted: nothing is logged");
            }
            let _ = writeln!(out, "\n{}:", file.path);
            out.push_str(&snippet(&file, rule.extent()));
        }
        None => {
            let _ = writeln!(
                out,
                "level:   {level} (no rule matches; a request no rule matches is not logged)"
            );
        }
    }
    if count > 1 {
        let _ = writeln!(
            out,
            "\n(the file holds {count} policies; this is the first)"
        );
    }
    Ok(out)
}

/// The lines of `span`, numbered.
fn snippet(file: &SourceFile, span: crate::yaml::Span) -> String {
    let first = file.position(span.start).line;
    let end = file.text.get(..span.end).unwrap_or("").trim_end().len();
    let last = file.position(end.max(span.start)).line;
    let width = last.to_string().len();
    let mut out = String::new();
    for line in first..=last {
        let text = file.line_text(line - 1).trim_end();
        let _ = writeln!(out, "{line:>width$} | {text}");
    }
    out
}

fn paint(level: Level, text: &str, color: bool) -> String {
    if !color {
        return text.to_owned();
    }
    match level {
        Level::None => text.dimmed().to_string(),
        Level::Metadata => text.green().to_string(),
        Level::Request => text.yellow().to_string(),
        Level::RequestResponse => text.magenta().to_string(),
    }
}

/// Whether a probe's outcome is what the AL2xx rules expect.
fn acceptable(purpose: Purpose, d: &Decision) -> bool {
    match purpose {
        Purpose::MustLog => d.effective_level() >= Level::Metadata,
        Purpose::Sensitive { leak } => d.effective_level() < leak,
    }
}

pub fn matrix(args: &MatrixArgs, color: bool) -> Result<String, String> {
    let (_file, policy, _) = load(&args.policy)?;
    let probes = probes::all(&[]);
    let results: Vec<(probes::Probe, Decision)> = probes
        .into_iter()
        .map(|p| {
            let d = evaluate(&policy, &p.request, args.kubernetes_version);
            (p, d)
        })
        .collect();
    if args.format == PolicyFormat::Json {
        let rows: Vec<_> = results
            .iter()
            .map(|(p, d)| {
                let r = p.request.resource.clone().unwrap_or_default();
                json!({
                    "verb": p.request.verb,
                    "group": r.group,
                    "resource": r.resource,
                    "subresource": r.subresource,
                    "namespace": r.namespace,
                    "name": r.name,
                    "user": p.request.user.as_ref().map(|u| u.name.clone()),
                    "purpose": match p.purpose { Purpose::MustLog => "must-log", Purpose::Sensitive { .. } => "sensitive" },
                    "level": d.level.as_str(),
                    "rule_index": d.rule,
                    "omit_stages": d.omit_stages.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                    "ok": acceptable(p.purpose, d),
                })
            })
            .collect();
        return Ok(format!("{}\n", serde_json::Value::Array(rows)));
    }
    Ok(render_matrix(&results, color))
}

/// One line of the matrix: a resource, the namespaces and verbs with the same outcome for
/// every identity, and that outcome (cell text, acceptable) per identity.
#[derive(PartialEq)]
struct Row {
    sensitive: bool,
    what: String,
    namespaces: Vec<String>,
    verbs: Vec<String>,
    cells: Vec<(String, bool)>,
}

/// One line per resource, namespace and set of verbs with the same outcome for every
/// identity; one column per identity.
fn render_matrix(results: &[(probes::Probe, Decision)], color: bool) -> String {
    let identities = probes::identities();
    // First one row per (resource, namespace, verb), one cell per identity …
    let mut rows: Vec<Row> = Vec::new();
    for (p, d) in results {
        let Some(r) = &p.request.resource else {
            continue;
        };
        let mut what = r.resource.clone();
        if !r.subresource.is_empty() {
            what = format!("{what}/{}", r.subresource);
        }
        if !r.group.is_empty() {
            what = format!("{what}.{}", r.group);
        }
        let ns = if r.namespace.is_empty() {
            "(all)".to_owned()
        } else {
            r.namespace.clone()
        };
        let sensitive = matches!(p.purpose, Purpose::Sensitive { .. });
        let cell = match d.rule {
            Some(i) => format!("{} #{}", d.effective_level().as_str(), i + 1),
            None => "None (no rule)".to_owned(),
        };
        let cell = (cell, acceptable(p.purpose, d));
        let verbs = vec![p.request.verb.clone()];
        let namespaces = vec![ns];
        match rows.iter_mut().find(|x| {
            x.sensitive == sensitive
                && x.what == what
                && x.namespaces == namespaces
                && x.verbs == verbs
        }) {
            Some(row) => row.cells.push(cell),
            None => rows.push(Row {
                sensitive,
                what,
                namespaces,
                verbs,
                cells: vec![cell],
            }),
        }
    }
    // … then verbs, then namespaces, with the same outcome share a line.
    let mut by_verbs: Vec<Row> = Vec::new();
    for row in rows {
        match by_verbs.iter_mut().find(|x| {
            x.sensitive == row.sensitive
                && x.what == row.what
                && x.namespaces == row.namespaces
                && x.cells == row.cells
        }) {
            Some(x) => x.verbs.extend(row.verbs),
            None => by_verbs.push(row),
        }
    }
    let mut merged: Vec<Row> = Vec::new();
    for row in by_verbs {
        match merged.iter_mut().find(|x| {
            x.sensitive == row.sensitive
                && x.what == row.what
                && x.verbs == row.verbs
                && x.cells == row.cells
        }) {
            Some(x) => x.namespaces.extend(row.namespaces),
            None => merged.push(row),
        }
    }
    let rows = merged;
    let headers: Vec<String> = identities.iter().map(|u| u.name.clone()).collect();
    let first_col: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {}", abbreviate(&r.verbs), r.what))
        .collect();
    let ns_col: Vec<String> = rows.iter().map(|r| r.namespaces.join(",")).collect();
    let w0 = first_col
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max("REQUEST".len());
    let w1 = ns_col
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max("NAMESPACE".len());
    let wc: Vec<usize> = (0..headers.len())
        .map(|i| {
            rows.iter()
                .map(|r| r.cells.get(i).map_or(0, |(c, _)| c.len() + 2))
                .max()
                .unwrap_or(0)
                .max(headers[i].len())
        })
        .collect();
    let mut out = String::new();
    let mut section = None;
    for (i, row) in rows.iter().enumerate() {
        if section != Some(row.sensitive) {
            section = Some(row.sensitive);
            let title = if row.sensitive {
                "Sensitive requests (must not be logged with a body)"
            } else {
                "Must-log requests (at least Metadata)"
            };
            if !out.is_empty() {
                out.push('\n');
            }
            let _ = writeln!(out, "{title}");
            let mut head = format!("  {:<w0$}  {:<w1$}", "REQUEST", "NAMESPACE");
            for (h, w) in headers.iter().zip(&wc) {
                let _ = write!(head, "  {h:<w$}");
            }
            let _ = writeln!(out, "{}", head.trim_end());
        }
        let mut line = format!("  {:<w0$}  {:<w1$}", first_col[i], ns_col[i]);
        for ((text, ok), w) in row.cells.iter().zip(&wc) {
            let mark = if *ok {
                format!("{text}  ")
            } else {
                format!("{text} ✗")
            };
            let padded = format!("{mark:<w$}");
            let shown = if !color {
                padded
            } else if !ok {
                padded.red().bold().to_string()
            } else {
                let level = text
                    .split(' ')
                    .next()
                    .and_then(Level::parse)
                    .unwrap_or(Level::None);
                paint(level, &padded, true)
            };
            let _ = write!(line, "  {shown}");
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let bad = results
        .iter()
        .filter(|(p, d)| !acceptable(p.purpose, d))
        .count();
    let _ = writeln!(
        out,
        "\n#N is the deciding rule (1-based); read = get,list,watch; write = create,update,patch,delete\n✗ marks {bad} of {} probe requests logged against the AL2xx expectations",
        results.len()
    );
    out
}

/// `get,list,watch` → `read`, `create,update,patch,delete` → `write`.
fn abbreviate(verbs: &[String]) -> String {
    let has = |set: &[&str]| set.iter().all(|v| verbs.iter().any(|x| x == v));
    const READ: [&str; 3] = ["get", "list", "watch"];
    const WRITE: [&str; 4] = ["create", "update", "patch", "delete"];
    let mut parts: Vec<String> = Vec::new();
    let (read, write) = (has(&READ), has(&WRITE));
    if read {
        parts.push("read".into());
    }
    if write {
        parts.push("write".into());
    }
    for v in verbs {
        let covered =
            (read && READ.contains(&v.as_str())) || (write && WRITE.contains(&v.as_str()));
        if !covered {
            parts.push(v.clone());
        }
    }
    parts.join(",")
}
