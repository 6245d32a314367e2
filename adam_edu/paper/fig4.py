r"""Figure 4 of Kingma & Ba (§6.4): bias correction on and off, over a grid of β1, β2 and α, on a VAE.

The paper trains the variational auto-encoder of Kingma & Welling (2014) (one hidden layer of 500
softplus units, a 50-dimensional Gaussian latent) with Adam, with bias correction (red) and without
it (green, "RMSProp with momentum"), for β1 ∈ {0, 0.9} × β2 ∈ {0.99, 0.999, 0.9999} × log10(α) ∈
{−5, …, −1}, and draws the loss after 10 and after 100 epochs against log10(α). Its findings:

* "Values β2 close to 1, required for robustness to sparse gradients, results in larger
  initialization bias; therefore we expect the bias correction term is important in such cases";
  without it, instabilities, "especially at first few epochs of the training";
* "The best results were achieved with small values of (1−β2) and bias correction; this was more
  apparent towards the end of optimization";
* "Adam performed equal or better than RMSProp, regardless of hyper-parameter setting".

Every point of the grid is one run of the long horizon; the loss after the short horizon is read
off its curve at that epoch (the same run, as in the paper). The loss is the training cost: the
negative ELBO per image, averaged over the minibatches of that epoch. The step size is constant.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np

from adam_edu import nn
from adam_edu.paper import common
from adam_edu.paper.training import Problem, Results, Setting, grid
from adam_edu.plots import color

__all__ = ["FIGURE", "BETA1S", "BETA2S", "LOG10_LRS", "SIZES", "PAPER_LENGTH", "problems", "loss_table", "draw", "step_ratio",
           "draw_step_ratio"]

FIGURE = "fig4"
BETA1S = (0.0, 0.9)
BETA2S = (0.99, 0.999, 0.9999)
LOG10_LRS = (-5, -4, -3, -2, -1)
VARIANTS = ("Adam", "Adam (no bias correction)")  # red, green

SIZES = {
    # epochs of the short and the long horizon (the paper: 10 and 100), the VAE's sizes, the batch
    "quick": {"short": 2, "long": 20, "hidden": 50, "latent": 5, "batch": 100},
    "full": {"short": 1, "long": 4, "hidden": 500, "latent": 50, "batch": 100},
}
PAPER_LENGTH = {"short": 10, "long": 100}  # length="paper"


def _images(mode: str, dataset: str):
    def load():
        x, _ = common.images(dataset)
        return x.astype(common.dtype(mode)), None  # intensities in [0, 1] as Bernoulli means; no labels
    return load


def problems(
    mode: str = "quick", dataset: str = "fashion", *, length: str = "default", epochs: int | None = None
) -> list[tuple[Problem, list[Setting]]]:
    """One problem, the VAE; its grid: 2 variants × 2 β1 × 3 β2 × 5 α = 60 runs.

    ``length="paper"``: the paper's horizons, 10 and 100 epochs (full mode); ``epochs`` sets the long one."""
    dataset = common.check_mode(mode, dataset)
    sizes = common.at_length(SIZES[mode], PAPER_LENGTH, mode, length, epochs, epoch_keys=("long",))
    sizes["short"] = min(sizes["short"], sizes["long"])
    n_in = 64 if dataset == "digits" else 784
    n = "1,797" if dataset == "digits" else "60,000"
    vae = Problem(
        "vae", _images(mode, dataset), lambda variant: nn.VAE(n_in, sizes["hidden"], sizes["latent"]),
        f"VAE {n_in}-{sizes['hidden']}-{sizes['latent']} (softplus) on {common.dataset_title(dataset)} "
        f"({n} images, grey levels in [0, 1] as Bernoulli means)",
        epochs=sizes["long"], batch_size=sizes["batch"], dtype=common.dtype(mode), extra={"short": sizes["short"]},
    )
    settings = [
        s
        for name in VARIANTS
        for beta1 in BETA1S
        for beta2 in BETA2S
        for s in grid(name, beta1=[beta1], beta2=[beta2], lr=[10.0**k for k in LOG10_LRS])
    ]
    return [(vae, settings)]


def loss_table(results: Results, horizon: str) -> np.ndarray:
    """loss[c, i, j, k] after the ``"short"`` or ``"long"`` horizon; c = 0 with correction, 1 without;
    β1 = BETA1S[i], β2 = BETA2S[j], α = 10**LOG10_LRS[k]; +inf where the run diverged before."""
    epoch = results.problems["vae"]["short"] if horizon == "short" else results.problems["vae"]["epochs"]
    loss = np.full((2, len(BETA1S), len(BETA2S), len(LOG10_LRS)), np.nan)
    for run in results.runs["vae"]:
        p = run.setting.params
        index = (VARIANTS.index(run.setting.optimizer), BETA1S.index(p["beta1"]), BETA2S.index(p["beta2"]),
                 LOG10_LRS.index(round(math.log10(p["lr"]))))
        cost = run.curve["cost"]
        loss[index] = cost[epoch - 1] if len(cost) >= epoch else np.inf
    return loss


def off_scale_threshold(loss: np.ndarray) -> float:
    """The top of the loss axis: the loss, with correction, of the smallest α (a run that has barely moved).

    A point above it is worse than barely training: it has blown up (drawn ▲ at the top of the axis; ✕ if
    the loss stopped being finite). One threshold per horizon, for all six panels.
    """
    slowest = loss[0, :, :, 0]
    return float(np.max(slowest[np.isfinite(slowest)]))


def blown_up(results: Results, horizon: str) -> str:
    """Every point of the grid drawn ▲ (blown up: above ``off_scale_threshold``) or ✕ (diverged), per panel and
    variant, as text: what the figure's markers show, one line per panel that has any."""
    loss = loss_table(results, horizon)
    top = off_scale_threshold(loss)
    lines = []
    for c, name in enumerate(VARIANTS):
        for i, beta1 in enumerate(BETA1S):
            for j, beta2 in enumerate(BETA2S):
                points = [f"α=1e{LOG10_LRS[k]} {'✕' if not np.isfinite(value) else '▲'}"
                          for k, value in enumerate(loss[c, i, j]) if not np.isfinite(value) or value > top]
                if points:
                    what = "red (with correction)" if c == 0 else "green (without)"
                    lines.append(f"{what:<22} β1={beta1:g}, β2={beta2:<6g}: " + ", ".join(points))
    return "\n".join(lines)


def draw(results: Results, *, note: str = "") -> plt.Figure:
    """The paper's grid, twice: β1 rows × β2 columns of loss against log10(α), after the short and the long run."""
    vae = results.problems["vae"]
    horizons = {"short": vae["short"], "long": vae["epochs"]}
    fig = plt.figure(figsize=(16, 6.2))
    blocks = fig.subfigures(1, 2, wspace=0.04)
    for block, (horizon, epochs) in zip(blocks, horizons.items()):
        loss = loss_table(results, horizon)
        top = off_scale_threshold(loss)
        shown_values = loss[np.isfinite(loss) & (loss <= top)]
        low = shown_values.min()
        axes = block.subplots(len(BETA1S), len(BETA2S), sharex=True, sharey=True)
        for i, beta1 in enumerate(BETA1S):
            for j, beta2 in enumerate(BETA2S):
                ax = axes[i, j]
                for c, name in enumerate(VARIANTS):
                    values = loss[c, i, j]
                    shown = np.where(np.isfinite(values) & (values <= top), values, np.nan)
                    ax.plot(LOG10_LRS, shown, "o-", color=color(name), ms=4, lw=1.5,
                            label="with bias correction (Adam)" if c == 0 else "without (RMSProp + momentum)")
                    for k, value in enumerate(values):  # at their own α: red large and hollow, green small inside
                        if not np.isfinite(value) or value > top:
                            marker = "x" if not np.isfinite(value) else "^"
                            size, face = (11, "none") if c == 0 else (6, color(name))
                            ax.plot(LOG10_LRS[k], top, marker, color=color(name), ms=size, mew=2, mfc=face,
                                    clip_on=False)
                ax.set_ylim(low - 0.04 * (top - low), top)
                ax.set_title(f"β1={beta1:g}, β2={beta2:g}", fontsize=9)
                if i == len(BETA1S) - 1:
                    ax.set_xlabel("log10(α)")
                if j == 0:
                    ax.set_ylabel("loss (negative ELBO)")
        block.suptitle(f"after {epochs} epoch{'s' if epochs > 1 else ''} "
                       f"({'short' if horizon == 'short' else 'long'} run; the paper: {10 if horizon == 'short' else 100})",
                       fontsize=11)
    fig.suptitle(
        f"Figure 4 (Kingma & Ba, §6.4): bias correction (red) vs none (green). {vae['description']}, "
        f"minibatch {vae['batch_size']}, constant α — {common.mode_text(results.mode, results.complete())}",
        fontsize=11, y=1.04,
    )
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, -0.09), ncol=2, fontsize=9, frameon=False)
    fig.text(0.5, -0.03, textwrap.fill("Loss = training cost (negative ELBO per image, mean over the epoch's minibatches). "
             "▲ at the top: above the axis, which ends at the loss with correction at α = 1e-5 (a run that has barely moved): "
             "blown up; ✕: diverged (non-finite loss); both at their α, red large, green small. Same initialisation, minibatches "
             f"and noise for all 60 runs; ε = 1e-8.{(' ' + note) if note else ''}", 200), ha="center", fontsize=8)
    return fig


# ---------------------------------------------------------------------------------------------
# Why green differs from red: the size of the uncorrected step


def step_ratio(t: np.ndarray, beta1: float, beta2: float) -> np.ndarray:
    r"""How much larger Adam's step is without bias correction, at step t: (1 − β1^t)/√(1 − β2^t).

    With correction the step is α·m̂_t/√v̂_t = α·(m_t/√v_t)·√(1 − β2^t)/(1 − β1^t); without, α·m_t/√v_t.
    Their ratio depends on t, β1 and β2 only, not on the gradients: at t = 1 it is (1 − β1)/√(1 − β2), e.g.
    100 for β1 = 0, β2 = 0.9999; it falls to 1 after a few multiples of 1/(1 − β2) steps.
    """
    t = np.asarray(t, dtype=float)
    return (1 - beta1**t) / np.sqrt(1 - beta2**t)


def draw_step_ratio(ax: plt.Axes, steps: int = 100_000, marks: dict[str, int] | None = None) -> None:
    """The ratio ``step_ratio`` against t for the grid's β1 and β2 (log-log), with the horizons marked."""
    t = np.unique(np.logspace(0, np.log10(steps), 400).astype(int))
    for beta2, shade in zip(BETA2S, (0.75, 0.45, 0.0)):
        for beta1, style in zip(BETA1S, ("-", "--")):
            ax.loglog(t, step_ratio(t, beta1, beta2), style, color=str(shade), lw=1.6, label=f"β1={beta1:g}, β2={beta2:g}")
    for name, step in (marks or {}).items():
        ax.axvline(step, color=color("Adam (no bias correction)"), lw=1, ls=":")
        ax.text(step * 1.1, 2.5, name, rotation=90, va="center", fontsize=8, color=color("Adam (no bias correction)"))
    ax.axhline(1, color=color("Adam"), lw=1)
    ax.set_xlabel("step t")
    ax.set_ylabel("uncorrected step / corrected step  (log scale)")
    ax.legend(fontsize=7.5, ncol=2, loc="upper right")
