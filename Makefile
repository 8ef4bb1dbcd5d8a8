# The two commands that matter: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Lambda runs python3.13: prefer it (pyenv's or on PATH), else 3.12, else the machine's python3 (3.11+).
PYTHON ?= $(shell for p in $$(pyenv root 2>/dev/null)/versions/3.13*/bin/python3.13 python3.13 python3.12 python3; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v "$$p"; break; }; done)
VENV := .venv
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
SAM := $(SAM_VENV)/bin/sam
CHECKOV_VENV := .venv-checkov
AXE := tests/browser/node_modules/axe-core/axe.min.js
ESLINT := node_modules/eslint/bin/eslint.js
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0

.PHONY: help run test fuzz phi-scan faults least-privilege mutate lint bandit typecheck check-template browser-tests screenshots chromium openapi build deploy publish-web bench load load-short clean

help:
	@echo "make run    start the whole portal locally with demo data"
	@echo "make test   install what is needed, lint, check the template, run every suite"
	@echo "make build | deploy | bench | load | openapi | fuzz | phi-scan | faults | least-privilege | mutate | browser-tests | screenshots | bandit | clean"

$(VENV)/.installed: requirements/dev.txt layers/common/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

$(SAM_VENV)/.installed: requirements/sam.txt
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements/sam.txt
	touch $@

$(CHECKOV_VENV)/.installed: requirements/checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements/checkov.txt
	touch $@

# The browser suite drives Debian's Chromium (Playwright cannot download browsers here) and injects axe-core.
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $@

# ESLint for the pages' JavaScript, pinned in the root package-lock.json (eslint.config.mjs).
$(ESLINT): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(VENV)/.installed
	$(PY) -m local

test: $(VENV)/.installed chromium $(AXE) lint typecheck check-template
	$(PY) -m pytest -n 2 --dist loadgroup tests

# The long fuzz run: schemathesis against the local runtime with docs/openapi.json, 100 new
# examples per route for each of a staff token, a patient token and none (docs/api.md
# "Checking the contract"). `make test` runs the same file with a few, the same each time.
fuzz: $(VENV)/.installed
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-100} FUZZ_RANDOM=1 FUZZ_STRICT_FUNCTIONS=1 $(PY) -m pytest -p no:cacheprovider tests/local/test_fuzz.py

# The PHI leak scan alone, with its figures: a scripted tour of everything against a fresh
# local runtime, then every line its functions logged and every email searched for patient
# details, request and message texts, link tokens and the TOTP secret (docs/security.md "Data handling").
# `make test` runs the same file.
phi-scan: $(VENV)/.installed
	$(PY) -m pytest -p no:cacheprovider -s -q tests/local/test_phi_scan.py

browser-tests: $(VENV)/.installed chromium $(AXE)
	$(PY) -m pytest tests/browser

# The README's pictures, retaken on a fresh demo (tests/browser/test_screenshots.py).
screenshots: $(VENV)/.installed chromium $(AXE)
	UPDATE_SCREENSHOTS=1 $(PY) -m pytest tests/browser/test_screenshots.py

lint: $(VENV)/.installed $(ESLINT) bandit
	$(ESLINT) web eslint.config.mjs
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	# The layers and rooms of docs/architecture.md, as contracts (.importlinter).
	PYTHONPATH=layers/common:. $(VENV)/bin/lint-imports --no-cache

# bandit (pinned in requirements/dev.txt): no finding of medium severity or above. Each exception
# is an inline `# nosec <ID>` saying why. In the tests, assert is how a test speaks (B101).
bandit: $(VENV)/.installed
	$(VENV)/bin/bandit --quiet --severity-level medium --recursive layers functions local scripts benchmarks
	$(VENV)/bin/bandit --quiet --severity-level medium --skip B101 --recursive tests --exclude tests/browser/node_modules

typecheck: $(VENV)/.installed
	# pyproject.toml [tool.mypy]: strict for the layer and the functions (and, through a mypy quirk
	# noted there, the local runtime); leniently for the tests, their own section.
	$(VENV)/bin/mypy

check-template: $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed
	$(SAM_VENV)/bin/cfn-lint infra/template.yaml
	$(SAM) validate --lint --template-file infra/template.yaml
	$(SAM_VENV)/bin/python scripts/check_transform.py
	# Every skipped check carries its reason in the resource's Metadata.checkov.
	$(CHECKOV_VENV)/bin/checkov --file infra/template.yaml --framework cloudformation --quiet --compact --skip-download

openapi: $(VENV)/.installed
	$(PY) -m local.openapi > docs/openapi.json

build: $(SAM_VENV)/.installed
	PATH="$(dir $(PYTHON)):$$PATH" $(SAM) build --template-file infra/template.yaml --build-dir .aws-sam/build
	$(SAM_VENV)/bin/python scripts/compile_bytecode.py .aws-sam/build

deploy: build
	# sam deploy finds the built template in .aws-sam/build and keeps the answers in ./samconfig.toml.
	# The build is byte-identical when only web/ changed: an empty change set is not a failure,
	# so the pages are still published (docs/deploy.md, "Upgrading").
	$(SAM) deploy --guided --no-fail-on-empty-changeset
	$(MAKE) publish-web

publish-web: $(SAM_VENV)/.installed
	$(SAM_VENV)/bin/python scripts/publish_web.py

bench: $(VENV)/.installed
	$(PY) -m benchmarks

# A bounded load test with locust against a fresh local runtime: 2,000 mixed requests at
# concurrency 16, then every write and every 409 checked (benchmarks/load.py). `make test`
# runs the short form, 200 requests asserting counts only (tests/local/test_load.py; alone:
# `make load-short`).
load: $(VENV)/.installed
	$(PY) -m benchmarks.load --requests $${LOAD_REQUESTS:-2000} --time-limit $${LOAD_SECONDS:-600}

load-short: $(VENV)/.installed
	$(PY) -m pytest -q -p no:cacheprovider tests/local/test_load.py

# Least privilege, proven by the calls themselves: the integration suite, every AWS call each
# function makes checked against its grants in the template, and the grants no call used
# listed and refused (docs/security.md 4.4; tests/least_privilege.py). `make test` runs it.
least-privilege: $(VENV)/.installed
	$(PY) -m pytest -n 2 --dist loadgroup -p no:cacheprovider -q tests/integration

# Mutation testing of the security-critical layer modules with mutmut (docs/security.md 10.9;
# [tool.mutmut] in pyproject.toml), one worker, from scratch each time (9 to 12 minutes): mutmut
# names mutants by file path and drops only a leading src/, so it runs in .mutmut/, where src
# links to layers/common. Not in `make test` for its length; its figures are in the note.
mutate: $(VENV)/.installed
	rm -rf .mutmut/mutants
	mkdir -p .mutmut
	for path in pyproject.toml tests functions local infra Makefile; do ln -sfn ../$$path .mutmut/$$path; done
	ln -sfn ../layers/common .mutmut/src
	cd .mutmut && ../$(VENV)/bin/mutmut run --max-children 1 && ../$(VENV)/bin/mutmut results

# AWS failing under the whole local stack, counted: SES throttled, down a while, down for good
# (the dead-letter queue); DynamoDB throttled during a reply or a dismissal (503, nothing
# written). Faults are planned in the emulator (local/faults.py). `make test` runs the same file.
faults: $(VENV)/.installed
	$(PY) -m pytest -q -p no:cacheprovider tests/local/test_faults.py

clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache .schemathesis .hypothesis .mutmut mutants
