# Every target bootstraps what it needs: a virtual environment with the package and its test
# tools, the labextension's npm packages, and (when running as root) Debian's redis-server
# and chromium.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.jupyter_push-installed
PYTEST_ARGS ?=
CHP := tests/hub/node_modules/.bin/configurable-http-proxy

DIST ?= dist

.PHONY: demo test bench lint dist system-deps clean

$(STAMP): pyproject.toml labextension/package.json $(wildcard labextension/src/*.ts labextension/style/* jupyter_push/static/tiles/*.js)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# the build hook skips a labextension built before: its sources changed, so build it again
	rm -rf jupyter_push/labextension
	$(PY) -m pip install --quiet -e '.[test,bench]'
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/jupyter labextension develop --overwrite .
	touch $@

# JupyterHub's proxy for tests/hub (npm); without npm those tests are skipped and say so
$(CHP): tests/hub/package.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd tests/hub && npm install --no-audit --no-fund --loglevel=error && touch node_modules/.bin/configurable-http-proxy; \
	else \
	  echo "npm not found: the JupyterHub tests will be skipped (install Node.js and npm)"; \
	fi

system-deps:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	  else \
	    echo "not root: tests needing$$missing will be skipped (sudo apt-get install$$missing)"; \
	  fi; \
	fi

demo: $(STAMP)
	@echo "Starting JupyterLab with jupyter_push; open the URL printed below (with its token)."
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 $(if $(DISPLAY),,--no-browser) \
	  $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/demo.ipynb

test: $(STAMP) system-deps $(CHP)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/run.py

# the sdist and a wheel holding the prebuilt JupyterLab extension: installs without Node
dist: $(STAMP)
	rm -rf $(DIST)
	$(PY) -m build --no-isolation --sdist --wheel --outdir $(DIST) .

lint: $(STAMP)
	$(VENV)/bin/ruff check jupyter_push tests benchmarks
	$(VENV)/bin/mypy
	cd labextension && PATH="$(abspath $(VENV))/bin:$$PATH" jlpm lint

clean:
	rm -rf $(VENV) build dist
