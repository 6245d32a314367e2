r"""Learning-rate schedules: the step size α_t of step t = 1, 2, …, as small functions.

Each function takes the step count ``t`` (a whole number ≥ 1, or an array of them) and the peak step
size ``lr``, and returns α_t (a float for a scalar ``t``, else an array). A training loop sets
``optimizer.lr = schedule(t, ...)`` before step t; the optimizers themselves know nothing of schedules.

=====================  ================================================================  ==========================
schedule               α_t                                                               used by
=====================  ================================================================  ==========================
``constant``           α                                                                 Kingma & Ba §6.2–6.4
``step_decay``         α · factor^⌊(t − 1)/every⌋                                        He et al. (2016), ResNets
``linear_warmup``      α · min(1, t/w)                                                   Goyal et al. (2017)
``cosine``             α_min + ½(α − α_min)(1 + cos(π·min(t − 1, T)/T))                   Loshchilov & Hutter (2017)
``inverse_sqrt``       α/√t                                                              Kingma & Ba §4 and §6.1
``exponential_range``  α_start·(α_end/α_start)^((t − 1)/(T − 1))                          Smith (2017), range test
=====================  ================================================================  ==========================

``learning_rates(shape, lr, total_steps, warmup_steps=w)`` gives α_1 … α_T of a named shape, multiplied
by the warm-up factor min(1, t/w): "warm-up then cosine" is ``learning_rates("cosine", lr, T, warmup_steps=w)``.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Union

import numpy as np

__all__ = [
    "SHAPES",
    "constant",
    "step_decay",
    "linear_warmup",
    "warmup_factor",
    "cosine",
    "inverse_sqrt",
    "exponential_range",
    "learning_rates",
]

Steps = Union[int, np.ndarray]


# ---------------------------------------------------------------------------------------------
# Checks at the boundary: the parameter, the value received, the valid range


def _steps(t) -> np.ndarray:
    array = np.asarray(t)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer) and not (
        np.issubdtype(array.dtype, np.floating) and np.all(np.isfinite(array)) and np.all(array == np.round(array))
    ):
        raise ValueError(f"t must be a whole number ≥ 1 (the step count), got {t!r}")
    if array.size and array.min() < 1:
        raise ValueError(f"t must be a whole number ≥ 1 (the step count), got {array.min().item()!r}")
    return array.astype(float)


def _positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _whole(name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ValueError(f"{name} must be a whole number ≥ {low}, got {value!r}")
    return int(value)


def _result(t, values: np.ndarray):
    return float(values) if np.ndim(t) == 0 else values


# ---------------------------------------------------------------------------------------------
# The schedules


def constant(t: Steps, lr: float):
    """α_t = α: the paper's setting for §6.2–6.4."""
    steps = _steps(t)
    return _result(t, np.full_like(steps, _positive("lr", lr)))


def step_decay(t: Steps, lr: float, every: int, factor: float = 0.1):
    """α_t = α · factor^⌊(t − 1)/every⌋: α for steps 1…every, α·factor for the next ``every`` steps, …"""
    steps = _steps(t)
    lr, every = _positive("lr", lr), _whole("every", every, 1)
    if isinstance(factor, bool) or not isinstance(factor, Real) or not 0 < factor <= 1:
        raise ValueError(f"factor must be in (0, 1], got {factor!r}")
    return _result(t, lr * float(factor) ** np.floor((steps - 1) / every))


def warmup_factor(t: Steps, warmup_steps: int):
    """min(1, t/w): rises linearly from 1/w at t = 1 to 1 at t = w, then stays at 1 (1 throughout for w = 0)."""
    steps = _steps(t)
    warmup_steps = _whole("warmup_steps", warmup_steps, 0)
    return _result(t, np.ones_like(steps) if warmup_steps == 0 else np.minimum(1.0, steps / warmup_steps))


def linear_warmup(t: Steps, lr: float, warmup_steps: int):
    """α_t = α · min(1, t/w): linear warm-up over w steps, then constant (Goyal et al., 2017)."""
    return _result(t, _positive("lr", lr) * np.asarray(warmup_factor(t, warmup_steps)))


def cosine(t: Steps, lr: float, total_steps: int, final_lr: float = 0.0):
    """α_t = α_min + ½(α − α_min)(1 + cos(π·min(t − 1, T)/T)) (SGDR without restarts, Loshchilov & Hutter 2017).

    α_1 = α, half-way (t − 1 = T/2) the mean of α and α_min, and α_min from t = T + 1 on.
    """
    steps = _steps(t)
    lr, total_steps = _positive("lr", lr), _whole("total_steps", total_steps, 1)
    if isinstance(final_lr, bool) or not isinstance(final_lr, Real) or not 0 <= final_lr <= lr:
        raise ValueError(f"final_lr must be in [0, lr] = [0, {lr:g}], got {final_lr!r}")
    progress = np.minimum(steps - 1, total_steps) / total_steps
    return _result(t, final_lr + 0.5 * (lr - final_lr) * (1 + np.cos(np.pi * progress)))


def inverse_sqrt(t: Steps, lr: float):
    """α_t = α/√t: the decay of the paper's convergence analysis (§4) and of its Figure 1 (§6.1)."""
    steps = _steps(t)
    return _result(t, _positive("lr", lr) / np.sqrt(steps))


def exponential_range(t: Steps, start: float, end: float, total_steps: int):
    """α_t from ``start`` at t = 1 to ``end`` at t = T, evenly spaced on a log scale: the learning-rate
    range test's sweep (Smith, 2017, "Cyclical learning rates", §3.3)."""
    steps = _steps(t)
    start, end = _positive("start", start), _positive("end", end)
    total_steps = _whole("total_steps", total_steps, 2)
    if end <= start:
        raise ValueError(f"end must be > start = {start:g}, got {end!r}")
    return _result(t, start * (end / start) ** ((steps - 1) / (total_steps - 1)))


# ---------------------------------------------------------------------------------------------
# A whole schedule by name, with warm-up


SHAPES = ("constant", "step", "cosine", "1/√t")


def learning_rates(shape: str, lr: float, total_steps: int, *, warmup_steps: int = 0,
                   step_every: int | None = None, step_factor: float = 0.1) -> np.ndarray:
    """α_1 … α_T of a shape in ``SHAPES``, times the warm-up factor min(1, t/w).

    ``"step"`` divides α by 1/``step_factor`` every ``step_every`` steps (default: at ½ and ¾ of T, the
    classic two drops, with ``step_every=None``); ``"cosine"`` decays to 0 at t = T + 1.
    """
    total_steps = _whole("total_steps", total_steps, 1)
    t = np.arange(1, total_steps + 1)
    if shape == "constant":
        rates = constant(t, lr)
    elif shape == "step":
        if step_every is None:  # drops at ½ and ¾ of the run
            rates = _positive("lr", lr) * np.where(t > 3 * total_steps // 4, step_factor**2,
                                                   np.where(t > total_steps // 2, step_factor, 1.0))
            step_decay(1, lr, 1, step_factor)  # checks step_factor
        else:
            rates = step_decay(t, lr, step_every, step_factor)
    elif shape == "cosine":
        rates = cosine(t, lr, total_steps)
    elif shape == "1/√t":
        rates = inverse_sqrt(t, lr)
    else:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}, got {shape!r}")
    return rates * warmup_factor(t, warmup_steps)
