# The few commands a newcomer needs. Only Python 3.11 is assumed; everything else lands in .venv.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements/*.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint format bench messages tour clean .venv-ready

$(STAMP): requirements/base.txt requirements/prod.txt requirements/dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	@echo "==> Creating the virtual environment in $(VENV)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "==> Installing pinned dependencies (first time takes a minute or two)"
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

# For scripts (.ci/run) that only want the environment made.
.venv-ready: $(STAMP)

run: $(STAMP)
	@echo "==> Applying database migrations (SQLite in var/)"
	@$(PY) manage.py migrate --no-input -v 0
	@echo "==> Loading the demo workspace (the first time also eight weeks of history: about 20 s)"
	@$(PY) manage.py seed_demo
	@$(PY) manage.py run_demo

test: $(STAMP)
	@$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

format: $(STAMP)
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

bench: $(STAMP)
	@mkdir -p var/bench
	@$(PY) -m pytest tests/bench -m bench -q -s -p no:cacheprovider $(PYTEST_ARGS)

# The README's and the landing page's screenshots (static/tour/), from the demo in a throwaway
# database under var/tour/. Needs Chromium.
tour: $(STAMP)
	@$(PY) manage.py take_tour

messages: $(STAMP)
	@$(PY) manage.py makemessages -l de --no-location --no-obsolete -i ".venv/*" -i "var/*"
	@$(PY) manage.py makemessages -l de -d djangojs --no-location --no-obsolete -i ".venv/*" -i "var/*" -i "static/vendor/*"
	@$(PY) manage.py compilemessages_py

clean:
	rm -rf $(VENV) var
