# Campaign Copilot: `make run` starts the web UI, `make test` runs the whole suite.
# Both create .venv and install on first use, and are quick when already set up.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BRAND ?= brand_kb/harbor_bean
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: install browser ingest run test lint typecheck unit integration lock screenshots bench clean \
	llama-wheels

# llama.cpp's CPU flags, the one place they are chosen. Portable x86-64 (AVX2, FMA, F16C, BMI2):
# no -march=native and no AVX-512 or AMX, so a build made on one CPU runs on every CPU with AVX2,
# and ggml's AMX kernels, which crash on CPUs with AMX, are never compiled. AVX-512 (no AMX) reads
# prompts about 1.5x faster and decodes no faster (docs/benchmarks.md, `bench_llm.py --build`);
# taking that safely needs runtime dispatch between builds, so for now there is one portable path.
# Other flags build another wheel under another stamp.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_CPU_ALL_VARIANTS=OFF -DGGML_BACKEND_DL=OFF \
	-DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
	-DGGML_AVX_VNNI=OFF -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF \
	-DGGML_AVX512_BF16=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLAMA_VERSION := $(shell sed -n 's/^llama_cpp_python==//p' constraints.txt)
LLAMA_ID := $(shell printf '%s %s' '$(LLAMA_VERSION)' '$(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-12)
LLAMA_STAMP := $(VENV)/.llama-$(LLAMA_ID)
# built wheels are kept per version and flags, so a new venv (or CI on the same machine) reuses one
LLAMA_WHEELS ?= $(HOME)/.cache/campaign-copilot/wheels/llama-$(LLAMA_ID)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Compiled from source (never a prebuilt binary) with the flags above; a venv whose llama.cpp was
# built with other flags (or another version) has no stamp for these, so it is rebuilt, not reused.
$(LLAMA_STAMP): | $(BIN)/python
	@rm -f $(VENV)/.llama-*
	@if ! ls $(LLAMA_WHEELS)/llama_cpp_python-*.whl >/dev/null 2>&1; then \
		echo "compiling llama-cpp-python $(LLAMA_VERSION) with portable flags (about 6 minutes on 2 cores)"; \
		rm -rf $(LLAMA_WHEELS).partial && mkdir -p $(LLAMA_WHEELS).partial && \
		CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" FORCE_CMAKE=1 $(BIN)/pip wheel --quiet --no-deps \
			--no-cache-dir --no-binary llama-cpp-python -w $(LLAMA_WHEELS).partial \
			llama-cpp-python==$(LLAMA_VERSION) && \
		rm -rf $(LLAMA_WHEELS) && mv $(LLAMA_WHEELS).partial $(LLAMA_WHEELS); \
	fi
	$(BIN)/pip install --quiet --force-reinstall --no-deps $(LLAMA_WHEELS)/llama_cpp_python-*.whl
	@touch $@

# torch first and pinned: an unpinned torch would pull a multi-GB CUDA build. The install ends by
# running the bundled model once in a child process: a build that crashes on this CPU fails here,
# with one line naming llama.cpp's system info and the fix, not in the middle of the tests.
$(STAMP): pyproject.toml constraints.txt $(LLAMA_STAMP) | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m copilot.llm.selftest
	@touch $(STAMP)

install: $(STAMP)

# where the llama-cpp-python wheel for these flags is kept (tests/test_packaging.py installs it)
llama-wheels:
	@echo $(LLAMA_WHEELS)

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
