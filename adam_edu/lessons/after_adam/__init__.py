"""Notebook 12, after Adam: the memory table, and races of Adafactor, Lion, schedule-free AdamW and Muon.

* ``state_bytes`` measures an optimizer's state from the arrays ``init`` returns (its ``slots``; the per-step
  diagnostics are not state), and ``memory_table`` does so for every optimizer variant of the collection on
  the shapes of a network: the numbers behind the seed article's claim that Adam is memory-efficient.
* ``race_2d`` runs notebook 05's protocol (``adam_edu.lessons.zoo``: the same start, 500 steps, the grid
  1e-4 … 3 and its rule ``choose_learning_rate``) for Adam, AdamW and the newcomers on a 2-D objective.
  Schedule-free AdamW is measured where it is meant to be evaluated, at x (``evaluation_params``).
* ``race_mlp`` trains notebook 08's quick-mode MLP (digits, 64-100-100-10, dropout) with each optimizer: a
  stated grid per optimizer on seed 0, the best by the final training objective, then that setting on
  ``SEEDS`` other seeds; ``verdict`` compares two optimizers' seeds.
"""

from __future__ import annotations

import functools
import math
from typing import Callable, Mapping, NamedTuple, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np

from adam_edu import data, nn, plots, registry
from adam_edu.functions import Objective
from adam_edu.lessons import zoo
from adam_edu.optimizers import Adam, Optimizer

__all__ = [
    "VARIANTS", "state_bytes", "network_shapes", "memory_table", "RACERS",
    "race_trajectory", "race_2d", "winner",
    "PAPER_NETWORK", "MLP_GRIDS", "SEEDS", "MLP_EPOCHS", "BATCH_SIZE", "HIDDEN", "train_mlp", "race_mlp", "verdict",
    "plot_races_2d", "plot_mlp_race",
]

# Every optimizer variant of the collection (adam_edu.registry), and two settings that change what is kept.
VARIANTS: dict[str, Callable[[float], Optimizer]] = {
    **{label: functools.partial(registry.make, label) for label in registry.labels()},
    "RMSProp (centered, momentum)": lambda lr: registry.make("RMSProp", lr, momentum=0.9, centered=True),
    "Adafactor (β1 = 0.9)": lambda lr: registry.make("Adafactor", lr, beta1=0.9),
}


def _arrays(tree) -> list[np.ndarray]:
    if tree is None:
        return []
    if isinstance(tree, np.ndarray):
        return [tree]
    return [a for a in tree.values() if a is not None]


def state_bytes(optimizer: Optimizer, params) -> int:
    """The bytes of the optimizer's state for these parameters: the ``nbytes`` of every array ``init`` made
    (its buffers, ``optimizer.slots``). Numbers shared by all parameters (t, a μ-product) are not counted."""
    state = optimizer.init(params)
    return sum(a.nbytes for name in optimizer.slots for a in _arrays(getattr(state, name)))


PAPER_NETWORK = (784, 1000, 1000, 10)  # the paper's Figure 2 MLP (§6.2)


def network_shapes(widths: Sequence[int] = PAPER_NETWORK, dtype=np.float32) -> dict[str, np.ndarray]:
    """Zero parameters of an MLP with these layer widths (the paper's Figure 2 network by default)."""
    params = {}
    for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
        params[f"W{i}"] = np.zeros((n_in, n_out), dtype)
        params[f"b{i}"] = np.zeros(n_out, dtype)
    return params


class MemoryRow(NamedTuple):
    label: str
    buffers: tuple[str, ...]  # the state arrays init made for these parameters
    bytes: int
    bytes_per_parameter: float
    relative_to_adam: float


def memory_table(params: Optional[Mapping[str, np.ndarray]] = None,
                 variants: Mapping[str, Callable[[float], Optimizer]] = VARIANTS) -> list[MemoryRow]:
    """``state_bytes`` of every variant on ``params`` (default ``network_shapes()``), per parameter and
    relative to Adam's."""
    params = network_shapes() if params is None else params
    count = sum(a.size for a in params.values())
    adam = state_bytes(Adam(), params)
    rows = []
    for label, make in variants.items():
        optimizer = make(1e-3)
        size = state_bytes(optimizer, params)
        state = optimizer.init(params)
        made = tuple(name for name in optimizer.slots if _arrays(getattr(state, name)))  # e.g. no v_max without AMSGrad
        rows.append(MemoryRow(label, made, size, size / count, size / adam))
    return rows


# --- the 2-D races (notebook 05's protocol) -------------------------------------------------------

RACERS: dict[str, Callable[[float], Optimizer]] = {
    label: functools.partial(registry.make, label) for label in ("Adam", "AdamW", "Adafactor", "Lion",
                                                                 "Schedule-free AdamW")}
"""The 2-D races: Muon is left out, since a 2-vector has no matrix and Muon's step there is Adam's."""


def race_trajectory(label: str, optimizer: Optimizer, objective: Objective, steps: int = zoo.STEPS) -> zoo.Trajectory:
    """``zoo.trajectory``, with f measured where the optimizer says to evaluate (schedule-free: at x)."""
    theta = np.array(objective.start, dtype=np.float64).reshape(-1)
    low, high = np.array(objective.bounds, dtype=np.float64).T
    centre, reach = (low + high) / 2, zoo.DIVERGED_WIDTHS * (high - low)
    evaluate = getattr(optimizer, "evaluation_params", lambda params, state: params)
    state = optimizer.init(theta)
    path, gaps = [theta], [objective.value(theta) - objective.f_min]
    for t in range(1, steps + 1):
        theta, state = optimizer.update(theta, objective.gradient(theta), state)
        point = evaluate(theta, state)
        if np.any(np.abs(point - centre) > reach) or np.any(np.abs(theta - centre) > reach):
            return zoo.Trajectory(label, optimizer.lr, np.array(path), np.array(gaps), t)
        path.append(point)
        gaps.append(objective.value(point) - objective.f_min)
    return zoo.Trajectory(label, optimizer.lr, np.array(path), np.array(gaps), None)


def race_2d(objective: Objective, racers: Mapping[str, Callable[[float], Optimizer]] = RACERS,
            learning_rates: Sequence[float] = zoo.LEARNING_RATES, steps: int = zoo.STEPS) -> dict[str, zoo.GridSearch]:
    """Each racer's grid search on ``objective``, chosen by notebook 05's rule (``zoo.choose_learning_rate``)."""
    searches = {}
    for label, make in racers.items():
        runs = [race_trajectory(label, make(lr), objective, steps) for lr in learning_rates]
        final_gaps = np.array([run.final_gap for run in runs])
        settled = tuple(None if run.diverged_at is not None else zoo.settling_step(run.gaps) for run in runs)
        best = zoo.choose_learning_rate(learning_rates, final_gaps, settled)
        searches[label] = zoo.GridSearch(label, tuple(learning_rates), final_gaps, settled, best, tuple(runs))
    return searches


def winner(searches: Mapping[str, zoo.GridSearch]) -> str:
    """The racer that settled first below ``zoo.CONVERGED``, or else ended lowest (notebook 05's order)."""
    def key(label):
        search = searches[label]
        settled = search.settled_at[search.learning_rates.index(search.best)]
        return (0, settled) if settled is not None else (1, search.best_run.final_gap)
    return min(searches, key=key)


def plot_races_2d(objectives: Sequence[Objective], searches: Mapping[str, Mapping[str, zoo.GridSearch]]) -> plt.Figure:
    """f − f* (log scale) against steps, each racer at its chosen learning rate, one panel per objective."""
    fig, axes = plt.subplots(1, len(objectives), figsize=(4.2 * len(objectives), 3.6), squeeze=False)
    for ax, objective in zip(axes[0], objectives):
        for label, search in searches[objective.name].items():
            run = search.best_run
            ax.semilogy(np.maximum(run.gaps, 1e-16), label=f"{label} (lr {run.lr:g})", color=plots.color(label),
                        linestyle=plots.style(label))
        ax.set(title=objective.name, xlabel="step", ylabel="f − f* (log scale)")
        ax.legend(fontsize=7)
    fig.suptitle(f"After Adam on notebook 05's objectives: {zoo.RULE}; schedule-free AdamW measured at x",
                 fontsize=9)
    fig.tight_layout()
    return fig


# --- the MLP race (notebook 08's network in quick mode) -------------------------------------------

MLP_EPOCHS = 10
BATCH_SIZE = 128
SEEDS = (1, 2, 3)
HIDDEN = (100, 100)
MLP_GRIDS: dict[str, tuple[float, ...]] = {
    # half-decades around each method's usual range; Lion's 3–10 times below AdamW's, as its paper advises. A
    # first run of 20 epochs chose the top of 1e-3 … 1e-2 for Adam, AdamW and schedule-free, and of 1e-4 … 1e-3
    # for Lion: their grids were moved up half a decade; at 10 epochs Lion, schedule-free and Muon chose the top of
    # three, so their grids have a fourth, higher value.
    "Adam": (3e-3, 1e-2, 3e-2),
    "AdamW": (3e-3, 1e-2, 3e-2),
    "Adafactor": (1e-2, 3e-2, 0.1),  # the cap of ρ_t; the step is RMS(W)·ρ_t
    "Lion": (3e-4, 1e-3, 3e-3, 1e-2),
    "Schedule-free AdamW": (3e-3, 1e-2, 3e-2, 0.1),
    "Muon": (3e-3, 1e-2, 3e-2, 0.1),  # its matrices; the biases take Adam at Adam's chosen rate
}


def mlp_factories(adam_lr: float) -> dict[str, Callable[[float], Optimizer]]:
    """The racers of the MLP; Muon's biases use Adam's chosen learning rate ``adam_lr`` (Adam's defaults)."""
    return {**RACERS, "Muon": lambda lr: registry.make("Muon", lr, adam_lr=adam_lr, adam_beta2=0.999, adam_eps=1e-8)}


def train_mlp(optimizer: Optimizer, seed: int, epochs: int = MLP_EPOCHS) -> list[float]:
    """Notebook 08's quick-mode MLP on the digits: the training objective (all 1,797 images, no dropout,
    at ``evaluation_params`` for schedule-free) after each epoch; nan from the epoch it diverged on.

    ``seed`` sets the initial weights, the minibatch order and the dropout noise; minibatches of 128.
    """
    x, y = data.load_digits(dtype=np.float64)
    x = data.standardize(x)
    model = nn.MLP(x.shape[1], HIDDEN, 10, dropout=0.5, input_dropout=0.2)
    params = model.init(seed, np.float64)
    state = optimizer.init(params)
    noise = np.random.default_rng([seed, 2])
    evaluate = getattr(optimizer, "evaluation_params", lambda p, s: p)
    costs: list[float] = []
    with np.errstate(all="ignore"):
        for epoch in range(1, epochs + 1):
            for xb, yb in data.minibatches(x, y, BATCH_SIZE, seed=[seed, 1, epoch]):
                _, grads = model.loss_and_grads(params, xb, yb, train=True, rng=noise)
                try:
                    state = optimizer.step(params, grads, state)
                except ValueError:  # a non-finite gradient: diverged
                    return costs + [math.nan] * (epochs - len(costs))
            cost = model.loss(evaluate(params, state), x, y)
            costs.append(float(cost) if math.isfinite(cost) else math.nan)
    return costs


class MLPRace(NamedTuple):
    label: str
    grid: tuple[float, ...]
    grid_costs: tuple[float, ...]  # final objective on seed 0, per learning rate
    best: float
    seed_curves: tuple[tuple[float, ...], ...]  # the best setting on each of SEEDS

    @property
    def finals(self) -> np.ndarray:
        return np.array([curve[-1] for curve in self.seed_curves])


def _best(grid: Sequence[float], costs: Sequence[float]) -> float:
    """The rule: the lowest final objective on seed 0; a diverged run (nan) is out; ties to the smaller lr."""
    candidates = [(cost, lr) for lr, cost in zip(grid, costs) if math.isfinite(cost)]
    if not candidates:
        raise ValueError("every learning rate of the grid diverged")
    return min(candidates)[1]


def race_mlp(grids: Mapping[str, Sequence[float]] = MLP_GRIDS, seeds: Sequence[int] = SEEDS,
             epochs: int = MLP_EPOCHS) -> dict[str, MLPRace]:
    """Grid on seed 0, the best learning rate by ``_best``, then that setting on each of ``seeds``."""
    races: dict[str, MLPRace] = {}
    adam_lr = None
    for label, grid in grids.items():
        factories = mlp_factories(adam_lr if adam_lr is not None else 1e-3)
        costs = tuple(train_mlp(factories[label](lr), 0, epochs)[-1] for lr in grid)
        best = _best(grid, costs)
        if label == "Adam":
            adam_lr = best
        curves = tuple(tuple(train_mlp(factories[label](best), seed, epochs)) for seed in seeds)
        races[label] = MLPRace(label, tuple(grid), costs, best, curves)
    return races


def verdict(new: Sequence[float], baseline: Sequence[float]) -> str:
    """Is ``new`` lower than ``baseline`` (final objectives, one per seed)? "held" if every seed of ``new`` is
    below every seed of ``baseline``, "did not hold" if every one is above, else "within noise"."""
    new, baseline = np.asarray(new), np.asarray(baseline)
    if not (np.isfinite(new).all() and np.isfinite(baseline).all()):
        return "did not hold" if not np.isfinite(new).all() else "held"
    if new.max() < baseline.min():
        return "held"
    if new.min() > baseline.max():
        return "did not hold"
    return "within noise"


def plot_mlp_race(races: Mapping[str, MLPRace]) -> plt.Figure:
    """Training objective (log scale) per epoch, each optimizer's chosen rate, every seed drawn."""
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for label, race in races.items():
        for i, curve in enumerate(race.seed_curves):
            ax.semilogy(range(1, len(curve) + 1), curve, color=plots.color(label), linestyle=plots.style(label),
                        alpha=0.8, label=f"{label} (lr {race.best:g})" if i == 0 else None)
    ax.set(xlabel="epoch", ylabel="training objective, no dropout (log scale)",
           title=f"Digits, MLP 64-100-100-10 with dropout (notebook 08, quick mode), {MLP_EPOCHS} epochs, "
                 f"seeds {', '.join(map(str, SEEDS))}")
    ax.title.set_fontsize(8)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
