# Two commands do all the set-up (see README): `make lab` and `make test`.
# Both create the virtual environment .venv on first use (Python 3.10 or newer).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.installed
# Unit tests and every notebook run by nbval with its stored outputs compared, two at a time; then the
# browser tests on their own (each starts servers and kernels: they get the cores to themselves).
PYTEST := $(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env -n 2 --dist loadfile \
	--ignore=tests/test_browser.py
BROWSER_TESTS := $(BIN)/python -m pytest tests/test_browser.py -p no:nbval

.PHONY: lab test unit notebooks benchmarks clean lite screenshots paper

$(READY): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "adam_edu needs Python 3.10 or newer, found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(READY)

lab: $(READY)                       ## open the collection in JupyterLab
	$(BIN)/jupyter lab notebooks/00_start_here.ipynb

test: $(READY)                      ## the whole test suite: unit tests, every notebook, the browser
	$(PYTEST)
	$(BROWSER_TESTS)

unit: $(READY)                      ## unit tests only (fast: no notebooks, no browser)
	$(BIN)/python -m pytest tests -p no:nbval -q --ignore=tests/test_browser.py --ignore=tests/test_lite.py

lite: $(READY)                      ## the JupyterLite site in _output/ (static files, Python in the browser)
	$(BIN)/python tools/build_lite.py --output-dir _output

screenshots: $(READY)               ## retake figures/screenshot_*.png (headless Chromium, Voilà)
	ADAM_EDU_SCREENSHOTS=1 ADAM_EDU_REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/test_browser.py -p no:nbval -q -k voila

notebooks: $(READY)                 ## re-execute the stored notebooks in place (maintainers)
	$(BIN)/python tools/execute_notebooks.py notebooks/*.ipynb

paper: $(READY)                     ## the paper's Figures 1-4 in full mode (Fashion-MNIST; about 2 hours; resumes)
	$(BIN)/python -m adam_edu.paper all

benchmarks: $(READY)                ## speed tables, each with its reference measured in the same run
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) .pytest_cache _output
