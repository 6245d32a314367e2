r"""Moving averages and Adam's moment estimates (notebooks 02 and 03).

Adam keeps two exponential moving averages (EMAs) of the gradients (Kingma & Ba, Algorithm 1)::

    m_t = β1·m_{t−1} + (1 − β1)·g_t        first moment: estimates E[g]
    v_t = β2·v_{t−1} + (1 − β2)·g_t²       second raw moment: estimates E[g²] = E[g]² + Var[g]
    m̂_t = m_t/(1 − β1^t),  v̂_t = v_t/(1 − β2^t)      bias correction (paper §3)

This module computes them over whole gradient *streams* (one row per step t = 1…T), so that a notebook
can plot them, check them against their known expectations, and study what bias correction does:

* the weights of an EMA and its memory: ``ema_weights``, ``effective_window``, ``recent_weight``;
* averaging: ``ema``, ``bias_corrected``, ``adam_moments`` (m, v, m̂, v̂ at once), ``ema_noise``;
* streams with a known mean and variance: ``noisy_gradients``, ``second_moment``, ``noisy_quadratic``;
* what Adam does with the moments: ``signal_to_noise``, ``limiting_signal_to_noise``, ``adam_steps``,
  ``uncorrected_step_factor``;
* checks and studies: ``monte_carlo_moments`` (are m̂ and v̂ unbiased?) and ``figure4_study`` (a small
  version of the paper's Figure 4 on a sparse logistic regression).

Every random number comes from ``numpy.random.default_rng(seed)`` with the seed given. NumPy only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Optional, Sequence, Union

import numpy as np

from adam_edu.functions import Objective
from adam_edu.optimizers import Adam

__all__ = [
    "ema_weights",
    "effective_window",
    "recent_weight",
    "ema",
    "bias_corrected",
    "ema_noise",
    "Moments",
    "adam_moments",
    "noisy_gradients",
    "second_moment",
    "signal_to_noise",
    "limiting_signal_to_noise",
    "adam_steps",
    "uncorrected_step_factor",
    "NoisyObjective",
    "noisy_quadratic",
    "MonteCarloMoments",
    "monte_carlo_moments",
    "LogisticProblem",
    "sparse_logistic_regression",
    "Figure4Study",
    "figure4_study",
]

ArrayLike = Union[float, Sequence[float], np.ndarray]


def _steps(count: int) -> np.ndarray:
    """t = 1, 2, …, count as floats (Algorithm 1 counts from 1)."""
    return np.arange(1, count + 1, dtype=float)


def _along_time(factor: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Reshape a per-step factor (T,) so that it broadcasts along axis 0 of an array (T, ...)."""
    return factor.reshape((-1,) + (1,) * (np.ndim(like) - 1))


# --- the weights of an exponential moving average ------------------------------------------------


def ema_weights(beta: float, t: int) -> np.ndarray:
    r"""The weights (1 − β)·β^{t−i} that m_t puts on g_1, …, g_t (entry i − 1 is g_i's weight).

    Unrolling m_t = β·m_{t−1} + (1 − β)·g_t from m_0 = 0 gives m_t = (1 − β)·Σ_{i=1..t} β^{t−i}·g_i
    (paper §3, eq. 1). The newest gradient has the largest weight, 1 − β; the weights sum to 1 − β^t,
    not to 1: the missing β^t is the weight of m_0 = 0, the bias that §3 corrects.
    """
    ages = np.arange(t - 1, -1, -1, dtype=float)  # t − i for i = 1 … t
    return (1 - beta) * beta**ages


def effective_window(beta: float) -> float:
    """About how many recent steps an EMA remembers: 1/(1 − β) (10 for β = 0.9, 1000 for 0.999).

    It is the mean age of the weights (1 − β)·β^k, k = 0, 1, … (plus one), and the number of steps
    over which the weights fall by a factor of e: β^{1/(1−β)} ≈ 1/e.
    """
    return 1.0 / (1.0 - beta)


def recent_weight(beta: float, steps: ArrayLike) -> np.ndarray:
    """The share of an EMA's weight that lies on its last ``steps`` gradients: 1 − β^steps.

    Over one effective window, 1/(1 − β) steps, this is about 1 − 1/e ≈ 63 %.
    """
    return 1.0 - beta ** np.asarray(steps, dtype=float)


# --- averaging a stream ---------------------------------------------------------------------------


def ema(values: np.ndarray, beta: float, initial: float = 0.0) -> np.ndarray:
    """The running EMA a_t = β·a_{t−1} + (1 − β)·x_t along axis 0, from a_0 = ``initial``.

    ``values`` has one row per step (shape (T,) or (T, runs, ...)); the result has the same shape,
    row t − 1 holding a_t. Adam's m_t is ``ema(g, beta1)`` and its v_t is ``ema(g**2, beta2)``.
    """
    values = np.asarray(values, dtype=float)
    out = np.empty_like(values)
    average = np.full_like(values[0], initial) if len(values) else None
    for t, x in enumerate(values):
        average = beta * average + (1 - beta) * x
        out[t] = average
    return out


def bias_corrected(averages: np.ndarray, beta: float) -> np.ndarray:
    """Divide the EMA of step t (row t − 1) by 1 − β^t: m̂_t = m_t/(1 − β1^t) (paper §3)."""
    averages = np.asarray(averages, dtype=float)
    return averages / _along_time(1 - beta ** _steps(len(averages)), averages)


def ema_noise(beta: float) -> float:
    r"""The standard deviation of a long-running EMA of independent values with variance 1.

    Var[a_t] = (1 − β)²·Σ_k β^{2k}·Var[x] → (1 − β)/(1 + β)·Var[x]. Averaging over about 1/(1 − β)
    steps divides the variance by about 2/(1 − β): 0.229 for β = 0.9, 0.0224 for β = 0.999.
    """
    return float(np.sqrt((1 - beta) / (1 + beta)))


class Moments(NamedTuple):
    """Adam's four moment estimates over a stream: row t − 1 is step t (Algorithm 1, lines 3–6)."""

    m: np.ndarray  # m_t, biased towards 0 early on
    v: np.ndarray  # v_t, biased towards 0 early on
    m_hat: np.ndarray  # m̂_t = m_t/(1 − β1^t)
    v_hat: np.ndarray  # v̂_t = v_t/(1 − β2^t)


def adam_moments(grads: np.ndarray, beta1: float = 0.9, beta2: float = 0.999) -> Moments:
    """m_t, v_t, m̂_t and v̂_t for a whole gradient stream, as Adam computes them step by step.

    ``grads`` has one row per step. The numbers are the ones ``Adam.update`` records in its state.
    """
    grads = np.asarray(grads, dtype=float)
    m = ema(grads, beta1)  # m_t ← β1·m_{t−1} + (1 − β1)·g_t
    v = ema(grads**2, beta2)  # v_t ← β2·v_{t−1} + (1 − β2)·g_t²
    return Moments(m, v, bias_corrected(m, beta1), bias_corrected(v, beta2))


# --- gradient streams with a known mean and variance ----------------------------------------------


def noisy_gradients(mean: ArrayLike, std: float, steps: int, *, runs: Optional[int] = None, seed: int = 0) -> np.ndarray:
    """A stream g_t = μ_t + σ·ξ_t with ξ_t independent standard normal, from ``default_rng(seed)``.

    ``mean`` is one number (a stationary stream) or one per step. The shape is (steps,), or
    (steps, runs) for ``runs`` independent streams (for Monte Carlo averages over runs).
    E[g_t] = μ_t and E[g_t²] = μ_t² + σ² (``second_moment``).
    """
    shape = (steps,) if runs is None else (steps, runs)
    mean = np.asarray(mean, dtype=float)
    if mean.ndim == 1 and runs is not None:
        mean = mean[:, None]
    return mean + std * np.random.default_rng(seed).standard_normal(shape)


def second_moment(mean: ArrayLike, std: float) -> np.ndarray:
    """E[g²] = E[g]² + Var[g] = μ² + σ²: what v_t estimates (uncentred: not the variance σ²)."""
    return np.asarray(mean, dtype=float) ** 2 + std**2


def signal_to_noise(m_hat: np.ndarray, v_hat: np.ndarray) -> np.ndarray:
    r"""The paper's signal-to-noise ratio m̂_t/√v̂_t (§2.1): Adam's step in units of α, for ε = 0.

    For a stationary stream it tends to about E[g]/√E[g²], which lies in [−1, 1]: near 1 in size when
    the gradients agree, near 0 when they are mostly noise, as near an optimum.
    """
    return np.asarray(m_hat) / np.sqrt(np.asarray(v_hat))


def limiting_signal_to_noise(mean: ArrayLike, std: float) -> np.ndarray:
    """E[g]/√E[g²] = μ/√(μ² + σ²) = r/√(1 + r²) with r = μ/σ: where m̂/√v̂ settles on a stationary stream."""
    mean = np.asarray(mean, dtype=float)
    return mean / np.sqrt(second_moment(mean, std))


def adam_steps(
    grads: np.ndarray,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    bias_correction: bool = True,
) -> np.ndarray:
    r"""The steps Δ_t = −α·m̂_t/(√v̂_t + ε) Adam takes on a given gradient stream.

    With ``bias_correction=False`` the raw m_t and v_t are used, as RMSProp with momentum does (§5).
    The stream is fixed in advance (the gradients do not depend on where Adam goes): this isolates
    what the averages do to the step. Equal to the ``delta`` that ``Adam.update`` records.
    """
    moments = adam_moments(grads, beta1, beta2)
    m, v = (moments.m_hat, moments.v_hat) if bias_correction else (moments.m, moments.v)
    return -lr * m / (np.sqrt(v) + eps)


def uncorrected_step_factor(t: ArrayLike, beta1: float = 0.9, beta2: float = 0.999) -> np.ndarray:
    r"""How much larger Adam's step is without bias correction, for a constant gradient: (1 − β1^t)/√(1 − β2^t).

    With g_t = g for every t, m_t = (1 − β1^t)·g and v_t = (1 − β2^t)·g², so the uncorrected step is
    α·(1 − β1^t)/√(1 − β2^t) while the corrected one is exactly α (ε = 0). At t = 1 the factor is
    (1 − β1)/√(1 − β2): 3.16 for the defaults; its largest value grows like 1/√(1 − β2).
    """
    t = np.asarray(t, dtype=float)
    return (1 - beta1**t) / np.sqrt(1 - beta2**t)


@dataclass(frozen=True)
class NoisyObjective(Objective):
    """An objective whose gradient at step t carries noise: ∇f(θ) + σ·ξ_t, with ξ_t drawn in advance.

    ``functions.run`` passes the step t, so a run is reproducible: the same seed gives the same noise.
    ``value`` is the noise-free f(θ).
    """

    noise: np.ndarray = field(default=None, repr=False)  # (steps, dim): σ·ξ_t in row t − 1

    def gradient(self, p: np.ndarray, t: Optional[int] = None) -> np.ndarray:
        return self.grad(p) + self.noise[t - 1]


def noisy_quadratic(std: float = 1.0, steps: int = 2000, start: float = 5.0, seed: int = 0) -> NoisyObjective:
    """f(θ) = θ²/2 in one dimension, with gradient θ + σ·ξ_t (ξ_t standard normal, ``default_rng(seed)``).

    Far from the minimum the mean gradient θ dominates the noise; near it only noise is left, which is
    where Adam's signal-to-noise ratio shrinks.
    """
    return NoisyObjective(
        name="noisy_quadratic",
        formula=f"f(θ) = θ²/2, gradient θ + {std:g}·ξ_t",
        f=lambda p: 0.5 * p[0] ** 2,
        grad=lambda p: np.array(p, dtype=float),
        minimum=(0.0,),
        start=(start,),
        bounds=((-abs(start), abs(start)),),
        noise=std * np.random.default_rng(seed).standard_normal((steps, 1)),
    )


# --- Monte Carlo: are the corrected averages unbiased? --------------------------------------------


class MonteCarloMoments(NamedTuple):
    """Averages over many independent streams, at each step t (row t − 1), with standard errors."""

    mean: dict  # name ("m", "v", "m_hat", "v_hat") -> average over the runs, shape (T,)
    standard_error: dict  # name -> standard deviation over the runs / √runs, shape (T,)
    true_mean: float  # E[g] = μ
    true_second_moment: float  # E[g²] = μ² + σ²
    runs: int


def monte_carlo_moments(
    mean: float = 1.0,
    std: float = 1.0,
    beta1: float = 0.9,
    beta2: float = 0.999,
    steps: int = 1000,
    runs: int = 20_000,
    seed: int = 0,
    batch: int = 2_000,
) -> MonteCarloMoments:
    """Run Adam's averages over ``runs`` independent stationary streams g ~ N(μ, σ²) and average them.

    Paper §3: E[m_t] = (1 − β1^t)·E[g] and E[v_t] = (1 − β2^t)·E[g²], so E[m̂_t] = E[g], E[v̂_t] = E[g²].
    The streams are drawn ``batch`` at a time from one ``default_rng(seed)`` to bound the memory.
    """
    rng = np.random.default_rng(seed)
    names = Moments._fields
    sums = {name: np.zeros(steps) for name in names}
    squares = {name: np.zeros(steps) for name in names}
    done = 0
    while done < runs:
        count = min(batch, runs - done)
        grads = mean + std * rng.standard_normal((steps, count))
        for name, values in zip(names, adam_moments(grads, beta1, beta2)):
            sums[name] += values.sum(axis=1)
            squares[name] += (values**2).sum(axis=1)
        done += count
    averages = {name: sums[name] / runs for name in names}
    variances = {name: np.maximum(squares[name] / runs - averages[name] ** 2, 0.0) * runs / (runs - 1) for name in names}
    errors = {name: np.sqrt(variances[name] / runs) for name in names}
    return MonteCarloMoments(averages, errors, float(mean), float(second_moment(mean, std)), runs)


# --- a small version of the paper's Figure 4 ------------------------------------------------------


class LogisticProblem(NamedTuple):
    """Binary logistic regression with an L2 penalty, labels y ∈ {0, 1}.

    loss(w) = mean over the examples of log(1 + e^z) − y·z, with z = x·w (the negative log-likelihood),
    plus λ/2·‖w‖². ``rows`` picks a minibatch.
    """

    x: np.ndarray  # (samples, features), 0/1 word-presence features, mostly zero
    y: np.ndarray  # (samples,), labels 0 or 1
    l2: float

    def loss(self, w: np.ndarray, rows: Optional[np.ndarray] = None) -> float:
        x, y = (self.x, self.y) if rows is None else (self.x[rows], self.y[rows])
        z = x @ w
        return float(np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * self.l2 * w @ w)

    def gradient(self, w: np.ndarray, rows: Optional[np.ndarray] = None) -> np.ndarray:
        x, y = (self.x, self.y) if rows is None else (self.x[rows], self.y[rows])
        p = 1.0 / (1.0 + np.exp(-(x @ w)))  # predicted probability of y = 1
        return x.T @ (p - y) / len(y) + self.l2 * w


def sparse_logistic_regression(
    samples: int = 1600, features: int = 200, l2: float = 1e-3, seed: int = 0
) -> LogisticProblem:
    """A synthetic bag-of-words classification task with sparse, Zipf-distributed features.

    Feature j ("word j") is present in a document with probability 0.3/(j + 1)^0.8, so most features
    are rare (1.5 % of the entries are ones) and their gradients are mostly zero, as in the paper's
    bag-of-words experiments. Labels come from a random linear model, ``default_rng(seed)``.
    """
    rng = np.random.default_rng(seed)
    frequency = 0.3 / (np.arange(features) + 1.0) ** 0.8
    x = (rng.random((samples, features)) < frequency).astype(float)
    true_weights = rng.normal(0.0, 2.0, features)
    logits = x @ true_weights
    logits -= logits.mean()
    y = (rng.random(samples) < 1.0 / (1.0 + np.exp(-logits))).astype(float)
    return LogisticProblem(x, y, l2)


class Figure4Study(NamedTuple):
    """Loss after a short and a long run for every setting of the grid.

    ``loss[c, i, j, k, r]``: c = 0 with bias correction (red), 1 without (green); β1 = beta1s[i];
    β2 = beta2s[j]; α = 10**log10_lrs[k]; r = 0 after ``short_steps``, 1 after ``long_steps``.
    """

    loss: np.ndarray
    beta1s: tuple
    beta2s: tuple
    log10_lrs: tuple
    short_steps: int
    long_steps: int
    batch_size: int
    initial_loss: float
    best_loss: float  # the minimum of the full-batch loss (Newton's method)


def _minimum_loss(problem: LogisticProblem, tolerance: float = 1e-12, max_steps: int = 50) -> float:
    """The full-batch minimum, by Newton's method.

    The loss is convex and smooth with a positive-definite Hessian (the L2 term), so Newton's steps from
    w = 0 converge quadratically: five of them bring the gradient below 1e-17 here. The value is then the
    minimum to the last few bits on every CPU; a long Adam run, as used before, stops short of it by
    1e-10 to 1e-7 depending on the CPU's rounding (it oscillates around the minimum), which showed up
    as a test that passed on one machine only.
    """
    x, y, l2 = problem
    samples, features = x.shape
    w = np.zeros(features)
    for _ in range(max_steps):
        gradient = problem.gradient(w)
        if np.max(np.abs(gradient)) < tolerance:
            break
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        hessian = (x.T * (p * (1.0 - p))) @ x / samples + l2 * np.eye(features)
        w = w - np.linalg.solve(hessian, gradient)
    return problem.loss(w)


def figure4_study(
    problem: Optional[LogisticProblem] = None,
    beta1s: Sequence[float] = (0.0, 0.9),
    beta2s: Sequence[float] = (0.99, 0.999, 0.9999),
    log10_lrs: Sequence[float] = (-5, -4, -3, -2, -1),
    short_steps: int = 100,
    long_steps: int = 1000,
    batch_size: int = 32,
    seed: int = 1,
) -> Figure4Study:
    """The paper's Figure 4 grid, small: Adam with and without bias correction on a sparse logistic regression.

    Every run starts from w = 0 and sees the same minibatches (drawn with ``default_rng(seed)``,
    shuffled epoch by epoch), as the paper uses "the same parameter initialization" for every
    optimizer. The full training loss is recorded after ``short_steps`` and ``long_steps`` steps (the
    paper's 10 and 100 epochs; here 2 and 20 epochs of 1600 samples in batches of 32). Takes about 2 s.
    """
    problem = sparse_logistic_regression() if problem is None else problem
    samples, features = problem.x.shape
    rng = np.random.default_rng(seed)
    epochs = -(-long_steps * batch_size // samples)
    order = np.concatenate([rng.permutation(samples) for _ in range(epochs)])
    batches = order[: long_steps * batch_size].reshape(long_steps, batch_size)
    loss = np.empty((2, len(beta1s), len(beta2s), len(log10_lrs), 2))
    for c, correction in enumerate((True, False)):
        for i, beta1 in enumerate(beta1s):
            for j, beta2 in enumerate(beta2s):
                for k, log10_lr in enumerate(log10_lrs):
                    optimizer = Adam(lr=10.0**log10_lr, beta1=beta1, beta2=beta2, bias_correction=correction)
                    w = np.zeros(features)
                    state = optimizer.init(w)
                    for t, rows in enumerate(batches, start=1):
                        w, state = optimizer.update(w, problem.gradient(w, rows), state)
                        if t == short_steps:
                            loss[c, i, j, k, 0] = problem.loss(w)
                    loss[c, i, j, k, 1] = problem.loss(w)
    return Figure4Study(
        loss, tuple(beta1s), tuple(beta2s), tuple(log10_lrs), short_steps, long_steps, batch_size,
        problem.loss(np.zeros(features)), _minimum_loss(problem),
    )
