"""Notebook 05: fair comparisons of the optimizers, the zoo and the popular claims (a), (c), (e).

The popular optimizer pictures leave Adam out, tune each method by an unstated search or clip its
gradients (jettify/pytorch-optimizer #219). Here every method of ``adam_edu.registry`` marked ``zoo`` (the
twelve of notebooks 01–10) runs

* from the same start, for the same number of steps (``STEPS``), without gradient clipping;
* with its learning rate chosen by the same small grid search (``LEARNING_RATES``) and the same
  stated rule (``choose_learning_rate``); all its other hyper-parameters are the library defaults.

Nothing here is random except where a function takes a ``seed``.

Sections: the zoo and one run; the grid search; figures and the animation; the claims experiments
(per-parameter step sizes, saddles and local minima). The slider is ``slider.ZooExperiment``, the
exercise checks are in ``exercises``; notebook 06's experiments are in ``adam_edu.lessons.failures``.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, Mapping, NamedTuple, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from adam_edu import plots, registry
from adam_edu.functions import QUADRATIC_CONDITION, Objective, run, saddle
from adam_edu.optimizers import Adam, Optimizer

__all__ = [
    # the zoo, one run, the grid search and its rule
    "ZOO_VARIANTS", "ZOO", "ZOO_LABELS", "CLASSIC", "ADAM_FAMILY", "make_optimizer", "STEPS", "Trajectory", "trajectory",
    "LEARNING_RATES", "CONVERGED", "settling_step", "choose_learning_rate", "GridSearch", "grid_search", "tune",
    "best_runs", "gap_text", "speed_ranking",
    # figures and the animation
    "draw_light_contours", "draw_race", "draw_gaps", "plot_zoo", "draw_learning_rate_sensitivity",
    "plot_learning_rate_sensitivity", "animation_frames", "animate_race",
    # claims (a) and (c)
    "effective_learning_rates", "adam_step_sizes", "rotated_quadratic", "plot_per_parameter_steps", "escape_step",
    "saddle_escapes", "saddle_paths", "plot_escape", "double_well", "WELL_BARRIER", "basin_atlas", "plot_basin_atlas",
]


# ================================================================================================
# The zoo: every optimizer of adam_edu, as a function of its learning rate alone

ZOO_VARIANTS: tuple[registry.Variant, ...] = tuple(v for v in registry.VARIANTS if v.zoo)
"""The registry's entries marked ``zoo``: library defaults for everything but the learning rate."""
ZOO: tuple[Callable[[float], Optimizer], ...] = tuple(v.make for v in ZOO_VARIANTS)
"""Factories lr -> optimizer, in the registry's order."""
ZOO_LABELS: tuple[str, ...] = tuple(v.label for v in ZOO_VARIANTS)
CLASSIC = tuple(v.label for v in ZOO_VARIANTS if v.family in ("SGD", "per-coordinate"))  # the famous GIFs' methods
ADAM_FAMILY = tuple(v.label for v in ZOO_VARIANTS if v.family not in ("SGD", "per-coordinate"))  # Adam and after


def make_optimizer(name: str, lr: float) -> Optimizer:
    """The zoo's optimizer of that label (``registry.label``) with learning rate ``lr``."""
    if name not in ZOO_LABELS:
        raise ValueError(f"name must be one of {', '.join(ZOO_LABELS)}; got {name!r}")
    return registry.make(name, lr)


# ================================================================================================
# One run, stopped when it diverges

STEPS = 500
DIVERGED_WIDTHS = 10.0  # a run has diverged once it is this many window widths away from the window


class Trajectory(NamedTuple):
    """One optimizer's run: θ_0 … θ_k and f(θ_t) − f*; k < steps if the run diverged."""

    label: str
    lr: float
    path: np.ndarray  # (k + 1, d)
    gaps: np.ndarray  # (k + 1,)
    diverged_at: Optional[int]  # the step that left the box, or None

    @property
    def final_gap(self) -> float:
        return math.nan if self.diverged_at is not None else float(self.gaps[-1])


def trajectory(optimizer: Optimizer, objective: Objective, x0=None, steps: int = STEPS) -> Trajectory:
    """``functions.run`` stopped once the run is ``DIVERGED_WIDTHS`` window widths away (before f or its gradient
    is evaluated at the far point, where they could overflow), kept as the path and f − f*."""
    history = run(optimizer, objective, x0, steps, stop_outside=DIVERGED_WIDTHS)
    return Trajectory(plots.label(optimizer), optimizer.lr, history.params, history.values - objective.f_min,
                      history.diverged_at)


# ================================================================================================
# The grid search and its rule

LEARNING_RATES: tuple[float, ...] = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0)
CONVERGED = 1e-10  # f − f* below this counts as "reached the minimum"


def settling_step(gaps: np.ndarray, tol: float = CONVERGED) -> Optional[int]:
    """The first step t after which f − f* < tol for every later step; None if it never settles."""
    outside = np.flatnonzero(~(np.asarray(gaps) < tol))
    if outside.size == 0:
        return 0
    return None if outside[-1] == len(gaps) - 1 else int(outside[-1] + 1)


def choose_learning_rate(learning_rates: Sequence[float], final_gaps: Sequence[float],
                         settled_at: Sequence[Optional[int]]) -> float:
    """The rule: the lowest f(θ_N) − f* after N steps wins; a diverged run (nan) is out.

    Runs that settled below ``CONVERGED`` all count as reaching the minimum: among them, the one that
    settled first wins. Remaining ties go to the smaller learning rate.
    """
    candidates = []
    for lr, gap, settled in zip(learning_rates, final_gaps, settled_at):
        if math.isnan(gap):
            continue
        key = (0, settled) if settled is not None else (1, gap)
        candidates.append((key, lr))
    if not candidates:
        raise ValueError("every learning rate of the grid diverged")
    return min(candidates)[1]


class GridSearch(NamedTuple):
    label: str
    learning_rates: tuple[float, ...]
    final_gaps: np.ndarray  # f(θ_N) − f* per learning rate; nan where the run diverged
    settled_at: tuple[Optional[int], ...]  # when f − f* stayed below CONVERGED for good, or None
    best: float  # the learning rate the rule chose
    runs: tuple[Trajectory, ...]  # every run of the grid

    @property
    def best_run(self) -> Trajectory:
        return self.runs[self.learning_rates.index(self.best)]


def grid_search(make: Callable[[float], Optimizer], objective: Objective, x0=None, steps: int = STEPS,
                learning_rates: Sequence[float] = LEARNING_RATES) -> GridSearch:
    """Run one optimizer at every learning rate of the grid and apply ``choose_learning_rate``."""
    runs = [trajectory(make(lr), objective, x0, steps) for lr in learning_rates]
    final_gaps = np.array([run.final_gap for run in runs])
    settled = tuple(None if run.diverged_at is not None else settling_step(run.gaps) for run in runs)
    best = choose_learning_rate(learning_rates, final_gaps, settled)
    return GridSearch(plots.label(make(1.0)), tuple(learning_rates), final_gaps, settled, best, tuple(runs))


def tune(objective: Objective, names: Iterable[str] = ZOO_LABELS, x0=None, steps: int = STEPS,
         learning_rates: Sequence[float] = LEARNING_RATES) -> dict[str, GridSearch]:
    """The grid search for every named optimizer of the zoo on one objective."""
    return {name: grid_search(registry.variant(name).make, objective, x0, steps, learning_rates)
            for name in names}


def best_runs(searches: Mapping[str, GridSearch]) -> dict[str, Trajectory]:
    """Each optimizer's run at the learning rate its grid search chose."""
    return {name: search.best_run for name, search in searches.items()}


# ================================================================================================
# Figures (notebook 05)

_LOWEST = f"{LEARNING_RATES[0]:.0e}".replace("e-0", "e-")  # 1e-4
RULE = f"lr: best f − f* after {STEPS} steps on the grid {_LOWEST}…{LEARNING_RATES[-1]:g} (×√10 apart)"


def draw_light_contours(ax: plt.Axes, objective: Objective, resolution: int = 120, count: int = 14) -> None:
    """``plots.draw_contours`` without anti-aliasing: the PNG of a figure with many contour panels (or
    of each frame of an animation) is then about three times smaller, so the notebook stays small."""
    plots.draw_contours(ax, objective, resolution=resolution, count=count, antialiased=False)


def draw_race(ax: plt.Axes, objective: Objective, runs: Mapping[str, Trajectory]) -> None:
    """Contours on log-spaced levels, the minimum, the start and every path (diverged ones cut)."""
    draw_light_contours(ax, objective)
    plots.draw_paths(ax, {name: run.path for name, run in runs.items()}, markers=False)
    if "Adam" in runs:  # on top, and a little wider: AMSGrad's path often runs right beside it
        ax.plot(*runs["Adam"].path.T, color=plots.color("Adam"), lw=2.0, zorder=4)
    for name, run in runs.items():
        if run.diverged_at is not None:  # mark where it left: the path ends with an ×
            ax.plot(*run.path[-1], marker="x", color=plots.color(name), markersize=8, mew=2)


def draw_gaps(ax: plt.Axes, runs: Mapping[str, Trajectory]) -> None:
    """f − f* against steps, log scale; the legend gives each optimizer's learning rate."""
    for name, run in runs.items():
        ended = " (diverged)" if run.diverged_at is not None else ""
        ax.semilogy(np.maximum(run.gaps, 1e-16), plots.style(name), color=plots.color(name), lw=1.3,
                    label=f"{name}  lr {run.lr:g}{ended}")
    ax.set_xlabel("step t")
    ax.set_ylabel("f(θ_t) − f*  (log scale)")
    lowest = min(float(np.min(run.gaps[run.gaps > 0], initial=1.0)) for run in runs.values())
    ax.set_ylim(max(1e-16, lowest / 10), None)


def plot_zoo(objectives: Sequence[Objective], searches: Mapping[str, Mapping[str, GridSearch]]) -> plt.Figure:
    """The zoo, one row per objective: paths of the classic methods, paths of the Adam family, and
    f − f* against steps; every optimizer at the learning rate its grid search chose (in the legend)."""
    fig, axes = plt.subplots(len(objectives), 3, figsize=(11.5, 2.75 * len(objectives) + 0.4), dpi=80,
                             layout="constrained", width_ratios=(1, 1, 1.25), squeeze=False)
    for row, objective in zip(axes, objectives):
        runs = best_runs(searches[objective.name])
        for ax, family, title in zip(row, (CLASSIC, ADAM_FAMILY), ("classic methods", "Adam and its family")):
            draw_race(ax, objective, {name: runs[name] for name in family if name in runs})
            ax.set_title(f"{objective.name}: {title}", fontsize=9)
        draw_gaps(row[2], runs)
        row[2].set_title(f"{objective.name}: f − f*, start {_point(objective.start)}", fontsize=9)
        row[2].legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.02, 1.0), handlelength=1.2,
                      labelspacing=0.25, title="lr from the grid", title_fontsize=6.5)
    for column in (0, 1):  # one legend per family, below its column
        handles, names = axes[0, column].get_legend_handles_labels()
        axes[-1, column].legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=3,
                                fontsize=7)
    fig.suptitle(f"Every optimizer of adam_edu: {STEPS} steps from the same start, no gradient clipping, "
                 f"{RULE}; × = diverged", fontsize=9.5)
    return fig


def _point(p) -> str:
    return "(" + ", ".join(f"{c:g}" for c in p) + ")"


def draw_learning_rate_sensitivity(ax: plt.Axes, searches: Mapping[str, GridSearch]) -> None:
    """Final f − f* against the learning rate for every optimizer; the chosen one ringed."""
    for name, search in searches.items():
        gaps = np.maximum(search.final_gaps, 1e-16)
        ax.loglog(search.learning_rates, gaps, plots.style(name), marker="o", color=plots.color(name), ms=3, lw=1.1,
                  label=name)
        ax.plot(search.best, gaps[search.learning_rates.index(search.best)], "o", ms=9, mfc="none",
                color=plots.color(name))
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel(f"f − f* after {STEPS} steps (log scale)")


def plot_learning_rate_sensitivity(objectives: Sequence[Objective],
                                   searches: Mapping[str, Mapping[str, GridSearch]]) -> plt.Figure:
    """The whole grid search, not just its winners: final f − f* against lr, one panel per objective."""
    fig, axes = plt.subplots(1, len(objectives), figsize=(3.0 * len(objectives) + 1.4, 3.1), dpi=80,
                             layout="constrained", sharey=True)
    for ax, objective in zip(np.atleast_1d(axes), objectives):
        draw_learning_rate_sensitivity(ax, searches[objective.name])
        ax.set_title(objective.name, fontsize=10)
        ax.set_ylim(1e-17, 1e6)
    for ax in np.atleast_1d(axes)[1:]:
        ax.set_ylabel("")
    np.atleast_1d(axes)[-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7)
    fig.suptitle(f"The grid search: f − f* after {STEPS} steps for every learning rate (missing point = "
                 "diverged; ringed = chosen; values below 1e-16 drawn at 1e-16)", fontsize=9.5)
    return fig


def gap_text(gap: float) -> str:
    """f − f* for a table: "diverged", "< 1e-10" once converged, else one significant digit."""
    if math.isnan(gap):
        return "diverged"
    return f"< {CONVERGED:.0e}" if gap < CONVERGED else f"{gap:.0e}"


def speed_ranking(runs: Mapping[str, Trajectory], tol: float = 1e-6) -> dict[str, int]:
    """Rank (1 = best) by the step after which f − f* stays below ``tol``; runs that never get
    there rank behind, by their final f − f*. Equal keys share a rank."""
    def key(run):
        settled = None if run.diverged_at is not None else settling_step(run.gaps, tol)
        return (0, settled) if settled is not None else (1, run.final_gap if run.diverged_at is None else math.inf)

    keys = {name: key(run) for name, run in runs.items()}
    return {name: 1 + sum(other < mine for other in keys.values()) for name, mine in keys.items()}


def animation_frames(steps: int, frames: int) -> np.ndarray:
    """Which step each frame shows: quadratic in time, so the fast first moves get more frames."""
    return np.unique(np.round(steps * (np.arange(1, frames + 1) / frames) ** 2).astype(int))


def animate_race(objectives: Sequence[Objective], runs: Sequence[Mapping[str, Trajectory]], *,
                 frames: int = 20, figsize=(8.2, 3.3), dpi: int = 72, interval: int = 160) -> FuncAnimation:
    """A FuncAnimation of the paths growing, one panel per objective; returns it unplayed.

    Each panel is zoomed to where the paths go. The figure is not a pyplot figure, so a notebook does
    not also show it as a still picture.
    """
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(1, len(objectives)))
    lines, heads = [], []
    for ax, objective, panel in zip(axes, objectives, runs):
        draw_light_contours(ax, objective, resolution=100, count=9)
        ax.grid(False)
        ax.locator_params(nbins=4)  # few tick labels: text is most of the drawing time of a frame
        start = next(iter(panel.values())).path[0]
        ax.plot(*start, "o", color="black", ms=5, zorder=5, label="start")
        for name, run in panel.items():
            on_top = 7 if name == "Adam" else 6
            (line,) = ax.plot([], [], plots.style(name), color=plots.color(name), lw=1.6, label=name, zorder=on_top)
            (head,) = ax.plot([], [], "o", color=plots.color(name), ms=5, zorder=on_top)
            lines.append((line, run))
            heads.append((head, run))
        ax.set_title(f"{objective.name}, start {_point(objective.start)}", fontsize=9)
        _zoom_to(ax, objective, [run.path for run in panel.values()])
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside right upper", fontsize=7)
    steps = max(len(run.path) for _, run in lines) - 1
    shown = animation_frames(steps, frames)
    clock = fig.suptitle(f"step {steps} of {steps}; {RULE}; no clipping", fontsize=9)
    fig.canvas.draw()  # lay the figure out once, with the longest title, then keep that layout:
    fig.set_layout_engine("none")  # constrained layout on every frame would double the time

    def draw(frame):
        t = shown[frame]
        for (line, run), (head, _) in zip(lines, heads):
            k = min(t, len(run.path) - 1)
            line.set_data(run.path[: k + 1, 0], run.path[: k + 1, 1])
            head.set_data([run.path[k, 0]], [run.path[k, 1]])
        clock.set_text(f"step {t} of {steps}; {RULE}; no clipping")
        return [a for a, _ in lines] + [h for h, _ in heads] + [clock]

    return FuncAnimation(fig, draw, frames=len(shown), interval=interval, blit=False)


def _zoom_to(ax: plt.Axes, objective: Objective, paths: Sequence[np.ndarray], margin: float = 0.1) -> None:
    """Limit the axes to the paths and the minimum, plus a margin, inside the objective's window."""
    points = np.vstack([*paths, np.array(objective.minimum)[None, :]])
    for set_limits, (low, high), values in zip((ax.set_xlim, ax.set_ylim), objective.bounds, points.T):
        pad = margin * (values.max() - values.min())
        set_limits(max(low, values.min() - pad), min(high, values.max() + pad))


# ================================================================================================
# The claims (a) per-parameter step sizes, (c) saddles and local minima


def effective_learning_rates(states: Sequence, lr: float, eps: float = 1e-8) -> np.ndarray:
    """α/(√v̂_t + ε) for every coordinate at every step: the per-parameter step size of Adam.

    ``states`` are Adam states after steps 1 … T (``History.states[1:]``); returns shape (T, d).
    """
    return np.array([lr / (np.sqrt(state.v_hat) + eps) for state in states])


def adam_step_sizes(objective: Objective, lr: float, steps: int = 100) -> np.ndarray:
    """α/(√v̂_t + ε) per coordinate, t = 1 … steps, of ``Adam(lr)`` from the objective's start."""
    return effective_learning_rates(run(Adam(lr), objective, steps=steps).states[1:], lr)


def rotated_quadratic(angle_degrees: float = 45.0) -> Objective:
    """The ill-conditioned quadratic of ``functions`` turned by an angle: same condition number,
    but its narrow direction no longer lies along a coordinate axis."""
    c, s = math.cos(math.radians(angle_degrees)), math.sin(math.radians(angle_degrees))

    def rotate(p):  # coordinates along the quadratic's own axes
        return c * p[0] + s * p[1], -s * p[0] + c * p[1]

    def f(p):
        u, w = rotate(p)
        return 0.5 * (u**2 + QUADRATIC_CONDITION * w**2)

    def grad(p):
        u, w = rotate(p)
        w = QUADRATIC_CONDITION * w
        return np.stack([c * u - s * w, s * u + c * w])

    start = (-4.0 * c - 1.5 * s, -4.0 * s + 1.5 * c)  # the quadratic's start, turned with it
    return Objective(
        name=f"quadratic turned {angle_degrees:g}°",
        formula=f"f = (u² + {QUADRATIC_CONDITION:g}w²)/2, (u, w) = (x, y) turned by {angle_degrees:g}°",
        f=f, grad=grad, minimum=(0.0, 0.0), start=start, bounds=((-4.5, 4.5), (-4.5, 4.5)),
    )


def plot_per_parameter_steps(step_sizes: Mapping[str, np.ndarray], lrs: Mapping[str, float],
                             settle: Mapping[str, Mapping[str, Optional[int]]]) -> plt.Figure:
    """Claim (a): Adam's per-coordinate step size α/(√v̂ + ε) on two objectives (``adam_step_sizes``, by objective
    name: the quadratic and the same quadratic turned by 45°) at the learning rates ``lrs``, and how many steps
    each optimizer needs on both (``settle``, tuned learning rates)."""
    fig, axes = plt.subplots(1, 3, figsize=(12.5, 3.3), layout="constrained", width_ratios=(1, 1, 1.3))
    for ax, (name, rates) in zip(axes, step_sizes.items()):
        t = np.arange(1, len(rates) + 1)
        ax.semilogy(t, rates[:, 0], color=plots.color("Adam"), label="x")
        ax.semilogy(t, rates[:, 1], color=plots.color("Adam"), ls="--", label="y")
        ax.set_title(f"Adam on the {name}, lr {lrs[name]:g} (grid rule), {len(rates)} steps", fontsize=9)
        ax.set_xlabel("step t")
        ax.set_ylabel("α/(√v̂_t + ε)  (log scale)")
        ax.legend(title="coordinate", fontsize=7)
    aligned, turned = step_sizes
    names = list(settle[aligned])
    positions = np.arange(len(names))
    for offset, objective, hatch in ((-0.2, aligned, None), (0.2, turned, "//")):
        heights = [settle[objective][n] if settle[objective][n] is not None else STEPS for n in names]
        axes[2].bar(positions + offset, heights, width=0.4, color=[plots.color(n) for n in names],
                    hatch=hatch, edgecolor="white" if hatch else None, label=objective)
    axes[2].set_xticks(positions, names, fontsize=8)
    axes[2].set_ylabel("steps until f − f* < 1e-6 for good")
    axes[2].set_title(f"each at its grid-search lr (a bar at {STEPS} = not within {STEPS} steps)", fontsize=9)
    axes[2].legend(fontsize=7)
    fig.suptitle("Per-parameter step sizes: a different scale per coordinate, not per direction", fontsize=10)
    return fig


def escape_step(path: np.ndarray, threshold: float = 0.5) -> Optional[int]:
    """The first step at which |y| > threshold: the run has left the saddle's ridge for a valley."""
    away = np.flatnonzero(np.abs(np.asarray(path)[:, 1]) > threshold)
    return int(away[0]) if away.size else None


def saddle_escapes(learning_rates: Mapping[str, float], common_lr: float = 0.01,
                   steps: int = STEPS) -> dict[str, tuple[Optional[int], Optional[int], Optional[int]]]:
    """Claim (c): when each optimizer leaves the saddle, as (its grid-search lr, everyone at
    ``common_lr``, everyone at ``common_lr`` from y = 0 exactly); None = still on the ridge."""
    on_the_ridge = (saddle.start[0], 0.0)
    return {
        name: (
            escape_step(trajectory(make_optimizer(name, lr), saddle, steps=steps).path),
            escape_step(trajectory(make_optimizer(name, common_lr), saddle, steps=steps).path),
            escape_step(trajectory(make_optimizer(name, common_lr), saddle, on_the_ridge, steps).path),
        )
        for name, lr in learning_rates.items()
    }


def saddle_paths(names: Sequence[str], lr: float = 0.01, steps: int = 300) -> dict[str, Trajectory]:
    """Every named optimizer on the saddle from its start, all at the same learning rate."""
    return {name: trajectory(make_optimizer(name, lr), saddle, steps=steps) for name in names}


def plot_escape(runs: Mapping[str, Trajectory]) -> plt.Figure:
    """|y_t| on the saddle (``saddle_paths``), everyone at the same learning rate: growth out of the ridge y = 0."""
    fig, ax = plt.subplots(figsize=(6.8, 3.4), layout="constrained")
    lrs = {run.lr for run in runs.values()}
    lr = lrs.pop() if len(lrs) == 1 else None
    steps = max(len(run.path) for run in runs.values()) - 1
    for name, run in runs.items():
        on_top = name == "Adam"  # AMSGrad and AdamW take the same steps here: Adam drawn over them
        ax.semilogy(np.abs(run.path[:, 1]), plots.style(name), color=plots.color(name), label=name,
                    lw=2.0 if on_top else 1.3, zorder=3 if on_top else 2)
    ax.axhline(0.5, color="black", lw=0.8, ls=":")
    ax.text(steps, 0.55, "escaped: |y| > 0.5", ha="right", va="bottom", fontsize=8)
    ax.set_xlabel("step t")
    ax.set_ylabel("|y_t|  (log scale)")
    at = f"every optimizer at lr {lr:g}" if lr is not None else "each at its own lr"
    ax.set_title(f"Leaving the saddle of {saddle.formula.split('   ')[0]}: start {_point(saddle.start)}, {at}",
                 fontsize=9)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7)
    return fig


def plot_basin_atlas(atlas: np.ndarray, names: Sequence[str] = ZOO_LABELS,
                     learning_rates: Sequence[float] = LEARNING_RATES) -> plt.Figure:
    """Claim (c): which minimum of the double well each optimizer reaches at each learning rate."""
    from matplotlib.colors import ListedColormap

    fig, ax = plt.subplots(figsize=(7.6, 3.9), layout="constrained")
    colours = ListedColormap(["#b8e186", "white", "#d9d9d9"])  # global, diverged, local
    ax.imshow(atlas, cmap=colours, vmin=-1, vmax=1, aspect="auto")
    marks = {-1: "global", 0: "×", 1: "local"}
    for (i, j), value in np.ndenumerate(atlas):
        ax.text(j, i, marks[value], ha="center", va="center", fontsize=6.5)
    ax.set_xticks(range(len(learning_rates)), [f"{lr:g}" for lr in learning_rates], fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    for tick, name in zip(ax.get_yticklabels(), names):
        tick.set_color(plots.color(name))
    ax.set_xlabel("learning rate (log-spaced grid)")
    ax.set_ylabel("optimizer")
    ax.grid(False)
    ax.set_title(f"Double well {double_well.formula}, start x = {double_well.start[0]:g}, {STEPS} steps: "
                 "ends in the global or the local minimum (× = diverged)", fontsize=9)
    return fig


_WELL_TILT = 0.3
# f'(x) = 4x³ − 4x + 0.3 = 0: the global minimum, the barrier (a local maximum), the local minimum
_WELL_STATIONARY_POINTS = tuple(sorted(r.real for r in np.roots([4.0, 0.0, -4.0, _WELL_TILT]) if abs(r.imag) < 1e-12))


def _double_well(p):
    return (p[0] ** 2 - 1.0) ** 2 + _WELL_TILT * p[0]


def _double_well_grad(p):
    return 4.0 * p * (p**2 - 1.0) + _WELL_TILT


double_well = Objective(
    name="double well",
    formula="f(x) = (x² − 1)² + 0.3x",
    f=_double_well,
    grad=_double_well_grad,
    minimum=(_WELL_STATIONARY_POINTS[0],),  # global minimum ≈ −1.04; a local one at ≈ 0.96, a barrier ≈ 0.08
    start=(2.0,),
    bounds=((-2.0, 2.0),),
)
WELL_BARRIER = _WELL_STATIONARY_POINTS[1]


def basin_atlas(names: Sequence[str] = ZOO_LABELS, learning_rates: Sequence[float] = LEARNING_RATES,
                steps: int = STEPS, x0: float = 2.0) -> np.ndarray:
    """Where each optimizer ends on the double well, per learning rate: +1 in the local minimum's basin
    (x > barrier), −1 in the global one, 0 if it diverged. Shape (optimizers, learning rates)."""
    atlas = np.zeros((len(names), len(learning_rates)), dtype=int)
    for i, name in enumerate(names):
        for j, lr in enumerate(learning_rates):
            run = trajectory(make_optimizer(name, lr), double_well, [x0], steps)
            if run.diverged_at is None:
                atlas[i, j] = 1 if run.path[-1, 0] > WELL_BARRIER else -1
    return atlas
