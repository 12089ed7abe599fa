# Campaign Copilot: `make run` starts the web UI, `make test` runs the whole suite.
# Both create .venv and install on first use, and are quick when already set up.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BRAND ?= brand_kb/harbor_bean
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: install browser ingest run test lint typecheck unit integration lock screenshots bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch first and pinned: an unpinned torch would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the end-to-end browser tests (Playwright drives it; never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

ingest: install
	$(BIN)/copilot kb ingest $(BRAND)

run: ingest
	$(BIN)/streamlit run ui/app.py --server.address $(HOST) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

lint: install
	$(BIN)/ruff check copilot ui tests benchmarks scripts
	$(BIN)/ruff format --check copilot ui tests benchmarks scripts

typecheck: install
	$(BIN)/mypy copilot

test: install browser lint typecheck
	$(BIN)/python -m pytest -q

unit: install
	$(BIN)/python -m pytest -q -m "not integration"

integration: install
	$(BIN)/python -m pytest -q -m integration

# one PNG of every page into docs/screenshots/ (real app, real embedded model, headless Chromium)
screenshots: install browser
	$(BIN)/python scripts/screenshots.py --out docs/screenshots

bench: install
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

lock: install
	@echo '# Versions CI tested: `make install` installs with `-c constraints.txt`. Regenerate with `make lock`.' > constraints.txt
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e' >> constraints.txt

clean:
	rm -rf $(VENV) .copilot .pytest_cache .mypy_cache .ruff_cache
