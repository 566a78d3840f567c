#!/usr/bin/env bash
# Lints the Dockerfile with two linters from npm and fails on any finding, warnings included:
#   - dockerfile-utils (the validator behind the VS Code Docker language server),
#   - dockerfilelint.
# (hadolint, the usual choice, is published neither on npm nor in Debian 12, and these machines
# reach no other registry.) Usage: scripts/lint-dockerfile.sh [Dockerfile]
set -euo pipefail
cd "$(dirname "$0")/.."
file="${1:-Dockerfile}"
bin="node_modules/.bin"

findings="$("$bin/dockerfile-utils" lint --json "$file" || true)"
if [ "$findings" != "[]" ]; then
  echo "dockerfile-utils: findings in $file:" >&2
  echo "$findings" >&2
  exit 1
fi
# dockerfilelint exits with the number of issues found.
if ! report="$("$bin/dockerfilelint" "$file" 2>&1)"; then
  echo "$report" >&2
  exit 1
fi
echo "Dockerfile lint: $file clean (dockerfile-utils, dockerfilelint)"
