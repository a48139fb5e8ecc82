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

# The label configs rendered in headless Chromium (Debian's chromium and chromium-driver),
# with screenshots kept out of the repo (BROWSER_CHECK_OUT, default /tmp). Not part of `test`.
BROWSER_CHECK_OUT ?= /tmp/babelforge-browser-check

$(STAMPS)/chromium:
	@mkdir -p $(STAMPS)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		{ apt-get update -q && apt-get install -y -q chromium chromium-driver; }
	@touch $@

.PHONY: check-browser
check-browser: install $(STAMPS)/label-studio $(STAMPS)/chromium
	$(BIN)/python -m tests.browser.check_label_configs --out $(BROWSER_CHECK_OUT)
