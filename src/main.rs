use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    auditlint::cli::run(auditlint::cli::Cli::parse())
}
