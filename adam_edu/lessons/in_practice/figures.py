"""Notebook 11's figures: they take results (``adam_edu.lessons.in_practice``), they do not train."""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from adam_edu import schedules
from adam_edu.plots import color

__all__ = ["COLORS", "draw_tuned", "draw_schedules", "draw_first_steps", "draw_range_test", "draw_weight_decay"]

# The collection's palette; SGD with momentum is the palette's "Momentum"
COLORS = {"Adam": color("Adam"), "SGD + momentum": color("Momentum"), "RAdam": color("RAdam"),
          "Adam (no bias correction)": color("Adam (no bias correction)"), "AdamW": color("AdamW")}
SHAPE_STYLES = {"constant": "-", "step": "--", "cosine": "-.", "1/√t": ":"}


def _mean_curve(curves: Sequence[dict], name: str) -> np.ndarray:
    return np.mean([np.asarray(c[name], dtype=float) for c in curves], axis=0)


def draw_tuned(found: Mapping[str, dict], where: str) -> plt.Figure:
    """Left: validation accuracy over each optimizer's grid (seed 0), the chosen α circled. Middle and right: the
    loss and the accuracy of the chosen settings over epochs, mean of the seeds, on the training split (solid)
    and the test split (dashed)."""
    fig, (ax_grid, ax_loss, ax_acc) = plt.subplots(1, 3, figsize=(14, 4), layout="constrained")
    for name, result in found.items():
        rates = [lr for lr, _ in result["grid"]]
        accuracy = [curve["val_acc"][-1] for _, curve in result["grid"]]
        ax_grid.plot(rates, accuracy, "o-", color=COLORS[name], label=name)
        ax_grid.plot([result["best_lr"]], [accuracy[rates.index(result["best_lr"])]], "o", ms=14, mfc="none",
                     color=COLORS[name])
        epochs = np.arange(len(result["seeds"][0]["train_loss"]))
        for split, style in (("train", "-"), ("test", "--")):
            ax_loss.plot(epochs, _mean_curve(result["seeds"], f"{split}_loss"), style, color=COLORS[name],
                         label=f"{name}, {split}")
            ax_acc.plot(epochs, _mean_curve(result["seeds"], f"{split}_acc"), style, color=COLORS[name],
                        label=f"{name}, {split}")
    ax_grid.set(xscale="log", xlabel="peak step size α (log scale)", ylabel="validation accuracy, last epoch",
                title="tuning on the validation split (seed 0)")
    ax_loss.set(yscale="log", xlabel="epoch", ylabel="cross-entropy (log scale)", title="loss at the chosen α")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy at the chosen α", ylim=(0.8, 1.0))
    for ax in (ax_grid, ax_loss, ax_acc):
        ax.legend(fontsize=8)
    seeds = len(next(iter(found.values()))["seeds"])
    fig.suptitle(f"Adam against SGD with momentum, each at its tuned α, cosine schedule; {where}; "
                 f"curves: mean of {seeds} seeds", fontsize=10)
    return fig


def draw_schedules(lr: float, total_steps: int, warmup_steps: int) -> plt.Figure:
    """α_t of every shape in ``schedules.SHAPES``, without and with linear warm-up."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.6), layout="constrained", sharey=True)
    for ax, warmup in zip(axes, (0, warmup_steps)):
        for shape in schedules.SHAPES:
            rates = schedules.learning_rates(shape, lr, total_steps, warmup_steps=warmup)
            ax.plot(np.arange(1, total_steps + 1), rates, SHAPE_STYLES[shape], color="black", label=shape)
        ax.set(xlabel="step t", title=f"{'no warm-up' if warmup == 0 else f'{warmup} steps of linear warm-up'}")
        ax.legend(fontsize=8)
    axes[0].set_ylabel("α_t")
    fig.suptitle(f"learning-rate schedules of adam_edu.schedules, peak α = {lr:g}, T = {total_steps} steps", fontsize=10)
    return fig


def draw_first_steps(norms: Mapping[str, Sequence[float]], lr: float, n_moving: int, where: str) -> plt.Figure:
    """‖Δθ_t‖ over the first steps, with the bound α√n of a step that moves each of n weights by α."""
    fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    for name, values in norms.items():
        base = "Adam" if name.startswith("Adam,") else name
        ax.plot(np.arange(1, len(values) + 1), values, "--" if name.startswith("Adam,") else "-",
                color=COLORS[base], label=name)
    ax.axhline(lr * np.sqrt(n_moving), color="black", lw=1, ls=":", label=f"α√n: every one of n = {n_moving} weights moved by α")
    ax.set(yscale="log", xlabel="step t", ylabel="‖Δθ_t‖ (log scale)",
           title=f"the size of the first steps, α = {lr:g}; {where}")
    ax.legend(fontsize=8)
    return fig


def draw_range_test(tests: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray, dict]], where: str) -> plt.Figure:
    """Minibatch loss against α_t (faint), its bias-corrected moving average, and the readings marked."""
    fig, axes = plt.subplots(1, len(tests), figsize=(6 * len(tests), 4), layout="constrained")
    for ax, (name, (rates, losses, smooth, reading)) in zip(np.atleast_1d(axes), tests.items()):
        ax.plot(rates, losses, color=COLORS[name], alpha=0.25, lw=1, label="minibatch loss")
        ax.plot(rates, smooth, color=COLORS[name], label="moving average (β = 0.9, bias-corrected)")
        for key, style in (("steepest", ":"), ("minimum", "--"), ("suggested", "-")):
            ax.axvline(reading[key], color="black", ls=style, lw=1, label=f"{key}: α = {reading[key]:.2g}")
        ax.set(xscale="log", yscale="log", xlabel="α_t (log scale)", ylabel="training loss (log scale)",
               title=f"{name}: range test", ylim=(max(1e-3, np.nanmin(smooth) / 3), 30))
        ax.legend(fontsize=8)
    fig.suptitle(f"learning-rate range test (Smith, 2017): α_t from {rates[0]:g} to {rates[-1]:g} over "
                 f"{len(rates)} steps; {where}", fontsize=10)
    return fig


def draw_weight_decay(values: Mapping[str, np.ndarray], rates: Sequence[float], lambdas: Mapping[str, Sequence[float]],
                      where: str) -> plt.Figure:
    """Validation loss over (α, λ) for the two parameterisations, each row's best λ boxed."""
    forms = ("AdamW", "AdamW (paper λ)")
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
    low = min(values[f"{f} val_loss"].min() for f in forms)
    high = max(values[f"{f} val_loss"].max() for f in forms)
    for ax, form in zip(axes, forms):
        loss = values[f"{form} val_loss"]
        image = ax.imshow(loss, cmap="viridis_r", norm="log", vmin=low, vmax=high, aspect="auto")
        for i in range(loss.shape[0]):
            for j in range(loss.shape[1]):
                ax.text(j, i, f"{loss[i, j]:.3f}", ha="center", va="center", fontsize=8,
                        color="white" if loss[i, j] > np.sqrt(low * high) else "black")
            j = int(np.argmin(loss[i]))
            ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="red", lw=2))
        ax.set_xticks(range(len(lambdas[form])), [f"{v:g}" for v in lambdas[form]])
        ax.set_yticks(range(len(rates)), [f"{v:g}" for v in rates])
        decay = "α_t·λ (PyTorch, Keras, optax)" if form == "AdamW" else "η_t·λ, η_t = α_t/α (Loshchilov & Hutter)"
        ax.set(xlabel="λ", ylabel="peak α", title=f"{form}\ndecay per step {decay}")
    fig.colorbar(image, ax=axes, label="validation loss, last epoch (log scale)")
    fig.suptitle(f"AdamW's λ against α, cosine schedule; red box: each row's lowest validation loss; {where}", fontsize=10)
    return fig
