r"""Notebook 11, Adam in practice: tuned comparisons on a held-out split, schedules, AdamW's λ, clipping, batch size.

Two modes, as the paper's figures (``adam_edu.paper``): ``quick`` trains a 64-64-10 MLP on scikit-learn's digits in
float64, live in the notebook; ``full`` trains a 784-256-10 MLP on Fashion-MNIST in float32 from the command line
(``python -m adam_edu.lessons.in_practice full``), with progress and resume, into ``figures/in_practice/``. Both
use the same code: ``Runner`` trains a ``Config`` on the mode's ``Split`` (or reads it from the store).

The experiments, each a function of a ``Runner``:

* ``tuned_comparison`` — Adam against SGD with momentum, each at its best step size of a stated grid (chosen on the
  validation split by ``SELECTION_RULE``), then trained again from other seeds: training and held-out loss and
  accuracy, the generalisation gap, and ``wilson_verdict``: did Wilson et al. (2017)'s claim hold here?
* ``first_steps`` — ‖Δθ_t‖ over the first steps with and without warm-up, beside RAdam and Adam without bias
  correction (notebooks 03 and 06);
* ``range_test`` — Smith (2017)'s learning-rate range test and ``read_range_test``;
* ``weight_decay_grid`` — AdamW's λ against α in both parameterisations (PyTorch's λ·α, the paper's λ·η_t);
* ``clipping`` and ``batch_sizes`` — two small measured experiments;
* ``schedule_runs`` — Adam under every schedule shape × warm-up length (the slider's data).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from adam_edu import data
from adam_edu.lessons.in_practice.training import (
    SELECTION_RULE,
    TWIN_PERTURBATION,
    UNSTABLE,
    Config,
    Split,
    make_split,
    train,
    shown,
    twin_gaps,
    validation_score,
)
from adam_edu.paper.training import Progress, ResultStore, significant
from adam_edu.plots import REPOSITORY_FIGURES

__all__ = [
    "shown", "MODES", "SIZES", "STORED", "SELECTION_RULE", "load_split", "Runner", "stored_runner",
    "GRIDS", "tuned_comparison", "summarise", "wilson_verdict",
    "first_steps", "range_test", "read_range_test", "smoothed",
    "WEIGHT_DECAY_GRID", "weight_decay_grid", "best_per_row",
    "clipping", "BATCH_GRID", "batch_sizes", "SCHEDULE_WARMUPS", "schedule_runs", "recipe_checks",
]

MODES = ("quick", "full")

# What each mode trains: the data, the network, the minibatch, the epochs of a run, the seeds of the tuned runs
SIZES = {
    "quick": {"dataset": "digits", "hidden": (64,), "batch_size": 32, "epochs": 20, "seeds": (0, 1, 2, 3, 4),
              "validation": 360, "test": 360},
    "full": {"dataset": "Fashion-MNIST", "hidden": (256,), "batch_size": 128, "epochs": 12, "seeds": (0, 1, 2, 3, 4),
             "validation": 10000, "test": None},  # the test split is Fashion-MNIST's own 10,000 images
}
STORED = REPOSITORY_FIGURES / "in_practice"  # full mode's results file: STORED / "full.json"
if not STORED.is_dir() and (Path.cwd().parent / "figures" / "in_practice").is_dir():
    STORED = Path.cwd().parent / "figures" / "in_practice"  # adam_edu installed from a wheel (JupyterLite)


def _check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    return mode


def load_split(mode: str, data_dir=None) -> Split:
    """The mode's data, split into training, validation and test parts (split seed 0).

    quick: the 1,797 digits, 360 held out for validation and 360 for test; full: Fashion-MNIST's 60,000 training
    images, 10,000 held out for validation, and its 10,000 test images as the test split.
    """
    sizes = SIZES[_check_mode(mode)]
    if mode == "quick":
        x, y = data.load_digits()
        return make_split("digits", x, y, validation=sizes["validation"], test=sizes["test"], dtype=np.float64)
    x, y = data.load_mnist("fashion", "train", data_dir)
    x_test, y_test = data.load_mnist("fashion", "test", data_dir)
    return make_split("Fashion-MNIST", x, y, validation=sizes["validation"], x_test=x_test, y_test=y_test,
                      dtype=np.float32)


class Runner:
    """Trains configs of one mode on its split, keeping every run in a ``ResultStore`` (in memory for quick mode,
    a JSON file for full mode: an interrupted run resumes, finished runs are never trained again)."""

    def __init__(self, mode: str, *, path: Optional[Path] = None, restart: bool = False, progress: bool = False,
                 split: Optional[Split] = None, data_dir=None, read_only: bool = False,
                 twins: Optional[bool] = None):
        self.mode = _check_mode(mode)
        self.sizes = SIZES[mode]
        self._split, self.data_dir = split, data_dir
        protocol = {"lesson": "11 Adam in practice", "mode": mode,
                    **{k: list(v) if isinstance(v, tuple) else v for k, v in self.sizes.items()}}
        self.store = ResultStore(path, "in_practice", protocol, restart=restart)
        self.progress = progress
        self.read_only = read_only
        # quick mode prints its runs, and nbval compares them on any CPU: each run is trained twice (its twin)
        self.twins = mode == "quick" if twins is None else twins
        self.trained = 0  # runs trained in this session (not read from the store)

    @property
    def split(self) -> Split:
        if self._split is None:
            self._split = load_split(self.mode, self.data_dir)
        return self._split

    def config(self, optimizer: str, lr: float, **options) -> Config:
        """A config at the mode's network, minibatch and epochs unless ``options`` say otherwise."""
        defaults = {"hidden": self.sizes["hidden"], "batch_size": self.sizes["batch_size"], "epochs": self.sizes["epochs"]}
        hyper = tuple(sorted(options.pop("hyper", {}).items()))
        return Config(optimizer, float(lr), hyper=hyper, **{**defaults, **options})

    def run(self, panel: str, config: Config) -> dict:
        curve = self.store.get(panel, config.key)
        if curve is None and self.read_only:
            raise LookupError(f"{panel}: {config.key} is not in the stored results {self.store.path}; run "
                              "`python -m adam_edu.lessons.in_practice full` to train it")
        if curve is None:
            bar = Progress(config.epochs, self.progress, f"{panel}: {config.key}")
            try:  # one BLAS thread: these matrices are small, and threads would only fight over the shared cores
                with threadpool_limits(limits=1, user_api="blas"):
                    curve = train(self.split, config, on_epoch=lambda epoch: bar.advance())
                    if self.twins:
                        twin = train(self.split, config, perturbation=TWIN_PERTURBATION)
                        gaps = twin_gaps(curve, twin)
                        curve["twin_gaps"] = [significant(gap, 3) for gap in gaps]  # None for +inf
                        curve["unstable"] = not max(gaps) <= UNSTABLE
            finally:
                bar.close()
            self.store.put(panel, config.key, curve)
            self.trained += 1
        return curve

    def runs(self, panel: str, configs: Sequence[Config]) -> list[tuple[Config, dict]]:
        return [(config, self.run(panel, config)) for config in configs]


def stored_runner(path: Optional[Path] = None) -> Runner:
    """Full mode's stored results, as the notebook reads them: a run missing from the file raises, nothing trains."""
    path = STORED / "full.json" if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no stored full-mode results; make them with "
                                "`python -m adam_edu.lessons.in_practice full`")
    return Runner("full", path=path, read_only=True)


# ---------------------------------------------------------------------------------------------
# 1. Adam against SGD with momentum at their tuned settings, held-out split, several seeds

GRIDS = {  # the peak step sizes tried, in half-decades; both on a cosine schedule to 0, as Wilson et al. decayed α
    "quick": {"Adam": (1e-3, 3e-3, 1e-2, 3e-2, 1e-1), "SGD + momentum": (3e-3, 1e-2, 3e-2, 1e-1, 3e-1)},
    "full": {"Adam": (1e-4, 3e-4, 1e-3, 3e-3, 1e-2), "SGD + momentum": (1e-2, 3e-2, 1e-1, 3e-1, 1.0)},
}
COMPARISON_SCHEDULE = "cosine"


def tuned_comparison(runner: Runner) -> dict:
    """Grid search on seed 0, the best step size of each optimizer by ``SELECTION_RULE``, then every seed.

    Returns ``{optimizer: {"grid": [(lr, curve)], "best_lr", "on_edge", "seeds": [curve per seed]}}``.
    """
    found = {}
    for name, rates in GRIDS[runner.mode].items():
        grid = [(lr, runner.run("tuned", runner.config(name, lr, schedule=COMPARISON_SCHEDULE))) for lr in rates]
        best_lr, _ = min(grid, key=lambda item: validation_score(item[1]))
        seeds = [runner.run("tuned", runner.config(name, best_lr, schedule=COMPARISON_SCHEDULE, seed=seed))
                 for seed in runner.sizes["seeds"]]
        found[name] = {"grid": grid, "best_lr": best_lr, "on_edge": best_lr in (rates[0], rates[-1]), "seeds": seeds}
    return found


def summarise(curves: Sequence[dict]) -> dict[str, tuple[float, float]]:
    """Mean and standard deviation (ddof=1) over seeds of the last epoch's losses and accuracies, and of the
    generalisation gaps: accuracy gap = training − test accuracy, loss gap = test − training loss."""
    columns = {name: np.array([c[name][-1] for c in curves], dtype=float)
               for name in ("train_loss", "train_acc", "val_loss", "val_acc", "test_loss", "test_acc")}
    columns["acc_gap"] = columns["train_acc"] - columns["test_acc"]
    columns["loss_gap"] = columns["test_loss"] - columns["train_loss"]
    return {name: (float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0) for name, v in columns.items()}


def wilson_verdict(adam: Sequence[float], sgd: Sequence[float]) -> tuple[str, float, float]:
    """Wilson et al. (2017): the tuned non-adaptive method reaches a better test accuracy than the tuned adaptive one.

    ``adam``, ``sgd``: the test accuracies over seeds. The difference of the means d = mean(SGD) − mean(Adam) is
    compared with its noise, two standard errors 2·√(s²_Adam/n + s²_SGD/n): "held" if d > noise, "did not hold"
    if d < −noise (Adam better), else "within noise". Returns (verdict, d, noise).
    """
    adam, sgd = np.asarray(adam, dtype=float), np.asarray(sgd, dtype=float)
    if len(adam) < 2 or len(sgd) < 2:
        raise ValueError(f"need at least 2 seeds per optimizer to measure noise, got {len(adam)} and {len(sgd)}")
    difference = float(sgd.mean() - adam.mean())
    noise = 2 * math.sqrt(adam.var(ddof=1) / len(adam) + sgd.var(ddof=1) / len(sgd))
    verdict = "held" if difference > noise else "did not hold" if difference < -noise else "within noise"
    return verdict, difference, noise


# ---------------------------------------------------------------------------------------------
# 2. Warm-up and the first steps (quick mode)

FIRST_STEPS = 100
WARMUP_LR = 1e-2


def first_steps(runner: Runner, lr: float = WARMUP_LR, warmup: int = FIRST_STEPS) -> dict[str, list[float]]:
    """‖Δθ_t‖ over the first ``FIRST_STEPS`` steps at step size ``lr``: Adam, Adam with ``warmup`` steps of linear
    warm-up, RAdam (06) and Adam without bias correction (03). Three epochs are trained; only the steps are kept."""
    variants = {
        "Adam": runner.config("Adam", lr, epochs=3, step_sizes=FIRST_STEPS),
        f"Adam, {warmup} steps of warm-up": runner.config("Adam", lr, epochs=3, step_sizes=FIRST_STEPS, warmup_steps=warmup),
        "RAdam": runner.config("RAdam", lr, epochs=3, step_sizes=FIRST_STEPS),
        "Adam (no bias correction)": runner.config("Adam (no bias correction)", lr, epochs=3, step_sizes=FIRST_STEPS),
    }
    return {name: runner.run("first steps", config)["step_norms"] for name, config in variants.items()}


# ---------------------------------------------------------------------------------------------
# 3. The learning-rate range test (Smith, 2017)

RANGE = (1e-5, 1.0)
RANGE_EPOCHS = 6


def range_test(runner: Runner, optimizer: str = "Adam", lr_range: tuple[float, float] = RANGE) -> tuple[np.ndarray, np.ndarray]:
    """One run whose α_t grows exponentially from ``lr_range[0]`` to ``lr_range[1]``; returns (α_t, minibatch loss)."""
    from adam_edu.schedules import exponential_range

    config = runner.config(optimizer, lr_range[0], epochs=RANGE_EPOCHS, lr_range=lr_range)
    curve = runner.run("range test", config)
    losses = np.array(curve["batch_loss"], dtype=float)
    rates = exponential_range(np.arange(1, len(losses) + 1), *lr_range, curve["steps"] if curve["diverged_at"] is None
                              else RANGE_EPOCHS * -(-len(runner.split.y_train) // config.batch_size))
    return rates, losses


def smoothed(losses: np.ndarray, beta: float = 0.9) -> np.ndarray:
    """The bias-corrected exponential moving average of notebooks 02–03: m̂_t = m_t/(1 − β^t)."""
    m, out = 0.0, np.empty(len(losses))
    for t, loss in enumerate(losses, start=1):
        m = beta * m + (1 - beta) * loss
        out[t - 1] = m / (1 - beta**t)
    return out


def read_range_test(rates: np.ndarray, losses: np.ndarray, blow_up: float = 4.0) -> dict[str, float]:
    """How to read a range test: smooth the loss, then find

    * ``steepest``: the α where the smoothed loss falls fastest per decade of α;
    * ``minimum``: the α of the lowest smoothed loss;
    * ``blow_up``: the first α after the minimum where the smoothed loss exceeds ``blow_up`` × its minimum;
    * ``suggested``: a tenth of ``minimum`` (Smith's and fastai's rule of thumb: well before the loss turns up).
    """
    smooth = smoothed(losses)
    finite = np.isfinite(smooth)
    rates, smooth = rates[finite], smooth[finite]
    slope = np.gradient(smooth, np.log10(rates))
    lowest = int(np.argmin(smooth))
    steepest = int(np.argmin(slope[: lowest + 1]))
    after = np.nonzero(smooth[lowest:] > blow_up * smooth[lowest])[0]
    return {
        "steepest": float(rates[steepest]),
        "minimum": float(rates[lowest]),
        "blow_up": float(rates[lowest + after[0]]) if len(after) else math.inf,
        "suggested": float(rates[lowest] / 10),
    }


# ---------------------------------------------------------------------------------------------
# 4. AdamW: λ against α, in both parameterisations of notebook 06

WEIGHT_DECAY_GRID = {
    "quick": {"lr": (1e-3, 3e-3, 1e-2), "AdamW": (0.0, 0.03, 0.3, 3.0), "AdamW (paper λ)": (0.0, 1e-4, 1e-3, 1e-2)},
    "full": {"lr": (1e-3, 3e-3, 1e-2), "AdamW": (0.0, 0.03, 0.3, 3.0), "AdamW (paper λ)": (0.0, 1e-5, 1e-4, 1e-3)},
}


def weight_decay_grid(runner: Runner) -> dict[str, np.ndarray]:
    """Validation accuracy and loss of AdamW over (α, λ) for both parameterisations, on a cosine schedule.

    ``"AdamW"``: the library's (PyTorch's) λ, decay α_t·λ per step; ``"AdamW (paper λ)"``: Loshchilov & Hutter's
    λ, decay η_t·λ per step with η_t = α_t/α. Returns, per form, arrays of shape (len(lr), len(λ)) under keys
    ``"<form> val_acc"`` and ``"<form> val_loss"`` (λ = 0 is plain Adam in both).
    """
    grid = WEIGHT_DECAY_GRID[runner.mode]
    out: dict[str, np.ndarray] = {}
    for form in ("AdamW", "AdamW (paper λ)"):
        acc = np.empty((len(grid["lr"]), len(grid[form])))
        loss = np.empty_like(acc)
        for i, lr in enumerate(grid["lr"]):
            for j, lam in enumerate(grid[form]):
                name, hyper = ("Adam", {}) if lam == 0 else (form, {"weight_decay": lam})
                curve = runner.run("weight decay", runner.config(name, lr, hyper=hyper, schedule=COMPARISON_SCHEDULE))
                acc[i, j], loss[i, j] = curve["val_acc"][-1], curve["val_loss"][-1]
        out[f"{form} val_acc"], out[f"{form} val_loss"] = acc, loss
    return out


def best_per_row(values: np.ndarray, columns: Sequence[float], lower_is_better: bool = True) -> list[float]:
    """The column value (λ) of the best entry in each row (α): where the optimum sits, row by row."""
    pick = np.argmin if lower_is_better else np.argmax
    return [float(columns[int(pick(row))]) for row in values]


# ---------------------------------------------------------------------------------------------
# 5. Gradient clipping by global norm, and batch size (quick mode)

CLIP_NORM = 1.0


def clipping(runner: Runner, best: dict[str, float], factor: float = 10.0) -> list[dict]:
    """Each optimizer at its tuned α and at ``factor`` × α, without and with clipping to ``CLIP_NORM``:
    the final validation accuracy and loss, and the fraction of steps clipped. ``best``: optimizer → tuned α."""
    rows = []
    for name, lr in best.items():
        for scale in (1.0, factor):
            for clip in (None, CLIP_NORM):
                curve = runner.run("clipping", runner.config(name, lr * scale, clip=clip, schedule=COMPARISON_SCHEDULE))
                rows.append({"optimizer": name, "lr": lr * scale, "clip": clip, "val_acc": curve["val_acc"][-1],
                             "val_loss": curve["val_loss"][-1], "clipped": curve["clipped"],
                             "diverged": curve["diverged_at"] is not None, "curve": curve})
    return rows


BATCH_GRID = {"batch_size": (8, 32, 128, 512), "lr": (1e-3, 3e-3, 1e-2, 3e-2, 1e-1)}


def batch_sizes(runner: Runner) -> list[dict]:
    """Adam at each batch size of ``BATCH_GRID`` for the same number of epochs, its α tuned on the grid: the best α,
    its validation accuracy and loss, and the number of steps taken."""
    rows = []
    for batch in BATCH_GRID["batch_size"]:
        tried = [(lr, runner.run("batch size", runner.config("Adam", lr, batch_size=batch, schedule=COMPARISON_SCHEDULE)))
                 for lr in BATCH_GRID["lr"]]
        lr, curve = min(tried, key=lambda item: validation_score(item[1]))
        rows.append({"batch_size": batch, "best_lr": lr, "val_acc": curve["val_acc"][-1], "val_loss": curve["val_loss"][-1],
                     "steps": curve["steps"], "on_edge": lr in (BATCH_GRID["lr"][0], BATCH_GRID["lr"][-1]), "curve": curve})
    return rows


# ---------------------------------------------------------------------------------------------
# 6. Schedules × warm-up (the slider's data, quick mode)

SCHEDULE_WARMUPS = (0, 10, 30, 100, 300)
SCHEDULE_LR = 1e-2


def schedule_runs(runner: Runner, lr: float = SCHEDULE_LR) -> dict[tuple[str, int], dict]:
    """Adam at peak step size ``lr`` under every shape of ``schedules.SHAPES`` × warm-up of ``SCHEDULE_WARMUPS``."""
    from adam_edu.schedules import SHAPES

    return {(shape, warmup): runner.run("schedules", runner.config("Adam", lr, schedule=shape, warmup_steps=warmup))
            for shape in SHAPES for warmup in SCHEDULE_WARMUPS}


# ---------------------------------------------------------------------------------------------
# 7. The recipe, checked against the results


def _at_large_lr(rows: Sequence[dict], optimizer: str, clipped: bool) -> dict:
    """The row of ``clipping`` for ``optimizer`` at its larger α (factor × the tuned one), with or without clipping."""
    mine = [row for row in rows if row["optimizer"] == optimizer]
    largest = max(row["lr"] for row in mine)
    return next(row for row in mine if row["lr"] == largest and (row["clip"] is not None) == clipped)


def recipe_checks(runner: Runner, tuned: dict, clipping_rows: Sequence[dict], decay: dict) -> dict[str, bool]:
    """Each line of notebook 11's recipe, as a check of the results it rests on: line → holds.

    ``runner``: quick mode's (for the schedules); ``tuned``: mode → ``tuned_comparison``; ``clipping_rows``:
    ``clipping`` (quick mode); ``decay``: mode → ``weight_decay_grid``.
    """
    small, large = schedule_runs(runner, 0.01), schedule_runs(runner, 0.1)

    def unstable(row: dict) -> bool:  # shown() prints no digit of it: its twin ended elsewhere
        return shown(row["val_loss"], row["curve"]) == "unstable"

    def test_accuracies(mode: str, optimizer: str) -> list[float]:
        return [curve["test_acc"][-1] for curve in tuned[mode][optimizer]["seeds"]]

    summaries = [(summarise(found["Adam"]["seeds"]), summarise(found["SGD + momentum"]["seeds"]))
                 for found in (tuned["quick"], tuned["full"])]
    sgd_clipped, sgd_unclipped = (_at_large_lr(clipping_rows, "SGD + momentum", clip) for clip in (True, False))
    adam_clipped, adam_unclipped = (_at_large_lr(clipping_rows, "Adam", clip) for clip in (True, False))
    paper_form_moved = any(
        len(set(best_per_row(decay[m]["AdamW (paper λ) val_loss"], WEIGHT_DECAY_GRID[m]["AdamW (paper λ)"]))) > 1
        for m in decay)
    return {
        "1. Adam's training loss lowest, its test loss not": all(
            a["train_loss"][0] < s["train_loss"][0] and a["test_loss"][0] > s["test_loss"][0] for a, s in summaries),
        "2. no tuned α on its grid's edge": not any(r["on_edge"] for f in tuned.values() for r in f.values()),
        "3. step, cosine and constant end ten times below 1/√t": all(
            10 * small[shape, 0]["train_loss"][-1] < small["1/√t", 0]["train_loss"][-1]
            for shape in ("step", "cosine", "constant")),
        "4. warm-up lowers epoch 1's loss at α = 0.1": all(
            large[shape, 100]["train_loss"][1] < large[shape, 0]["train_loss"][1] for shape in ("constant", "step", "cosine")),
        "5. clipping makes SGD + momentum at 10 α reproducible, not Adam": (
            unstable(sgd_unclipped) and not unstable(sgd_clipped) and sgd_clipped["val_loss"] < 1
            and unstable(adam_unclipped) and unstable(adam_clipped)),
        "6. Adam not worse on test accuracy, both modes": all(
            wilson_verdict(test_accuracies(m, "Adam"), test_accuracies(m, "SGD + momentum"))[0] != "held" for m in tuned),
        "7. paper-form λ moved with α; decay beat none": paper_form_moved and all(
            min(values["AdamW val_loss"].min(), values["AdamW (paper λ) val_loss"].min()) < values["AdamW val_loss"][:, 0].min()
            for values in decay.values()),
    }


def full_mode_experiments(runner: Runner) -> None:
    """What full mode trains (and the notebook reads back): the tuned comparison and AdamW's grid."""
    tuned_comparison(runner)
    weight_decay_grid(runner)

