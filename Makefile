# Two commands do all the set-up (see README): `make lab` and `make test`.
# Both create the virtual environment .venv on first use (Python 3.10 or newer).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.installed
# Unit tests and every notebook run by nbval with its stored outputs compared, two at a time; then the
# browser tests on their own (each starts servers and kernels: they get the cores to themselves).
# The notebooks write their figures to a scratch folder (adam_edu.plots.FIGURES), not into figures/.
TEST_FIGURES := ADAM_EDU_FIGURES_DIR=$(CURDIR)/build/test-figures
PYTEST := $(TEST_FIGURES) $(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env -n 2 --dist loadfile \
	--ignore=tests/test_browser.py --ignore=tests/test_first_run.py
BROWSER_TESTS := $(TEST_FIGURES) $(BIN)/python -m pytest tests/test_browser.py tests/test_first_run.py -p no:nbval
# The unit tests and every notebook once more as another CPU computes (CPU=sandybridge, haswell, ...: see
# tools/cpu_personalities.py): a stored output that depends on the CPU fails here first. The browser and
# JupyterLite tests compute nothing that depends on the CPU.
CPU ?= sandybridge
OTHER_CPU_TESTS := $(TEST_FIGURES) $(BIN)/python tools/cpu_personalities.py run $(CPU) -- $(BIN)/python -m pytest tests notebooks \
	--nbval --nbval-current-env -n 2 --dist loadfile --ignore=tests/test_browser.py --ignore=tests/test_first_run.py \
	--ignore=tests/test_lite.py

# The servers of `make lab` and `make app`. PORT (default 8888 for lab, 8866 for app) and IP (default
# 127.0.0.1: this machine only) can be given on the command line: `make lab PORT=8890`, and on a classroom
# server `make lab IP=0.0.0.0` (every interface; JupyterLab keeps its token). NO_BROWSER=1 prints the URL
# and opens no browser (a server, a container, an SSH session).
PORT       ?=
IP         ?= 127.0.0.1
NO_BROWSER ?=
# A port that was asked for is used or the server stops; the default moves on to the next free port.
PORT_RETRIES = $(if $(PORT),0,50)
# `make app` runs one notebook (Voilà's own list of a folder's notebooks logs errors in the browser).
NOTEBOOK   ?= 04_update_rule
APP_NOTEBOOK = $(NOTEBOOK:.ipynb=).ipynb

# The JupyterLite build has an environment of its own: its JupyterLab extension (the Pyodide kernel)
# breaks the JupyterLab of `make lab` (a console error on every page load).
LITE_VENV   := .venv-lite
LITE_READY  := $(LITE_VENV)/.installed
LITE_OUTPUT ?= _output

.PHONY: lab app test test-other-cpu unit notebooks benchmarks clean lite screenshots paper

CHECK_PYTHON = @$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "adam_edu needs Python 3.10 or newer, found " + sys.version.split()[0])'

$(READY): requirements.txt pyproject.toml
	$(CHECK_PYTHON)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@# environments made before requirements-lite.txt existed: the Pyodide kernel's extension breaks JupyterLab
	@$(BIN)/python -m pip uninstall --quiet --yes jupyterlite-pyodide-kernel jupyterlite-core >/dev/null 2>&1 || true
	@# jupytext's JupyterLab extension breaks Voilà's page (a console error, "getter for the shared module");
	@# its server extension, which writes notebooks/py/ when a notebook is saved, is all we use
	$(BIN)/jupyter labextension disable --level=sys_prefix jupyterlab-jupytext >/dev/null
	touch $(READY)

$(LITE_READY): requirements-lite.txt
	$(CHECK_PYTHON)
	test -x $(LITE_VENV)/bin/python || $(PYTHON) -m venv $(LITE_VENV)
	$(LITE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LITE_VENV)/bin/python -m pip install --quiet -r requirements-lite.txt
	touch $(LITE_READY)

# Checks what was given for PORT, then runs the server's command (after exec: Ctrl-C reaches the server).
# JupyterLab refuses to run as root (a container, a cloud VM, a classroom image) unless told --allow-root.
SERVE = @case '$(PORT)' in *[!0-9]*) bad=1;; esac; \
	if [ -n "$$bad" ] || { [ -n '$(PORT)' ] && { [ '$(PORT)' -lt 1 ] || [ '$(PORT)' -gt 65535 ]; }; }; then \
		echo "make $@: PORT must be a whole number from 1 to 65535, got '$(PORT)'" >&2; exit 2; fi; \
	if [ -z '$(IP)' ]; then echo "make $@: IP must be an address to listen on, e.g. 127.0.0.1 or 0.0.0.0" >&2; exit 2; fi; \
	if [ "$$(id -u)" = 0 ]; then allow_root=--allow-root; \
		[ $@ = lab ] && echo "make lab: you are root, so JupyterLab runs with --allow-root"; fi; \
	set -x; exec

# The whole checkout, as on Binder: the notebooks' links to ../figures work, and adam_edu/ is a click away.
lab: $(READY)                       ## open the collection in JupyterLab (PORT=, IP=, NO_BROWSER=1)
	$(SERVE) $(BIN)/jupyter-lab $$allow_root --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb \
		--ip=$(IP) --port=$(or $(PORT),8888) --ServerApp.port_retries=$(PORT_RETRIES) $(if $(NO_BROWSER),--no-browser)

app: $(READY)                       ## a slider notebook as a Voilà app (NOTEBOOK=02_moments; PORT=, IP=, NO_BROWSER=1)
	@test -f 'notebooks/$(APP_NOTEBOOK)' || { echo "make app: there is no notebooks/$(APP_NOTEBOOK); NOTEBOOK is one of:" \
		$(notdir $(basename $(wildcard notebooks/*.ipynb))) >&2; exit 2; }
	$(SERVE) $(BIN)/voila 'notebooks/$(APP_NOTEBOOK)' --Voila.ip=$(IP) --port=$(or $(PORT),8866) \
		--Voila.port_retries=$(PORT_RETRIES) $(if $(NO_BROWSER),--no-browser)

test: $(READY)                      ## the whole test suite: unit tests, every notebook, the browser
	$(PYTEST)
	$(BROWSER_TESTS)

test-other-cpu: $(READY)            ## unit tests and notebooks under another CPU's arithmetic (CPU=sandybridge)
	$(OTHER_CPU_TESTS)

unit: $(READY)                      ## unit tests only (fast: no notebooks, no browser)
	$(BIN)/python -m pytest tests -p no:nbval -q --ignore=tests/test_browser.py --ignore=tests/test_lite.py \
		--ignore=tests/test_first_run.py

lite: $(LITE_READY)                 ## the JupyterLite site in _output/ (static files, Python in the browser; LITE_OUTPUT=)
	$(LITE_VENV)/bin/python tools/build_lite.py --output-dir $(LITE_OUTPUT)

screenshots: $(READY)               ## retake figures/screenshot_*.png (headless Chromium, Voilà)
	ADAM_EDU_SCREENSHOTS=1 ADAM_EDU_REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/test_browser.py -p no:nbval -q -k voila

notebooks: $(READY)                 ## re-execute the stored notebooks in place (maintainers)
	$(BIN)/python tools/execute_notebooks.py notebooks/*.ipynb

paper: $(READY)                     ## the paper's Figures 1-4 in full mode (Fashion-MNIST; 2 core-hours; resumes); JOBS=N workers (default: every core)
	$(BIN)/python -m adam_edu.paper all $(if $(JOBS),--jobs $(JOBS))

benchmarks: $(READY)                ## speed tables, each with its reference measured in the same run
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) $(LITE_VENV) .pytest_cache _output
