#!/usr/bin/env bash
# Create .venv and install privacybot with pinned versions. Idempotent: a stamp keyed on the
# pins makes a second run instant. Usage: scripts/setup.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
EXTRA=""
[ "${1:-}" = "--dev" ] && EXTRA="[dev]"
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
stamp="$VENV/.privacybot-installed$EXTRA"
want=$(cat pyproject.toml requirements.lock | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
# torch first: the CPU wheel on this machine. A looser spec would pull a multi-GB CUDA build.
"$VENV/bin/python" -m pip install -q "torch==2.13.0"
"$VENV/bin/python" -m pip install -q -c requirements.lock -e ".$EXTRA"
echo "$want" > "$stamp"
