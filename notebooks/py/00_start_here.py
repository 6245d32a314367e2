# %% [markdown]
# # 00 · Start here
#
# **adam_edu** teaches the Adam optimizer (Kingma & Ba, *Adam: A Method for Stochastic Optimization*, ICLR 2015)
# one idea at a time, in notebooks that are stories with figures, beside a small NumPy library, `adam_edu`,
# whose code reads like the paper's Algorithm 1. This page is the map: what is where, in which order to read it,
# how to teach from it, how to use the slider experiments, and how to check that it all still works.
#
# There are three ways to use the collection:
#
# - **Read it.** Every notebook is stored with its outputs, so GitHub or any notebook viewer shows the text,
#   the figures and the numbers without running anything. Slider experiments show a still picture there.
# - **Run it.** `make lab` opens it in JupyterLab; change a number and run again. The exercises at the end of
#   each notebook check your answers.
# - **Play with the sliders.** Notebooks 02–05 and 11 each have a *slider experiment*: a figure that is recomputed
#   as you move its sliders. Each states the question it answers and what to look for. They need a running
#   Python kernel (your laptop, Binder, or JupyterLite in the browser), or run as standalone apps in Voilà.

# %% [markdown]
# ## The map
#
# | | notebook | what it teaches | slider experiment |
# |---|---|---|---|
# | 00 | [Start here](00_start_here.ipynb) | this map | |
# | 01 | [The cubic example](01_cubic_example.ipynb) | the classic Keras snippet reproduced, every digit of 1.3325516 explained; Algorithm 1 line by line | |
# | 02 | [Moments](02_moments.ipynb) | the moving averages $m_t$ and $v_t$: what they weigh and estimate, why $\beta_2 \gg \beta_1$, $\hat m/\sqrt{\hat v}$ as a signal-to-noise ratio | β1, β2 and the noise level |
# | 03 | [Bias correction](03_bias_correction.ipynb) | why Adam divides by $1-\beta^t$: the derivation, a Monte Carlo check, how long the bias lasts, what it does to the first steps | β1, β2, the correction on/off, the step |
# | 04 | [The update rule](04_update_rule.ipynb) | a step per parameter of about $\alpha$, its bound and exception, scale invariance, where ε goes, RMSProp/AdaGrad/AdaMax as relatives | every hyper-parameter on a 2-D path |
# | 05 | [The optimizer zoo](05_optimizer_zoo.ipynb) | fair races of every optimizer on four landscapes, and popular claims tested | start point, steps, learning rates |
# | 06 | [When Adam fails](06_when_adam_fails.ipynb) | the Reddi et al. counterexample and AMSGrad, Adam + L2 vs AdamW, RAdam and warm-up, bad α and ε | |
# | 07 | [Paper Figure 1](07_paper_fig1_logistic_regression.ipynb) | the paper's §6.1, logistic regression on images and on sparse features with dropout: the protocol (same start, stated grids, best setting), $f - f^*$ from a tight solve, which claims held | |
# | 08 | [Paper Figure 2](08_paper_fig2_mlp.ipynb) | the paper's §6.2, the 784-1000-1000-10 MLP with dropout, five optimizers; how sensitive each is to its step size | |
# | 09 | [Paper Figure 3](09_paper_fig3_cnn.ipynb) | the paper's §6.3, a CNN with and without dropout: the first epochs and the long run, and where Adam's $\hat v_t$ is really below ε | |
# | 10 | [Paper Figure 4](10_paper_fig4_bias_correction.ipynb) | the paper's §6.4, bias correction in a VAE over 30 settings of β1, β2 and α (60 runs, with and without it): why it blows up without, and why it can look better without at small α | |
# | 11 | [Adam in practice](11_adam_in_practice.ipynb) | using Adam well: tuned against SGD with momentum on held-out data over seeds (Wilson et al., 2017), schedules and warm-up, a learning-rate range test, AdamW's λ against α, clipping, batch size, and a recipe its results support | schedule shape and warm-up length |
# | 12 | [After Adam](12_after_adam.ipynb) | Adafactor, Lion, schedule-free AdamW and Muon, each in code beside its paper; races with Adam and AdamW; the memory each optimizer keeps per parameter, measured | |
#
# The cell below reads the folder, so the map cannot drift from what is really here: each notebook's title
# comes from its first cell.

# %%
import json
from pathlib import Path

MAP = [
    "00_start_here", "01_cubic_example", "02_moments", "03_bias_correction", "04_update_rule",
    "05_optimizer_zoo", "06_when_adam_fails", "07_paper_fig1_logistic_regression", "08_paper_fig2_mlp",
    "09_paper_fig3_cnn", "10_paper_fig4_bias_correction", "11_adam_in_practice", "12_after_adam",
]


def title(path: Path) -> str:
    # the first line of the notebook's first Markdown cell, without the leading '# '
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    first = next(cell for cell in cells if cell["cell_type"] == "markdown")
    return "".join(first["source"]).splitlines()[0].lstrip("# ")


here = {path.stem: path for path in Path(".").glob("[0-9][0-9]_*.ipynb")}
lines = [f"{name:36s} {title(here[name]) if name in here else '(not written yet)'}" for name in MAP]
lines += [f"{name:36s} {title(here[name])}  <- not on the map: add it" for name in sorted(set(here) - set(MAP))]
print("\n".join(lines))

# %% [markdown]
# ## Algorithm 1 at a glance
#
# The paper's algorithm, with its defaults α = 0.001, β1 = 0.9, β2 = 0.999, ε = 10⁻⁸. Every operation on
# vectors is element by element ($g_t^2$ is $g_t \odot g_t$), so each parameter gets a step of its own.
#
# | line | what it is | taught in |
# |---|---|---|
# | m₀ ← 0, v₀ ← 0, t ← 0 | both moments start at zero: the source of their bias | [03](03_bias_correction.ipynb) |
# | t ← t + 1;  g_t ← ∇θ f_t(θ_{t−1}) | $g_t$ is the gradient of the objective at step t, taken at the current parameters (in training, of one minibatch's loss) | [01](01_cubic_example.ipynb) |
# | m_t ← β1·m_{t−1} + (1 − β1)·g_t | first moment: a moving average of the gradients, over about 1/(1 − β1) = 10 steps | [02](02_moments.ipynb) |
# | v_t ← β2·v_{t−1} + (1 − β2)·g_t² | second moment: a moving average of the squared gradients, over about 1000 steps | [02](02_moments.ipynb) |
# | m̂_t ← m_t/(1 − β1^t),  v̂_t ← v_t/(1 − β2^t) | bias correction: undoes the pull towards the zero start | [03](03_bias_correction.ipynb) |
# | θ_t ← θ_{t−1} − α·m̂_t/(√v̂_t + ε) | the update: a step of about α per parameter, whatever the gradient's scale | [04](04_update_rule.ipynb) |
#
# In code it is `adam_edu.optimizers.Adam.update_array`, one commented line per line above. Libraries differ in
# where they put ε ([04](04_update_rule.ipynb)): PyTorch and Optax as above; Keras, TensorFlow and the paper's §2 "ε̂" form
# use α_t = α·√(1 − β2^t)/(1 − β1^t) and divide m_t by √v_t + ε̂.

# %% [markdown]
# ## A first reading
#
# About five hours, in this order; each notebook takes 20–40 minutes and ends with a summary and exercises.
#
# 1. **01 The cubic example.** Algorithm 1 on a one-dimensional function, number by number. Keep the paper
#    open beside `adam_edu/optimizers.py`: `Adam.update` is the algorithm box, line for line.
# 2. **02 Moments**, then **03 Bias correction**: the two running averages and why they are divided by
#    $1-\beta^t$. Move each one's sliders before reading its summary.
# 3. **04 The update rule**: why the step is about $\alpha$ per parameter, whatever the gradient's size.
# 4. **05 The optimizer zoo**: Adam beside its relatives on four landscapes, in fair races.
# 5. **06 When Adam fails**: the limits, after the strengths; it builds on 05's races and optimizers.
# 6. **07–10**, the paper's own experiments (Figures 1–4), with the numbers the paper reports beside ours.
# 7. **11 Adam in practice**: held-out data, schedules, warm-up, choosing α, weight decay; then **12 After Adam**:
#    what people use instead today, and what each costs in memory.
#
# **10 Paper Figure 4** is the paper's experiment on bias correction; if you want it while 03 and 04 are fresh, read
# it right after them, before 05.
#
# If you know Adam already and want the surprises first: 01's last table, 04 "Where does ε go?", 06.

# %% [markdown]
# ## Teaching from it
#
# The stored figures work as slides: present from JupyterLab in *Simple* mode (View → Simple Interface), or
# open the `figures/` folder. Run the slider experiments live; give out a Binder or JupyterLite link (below)
# so that students can move them too.
#
# **A 50-minute lecture**
#
# | minutes | notebook | what to show |
# |---|---|---|
# | 0–5 | 01 | the snippet and its number 1.3325516; the question: what does Adam compute? |
# | 5–15 | 01 | Algorithm 1 on the board, the first steps table: step 1 is almost exactly α |
# | 15–25 | 02 | a leaky average and its memory $1/(1-\beta)$; **slider**: β2 and the noise level |
# | 25–33 | 03 | why divide by $1-\beta^t$; **slider**: switch the correction off at β2 = 0.999 |
# | 33–45 | 04 | a step of about α per parameter, scale invariance; **slider**: lr and ε on Rosenbrock |
# | 45–50 | 06 | one picture: Adam + L2 is not AdamW; exercises as homework |
#
# **A 90-minute lecture** (two 40-minute halves and a break)
#
# | minutes | notebook | what to show |
# |---|---|---|
# | 0–10 | 01 | the snippet, Algorithm 1, the first steps; why Keras prints a different last digit (ε̂) |
# | 10–25 | 02 | the moments on a noisy stream, β2 ≫ β1, $\hat m/\sqrt{\hat v}$ as signal-to-noise; **slider** |
# | 25–40 | 03 | the derivation $\mathbb E[v_t] = (1-\beta_2^t)\,\mathbb E[g^2]$, the Monte Carlo check; **slider** |
# | 40–50 | | break; students open the Binder or JupyterLite link and try one exercise |
# | 50–62 | 04 | per-parameter steps, the bound and its exception, where ε goes; **slider** |
# | 62–72 | 05 | the race and its rules; **slider**: does the picture survive another start? |
# | 72–85 | 06 | the Reddi counterexample and AMSGrad, AdamW, warm-up |
# | 85–90 | 10 | the paper's Figure 4: bias correction where it matters; what to read next |

# %% [markdown]
# ## Running the slider experiments
#
# A slider experiment recomputes its figure in Python each time a slider moves, so it needs a running kernel.
# On GitHub or nbviewer you see the picture it showed when the notebook was stored.
#
# - **In JupyterLab** (your computer): `make lab`, open a notebook, *Run → Run All Cells*, scroll to the
#   experiment and move a slider with the mouse, or click its handle and use the arrow keys.
# - **As an app, in Voilà**: `make app` serves notebook 04 as a page with its text, figures and sliders but no
#   code, at http://127.0.0.1:8866/ (`make app NOTEBOOK=02_moments` serves another; see the README's *Quick
#   start*). On Binder, the same page is at `…/voila/render/notebooks/04_update_rule.ipynb`.
# - **For a class, on Binder**: the Binder link in the README starts the whole collection on mybinder.org, with
#   nothing to install; each student gets their own temporary server (it stops after some idle minutes and
#   keeps nothing).
# - **For a class, in JupyterLite**: `make lite` builds a static web site (`_output/`) that runs Python in the
#   browser (Pyodide); put it on any static host, such as GitHub Pages, and a class of any size runs the
#   notebooks with no server. The first cell of each notebook there installs `adam_edu` into
#   the browser's Python. The in-browser Python (Pyodide, NumPy, matplotlib) is downloaded from a CDN on first
#   use, so it needs the network; see the README for what is and is not checked.
#
# The experiments draw their figure once and redraw only what moves, so a slider step is quick; the README's
# *Speed* section gives the measured times.

# %% [markdown]
# ## Running the tests
#
# `make test` (from the repository's top folder) creates `.venv` if needed and runs everything:
#
# - the unit tests of `adam_edu`, including trajectories checked against PyTorch and Keras (`tests/data/`);
# - every notebook under nbval: each is re-run and its stored outputs compared, so a stored number that no
#   longer comes out of the code fails;
# - the browser tests (`tests/test_browser.py`): headless Chromium opens each slider notebook in JupyterLab,
#   runs all cells, moves a slider as a person would and checks that the figure changed with no error; then
#   the same in Voilà. Without Chromium (`apt-get install chromium`) they are skipped; CI always runs them;
# - the JupyterLite build (`tests/test_lite.py`): the static site builds offline and contains every notebook
#   and `adam_edu`.
#
# `make unit` runs the unit tests alone, in seconds.

# %% [markdown]
# ## What `adam_edu` contains
#
# The notebooks import everything from `adam_edu`; the folder listing reads like the table of contents of the
# collection. Each module and subpackage, with the first line of its docstring (read from the source, without
# importing anything):

# %% tags=["nbval-ignore-output"]
import ast

import adam_edu

package = Path(adam_edu.__file__).parent
modules = {path.stem: path for path in package.glob("*.py") if path.name != "__init__.py"}
modules |= {path.parent.name: path for path in package.glob("*/__init__.py")}  # subpackages
modules |= {f"lessons.{path.parent.name}": path for path in package.glob("lessons/*/__init__.py")}  # one per notebook
lines = []
for name, path in sorted(modules.items()):
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    lines.append(f"adam_edu.{name:24s} {docstring.splitlines()[0] if docstring else ''}")
print("\n".join(lines))

# %% [markdown]
# Start with `adam_edu.optimizers`: `Adam.update` is Algorithm 1, and every other optimizer is a few lines
# beside it. Then **[01 The cubic example](01_cubic_example.ipynb)**.
