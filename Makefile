PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: test demo bench docs clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

demo: $(STAMP)
	$(VENV)/bin/netgrad demo

bench: $(STAMP)
	$(PY) -m pip install -q torch==2.13.0 || echo "PyTorch not installed: netgrad and NumPy only"
	$(PY) benchmarks/run.py

docs: $(STAMP)
	$(PY) -m pip install -q -e '.[docs]'
	$(VENV)/bin/mkdocs build

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
