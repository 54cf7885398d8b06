#!/usr/bin/env bash
# The `auditlint-from-source` pre-commit hook: builds auditlint from the hook's own checkout
# (the tag pinned in `rev`) with the versions in its Cargo.lock (`--locked`), once, into that
# checkout's `.pre-commit-build/`, then runs it. pre-commit's `rust` language would run
# `cargo install` without `--locked`, resolving dependencies afresh.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$repo/.pre-commit-build"
exe=auditlint
case "$(uname -s)" in MINGW* | MSYS* | CYGWIN*) exe=auditlint.exe ;; esac
if [[ ! -x "$root/bin/$exe" ]]; then
  echo "auditlint: building from source with cargo (once; the auditlint hook installs a prebuilt wheel instead)" >&2
  cargo install --locked --quiet --root "$root" --path "$repo" >&2
fi
exec "$root/bin/$exe" check "$@"
