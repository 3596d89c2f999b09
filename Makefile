# Dateline: `make run` starts the newsroom with demo content, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp

.PHONY: run test lint typecheck pytest browser clean

run: $(STAMP)
	$(BIN)/dateline run

test: $(STAMP) $(NODE_STAMP) browser lint typecheck pytest

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# axe-core (the accessibility tests) and Lighthouse (bench/lighthouse) from the npm
# registry, at the versions package-lock.json pins.
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

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/dateline makemigrations --check --dry-run

typecheck: $(STAMP)
	$(BIN)/mypy dateline

pytest: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var build *.egg-info node_modules
