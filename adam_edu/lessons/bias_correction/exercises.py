"""Exercises of notebook 03 (bias correction)."""

from __future__ import annotations

import numpy as np

from adam_edu.exercises import NotQuiteRight, Verdict, verdict
from adam_edu.lessons.moments.exercises import solution_ema  # notebook 02's exercise, the m_t of this one

__all__ = [
    "solution_bias_corrected_average", "check_bias_corrected_average",
    "solution_adam_moments", "check_adam_moments",
    "solution_uncorrected_step_factor", "check_uncorrected_step_factor",
]

GRADS = np.array([0.5, -1.0, 2.0, 0.25, 1.5, -0.5, 1.0, 3.0, -2.0, 0.75])


def solution_bias_corrected_average(values: np.ndarray, beta: float) -> np.ndarray:
    """m̂_t = m_t/(1 − β^t) for t = 1 … T, with m_t = β·m_{t−1} + (1 − β)·x_t and m_0 = 0."""
    t = np.arange(1, len(values) + 1)
    return solution_ema(values, beta) / (1 - beta**t)


def check_bias_corrected_average(bias_corrected_average) -> Verdict:
    """bias_corrected_average(values, beta) must return m̂_1, …, m̂_T."""
    beta = 0.9
    t = np.arange(1, len(GRADS) + 1)
    m = solution_ema(GRADS, beta)
    return verdict(
        "bias_corrected_average",
        bias_corrected_average(GRADS, beta),
        m / (1 - beta**t),
        [
            (m, "that is m_t, still biased towards 0: divide the average of step t by 1 − β^t."),
            (m / (1 - beta), "divide by 1 − β^t, which changes with t, not by the constant 1 − β."),
            (m / (1 - beta ** (t + 1)), "count t from 1: the first average is divided by 1 − β^1 = 1 − β."),
            (m * (1 - beta**t), "multiply? No: m_t is too small by the factor 1 − β^t, so divide by it."),
        ],
        hint="Compute the running average m_t from m_0 = 0, then divide each m_t by 1 − β^t (t from 1).",
    )


def solution_adam_moments(grads: np.ndarray, beta1: float, beta2: float):
    """Adam's bias-corrected moments (m̂_t, v̂_t) for t = 1 … T (Algorithm 1, lines 3–6)."""
    t = np.arange(1, len(grads) + 1)
    m_hat = solution_ema(grads, beta1) / (1 - beta1**t)
    v_hat = solution_ema(np.asarray(grads) ** 2, beta2) / (1 - beta2**t)
    return m_hat, v_hat


def check_adam_moments(adam_moments) -> Verdict:
    """adam_moments(grads, beta1, beta2) must return the pair (m̂, v̂), each with one entry per step."""
    beta1, beta2 = 0.9, 0.999
    t = np.arange(1, len(GRADS) + 1)
    answer = adam_moments(GRADS, beta1, beta2)
    if answer is not None:
        if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
            raise NotQuiteRight("adam_moments: return a pair (m_hat, v_hat), one array for each moment.")
        answer = np.stack([np.asarray(a, dtype=float) for a in answer])
    m, v = solution_ema(GRADS, beta1), solution_ema(GRADS**2, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return verdict(
        "adam_moments",
        answer,
        np.stack([m_hat, v_hat]),
        [
            (np.stack([m_hat, v]), "your v̂ is off by a factor 1−β2^t: did you correct it?"),
            (np.stack([m, v_hat]), "your m̂ is off by a factor 1−β1^t: did you correct it?"),
            (np.stack([m, v]), "neither moment is corrected: divide m_t by 1−β1^t and v_t by 1−β2^t."),
            (np.stack([m_hat, v / (1 - beta1**t)]),
             "v̂ was divided by 1−β1^t; the second moment is corrected with β2: v̂_t = v_t/(1−β2^t)."),
            (np.stack([m_hat, m_hat**2]), "v averages the squared gradients g_t², it is not the square of m̂."),
            (np.stack([m_hat, solution_ema(GRADS, beta2) ** 2 / (1 - beta2**t)]),
             "v averages the squared gradients g_t², not the gradients before squaring."),
        ],
        hint="Two running averages from 0: of g_t with β1 and of g_t² with β2; then divide each by 1 − β^t.",
    )


def solution_uncorrected_step_factor(t: np.ndarray, beta1: float, beta2: float) -> np.ndarray:
    """Adam's step without correction on a constant gradient, in units of α: (1 − β1^t)/√(1 − β2^t)."""
    t = np.asarray(t, dtype=float)
    return (1 - beta1**t) / np.sqrt(1 - beta2**t)


def check_uncorrected_step_factor(uncorrected_step_factor) -> Verdict:
    """uncorrected_step_factor(t, beta1, beta2) for an array of steps t (ε = 0, constant gradient)."""
    t = np.array([1, 2, 5, 10, 20, 100, 1000, 10000])
    beta1, beta2 = 0.9, 0.9999
    return verdict(
        "uncorrected_step_factor",
        uncorrected_step_factor(t, beta1, beta2),
        solution_uncorrected_step_factor(t, beta1, beta2),
        [
            ((1 - beta1**t) / (1 - beta2**t), "Adam divides by the square root of v_t: take √(1 − β2^t)."),
            (np.sqrt(1 - beta2**t) / (1 - beta1**t),
             "upside down: m_t = (1−β1^t)·g is on top, √v_t = √(1−β2^t)·|g| below."),
            ((1 - beta2**t) / np.sqrt(1 - beta1**t), "β1 and β2 are swapped: m uses β1, v uses β2."),
            (np.full(t.shape, 1.0), "that is the corrected step (exactly α); the question is about the step without correction."),
        ],
        hint="With g_t = g for all t, m_t = (1 − β1^t)·g and v_t = (1 − β2^t)·g². What is m_t/√v_t?",
    )
