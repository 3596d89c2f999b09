# Dateline: `make run` starts the newsroom with demo content, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp

.PHONY: run test lint typecheck audit pytest browser java corpus lock clean

run: $(STAMP)
	$(BIN)/dateline run

test: $(STAMP) $(NODE_STAMP) browser java lint typecheck audit pytest

# The exact versions of requirements-dev.lock, then Dateline itself; pip check fails when
# the lock no longer covers pyproject.toml's dependencies (run `make lock`).
$(STAMP): pyproject.toml requirements-dev.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	@touch $(STAMP)

# Pins pyproject.toml's dependencies for every platform and Python >= 3.11: requirements.lock
# for a site, requirements-dev.lock (the same versions, and the tools) for `make`. Keeps
# what is pinned where pyproject.toml still allows it; `make lock UPGRADE=1` takes the
# newest releases. docs/operations.md, "Dependencies".
LOCK := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --quiet \
	$(if $(UPGRADE),--upgrade)
lock: $(STAMP)
	$(LOCK) -o requirements.lock
	$(LOCK) --extra dev -c requirements.lock -o requirements-dev.lock

# axe-core (the accessibility tests), the Nu Html Checker (vnu-jar, the HTML validity
# tests) and Lighthouse (bench/lighthouse) from the npm registry, at the versions
# package-lock.json pins.
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
		echo "Installing Debian's nodejs and npm for the page checks…"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

# The browser tests drive Debian's Chromium; Playwright cannot download one here.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests…"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; }

# The Nu Html Checker is a Java program; Debian's headless runtime is enough.
java:
	@command -v java >/dev/null 2>&1 || { \
		echo "Installing Debian's Java runtime for the HTML checks…"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q default-jre-headless; }

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/dateline makemigrations --check --dry-run

typecheck: $(STAMP)
	$(BIN)/mypy dateline

# bandit reads [tool.bandit] in pyproject.toml. pip-audit asks PyPI's vulnerability data;
# where the package index here cannot answer (a mirror), it warns and goes on, but any
# vulnerability it does find fails the run.
audit: $(STAMP)
	$(BIN)/bandit -c pyproject.toml -r dateline -q -ll
	@mkdir -p var
	@status=0; timeout 600 $(BIN)/pip-audit --progress-spinner off --skip-editable \
		> var/pip-audit.txt 2>&1 || status=$$?; \
	if grep -q "known vulnerabilit" var/pip-audit.txt && ! grep -q "No known vulnerabilities" var/pip-audit.txt; then \
		cat var/pip-audit.txt; exit 1; fi; \
	skipped=$$(grep -c "could not be audited" var/pip-audit.txt || true); \
	if [ "$$status" != 0 ] || [ "$$skipped" != 0 ]; then \
		echo "warning: pip-audit could not check every package ($$skipped not found in its" \
			"vulnerability data, exit $$status): see var/pip-audit.txt"; \
	else echo "pip-audit: no known vulnerabilities"; fi

# feedparser's own test corpus (in its sdist, not its wheel) for tests/wire, fetched
# here so that the test run itself needs no network.
corpus: $(STAMP)
	@$(BIN)/python tests/wire/feedparser_corpus.py

# Line coverage of dateline/ ([tool.coverage] in pyproject.toml); `.venv/bin/coverage report`
# shows it file by file afterwards.
pytest: $(STAMP) $(NODE_STAMP) corpus
	$(BIN)/pytest --cov --cov-report=
	@echo "Line coverage of dateline/: $$($(BIN)/coverage report --format=total)%"

clean:
	rm -rf $(VENV) var build *.egg-info node_modules .coverage
