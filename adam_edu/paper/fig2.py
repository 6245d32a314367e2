r"""Figure 2 of Kingma & Ba (§6.2): a multilayer perceptron with dropout, five optimizers.

The paper trains a network of two fully connected hidden layers of 1000 ReLU units each on MNIST,
with dropout, minibatch 128, for 200 epochs, and compares Adam with AdaGrad, RMSProp, SGD with
Nesterov momentum and AdaDelta: "Adam shows better convergence than other methods" (Figure 2a,
training cost on a log scale). Figure 2(b) compares Adam with SFO (Sohl-Dickstein et al. 2014) on
the deterministic network; SFO is not implemented here, so (b) is not reproduced.

The step size is constant (the paper states the α/√t decay for §6.1 only). Dropout rates are not
given in the paper: 20% on the inputs and 50% on the hidden units (Srivastava et al. 2014).
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np

from adam_edu import data, nn
from adam_edu.paper import common
from adam_edu.paper.training import SELECTION_RULE, Problem, Results, Setting, grid, on_grid_edge
from adam_edu.plots import color, style

__all__ = ["FIGURE", "SIZES", "PAPER_LENGTH", "GRIDS", "FIXED", "problems", "draw"]

FIGURE = "fig2"
SIZES = {
    "quick": {"epochs": 50, "hidden": (100, 100)},
    "full": {"epochs": 15, "hidden": (1000, 1000)},
}
PAPER_LENGTH = {"epochs": 200}  # §6.2 (length="paper")
GRIDS = {  # per mode and optimizer: half-decade step sizes around the optimizer's usual range
    "quick": {
        "Adam": {"lr": common.half_decades(1e-3, 1e-2)},
        "AdaGrad": {"lr": common.half_decades(0.03, 0.3)},
        "RMSProp": {"lr": common.half_decades(1e-3, 1e-2)},
        "Nesterov": {"lr": common.half_decades(3e-3, 3e-2), "momentum": [0.9]},
        "AdaDelta": {"lr": [1.0, 3.0, 10.0]},
    },
    "full": {
        "Adam": {"lr": common.half_decades(1e-4, 1e-3)},
        "AdaGrad": {"lr": common.half_decades(3e-3, 3e-2)},
        # RMSProp, Nesterov, AdaDelta: 4 values; in a first full run their best were at an edge of 3e-5 … 3e-4,
        # 0.01 … 0.1 and 0.3 … 3
        "RMSProp": {"lr": common.half_decades(3e-5, 1e-3)},
        "Nesterov": {"lr": common.half_decades(3e-3, 0.1), "momentum": [0.9]},
        "AdaDelta": {"lr": [0.1, 0.3, 1.0, 3.0]},
    },
}
FIXED = {"Adam": "β1=0.9, β2=0.999, ε=1e-8", "RMSProp": "ρ=0.99, ε=1e-8", "AdaDelta": "ρ=0.9, ε=1e-6",
         "AdaGrad": "ε=1e-10"}


def _images(mode: str, dataset: str):
    def load():
        x, y = common.images(dataset)
        return data.standardize(x).astype(common.dtype(mode)), y
    return load


def problems(
    mode: str = "quick", dataset: str = "fashion", *, length: str = "default", epochs: int | None = None
) -> list[tuple[Problem, list[Setting]]]:
    """The MLP with dropout, and its grid; ``length="paper"``: 200 epochs (full mode), or ``epochs``."""
    dataset = common.check_mode(mode, dataset)
    sizes = common.at_length(SIZES[mode], PAPER_LENGTH, mode, length, epochs)
    n_in = 64 if dataset == "digits" else 784
    widths = "-".join(str(w) for w in (n_in, *sizes["hidden"], 10))
    n = "1,797" if dataset == "digits" else "60,000"
    mlp = Problem(
        "a", _images(mode, dataset), lambda variant: nn.MLP(n_in, sizes["hidden"], 10, dropout=0.5, input_dropout=0.2),
        f"MLP {widths} (ReLU), dropout 20% input / 50% hidden, on {common.dataset_title(dataset)} ({n} images, standardised)",
        epochs=sizes["epochs"], dtype=common.dtype(mode), stability_check=mode == "quick",
    )
    return [(mlp, [s for name, axes in GRIDS[mode].items() for s in grid(name, **axes)])]


def draw(results: Results, *, note: str = "") -> plt.Figure:
    """Figure 2(a): training cost (log scale) against epochs, each optimizer's best setting."""
    spec = results.problems["a"]
    fig, ax = plt.subplots(figsize=(8, 5.2))
    for (name, _), run in results.best("a").items():
        epochs = np.arange(1, len(run.curve["cost"]) + 1)
        edge = " (grid edge)" if on_grid_edge(run, results.runs["a"]) else ""
        ax.semilogy(epochs, run.curve["cost"], style(name), color=color(name), lw=1.8,
                    label=f"{name}: {common.format_hyper(run.setting.params)}{edge}")
    ax.set_xlabel("iterations over entire dataset (epochs)")
    ax.set_ylabel("training cost (mean cross-entropy with dropout, log scale)")
    ax.legend(fontsize=8)
    ax.set_title(
        "\n".join(textwrap.wrap(f"Figure 2(a) (Kingma & Ba, §6.2): {spec['description']}; minibatch {spec['batch_size']}, constant α, "
                                f"{spec['epochs']} epochs{'' if spec['epochs'] == 200 else ' (the paper: 200)'} — {common.mode_text(results.mode, results.complete())}", 95)),
        fontsize=9,
    )
    footer = (f"Grid: {common.grid_text(GRIDS[results.mode])}. Fixed: "
              f"{common.fixed_text(FIXED)}. Same initialisation, minibatches and dropout masks "
              f"for all. {SELECTION_RULE}.{(' ' + note) if note else ''}")
    fig.text(0.5, -0.01, textwrap.fill(footer, 130), ha="center", va="top", fontsize=7.5)
    fig.tight_layout()
    return fig
