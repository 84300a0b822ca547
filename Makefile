# Everything starts from a fresh clone with only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install bytecode test lint demo lab bench templates clean system-tools

install: $(STAMP)

# (Re)create the virtual environment whenever the project's dependencies change.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Bytecode for the package, as installing a wheel writes it: an editable install under
# PYTHONDONTWRITEBYTECODE has none, and every report kernel would compile every module again.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q trc_analytics

# Programs some tests drive (a headless browser, PDF text, a spreadsheet program), from Debian's
# packages. Installed only where we are root with apt-get (CI is); elsewhere those tests skip and
# say which program is missing.
SYSTEM_TOOLS := chromium poppler-utils libreoffice-calc-nogui fonts-dejavu-core

system-tools:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  missing=""; for p in $(SYSTEM_TOOLS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  fi; \
	else echo "system-tools: not root with apt-get; the browser, PDF and LibreOffice tests will skip"; fi

lint: $(STAMP)
	$(BIN)/ruff check .

test: lint bytecode
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

templates: $(STAMP)
	$(BIN)/trc templates data_templates --dictionary docs/data-dictionary.md

# The demo's showcase coach and period (every planted finding has a case in it).
# Reports go into a folder only you can open (reports/ itself is shared through git, mode 0755).
DEMO_REPORT := --from 2026-01-01 --to 2026-06-30 --out reports/demo

demo: $(STAMP)
	$(BIN)/trc demo demo_workspace --force
	@mkdir -p -m 700 reports/demo
	@echo "Reports (open them in a browser):"
	@$(BIN)/trc report supervisor demo_workspace --coach C-0001 $(DEMO_REPORT)
	@$(BIN)/trc report self-audit demo_workspace --coach C-0001 $(DEMO_REPORT)
	@$(BIN)/trc report association demo_workspace $(DEMO_REPORT)
	@$(BIN)/trc report supervisor demo_workspace --supervisor C-0035 $(DEMO_REPORT)
	@echo "Credential progress as of 2026-06-30: C-0003 below ACC, C-0002 at ACC, C-0001 at PCC,"
	@echo "C-0005 ready for the MCC with hours brought forward from an earlier log:"
	@for c in C-0003 C-0002 C-0001 C-0005; do $(BIN)/trc progress demo_workspace --coach $$c --as-of 2026-06-30; done
	@$(BIN)/trc coaching-log demo_workspace --coach C-0001 --as-of 2026-06-30 --out reports/demo/coaching-log_C-0001.xlsx
	@echo "Renewal readiness of a coach whose credential has lapsed (C-0035's portfolio shows"
	@echo "ready, in-progress and at-risk renewals):"
	@$(BIN)/trc renewal demo_workspace --coach C-0037 --as-of 2026-06-30

lab: $(STAMP)
	$(BIN)/trc lab demo_workspace

# bench_issue13.py only runs the others again and tabulates them: left out here
bench: $(STAMP)
	for b in benchmarks/bench_*.py; do [ $$b = benchmarks/bench_issue13.py ] || $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) demo_workspace .pytest_cache
