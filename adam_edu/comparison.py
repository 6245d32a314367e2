"""Fair comparisons of the optimizers, and the experiments of notebooks 05 and 06.

The popular optimizer pictures leave Adam out, tune each method by an unstated search or clip its
gradients (jettify/pytorch-optimizer #219). Here every optimizer of ``adam_edu`` runs

* from the same start, for the same number of steps (``STEPS``), without gradient clipping;
* with its learning rate chosen by the same small grid search (``LEARNING_RATES``) and the same
  stated rule (``choose_learning_rate``); all its other hyper-parameters are the library defaults.

Nothing here is random except where a function takes a ``seed``.

Sections: the zoo and one run; the grid search; figures and the animation (notebook 05); the claims
experiments (per-parameter step sizes, saddles and local minima, memory); the online counterexample
of Reddi, Kale & Kumar (2018); weight decay, RAdam's warm-up, learning rate and ε (notebook 06).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Callable, Iterable, Mapping, NamedTuple, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from adam_edu import plots
from adam_edu.functions import QUADRATIC_CONDITION, Objective, OnlineObjective, cubic, quadratic, run, saddle
from adam_edu.optimizers import SGD, AdaDelta, AdaGrad, AdaMax, Adam, AdamW, Nadam, Optimizer, RAdam, RMSProp

__all__ = [
    # the zoo, one run, the grid search and its rule
    "ZOO", "ZOO_LABELS", "CLASSIC", "ADAM_FAMILY", "make_optimizer", "STEPS", "Trajectory", "trajectory",
    "LEARNING_RATES", "CONVERGED", "settling_step", "choose_learning_rate", "GridSearch", "grid_search", "tune",
    "best_runs", "gap_text", "speed_ranking", "formatted", "table",
    # figures and the animation of notebook 05
    "draw_light_contours", "draw_race", "draw_gaps", "plot_zoo", "draw_learning_rate_sensitivity",
    "plot_learning_rate_sensitivity", "animation_frames", "animate_race", "save_gif",
    # claims (a), (c), (d)
    "effective_learning_rates", "adam_step_sizes", "rotated_quadratic", "plot_per_parameter_steps", "escape_step",
    "saddle_escapes", "plot_escape", "double_well", "WELL_BARRIER", "basin_atlas", "plot_basin_atlas",
    "buffers_per_parameter",
    # notebook 06
    "run_online", "run_counterexample", "counterexample_regret", "plot_counterexample", "CURVATURES",
    "weight_decay_endpoints", "effective_decay", "plot_weight_decay", "EarlySteps", "early_adaptive_steps",
    "plot_early_steps", "steps_on_the_cubic", "round_off_walk", "eps_slowdown", "plot_failures",
    "NoiseAveraging", "noise_averaging", "noise_floor", "plot_noise",
]


# ================================================================================================
# The zoo: every optimizer of adam_edu, as a function of its learning rate alone

ZOO: tuple[Callable[[float], Optimizer], ...] = (
    SGD,
    lambda lr: SGD(lr, momentum=0.9),
    lambda lr: SGD(lr, momentum=0.9, nesterov=True),
    AdaGrad,
    RMSProp,
    AdaDelta,
    Adam,
    lambda lr: Adam(lr, amsgrad=True),
    AdamW,
    AdaMax,
    Nadam,
    RAdam,
)
"""Factories lr -> optimizer: library defaults for everything else (momentum 0.9 where there is one)."""

ZOO_LABELS: tuple[str, ...] = tuple(plots.label(make(1.0)) for make in ZOO)
CLASSIC = ZOO_LABELS[:6]  # the methods of the famous GIFs: SGD … AdaDelta
ADAM_FAMILY = ZOO_LABELS[6:]  # Adam and what came after


def make_optimizer(name: str, lr: float) -> Optimizer:
    """The zoo's optimizer of that label (``plots.label``) with learning rate ``lr``."""
    if name not in ZOO_LABELS:
        raise ValueError(f"name must be one of {', '.join(ZOO_LABELS)}; got {name!r}")
    return ZOO[ZOO_LABELS.index(name)](lr)


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
    """Run ``optimizer`` on ``objective`` like ``functions.run``, keeping only the path and f − f*.

    A run that goes more than ``DIVERGED_WIDTHS`` window widths away has diverged: it stops there, before f or
    its gradient is evaluated at the far point (where they could overflow).
    """
    theta = np.array(objective.start if x0 is None else x0, dtype=np.float64).reshape(-1)
    low, high = np.array(objective.bounds, dtype=np.float64).T
    centre, reach = (low + high) / 2, DIVERGED_WIDTHS * (high - low)
    f_min = objective.f_min
    state = optimizer.init(theta)
    path, gaps = [theta], [objective.value(theta) - f_min]
    for t in range(1, steps + 1):
        theta, state = optimizer.update(theta, objective.gradient(theta), state)
        if np.any(np.abs(theta - centre) > reach):
            return Trajectory(plots.label(optimizer), optimizer.lr, np.array(path), np.array(gaps), t)
        path.append(theta)
        gaps.append(objective.value(theta) - f_min)
    return Trajectory(plots.label(optimizer), optimizer.lr, np.array(path), np.array(gaps), None)


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
    return {name: grid_search(ZOO[ZOO_LABELS.index(name)], objective, x0, steps, learning_rates)
            for name in names}


def best_runs(searches: Mapping[str, GridSearch]) -> dict[str, Trajectory]:
    """Each optimizer's run at the learning rate its grid search chose."""
    return {name: search.best_run for name, search in searches.items()}


# ================================================================================================
# Figures (notebook 05)

RULE = f"lr: best f − f* after {STEPS} steps on the grid 1e-4…3 (×√10 apart)"


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
        ax.semilogy(np.maximum(run.gaps, 1e-16), color=plots.color(name), lw=1.3,
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
        ax.loglog(search.learning_rates, gaps, "-o", color=plots.color(name), ms=3, lw=1.1, label=name)
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


def formatted(value: Optional[float], spec: str) -> str:
    """A number for a table cell, or "—" for None and nan (no value: not reached, not defined)."""
    return "—" if value is None or math.isnan(value) else format(value, spec)


def table(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """A plain-text table with aligned columns (numbers formatted by the caller)."""
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(str(h)), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths))]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
    return "\n".join(lines)


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
            (line,) = ax.plot([], [], "-", color=plots.color(name), lw=1.6, label=name, zorder=on_top)
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


def save_gif(animation: FuncAnimation, name: str, fps: int = 6) -> Path:
    """Write the animation to figures/NAME.gif with Pillow (no ffmpeg needed)."""
    plots.FIGURES.mkdir(parents=True, exist_ok=True)
    path = plots.FIGURES / f"{name}.gif"
    animation.save(path, writer=PillowWriter(fps=fps))
    return path


# ================================================================================================
# The claims (a) per-parameter step sizes, (c) saddles and local minima, (d) memory


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


def plot_per_parameter_steps(aligned: Objective, turned: Objective, lrs: Mapping[str, float],
                             settle: Mapping[str, Mapping[str, Optional[int]]], steps: int = 100) -> plt.Figure:
    """Claim (a): Adam's per-coordinate step size α/(√v̂ + ε) on the quadratic and on the same quadratic
    turned by 45°, and how many steps each optimizer needs on both (tuned learning rates)."""
    fig, axes = plt.subplots(1, 3, figsize=(12.5, 3.3), layout="constrained", width_ratios=(1, 1, 1.3))
    for ax, objective in zip(axes, (aligned, turned)):
        lr = lrs[objective.name]
        rates = adam_step_sizes(objective, lr, steps)
        t = np.arange(1, steps + 1)
        ax.semilogy(t, rates[:, 0], color=plots.color("Adam"), label="x")
        ax.semilogy(t, rates[:, 1], color=plots.color("Adam"), ls="--", label="y")
        ax.set_title(f"Adam on the {objective.name}, lr {lr:g} (grid rule), {steps} steps", fontsize=9)
        ax.set_xlabel("step t")
        ax.set_ylabel("α/(√v̂_t + ε)  (log scale)")
        ax.legend(title="coordinate", fontsize=7)
    names = list(settle[aligned.name])
    positions = np.arange(len(names))
    for offset, objective, hatch in ((-0.2, aligned, None), (0.2, turned, "//")):
        heights = [settle[objective.name][n] if settle[objective.name][n] is not None else STEPS for n in names]
        axes[2].bar(positions + offset, heights, width=0.4, color=[plots.color(n) for n in names],
                    hatch=hatch, edgecolor="white" if hatch else None, label=objective.name)
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


def plot_escape(names: Sequence[str], lr: float = 0.01, steps: int = 300) -> plt.Figure:
    """|y_t| on the saddle, everyone at the same learning rate: growth out of the ridge y = 0."""
    fig, ax = plt.subplots(figsize=(6.8, 3.4), layout="constrained")
    for name in names:
        path = trajectory(make_optimizer(name, lr), saddle, steps=steps).path
        on_top = name == "Adam"  # AMSGrad and AdamW take the same steps here: Adam drawn over them
        ax.semilogy(np.abs(path[:, 1]), color=plots.color(name), label=name, lw=2.0 if on_top else 1.3,
                    zorder=3 if on_top else 2)
    ax.axhline(0.5, color="black", lw=0.8, ls=":")
    ax.text(steps, 0.55, "escaped: |y| > 0.5", ha="right", va="bottom", fontsize=8)
    ax.set_xlabel("step t")
    ax.set_ylabel("|y_t|  (log scale)")
    ax.set_title(f"Leaving the saddle of {saddle.formula.split('   ')[0]}: start {_point(saddle.start)}, "
                 f"every optimizer at lr {lr:g}", fontsize=9)
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


def buffers_per_parameter(optimizer: Optimizer) -> int:
    """How many arrays the size of the parameters the optimizer keeps between steps.

    Counted from the state ``init`` returns, not typed in: every field that holds an array of the
    parameters' shape (the step count t and the scalars are not per parameter; fields that are None,
    such as the diagnostics before the first step or Adam's v_max without AMSGrad, hold nothing).
    """
    params = np.zeros(7)
    state = optimizer.init(params)
    return sum(isinstance(value, np.ndarray) and value.shape == params.shape for value in state)


# ================================================================================================
# The online counterexample of Reddi, Kale & Kumar (2018), §3 and §5 (notebook 06)


def run_online(optimizer: Optimizer, objective: OnlineObjective, steps: int, alpha: float) -> np.ndarray:
    """x_0 … x_T on an online objective with α_t = α/√t (Reddi et al., Theorem 4), projected on [−1, 1].

    The optimizers take a constant lr; since the state is explicit, setting ``lr`` before each update
    gives the schedule. The readable version: ``run_counterexample`` is the same arithmetic, faster.
    """
    optimizer = copy.copy(optimizer)  # the caller's optimizer keeps its lr
    theta = np.array(objective.start, dtype=np.float64)
    state = optimizer.init(theta)
    xs = [theta[0]]
    for t in range(1, steps + 1):
        optimizer.lr = alpha / math.sqrt(t)  # α_t = α/√t
        theta, state = optimizer.update(theta, objective.gradient(theta, t), state)
        theta = objective.project(theta)
        xs.append(theta[0])
    return np.array(xs)


def run_counterexample(optimizer: Adam, big: float, small: float, period: int, steps: int,
                       alpha: float) -> np.ndarray:
    """``run_online`` on ``reddi_counterexample(big, small, period)``, in plain Python floats.

    The same operations in the same order as ``Adam.update`` (so the same numbers, to the last bit),
    about 25 times faster: 2·10⁵ steps take a fifth of a second. Adam and AMSGrad only.
    """
    if type(optimizer) is not Adam or optimizer.eps_hat or optimizer.weight_decay:
        raise ValueError(f"optimizer must be a plain Adam (amsgrad and bias_correction allowed), got {optimizer!r}")
    beta1, beta2, eps = optimizer.beta1, optimizer.beta2, optimizer.eps
    amsgrad, corrected = optimizer.amsgrad, optimizer.bias_correction
    x, m, v, v_max = 1.0, 0.0, 0.0, 0.0
    xs = np.empty(steps + 1)
    xs[0] = x
    for t in range(1, steps + 1):
        g = big if t % period == 1 else small
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        if amsgrad:
            v_max = max(v_max, v)
        v_used = v_max if amsgrad else v
        m_hat, v_hat = (m / (1 - beta1**t), v_used / (1 - beta2**t)) if corrected else (m, v_used)
        x = x + -(alpha / math.sqrt(t)) * m_hat / (math.sqrt(v_hat) + eps)
        x = min(1.0, max(-1.0, x))  # projection onto [−1, 1]
        xs[t] = x
    return xs


def counterexample_regret(xs: np.ndarray, big: float, small: float, period: int) -> np.ndarray:
    """R_t/t for t = 1 … T (Reddi et al., eq. 1): Σ_{s≤t} f_s(x_{s−1}) − f_s(−1), over t."""
    t = np.arange(1, len(xs))
    coefficients = np.where(t % period == 1, big, small)
    return np.cumsum(coefficients * (xs[:-1] + 1.0)) / t


def plot_counterexample(runs: Mapping[str, tuple[str, str, np.ndarray]], big: float, small: float, period: int,
                        title: str) -> plt.Figure:
    """x_t and the average regret R_t/t, log-scaled steps. ``runs`` maps a legend text to
    (palette label, line style, x_0 … x_T)."""
    fig, (ax_x, ax_r) = plt.subplots(1, 2, figsize=(11.5, 3.5), layout="constrained")
    steps = len(next(iter(runs.values()))[2]) - 1
    shown = np.unique(np.round(np.geomspace(1, steps, 1500)).astype(int))  # log-spaced: a light figure
    for text, (name, style, xs) in runs.items():
        regret = counterexample_regret(xs, big, small, period)
        ax_x.semilogx(shown, xs[shown], style, color=plots.color(name), lw=1.4, label=text)
        ax_r.loglog(shown, np.maximum(regret[shown - 1], 1e-6), style, color=plots.color(name), lw=1.4, label=text)
    drift = (big + (period - 1) * small) / period  # the average loss slope
    note = dict(fontsize=8, ha="right", bbox=dict(facecolor="white", edgecolor="none", alpha=0.8, pad=1))
    for level, text in ((-1, "x = −1: the best fixed point"), (1, "x = +1: the worst")):
        ax_x.axhline(level, color="black", lw=0.8, ls=":")
        ax_x.text(steps, level - 0.1 * level, text, va="center", **note)
    ax_x.set_xlabel("step t (log scale)")
    ax_x.set_ylabel("x_t")
    ax_x.set_ylim(-1.1, 1.1)
    ax_r.axhline(2 * drift, color="black", lw=0.8, ls=":")
    ax_r.text(steps, 2 * drift / 1.6, f"R_t/t of staying at x = +1: {2 * drift:.3g}", va="center", **note)
    ax_r.set_xlabel("step t (log scale)")
    ax_r.set_ylabel("average regret R_t/t (log scale)")
    ax_x.set_title("the iterate x_t", fontsize=9)
    ax_r.set_title("R_t/t → 0 means: as good as the best fixed point", fontsize=9)
    fig.legend(*ax_x.get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=8)
    fig.suptitle(title, fontsize=9.5)
    return fig


# ================================================================================================
# Adam with an L2 term versus AdamW (Loshchilov & Hutter, ICLR 2019)

CURVATURES = np.logspace(-3, 2, 6)  # one weight per curvature h: f(θ) = Σ h_i (θ_i − 1)²/2


def _separable_quadratic_grad(theta: np.ndarray) -> np.ndarray:
    return CURVATURES * (theta - 1.0)


def weight_decay_endpoints(optimizer: Optimizer, steps: int = 3000) -> tuple[np.ndarray, list]:
    """Run on f(θ) = Σ h_i(θ_i − 1)²/2 from θ = 1 (the unregularised minimum); return θ_T and the states.

    Six weights whose gradients differ in scale by 10⁵; the regularised solution of the L2 problem
    f + λ‖θ‖²/2 is θ_i = h_i/(h_i + λ).
    """
    theta = np.ones_like(CURVATURES)
    state = optimizer.init(theta)
    states = []
    for _ in range(steps):
        theta, state = optimizer.update(theta, _separable_quadratic_grad(theta), state)
        states.append(state)
    return theta, states


def effective_decay(optimizer: Optimizer, states: Sequence) -> np.ndarray:
    """The fraction of θ_i that the decay term removes per step, for each weight at each step.

    Adam + L2: the term λθ joins the gradient and is divided by √v̂ like it, so α·λ/(√v̂_i + ε);
    AdamW: α·λ for every weight, whatever its gradients.
    """
    alpha, lam = optimizer.lr, optimizer.weight_decay
    if isinstance(optimizer, AdamW):
        return np.full((len(states), len(CURVATURES)), alpha * lam)
    return np.array([alpha * lam / (np.sqrt(state.v_hat) + optimizer.eps) for state in states])


def plot_weight_decay(decays: Sequence[float] = (0.1, 1.0), lr: float = 0.01, steps: int = 3000,
                      shown_steps: int = 300) -> plt.Figure:
    """Where Adam + L2 and AdamW end on the six-weight quadratic, and the decay each weight feels."""
    fig, (ax_end, ax_rate) = plt.subplots(1, 2, figsize=(11.5, 3.6), layout="constrained")
    h = np.logspace(-3.3, 2.3, 200)
    for lam, marker in zip(decays, ("o", "s")):
        ax_end.semilogx(h, h / (h + lam), color="grey", lw=0.9, ls="--")
        for optimizer in (Adam(lr, weight_decay=lam), AdamW(lr, weight_decay=lam)):
            name = plots.label(optimizer)
            theta, states = weight_decay_endpoints(optimizer, steps)
            ax_end.semilogx(CURVATURES, theta, marker, color=plots.color(name), ms=6,
                            mfc="none" if name == "AdamW" else plots.color(name), label=f"{name}, λ = {lam:g}")
            if lam == decays[0]:
                rates = effective_decay(optimizer, states[:shown_steps])
                for i, style in ((0, "-"), (len(CURVATURES) - 1, "--")):
                    ax_rate.semilogy(np.arange(1, shown_steps + 1), rates[:, i], style, color=plots.color(name),
                                     label=f"{name}, weight with h = {CURVATURES[i]:g}")
    ax_end.text(0.02, 0.62, "dashed: the L2 solution h/(h + λ)", transform=ax_end.transAxes, fontsize=8)
    ax_end.set_xlabel("curvature h_i of the weight's loss (log scale)")
    ax_end.set_ylabel(f"θ_i after {steps} steps")
    ax_end.set_title("where each weight ends (the loss alone wants θ = 1)", fontsize=9)
    ax_end.legend(fontsize=7, loc="lower right")
    ax_rate.set_xlabel("step t")
    ax_rate.set_ylabel("share of θ_i decayed per step (log)")
    ax_rate.set_title(f"the decay each weight feels, λ = {decays[0]:g}: α·λ/(√v̂_i + ε) versus α·λ", fontsize=9)
    ax_rate.legend(fontsize=7)
    fig.suptitle(f"f(θ) = Σ h_i(θ_i − 1)²/2, six weights, h from 1e-3 to 100, start θ = 1, lr {lr:g}, "
                 f"{steps} steps, full-batch gradients", fontsize=9.5)
    return fig


# ================================================================================================
# RAdam: the variance of the adaptive step in the first steps


class EarlySteps(NamedTuple):
    t: np.ndarray  # 1 … T
    psi: np.ndarray  # (T, n) Adam's adaptive factor 1/(√v̂_t + ε) per coordinate
    rectification: np.ndarray  # RAdam's r_t (nan while ρ_t ≤ 5, when RAdam uses no adaptive factor)
    step_sizes: dict[str, np.ndarray]  # |Δ_t|/α per coordinate, (T, n), per method


def early_adaptive_steps(steps: int = 200, coordinates: int = 20_000, seed: int = 0, lr: float = 1e-3,
                         warmup: int = 100) -> EarlySteps:
    """Adam, RAdam and Adam with a linear warm-up on pure-noise gradients g ~ N(0, 1).

    Every coordinate is an independent copy of the same experiment (the optimizers act element-wise),
    so the spread across the ``coordinates`` is the spread of the step at step t. The same gradients
    for all three methods (one generator, seeded).
    """
    rng = np.random.default_rng(seed)
    gradients = rng.standard_normal((steps, coordinates))
    methods = {"Adam": Adam(lr), "RAdam": RAdam(lr), "Adam + warm-up": Adam(lr)}
    sizes, psi = {}, []
    for name, optimizer in methods.items():
        theta = np.zeros(coordinates)
        state = optimizer.init(theta)
        out = np.empty((steps, coordinates))
        for t in range(1, steps + 1):
            if name == "Adam + warm-up":
                optimizer.lr = lr * min(1.0, t / warmup)  # α_t = α·min(1, t/warm-up)
            theta, state = optimizer.update(theta, gradients[t - 1], state)
            out[t - 1] = np.abs(state.delta) / lr
            if name == "Adam":
                psi.append(1.0 / (np.sqrt(state.v_hat) + optimizer.eps))
        sizes[name] = out
    radam = methods["RAdam"]
    rect = np.array([radam.rectification(t) or math.nan for t in range(1, steps + 1)])
    return EarlySteps(np.arange(1, steps + 1), np.array(psi), rect, sizes)


def plot_early_steps(early: EarlySteps, rho_infinity: float) -> plt.Figure:
    """RAdam's argument in two panels: the spread of Adam's adaptive factor, and of the steps taken."""
    fig, (ax_psi, ax_step) = plt.subplots(1, 2, figsize=(11.5, 3.6), layout="constrained")
    spread = early.psi.std(axis=1)
    ax_psi.loglog(early.t, spread, color=plots.color("Adam"), label="Adam: std of 1/(√v̂_t + ε)")
    ax_psi.loglog(early.t, early.rectification * spread, color=plots.color("RAdam"),
                  label="RAdam: r_t × that (from t = 6)")
    ax_psi.axhline(1 / math.sqrt(2 * rho_infinity), color="black", ls=":", lw=0.9,
                   label="its limit for t → ∞, 1/√(2ρ_∞)")
    ax_psi.set_xlabel("step t (log scale)")
    ax_psi.set_ylabel("spread across 20 000 coordinates (log scale)")
    ax_psi.set_title("the adaptive factor ψ_t: wild at first, tamed by r_t", fontsize=9)
    ax_psi.legend(fontsize=7)
    styles = {"Adam": (plots.color("Adam"), "-"), "RAdam": (plots.color("RAdam"), "-"),
              "Adam + warm-up": (plots.color("Adam"), "--")}
    for name, sizes in early.step_sizes.items():
        colour, style = styles[name]
        low, middle, high = np.percentile(sizes, [5, 50, 95], axis=1)
        ax_step.plot(early.t, middle, style, color=colour, label=f"{name}: median")
        ax_step.fill_between(early.t, low, high, color=colour, alpha=0.12 if name != "RAdam" else 0.2, lw=0)
    ax_step.set_xscale("log")
    ax_step.set_xlabel("step t (log scale)")
    ax_step.set_ylabel("|Δ_t| / α")
    ax_step.set_title("the steps taken: median and 5–95% band", fontsize=9)
    ax_step.legend(fontsize=7)
    fig.suptitle("Pure-noise gradients g ~ N(0, 1), 20 000 independent coordinates (seed 0), β = (0.9, 0.999); "
                 "warm-up: α·min(1, t/100)", fontsize=9.5)
    return fig


# ================================================================================================
# Learning rate and ε: what goes wrong


def steps_on_the_cubic(lr: float, steps: int = 60) -> np.ndarray:
    """x_t of Adam (defaults otherwise) on x³ − 2x² + 2 from x = 0.001, the collection's first example.

    No box here: f is unbounded below, and a run that crosses the maximum at 0 slides away for ever,
    α per step.
    """
    optimizer = Adam(lr)
    theta = np.array(cubic.start)
    state = optimizer.init(theta)
    xs = [theta[0]]
    for _ in range(steps):
        theta, state = optimizer.update(theta, cubic.grad(theta), state)
        xs.append(theta[0])
    return np.array(xs)


def round_off_walk(eps: float, steps: int = 1000, lr: float = 1e-2, scale: float = 1e-12,
                   seed: int = 0) -> np.ndarray:
    """θ_t of a weight the loss does not depend on, whose gradient is round-off noise of size ``scale``.

    Adam divides that noise by its own RMS: unless ε is larger than the noise, every step is ≈ α in a
    random direction, a random walk out of nowhere.
    """
    rng = np.random.default_rng(seed)
    optimizer = Adam(lr, eps=eps)
    theta = np.zeros(1)
    state = optimizer.init(theta)
    path = [0.0]
    for g in scale * rng.standard_normal(steps):
        theta, state = optimizer.update(theta, np.array([g]), state)
        path.append(theta[0])
    return np.array(path)


def eps_slowdown(eps: float, lr: float = 0.3, steps: int = STEPS) -> np.ndarray:
    """f − f* of Adam with this ε on the ill-conditioned quadratic, at the zoo's lr for it (0.3).

    A large ε turns Adam into SGD with learning rate α/ε once the gradients are smaller than ε."""
    return trajectory(Adam(lr, eps=eps), quadratic, steps=steps).gaps


def plot_failures(lrs: Sequence[float] = (0.05, 0.5, 1.0, 2.0), small_eps: Sequence[float] = (1e-8, 1e-12, 0.0),
                  large_eps: Sequence[float] = (1e-8, 1.0, 10.0, 100.0)) -> plt.Figure:
    """Learning rate too large, ε too small, ε too large: Adam with β = (0.9, 0.999) in three panels.

    Each panel has its own learning rate: the cubic varies it (ε = 1e-8), the round-off weight uses 0.01 and
    the quadratic 0.3 (its tuned lr in notebook 05), each with ε varied."""
    fig, axes = plt.subplots(1, 3, figsize=(12.5, 3.5), layout="constrained")
    shades = plt.get_cmap("Reds")(np.linspace(0.4, 1.0, 4))
    styles = ("-", "--", "-.", ":")
    for lr, colour, style in zip(lrs, shades, styles):
        axes[0].plot(steps_on_the_cubic(lr), style, color=colour, label=f"lr {lr:g}")
    axes[0].axhline(4 / 3, color="black", lw=0.8, ls=":")
    axes[0].axhline(0, color="grey", lw=0.8)
    axes[0].set_yscale("symlog", linthresh=2)
    axes[0].set_xlabel("step t")
    axes[0].set_ylabel("x_t  (symlog: linear within ±2)")
    axes[0].set_title(f"lr too large: {cubic.formula}, x0 = 0.001", fontsize=9)
    for eps, colour, style in zip(small_eps, shades[1:], styles):
        axes[1].plot(np.abs(round_off_walk(eps)), style, color=colour, label=f"ε = {eps:g}")
    axes[1].set_yscale("log")
    axes[1].set_ylim(1e-8, 2)
    axes[1].set_xlabel("step t")
    axes[1].set_ylabel("|θ_t| (log scale)")
    axes[1].set_title("ε too small: gradient = round-off noise ~1e-12, lr 0.01", fontsize=9)
    for eps, colour, style in zip(large_eps, shades, styles):
        axes[2].semilogy(np.maximum(eps_slowdown(eps), 1e-16), style, color=colour, label=f"ε = {eps:g}")
    axes[2].set_xlabel("step t")
    axes[2].set_ylabel("f(θ_t) − f*  (log scale)")
    axes[2].set_title("ε too large: the quadratic, lr 0.3", fontsize=9)
    for ax in axes:
        ax.legend(fontsize=7, title="Adam", title_fontsize=7)
    fig.suptitle("What goes wrong: Adam with β = (0.9, 0.999), one setting changed at a time", fontsize=9.5)
    return fig


# ================================================================================================
# Noisy gradients: what the two moments do (claim b) and the noise floor (claim c)


class NoiseAveraging(NamedTuple):
    gradient_std: float  # spread of g_t across coordinates at the last step
    m_hat_std: float  # spread of Adam's m̂_t
    momentum_std: float  # spread of SGD-momentum's buffer, rescaled by (1 − μ) to gradient units
    v_hat_mean: float  # mean of v̂_t: ≈ E[g²] = μ² + σ²
    mean_step: float  # mean of Δ_t/α (signed): the drift of Adam's step
    step_std: float  # spread of Δ_t/α


def noise_averaging(mean: float = 1.0, noise: float = 3.0, steps: int = 300, coordinates: int = 20_000,
                    seed: int = 0) -> NoiseAveraging:
    """Adam and SGD with momentum fed g_t = mean + noise·ξ_t (ξ ~ N(0, 1)), statistics at step T."""
    rng = np.random.default_rng(seed)
    adam, momentum = Adam(1e-3), SGD(1e-3, momentum=0.9)
    theta_a = theta_m = np.zeros(coordinates)
    state_a, state_m = adam.init(theta_a), momentum.init(theta_m)
    for _ in range(steps):
        g = mean + noise * rng.standard_normal(coordinates)
        theta_a, state_a = adam.update(theta_a, g, state_a)
        theta_m, state_m = momentum.update(theta_m, g, state_m)
    steps_over_lr = state_a.delta / adam.lr
    return NoiseAveraging(float(g.std()), float(state_a.m_hat.std()), float(((1 - 0.9) * state_m.b).std()),
                          float(state_a.v_hat.mean()), float(-steps_over_lr.mean()), float(steps_over_lr.std()))


def noise_floor(name: str, lr: float, noise: float, steps: int = 1000, runs: int = 200, seed: int = 0,
                last: int = 200) -> float:
    """Mean f − f* over the last ``last`` steps on the quadratic with gradient noise of std ``noise``.

    ``runs`` independent runs at once (the columns of a (2, runs) parameter array); seeded.
    """
    rng = np.random.default_rng(seed)
    optimizer = make_optimizer(name, lr)
    theta = np.repeat(np.array(quadratic.start)[:, None], runs, axis=1)
    state = optimizer.init(theta)
    tail = []
    for t in range(steps):
        g = quadratic.grad(theta) + noise * rng.standard_normal(theta.shape)
        theta, state = optimizer.update(theta, g, state)
        if t >= steps - last:
            tail.append(quadratic.f(theta).mean())
    return float(np.mean(tail))


def plot_noise(names_and_lrs: Mapping[str, float], noises: Sequence[float] = (0.1, 1.0, 10.0, 100.0),
               mean: float = 1.0, noise: float = 3.0, steps: int = 200, seed: int = 0) -> tuple[plt.Figure, dict]:
    """Claim (b) and the noise part of (c): what m̂ and v̂ do with noisy gradients, and the noise floor.

    Returns the figure and the noise floors {name: [floor per noise level]}.
    """
    rng = np.random.default_rng(seed)
    gradients = mean + noise * rng.standard_normal(steps)
    adam = Adam(1e-3)
    theta, state = np.zeros(1), adam.init(np.zeros(1))
    m_hat, step = [], []
    for g in gradients:
        theta, state = adam.update(theta, np.array([g]), state)
        m_hat.append(state.m_hat[0])
        step.append(-state.delta[0] / adam.lr)
    floors = {name: [noise_floor(name, lr, sigma) for sigma in noises] for name, lr in names_and_lrs.items()}

    fig, (ax_t, ax_f) = plt.subplots(1, 2, figsize=(11.5, 3.5), layout="constrained")
    t = np.arange(1, steps + 1)
    ax_t.plot(t, gradients, color="#bbbbbb", lw=0.8, label=f"g_t = {mean:g} + {noise:g}·ξ_t")
    ax_t.plot(t, m_hat, color=plots.color("Adam"), lw=1.5, label="Adam's m̂_t")
    ax_t.plot(t, step, color="black", lw=1.2, ls="--", label="Adam's step −Δ_t/α")
    ax_t.axhline(mean, color="black", lw=0.8, ls=":")
    ax_t.set_xlabel("step t")
    ax_t.set_ylabel("value")
    ax_t.set_title(f"one coordinate, noisy gradient with mean {mean:g} (seed {seed})", fontsize=9)
    ax_t.legend(fontsize=7, ncols=3, loc="upper center")
    ax_t.set_ylim(-12, 14)
    for name, values in floors.items():
        ax_f.loglog(noises, values, "-o", color=plots.color(name), ms=4,
                    label=f"{name}, lr {names_and_lrs[name]:g}")
    ax_f.set_xlabel("gradient noise σ (log scale)")
    ax_f.set_ylabel("mean f − f*, steps 801–1000 (log)")
    ax_f.set_title("the noise floor on the quadratic (200 runs each, seed 0)", fontsize=9)
    ax_f.legend(fontsize=7)
    fig.suptitle("Noisy gradients: m̂ averages the noise away, v̂ scales the step down; neither converges "
                 "with a constant lr", fontsize=9.5)
    return fig, floors
