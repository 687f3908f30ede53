#!/usr/bin/env bash
# Write requirements/constraints.txt: the exact version of every package that
# `pip install -e ".[<all extras>]"` installs today, in a fresh virtual environment.
#
#   bash scripts/lock.sh            # then: make test (installs the new pins), commit the file
#
# scripts/setup.sh installs with these constraints by default (`make install`, `make test`, CI), so
# every machine runs the versions the suite last passed with. To move to newer versions: run this
# script (it ignores the old file and takes the newest versions pyproject.toml allows), run
# `make test`, and commit requirements/constraints.txt together with any fixes the new versions need.
#
# Environment variables:
#   PYTHON    interpreter for the fresh venv (default: python3.11, else python3)
#   OUT       file to write (default: requirements/constraints.txt)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-$(command -v python3.11 || command -v python3)}"
OUT="${OUT:-$ROOT/requirements/constraints.txt}"

say() { printf '==> %s\n' "$*"; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# every optional extra of pyproject.toml (test, and any other), so that each is pinned too
EXTRAS="$("$PY" -c 'import tomllib; print(",".join(tomllib.load(open("pyproject.toml", "rb"))["project"].get("optional-dependencies", {})))')"
say "新建临时虚拟环境 (fresh venv): $("$PY" --version 2>&1)"
"$PY" -m venv "$TMP/venv"
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
say "安装最新版本 (pip install -e \".[$EXTRAS]\", no constraints)"
"$TMP/venv/bin/python" -m pip install --no-input --progress-bar off --quiet -e "$ROOT[$EXTRAS]"
PYVER="$("$TMP/venv/bin/python" -c 'import platform, sys; print(sys.version.split()[0], platform.system(), platform.machine())')"
mkdir -p "$(dirname "$OUT")"
{
    echo "# Tested versions: every package that \`pip install -e \".[$EXTRAS]\"\` installs, pinned."
    echo "# A constraints file (pip -c): it fixes versions, it does not add packages."
    echo "# scripts/setup.sh installs with it by default (make install / make test / CI); JXEDU_UNPINNED=1 skips it."
    echo "# Regenerate: bash scripts/lock.sh, then make test, then commit this file (README 开发)."
    echo "# Generated $(date +%F) with Python $PYVER."
    "$TMP/venv/bin/python" -m pip freeze --exclude-editable | LC_ALL=C sort -f
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "已写出 (written): $OUT ($(grep -c '==' "$OUT") 个软件包)"
