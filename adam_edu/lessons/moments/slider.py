"""The slider experiment of notebook 02: what m̂, v̂ and m̂/√v̂ report on a noisy gradient stream.

The stream is g_t = μ_t + σ·ξ_t with ξ_t standard normal (``default_rng(seed)``, drawn once) and a
mean gradient μ_t that drops from 1 to 0 at step 300, as if the parameter had just reached an optimum
and only noise were left. Moving a slider recomputes Adam's averages over the 600 steps (a few
hundred microseconds) and moves the lines; the axes never change, so every update is blitted.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from adam_edu.lessons import moments
from adam_edu.plots import QUANTITY_COLORS
from adam_edu.widgets.base import SliderExperiment, beta2_from_slider, log_beta2_slider

__all__ = ["MomentEstimates"]



class MomentEstimates(SliderExperiment):
    """m̂_t, √v̂_t and m̂_t/√v̂_t on a stream whose mean gradient drops from 1 to 0 at step 300."""

    question = (
        "At step 300 the mean gradient drops from 1 to 0 (an optimum is reached). How quickly do m̂ and "
        "√v̂ notice, and how noisy are they, for each β? How does the noise level σ set m̂/√v̂, the size "
        "of Adam's step in units of α?"
    )

    steps = 600
    prefetch = ("beta1", "beta2", "noise")  # the axes never change: each slider's next positions are drawn while idle
    switch = 300  # μ_t = 1 for t ≤ 300, 0 after

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, noise: float = 1.0, seed: int = 0):
        self.seed = seed
        self.t = np.arange(1, self.steps + 1)
        self.mean = np.where(self.t <= self.switch, 1.0, 0.0)
        self.xi = np.random.default_rng(seed).standard_normal(self.steps)  # drawn once: σ only scales it

        fig = Figure(figsize=(11, 3.7), dpi=80, layout="constrained")
        ax_moments, ax_snr = fig.subplots(1, 2, width_ratios=(3, 2))
        c = QUANTITY_COLORS
        (self.dots,) = ax_moments.plot([], [], ".", color=c["g"], markersize=2.5, label="gradients g_t")
        ax_moments.plot(self.t, self.mean, "--", color=c["truth"], lw=1, label="E[g] = μ_t")
        (self.rms_target,) = ax_moments.plot([], [], ":", color=c["truth"], lw=1.5, label="√E[g²] = √(μ_t² + σ²)")
        (self.m_hat,) = ax_moments.plot([], [], color=c["m"], lw=1.8, label="m̂_t")
        (self.rms,) = ax_moments.plot([], [], color=c["v"], lw=1.8, label="√v̂_t")
        # one short line of text (a readout: text is the dearest artist to draw, a few ms per new string)
        self.windows = ax_moments.text(0.99, 0.03, "", transform=ax_moments.transAxes, ha="right", va="bottom",
                                       fontsize=9)
        ax_moments.set(xlim=(0, self.steps), ylim=(-3.0, 4.5), xlabel="step t", ylabel="gradient units",
                       title=f"g_t = μ_t + σ·ξ_t (seed {seed}): m̂ tracks E[g], √v̂ tracks √E[g²]")
        ax_moments.legend(loc="upper left", ncols=3, fontsize=8)

        ax_snr.axhline(0, color="0.5", lw=0.8)
        (self.snr_target,) = ax_snr.plot([], [], "--", color=c["truth"], lw=1, label="E[g]/√E[g²]")
        (self.snr,) = ax_snr.plot([], [], color=c["snr"], lw=1.5, label="m̂_t/√v̂_t")
        ax_snr.set(xlim=(0, self.steps), ylim=(-1.05, 1.05), xlabel="step t",
                   ylabel="m̂_t/√v̂_t  (step size in units of α)",
                   title="m̂/√v̂ shrinks when only noise is left")
        ax_snr.legend(loc="lower left", fontsize=8)

        controls = {
            "beta1": widgets.FloatSlider(value=beta1, min=0.0, max=0.99, step=0.01, description="β1",
                                         readout_format=".2f", continuous_update=True),
            "beta2": log_beta2_slider(beta2),
            "noise": widgets.FloatSlider(value=noise, min=0.0, max=3.0, step=0.1, description="noise σ",
                                         readout_format=".1f", continuous_update=True),
        }
        moving = [self.dots, self.rms_target, self.m_hat, self.rms, self.snr_target, self.snr]
        # the text changes at every move: shown beside the sliders, drawn only into snapshots
        super().__init__(fig, controls, moving, readouts=[self.windows])

    def gradients(self, noise: float) -> np.ndarray:
        """The stream g_t = μ_t + σ·ξ_t at noise level σ."""
        return self.mean + noise * self.xi

    def update(self, beta1: float, beta2: float, noise: float) -> None:
        beta2 = beta2_from_slider(beta2)
        g = self.gradients(noise)
        est = moments.adam_moments(g, beta1, beta2)
        self.dots.set_data(self.t, g)
        self.m_hat.set_data(self.t, est.m_hat)
        self.rms.set_data(self.t, np.sqrt(est.v_hat))
        self.rms_target.set_data(self.t, np.sqrt(moments.second_moment(self.mean, noise)))
        with np.errstate(invalid="ignore", divide="ignore"):  # σ = 0 after the drop: 0/0 is left blank
            self.snr.set_data(self.t, moments.signal_to_noise(est.m_hat, est.v_hat))
            self.snr_target.set_data(self.t, moments.limiting_signal_to_noise(self.mean, noise))
        self.windows.set_text(
            f"σ = {noise:.1f}; memory 1/(1−β): m̂ ≈ {moments.effective_window(beta1):,.0f} steps (β1 = {beta1:.2f}), "
            f"v̂ ≈ {moments.effective_window(beta2):,.0f} steps (β2 = {beta2:.5g})"
        )
