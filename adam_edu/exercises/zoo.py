"""Exercises of notebooks 05 (the optimizer zoo) and 06 (when Adam fails)."""

from __future__ import annotations

import math

import numpy as np

from adam_edu import comparison
from adam_edu.exercises import Verdict, verdict
from adam_edu.optimizers import Adam, AdamW

# ------------------------------------------------------------------------------------------------
# Notebook 05


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


# ------------------------------------------------------------------------------------------------
# Notebook 06


def solution_average_regret(xs: np.ndarray, coefficients: np.ndarray, best: float = -1.0) -> np.ndarray:
    """R_t/t with R_t = Σ_{s≤t} c_s·x_{s−1} − c_s·best: each loss is paid at the point played before it."""
    xs, coefficients = np.asarray(xs, dtype=float), np.asarray(coefficients, dtype=float)
    t = np.arange(1, len(coefficients) + 1)
    return np.cumsum(coefficients * (xs[:-1] - best)) / t


def check_average_regret(average_regret) -> Verdict:
    """average_regret(xs, coefficients) for x_0 … x_T and the losses' slopes c_1 … c_T."""
    rng = np.random.default_rng(6)
    xs = np.clip(np.cumsum(rng.normal(0, 0.3, 31)), -1, 1)
    xs[0] = 1.0
    coefficients = np.where(np.arange(1, 31) % 3 == 1, 3.0, -1.0)
    answer = average_regret(xs, coefficients)
    expected = solution_average_regret(xs, coefficients)
    t = np.arange(1, 31)
    return verdict(
        "average_regret",
        answer,
        expected,
        [
            (np.cumsum(coefficients * (xs[1:] + 1)) / t, "the loss f_t is paid at x_{t−1}, the point played "
                                                          "before f_t was revealed, not at x_t."),
            (np.cumsum(coefficients * xs[:-1]) / t, "regret compares with the best fixed point: subtract f_t(−1)."),
            (np.cumsum(coefficients * (xs[:-1] + 1)) / 30, "divide R_t by t, the steps so far, not by T."),
        ],
        hint="R_t = Σ_{s≤t} f_s(x_{s−1}) − f_s(−1), with f_s(x) = c_s·x.",
    )


def solution_adamw_update(theta, g, m, v, t, lr, weight_decay, beta1=0.9, beta2=0.999, eps=1e-8):
    """One AdamW step from the buffers of step t − 1; returns the new θ.

    PyTorch's coupling, as ``adam_edu.AdamW``: the decay is multiplied by the learning rate,
    θ_t = θ_{t−1} − α·λ·θ_{t−1} − α·m̂_t/(√v̂_t + ε). Loshchilov & Hutter's Algorithm 2 writes
    θ_t = θ_{t−1} − η_t·(α·m̂_t/(√v̂_t + ε) + λ·θ_{t−1}): the same step with η_t = 1 and their λ = α·ours.
    """
    t = t + 1
    m = beta1 * m + (1 - beta1) * g  # the moments see the loss gradient only
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * weight_decay * theta - lr * m_hat / (np.sqrt(v_hat) + eps)


def check_adamw_update(adamw_update) -> Verdict:
    """adamw_update(theta, g, m, v, t, lr, weight_decay) against the library's AdamW."""
    theta, g = np.array([2.0, -1.0, 0.5]), np.array([0.3, 0.0, -4.0])
    m, v, t, lr, wd = np.array([0.1, -0.2, 0.0]), np.array([0.04, 0.01, 0.5]), 5, 0.05, 0.1
    answer = adamw_update(theta, g, m, v, t, lr, wd)
    state = AdamW(lr, weight_decay=wd).init(theta)._replace(t=t, m=m, v=v)
    expected, _ = AdamW(lr, weight_decay=wd).update(theta, g, state)
    l2, _ = Adam(lr, weight_decay=wd).update(theta, g, state._replace(v_max=None))
    no_lr = solution_adamw_update(theta, g, m, v, t, lr, wd) + lr * wd * theta - wd * theta
    adam_step = solution_adamw_update(theta, g, m, v, t, lr, 0.0)
    after = adam_step * (1 - lr * wd)
    return verdict(
        "adamw_update",
        answer,
        expected,
        [
            (l2, "that is Adam + L2: λθ went into the gradient (and through 1/√v̂). AdamW decays θ outside Adam."),
            (no_lr, "that is Loshchilov & Hutter's own form (Algorithm 2 with η_t = 1), where λ is not "
                    "multiplied by α. adam_edu.AdamW, like PyTorch, multiplies the decay by the learning rate: "
                    "θ ← θ − α·λ·θ − α·m̂/(√v̂ + ε) (the paper's λ is α times this weight_decay)."),
            (after, "the decay applies to θ_{t−1}, the weights before this step's Adam update."),
        ],
        hint="Adam's step from g alone, plus −α·λ·θ_{t−1} (PyTorch's coupling: the decay times the learning rate).",
    )


def solution_buffers_per_parameter(optimizer) -> int:
    """Arrays of the parameters' shape in the state ``init`` returns (t, scalars and None don't count)."""
    params = np.zeros(5)
    state = optimizer.init(params)
    return sum(isinstance(value, np.ndarray) and value.shape == params.shape for value in state)


def check_buffers_per_parameter(buffers_per_parameter) -> Verdict:
    """buffers_per_parameter(optimizer) for every optimizer of the zoo."""
    optimizers = [make(0.01) for make in comparison.ZOO]
    first = buffers_per_parameter(optimizers[0])
    answer = None if first is None else [first] + [buffers_per_parameter(o) for o in optimizers[1:]]
    expected = [solution_buffers_per_parameter(o) for o in optimizers]
    states = [o.init(np.zeros(5)) for o in optimizers]
    all_fields = [len(s) - 1 for s in states]
    not_none = [sum(value is not None for value in s) - 1 for s in states]
    return verdict(
        "buffers_per_parameter",
        answer,
        expected,
        [
            (all_fields, "you counted every field but t; fields that are None (diagnostics, v_max without "
                         "AMSGrad) hold no memory."),
            (not_none, "a scalar such as Nadam's μ-product is one number, not one per parameter: count arrays "
                       "of the parameters' shape only."),
        ],
        hint="Look at optimizer.init(np.zeros(5)): which fields are arrays of shape (5,)?",
    )
