"""Notebook 04's slider experiment: Adam's path on a 2-D objective, and each coordinate's step size.

Speed: a run of 200 steps costs about 4 ms, almost all of it Python's overhead per step. So when the slider
that moved is the learning rate, ε or a start coordinate, a missing run is computed together with those of the
``NEIGHBOURS`` positions on either side along it: one vectorised run of Adam on a (2, K) array, K starts, α or ε
at once (``lanes``), costs about as much as one, and the next moves of that slider find their runs in the cache
(β1, β2 and the other controls compute their one run). Every run goes through ``lanes`` (one lane when no batch
applies), and a lane is the same run to the last bit whatever other lanes share its batch: what a setting shows
never depends on which batch computed it.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from adam_edu import plots
from adam_edu.functions import OBJECTIVES, Objective
from adam_edu.lessons.update_rule import EPS_CONVENTIONS, adam_with_convention
from adam_edu.paper.training import significant
from adam_edu.widgets.base import KEY_DIGITS, SliderExperiment, beta2_from_slider, log_beta2_slider

PRESETS = ("rosenbrock", "beale", "quadratic", "saddle")
STEPS = 200
BATCHED = ("lr", "eps", "x0", "y0")  # the sliders along which runs are computed in batches (see lanes)
NEIGHBOURS = 10  # a missing run is computed with those of this many positions either side
CACHE_SIZE = 5_000  # runs kept; the cache is emptied when it is full


class Lane(NamedTuple):
    """One run of ``lanes``: as ``functions.run(..., stop_if_diverged=True)`` reports it."""

    params: np.ndarray  # (steps done + 1, 2): θ_0 … θ_n
    steps_done: int  # n: the run stops before a step whose gradient (or θ) is not finite
    gap: float  # f(θ_n) − f*


def lanes(objective: Objective, starts: Sequence[tuple[float, float]], steps: int, convention: str, *,
          lr, eps, beta1: float, beta2: float, bias_correction: bool) -> list[Lane]:
    """Adam from ``starts[k]``, for every k at once, on a (2, K) array; ``lr`` and ``eps`` are each one number
    for all lanes or one per lane.

    Lane k is ``functions.run(adam_with_convention(convention, lr=lr[k], eps=eps[k], beta1=beta1, beta2=beta2,
    bias_correction=bias_correction), objective, starts[k], steps, stop_if_diverged=True)``, to the last bit or
    two (NumPy may round a scalar's ``x**2`` and an array's differently). α and ε enter Adam's update only
    through +, −, ×, ÷ and √, which IEEE arithmetic rounds exactly, element by element: so a lane is the same
    run to the last bit whatever other lanes share its batch. (β1 and β2 also enter through β^t, a power,
    which NumPy may compute for an array otherwise than for a number: they are one number for all lanes.)
    A lane whose gradient or θ stops being finite stops there, as ``run`` stops; it is then held at its start
    with a zero gradient, so that it disturbs nothing.
    """
    theta = np.array(starts, dtype=np.float64).T.copy()  # row 0 the x of every lane, row 1 the y
    starts_array = theta.copy()
    per_lane = {"lr": lr, "eps": eps}
    first = {name: float(np.ravel(value)[0]) for name, value in per_lane.items()}
    for name, value in per_lane.items():
        for one in set(np.ravel(value).tolist()):  # each value checked as Adam checks it, with Adam's message
            adam_with_convention(convention, beta1=beta1, beta2=beta2, **{**first, name: one})
    optimizer = adam_with_convention(convention, beta1=beta1, beta2=beta2, bias_correction=bias_correction, **first)
    for name, value in per_lane.items():
        if np.ndim(value):  # one value per lane: each lane is its own run
            setattr(optimizer, name, np.array(value, dtype=np.float64))
    state = optimizer.init(theta)
    path = [theta]
    stopped = np.zeros(theta.shape[1], dtype=int)  # 0: running; else the step before which the lane stopped
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, steps + 1):
            g = objective.grad(theta)
            bad = (stopped == 0) & ~(np.isfinite(g).all(axis=0) & np.isfinite(theta).all(axis=0))
            stopped[bad] = t
            if stopped.all():
                break
            held = stopped > 0
            if held.any():
                theta = np.where(held, starts_array, theta)
                g = np.where(held, 0.0, objective.grad(theta))
            theta, state = optimizer.update(theta, g, state)
            path.append(theta)
        path = np.stack(path)  # (n + 1, 2, K)
        runs = []
        for k, stop in enumerate(stopped):
            done = stop - 1 if stop else len(path) - 1
            params = path[: done + 1, :, k].copy()
            runs.append(Lane(params, done, objective.value(params[-1]) - objective.f_min))
    return runs


class UpdateRuleExperiment(SliderExperiment):
    """Adam for 200 steps on a 2-D objective: the path over the contours (left) and |Δ_t|/α per
    coordinate (right, log scale), so the per-parameter step and its bound |Δ| ≲ α are visible."""

    question = (
        "Each coordinate gets its own step of about α, whatever its gradient's size. When does a step "
        "exceed α? What do ε, β2 and bias correction change in the first steps?"
    )
    # the axes change only with the objective, which forgets the pictures drawn beforehand
    prefetch = ("lr", "beta1", "log10_one_minus_beta2", "eps", "x0", "y0")

    def __init__(self, objective: str = "rosenbrock", steps: int = STEPS):
        self.steps = steps
        controls = {
            "lr": widgets.FloatLogSlider(value=0.05, base=10, min=-4, max=0, step=0.1, description="lr α",
                                         readout_format=".1e"),
            "beta1": widgets.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01, description="β1"),
            "log10_one_minus_beta2": log_beta2_slider(0.999),
            "eps": widgets.FloatLogSlider(value=1e-8, base=10, min=-12, max=2, step=0.5, description="ε",
                                          readout_format=".0e"),
            "bias_correction": widgets.Checkbox(value=True, description="bias correction"),
            "convention": widgets.Dropdown(options=EPS_CONVENTIONS, value=EPS_CONVENTIONS[0], description="ε placed"),
            "objective": widgets.Dropdown(options=PRESETS, value=objective, description="objective"),
            "x0": widgets.FloatSlider(description="start x", step=0.05),
            "y0": widgets.FloatSlider(description="start y", step=0.05),
        }
        fig = Figure(figsize=(9.6, 4.0), dpi=80)
        self.ax_path, self.ax_steps = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.88, wspace=0.25)
        (self.path,) = self.ax_path.plot([], [], "-o", color=plots.color("Adam"), lw=1.2, markersize=2,
                                         label="Adam path")
        (self.start,) = self.ax_path.plot([], [], "o", color="black", markersize=6, label="start")
        t = np.arange(1, steps + 1)
        (self.step_x,) = self.ax_steps.semilogy(t, np.ones(steps), color=plots.color("Adam"), label="|Δx_t| / α")
        (self.step_y,) = self.ax_steps.semilogy(t, np.ones(steps), color=plots.color("AMSGrad"), label="|Δy_t| / α")
        self.ax_steps.axhline(1.0, color="black", ls=":", lw=1, label="|Δ| = α")
        self.ax_steps.set_ylim(1e-5, 30)
        self.ax_steps.set_xlim(0, steps)
        self.ax_steps.set_xlabel("step t")
        self.ax_steps.set_ylabel("|Δ_t| / α per coordinate (log scale)")
        self.ax_steps.set_title(f"step size per coordinate, {steps} steps")
        self.ax_steps.legend(loc="lower left")
        self.summary = self.ax_path.text(0.02, 0.02, "", transform=self.ax_path.transAxes, fontsize=8,
                                         bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
        self._contours = None
        self._objective = None
        self._syncing = False
        self._cache: dict = {}
        self._along: str | None = None  # the slider that moved, if its neighbours are run with it (BATCHED)
        # the summary changes at every move: shown as text beside the sliders, drawn only into snapshots
        super().__init__(fig, controls, moving=[self.path, self.start, self.step_x, self.step_y],
                         readouts=[self.summary])
        self._show_objective(objective)

    def _show_objective(self, name: str) -> None:
        """Draw the contours of a new objective and move the start sliders into its window."""
        objective = OBJECTIVES[name]
        self._objective = objective
        self.ax_path.clear()
        plots.draw_contours(self.ax_path, objective, resolution=150, count=25)
        for artist in (self.path, self.start, self.summary):
            if artist.axes is None:  # clear() detached them: re-attach without replotting
                self.ax_path.add_artist(artist) if artist is self.summary else self.ax_path.add_line(artist)
        self.ax_path.set_title(f"Adam on {name}, {self.steps} steps")
        self.ax_path.legend(loc="upper right")
        self._syncing = True  # moving the sliders' ranges fires their observers: update once, after
        for control, (low, high), start in zip((self.controls["x0"], self.controls["y0"]), objective.bounds,
                                               objective.start):
            control.min, control.max = -1e9, 1e9
            control.value = start
            control.min, control.max = low, high
        self._syncing = False
        self.redraw_background()

    def _on_change(self, change: dict) -> None:
        if change["owner"] is self.controls["objective"]:
            self._show_objective(change["new"])
        moved = [name for name, control in self.controls.items() if control is change["owner"]]
        self._along = moved[0] if moved and moved[0] in BATCHED else None
        if not self._syncing:
            self.refresh()
            self._prefetch_after(change)

    def run(self, values: dict) -> Lane:
        """The run at these slider values, from the cache, or computed with its neighbours along the slider
        that moved, when it is one of ``BATCHED``."""
        key = tuple(significant(values[name], KEY_DIGITS) if name in BATCHED else values[name] for name in self.controls)
        if key not in self._cache:
            if len(self._cache) > CACHE_SIZE:
                self._cache.clear()
            keys = self.keys_near(key)
            column = dict(zip(self.controls, zip(*keys)))  # each control's value in every lane
            runs = lanes(self._objective, list(zip(column["x0"], column["y0"])), self.steps, values["convention"],
                         lr=column["lr"], eps=column["eps"], beta1=values["beta1"],
                         beta2=beta2_from_slider(values["log10_one_minus_beta2"]),
                         bias_correction=values["bias_correction"])
            self._cache.update(zip(keys, runs))
        return self._cache[key]

    def keys_near(self, key: tuple) -> list[tuple]:
        """``key`` and the keys of the positions either side of it along the slider that moved, if batched."""
        names = list(self.controls)
        if self._along is None:
            return [key]
        axis = names.index(self._along)
        slider = self.controls[self._along]
        if isinstance(slider, widgets.FloatLogSlider):
            position = lambda value: np.log(value) / np.log(slider.base)  # noqa: E731
            value_at = lambda exponent: slider.base ** exponent  # noqa: E731
        else:
            position, value_at = (lambda value: value), (lambda value: value)  # noqa: E731
        here = round((position(key[axis]) - slider.min) / slider.step)
        last = round((slider.max - slider.min) / slider.step)
        keys = [key]
        for i in range(max(here - NEIGHBOURS, 0), min(here + NEIGHBOURS, last) + 1):
            moved = list(key)
            moved[axis] = significant(value_at(slider.min + i * slider.step), KEY_DIGITS)
            if tuple(moved) != key and tuple(moved) not in self._cache:
                keys.append(tuple(moved))
        return keys

    def update(self, *, lr, beta1, log10_one_minus_beta2, eps, bias_correction, convention, objective, x0, y0):
        beta2 = beta2_from_slider(log10_one_minus_beta2)
        lane = self.run(dict(lr=lr, beta1=beta1, log10_one_minus_beta2=log10_one_minus_beta2, eps=eps,
                             bias_correction=bias_correction, convention=convention, objective=objective, x0=x0, y0=y0))
        lr, x0, y0 = (significant(value, KEY_DIGITS) for value in (lr, x0, y0))
        self.path.set_data(lane.params[:, 0], lane.params[:, 1])
        self.start.set_data([x0], [y0])
        ratios = np.full((self.steps, 2), np.nan)
        steps_done = lane.steps_done
        ratios[:steps_done] = np.abs(np.diff(lane.params, axis=0)) / lr
        self.step_x.set_ydata(ratios[:, 0])
        self.step_y.set_ydata(ratios[:, 1])
        gap = lane.gap
        status = f"diverged at step {steps_done + 1}" if steps_done < self.steps else f"f − f* = {gap:.2e}"
        self.summary.set_text(
            f"β2 = {beta2:.5g}, {status}\nlargest step / α: {np.nanmax(ratios, initial=0):.2f}"
        )
