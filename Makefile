# Two commands for a fresh machine: `make chat` and `make test`.
# Each creates its own virtual environment in .venv and installs the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install chat test system-tools docs bench bench-bot crisis-model clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

chat: $(STAMP)
	$(BIN)/intake chat

# The report and review tests render in headless Chromium, the QR tests decode with zbarimg
# (the poster after pdftoppm), the service test verifies the systemd unit: Debian's packages,
# installed here when missing (as root); without root the tests try, then skip.
SYSTEM_TOOLS := chromium zbarimg pdftoppm systemd-analyze
SYSTEM_PACKAGES := chromium zbar-tools poppler-utils systemd
system-tools:
	@for tool in $(SYSTEM_TOOLS); do command -v $$tool >/dev/null || missing=1; done; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; \
	fi

test: $(STAMP) system-tools
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

docs: $(STAMP)
	$(BIN)/intake docs --write
	$(BIN)/python -m scripts.rules_doc --write

bench: $(STAMP)
	$(BIN)/python -m bench.engine
	$(BIN)/python -m bench.storage
	$(BIN)/python -m bench.safety
	$(BIN)/python -m bench.scrub

# The second reader of crisis detection, retrained from tests/data (scikit-learn, the `train`
# extra, is needed here only): run after changing the corpora; a test says when it is stale.
crisis-model: $(STAMP)
	$(BIN)/pip install --quiet -e '.[train]'
	$(BIN)/python -m scripts.train_crisis_model

bench-bot: $(STAMP)
	$(BIN)/python -m bench.bot --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
