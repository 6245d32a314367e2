r"""Notebook 02: moving averages and Adam's moment estimates.

Adam keeps two exponential moving averages (EMAs) of the gradients (Kingma & Ba, Algorithm 1)::

    m_t = β1·m_{t−1} + (1 − β1)·g_t        first moment: estimates E[g]
    v_t = β2·v_{t−1} + (1 − β2)·g_t²       second raw moment: estimates E[g²] = E[g]² + Var[g]
    m̂_t = m_t/(1 − β1^t),  v̂_t = v_t/(1 − β2^t)      bias correction (paper §3)

This module computes them over whole gradient *streams* (one row per step t = 1…T), so that a notebook
can plot them, check them against their known expectations, and study what bias correction does:

* the weights of an EMA and its memory: ``ema_weights``, ``effective_window``, ``recent_weight``;
* averaging: ``ema``, ``bias_corrected``, ``adam_moments`` (m, v, m̂, v̂ at once), ``ema_noise``;
* streams with a known mean and variance: ``noisy_gradients``, ``second_moment``, ``noisy_quadratic``;
* what Adam does with the moments: ``signal_to_noise``, ``limiting_signal_to_noise``, ``adam_steps``.

Notebook 03's studies of bias correction build on these in ``adam_edu.lessons.bias_correction``; the
slider is ``slider.MomentEstimates``, the exercise checks are in ``exercises``.

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
    "NoisyObjective",
    "noisy_quadratic",
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
    if values.ndim == 1:  # one stream: the same arithmetic on Python floats, about 4 times faster
        average, out = float(initial), []
        for x in values.tolist():
            average = beta * average + (1 - beta) * x
            out.append(average)
        return np.array(out, dtype=float)
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
