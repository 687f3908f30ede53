#!/usr/bin/env bash
# Install everything jxedu needs on a Debian 12 machine that has only Python 3.11+.
#
#   1. checks Python (>= 3.11, with the venv module);
#   2. checks the Debian packages (CJK font, WeasyPrint's libraries, Chromium) and installs the
#      missing ones with apt-get when running as root; otherwise stops and names them;
#   3. creates the virtual environment .venv (if absent) and installs jxedu with its test tools
#      (pip install -e ".[test]") at the tested versions of requirements/constraints.txt
#      (pip -c; regenerate that file with scripts/lock.sh);
#   4. registers the venv's Python as the Jupyter kernel "python3" inside the venv.
#
# Idempotent: run again, it installs nothing new. Called by `make` (target .venv/.installed);
# never asks a question (no TTY needed: CI runs it with no standard input).
#
# Environment variables:
#   PYTHON                 Python interpreter to build the venv with (default: first python3.X >= 3.11)
#   VENV                   venv folder (default: .venv in the repository root)
#   JXEDU_SKIP_SYSTEM=1    skip the Debian package step (e.g. on a machine managed otherwise)
#   JXEDU_CONSTRAINTS      constraints file (default: requirements/constraints.txt)
#   JXEDU_UNPINNED=1       install without constraints: the newest versions pyproject.toml allows
#                          (to try an upgrade; scripts/lock.sh then records the versions that pass)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-$ROOT/.venv}"

# Debian packages, by purpose:
#   fonts-noto-cjk           Chinese font for matplotlib charts and the PDF reports
#   libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1
#   libglib2.0-0 libffi8 shared-mime-info
#                            the libraries WeasyPrint loads (Debian list of its install docs;
#                            without harfbuzz-subset WeasyPrint warns, which fails the tests)
#   chromium chromium-driver headless browser: map screenshots and browser tests
SYSTEM_PACKAGES=(
    fonts-noto-cjk
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1
    libglib2.0-0 libffi8 shared-mime-info
    chromium chromium-driver
)

say() { printf '==> %s\n' "$*"; }
die() { printf '\n错误 (error): %s\n\n' "$*" >&2; exit 1; }

# --- 1. Python ---------------------------------------------------------------------------------
pick_python() {
    local candidates=("${PYTHON:-}" python3.13 python3.12 python3.11 python3)
    local py
    for py in "${candidates[@]}"; do
        [ -n "$py" ] || continue
        command -v "$py" >/dev/null 2>&1 || continue
        if "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            echo "$py"
            return 0
        fi
    done
    return 1
}

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    PY="$VENV/bin/python"
    say "使用已有虚拟环境 (existing venv): $VENV"
else
    PY="$(pick_python)" || die "需要 Python 3.11 或更高版本 (python_too_old)：未找到。
  Python 3.11+ is required but was not found.
  Debian 12: sudo apt-get install -y python3 python3-venv   (or set PYTHON=/path/to/python3.11)"
    "$PY" -c 'import venv, ensurepip' 2>/dev/null || die "Python 缺少 venv 模块 (missing_venv): $PY
  The Python venv module (with ensurepip) is missing.
  Debian 12: sudo apt-get install -y python3-venv"
    say "Python: $("$PY" --version 2>&1) ($(command -v "$PY"))"
fi

# --- 2. Debian packages ------------------------------------------------------------------------
missing_packages() {
    local pkg status
    for pkg in "${SYSTEM_PACKAGES[@]}"; do
        status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
        [ "$status" = "install ok installed" ] || printf '%s\n' "$pkg"
    done
}

if [ "${JXEDU_SKIP_SYSTEM:-0}" = "1" ]; then
    say "跳过系统软件包检查 (JXEDU_SKIP_SYSTEM=1)"
elif ! command -v dpkg-query >/dev/null 2>&1; then
    say "警告 (warning): 不是 Debian/Ubuntu 系统，跳过系统软件包检查；请自行安装中文字体 (Noto Sans CJK)、Pango 与 Chromium。"
    say "  Not a Debian system: install a CJK font, Pango (for WeasyPrint) and Chromium yourself."
else
    mapfile -t MISSING < <(missing_packages)
    if [ "${#MISSING[@]}" -gt 0 ]; then
        if [ "$(id -u)" = "0" ]; then
            say "安装系统软件包 (installing Debian packages): ${MISSING[*]}"
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -q
            apt-get install -y -q "${MISSING[@]}"
            mapfile -t STILL < <(missing_packages)
            [ "${#STILL[@]}" -eq 0 ] || die "以下系统软件包安装失败 (apt_install_failed): ${STILL[*]}"
        else
            die "缺少系统软件包 (missing_system_packages): ${MISSING[*]}
  请用管理员权限安装后重新运行 (install them as administrator, then run make again):

    sudo apt-get update && sudo apt-get install -y ${MISSING[*]}
"
        fi
    else
        say "系统软件包齐全 (Debian packages present)"
    fi
fi

# --- 3. virtual environment and the package ----------------------------------------------------
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
if [ ! -x "$VENV/bin/python" ]; then
    say "创建虚拟环境 (creating venv): $VENV"
    "$PY" -m venv "$VENV"
fi
CONSTRAINTS="${JXEDU_CONSTRAINTS:-$ROOT/requirements/constraints.txt}"
if [ "${JXEDU_UNPINNED:-0}" = "1" ]; then
    say "安装 jxedu 及其依赖，不固定版本 (pip install -e \".[test]\", JXEDU_UNPINNED=1)"
    "$VENV/bin/python" -m pip install --no-input --progress-bar off -e "$ROOT[test]"
else
    [ -f "$CONSTRAINTS" ] || die "找不到版本约束文件 (missing_constraints): $CONSTRAINTS
  The constraints file of tested versions is missing. Restore it from git, create it with
  bash scripts/lock.sh, or install unpinned with JXEDU_UNPINNED=1."
    say "安装 jxedu 及其依赖，使用已测试的版本 (pip install -c ${CONSTRAINTS#"$ROOT"/} -e \".[test]\")"
    "$VENV/bin/python" -m pip install --no-input --progress-bar off -c "$CONSTRAINTS" -e "$ROOT[test]"
fi

# --- 4. Jupyter kernel -------------------------------------------------------------------------
# The kernel "python3" inside the venv runs the venv's Python, so notebooks executed by
# papermill/nbval/JupyterLab from the venv can import jxedu.
"$VENV/bin/python" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (jxedu)" >/dev/null
say "完成 (done): $("$VENV/bin/python" -c 'import jxedu, sys; print("jxedu", jxedu.__version__, "on Python", sys.version.split()[0])')"
