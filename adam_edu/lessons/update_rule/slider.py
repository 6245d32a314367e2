"""Notebook 04's slider experiment: Adam's path on a 2-D objective, and each coordinate's step size."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from adam_edu import plots
from adam_edu.functions import OBJECTIVES, run
from adam_edu.lessons.update_rule import EPS_CONVENTIONS, adam_with_convention
from adam_edu.widgets.base import SliderExperiment, beta2_from_slider, log_beta2_slider

PRESETS = ("rosenbrock", "beale", "quadratic", "saddle")
STEPS = 200


class UpdateRuleExperiment(SliderExperiment):
    """Adam for 200 steps on a 2-D objective: the path over the contours (left) and |Δ_t|/α per
    coordinate (right, log scale), so the per-parameter step and its bound |Δ| ≲ α are visible."""

    question = (
        "Each coordinate gets its own step of about α, whatever its gradient's size. When does a step "
        "exceed α? What do ε, β2 and bias correction change in the first steps?"
    )

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
        if not self._syncing:
            self.refresh()

    def update(self, *, lr, beta1, log10_one_minus_beta2, eps, bias_correction, convention, objective, x0, y0):
        beta2 = beta2_from_slider(log10_one_minus_beta2)
        optimizer = adam_with_convention(convention, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                                         bias_correction=bias_correction)
        history = run(optimizer, self._objective, [x0, y0], self.steps, stop_if_diverged=True)
        self.history = history
        self.path.set_data(history.params[:, 0], history.params[:, 1])
        self.start.set_data([x0], [y0])
        ratios = np.full((self.steps, 2), np.nan)
        steps_done = len(history.grads)
        ratios[:steps_done] = np.abs(np.diff(history.params, axis=0)) / lr
        self.step_x.set_ydata(ratios[:, 0])
        self.step_y.set_ydata(ratios[:, 1])
        gap = history.values[-1] - self._objective.f_min
        status = f"diverged at step {steps_done + 1}" if steps_done < self.steps else f"f − f* = {gap:.2e}"
        self.summary.set_text(
            f"β2 = {beta2:.5g}, {status}\nlargest step / α: {np.nanmax(ratios, initial=0):.2f}"
        )

