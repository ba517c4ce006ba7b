# Wijkkoers: `make demo` to try it, `make test` for the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/wijkkoers
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
DEMO_SMOKE_DB := $(CURDIR)/.demo-smoke.sqlite3
PRODUCTION_CHECK_ENV := DJANGO_ENV=production ALLOWED_HOSTS=wijkkoers.example.nl \
	SECRET_KEY=check-deploy-only-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ \
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL)

.PHONY: install demo serve test lint format migrations-check pytest demo-smoke deploy-check bench messages lock clean

install: $(VENV)/.installed node_modules/.installed

# The pinned requirements go in with uv (from PyPI, into the virtualenv): the same
# packages as pip installs, in a fraction of the time. --native-tls: uv trusts the
# system's certificate store, as pip does (uv reads UV_INDEX_URL, not pip.conf).
$(VENV)/.installed: requirements/base.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip install --quiet --native-tls --python $(BIN)/python -r requirements/base.txt -r requirements/dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo "Wijkkoers draait op http://127.0.0.1:8000 (stoppen met Ctrl+C)"
	$(MANAGE) runserver 127.0.0.1:8000

test: install lint migrations-check pytest demo-smoke deploy-check

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres $(MANAGE) makemigrations --check --dry-run

# A fresh test database every run; REUSE_DB=1 keeps the last one for quick local runs.
# One test process per core (pytest-xdist, a file at a time); PYTEST_WORKERS=0 runs in one.
PYTEST_WORKERS ?= auto
pytest: install
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CACHE_KEY_PREFIX=wijkkoers-test \
		$(BIN)/pytest $(if $(REUSE_DB),--reuse-db,--create-db) -n $(PYTEST_WORKERS) --dist loadfile \
		--durations=15 $(PYTEST_ARGS)

# The demo path on SQLite with inline tasks, twice: the seed must be idempotent.
demo-smoke: install
	rm -f $(DEMO_SMOKE_DB)
	DATABASE_URL=sqlite:///$(DEMO_SMOKE_DB) REDIS_URL= $(MANAGE) migrate --noinput -v 0
	DATABASE_URL=sqlite:///$(DEMO_SMOKE_DB) REDIS_URL= $(MANAGE) seed_demo > /dev/null
	DATABASE_URL=sqlite:///$(DEMO_SMOKE_DB) REDIS_URL= $(MANAGE) seed_demo > /dev/null
	DATABASE_URL=sqlite:///$(DEMO_SMOKE_DB) REDIS_URL= $(BIN)/python -m tests.demo_smoke
	rm -f $(DEMO_SMOKE_DB)

deploy-check: install
	$(PRODUCTION_CHECK_ENV) $(MANAGE) check --deploy --fail-level WARNING

messages: install
	$(MANAGE) makemessages -l en --no-obsolete --ignore=node_modules --ignore=.venv --ignore=staticfiles
	$(MANAGE) compilemessages --ignore=node_modules --ignore=.venv

# Pinned requirements from requirements/*.in, resolved against the public package index only.
lock: $(VENV)/.installed
	$(BIN)/pip install --quiet pip-tools
	cd requirements && ../$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url \
		--no-emit-find-links --no-emit-trusted-host --output-file base.txt base.in
	cd requirements && ../$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url \
		--no-emit-find-links --no-emit-trusted-host --output-file dev.txt dev.in

clean:
	rm -rf $(VENV) node_modules staticfiles wijkkoers.sqlite3 $(DEMO_SMOKE_DB)

# Figures for the map and import load, on PostgreSQL (one JSON object per line).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/wijkkoers_bench
bench: install
	@DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench
