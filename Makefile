# Two commands a newcomer needs: `make run` and `make test`. Both create .venv when missing.
# `make run` serves the production stack (gunicorn, WhiteNoise, DEBUG off) over plain http on
# 127.0.0.1; `make dev` is Django's auto-reloading development server with DEBUG on.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
# The demo token's PIN (CHỈ DÙNG THỬ); real keys take their PINs from SIGNING_PIN_<name> likewise.
export SIGNING_PIN_DEMO ?= 12345678
PORT ?= 8000

.PHONY: run dev static test setup data install serve browser-deps clean docx-templates bench

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Cần Python 3.11 ($(PYTHON)) để cài đặt." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

# axe-core for the browser tests' accessibility checks, pinned in package-lock.json; without npm (or
# when npm ci fails) the browser tests say so and skip, or fail with REQUIRE_BROWSER=1 (CI).
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $(AXE) || echo "npm ci không chạy được: kiểm thử trình duyệt sẽ thiếu axe-core." >&2; \
	  else echo "Chưa cài npm (Node.js): bỏ qua axe-core, kiểm thử trình duyệt sẽ bị bỏ qua." >&2; fi

install: $(STAMP) $(AXE)

setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py load_demo
	@# Demo signing keys (CHỈ DÙNG THỬ) in a SoftHSM2 token under var/softhsm; skipped without softhsm2.
	@if command -v softhsm2-util >/dev/null 2>&1; then $(BIN)/python manage.py demo_signing_keys; \
	  else echo "Chưa cài softhsm2: bỏ qua khóa ký số thử nghiệm (DIGITAL_SIGNING=0 để ký không cần khóa)."; fi

# Production settings for `make run` and what it builds first; HTTPS=0 because 127.0.0.1 has no TLS.
run: export DEBUG ?= 0
run: export HTTPS ?= 0
run: setup static
	@$(BIN)/python manage.py demo_accounts --print
	@echo "Mở http://$(HOST):$(PORT)/ trong trình duyệt."
	$(BIN)/gunicorn -c config/gunicorn.py --bind $(HOST):$(PORT) config.wsgi

dev: export DEBUG = 1
dev: setup
	@$(BIN)/python manage.py demo_accounts --print
	@echo "Mở http://$(HOST):$(PORT)/ trong trình duyệt."
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# collectstatic only when a static file or the installed packages changed (it takes ~15 s).
STATIC_MANIFEST := $(or $(STATIC_ROOT),$(or $(VAR_DIR),var)/static)/staticfiles.json
STATIC_SOURCES := $(shell find . -path ./.venv -prune -o -path ./var -prune -o -path '*/static/*' -type f -print 2>/dev/null)
$(STATIC_MANIFEST): $(STAMP) $(STATIC_SOURCES)
	DEBUG=0 $(BIN)/python manage.py collectstatic --noinput --clear -v0

static: $(STATIC_MANIFEST)

# Import contracts first (pyproject.toml [tool.importlinter]): a lower app importing a higher one,
# even inside a function, or a circle between an app's modules fails the run before pytest starts.
# The tests run on one process per CPU core plus one (at most 5), each with its own test database
# (tests/helpers/scheduling.py); TEST_WORKERS=0 runs them in this one process.
# PYTHONDONTWRITEBYTECODE, where the environment sets it, is lifted for the tests: without the
# bytecode cache every worker and every `manage.py` a test starts compiles the project again, and
# pytest rewrites the asserts of hypothesis and schemathesis (some 400 modules) anew, ~7 s a process.
TEST_WORKERS ?= auto
test: install
	$(BIN)/lint-imports --no-cache
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --maxprocesses 5 --dist loadfile) $(PYTEST_ARGS)

# Benchmark (issue 15), not part of `make test`: a province-scale dataset in a PostgreSQL database of its
# own (created when missing; the dataset is kept between runs, same seed, same rows), then the
# measurements side by side with their baselines, written to docs/bench/latest.md.
# BENCH_COMMUNES=500 is ~130,000 documents; smaller for a quicker run, e.g. `make bench BENCH_COMMUNES=50`.
BENCH_DB ?= congvan_bench
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/$(BENCH_DB)
BENCH_COMMUNES ?= 500
BENCH_PERIODS ?= 10
BENCH_SEED ?= 2026
BENCH_CLIENTS ?= 8
BENCH_REQUESTS ?= 3
BENCH_ARGS ?=
bench: export DATABASE_URL = $(BENCH_DATABASE_URL)
bench: export DB_POOL = 0
bench: export DEBUG = 0
bench: install static
	@psql "$(BENCH_DATABASE_URL)" -c 'SELECT 1' >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres $(BENCH_DB)
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py bench_dataset --communes $(BENCH_COMMUNES) --periods $(BENCH_PERIODS) --seed $(BENCH_SEED)
	$(BIN)/python manage.py bench_run --clients $(BENCH_CLIENTS) --requests $(BENCH_REQUESTS) --out docs/bench/latest.md $(BENCH_ARGS)

docx-templates: install
	$(BIN)/python -m scripts.build_docx_templates

clean:
	rm -rf $(VENV) node_modules var/*.sqlite3
