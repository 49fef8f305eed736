# The two commands a new user runs: `make demo` and `make test`. Each does its own set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export LKS_HOME ?= $(CURDIR)/var
DEMO_EXPORT := $(LKS_HOME)/exports/demo-2026-11-22
PACKAGES := data_contracts features models training service simulator cli

.PHONY: demo test test-fast lint typecheck bench clean

# The browser test drives Debian's chromium (never a downloaded browser). A file target: nothing runs
# when it is there already; sudo only when not root.
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	$$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

# `lks` is installed editable in strict mode (a link tree under build/, see pyproject.toml), which shows a
# new module only after a reinstall: the stamp carries a hash of the package files, so adding or removing
# one reinstalls (without dependencies, seconds), while editing one does not.
FILES_HASH := $(shell find $(PACKAGES) -type f \( -name '*.py' -o -name '*.yaml' -o -name '*.html' -o -name py.typed \) \
	2>/dev/null | sort | cksum | cut -d' ' -f1)
INSTALLED := $(VENV)/.installed-$(FILES_HASH)

$(VENV)/.deps: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' --config-settings editable_mode=strict
	touch $@

$(INSTALLED): $(VENV)/.deps
	rm -rf build/__editable__.*
	$(BIN)/pip install --quiet --no-deps -e . --config-settings editable_mode=strict
	rm -f $(VENV)/.installed-*
	touch $@

demo: $(INSTALLED)
	$(BIN)/lks simulate --out $(DEMO_EXPORT)
	$(BIN)/lks ingest $(DEMO_EXPORT)
	$(BIN)/lks status
	$(BIN)/lks train --as-of 2026-11-22 --truth $(DEMO_EXPORT)/truth
	$(BIN)/lks evaluate
	$(BIN)/lks score --as-of 2026-11-22
	$(BIN)/python -m lks.cli.demo

# Static checks: style and the layer rules (import-linter, .importlinter); `typecheck` runs mypy (pyproject.toml).
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

typecheck: $(INSTALLED)
	$(BIN)/mypy

test: lint $(CHROMIUM)
	$(BIN)/pytest -q -n 2

# Everything but the tests marked slow (the simulator at full scale, end-to-end training): under two minutes.
test-fast: lint
	$(BIN)/pytest -q -n 2 -m "not slow"

bench: $(INSTALLED)
	$(BIN)/python bench/bench_data.py
	$(BIN)/python bench/bench_features.py
	$(BIN)/python bench/bench_training.py
	$(BIN)/python bench/bench_service.py
	$(BIN)/python bench/load.py --seconds 60

clean:
	rm -rf $(LKS_HOME)
