#!/usr/bin/env bash
# Benchmark-only peers (PyMC-Marketing, see benchmarks/peers-requirements.txt) in their own venv, .venv-peers,
# so the project's .venv keeps its pins. Run from anywhere; re-running reuses the venv.
# Then: .venv-peers/bin/python benchmarks/pymc_peer.py --help
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv-peers/bin/python ] || "$PYTHON" -m venv .venv-peers
.venv-peers/bin/pip install --disable-pip-version-check -q -r benchmarks/peers-requirements.txt
.venv-peers/bin/python -c "import pymc_marketing, nutpie; print('pymc-marketing', pymc_marketing.__version__, 'in .venv-peers')"
