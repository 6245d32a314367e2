r"""Figure 1 of Kingma & Ba (§6.1): L2-regularised logistic regression, minibatch 128, α_t = α/√t.

(a) multi-class logistic regression on images (the paper: MNIST, 784 pixels) with Adam, AdaGrad and
SGD with Nesterov momentum; the paper's finding: "Adam yields similar convergence as SGD with
momentum and both converge faster than Adagrad". We also draw f − f*, the distance to the optimum of
this convex problem, with f* from a tight L-BFGS solve (scipy).

(b) logistic regression on a sparse bag-of-words with 50% dropout noise on the input features (the
paper: IMDB reviews, 10,000 most frequent words) with Adam, AdaGrad, RMSProp and SGD with Nesterov;
the paper's finding: AdaGrad beats SGD with Nesterov momentum "by a large margin", and "Adam
converges as fast as Adagrad", the advantage of adaptive methods on sparse features. IMDB cannot be
fetched here: both modes use ``adam_edu.data.synthetic_bag_of_words``, and every figure says so.

The schedule α_t = α/√t (t the step count) is applied to Adam, SGD-Nesterov and RMSProp. AdaGrad keeps
a constant α: its accumulated Σg² already shrinks its steps like 1/√t, and §5 of the paper shows that
Adam with α/√t and β2 → 1 *is* AdaGrad with a constant α; decaying AdaGrad's α too would decay it twice.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
from scipy import optimize

from adam_edu import data, nn
from adam_edu.paper import common
from adam_edu.paper.training import SELECTION_RULE, Problem, Results, Setting, final_cost, grid, on_grid_edge
from adam_edu.plots import color, style

__all__ = ["FIGURE", "L2", "SIZES", "PAPER_LENGTH", "GRIDS", "problems", "logistic_regression_optimum", "draw"]

FIGURE = "fig1"
L2 = 1e-4  # λ of the penalty ½λ‖W‖² (the paper gives none)
DECAYED = frozenset({"Adam", "Nesterov", "RMSProp"})  # α_t = α/√t; AdaGrad decays by itself (see above)

# Sizes per mode: (a) the images, (b) the synthetic bag-of-words
SIZES = {
    "quick": {"epochs_a": 45, "epochs_b": 40, "bow_samples": 2_000, "bow_features": 5_000},
    "full": {"epochs_a": 45, "epochs_b": 100, "bow_samples": 25_000, "bow_features": 10_000},  # (b): the paper 160
}
PAPER_LENGTH = {"epochs_a": 45, "epochs_b": 160}  # the epochs of the paper's Figure 1 (length="paper")

GRIDS = {  # per mode, panel and optimizer: the values tried (α in half-decades, 5 per optimizer; 6 for
    # Nesterov in full mode (b), whose best α was the lowest of 5 in a first full run)
    mode: {
        "a": {
            "Adam": {"lr": common.half_decades(0.01, 1.0)},
            "AdaGrad": {"lr": common.half_decades(0.01, 1.0)},
            "Nesterov": {"lr": common.half_decades(0.01, 1.0), "momentum": [0.9, 0.99]},
        },
        "b": {
            "Adam": {"lr": common.half_decades(3e-3, 0.3)},
            "AdaGrad": {"lr": common.half_decades(3e-3, 0.3)},
            "RMSProp": {"lr": common.half_decades(3e-4, 0.03)},
            "Nesterov": {"lr": common.half_decades(0.01 if mode == "full" else 0.03, 3.0), "momentum": [0.9, 0.99]},
        },
    }
    for mode in common.MODES
}
FIXED = {"Adam": "β1=0.9, β2=0.999, ε=1e-8", "AdaGrad": "ε=1e-10", "RMSProp": "ρ=0.99, ε=1e-8"}


def _images(mode: str, dataset: str):
    def load():
        x, y = common.images(dataset)
        return data.standardize(x).astype(common.dtype(mode)), y
    return load


def _bag_of_words(mode: str):
    sizes = SIZES[mode]

    def load():
        x, y = data.synthetic_bag_of_words(sizes["bow_samples"], sizes["bow_features"], seed=0)
        return x.astype(common.dtype(mode)), y
    return load


def problems(
    mode: str = "quick", dataset: str = "fashion", *, length: str = "default", epochs: int | None = None
) -> list[tuple[Problem, list[Setting]]]:
    """Panel (a) on the images and panel (b) on the synthetic bag-of-words, each with its grid.

    ``length="paper"`` trains for the paper's epochs (full mode); ``epochs`` sets both panels' epochs."""
    dataset = common.check_mode(mode, dataset)
    sizes = common.at_length(SIZES[mode], PAPER_LENGTH, mode, length, epochs)
    n_pixels = 64 if dataset == "digits" else 784
    images = common.dataset_title(dataset)
    a = Problem(
        "a", _images(mode, dataset), lambda variant: nn.LogisticRegression(n_pixels, 10, l2=L2),
        f"{images} ({'1,797' if dataset == 'digits' else '60,000'} × {n_pixels}, standardised)",
        epochs=sizes["epochs_a"], dtype=common.dtype(mode), decayed=DECAYED, track_objective=True,
        optimum=logistic_regression_optimum, extra={"l2": L2},
    )
    b = Problem(
        "b", _bag_of_words(mode),
        lambda variant: nn.LogisticRegression(sizes["bow_features"], 2, l2=L2, input_dropout=0.5),
        f"{data.SYNTHETIC_BOW_TITLE}, {sizes['bow_samples']:,} × {sizes['bow_features']:,} sparse, 50% input dropout",
        epochs=sizes["epochs_b"], dtype=common.dtype(mode), decayed=DECAYED, extra={"l2": L2},
    )
    return [(problem, [s for name, axes in GRIDS[mode][problem.name].items() for s in grid(name, **axes)]) for problem in (a, b)]


def logistic_regression_optimum(problem: Problem) -> float:
    r"""f* = min over (W, b) of mean NLL + ½λ‖W‖², by L-BFGS on a preconditioned problem (scipy).

    The objective is convex, so this is the global minimum that ``f − f*`` is measured from. With
    λ = 1e-4 the problem is ill-conditioned (correlated pixels, nearly separable classes), so L-BFGS
    is run in whitened coordinates W = M·V with M = (S/4 + λI)^(−1/2), S = xᵀx/n (the softmax's
    curvature is at most ¼ per class): the same minimum, about 3 times fewer iterations. The loss is
    accumulated in float64; the products with x are done in the problem's precision (float64 in
    quick mode: f* to ~1e-12; float32 in full mode, 4 times faster: f* to ~2e-6, where float32
    rounding stops L-BFGS, well below the gaps of 1e-4 and more that the figure draws).
    """
    x, y = problem.dataset()
    model = problem.model("")
    n, d = x.shape
    k = model.fc.n_out
    l2 = model.l2
    onehot = np.eye(k)[y]
    second_moment = np.zeros((d, d))
    for start in range(0, n, 10_000):
        chunk = x[start : start + 10_000].astype(np.float64)
        second_moment += chunk.T @ chunk
    eigenvalues, U = np.linalg.eigh(second_moment / (4 * n) + l2 * np.eye(d))
    M = (U / np.sqrt(eigenvalues)) @ U.T  # (S/4 + λI)^(−1/2)
    M_squared = (U / eigenvalues) @ U.T
    z_data = np.concatenate([(x[s : s + 10_000].astype(np.float64) @ M).astype(problem.dtype) for s in range(0, n, 10_000)])

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        V, b = theta[: d * k].reshape(d, k), theta[d * k :]
        logits = (z_data @ V.astype(problem.dtype)).astype(np.float64) + b
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        W = M @ V
        loss = -(log_p * onehot).sum() / n + 0.5 * l2 * float(W.ravel() @ W.ravel())
        r = (np.exp(log_p) - onehot) / n  # ∂loss/∂logits
        dV = (z_data.T @ r.astype(problem.dtype)).astype(np.float64) + l2 * (M_squared @ V)
        return loss, np.concatenate([dV.ravel(), r.sum(axis=0)])

    solution = optimize.minimize(
        objective, np.zeros(d * k + k), jac=True, method="L-BFGS-B",
        options={"maxiter": 20_000, "maxfun": 40_000, "maxcor": 20, "ftol": 1e-16, "gtol": 1e-12},
    )
    return float(solution.fun)


# ---------------------------------------------------------------------------------------------
# The figure


def _legend_label(run, runs) -> str:
    edge = " (grid edge)" if on_grid_edge(run, runs) else ""
    return f"{run.label}: {common.format_hyper(run.setting.params)}{edge}"


def draw(results: Results, *, note: str = "") -> plt.Figure:
    """The paper's two panels, and f − f* for (a), from the best setting of each optimizer."""
    mode_line = common.mode_text(results.mode, complete=results.complete())
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    ax_a, ax_gap, ax_b = axes
    f_star = results.extras.get("a", {}).get("f_star")
    a, b = results.problems["a"], results.problems["b"]

    for (name, _), run in results.best("a").items():
        epochs = np.arange(1, len(run.curve["cost"]) + 1)
        ax_a.plot(epochs, run.curve["cost"], style(name), color=color(name), label=_legend_label(run, results.runs["a"]))
        if f_star is not None:
            objective = np.array(run.curve["objective"], dtype=float)
            ax_gap.semilogy(np.arange(len(objective)), np.maximum(objective - f_star, 1e-12), style(name), color=color(name),
                            label=name)
    ax_a.set_title(textwrap.fill(f"(a) {a['description']}, {a['epochs']} epochs, {mode_line}", 62), fontsize=9)
    ax_a.set_ylabel("training cost (mean NLL + L2 over the epoch)")
    ax_gap.set_title(f"(a) distance to the optimum,\nf* = {f_star:.6f} (L-BFGS)" if f_star is not None else "(a) f − f*", fontsize=9)
    ax_gap.set_ylabel("f − f*  (full training objective, log scale)")

    for (name, _), run in results.best("b").items():
        epochs = np.arange(1, len(run.curve["cost"]) + 1)
        ax_b.plot(epochs, run.curve["cost"], style(name), color=color(name), label=_legend_label(run, results.runs["b"]))
    paper_b = " (the paper: 160)" if b["epochs"] != 160 else ""
    ax_b.set_title(textwrap.fill(f"(b) {b['description']}, {b['epochs']} epochs{paper_b}, {mode_line}", 62), fontsize=9)
    ax_b.set_ylabel("training cost (mean NLL + L2, with dropout)")

    for ax in axes:
        ax.set_xlabel("iterations over entire dataset (epochs)")
        ax.legend(fontsize=7)
    for ax, panel in ((ax_a, "a"), (ax_b, "b")):  # linear axes, as the paper's, from near the end to 2.5× above it
        low = min(final_cost(r.curve) for r in results.best(panel).values())
        ax.set_ylim(low * 0.95, low * 2.5)
    fig.suptitle(
        f"Figure 1 (Kingma & Ba, §6.1): logistic regression, L2 λ = {L2:g}, minibatch 128, "
        f"α_t = α/√t (AdaGrad: constant α) — {mode_line}", fontsize=11,
    )
    grids = GRIDS[results.mode]
    footer = (
        f"Grid (a): {common.grid_text(grids['a'])}.   Grid (b): {common.grid_text(grids['b'])}.\n"
        f"Fixed: {common.fixed_text(FIXED)}. Same initialisation (W = 0), "
        f"minibatches and dropout noise for all.   {SELECTION_RULE}.{(' ' + note) if note else ''}"
    )
    fig.text(0.5, -0.01, "\n".join(textwrap.fill(line, 170) for line in footer.split("\n")), ha="center", va="top", fontsize=8)
    fig.tight_layout()
    return fig
