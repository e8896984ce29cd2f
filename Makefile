# `make demo`, `make test` and `make docs` each build the virtual environment
# they need. `make test` builds the docs too: a browser test reads the site.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test docs lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,all,docs]"
	rm -f $(VENV)/.installed-*
	touch $@

demo: $(STAMP)
	$(BIN)/sklearn-difficulty demo --out demo-output --overwrite

test: $(STAMP)
	$(BIN)/ruff check sklearn_difficulty tests examples benchmarks docs/*.py
	$(BIN)/ruff format --check sklearn_difficulty tests examples benchmarks docs/*.py
	$(BIN)/mypy
	$(MAKE) docs
	$(BIN)/python -m pytest

# The site: warnings are errors, every example of the gallery runs, nothing
# is fetched from the network. Open docs/_build/html/index.html.
docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -b html -d docs/_build/doctrees docs docs/_build/html

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_adaboost.py
	$(BIN)/python benchmarks/bench_skorch.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis demo-output
	rm -rf docs/_build docs/generated docs/auto_examples docs/api.rst docs/sg_execution_times.rst
