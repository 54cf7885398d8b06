#!/usr/bin/env bash
# The GitHub Action's logic (action.yml only wires inputs to it), kept here so that it can run,
# and be tested, outside GitHub: tests/action.rs runs it with a simulated runner environment.
#
# Inputs (environment): INPUT_PATHS, INPUT_CONFIG, INPUT_FAIL_ON, INPUT_FORMAT, INPUT_VERSION,
# INPUT_SARIF_FILE, INPUT_POLICY_DIFF. Runner: RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_OUTPUT,
# GITHUB_STEP_SUMMARY, GITHUB_ACTION_PATH, GITHUB_BASE_REF (set on pull requests).
# Overrides: AUDITLINT_BIN (a binary to use instead of installing one),
# AUDITLINT_DOWNLOAD_URL (where releases are downloaded from).
#
# Exit status: auditlint's own (0 clean, 1 findings at or above fail-on, 2 could not scan);
# 2 as well when no binary could be installed.
set -uo pipefail

paths="${INPUT_PATHS:-.}"
config="${INPUT_CONFIG:-}"
fail_on="${INPUT_FAIL_ON:-warning}"
format="${INPUT_FORMAT:-github}"
version="${INPUT_VERSION:-}"
runner_temp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
sarif_file="${INPUT_SARIF_FILE:-}"
action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
download_url="${AUDITLINT_DOWNLOAD_URL:-https://github.com/auditlint/auditlint/releases/download}"
output_file="${GITHUB_OUTPUT:-/dev/null}"
summary_file="${GITHUB_STEP_SUMMARY:-/dev/null}"

log() { echo "auditlint-action: $*" >&2; }
die() {
  echo "::error title=auditlint action::$*"
  exit 2
}

case "$fail_on" in error | warning | note | never) ;; *) die "fail-on must be error, warning, note or never, not '$fail_on'" ;; esac
case "$format" in github | human | concise | json) ;; *) die "format must be github, human, concise or json, not '$format'" ;; esac

# The default version is the one this action was released with (action.yml's `version` input).
if [[ -z "$version" ]]; then
  die "no version given"
fi
version="${version#v}"

# The release target for this runner; empty when there is no prebuilt binary for it.
target_triple() {
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-musl ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) echo "" ;;
  esac
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

install_dir="$runner_temp/auditlint-$version"
exe=auditlint
[[ "${RUNNER_OS:-}" == Windows ]] && exe=auditlint.exe

# Downloads the release archive and its checksum. Returns 1 when the release cannot be
# fetched (caller falls back to building); exits when the checksum does not match, since
# a corrupted or tampered archive must never be run nor papered over by a fallback.
download_release() {
  local target="$1" archive url expected actual
  archive="auditlint-$version-$target.tar.gz"
  [[ "${RUNNER_OS:-}" == Windows ]] && archive="auditlint-$version-$target.zip"
  url="$download_url/v$version/$archive"
  mkdir -p "$install_dir/download" || return 1
  log "downloading $url"
  curl --fail --silent --show-error --location --retry 3 -o "$install_dir/download/$archive" "$url" || return 1
  curl --fail --silent --show-error --location --retry 3 -o "$install_dir/download/$archive.sha256" "$url.sha256" || return 1
  expected="$(cut -d' ' -f1 <"$install_dir/download/$archive.sha256" | tr -d '\r\n' | tr 'A-F' 'a-f')"
  actual="$(sha256_of "$install_dir/download/$archive")"
  if [[ -z "$expected" || "$expected" != "$actual" ]]; then
    rm -f "$install_dir/download/$archive"
    die "checksum mismatch for $archive: expected '$expected', got '$actual'"
  fi
  log "sha256 verified: $actual"
  case "$archive" in
    *.zip)
      if command -v unzip >/dev/null 2>&1; then
        unzip -q -o "$install_dir/download/$archive" -d "$install_dir/download" || return 1
      else
        powershell -NoProfile -Command "Expand-Archive -Force -Path '$install_dir/download/$archive' -DestinationPath '$install_dir/download'" || return 1
      fi
      ;;
    *) tar -xzf "$install_dir/download/$archive" -C "$install_dir/download" || return 1 ;;
  esac
  mkdir -p "$install_dir/bin"
  local found
  found="$(find "$install_dir/download" -type f -name "$exe" | head -n 1)"
  [[ -n "$found" ]] || return 1
  mv "$found" "$install_dir/bin/$exe" && chmod +x "$install_dir/bin/$exe"
}

# No prebuilt binary: build from the action's own checkout, which is this version's source
# when the action is pinned to its tag, with the versions in its Cargo.lock. Never
# `cargo install auditlint` by name: the crates registry's `auditlint` is not this project.
build_release() {
  command -v cargo >/dev/null 2>&1 || return 1
  [[ -f "$action_path/Cargo.toml" ]] || return 1
  local source_version
  source_version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$action_path/Cargo.toml" | head -n 1)"
  if [[ "$source_version" != "$version" ]]; then
    die "no release of auditlint $version could be downloaded, and the action's source is version $source_version; pin the action to v$version or set version: $source_version"
  fi
  log "building auditlint $version from $action_path"
  cargo install --locked --quiet --root "$install_dir" --path "$action_path"
}

resolve_binary() {
  if [[ -n "${AUDITLINT_BIN:-}" ]]; then
    [[ -x "$AUDITLINT_BIN" ]] || die "AUDITLINT_BIN=$AUDITLINT_BIN is not an executable"
    bin="$AUDITLINT_BIN"
    return
  fi
  bin="$install_dir/bin/$exe"
  [[ -x "$bin" ]] && return
  local target
  target="$(target_triple)"
  if [[ -n "$target" ]] && download_release "$target"; then
    return
  fi
  [[ -n "$target" ]] || log "no prebuilt binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"
  build_release || die "could not install auditlint $version (no release download, and no build from the action's source)"
  [[ -x "$bin" ]] || die "installation did not produce $bin"
}

resolve_binary
log "using $("$bin" --version)"

read -r -a path_args <<<"$(tr '\n' ' ' <<<"$paths")"
[[ ${#path_args[@]} -gt 0 ]] || path_args=(.)
common=(check --color never)
[[ -n "$config" ]] && common+=(--config "$config")

# One scan, three outputs: the log in the chosen format (standard output), the annotations
# (which give the counts and the summary) and SARIF (the whole result set, suppressed
# findings included). The exit status is the step's.
if [[ -z "$sarif_file" ]]; then
  sarif_file="$runner_temp/auditlint.sarif"
fi
mkdir -p "$(dirname "$sarif_file")"
annotations="$runner_temp/auditlint-annotations.txt"
errors_file="$runner_temp/auditlint-stderr.txt"
rm -f "$annotations" "$sarif_file"
"$bin" "${common[@]}" --format "$format" --format "github=$annotations" --format "sarif=$sarif_file" \
  --fail-on "$fail_on" "${path_args[@]}" 2>"$errors_file"
status=$?
cat "$errors_file" >&2
sarif_status=0
[[ $status -ne 2 && -f "$sarif_file" ]] || sarif_status=2
[[ -f "$annotations" ]] || : >"$annotations"

errors=$(grep -c '^::error ' "$annotations")
warnings=$(grep -c '^::warning ' "$annotations")
notes=$(grep -c '^::notice ' "$annotations")

{
  echo "errors=$errors"
  echo "warnings=$warnings"
  echo "notes=$notes"
  echo "exit-code=$status"
  if [[ $sarif_status -eq 0 ]]; then echo "sarif-file=$sarif_file"; else echo "sarif-file="; fi
} >>"$output_file"

# Undoes the workflow-command escaping for display in Markdown.
unescape() {
  local s="$1"
  s="${s//%0A/ }"
  s="${s//%0D/}"
  s="${s//%3A/:}"
  s="${s//%2C/,}"
  s="${s//%25/%}"
  s="${s//|/\\|}"
  printf '%s' "$s"
}

# The annotation message as lines: the message, `help: ` and the help's further lines (what
# to write, often YAML), and `template: `.
message_lines() {
  local s="$1"
  s="${s//%0D/}"
  s="${s//%3A/:}"
  s="${s//%2C/,}"
  s="${s//%0A/$'\n'}"
  s="${s//%25/%}"
  printf '%s' "$s"
}

# The fixes whose help has lines to copy, as code blocks (a table cell cannot hold them).
fixes="$runner_temp/auditlint-fixes.md"
: >"$fixes"

{
  echo "## auditlint"
  echo
  if [[ $status -eq 2 ]]; then
    echo "The scan could not be done:"
    echo
    echo '```'
    if [[ -s "$errors_file" ]]; then head -c 4000 "$errors_file"; else echo "(no error message; see the step's log)"; fi
    echo '```'
    echo
  fi
  echo "| errors | warnings | notes |"
  echo "|---:|---:|---:|"
  echo "| $errors | $warnings | $notes |"
  echo
  total=$((errors + warnings + notes))
  if [[ $total -gt 0 ]]; then
    echo "| severity | location | rule | message |"
    echo "|---|---|---|---|"
    shown=0
    while IFS= read -r line; do
      [[ "$line" == ::* ]] || continue
      shown=$((shown + 1))
      [[ $shown -gt 100 ]] && break
      command="${line#::}"
      command="${command%% *}"
      rest="${line#* }"
      props="${rest%%::*}"
      message="${rest#*::}"
      file="${props#file=}"
      file="${file%%,*}"
      ln="${props#*,line=}"
      ln="${ln%%,*}"
      title="${props#*,title=}"
      mapfile -t parts < <(message_lines "$message")
      echo "| $command | \`$(unescape "$file"):$ln\` | $(unescape "$title") | $(unescape "${parts[0]}") |"
      # A help with more than one line: its first line, then the rest as a code block.
      help_at=-1
      for i in "${!parts[@]}"; do [[ "${parts[$i]}" == "help: "* ]] && help_at=$i && break; done
      # The `template: ` and `cluster: ` lines the annotation ends with are not the help's.
      end=${#parts[@]}
      while [[ $end -gt $((help_at + 1)) && ( "${parts[$((end - 1))]}" == "template: "* || "${parts[$((end - 1))]}" == "cluster: "* ) ]]; do
        end=$((end - 1))
      done
      if [[ $help_at -ge 0 && $((help_at + 1)) -lt $end ]]; then
        {
          echo "**$(unescape "$title")** \`$(unescape "$file"):$ln\`: ${parts[$help_at]#help: }"
          echo
          echo '```yaml'
          for ((i = help_at + 1; i < end; i++)); do
            printf '%s\n' "${parts[$i]}"
          done
          echo '```'
          echo
        } >>"$fixes"
      fi
    done <"$annotations"
    if [[ -s "$fixes" ]]; then
      echo
      echo "### Fixes to copy"
      echo
      cat "$fixes"
    fi
    if [[ $total -gt 100 ]]; then
      echo
      echo "Showing 100 of $total findings; the SARIF file and the annotations have them all."
    fi
  else
    echo "No findings."
  fi
} >>"$summary_file"

# On a pull request, the step summary also shows what each changed audit policy changes in
# what the cluster records (`auditlint policy diff` against the merge base). It never
# changes the step's status: the findings decide that.
policy_diff_summary() {
  [[ -n "${GITHUB_BASE_REF:-}" && "${INPUT_POLICY_DIFF:-on}" == on ]] || return 0
  if ! git rev-parse --git-dir >/dev/null 2>&1; then
    log "not a git checkout: no policy diff"
    return 0
  fi
  local base="origin/$GITHUB_BASE_REF" rev diff
  if ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
    git fetch --quiet --no-tags --depth=1 origin "+refs/heads/$GITHUB_BASE_REF:refs/remotes/$base" ||
      { log "cannot fetch $base: no policy diff"; return 0; }
  fi
  # A shallow checkout may lack the merge base; the base branch's tip is the next best.
  rev="$(git merge-base "$base" HEAD 2>/dev/null || echo "$base")"
  if ! diff="$("$bin" policy diff --base "$rev" --format markdown --fail-on never)"; then
    log "policy diff failed: no policy diff"
    return 0
  fi
  [[ "$diff" == *"No audit policy changed."* ]] && return 0
  { echo; echo "$diff"; } >>"$summary_file"
}
policy_diff_summary

exit "$status"
