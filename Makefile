# Two commands for a fresh machine: `make chat` and `make test`.
# Each creates its own virtual environment in .venv and installs the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install chat test system-tools docs bench bench-bot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

chat: $(STAMP)
	$(BIN)/intake chat

# The report test renders in headless Chromium and the QR test decodes with zbarimg: Debian's
# packages, installed here when missing (as root); without root the tests try, then skip.
SYSTEM_TOOLS := chromium zbarimg
system-tools:
	@for tool in $(SYSTEM_TOOLS); do command -v $$tool >/dev/null || missing=1; done; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium zbar-tools >/dev/null; \
	fi

test: $(STAMP) system-tools
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

docs: $(STAMP)
	$(BIN)/intake docs --write

bench: $(STAMP)
	$(BIN)/python -m bench.engine
	$(BIN)/python -m bench.storage

bench-bot: $(STAMP)
	$(BIN)/python -m bench.bot --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
