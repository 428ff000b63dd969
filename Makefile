PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python

.PHONY: test test-gpu demo bench docs lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# each stamp records that an extra is installed; it is redone when pyproject.toml changes
$(VENV)/.dev: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

$(VENV)/.demo: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[plot,datasets]'
	touch $@

$(VENV)/.docs: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[docs]'
	touch $@

test: $(VENV)/.dev
	$(PY) -m pytest

# on a machine with an NVIDIA GPU: the gpu-marked tests, the CuPy kernel tests, and the GPU benchmark table
test-gpu: $(VENV)/.dev
	$(PY) -m pip install -q -e '.[cuda]' torch==2.13.0
	$(PY) -m pytest -m gpu tests
	$(PY) -m pytest tests/nn/test_conv_gpu.py
	$(PY) benchmarks/gpu.py

demo: $(VENV)/.demo
	$(VENV)/bin/netgrad demo

# make bench BENCH_ARGS="--quick"; BENCH_ARGS="--threads 1,4,16" for the thread table (see benchmarks/README.md)
bench: $(VENV)/.dev
	$(PY) -m pip install -q torch==2.13.0 || echo "PyTorch not installed: netgrad and NumPy only"
	$(PY) benchmarks/run.py $(BENCH_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

docs: $(VENV)/.docs
	$(VENV)/bin/mkdocs build --strict

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache site
