"""Drawing: the one palette of the collection, and the figures the notebooks share. Figures take results.

Every optimizer has the same colour, line style and label in every figure, all declared once in
``adam_edu.registry``: ``label(opt)`` names an optimizer instance ("Nesterov" for SGD with Nesterov momentum,
"AMSGrad" for Adam with amsgrad=True, ...), ``color(label)`` and ``style(label)`` say how to draw it. A family
shares a hue; Adam is red and Adam without bias correction green, as in the paper's Figure 4.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.colors import LogNorm

from adam_edu import registry
from adam_edu.functions import Objective
from adam_edu.optimizers import Optimizer

PALETTE: dict[str, str] = {v.label: v.colour for v in registry.VARIANTS}
"""Every registered label's colour, read from ``adam_edu.registry`` (declare a new one there)."""

# One colour per quantity of the moment estimates (notebooks 02 and 03), distinct from the optimizers'.
QUANTITY_COLORS = {
    "g": "#9e9e9e",  # the gradients themselves, light grey dots
    "m": "#2166ac",  # first moment m_t, m̂_t: blue
    "v": "#b35806",  # second moment v_t, v̂_t (or its square root): dark orange
    "snr": "#542788",  # m̂/√v̂: purple
    "truth": "black",  # what the estimate should be: dashed black
}

REPOSITORY_FIGURES = Path(__file__).resolve().parent.parent / "figures"
# Where the notebooks write their figures: figures/, the pictures the README shows (`make notebooks` writes
# them), or the folder named by ADAM_EDU_FIGURES_DIR. `make test` names a scratch folder, so that re-running
# the notebooks under nbval leaves the checkout as it was, also on a machine whose rendering differs in a pixel.
FIGURES = Path(os.environ.get("ADAM_EDU_FIGURES_DIR") or REPOSITORY_FIGURES)


def label(optimizer: Optimizer) -> str:
    """The name an optimizer goes by in every legend of the collection (``registry.label``): its registered
    label, or one built from its arguments, e.g. "Adam (eps_inside_root=True)"."""
    return registry.label(optimizer)


def color(name: str) -> str:
    """The colour of an optimizer's label (see ``label``), from the registry."""
    return registry.variant(name).colour


def style(name: str) -> str:
    """The line style of an optimizer's label: within a family the hue is shared, the style tells them apart."""
    return registry.variant(name).style


def setup_notebook() -> None:
    """Inline figures that are the same from run to run: no software version stamped in the PNG."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.run_line_magic("matplotlib", "inline")
        shell.run_line_magic(
            "config",
            "InlineBackend.print_figure_kwargs = {'bbox_inches': 'tight', 'metadata': {'Software': None}}",
        )
    plt.rcParams.update({"figure.dpi": 90, "axes.grid": True, "grid.alpha": 0.3, "legend.fontsize": 8})


def save(fig: plt.Figure, name: str) -> Path:
    """Save a figure under figures/ as PNG, without metadata that changes between versions."""
    FIGURES.mkdir(parents=True, exist_ok=True)
    path = FIGURES / f"{name}.png"
    fig.savefig(path, dpi=100, bbox_inches="tight", metadata={"Software": None})
    return path


def save_gif(animation: FuncAnimation, name: str, fps: int = 6) -> Path:
    """Write the animation to figures/NAME.gif with Pillow (no ffmpeg needed)."""
    FIGURES.mkdir(parents=True, exist_ok=True)
    path = FIGURES / f"{name}.gif"
    animation.save(path, writer=PillowWriter(fps=fps))
    return path


# --- 2-D objectives -------------------------------------------------------------------------------


def grid(objective: Objective, resolution: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X, Y and f(X, Y) over the objective's plotting window."""
    (x0, x1), (y0, y1) = objective.bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    return X, Y, objective.f(np.stack([X, Y]))


def log_levels(values: np.ndarray, f_min: float, count: int = 30) -> np.ndarray:
    """Log-spaced contour levels of f − f* (so the valley floor keeps its detail)."""
    gap = values - f_min
    low = max(np.percentile(gap, 0.5), 1e-3 * np.percentile(gap, 50), 1e-12)
    return np.logspace(np.log10(low), np.log10(gap.max()), count)


def draw_contours(ax: plt.Axes, objective: Objective, resolution: int = 200, count: int = 30, *,
                  antialiased: bool = True) -> None:
    """Contours of f − f* on log-spaced levels, and a star at the minimum.

    ``antialiased=False`` makes the PNG of a many-panel figure, or of an animation's frames, about
    three times smaller.
    """
    X, Y, Z = grid(objective, resolution)
    f_min = min(objective.f_min, float(Z.min()))
    levels = log_levels(Z, f_min, count)
    ax.contour(X, Y, Z - f_min, levels=levels, norm=LogNorm(), cmap="Blues_r", linewidths=0.7, alpha=0.8,
               antialiased=antialiased)
    ax.plot(*objective.minimum, marker="*", color="gold", markeredgecolor="black", markersize=14, zorder=5,
            linestyle="none", label="minimum")
    ax.set_xlim(objective.bounds[0])
    ax.set_ylim(objective.bounds[1])
    ax.set_xlabel("x")
    ax.set_ylabel("y")


def draw_paths(ax: plt.Axes, paths: Mapping[str, np.ndarray], *, markers: bool = True) -> None:
    """One line per optimizer (rows are points), in the collection's colours, with the start marked."""
    for name, path in paths.items():
        path = np.asarray(path)
        ax.plot(path[:, 0], path[:, 1], style(name), color=color(name), lw=1.5, label=name,
                marker="." if markers else None, markersize=3)
    if paths:
        start = np.asarray(next(iter(paths.values())))[0]
        ax.plot(*start, marker="o", color="black", markersize=6, linestyle="none", label="start", zorder=5)


# --- one-dimensional objectives ------------------------------------------------------------------


def draw_1d_path(ax: plt.Axes, objective: Objective, xs: np.ndarray, name: str = "Adam") -> None:
    """f on its plotting window, with the iterates as markers coloured from light (early) to dark."""
    (low, high), = objective.bounds
    grid_x = np.linspace(low, high, 400)
    ax.plot(grid_x, objective.f(grid_x[None, :]), color="0.3", lw=1.2, label=objective.formula)
    xs = np.asarray(xs).reshape(-1)
    shades = plt.get_cmap("Reds")(np.linspace(0.35, 1.0, len(xs)))
    ax.scatter(xs, objective.f(xs[None, :]), c=shades, s=14, zorder=3, label=f"{name} iterates (light → dark)")
    ax.plot(*objective.minimum, objective.f_min, marker="*", color="gold", markeredgecolor="black",
            markersize=14, linestyle="none", zorder=4, label="local minimum")
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")


def draw_trajectory_and_steps(axes, xs: np.ndarray, deltas: np.ndarray, *, target: float, lr: float,
                              name: str = "Adam") -> None:
    """Left: x_t against t with the target; right: the step size |Δ_t| against t with α."""
    ax_x, ax_step = axes
    t = np.arange(len(xs))
    ax_x.plot(t, xs, color=color(name), label=f"{name}: x_t")
    ax_x.axhline(target, color="black", ls="--", lw=1, label=f"minimum x = {target:.6g}")
    ax_x.set_xlabel("step t")
    ax_x.set_ylabel("x_t")
    ax_step.plot(np.arange(1, len(deltas) + 1), np.abs(deltas), color=color(name), label=f"{name}: |Δ_t|")
    ax_step.axhline(lr, color="black", ls=":", lw=1, label=f"α = {lr:g}")
    ax_step.set_xlabel("step t")
    ax_step.set_ylabel("|Δ_t| = |x_t − x_{t−1}|")
    for ax in axes:
        ax.legend()
