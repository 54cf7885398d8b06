//! The command line. Exit status: 0 no finding reaches `--fail-on`, 1 one does, 2 the scan
//! could not be done (bad arguments, no input, unreadable named input).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::engine::{self, Report};
use crate::finding::Severity;
use crate::output;
use crate::rules::pack;

#[derive(Parser, Debug)]
#[command(
    name = "auditlint",
    version,
    about = "Lints Kubernetes audit logging and log collection configuration before it is deployed",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process: the size of the `check` variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan files and directories (or `-` for standard input) and report findings.
    Check(CheckArgs),
    /// List the rules.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Print the documentation of one rule (by code or name).
    Explain {
        /// `AL103` or `audit-log-maxage`.
        rule: String,
    },
    /// Write a commented starter `.auditlint.yaml`.
    Init {
        /// Where to write it.
        #[arg(default_value = ".auditlint.yaml")]
        path: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script (`auditlint completions bash > /etc/bash_completion.d/auditlint`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Explain what an audit Policy logs: one request, or every probe request.
    Policy {
        #[command(subcommand)]
        command: crate::policy_cmd::PolicyCommand,
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
        color: ColorChoice,
    },
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files, directories, or `-` for standard input (default: `.`, unless `--helm-chart`).
    pub paths: Vec<PathBuf>,

    #[arg(long, short, value_enum, default_value_t = Format::Human, env = "AUDITLINT_FORMAT")]
    pub format: Format,

    /// The lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning, env = "AUDITLINT_FAIL_ON")]
    pub fail_on: FailOn,

    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Resolve absolute host paths (policy file, seccomp profiles) under this directory:
    /// `--host-root /` when scanning a control-plane node.
    #[arg(long, value_name = "DIR")]
    pub host_root: Option<PathBuf>,

    /// The Kubernetes version the cluster runs (`1.30`), overriding `kubernetes-version` in
    /// `.auditlint.yaml`: version-dependent rules (control-plane taints, `group: "*"` in
    /// audit policies) follow it.
    #[arg(long, value_name = "MAJOR.MINOR", value_parser = crate::policy_cmd::parse_version)]
    pub kubernetes_version: Option<(u32, u32)>,

    /// Only run these rules (codes or names, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,

    /// Never run these rules (codes or names, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    /// Files larger than this many bytes are reported, not parsed.
    #[arg(long, value_name = "BYTES", default_value_t = 32 * 1024 * 1024)]
    pub max_file_size: u64,

    /// Show at most this many findings of one rule in one file, then one saying how many
    /// more there are (default 100, or `max-findings-per-rule` in `.auditlint.yaml`; 0: all).
    #[arg(long, value_name = "N")]
    pub max_findings_per_rule: Option<usize>,

    /// Print only the summary line (human format).
    #[arg(long, short)]
    pub quiet: bool,

    /// Read settings from this file instead of the `.auditlint.yaml` found from the scanned
    /// directory upward.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore any `.auditlint.yaml`.
    #[arg(long)]
    pub no_config: bool,

    /// Report findings recorded in this baseline file as suppressed: only new ones count.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the current findings in this baseline file and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// Render this Helm chart with `helm template` (Helm must be on PATH) and scan the output.
    #[arg(long, value_name = "DIR")]
    pub helm_chart: Option<PathBuf>,

    /// A values file for `--helm-chart` (passed as `helm template -f FILE`; repeatable).
    #[arg(long, value_name = "FILE", requires = "helm_chart")]
    pub values: Vec<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// `path:line:col: CODE [severity] message`, one per line.
    Concise,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::Never => None,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// `--color`, then `NO_COLOR`/`FORCE_COLOR`, then whether stdout is a terminal.
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                    false
                } else if std::env::var_os("FORCE_COLOR").is_some_and(|v| !v.is_empty() && v != "0")
                {
                    true
                } else {
                    std::io::stdout().is_terminal()
                }
            }
        }
    }

    /// As [`ColorChoice::enabled`], for text written to standard error.
    pub fn enabled_stderr(self) -> bool {
        match self {
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stderr().is_terminal()
            }
            other => other.enabled(),
        }
    }
}

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Policy { command, color } => {
            use crate::policy_cmd::{self, PolicyCommand};
            let result = match &command {
                PolicyCommand::Explain(args) => policy_cmd::explain(args, color.enabled()),
                PolicyCommand::Matrix(args) => policy_cmd::matrix(args, color.enabled()),
            };
            match result {
                Ok(text) => {
                    print(&text);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
        Command::Check(args) => check(args),
        Command::Rules { format } => {
            print(&crate::docs::rule_list(format == ListFormat::Json));
            ExitCode::SUCCESS
        }
        Command::Explain { rule } => match pack::find(&rule) {
            Some(meta) => {
                print(&crate::docs::explain(meta));
                ExitCode::SUCCESS
            }
            None => fail(&format!(
                "no rule named `{rule}`; `auditlint rules` lists them"
            )),
        },
        Command::Init { path, force } => match crate::config::starter::write(&path, force) {
            Ok(()) => {
                eprintln!("auditlint: wrote {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "auditlint",
                &mut out,
            );
            print(&String::from_utf8_lossy(&out));
            ExitCode::SUCCESS
        }
    }
}

/// Resolves rule codes or names given on the command line to codes.
fn rule_codes(names: &[String]) -> Result<Vec<String>, String> {
    names
        .iter()
        .map(|n| {
            pack::find(n)
                .map(|r| r.code.clone())
                .ok_or(format!("no rule named `{n}`"))
        })
        .collect()
}

/// The configuration file's settings (named, found, or none), before the command line.
fn file_config(args: &CheckArgs) -> Result<Config, ExitCode> {
    let path = if args.no_config {
        None
    } else if let Some(path) = &args.config {
        Some(path.clone())
    } else {
        crate::config::load::find(&crate::config::load::search_start(&args.paths))
    };
    let Some(path) = path else {
        return Ok(Config::new());
    };
    crate::config::load::load(&path).map_err(|errors| {
        eprint!("{}", errors.render(args.color.enabled_stderr()));
        fail(&format!(
            "{}: {} problem{} in the configuration",
            path.display(),
            errors.errors.len(),
            if errors.errors.len() == 1 { "" } else { "s" }
        ))
    })
}

fn check(args: CheckArgs) -> ExitCode {
    let mut config = match file_config(&args) {
        Ok(config) => config,
        Err(code) => return code,
    };
    if let Some(root) = &args.host_root {
        // A mistyped root would silently resolve nothing: every host path "missing".
        if !root.is_dir() {
            return fail(&format!(
                "--host-root {}: not a directory",
                root.display()
            ));
        }
    }
    config.host_root = args.host_root.clone();
    config.max_file_size = args.max_file_size;
    if let Some(n) = args.max_findings_per_rule {
        config.max_findings_per_rule = n;
    }
    if args.kubernetes_version.is_some() {
        config.kubernetes_version = args.kubernetes_version;
    }
    match (rule_codes(&args.select), rule_codes(&args.ignore)) {
        (Ok(select), Ok(ignore)) => {
            if !select.is_empty() {
                config.select = Some(select);
            }
            config.ignore.extend(ignore);
        }
        (Err(e), _) | (_, Err(e)) => return fail(&e),
    }
    let mut paths = args.paths.clone();
    let mut rendered = Vec::new();
    if let Some(chart) = &args.helm_chart {
        match crate::helm::render(chart, &args.values) {
            Ok(text) => rendered.push(text),
            Err(e) => return fail(&e),
        }
    } else if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let mut report = match engine::scan_paths_and_texts(&paths, rendered, &config) {
        Ok(report) => report,
        Err(e) => return fail(&e.0),
    };
    if let Some(path) = &args.write_baseline {
        let baseline = crate::suppress::Baseline::of(&report.findings);
        return match baseline.write(path) {
            Ok(()) => {
                eprintln!(
                    "auditlint: recorded {} finding{} in {}",
                    baseline.findings.len(),
                    if baseline.findings.len() == 1 {
                        ""
                    } else {
                        "s"
                    },
                    path.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    }
    if let Some(path) = &args.baseline {
        match crate::suppress::Baseline::read(path) {
            Ok(baseline) => {
                baseline.apply(&mut report.findings);
            }
            Err(e) => return fail(&e),
        }
    }
    let color = args.color.enabled();
    let text = match args.format {
        Format::Human => output::human::render(&report, color, terminal_width(), args.quiet),
        Format::Json => output::json::render(&report),
        Format::Sarif => output::sarif::render(&report, output::location::working_dir().as_deref()),
        Format::Github => {
            output::github::render(&report, output::location::working_dir().as_deref())
        }
        Format::Concise => {
            output::concise::render(&report, output::location::working_dir().as_deref())
        }
    };
    print(&text);
    exit_status(&report, args.fail_on)
}

pub fn exit_status(report: &Report, fail_on: FailOn) -> ExitCode {
    let failed = fail_on
        .threshold()
        .is_some_and(|t| report.active().any(|f| f.severity >= t));
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`auditlint check | head`) is not an error worth a panic.
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

fn fail(message: &str) -> ExitCode {
    eprintln!("auditlint: error: {message}");
    ExitCode::from(2)
}
