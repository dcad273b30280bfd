# Incident Clock: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.DEFAULT_GOAL := help
.PHONY: help install install-dev run serve web worker beat migrate bootstrap test lint fmt typecheck schema check clean security screenshots bench-pages load-test

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed ## Create .venv and install the runtime dependencies

install-dev: $(VENV)/.installed-dev ## Install runtime and development dependencies

migrate: install ## Apply database migrations
	$(PY) manage.py migrate --noinput

bootstrap: migrate ## Migrate, load the rule catalogue and the demo, create the admin login
	$(PY) manage.py load_catalogue
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_admin

run: bootstrap ## Start web (http://127.0.0.1:$(PORT)), Celery worker and beat on embedded defaults
	PORT=$(PORT) bin/run-all

# The production settings by default; SERVE_SETTINGS=... to use others.
SERVE_SETTINGS ?= config.settings.production

serve: install ## Production shape: migrate, collectstatic, gunicorn + workers + one beat (docs/scaling.md)
	DJANGO_SETTINGS_MODULE=$(SERVE_SETTINGS) bin/serve

web: install ## Only the web server
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: install ## Only a Celery worker
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install ## Only Celery beat
	$(VENV)/bin/celery -A config beat --loglevel=INFO

lint: install-dev ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install-dev ## Format and auto-fix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: install-dev ## mypy with django-stubs
	$(VENV)/bin/mypy .

schema: install-dev ## Validate the OpenAPI schema
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

check: test ## Alias: the full gate

test: install-dev ## The full gate: lint, types, migrations check, tests (what CI runs)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	@[ -d node_modules ] || npm ci --no-audit --no-fund  # axe-core for the accessibility test
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory security

# PIP_AUDIT_ARGS=--strict makes a dependency that could not be checked fail too (use it where
# the vulnerability service is reachable; see docs/security.md, "Dependency audit").
security: install-dev ## bandit (no medium/high findings) and pip-audit of the pinned runtime deps
	$(VENV)/bin/bandit -c pyproject.toml -r . --severity-level medium -q
	$(VENV)/bin/pip-audit -r requirements.txt --progress-spinner off $(PIP_AUDIT_ARGS)

clean: ## Remove the virtual environment and local data (var/)
	rm -rf $(VENV) var

screenshots: install-dev ## Refresh docs/screenshots/*.png from the browser tests
	@[ -d node_modules ] || npm ci --no-audit --no-fund
	UPDATE_SCREENSHOTS=1 DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -q tests/browser -k screenshots

USERS ?= 16
RUN_TIME ?= 60s
# 1: the realistic mix's think time (the soak's); 0: closed loop, the throughput test.
THINK_TIME ?= 1
# Development settings with the server's environment: the command is in the tools app.
load-test: install-dev ## HTTP load test of a running `make serve` (USERS=16 RUN_TIME=60s THINK_TIME=1|0; docs/performance.md)
	set -a; [ -z "$(ENV_FILE)" ] || . "$(ENV_FILE)"; set +a; \
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py load_test --host "$${LOAD_HOST:-http://127.0.0.1:$${PORT:-$(PORT)}}" --users $(USERS) --run-time $(RUN_TIME) --think-time $(THINK_TIME)

bench-pages: install ## p50/p95 of the main pages with the test client (tools app; docs/performance.md)
	$(PY) manage.py bench_pages
