# jxedu — two commands:
#   make reports   安装并在演示数据上生成报告 (install, then build the reports on the demo data)
#   make test      安装并运行全部测试 (install, then run every test and notebook)
# Other targets: make lab | make explorer | make notebooks | make sync-notebooks | make record-checks | make clean | make help

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DATA    ?= data/demo
# pytest workers (pytest-xdist); notebooks are kept whole on one worker (--dist loadfile).
WORKERS ?= 2
PYTEST_ARGS ?=
LAB_ARGS ?=
# The web explorer (Voilà): port and extra options.
EXPLORER_PORT ?= 8866
EXPLORER_ARGS ?=  # e.g. --ip 0.0.0.0 for colleagues on the office network

# Headless matplotlib for tests and for the notebook kernels they start (no display needed).
TEST_ENV := MPLBACKEND=Agg PYTHONHASHSEED=0

.PHONY: help install reports notebooks validate test test-fast lab explorer sync-notebooks record-checks clean distclean

help:  ## 列出命令 (list targets)
	@echo "jxedu — 县域义务教育优质均衡发展规划工作台"
	@echo ""
	@echo "  make reports          安装并生成演示数据的报告 (install + reports on $(DATA))"
	@echo "  make test             安装并运行全部测试与笔记本 (install + pytest + nbval)"
	@echo "  make lab              打开 JupyterLab (open JupyterLab on notebooks/)"
	@echo "  make explorer         以网页提供方案探索器 (serve the scenario explorer: http://localhost:$(EXPLORER_PORT))"
	@echo "  make notebooks        在演示数据上执行全部笔记本 (execute every notebook on $(DATA))"
	@echo "  make install          只安装 (install only: .venv + system packages)"
	@echo "  make sync-notebooks   同步笔记本的 .ipynb 与 .py (jupytext --sync)"
	@echo "  make record-checks    重新记录检查单元格的输出 (re-record NBVAL_CHECK_OUTPUT cells)"
	@echo "  make clean            删除生成的报告与缓存 (remove reports/ and caches)"
	@echo "  make distclean        另删除虚拟环境 (also remove .venv)"

# The install step: runs again only when pyproject.toml, the tested versions or the setup script changed.
$(STAMP): pyproject.toml requirements/constraints.txt scripts/setup.sh
	VENV="$(abspath $(VENV))" bash scripts/setup.sh
	@touch $@

install: $(STAMP)  ## 安装 (install)

validate: $(STAMP)
	$(BIN)/jxedu validate $(DATA)

reports: $(STAMP)  ## 检查并生成报告 (validate, then render the reports)
	$(BIN)/jxedu validate $(DATA)
	$(BIN)/jxedu reports $(DATA)

notebooks: $(STAMP)  ## 执行全部分析笔记本 (execute every analysis notebook)
	$(BIN)/jxedu notebooks $(DATA)

test: $(STAMP)  ## 全部测试 (pytest on tests/ + nbval on notebooks/)
	$(TEST_ENV) $(BIN)/python -m pytest -n $(WORKERS) --dist loadfile \
		--nbval-lax --nbval-current-env tests notebooks $(PYTEST_ARGS)

test-fast: $(STAMP)  ## 只运行单元测试 (unit tests only, no notebooks)
	$(TEST_ENV) $(BIN)/python -m pytest -n $(WORKERS) tests $(PYTEST_ARGS)

lab: $(STAMP)  ## 打开 JupyterLab (open JupyterLab; jxedu importable)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

explorer: $(STAMP)  ## 方案探索器网页 (the scenario explorer as a web page, Voilà; DATA= for another data set)
	$(BIN)/jxedu explorer $(DATA) --port $(EXPLORER_PORT) $(EXPLORER_ARGS)

sync-notebooks: $(STAMP)  ## .ipynb 与 .py 互相同步 (jupytext pairs: the newer file wins)
	$(BIN)/jupytext --sync notebooks/*.ipynb

record-checks: $(STAMP)  ## 在演示数据上执行笔记本并保存检查单元格的输出
	$(TEST_ENV) $(BIN)/python scripts/record_checks.py

clean:
	rm -rf reports/* .pytest_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
