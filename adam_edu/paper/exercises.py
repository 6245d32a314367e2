"""Exercises of notebooks 07–10 (the paper's Figures 1–4)."""

from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np

from adam_edu.exercises import NotQuiteRight, Verdict, answers_on_cases, verdict

# ------------------------------------------------------------------------------------------------
# Notebook 07 (Figure 1)


def solution_decayed_step_sizes(alpha: float, steps: int) -> np.ndarray:
    """α_t = α/√t for t = 1 … steps (§6.1); t counts steps, starting at 1."""
    return alpha / np.sqrt(np.arange(1, steps + 1))


def check_decayed_step_sizes(decayed_step_sizes) -> Verdict:
    """decayed_step_sizes(alpha, steps) -> array of the step sizes of steps 1 … steps."""
    answer = decayed_step_sizes(0.1, 6)
    expected = solution_decayed_step_sizes(0.1, 6)
    t = np.arange(1, 7)
    return verdict(
        "decayed_step_sizes", answer, expected,
        [
            (0.1 / t, "that is α/t: the paper's schedule divides by the square root of t."),
            (0.1 / np.sqrt(t + 1), "your t starts at 2 (or you added 1): the first step (t = 1) uses α itself."),
            (0.1 * np.sqrt(t), "the step size must shrink: divide by √t, do not multiply."),
        ],
        hint="np.arange(1, steps + 1) gives t = 1 … steps.",
    )


def solution_epochs_to_reach(costs: Sequence[float], target: float) -> Optional[int]:
    """The first epoch (counted from 1) whose cost is at most ``target``; None if none is."""
    for epoch, cost in enumerate(costs, start=1):
        if cost <= target:
            return epoch
    return None


def check_epochs_to_reach(epochs_to_reach) -> Verdict:
    """epochs_to_reach(costs, target) on a few learning curves (one never reaches the target)."""
    cases = [([0.9, 0.5, 0.3, 0.2, 0.25], 0.3), ([0.9, 0.5, 0.3], 0.5), ([1.0, 0.8], 0.1), ([0.4, 0.2], 1.0)]
    found, answers, expected = answers_on_cases(
        "epochs_to_reach", epochs_to_reach, solution_epochs_to_reach, cases,
        hint="Return the first epoch (from 1) whose cost is ≤ target.")
    if found is not None:
        return found
    if answers == [None if e is None else e - 1 for e in expected]:
        raise NotQuiteRight("epochs_to_reach: you count epochs from 0; the first epoch is epoch 1 (enumerate(costs, start=1)).")
    if answers[2] is not None:
        raise NotQuiteRight("epochs_to_reach: a curve that never gets down to the target must give None.")
    raise NotQuiteRight(f"epochs_to_reach: expected {expected} on the test curves, got {answers}. Is the cost allowed to equal the target?")


# ------------------------------------------------------------------------------------------------
# Notebook 08 (Figure 2)


def solution_inverted_dropout(x: np.ndarray, keep: np.ndarray, rate: float) -> np.ndarray:
    """Training-time inverted dropout: keep where ``keep`` is true, and divide by 1 − rate."""
    return np.where(keep, x / (1 - rate), 0.0)


def check_inverted_dropout(inverted_dropout) -> Verdict:
    """inverted_dropout(x, keep, rate) -> the layer's output during training."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 6))
    keep = rng.random((4, 6)) >= 0.5
    answer = inverted_dropout(x, keep, 0.5)
    return verdict(
        "inverted_dropout", answer, solution_inverted_dropout(x, keep, 0.5),
        [
            (np.where(keep, x, 0.0), "the kept units must be divided by the keep probability 1 − rate, so that "
                                     "E[output] = x and nothing changes at test time."),
            (np.where(keep, x * 0.5, 0.0), "multiply by 1/(1 − rate), not by (1 − rate)."),
            (np.where(keep, 0.0, x / 0.5), "keep the units where keep is True, drop the others."),
        ],
        hint="Kept units are scaled by 1/(1 − rate), dropped ones are 0: np.where picks between the two.",
    )


def solution_on_grid_edge(values: Sequence[float], best: float) -> bool:
    """True if the best value is the smallest or the largest tried (and more than one was tried)."""
    return len(set(values)) > 1 and best in (min(values), max(values))


def check_on_grid_edge(on_grid_edge) -> Verdict:
    """on_grid_edge(values, best) for grids given in any order."""
    cases = [([1e-3, 3e-3, 1e-2], 3e-3), ([1e-3, 3e-3, 1e-2], 1e-2), ([0.3, 0.1, 1.0], 0.1), ([0.5], 0.5)]
    found, answers, expected = answers_on_cases(
        "on_grid_edge", on_grid_edge, solution_on_grid_edge, cases,
        hint="Compare best with min(values) and max(values).")
    if found is not None:
        return found
    if answers[2] != expected[2]:
        raise NotQuiteRight("on_grid_edge: the values may come in any order: use min and max, not the first and last.")
    if answers[3] != expected[3]:
        raise NotQuiteRight("on_grid_edge: with a single value there is no grid to widen: return False.")
    raise NotQuiteRight(f"on_grid_edge: expected {expected}, got {answers}.")


# ------------------------------------------------------------------------------------------------
# Notebook 09 (Figure 3)


def solution_pooled_size(size: int, window: int = 3, stride: int = 2, pad: int = 1) -> int:
    """⌊(size + 2·pad − window)/stride⌋ + 1: the side of the feature map after max-pooling."""
    return (size + 2 * pad - window) // stride + 1


def check_pooled_size(pooled_size) -> Verdict:
    """pooled_size(size, window, stride, pad) for the paper's pooling (3×3, stride 2, padding 1) and others."""
    # the last two vary window, stride and padding enough that ⌈size/2⌉ (right for the paper's pooling) fails
    cases = [(32, 3, 2, 1), (28, 3, 2, 1), (7, 3, 2, 1), (8, 2, 2, 0), (5, 3, 1, 0), (10, 5, 1, 0), (9, 3, 3, 0)]
    first = pooled_size(*cases[0])
    answer = None if first is None else [first] + [pooled_size(*c) for c in cases[1:]]
    return verdict(
        "pooled_size", answer, [solution_pooled_size(*c) for c in cases],
        [([(s + 2 * p - w) // st for s, w, st, p in cases], "you forgot the + 1: the first window counts too."),
         ([(s - w) // st + 1 for s, w, st, p in cases], "the padding adds pad pixels on *both* sides: size + 2·pad."),
         ([-(-s // 2) for s, w, st, p in cases], "⌈size/2⌉ is the paper's case only (3×3, stride 2, padding 1): use the "
          "window, the stride and the padding.")],
        hint="Integer division (//) is the floor of the formula above; do not forget the + 1.",
    )


def solution_fraction_below_eps(v_hat: np.ndarray, eps: float) -> float:
    """The fraction of entries whose √v̂ is below ε: where ε, not √v̂, sets Adam's denominator."""
    return float(np.mean(np.sqrt(v_hat) < eps))


def check_fraction_below_eps(fraction_below_eps) -> Verdict:
    """fraction_below_eps(v_hat, eps) on second moments spread over many orders of magnitude."""
    v_hat = 10.0 ** np.linspace(-19.5, -3.5, 17)  # none exactly at ε² (where √v̂ < ε and v̂ < ε² disagree by rounding)
    answer = fraction_below_eps(v_hat, 1e-8)
    return verdict(
        "fraction_below_eps", answer, solution_fraction_below_eps(v_hat, 1e-8),
        [(float(np.mean(v_hat < 1e-8)), "compare √v̂ with ε (they are both in the units of the gradient), not v̂ itself.")],
        hint="Compare √v̂ (not v̂) with ε; the mean of a boolean array is the fraction of True.",
    )


# ------------------------------------------------------------------------------------------------
# Notebook 10 (Figure 4)


def solution_first_step_without_correction(alpha: float, beta1: float, beta2: float) -> float:
    """|Δ_1| without bias correction, for ε = 0: m_1 = (1−β1)g, v_1 = (1−β2)g², so α(1−β1)/√(1−β2)."""
    return alpha * (1 - beta1) / math.sqrt(1 - beta2)


def check_first_step_without_correction(first_step) -> Verdict:
    """first_step(alpha, beta1, beta2) -> the size of the first step of Adam without bias correction."""
    cases = [(1e-3, 0.9, 0.999), (1e-3, 0.0, 0.9999), (1e-2, 0.9, 0.99), (0.1, 0.0, 0.99)]
    first = first_step(*cases[0])
    answer = None if first is None else [first] + [first_step(*c) for c in cases[1:]]
    return verdict(
        "first_step_without_correction", answer, [solution_first_step_without_correction(*c) for c in cases],
        [([a for a, b1, b2 in cases], "that is the step *with* bias correction (exactly α); without it m_1 and v_1 "
                                      "keep their factors (1−β1) and (1−β2)."),
         ([a * (1 - b1) / (1 - b2) for a, b1, b2 in cases], "the denominator is √v_1 = √(1−β2)·|g|: take the square root.")],
        hint="m_1 = (1−β1)·g and v_1 = (1−β2)·g², so the step is α·m_1/√v_1.",
    )


def solution_bias_lasts(beta2: float, tolerance: float = 0.01) -> int:
    """The first step t at which the initialisation bias β2^t of v_t falls below ``tolerance``."""
    return math.ceil(math.log(tolerance) / math.log(beta2))


def check_bias_lasts(bias_lasts) -> Verdict:
    """bias_lasts(beta2, tolerance) -> the first t with β2^t ≤ tolerance."""
    cases = [(0.9, 0.01), (0.99, 0.01), (0.999, 0.01), (0.9999, 0.01), (0.999, 0.5)]
    first = bias_lasts(*cases[0])
    answer = None if first is None else [first] + [bias_lasts(*c) for c in cases[1:]]
    return verdict(
        "bias_lasts", answer, [solution_bias_lasts(*c) for c in cases],
        [([math.floor(math.log(tol) / math.log(b)) for b, tol in cases], "round up: at the floor β2^t is still above the tolerance."),
         ([round(1 / (1 - b)) for b, tol in cases], "1/(1−β2) is the averaging window, not the time for the bias to fall to the tolerance.")],
        hint="Solve β2^t = tolerance for t with logarithms, then round up.",
        rtol=0, atol=0.5,
    )
