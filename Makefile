# The two commands a new person needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Two workers suit the two-core machines this runs on. Tests that start a Celery worker take
# turns behind a lock (tests/conftest.py), not an xdist group: pytest 9.2 ignores those.
PYTEST_ARGS ?= -n 2

.PHONY: run test setup worker beat lint format clean mutate

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

setup: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

## Set up, seed the demo site and serve it on http://$(HOST):$(PORT)/, with periodic jobs in-process.
run: setup
	@PERIODIC_PID=""; \
	trap 'test -n "$$PERIODIC_PID" && kill $$PERIODIC_PID 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py run_periodic & PERIODIC_PID=$$!; \
	$(PY) manage.py runserver $(HOST):$(PORT)

## Install dev tools, lint, check migrations, run the whole suite.
test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

## Mutation-test the guards and print a score per module (slow, not part of CI; see README.md).
## All configured modules, or some: make mutate MODULES="core/transitions.py engagement/rules.py"
## After adding tests, AGAIN=1 reruns only the mutants that the last run did not kill.
mutate: $(VENV)/.installed-dev
	$(PY) -m mutation.run $(if $(AGAIN),--again) $(MODULES)

## Production-shaped processes (need REDIS_URL).
worker: $(VENV)/.installed
	$(BIN)/celery -A config worker --loglevel=INFO

beat: $(VENV)/.installed
	$(BIN)/celery -A config beat --loglevel=INFO --schedule=$(or $(CELERY_BEAT_SCHEDULE_FILE),var/celerybeat-schedule)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var mutants
