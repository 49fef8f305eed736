# The two commands a new user runs: `make demo` and `make test`. Each does its own set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export LKS_HOME ?= $(CURDIR)/var
DEMO_EXPORT := $(LKS_HOME)/exports/demo-2026-11-22
PACKAGES := data_contracts features models training service simulator cli

.PHONY: demo test test-fast lint typecheck bench clean lock

# The browser test drives Debian's chromium (never a downloaded browser). A file target: nothing runs
# when it is there already; sudo only when not root.
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	$$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

# The browser test's accessibility check injects axe-core (npm's package file, a pinned version) into each
# page; npm from Debian when the machine has none.
AXE_VERSION := 4.14.1
AXE := build/axe-core/$(AXE_VERSION)/package/axe.min.js

$(AXE):
	command -v npm >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm; }
	mkdir -p $(dir $(AXE)) && cd build/axe-core/$(AXE_VERSION) && npm pack --silent axe-core@$(AXE_VERSION) \
	  && tar xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js

# The tests against a real PostgreSQL (tests/servers.py starts a throwaway cluster) use Debian's
# `postgresql`: installed when no initdb is there, sudo only when not root.
POSTGRES := $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb) /usr/lib/postgresql/initdb)

$(POSTGRES):
	SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	$$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql

# `lks` is installed editable in strict mode (a link tree under build/, see pyproject.toml), which shows a
# new module only after a reinstall: the stamp carries a hash of the package files, so adding or removing
# one reinstalls (without dependencies, seconds), while editing one does not.
FILES_HASH := $(shell find $(PACKAGES) -type f \( -name '*.py' -o -name '*.yaml' -o -name '*.html' -o -name py.typed \) \
	2>/dev/null | sort | cksum | cut -d' ' -f1)
INSTALLED := $(VENV)/.installed-$(FILES_HASH)

# Dependencies come from the lock (exact versions with their hashes), never from a fresh resolution:
# requirements/dev.lock is everything `make` installs, requirements/runtime.lock the image's subset at the
# same versions. After changing a dependency in pyproject.toml, `make lock` writes both again (uv, PyPI);
# tests/test_requirements.py fails while pyproject.toml and the locks disagree.
DEV_LOCK := requirements/dev.lock
RUNTIME_LOCK := requirements/runtime.lock
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 --quiet \
	--custom-compile-command "make lock"

$(VENV)/.deps: pyproject.toml $(DEV_LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps -e . --config-settings editable_mode=strict
	touch $@

# Keeps the versions already locked where pyproject.toml still allows them; `make lock UPGRADE=--upgrade`
# moves everything to the newest allowed.
lock: $(VENV)/.deps
	$(UV_COMPILE) $(UPGRADE) --extra dev --extra test -o $(DEV_LOCK)
	$(UV_COMPILE) --constraint $(DEV_LOCK) -o $(RUNTIME_LOCK)

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
	@# The demo world's first model may fail a fairness gate: then `lks train` registers it as challenger only
	@# and names the gates. A municipality decides that with `lks promote --force --reason`; the demo does so
	@# in the open (the reason is recorded on the version and in the model card) so the rest of the flow shows.
	$(BIN)/lks evaluate >/dev/null 2>&1 || $(BIN)/lks promote --force --reason "make demo on simulated data: \
	  promoted past the failed gates printed above to show the flow; never do this with real placements"
	$(BIN)/lks evaluate
	$(BIN)/lks score --as-of 2026-11-22
	$(BIN)/python -m lks.cli.demo

# Static checks: style and security (ruff, with flake8-bandit's S rules), the layer rules (import-linter,
# .importlinter), types (mypy, configured in pyproject.toml) and the Dockerfile (hadolint).
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

typecheck: $(INSTALLED)
	$(BIN)/mypy

# LKS_TEST_SERVERS=required: the PostgreSQL and MLflow server tests fail, rather than skip, without their binaries.
test: lint $(CHROMIUM) $(AXE) $(POSTGRES)
	LKS_TEST_SERVERS=required $(BIN)/pytest -q -n 2

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
