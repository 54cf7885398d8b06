//! The command line. Exit status: 0 no finding reaches `--fail-on`, 1 one does, 2 the scan
//! could not be done (bad arguments, no input, unreadable named input).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::catalog;
use crate::config::Config;
use crate::engine::{self, Report};
use crate::finding::Severity;
use crate::output;

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
    /// Run the language server on standard input and output (for editors).
    Server,
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

    /// Output format, optionally written to a file: `--format json`, `--format
    /// sarif=results.sarif`. Repeatable: one scan, several outputs. A format without `=FILE`
    /// goes to `--output-file` or standard output (at most one; default `human`).
    #[arg(
        long,
        short,
        value_name = "FORMAT[=FILE]",
        value_parser = FormatSpecParser,
        env = "AUDITLINT_FORMAT"
    )]
    pub format: Vec<FormatSpec>,

    /// Write the output (the `--format` given without `=FILE`) to FILE, not standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Print how many findings each rule has, instead of the findings (human or json).
    #[arg(long)]
    pub statistics: bool,

    /// Print the files that would be scanned, and those skipped with the reason; scan nothing.
    #[arg(long)]
    pub show_files: bool,

    /// Hide findings below this severity: they are not shown, not counted and never fail
    /// the run (default: note, everything is shown).
    #[arg(long, value_enum, default_value_t = MinSeverity::Note)]
    pub min_severity: MinSeverity,

    /// The path to report (and to match `per-path-ignores` against) for standard input.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

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
    #[arg(long, value_name = "MAJOR.MINOR", value_parser = crate::version::parse_arg)]
    pub kubernetes_version: Option<(u32, u32)>,

    /// Only run these rules, comma-separated: codes (`AL103`), code prefixes (`AL2`), names,
    /// families (`input`, `apiserver`, `policy`, `seccomp`, `forwarding`) or tags.
    /// Replaces `select` of `.auditlint.yaml`.
    #[arg(long, value_delimiter = ',', value_name = "RULES", value_parser = SelectorParser, hide_possible_values = true)]
    pub select: Vec<String>,

    /// Add these rules to the selection (same forms as `--select`).
    #[arg(long, value_delimiter = ',', value_name = "RULES", value_parser = SelectorParser, hide_possible_values = true)]
    pub extend_select: Vec<String>,

    /// Never run these rules (same forms as `--select`); adds to `ignore` of `.auditlint.yaml`.
    #[arg(long, value_delimiter = ',', value_name = "RULES", value_parser = SelectorParser, hide_possible_values = true)]
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

    /// Print which files form each cluster, and why, instead of the findings (human or
    /// json format).
    #[arg(long)]
    pub show_clusters: bool,

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

    /// With `--baseline`: remove the entries that match no finding any more (fixed) from
    /// the baseline file.
    #[arg(long, requires = "baseline")]
    pub prune_baseline: bool,

    /// Record the current findings in this baseline file and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// Render this Helm chart with `helm template` (Helm must be on PATH) and scan the output.
    #[arg(long, value_name = "DIR")]
    pub helm_chart: Option<PathBuf>,

    /// A values file for `--helm-chart` (passed as `helm template -f FILE`; repeatable).
    #[arg(long, value_name = "FILE", requires = "helm_chart")]
    pub values: Vec<PathBuf>,

    /// Render this kustomization with `kubectl kustomize` or `kustomize build` (whichever is
    /// on PATH) and scan the output (repeatable).
    #[arg(long, value_name = "DIR")]
    pub kustomize: Vec<PathBuf>,

    /// Lint each top-level kustomization found in the scanned directories as kustomize
    /// builds it, instead of its bases and patches as loose files (`render: auto`).
    #[arg(long)]
    pub render: bool,

    /// Apply the safe fixes to the scanned files (the one case where auditlint writes to
    /// what it scans), then report what is left. Standard input: the fixed text is printed
    /// to standard output and the findings to standard error. Rendered input (`--helm-chart`,
    /// `--kustomize`) is never written.
    #[arg(long, conflicts_with_all = ["write_baseline", "show_files", "show_clusters"])]
    pub fix: bool,

    /// With `--fix` or `--diff`: apply the unsafe fixes too (they may change what is logged).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// With `--fix`: exit 1 when a file was changed, whatever is left (the `auditlint-fix`
    /// pre-commit hook: the fixes are reviewed and staged before the commit goes on).
    #[arg(long, requires = "fix")]
    pub exit_non_zero_on_fix: bool,

    /// Print the fixes as a unified diff (`patch -p0` applies it) and write nothing; exit 1
    /// when there is something to fix.
    #[arg(long, conflicts_with_all = ["write_baseline", "show_files", "show_clusters"])]
    pub diff: bool,
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
    /// GitLab Code Quality report (JSON).
    Gitlab,
    /// JUnit XML: one test case per rule and file, failed by its findings.
    Junit,
    /// Checkstyle XML.
    Checkstyle,
}

/// One `--format`: a format, and the file it goes to (standard output or `--output-file`
/// when none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatSpec {
    pub format: Format,
    pub file: Option<PathBuf>,
}

/// Parses `FORMAT[=FILE]`, and lists the formats for help and shell completions.
#[derive(Clone)]
struct FormatSpecParser;

impl clap::builder::TypedValueParser for FormatSpecParser {
    type Value = FormatSpec;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<FormatSpec, clap::Error> {
        let text = value.to_string_lossy();
        let (name, file) = match text.split_once('=') {
            Some((name, file)) => (name, Some(PathBuf::from(file))),
            None => (text.as_ref(), None),
        };
        let invalid = |message: String| {
            let mut e = clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(cmd);
            if let Some(arg) = arg {
                e.insert(
                    clap::error::ContextKind::InvalidArg,
                    clap::error::ContextValue::String(arg.to_string()),
                );
            }
            e.insert(
                clap::error::ContextKind::InvalidValue,
                clap::error::ContextValue::String(text.to_string()),
            );
            e.insert(
                clap::error::ContextKind::Suggested,
                clap::error::ContextValue::StyledStrs(vec![message.into()]),
            );
            e
        };
        let format = Format::from_str(name, true).map_err(|_| {
            let names: Vec<String> = Format::value_variants()
                .iter()
                .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_owned()))
                .collect();
            invalid(format!("formats: {}", names.join(", ")))
        })?;
        if file.as_ref().is_some_and(|f| f.as_os_str().is_empty()) {
            return Err(invalid(format!("name a file after `{name}=`")));
        }
        Ok(FormatSpec { format, file })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            Format::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

/// Accepts any word (checked against the rule pack later, with a suggestion) and offers the
/// rule codes, names, families and tags to shell completions.
#[derive(Clone)]
struct SelectorParser;

impl clap::builder::TypedValueParser for SelectorParser {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        Ok(value.to_string_lossy().into_owned())
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            crate::select::vocabulary()
                .into_iter()
                .map(clap::builder::PossibleValue::new),
        ))
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MinSeverity {
    Note,
    Warning,
    Error,
}

impl MinSeverity {
    fn severity(self) -> Severity {
        match self {
            MinSeverity::Note => Severity::Note,
            MinSeverity::Warning => Severity::Warning,
            MinSeverity::Error => Severity::Error,
        }
    }
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
            // (text, whether the command found what it exits 1 for)
            let result = match &command {
                PolicyCommand::Explain(args) => {
                    policy_cmd::explain(args, color.enabled()).map(|t| (t, false))
                }
                PolicyCommand::Matrix(args) => {
                    policy_cmd::matrix(args, color.enabled()).map(|t| (t, false))
                }
                PolicyCommand::Diff(args) => policy_cmd::diff::run(args),
                PolicyCommand::Test(args) => policy_cmd::test::run(args),
            };
            match result {
                Ok((text, failed)) => {
                    print(&text);
                    if failed {
                        ExitCode::from(1)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(e) => fail(&e),
            }
        }
        Command::Check(args) => check(args),
        Command::Server => match crate::server::run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&format!("language server: {e}")),
        },
        Command::Rules { format } => {
            print(&crate::docs::rule_list(format == ListFormat::Json));
            ExitCode::SUCCESS
        }
        Command::Explain { rule } => match catalog::find(&rule) {
            Some(meta) => {
                print(&crate::docs::explain(meta));
                ExitCode::SUCCESS
            }
            None => fail(&match crate::select::suggestion(&rule)
                .and_then(catalog::find)
                .or_else(|| {
                    catalog::find(crate::catalog::suggest(
                        &rule,
                        catalog::all().iter().map(|r| r.code.as_str()),
                    )?)
                }) {
                Some(near) => format!(
                    "no rule named `{rule}`; did you mean `{}` ({})?",
                    near.name, near.code
                ),
                None => format!("no rule named `{rule}`; `auditlint rules` lists them"),
            }),
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
            return fail(&format!("--host-root {}: not a directory", root.display()));
        }
    }
    config.host_root = args.host_root.clone();
    config.max_file_size = args.max_file_size;
    if let Some(n) = args.max_findings_per_rule {
        config.max_findings_per_rule = n;
    }
    config.version_override = args.kubernetes_version;
    if let Err(e) = apply_selection(&args, &mut config) {
        return fail(&e);
    }
    config.render |= args.render;
    let outputs = match outputs(&args) {
        Ok(outputs) => outputs,
        Err(e) => return fail(&e),
    };
    if args.show_files {
        return show_files(&args.paths, &config);
    }
    let request = crate::render::Request {
        paths: &args.paths,
        helm_chart: args.helm_chart.as_deref(),
        values: &args.values,
        kustomize: &args.kustomize,
    };
    let mut inputs = match crate::render::gather(&request, &config) {
        Ok(inputs) => inputs,
        Err(e) => return fail(&e),
    };
    if let Some(path) = &args.baseline {
        match crate::suppress::Baseline::read(path) {
            Ok(baseline) => config.baseline = Some(baseline),
            Err(e) => return fail(&e),
        }
    }
    let mut texts = Vec::new();
    let fixing = args.fix || args.diff;
    // Fixing scans again after every pass: standard input is read once, up front.
    let stdin_name = match &args.stdin_filename {
        Some(name) => Some(name.as_str()),
        None if fixing && inputs.found.inputs.contains(&crate::discover::Input::Stdin) => Some("-"),
        None => None,
    };
    if let Some(name) = stdin_name {
        match read_named_stdin(&mut inputs.found, name, config.max_file_size) {
            // Unnamed standard input stands for no file, as it does when not fixing.
            Ok(text) if args.stdin_filename.is_none() => texts.push(crate::discover::Text {
                abs_path: None,
                ..text
            }),
            Ok(text) => texts.push(text),
            Err(e) => return fail(&e),
        }
    }
    let shown = args.min_severity.severity();
    if fixing {
        inputs.found.inputs.extend(
            inputs
                .rendered
                .drain(..)
                .map(|r| crate::discover::Input::Rendered(std::sync::Arc::new(r))),
        );
    }
    let kept = fixing.then(|| (inputs.found.clone(), texts.clone()));
    let mut report =
        match engine::scan_discovered_and_texts(inputs.found, inputs.rendered, texts, &config) {
            Ok(report) => report,
            Err(e) => return fail(&e.0),
        };
    let mut fixed_stdin = None;
    let mut changed_files = false;
    if let Some((found, texts)) = kept {
        let mode = crate::autofix::Mode {
            unsafe_fixes: args.unsafe_fixes,
            min_severity: shown,
        };
        let notes = std::mem::take(&mut report.notes);
        let outcome = crate::autofix::run(&found, &texts, &config, mode, report);
        if args.diff {
            return print_diff(&outcome);
        }
        changed_files = outcome.files.iter().any(|f| f.path.is_some());
        match write_fixes(&outcome) {
            Ok(stdin) => fixed_stdin = stdin.or_else(|| texts.first().map(|t| t.text.clone())),
            Err(e) => return fail(&e),
        }
        report = outcome.report;
        report.notes = notes;
    }
    report.notes.extend(inputs.notes);
    report.findings.retain(|f| f.severity >= shown);
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
    // Baseline entries no finding matches any more (fixed since it was written).
    if let (Some(baseline), Some(path)) = (&config.baseline, &args.baseline) {
        let mut fresh = report.findings.clone();
        for f in &mut fresh {
            if f.suppressed.as_ref().is_some_and(|s| s.kind == "baseline") {
                f.suppressed = None;
            }
        }
        let stale: Vec<_> = baseline
            .apply_and_find_stale(&mut fresh)
            .into_iter()
            .filter(|e| catalog::Code::parse(&e.code).is_some_and(|c| config.enabled(c)))
            .collect();
        if let Err(e) = report_stale(baseline, &stale, path, args.prune_baseline) {
            return fail(&e);
        }
    }
    if args.show_clusters {
        print(&match args
            .format
            .iter()
            .find(|s| s.file.is_none())
            .map(|s| s.format)
        {
            Some(Format::Json) => output::clusters::json(&report),
            _ => output::clusters::human(&report),
        });
        return exit_status(&report, FailOn::Never);
    }
    if outputs
        .iter()
        .any(|o| o.format == Format::Concise && o.file.is_none())
    {
        for note in &report.notes {
            eprintln!("auditlint: note: {note}");
        }
        if let Some(line) = output::fixable_summary(&report) {
            eprintln!("{line}");
        }
    }
    // With `--fix` on standard input, standard output carries the fixed text.
    if let Some(text) = &fixed_stdin {
        print(text);
    }
    for output in &outputs {
        let to_terminal = output.file.is_none();
        // JSON goes out as it is serialised (a large repository's report would otherwise be
        // held whole in memory); standard output stays quiet about a closed pipe, as `print`.
        let streamed = output.format == Format::Json && !(args.statistics && output.primary);
        if streamed && fixed_stdin.is_none() {
            match &output.file {
                None => {
                    let _ = output::json::write(&report, std::io::stdout().lock());
                }
                Some(path) => {
                    if let Err(e) = std::fs::File::create(path)
                        .and_then(|file| output::json::write(&report, file))
                    {
                        return fail(&format!("{}: {e}", path.display()));
                    }
                }
            }
            continue;
        }
        let text = if args.statistics && output.primary {
            output::statistics::render(&report, output.format == Format::Json)
        } else {
            render(
                &report,
                output.format,
                &args,
                to_terminal && args.color.enabled(),
            )
        };
        match &output.file {
            None if fixed_stdin.is_some() => eprint!("{text}"),
            None => print(&text),
            Some(path) => {
                if let Err(e) = std::fs::write(path, text) {
                    return fail(&format!("{}: {e}", path.display()));
                }
            }
        }
    }
    let status = exit_status(&report, args.fail_on);
    let status = if changed_files && args.exit_non_zero_on_fix && report.input_errors.is_empty() {
        ExitCode::from(1)
    } else {
        status
    };
    // The process ends here: freeing every finding and the file each holds, one by one,
    // would only delay the exit (by several percent of the scan's time).
    std::mem::forget(report);
    status
}

/// `--diff`: the fixes as one unified diff on standard output, what was left out on standard
/// error; exit 1 when there is something to fix.
fn print_diff(outcome: &crate::autofix::Outcome) -> ExitCode {
    let diff: String = outcome
        .files
        .iter()
        .map(crate::autofix::unified_diff)
        .collect();
    print(&diff);
    say_what_was_not_fixed(outcome);
    let n = outcome.fixed_findings();
    eprintln!(
        "auditlint: {} fix{} would be applied to {} file{}",
        n,
        if n == 1 { "" } else { "es" },
        outcome.files.len(),
        if outcome.files.len() == 1 { "" } else { "s" }
    );
    if outcome.files.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `--fix`: writes each fixed file in place and returns the fixed standard input, if any. A
/// file that cannot be written (a symlink, a read-only directory) is said, the others are
/// still written, and the run fails.
fn write_fixes(outcome: &crate::autofix::Outcome) -> Result<Option<String>, String> {
    let mut stdin = None;
    let mut unwritten = Vec::new();
    let (mut written, mut fixes) = (0, 0);
    for file in &outcome.files {
        match &file.path {
            Some(path) => match crate::autofix::write_atomically(path, &file.fixed) {
                Ok(()) => {
                    written += 1;
                    fixes += file.fixes;
                }
                Err(e) => unwritten.push(e),
            },
            None => {
                stdin = Some(file.fixed.clone());
                written += 1;
                fixes += file.fixes;
            }
        }
    }
    say_what_was_not_fixed(outcome);
    if fixes > 0 {
        eprintln!(
            "auditlint: fixed {} finding{} in {} file{}",
            fixes,
            if fixes == 1 { "" } else { "s" },
            written,
            if written == 1 { "" } else { "s" }
        );
    }
    if unwritten.is_empty() {
        Ok(stdin)
    } else {
        Err(unwritten.join("\n"))
    }
}

fn say_what_was_not_fixed(outcome: &crate::autofix::Outcome) {
    for r in &outcome.rolled_back {
        eprintln!(
            "auditlint: rolled back the fix of {} in {} ({}): {}",
            r.code, r.path, r.message, r.why
        );
    }
    for path in &outcome.not_converged {
        eprintln!(
            "auditlint: {path}: fixes still apply after {} passes; not converged, run --fix again and report it",
            crate::autofix::MAX_PASSES
        );
    }
    for refusal in &outcome.refused {
        eprintln!("auditlint: {refusal}");
    }
}

/// Says which baseline entries match no finding any more, and removes them with
/// `--prune-baseline`.
fn report_stale(
    baseline: &crate::suppress::Baseline,
    stale: &[crate::baseline::Entry],
    path: &std::path::Path,
    prune: bool,
) -> Result<(), String> {
    if stale.is_empty() {
        return Ok(());
    }
    let n = stale.len();
    let s = if n == 1 { "y" } else { "ies" };
    if prune {
        baseline.without(stale).write(path)?;
        eprintln!(
            "auditlint: removed {n} stale entr{s} from {}",
            path.display()
        );
        return Ok(());
    }
    eprintln!(
        "auditlint: {n} baseline entr{s} in {} match no finding any more (fixed, or not scanned this time):",
        path.display()
    );
    for e in stale.iter().take(10) {
        eprintln!(
            "  {} {}: {}",
            e.code,
            output::location::escape_path(&e.path),
            e.message
        );
    }
    if n > 10 {
        eprintln!("  … and {} more", n - 10);
    }
    eprintln!("auditlint: remove them with --prune-baseline");
    Ok(())
}

/// One output of the run: a format, where it goes (`None`: standard output), and whether it
/// is the main one (standard output or `--output-file`), which `--statistics` replaces.
struct Output {
    format: Format,
    file: Option<PathBuf>,
    primary: bool,
}

/// The outputs `--format` and `--output-file` ask for.
fn outputs(args: &CheckArgs) -> Result<Vec<Output>, String> {
    let bare: Vec<&FormatSpec> = args.format.iter().filter(|s| s.file.is_none()).collect();
    if bare.len() > 1 {
        return Err(
            "only one --format can go to standard output (or --output-file); write the others to files: `--format sarif=results.sarif`".into(),
        );
    }
    let primary = bare.first().map_or(Format::Human, |s| s.format);
    if args.statistics && !matches!(primary, Format::Human | Format::Json) {
        return Err("--statistics is printed as text (human) or JSON (json)".into());
    }
    let mut outputs = vec![Output {
        format: primary,
        file: args.output_file.clone(),
        primary: true,
    }];
    for spec in args.format.iter().filter(|s| s.file.is_some()) {
        if outputs.iter().any(|o| o.file == spec.file) {
            return Err(format!(
                "two outputs would be written to {}",
                spec.file
                    .as_deref()
                    .unwrap_or(std::path::Path::new("-"))
                    .display()
            ));
        }
        outputs.push(Output {
            format: spec.format,
            file: spec.file.clone(),
            primary: false,
        });
    }
    Ok(outputs)
}

/// A report in one format.
fn render(report: &Report, format: Format, args: &CheckArgs, color: bool) -> String {
    match format {
        Format::Human => output::human::render(report, color, terminal_width(), args.quiet),
        Format::Json => output::json::render(report),
        Format::Sarif => output::sarif::render(report),
        Format::Github => output::github::render(report),
        Format::Concise => output::concise::render(report),
        Format::Gitlab => output::gitlab::render(report),
        Format::Junit => output::junit::render(report),
        Format::Checkstyle => output::checkstyle::render(report),
    }
}

/// `--show-files`: what a scan of `paths` would read, and what it would skip and why.
fn show_files(paths: &[PathBuf], config: &Config) -> ExitCode {
    let dot = [PathBuf::from(".")];
    let paths = if paths.is_empty() { &dot[..] } else { paths };
    match crate::discover::discover(paths, &config.exclude) {
        Ok(found) => {
            let mut out = String::new();
            for input in &found.inputs {
                out.push_str(&output::location::escape_path(input.display()));
                out.push('\n');
            }
            let passed_over = crate::discover::passed_over(paths, &config.exclude, &found);
            for (s, why) in found
                .skipped
                .iter()
                .chain(&found.vendored)
                .map(|s| (s, "skipped"))
                .chain(found.failed.iter().map(|s| (s, "cannot be scanned")))
                .chain(passed_over.iter().map(|s| (s, "not scanned")))
            {
                out.push_str(&format!(
                    "{}: {why}: {}\n",
                    output::location::escape_path(&s.display),
                    s.reason
                ));
            }
            print(&out);
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// `--stdin-filename`: standard input (the path `-`) read here and named `name`, in place of
/// the `-` input.
fn read_named_stdin(
    found: &mut crate::discover::Discovered,
    name: &str,
    limit: u64,
) -> Result<crate::discover::Text, String> {
    use crate::discover::Input;
    if !found.inputs.contains(&Input::Stdin) {
        return Err("--stdin-filename names standard input: pass `-` as the path".into());
    }
    found.inputs.retain(|i| *i != Input::Stdin);
    let (text, _) = crate::discover::read(&Input::Stdin, limit)
        .map_err(|why| format!("{name} (standard input): {why}"))?;
    if text.is_empty() {
        return Err(format!(
            "{name} (standard input) was empty: did the command before the pipe fail?"
        ));
    }
    let abs_path = std::env::current_dir().ok().map(|d| d.join(name));
    Ok(crate::discover::Text {
        display: name.to_owned(),
        text,
        abs_path,
    })
}

/// `--select`, `--extend-select` and `--ignore`, over the configuration file's.
fn apply_selection(args: &CheckArgs, config: &mut Config) -> Result<(), String> {
    let select = crate::select::codes_of(&args.select)?;
    let extend = crate::select::codes_of(&args.extend_select)?;
    let ignore = crate::select::codes_of(&args.ignore)?;
    if !select.is_empty() {
        config.select = Some(select);
    }
    config.extend_select.extend(extend);
    config.ignore.extend(ignore);
    Ok(())
}

pub fn exit_status(report: &Report, fail_on: FailOn) -> ExitCode {
    // An incomplete scan fails whatever it found: a named input was not read.
    if !report.input_errors.is_empty() {
        for e in &report.input_errors {
            eprintln!("auditlint: error: {e}");
        }
        return ExitCode::from(2);
    }
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
