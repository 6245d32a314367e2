"""Exercises of notebook 02 (moving averages and moment estimates)."""

from __future__ import annotations

import numpy as np

from adam_edu.exercises import Verdict, verdict

__all__ = [
    "solution_ema_weights", "check_ema_weights",
    "solution_ema", "check_ema",
    "solution_limiting_snr", "check_limiting_snr",
]


def solution_ema_weights(beta: float, t: int) -> np.ndarray:
    """The weights of g_1, …, g_t in m_t (oldest first): (1 − β)·β^(t − i)."""
    i = np.arange(1, t + 1)
    return (1 - beta) * beta ** (t - i)


def check_ema_weights(ema_weights) -> Verdict:
    """ema_weights(beta, t) must return the t weights of g_1, …, g_t in m_t, oldest first."""
    cases = [(0.9, 5), (0.5, 3), (0.999, 4), (0.0, 3)]
    answer = None
    if ema_weights(*cases[0]) is not None:
        answer = np.concatenate([np.asarray(ema_weights(*case), dtype=float).ravel() for case in cases])

    def every(rule):
        return np.concatenate([rule(beta, np.arange(1, t + 1), t) for beta, t in cases])

    return verdict(
        "ema_weights",
        answer,
        every(lambda beta, i, t: (1 - beta) * beta ** (t - i)),
        [
            (every(lambda beta, i, t: (1 - beta) * beta ** (i - 1)),
             "the order is reversed: the newest gradient g_t (the last entry) has the largest weight, 1−β."),
            (every(lambda beta, i, t: beta ** (t - i)),
             "each weight needs the factor (1−β): m_t = β·m_{t−1} + (1−β)·g_t."),
            (every(lambda beta, i, t: (1 - beta) * beta ** (t - i + 1)),
             "the exponent is one too large: g_t enters m_t with weight 1−β, that is (1−β)·β^0."),
        ],
        hint="Unroll m_t = β·m_{t−1} + (1−β)·g_t from m_0 = 0 for t = 3 by hand first.",
    )


def solution_ema(values: np.ndarray, beta: float) -> np.ndarray:
    """m_t = β·m_{t−1} + (1 − β)·x_t from m_0 = 0, for every t."""
    out, m = [], 0.0
    for x in values:
        m = beta * m + (1 - beta) * x
        out.append(m)
    return np.array(out)


def check_ema(ema) -> Verdict:
    """ema(values, beta) must return m_1, …, m_T for a 1-D array of values."""
    values = np.array([2.0, -1.0, 0.5, 3.0, 1.0, -2.0, 0.0, 4.0])
    beta = 0.8
    t = np.arange(1, len(values) + 1)
    expected = solution_ema(values, beta)
    from_first_value = np.empty_like(values)
    m = values[0]
    for k, x in enumerate(values):
        m = m if k == 0 else beta * m + (1 - beta) * x
        from_first_value[k] = m
    return verdict(
        "ema",
        ema(values, beta),
        expected,
        [
            (solution_ema(values, 1 - beta),
             "β and 1−β are swapped: the old average keeps the share β, the new value gets 1−β."),
            (from_first_value, "Adam starts the average from m_0 = 0, not from the first value."),
            (expected / (1 - beta**t),
             "that is already bias-corrected (m̂_t); here return m_t itself (notebook 03 corrects it)."),
            (solution_ema(values, beta) / (1 - beta),
             "the new value must be multiplied by (1−β): m_t = β·m_{t−1} + (1−β)·x_t."),
        ],
        hint="Keep one running number m, start it at 0, and update it once per value.",
    )


def solution_limiting_snr(mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Where m̂/√v̂ settles on a stationary stream: E[g]/√E[g²] = μ/√(μ² + σ²)."""
    mean, std = np.asarray(mean, dtype=float), np.asarray(std, dtype=float)
    return mean / np.sqrt(mean**2 + std**2)


def check_limiting_snr(limiting_snr) -> Verdict:
    """limiting_snr(mean, std) for arrays of means μ and standard deviations σ of the gradient."""
    mean = np.array([1.0, 0.5, -2.0, 0.1, 3.0])
    std = np.array([1.0, 2.0, 1.0, 1.0, 0.5])
    return verdict(
        "limiting_snr",
        limiting_snr(mean, std),
        solution_limiting_snr(mean, std),
        [
            (mean / std, "v̂ estimates the uncentred second moment E[g²] = μ² + σ², not the variance σ²."),
            (mean**2 / (mean**2 + std**2), "Adam divides m̂ by the square root of v̂."),
            (mean / (mean**2 + std**2), "Adam divides m̂ by the square root of v̂."),
            (np.abs(mean) / np.sqrt(mean**2 + std**2), "keep the sign of μ: the ratio says which way Adam steps."),
        ],
        hint="m̂ → E[g] = μ and v̂ → E[g²]; what is E[g²] for a mean μ and a standard deviation σ?",
    )
