"""The slider experiment of notebook 03: what bias correction changes, and for how long.

A stationary stream g_t ~ N(1, 1) (``default_rng(seed)``, 10,000 steps drawn once) feeds Adam's
averages. Three panels share a logarithmic step axis from 1 to 10,000: the first moment (m_t against
m̂_t), the second moment (√v_t against √v̂_t) and the step Adam takes, in units of α. Red is with
bias correction, green without, as in the paper's Figure 4 and in every figure of the collection;
the switch says which of the two Adam uses (drawn bold), the other stays as a faint comparison.

Speed: the axes never change (the step count only shortens the lines and moves a cursor), so every
update is blitted. m_t depends on β1 only and v_t on β2 only, so each is recomputed only when its
own slider moves; the lines are drawn through about 500 log-spaced steps (all of the first 100), and the one line
of text is a readout (shown beside the sliders; text costs about 0.08 ms a character to draw).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from adam_edu.lessons import moments
from adam_edu.lessons.bias_correction import uncorrected_step_factor
from adam_edu.plots import color
from adam_edu.widgets.base import SliderExperiment, beta2_from_slider, log_beta2_slider

__all__ = ["BiasCorrection", "STEP_CHOICES"]

STEP_CHOICES = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
WITH, WITHOUT = color("Adam"), color("Adam (no bias correction)")


class BiasCorrection(SliderExperiment):
    """m_t vs m̂_t, √v_t vs √v̂_t and Adam's steps with and without bias correction."""

    question = (
        "Without bias correction, how large are Adam's first steps, and for how many steps does the "
        "bias last? Try β2 = 0.99, 0.999, 0.9999 (log10(1−β2) = −2, −3, −4), switch the correction off, "
        "and move the step count to read the factors 1−β^t at that step."
    )

    mean, std = 1.0, 1.0
    prefetch = ("beta1", "beta2", "steps")  # the axes never change: each slider's next positions are drawn while idle
    max_steps = STEP_CHOICES[-1]

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, bias_correction: bool = True,
                 steps: int = 10000, seed: int = 0):
        self.seed = seed
        self.t = np.arange(1, self.max_steps + 1, dtype=float)
        self.g = moments.noisy_gradients(self.mean, self.std, self.max_steps, seed=seed)
        # Drawn points: every step up to 100, then log-spaced (the axis is logarithmic).
        self.shown = np.unique(np.concatenate([np.arange(100), np.geomspace(100, self.max_steps, 400).astype(int) - 1]))
        self._m = self._v = None  # (β, m_t) and (β, v_t) of the last update: recomputed when β moves

        fig = Figure(figsize=(12, 3.8), dpi=80, layout="constrained")
        ax_m, ax_v, ax_step = fig.subplots(1, 3)
        for ax in (ax_m, ax_v, ax_step):
            ax.set_xscale("log")
            ax.set_xlim(1, self.max_steps)
            ax.set_xlabel("step t (log scale)")
        ax_m.axhline(self.mean, color="black", ls="--", lw=1, label="E[g] = 1")
        (self.m_line,) = ax_m.plot([], [], color=WITHOUT, label="m_t (no correction)")
        (self.m_hat_line,) = ax_m.plot([], [], color=WITH, label="m̂_t = m_t/(1−β1^t)")
        ax_m.set(ylim=(-1.0, 3.0), ylabel="first moment", title="first moment: m_t against m̂_t")
        ax_m.legend(loc="upper right", fontsize=8)

        ax_v.axhline(np.sqrt(moments.second_moment(self.mean, self.std)), color="black", ls="--", lw=1,
                     label="√E[g²] = √2")
        (self.v_line,) = ax_v.plot([], [], color=WITHOUT, label="√v_t (no correction)")
        (self.v_hat_line,) = ax_v.plot([], [], color=WITH, label="√v̂_t = √(v_t/(1−β2^t))")
        ax_v.set(yscale="log", ylim=(1e-3, 10), ylabel="√(second moment)  (log scale)",
                 title="second moment: √v_t against √v̂_t")
        ax_v.legend(loc="lower right", fontsize=8)

        ax_step.axhline(1.0, color="black", lw=1, label="α")
        (self.factor_line,) = ax_step.plot([], [], ":", color="black", lw=1.5,
                                           label="constant g, no correction")
        (self.step_without,) = ax_step.plot([], [], color=WITHOUT, label="Adam (no bias correction)")
        (self.step_with,) = ax_step.plot([], [], color=WITH, label="Adam")
        ax_step.set(yscale="log", ylim=(1e-2, 1e3), ylabel="|Δ_t| / α  (log scale)",
                    title="the step Adam takes, in units of α")
        ax_step.legend(loc="upper right", fontsize=8)

        self.cursors = [ax.axvline(steps, color="0.35", lw=1) for ax in (ax_m, ax_v, ax_step)]
        # a figure-level x label, so that the layout leaves room for it; its text is set by update
        self.readout = fig.supxlabel("β1 = 0.90, β2 = 0.999; at t = 10,000: 1−β1^t = 1.000", fontsize=9)
        fig.suptitle(f"Adam's averages on a stationary stream g_t ~ N(1, 1), seed {seed}; "
                     "red: with bias correction, green: without; bold: the one Adam uses", fontsize=10)

        controls = {
            "beta1": widgets.FloatSlider(value=beta1, min=0.0, max=0.99, step=0.01, description="β1",
                                         readout_format=".2f", continuous_update=True),
            "beta2": log_beta2_slider(beta2),
            "bias_correction": widgets.Checkbox(value=bias_correction, description="bias correction"),
            "steps": widgets.SelectionSlider(options=STEP_CHOICES, value=steps, description="steps",
                                             continuous_update=True),
        }
        self.lines = {True: (self.m_hat_line, self.v_hat_line, self.step_with),
                      False: (self.m_line, self.v_line, self.step_without)}
        moving = [self.factor_line, *self.lines[False], *self.lines[True], *self.cursors]
        # the readout changes at every move: shown beside the sliders, drawn only into snapshots
        super().__init__(fig, controls, moving, readouts=[self.readout])

    def averages(self, beta1: float, beta2: float) -> moments.Moments:
        """m_t, v_t, m̂_t, v̂_t over the whole stream; each EMA recomputed only when its β changed."""
        if self._m is None or self._m[0] != beta1:
            self._m = (beta1, moments.ema(self.g, beta1))
        if self._v is None or self._v[0] != beta2:
            self._v = (beta2, moments.ema(self.g**2, beta2))
        m, v = self._m[1], self._v[1]
        return moments.Moments(m, v, moments.bias_corrected(m, beta1), moments.bias_corrected(v, beta2))

    def update(self, beta1: float, beta2: float, bias_correction: bool, steps: int) -> None:
        beta2 = beta2_from_slider(beta2)
        est = self.averages(beta1, beta2)
        shown = self.shown[self.shown < steps]
        t = self.t[shown]
        self.m_line.set_data(t, est.m[shown])
        self.m_hat_line.set_data(t, est.m_hat[shown])
        self.v_line.set_data(t, np.sqrt(est.v[shown]))
        self.v_hat_line.set_data(t, np.sqrt(est.v_hat[shown]))
        self.step_without.set_data(t, np.abs(est.m[shown]) / np.sqrt(est.v[shown]))  # ε = 0: the step in units of α
        self.step_with.set_data(t, np.abs(est.m_hat[shown]) / np.sqrt(est.v_hat[shown]))
        self.factor_line.set_data(t, uncorrected_step_factor(t, beta1, beta2))
        for used in (True, False):  # the variant Adam uses in bold, the other faint
            for line in self.lines[used]:
                line.set_alpha(1.0 if used == bias_correction else 0.3)
                line.set_linewidth(1.8 if used == bias_correction else 1.0)
                line.set_zorder(3 if used == bias_correction else 2)
        for cursor in self.cursors:
            cursor.set_xdata([steps, steps])
        self.readout.set_text(
            f"β1 = {beta1:.2f}, β2 = {beta2:.5g}; at t = {steps:,}: 1−β1^t = {1 - beta1**steps:.3f}, "
            f"1−β2^t = {1 - beta2**steps:.3f}; without correction ×{uncorrected_step_factor(steps, beta1, beta2):.2f}"
        )
