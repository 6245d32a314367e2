"""Notebook 06: when Adam fails, and what the fixes change.

* the online counterexample of Reddi, Kale & Kumar (2018), and AMSGrad's fix;
* Adam with an L2 term versus AdamW (Loshchilov & Hutter, ICLR 2019);
* RAdam: the variance of the adaptive step in the first steps (Liu et al., ICLR 2020);
* learning rate and ε: what goes wrong;
* noisy gradients: what the two moments do (claim b) and the noise floor (claim c);
* memory: the buffers each optimizer keeps (claim d).

06 builds on notebook 05's zoo and grid search (``adam_edu.lessons.zoo``). The exercise checks are in
``exercises``. Nothing here is random except where a function takes a ``seed``.
"""

from __future__ import annotations

import copy
import math
from typing import Mapping, NamedTuple, Sequence

import matplotlib.pyplot as plt
import numpy as np

from adam_edu import plots
from adam_edu.functions import Objective, OnlineObjective, cubic, quadratic, run
from adam_edu.lessons.zoo import STEPS, make_optimizer, trajectory
from adam_edu.optimizers import SGD, Adam, AdamW, Optimizer, RAdam

__all__ = [
    "run_online", "run_counterexample", "counterexample_regret", "plot_counterexample", "CURVATURES",
    "separable_quadratic", "weight_decay_endpoints", "effective_decay", "WeightDecayRun", "weight_decay_runs", "plot_weight_decay", "EarlySteps", "early_adaptive_steps",
    "plot_early_steps", "steps_on_the_cubic", "round_off_walk", "eps_slowdown", "WhatGoesWrong", "what_goes_wrong",
    "plot_failures",
    "NoiseAveraging", "noise_averaging", "noise_floor", "NoiseStudy", "noise_study", "plot_noise", "buffers_per_parameter",
]


# ================================================================================================
# The online counterexample of Reddi, Kale & Kumar (2018), §3 and §5


def run_online(optimizer: Optimizer, objective: OnlineObjective, steps: int, alpha: float) -> np.ndarray:
    """x_0 … x_T on an online objective with α_t = α/√t (Reddi et al., Theorem 4), projected on [−1, 1].

    The optimizers take a constant lr; since the state is explicit, setting ``lr`` before each update
    gives the schedule. The readable version: ``run_counterexample`` is the same arithmetic, faster.
    """
    optimizer = copy.copy(optimizer)  # the caller's optimizer keeps its lr
    theta = np.array(objective.start, dtype=np.float64)
    state = optimizer.init(theta)
    xs = [theta[0]]
    for t in range(1, steps + 1):
        optimizer.lr = alpha / math.sqrt(t)  # α_t = α/√t
        theta, state = optimizer.update(theta, objective.gradient(theta, t), state)
        theta = objective.project(theta)
        xs.append(theta[0])
    return np.array(xs)


def run_counterexample(optimizer: Adam, big: float, small: float, period: int, steps: int,
                       alpha: float) -> np.ndarray:
    """``run_online`` on ``reddi_counterexample(big, small, period)``, in plain Python floats.

    The same operations in the same order as ``Adam.update`` (so the same numbers, to the last bit),
    about 25 times faster: 2·10⁵ steps take a fifth of a second. Adam and AMSGrad only.
    """
    if type(optimizer) is not Adam or optimizer.eps_hat or optimizer.weight_decay:
        raise ValueError(f"optimizer must be a plain Adam (amsgrad and bias_correction allowed), got {optimizer!r}")
    beta1, beta2, eps = optimizer.beta1, optimizer.beta2, optimizer.eps
    amsgrad, corrected = optimizer.amsgrad, optimizer.bias_correction
    x, m, v, v_max = 1.0, 0.0, 0.0, 0.0
    xs = np.empty(steps + 1)
    xs[0] = x
    for t in range(1, steps + 1):
        g = big if t % period == 1 else small
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        if amsgrad:
            v_max = max(v_max, v)
        v_used = v_max if amsgrad else v
        m_hat, v_hat = (m / (1 - beta1**t), v_used / (1 - beta2**t)) if corrected else (m, v_used)
        x = x + -(alpha / math.sqrt(t)) * m_hat / (math.sqrt(v_hat) + eps)
        x = min(1.0, max(-1.0, x))  # projection onto [−1, 1]
        xs[t] = x
    return xs


def counterexample_regret(xs: np.ndarray, big: float, small: float, period: int) -> np.ndarray:
    """R_t/t for t = 1 … T (Reddi et al., eq. 1): Σ_{s≤t} f_s(x_{s−1}) − f_s(−1), over t."""
    t = np.arange(1, len(xs))
    coefficients = np.where(t % period == 1, big, small)
    return np.cumsum(coefficients * (xs[:-1] + 1.0)) / t


def plot_counterexample(runs: Mapping[str, tuple[str, str, np.ndarray]], big: float, small: float, period: int,
                        title: str) -> plt.Figure:
    """x_t and the average regret R_t/t, log-scaled steps. ``runs`` maps a legend text to
    (palette label, line style, x_0 … x_T)."""
    fig, (ax_x, ax_r) = plt.subplots(1, 2, figsize=(11.5, 3.5), layout="constrained")
    steps = len(next(iter(runs.values()))[2]) - 1
    shown = np.unique(np.round(np.geomspace(1, steps, 1500)).astype(int))  # log-spaced: a light figure
    for text, (name, style, xs) in runs.items():
        regret = counterexample_regret(xs, big, small, period)
        ax_x.semilogx(shown, xs[shown], style, color=plots.color(name), lw=1.4, label=text)
        ax_r.loglog(shown, np.maximum(regret[shown - 1], 1e-6), style, color=plots.color(name), lw=1.4, label=text)
    drift = (big + (period - 1) * small) / period  # the average loss slope
    note = dict(fontsize=8, ha="right", bbox=dict(facecolor="white", edgecolor="none", alpha=0.8, pad=1))
    for level, text in ((-1, "x = −1: the best fixed point"), (1, "x = +1: the worst")):
        ax_x.axhline(level, color="black", lw=0.8, ls=":")
        ax_x.text(steps, level - 0.1 * level, text, va="center", **note)
    ax_x.set_xlabel("step t (log scale)")
    ax_x.set_ylabel("x_t")
    ax_x.set_ylim(-1.1, 1.1)
    ax_r.axhline(2 * drift, color="black", lw=0.8, ls=":")
    ax_r.text(steps, 2 * drift / 1.6, f"R_t/t of staying at x = +1: {2 * drift:.3g}", va="center", **note)
    ax_r.set_xlabel("step t (log scale)")
    ax_r.set_ylabel("average regret R_t/t (log scale)")
    ax_x.set_title("the iterate x_t", fontsize=9)
    ax_r.set_title("R_t/t → 0 means: as good as the best fixed point", fontsize=9)
    fig.legend(*ax_x.get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=8)
    fig.suptitle(title, fontsize=9.5)
    return fig


# ================================================================================================
# Adam with an L2 term versus AdamW (Loshchilov & Hutter, ICLR 2019)

CURVATURES = np.logspace(-3, 2, 6)  # one weight per curvature h: f(θ) = Σ h_i (θ_i − 1)²/2


def _separable_quadratic(p: np.ndarray) -> np.ndarray:
    return 0.5 * np.tensordot(CURVATURES, (np.asarray(p) - 1.0) ** 2, axes=(0, 0))


def _separable_quadratic_grad(theta: np.ndarray) -> np.ndarray:
    return CURVATURES * (theta - 1.0)


separable_quadratic = Objective(
    name="separable quadratic",
    formula="f(θ) = Σ h_i(θ_i − 1)²/2, h = 1e-3 … 100",
    f=_separable_quadratic,
    grad=_separable_quadratic_grad,
    minimum=(1.0,) * len(CURVATURES),
    start=(1.0,) * len(CURVATURES),  # the unregularised minimum: only the decay moves the weights
    bounds=((0.0, 2.0),) * len(CURVATURES),
)


def weight_decay_endpoints(optimizer: Optimizer, steps: int = 3000) -> tuple[np.ndarray, list]:
    """Run on f(θ) = Σ h_i(θ_i − 1)²/2 from θ = 1 (the unregularised minimum); return θ_T and the states
    after steps 1 … T.

    Six weights whose gradients differ in scale by 10⁵; the regularised solution of the L2 problem
    f + λ‖θ‖²/2 is θ_i = h_i/(h_i + λ).
    """
    history = run(optimizer, separable_quadratic, steps=steps)
    return history.params[-1], history.states[1:]


def effective_decay(optimizer: Optimizer, states: Sequence) -> np.ndarray:
    """The fraction of θ_i that the decay term removes per step, for each weight at each step.

    Adam + L2: the term λθ joins the gradient and is divided by √v̂ like it, so α·λ/(√v̂_i + ε);
    AdamW: α·λ for every weight, whatever its gradients.
    """
    alpha, lam = optimizer.lr, optimizer.weight_decay
    if isinstance(optimizer, AdamW):
        return np.full((len(states), len(CURVATURES)), alpha * lam)
    return np.array([alpha * lam / (np.sqrt(state.v_hat) + optimizer.eps) for state in states])


class WeightDecayRun(NamedTuple):
    optimizer: Optimizer
    theta: np.ndarray  # θ_T
    states: list  # the state after each step


def weight_decay_runs(decays: Sequence[float] = (0.1, 1.0), lr: float = 0.01,
                      steps: int = 3000) -> dict[float, tuple[WeightDecayRun, WeightDecayRun]]:
    """Adam + L2 and AdamW at each decay λ on the six-weight quadratic: {λ: (Adam + L2's run, AdamW's run)}."""
    return {lam: tuple(WeightDecayRun(optimizer, *weight_decay_endpoints(optimizer, steps))
                       for optimizer in (Adam(lr, weight_decay=lam), AdamW(lr, weight_decay=lam)))
            for lam in decays}


def plot_weight_decay(runs: Mapping[float, Sequence[WeightDecayRun]], shown_steps: int = 300) -> plt.Figure:
    """Where Adam + L2 and AdamW end on the six-weight quadratic (``weight_decay_runs``), and the decay each
    weight feels at the first λ over the first ``shown_steps`` steps."""
    fig, (ax_end, ax_rate) = plt.subplots(1, 2, figsize=(11.5, 3.6), layout="constrained")
    h = np.logspace(-3.3, 2.3, 200)
    decays = list(runs)
    first = runs[decays[0]][0]
    lr, steps = first.optimizer.lr, len(first.states)
    for lam, marker in zip(decays, ("o", "s")):
        ax_end.semilogx(h, h / (h + lam), color="grey", lw=0.9, ls="--")
        for optimizer, theta, states in runs[lam]:
            name = plots.label(optimizer)
            ax_end.semilogx(CURVATURES, theta, marker, color=plots.color(name), ms=6,
                            mfc="none" if name == "AdamW" else plots.color(name), label=f"{name}, λ = {lam:g}")
            if lam == decays[0]:
                rates = effective_decay(optimizer, states[:shown_steps])
                for i, style in ((0, "-"), (len(CURVATURES) - 1, "--")):
                    ax_rate.semilogy(np.arange(1, shown_steps + 1), rates[:, i], style, color=plots.color(name),
                                     label=f"{name}, weight with h = {CURVATURES[i]:g}")
    ax_end.text(0.02, 0.62, "dashed: the L2 solution h/(h + λ)", transform=ax_end.transAxes, fontsize=8)
    ax_end.set_xlabel("curvature h_i of the weight's loss (log scale)")
    ax_end.set_ylabel(f"θ_i after {steps} steps")
    ax_end.set_title("where each weight ends (the loss alone wants θ = 1)", fontsize=9)
    ax_end.legend(fontsize=7, loc="lower right")
    ax_rate.set_xlabel("step t")
    ax_rate.set_ylabel("share of θ_i decayed per step (log)")
    ax_rate.set_title(f"the decay each weight feels, λ = {decays[0]:g}: α·λ/(√v̂_i + ε) versus α·λ", fontsize=9)
    ax_rate.legend(fontsize=7)
    fig.suptitle(f"f(θ) = Σ h_i(θ_i − 1)²/2, six weights, h from 1e-3 to 100, start θ = 1, lr {lr:g}, "
                 f"{steps} steps, full-batch gradients", fontsize=9.5)
    return fig


# ================================================================================================
# RAdam: the variance of the adaptive step in the first steps


class EarlySteps(NamedTuple):
    t: np.ndarray  # 1 … T
    psi: np.ndarray  # (T, n) Adam's adaptive factor 1/(√v̂_t + ε) per coordinate
    rectification: np.ndarray  # RAdam's r_t (nan while ρ_t ≤ 5, when RAdam uses no adaptive factor)
    step_sizes: dict[str, np.ndarray]  # |Δ_t|/α per coordinate, (T, n), per method
    seed: int
    warmup: int  # the warm-up's length in steps


def early_adaptive_steps(steps: int = 200, coordinates: int = 20_000, seed: int = 0, lr: float = 1e-3,
                         warmup: int = 100) -> EarlySteps:
    """Adam, RAdam and Adam with a linear warm-up on pure-noise gradients g ~ N(0, 1).

    Every coordinate is an independent copy of the same experiment (the optimizers act element-wise),
    so the spread across the ``coordinates`` is the spread of the step at step t. The same gradients
    for all three methods (one generator, seeded).
    """
    rng = np.random.default_rng(seed)
    gradients = rng.standard_normal((steps, coordinates))
    methods = {"Adam": Adam(lr), "RAdam": RAdam(lr), "Adam + warm-up": Adam(lr)}
    sizes, psi = {}, []
    for name, optimizer in methods.items():
        theta = np.zeros(coordinates)
        state = optimizer.init(theta)
        out = np.empty((steps, coordinates))
        for t in range(1, steps + 1):
            if name == "Adam + warm-up":
                optimizer.lr = lr * min(1.0, t / warmup)  # α_t = α·min(1, t/warm-up)
            theta, state = optimizer.update(theta, gradients[t - 1], state)
            out[t - 1] = np.abs(state.delta) / lr
            if name == "Adam":
                psi.append(1.0 / (np.sqrt(state.v_hat) + optimizer.eps))
        sizes[name] = out
    radam = methods["RAdam"]
    rect = np.array([radam.rectification(t) or math.nan for t in range(1, steps + 1)])
    return EarlySteps(np.arange(1, steps + 1), np.array(psi), rect, sizes, seed, warmup)


def plot_early_steps(early: EarlySteps, rho_infinity: float) -> plt.Figure:
    """RAdam's argument in two panels: the spread of Adam's adaptive factor, and of the steps taken."""
    fig, (ax_psi, ax_step) = plt.subplots(1, 2, figsize=(11.5, 3.6), layout="constrained")
    spread = early.psi.std(axis=1)
    ax_psi.loglog(early.t, spread, color=plots.color("Adam"), label="Adam: std of 1/(√v̂_t + ε)")
    ax_psi.loglog(early.t, early.rectification * spread, color=plots.color("RAdam"),
                  label="RAdam: r_t × that (from t = 6)")
    ax_psi.axhline(1 / math.sqrt(2 * rho_infinity), color="black", ls=":", lw=0.9,
                   label="its limit for t → ∞, 1/√(2ρ_∞)")
    ax_psi.set_xlabel("step t (log scale)")
    coordinates = f"{early.psi.shape[1]:,}".replace(",", " ")  # 20 000: a thin space would be wider in the PNG
    ax_psi.set_ylabel(f"spread across {coordinates} coordinates (log scale)")
    ax_psi.set_title("the adaptive factor ψ_t: wild at first, tamed by r_t", fontsize=9)
    ax_psi.legend(fontsize=7)
    styles = {"Adam": (plots.color("Adam"), "-"), "RAdam": (plots.color("RAdam"), "-"),
              "Adam + warm-up": (plots.color("Adam"), "--")}
    for name, sizes in early.step_sizes.items():
        colour, style = styles[name]
        low, middle, high = np.percentile(sizes, [5, 50, 95], axis=1)
        ax_step.plot(early.t, middle, style, color=colour, label=f"{name}: median")
        ax_step.fill_between(early.t, low, high, color=colour, alpha=0.12 if name != "RAdam" else 0.2, lw=0)
    ax_step.set_xscale("log")
    ax_step.set_xlabel("step t (log scale)")
    ax_step.set_ylabel("|Δ_t| / α")
    ax_step.set_title("the steps taken: median and 5–95% band", fontsize=9)
    ax_step.legend(fontsize=7)
    fig.suptitle(f"Pure-noise gradients g ~ N(0, 1), {coordinates} independent coordinates (seed {early.seed}), "
                 f"β = (0.9, 0.999); warm-up: α·min(1, t/{early.warmup})", fontsize=9.5)
    return fig


# ================================================================================================
# Learning rate and ε: what goes wrong


def steps_on_the_cubic(lr: float, steps: int = 60) -> np.ndarray:
    """x_t of Adam (defaults otherwise) on x³ − 2x² + 2 from x = 0.001, the collection's first example.

    No box here: f is unbounded below, and a run that crosses the maximum at 0 slides away for ever,
    α per step.
    """
    return run(Adam(lr), cubic, steps=steps).params[:, 0]


def round_off_walk(eps: float, steps: int = 1000, lr: float = 1e-2, scale: float = 1e-12,
                   seed: int = 0) -> np.ndarray:
    """θ_t of a weight the loss does not depend on, whose gradient is round-off noise of size ``scale``.

    Adam divides that noise by its own RMS: unless ε is larger than the noise, every step is ≈ α in a
    random direction, a random walk out of nowhere.
    """
    rng = np.random.default_rng(seed)
    optimizer = Adam(lr, eps=eps)
    theta = np.zeros(1)
    state = optimizer.init(theta)
    path = [0.0]
    for g in scale * rng.standard_normal(steps):
        theta, state = optimizer.update(theta, np.array([g]), state)
        path.append(theta[0])
    return np.array(path)


def eps_slowdown(eps: float, lr: float = 0.3, steps: int = STEPS) -> np.ndarray:
    """f − f* of Adam with this ε on the ill-conditioned quadratic, at the zoo's lr for it (0.3).

    A large ε turns Adam into SGD with learning rate α/ε once the gradients are smaller than ε."""
    return trajectory(Adam(lr, eps=eps), quadratic, steps=steps).gaps


class WhatGoesWrong(NamedTuple):
    cubic: dict[float, np.ndarray]  # lr -> x_t of Adam on the cubic (``steps_on_the_cubic``)
    round_off: dict[float, np.ndarray]  # small ε -> θ_t of the round-off weight (``round_off_walk``)
    slowdown: dict[float, np.ndarray]  # large ε -> f − f* on the quadratic (``eps_slowdown``)
    round_off_lr: float
    round_off_scale: float  # the size of the round-off gradient
    slowdown_lr: float


def what_goes_wrong(lrs: Sequence[float] = (0.05, 0.5, 1.0, 2.0), small_eps: Sequence[float] = (1e-8, 1e-12, 0.0),
                    large_eps: Sequence[float] = (1e-8, 1.0, 10.0, 100.0), round_off_lr: float = 1e-2,
                    round_off_scale: float = 1e-12, slowdown_lr: float = 0.3) -> WhatGoesWrong:
    """The three experiments of ``plot_failures``: learning rate too large, ε too small, ε too large."""
    return WhatGoesWrong({lr: steps_on_the_cubic(lr) for lr in lrs},
                         {eps: round_off_walk(eps, lr=round_off_lr, scale=round_off_scale) for eps in small_eps},
                         {eps: eps_slowdown(eps, slowdown_lr) for eps in large_eps},
                         round_off_lr, round_off_scale, slowdown_lr)


def plot_failures(runs: WhatGoesWrong) -> plt.Figure:
    """Learning rate too large, ε too small, ε too large (``what_goes_wrong``): Adam with β = (0.9, 0.999) in
    three panels.

    Each panel has its own learning rate: the cubic varies it (ε = 1e-8), the round-off weight uses 0.01 and
    the quadratic 0.3 (its tuned lr in notebook 05), each with ε varied."""
    fig, axes = plt.subplots(1, 3, figsize=(12.5, 3.5), layout="constrained")
    shades = plt.get_cmap("Reds")(np.linspace(0.4, 1.0, 4))
    styles = ("-", "--", "-.", ":")
    for (lr, xs), colour, style in zip(runs.cubic.items(), shades, styles):
        axes[0].plot(xs, style, color=colour, label=f"lr {lr:g}")
    axes[0].axhline(4 / 3, color="black", lw=0.8, ls=":")
    axes[0].axhline(0, color="grey", lw=0.8)
    axes[0].set_yscale("symlog", linthresh=2)
    axes[0].set_xlabel("step t")
    axes[0].set_ylabel("x_t  (symlog: linear within ±2)")
    axes[0].set_title(f"lr too large: {cubic.formula}, x0 = {cubic.start[0]:g}", fontsize=9)
    for (eps, path), colour, style in zip(runs.round_off.items(), shades[1:], styles):
        axes[1].plot(np.abs(path), style, color=colour, label=f"ε = {eps:g}")
    axes[1].set_yscale("log")
    axes[1].set_ylim(1e-8, 2)
    axes[1].set_xlabel("step t")
    axes[1].set_ylabel("|θ_t| (log scale)")
    axes[1].set_title(f"ε too small: gradient = round-off noise ~{runs.round_off_scale:g}, lr {runs.round_off_lr:g}",
                      fontsize=9)
    for (eps, gaps), colour, style in zip(runs.slowdown.items(), shades, styles):
        axes[2].semilogy(np.maximum(gaps, 1e-16), style, color=colour, label=f"ε = {eps:g}")
    axes[2].set_xlabel("step t")
    axes[2].set_ylabel("f(θ_t) − f*  (log scale)")
    axes[2].set_title(f"ε too large: the quadratic, lr {runs.slowdown_lr:g}", fontsize=9)
    for ax in axes:
        ax.legend(fontsize=7, title="Adam", title_fontsize=7)
    fig.suptitle("What goes wrong: Adam with β = (0.9, 0.999), one setting changed at a time", fontsize=9.5)
    return fig


# ================================================================================================
# Noisy gradients: what the two moments do (claim b) and the noise floor (claim c)


class NoiseAveraging(NamedTuple):
    gradient_std: float  # spread of g_t across coordinates at the last step
    m_hat_std: float  # spread of Adam's m̂_t
    momentum_std: float  # spread of SGD-momentum's buffer, rescaled by (1 − μ) to gradient units
    v_hat_mean: float  # mean of v̂_t: ≈ E[g²] = μ² + σ²
    mean_step: float  # mean of Δ_t/α (signed): the drift of Adam's step
    step_std: float  # spread of Δ_t/α


def noise_averaging(mean: float = 1.0, noise: float = 3.0, steps: int = 300, coordinates: int = 20_000,
                    seed: int = 0) -> NoiseAveraging:
    """Adam and SGD with momentum fed g_t = mean + noise·ξ_t (ξ ~ N(0, 1)), statistics at step T."""
    rng = np.random.default_rng(seed)
    adam, momentum = Adam(1e-3), SGD(1e-3, momentum=0.9)
    theta_a = theta_m = np.zeros(coordinates)
    state_a, state_m = adam.init(theta_a), momentum.init(theta_m)
    for _ in range(steps):
        g = mean + noise * rng.standard_normal(coordinates)
        theta_a, state_a = adam.update(theta_a, g, state_a)
        theta_m, state_m = momentum.update(theta_m, g, state_m)
    steps_over_lr = state_a.delta / adam.lr
    buffer_in_gradient_units = (1 - momentum.momentum) * state_m.b
    return NoiseAveraging(float(g.std()), float(state_a.m_hat.std()), float(buffer_in_gradient_units.std()),
                          float(state_a.v_hat.mean()), float(-steps_over_lr.mean()), float(steps_over_lr.std()))


def noise_floor(name: str, lr: float, noise: float, steps: int = 1000, runs: int = 200, seed: int = 0,
                last: int = 200) -> float:
    """Mean f − f* over the last ``last`` steps on the quadratic with gradient noise of std ``noise``.

    ``runs`` independent runs at once (the columns of a (2, runs) parameter array); seeded.
    """
    rng = np.random.default_rng(seed)
    optimizer = make_optimizer(name, lr)
    theta = np.repeat(np.array(quadratic.start)[:, None], runs, axis=1)
    state = optimizer.init(theta)
    tail = []
    for t in range(steps):
        g = quadratic.grad(theta) + noise * rng.standard_normal(theta.shape)
        theta, state = optimizer.update(theta, g, state)
        if t >= steps - last:
            tail.append(quadratic.f(theta).mean())
    return float(np.mean(tail))


class NoiseStudy(NamedTuple):
    gradients: np.ndarray  # g_t = mean + noise·ξ_t on one coordinate
    m_hat: np.ndarray  # Adam's m̂_t on that stream
    step: np.ndarray  # Adam's −Δ_t/α on that stream
    mean: float
    noise: float
    seed: int
    learning_rates: dict[str, float]  # each optimizer's learning rate for the noise floors
    noises: tuple[float, ...]  # the noise levels σ of the floors
    floors: dict[str, list[float]]  # name -> ``noise_floor`` at each σ
    floor_steps: int  # each floor: the mean over the last ``floor_last`` of ``floor_steps`` steps
    floor_last: int
    floor_runs: int  # independent runs per floor


def noise_study(names_and_lrs: Mapping[str, float], noises: Sequence[float] = (0.1, 1.0, 10.0, 100.0),
                mean: float = 1.0, noise: float = 3.0, steps: int = 200, seed: int = 0, floor_steps: int = 1000,
                floor_last: int = 200, floor_runs: int = 200) -> NoiseStudy:
    """Claim (b) and the noise part of (c): Adam(1e-3) on one noisy gradient stream (seeded), and the noise
    floor of each named optimizer at its learning rate for every noise level."""
    rng = np.random.default_rng(seed)
    gradients = mean + noise * rng.standard_normal(steps)
    adam = Adam(1e-3)
    theta, state = np.zeros(1), adam.init(np.zeros(1))
    m_hat, step = [], []
    for g in gradients:
        theta, state = adam.update(theta, np.array([g]), state)
        m_hat.append(state.m_hat[0])
        step.append(-state.delta[0] / adam.lr)
    floors = {name: [noise_floor(name, lr, sigma, steps=floor_steps, runs=floor_runs, seed=seed, last=floor_last)
                     for sigma in noises]
              for name, lr in names_and_lrs.items()}
    return NoiseStudy(gradients, np.array(m_hat), np.array(step), mean, noise, seed, dict(names_and_lrs),
                      tuple(noises), floors, floor_steps, floor_last, floor_runs)


def plot_noise(study: NoiseStudy) -> plt.Figure:
    """What m̂ and v̂ do with noisy gradients, and the noise floor (``noise_study``)."""
    gradients, m_hat, step, mean, noise, seed = study[:6]
    steps = len(gradients)
    fig, (ax_t, ax_f) = plt.subplots(1, 2, figsize=(11.5, 3.5), layout="constrained")
    t = np.arange(1, steps + 1)
    ax_t.plot(t, gradients, color="#bbbbbb", lw=0.8, label=f"g_t = {mean:g} + {noise:g}·ξ_t")
    ax_t.plot(t, m_hat, color=plots.color("Adam"), lw=1.5, label="Adam's m̂_t")
    ax_t.plot(t, step, color="black", lw=1.2, ls="--", label="Adam's step −Δ_t/α")
    ax_t.axhline(mean, color="black", lw=0.8, ls=":")
    ax_t.set_xlabel("step t")
    ax_t.set_ylabel("value")
    ax_t.set_title(f"one coordinate, noisy gradient with mean {mean:g} (seed {seed})", fontsize=9)
    ax_t.legend(fontsize=7, ncols=3, loc="upper center")
    ax_t.set_ylim(-12, 14)
    for name, values in study.floors.items():
        ax_f.loglog(study.noises, values, plots.style(name), marker="o", color=plots.color(name), ms=4,
                    label=f"{name}, lr {study.learning_rates[name]:g}")
    ax_f.set_xlabel("gradient noise σ (log scale)")
    ax_f.set_ylabel(f"mean f − f*, steps {study.floor_steps - study.floor_last + 1}–{study.floor_steps} (log)")
    ax_f.set_title(f"the noise floor on the quadratic ({study.floor_runs} runs each, seed {seed})", fontsize=9)
    ax_f.legend(fontsize=7)
    fig.suptitle("Noisy gradients: m̂ averages the noise away, v̂ scales the step down; neither converges "
                 "with a constant lr", fontsize=9.5)
    return fig


# ================================================================================================
# Memory: the buffers each optimizer keeps (claim d)


def buffers_per_parameter(optimizer: Optimizer) -> int:
    """How many arrays the size of the parameters the optimizer keeps between steps.

    Counted from the state ``init`` returns, not typed in: every field that holds an array of the
    parameters' shape (the step count t and the scalars are not per parameter; fields that are None,
    such as the diagnostics before the first step or Adam's v_max without AMSGrad, hold nothing).
    """
    params = np.zeros(7)
    state = optimizer.init(params)
    return sum(isinstance(value, np.ndarray) and value.shape == params.shape for value in state)
