r"""Notebook 03: what bias correction does, and whether m̂ and v̂ are unbiased.

Paper §3: E[m_t] = (1 − β1^t)·E[g] and E[v_t] = (1 − β2^t)·E[g²], so m̂_t = m_t/(1 − β1^t) and
v̂_t = v_t/(1 − β2^t) are unbiased. This module checks that and studies what the correction changes:

* ``uncorrected_step_factor``: how much larger the first steps are without the correction;
* ``monte_carlo_moments``: m, v, m̂, v̂ averaged over many independent streams, with standard errors;
* ``figure4_study``: a small version of the paper's Figure 4 on a sparse logistic regression
  (``sparse_logistic_regression``).

The moving averages themselves are notebook 02's (``adam_edu.lessons.moments``); the slider is
``slider.BiasCorrection``, the exercise checks are in ``exercises``. Every random number comes from
``numpy.random.default_rng(seed)`` with the seed given. NumPy only.
"""

from __future__ import annotations

from typing import NamedTuple, Optional, Sequence

import numpy as np

from adam_edu.lessons.moments import ArrayLike, Moments, adam_moments, second_moment
from adam_edu.optimizers import Adam

__all__ = [
    "uncorrected_step_factor",
    "MonteCarloMoments",
    "monte_carlo_moments",
    "LogisticProblem",
    "sparse_logistic_regression",
    "Figure4Study",
    "figure4_study",
]


def uncorrected_step_factor(t: ArrayLike, beta1: float = 0.9, beta2: float = 0.999) -> np.ndarray:
    r"""How much larger Adam's step is without bias correction, for a constant gradient: (1 − β1^t)/√(1 − β2^t).

    With g_t = g for every t, m_t = (1 − β1^t)·g and v_t = (1 − β2^t)·g², so the uncorrected step is
    α·(1 − β1^t)/√(1 − β2^t) while the corrected one is exactly α (ε = 0). At t = 1 the factor is
    (1 − β1)/√(1 − β2): 3.16 for the defaults; its largest value grows like 1/√(1 − β2).
    """
    t = np.asarray(t, dtype=float)
    return (1 - beta1**t) / np.sqrt(1 - beta2**t)


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
