//! Running a renderer asked for on the command line (`helm template`, `kustomize build`):
//! its output, or an error that carries the renderer's own message.

use std::process::{Command, Stdio};

/// What a successful run printed: the rendered stream, and its warnings (standard error).
pub struct Output {
    pub text: String,
    pub warnings: String,
}

/// Runs `command` without standard input; `shown` is how the run is named in errors
/// (`helm template chart`).
pub fn run(command: &mut Command, shown: &str) -> Result<Output, String> {
    let output = command.stdin(Stdio::null()).output().map_err(|e| {
        format!(
            "could not run {}: {e}",
            command.get_program().to_string_lossy()
        )
    })?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        return Err(format!(
            "`{shown}` failed ({}): {}",
            output.status,
            stderr.trim()
        ));
    }
    let text =
        String::from_utf8(output.stdout).map_err(|_| format!("`{shown}` printed invalid UTF-8"))?;
    Ok(Output {
        text,
        warnings: stderr,
    })
}
