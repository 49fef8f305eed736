# The two commands a new user runs: `make demo` and `make test`. Each does its own set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export LKS_HOME ?= $(CURDIR)/var
DEMO_EXPORT := $(LKS_HOME)/exports/demo-2026-11-22

.PHONY: demo test lint bench clean

# The browser test drives Debian's chromium (never a downloaded browser). A file target: nothing runs
# when it is there already; sudo only when not root.
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	$$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/lks simulate --out $(DEMO_EXPORT)
	$(BIN)/lks ingest $(DEMO_EXPORT)
	$(BIN)/lks status
	$(BIN)/lks train --as-of 2026-11-22 --truth $(DEMO_EXPORT)/truth
	$(BIN)/lks evaluate
	$(BIN)/lks score --as-of 2026-11-22
	$(BIN)/python -m service.demo

test: $(VENV)/.installed $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/pytest -q -n 2

bench: $(VENV)/.installed
	$(BIN)/python bench/bench_data.py
	$(BIN)/python bench/bench_features.py
	$(BIN)/python bench/bench_training.py
	$(BIN)/python bench/bench_service.py

clean:
	rm -rf $(LKS_HOME)
