r"""Figure 3 of Kingma & Ba (§6.3): a convolutional network with and without dropout.

The paper trains the CNN c64-c64-c128-1000 (three stages of 5×5 convolution and 3×3 max-pooling with
stride 2, then 1000 ReLU units) on whitened CIFAR-10, minibatch 128, with Adam, AdaGrad and SGD with
Nesterov momentum, each with and without dropout (on the input and the dense layer), and draws the
training cost over the first 3 epochs (left, linear) and over 45 epochs (right, log scale). Its
findings: "Adam and Adagrad make rapid progress lowering the cost in the initial stage of the
training"; over 45 epochs "Adam and SGD eventually converge considerably faster than Adagrad for
CNNs"; "the second moment estimate v̂_t vanishes to zeros after a few epochs and is dominated by
the ε"; Adam shows "marginal improvement over SGD with momentum".

CIFAR-10 is not available here. Quick mode: 1,000 of the 8×8 digits, ZCA-whitened, a small CNN with
two stages instead of three (8 → 4 → 2 pixels; a third would pool to 1×1) and 3×3 kernels (a 5×5
kernel nearly covers an 8×8 image), minibatch 32 (32 steps per epoch, the last of 8 images, rather than 8). Full mode:
Fashion-MNIST (1×28×28), ZCA-whitened, a training subset and narrower layers, because the NumPy CNN at the paper's width takes about 0.4 s
per minibatch here; every figure says so. The step size is constant.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np

from adam_edu import data, nn
from adam_edu.paper import common
from adam_edu.paper.training import SELECTION_RULE, Problem, Results, Setting, grid, on_grid_edge
from adam_edu.plots import color

__all__ = ["FIGURE", "SIZES", "PAPER_LENGTH", "GRIDS", "VARIANTS", "problems", "draw"]

FIGURE = "fig3"
VARIANTS = ("no dropout", "dropout")
DROPOUT = {"no dropout": (0.0, 0.0), "dropout": (0.2, 0.5)}  # (input, dense layer)
SIZES = {
    # quick mode: minibatch 32, so that an epoch of 1,000 images has 32 steps (at 128 it would have 8, and
    # "the first 3 epochs" of the left panel would be 24 steps)
    "quick": {"epochs": 20, "images": 1_000, "channels": (8, 16), "hidden": 32, "kernel": 3, "batch": 32},
    "full": {"epochs": 45, "images": 5_000, "channels": (8, 8, 16), "hidden": 128, "kernel": 5, "batch": 128},
}
PAPER_LENGTH = {"epochs": 45}  # §6.3; full mode's already (length="paper")
EARLY_EPOCHS = 3
GRIDS = {  # per mode and optimizer (each with and without dropout)
    "quick": {
        # 4 values each: with and without dropout the best values differ by a half-decade
        "Adam": {"lr": common.half_decades(1e-3, 3e-2)},
        "AdaGrad": {"lr": common.half_decades(0.01, 0.3)},
        "Nesterov": {"lr": common.half_decades(3e-3, 0.1), "momentum": [0.9]},
    },
    "full": {  # Adam and AdaGrad: 4 values; in a first full run their best were at the top of 3e-4 … 3e-3, 3e-3 … 3e-2
        "Adam": {"lr": common.half_decades(3e-4, 1e-2)},
        "AdaGrad": {"lr": common.half_decades(3e-3, 0.1)},
        "Nesterov": {"lr": common.half_decades(3e-3, 3e-2), "momentum": [0.9]},
    },
}
FIXED = {"Adam": "β1=0.9, β2=0.999, ε=1e-8", "AdaGrad": "ε=1e-10"}


def _whitened_images(mode: str, dataset: str, count):
    def load():
        x, y = common.images(dataset, flatten=False)
        if count is not None:
            x, y = x[:count], y[:count]
        return data.zca_whiten(x).astype(common.dtype(mode)), y
    return load


def _cnn(in_shape, sizes):
    def model(variant: str) -> nn.CNN:
        input_dropout, dropout = DROPOUT[variant]
        return nn.CNN(in_shape, sizes["channels"], sizes["hidden"], kernel_size=sizes["kernel"],
                      input_dropout=input_dropout, dropout=dropout)
    return model


def problems(
    mode: str = "quick", dataset: str = "fashion", *, length: str = "default", epochs: int | None = None
) -> list[tuple[Problem, list[Setting]]]:
    """The CNN, one problem whose grid has every optimizer with and without dropout."""
    dataset = common.check_mode(mode, dataset)
    sizes = common.at_length(SIZES[mode], PAPER_LENGTH, mode, length, epochs)
    side = 8 if dataset == "digits" else 28
    count = sizes["images"] or 60_000
    k = sizes["kernel"]
    architecture = "-".join(f"c{c}" for c in sizes["channels"]) + f"-{sizes['hidden']}"
    cnn = Problem(
        "cnn", _whitened_images(mode, dataset, sizes["images"]), _cnn((1, side, side), sizes),
        f"CNN {architecture} ({k}×{k} conv, 3×3 max-pool stride 2) on {common.dataset_title(dataset)} "
        f"({count:,} images{' (a subset)' if sizes['images'] else ''}, 1×{side}×{side}, ZCA-whitened); "
        f"dropout: 20% input, 50% dense",
        epochs=sizes["epochs"], batch_size=sizes["batch"], dtype=common.dtype(mode), early_epochs=EARLY_EPOCHS,
        early_points=8,
        adam_statistics=True, stability_check=mode == "quick",
    )
    settings = [s for name, axes in GRIDS[mode].items() for variant in VARIANTS for s in grid(name, variant, **axes)]
    return [(cnn, settings)]


def draw(results: Results, *, note: str = "") -> plt.Figure:
    """The paper's two panels: the first 3 epochs (linear), and the whole run (log scale)."""
    spec = results.problems["cnn"]
    fig, (ax_early, ax_long) = plt.subplots(1, 2, figsize=(14, 5))
    for (name, variant), run in results.best("cnn").items():
        style = "--" if variant == "dropout" else "-"
        label = f"{name}{'+dropout' if variant == 'dropout' else ''}: {common.format_hyper(run.setting.params)}"
        if on_grid_edge(run, results.runs["cnn"]):
            label += " (grid edge)"
        early = np.array(run.curve["early"], dtype=float)
        if early.size:
            ax_early.plot(early[:, 0], early[:, 1], style, color=color(name), lw=1.6, label=label)
        epochs = np.arange(1, len(run.curve["cost"]) + 1)
        ax_long.semilogy(epochs, run.curve["cost"], style, color=color(name), lw=1.6, label=label)
    ax_early.set_xlim(0, EARLY_EPOCHS)
    ax_early.set_ylim(0, 2 * math.log(10))  # linear, as the paper's; the first steps can shoot far above chance
    ax_early.set_title(f"the first {EARLY_EPOCHS} epochs ({spec['early_points']} points per epoch: the mean minibatch "
                       "cost of each 1/8 epoch)", fontsize=9)
    ax_early.set_ylabel("training cost (cross-entropy)")
    ax_long.set_title(f"{spec['epochs']} epochs (the paper: 45)", fontsize=9)
    ax_long.set_ylabel("training cost (log scale)")
    for ax in (ax_early, ax_long):
        ax.set_xlabel("iterations over entire dataset (epochs)")
        ax.legend(fontsize=7.5)
    fig.suptitle("\n".join(textwrap.wrap(
        f"Figure 3 (Kingma & Ba, §6.3): {spec['description']}; minibatch {spec['batch_size']} (the paper: 128), constant α — "
        f"{common.mode_text(results.mode, results.complete())}", 140)), fontsize=10)
    footer = (f"Grid (each with and without dropout): {common.grid_text(GRIDS[results.mode])}. Fixed: "
              f"{common.fixed_text(FIXED)}. Same initialisation and minibatches for all. "
              f"{SELECTION_RULE}.{(' ' + note) if note else ''}")
    fig.text(0.5, -0.01, textwrap.fill(footer, 170), ha="center", va="top", fontsize=8)
    fig.tight_layout()
    return fig
