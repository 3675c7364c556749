# The two set-up commands of the README:
#   make run   install everything, build the index, start server + widget demo + console
#   make test  install everything (system packages too), lint, run the whole test suite
VENV ?= .venv
export HF_HUB_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
export TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS=

.PHONY: run test lint install install-dev bench

install:
	scripts/setup.sh

install-dev:
	scripts/setup-system.sh
	scripts/setup.sh --dev

run: install
	$(VENV)/bin/privacybot ingest
	$(VENV)/bin/privacybot serve

lint: install-dev
	$(VENV)/bin/ruff check .

test: install-dev lint
	$(VENV)/bin/python -m pytest

bench: install-dev
	$(VENV)/bin/privacybot eval --suite all
