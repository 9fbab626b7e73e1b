# preflight — every target installs what it needs on a fresh Debian/Ubuntu machine.
#   make demo    the whole story against the local sandbox
#   make test    lint (ruff check, ruff format --check) + type check + the whole test suite
#                with a branch-coverage floor
#   make bench   benchmarks, as ratios against baselines measured in the same run
#   make lint    ruff + mypy only
#   make oracle  ask Groovy again for the answers of the expression table (tests/nextflow)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SYSTEM_PACKAGES := docker-registry skopeo groovy

.PHONY: all demo test lint typecheck unit bench oracle system-deps venv clean

all: test

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "preflight needs Python 3.10 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# Debian's docker-registry (a real OCI registry) and skopeo (an independent client) back the
# sandbox and its tests; groovy (a real Groovy runtime) is the oracle of the expression tests.
# Installed via apt when root, via sudo when it needs no password; otherwise stop and name the
# packages: the tests that need them are never skipped silently.
system-deps:
	@missing=""; \
	command -v docker-registry >/dev/null 2>&1 || missing="$$missing docker-registry"; \
	command -v skopeo >/dev/null 2>&1 || missing="$$missing skopeo"; \
	command -v groovy >/dev/null 2>&1 || missing="$$missing groovy"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "preflight: please install the Debian packages:$$missing (e.g. sudo apt-get install$$missing)" >&2; exit 1; fi; \
	  echo "installing$$missing"; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

typecheck: $(STAMP)
	$(BIN)/mypy

# Total branch coverage measured at 91.9 % on 2026-12-04; the floor sits about a point below so
# that run-to-run noise (timing-dependent paths of the fault tests) does not fail the build. Raise it
# with the measured value; it is not in pytest's addopts so one test file can still be run alone.
COVERAGE_FLOOR := 91

unit: $(STAMP) system-deps
	$(BIN)/python -m pytest --cov-fail-under=$(COVERAGE_FLOOR)

test: lint unit

demo: $(STAMP) system-deps
	$(BIN)/preflight sandbox demo

oracle: $(STAMP) system-deps
	PYTHONPATH=src $(BIN)/python tests/nextflow/groovy_oracle.py

bench: $(STAMP) system-deps
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage build src/*.egg-info
