"""Exercises of notebook 05 (the optimizer zoo)."""

from __future__ import annotations

import math

import numpy as np

from adam_edu.exercises import Verdict, verdict
from adam_edu.optimizers import Adam


def solution_best_learning_rate(learning_rates, final_gaps) -> float:
    """The lowest final f − f*; a diverged run (nan) is out; ties go to the smaller learning rate."""
    best = None
    for lr, gap in sorted(zip(learning_rates, final_gaps)):
        if not math.isnan(gap) and (best is None or gap < best[1]):
            best = (lr, gap)
    return best[0]


def check_best_learning_rate(best_learning_rate) -> Verdict:
    """best_learning_rate(learning_rates, final_gaps) on grids with a nan, ties and an unsorted order."""
    cases = [
        ((1e-3, 1e-2, 1e-1, 1.0), (2.0, 0.5, float("nan"), 3.0)),  # the nan must not win
        ((1e-3, 1e-2, 1e-1), (1e-4, 1e-9, 1e-9)),  # a tie: the smaller lr
        ((1.0, 0.1, 0.01), (5.0, 1e-3, 0.2)),  # not sorted by lr
        ((0.3, 3.0), (float("nan"), 7.0)),
        ((0.1, 0.01, 1.0), (1e-9, 1e-9, 0.5)),  # a tie, not sorted: the first of the tie is not the smaller lr
    ]
    first = best_learning_rate(*cases[0])
    answer = None if first is None else [first] + [best_learning_rate(*case) for case in cases[1:]]
    expected = [solution_best_learning_rate(*case) for case in cases]
    argmin_nan = [lrs[int(np.argmin(gaps))] for lrs, gaps in cases]
    larger_tie = [max(lr for lr, g in zip(lrs, gaps) if g == np.nanmin(gaps)) for lrs, gaps in cases]
    largest_gap = [lrs[int(np.nanargmax(gaps))] for lrs, gaps in cases]
    first_of_tie = [lrs[int(np.nanargmin(gaps))] for lrs, gaps in cases]
    return verdict(
        "best_learning_rate",
        answer,
        expected,
        [
            (argmin_nan, "np.argmin stops at a nan: a diverged run (nan) won. Leave the nan entries out "
                         "(skip them in a loop)."),
            (first_of_tie, "on a tie you took the first of the equal gaps (np.nanargmin does), but the grid "
                           "need not be sorted: the rule wants the smaller learning rate."),
            (larger_tie, "on a tie you chose the larger learning rate; the rule says the smaller one."),
            (largest_gap, "that is the worst learning rate: the rule wants the lowest f − f*."),
        ],
        hint="Skip the nan entries, then take the lowest gap; on a tie, the smaller lr.",
    )


def solution_sgd_escape_steps(lr: float, y0: float, threshold: float = 0.5) -> int:
    """SGD near the saddle: y_t = (1 + lr)^t·y0, so the first t with y_t > threshold."""
    return math.ceil(math.log(threshold / y0) / math.log(1 + lr))


def check_sgd_escape_steps(sgd_escape_steps) -> Verdict:
    """sgd_escape_steps(lr, y0, threshold) for several learning rates and starts."""
    # the last case has a fraction below 0.5 (34.09 steps), so rounding to the nearest integer is not rounding up
    cases = [(0.3, 1e-3, 0.5), (0.01, 1e-3, 0.5), (0.1, 1e-6, 0.5), (1.0, 1e-2, 0.25), (0.2, 1e-3, 0.5)]
    first = sgd_escape_steps(*cases[0])
    answer = None if first is None else [first] + [sgd_escape_steps(*case) for case in cases[1:]]
    expected = [solution_sgd_escape_steps(*case) for case in cases]
    shrinking = [math.ceil(math.log(y0 / th) / math.log(1 - lr)) if lr < 1 else 0 for lr, y0, th in cases]
    floor = [math.floor(math.log(th / y0) / math.log(1 + lr)) for lr, y0, th in cases]
    linear = [math.ceil(math.log(th / y0) / lr) for lr, y0, th in cases]
    nearest = [round(math.log(th / y0) / math.log(1 + lr)) for lr, y0, th in cases]
    return verdict(
        "sgd_escape_steps",
        answer,
        expected,
        [
            (floor, "rounded down: after that many steps y is still just below the threshold. Round up."),
            (nearest, "rounded to the nearest integer: when the fraction is below one half, y is still below "
                      "the threshold after that many steps. Round up."),
            (linear, "log(1 + lr) ≈ lr only for small lr; use the exact growth factor 1 + lr."),
            (shrinking, "along y the curvature is −1: the gradient −y makes y grow by 1 + lr, not shrink."),
        ],
        hint="Near y = 0 the y-gradient is y³ − y ≈ −y: what does one SGD step do to y?",
    )


def solution_effective_learning_rate(state, lr: float, eps: float) -> np.ndarray:
    """Adam's per-coordinate step size α/(√v̂_t + ε), from the state of the last step."""
    return lr / (np.sqrt(state.v_hat) + eps)


def check_effective_learning_rate(effective_learning_rate) -> Verdict:
    """effective_learning_rate(state, lr, eps) after 1, 3 and 10 steps of Adam on made-up gradients."""
    optimizer = Adam(0.1, eps=1e-3)
    theta = np.zeros(3)
    state = optimizer.init(theta)
    states = []
    for g in np.array([[1.0, -0.01, 30.0], [0.5, -0.02, 10.0]] * 5):
        theta, state = optimizer.update(theta, g, state)
        states.append(state)
    chosen = [states[0], states[2], states[9]]
    first = effective_learning_rate(chosen[0], 0.1, 1e-3)
    answer = None if first is None else [first] + [effective_learning_rate(s, 0.1, 1e-3) for s in chosen[1:]]
    expected = [solution_effective_learning_rate(s, 0.1, 1e-3) for s in chosen]
    return verdict(
        "effective_learning_rate",
        answer,
        expected,
        [
            ([0.1 / (np.sqrt(s.v) + 1e-3) for s in chosen], "that uses v_t: Adam divides by the bias-corrected v̂_t."),
            ([0.1 / np.sqrt(s.v_hat + 1e-3) for s in chosen], "ε went inside the square root; Adam adds it to √v̂."),
            ([0.1 / (s.v_hat + 1e-3) for s in chosen], "the denominator is the square root of v̂, not v̂."),
        ],
        hint="Read v̂ from state.v_hat.",
    )
