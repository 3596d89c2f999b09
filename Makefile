# Dateline: `make run` starts the newsroom with demo content, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck pytest browser clean

run: $(STAMP)
	$(BIN)/dateline run

test: $(STAMP) browser lint typecheck pytest

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

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

pytest: $(STAMP)
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var build *.egg-info
