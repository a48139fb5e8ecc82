# Label Studio for the gold-check tests, in its own virtualenv: label-studio pins versions of
# django, openai and others that conflict with prefect's dependencies in the main venv.
# The first install takes a few minutes; the stamp makes repeats free.

LS_VENV := .venv-ls
LS_BIN := $(LS_VENV)/bin
LABEL_STUDIO_VERSION ?= 1.23.*

$(STAMPS)/label-studio: mk/labelstudio.mk
	@mkdir -p $(STAMPS)
	@test -x $(LS_BIN)/python || $(PY) -m venv $(LS_VENV)
	@echo ">>> installing label-studio $(LABEL_STUDIO_VERSION) into $(LS_VENV) (a few minutes the first time)"
	$(LS_BIN)/python -m pip install -q -U pip wheel
	$(LS_BIN)/python -m pip install -q 'label-studio==$(LABEL_STUDIO_VERSION)'
	@touch $@

services: $(STAMPS)/label-studio

# The label configs rendered in headless Chromium (Debian's chromium and chromium-driver,
# installed with apt-get when missing), with screenshots kept out of the repo
# (BROWSER_CHECK_OUT, default /tmp). Not part of `test` (it needs a browser); .ci/run runs it.
BROWSER_CHECK_OUT ?= /tmp/babelforge-browser-check
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)
CHROMIUM_HELP := install Debian's chromium and chromium-driver yourself (apt-get install chromium chromium-driver) and run make check-browser again

.PHONY: chromium check-browser
chromium:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ] && [ -z "$(SUDO)" ]; then \
	  echo ">>> chromium or chromedriver is missing and apt-get needs root: $(CHROMIUM_HELP)"; exit 1; fi; \
	if ! command -v apt-get >/dev/null; then \
	  echo ">>> chromium or chromedriver is missing and there is no apt-get: $(CHROMIUM_HELP)"; exit 1; fi; \
	echo ">>> installing chromium and chromium-driver with apt-get (a few minutes the first time)"; \
	{ $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q \
	    --no-install-recommends chromium chromium-driver; } >$(STAMPS)/chromium-install.log 2>&1 || { \
	  tail -n 15 $(STAMPS)/chromium-install.log; \
	  echo ">>> apt-get could not install chromium and chromium-driver (log: $(STAMPS)/chromium-install.log): $(CHROMIUM_HELP)"; \
	  exit 1; }; \
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  echo ">>> apt-get ran but chromium or chromedriver is still not on PATH: $(CHROMIUM_HELP)"; exit 1; }

check-browser: install $(STAMPS)/label-studio chromium
	$(BIN)/python -m tests.browser.check_label_configs --out $(BROWSER_CHECK_OUT)
