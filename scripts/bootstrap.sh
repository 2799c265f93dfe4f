#!/usr/bin/env bash
# Create .venv (once) and install the project with the given extras (re-run when pyproject.toml changes).
# Usage: scripts/bootstrap.sh [extras]     e.g. scripts/bootstrap.sh dev
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

if [ ! -x .venv/bin/python ]; then
  if ! "$python" -m venv .venv 2>/dev/null; then
    # Debian ships venv support as a separate package.
    echo "python3 -m venv failed; installing Debian's python3-venv" >&2
    rm -rf .venv
    as_root apt-get update -qq && as_root apt-get install -y -qq python3-venv >/dev/null
    "$python" -m venv .venv
  fi
fi

stamp=".venv/.installed-${extras:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "Installing roimix${extras:+[$extras]} into .venv (first run takes a few minutes)…" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras:+[$extras]}"
  touch "$stamp"
fi
