"""Exercises of notebook 04 (the update rule)."""

from __future__ import annotations

import numpy as np

from adam_edu.exercises import NotQuiteRight, Verdict, verdict
from adam_edu.functions import rosenbrock, run
from adam_edu.optimizers import Adam, RMSProp
from adam_edu.update_rule import step_bound

_THETA = np.linspace(-0.4, 0.6, 6)
_HYPER = {"lr": 1e-2, "beta1": 0.9, "beta2": 0.999, "eps": 1e-3}  # ε large enough to tell its place


def solution_adam_update(theta, g, m, v, t, lr, beta1, beta2, eps):
    """One step of Algorithm 1; t is the number of steps taken before this one."""
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta, m, v


def _three_steps(adam_update, t0: int):
    """Three steps on fixed inputs (CS231n style), starting after t0 earlier steps."""
    theta, m, v = _THETA.copy(), np.linspace(-0.3, 0.3, 6) * (t0 > 0), np.linspace(0.1, 0.6, 6) * 1e-2 * (t0 > 0)
    for k in range(3):
        g = np.cos(3 * theta + k)
        result = adam_update(theta, g, m, v, t0 + k, *_HYPER.values())
        if result is None:
            return None
        theta, m, v = result
    return theta


def check_adam_update(adam_update) -> Verdict:
    """adam_update(theta, g, m, v, t, lr, beta1, beta2, eps) -> (theta, m, v), one Algorithm-1 step."""

    def variant(last_line):
        def update(theta, g, m, v, t, lr, beta1, beta2, eps, t_offset=1):
            t = t + t_offset
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g**2
            return last_line(theta, m, v, t, lr, beta1, beta2, eps), m, v
        return update

    correct = variant(lambda th, m, v, t, lr, b1, b2, e: th - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + e))
    mistakes = {
        "t is used before it is incremented: with t = 0 at the first step, 1 − β^t is 0.":
            lambda th, g, m, v, t, *h: correct(th, g, m, v, t, *h, t_offset=0),
        "the square root is missing: divide by √v̂ + ε, not v̂ + ε.":
            variant(lambda th, m, v, t, lr, b1, b2, e: th - lr * (m / (1 - b1**t)) / (v / (1 - b2**t) + e)),
        "your v̂ is off by a factor 1−β2^t: did you correct it?":
            variant(lambda th, m, v, t, lr, b1, b2, e: th - lr * (m / (1 - b1**t)) / (np.sqrt(v) + e)),
        "your m̂ is off by a factor 1−β1^t: did you correct it?":
            variant(lambda th, m, v, t, lr, b1, b2, e: th - lr * m / (np.sqrt(v / (1 - b2**t)) + e)),
        "ε is inside the square root; Algorithm 1 adds it to √v̂.":
            variant(lambda th, m, v, t, lr, b1, b2, e: th - lr * (m / (1 - b1**t)) / np.sqrt(v / (1 - b2**t) + e)),
    }
    # Start after 2 earlier steps, so that t = 0 does not simply divide by zero
    answer = _three_steps(adam_update, 2)
    expected = _three_steps(solution_adam_update, 2)
    return verdict(
        "adam_update", answer, expected,
        [(_three_steps(wrong, 2), message) for message, wrong in mistakes.items()],
        hint="Increment t first, then m, v, the two corrections and the step.",
        rtol=1e-10,
    )


def solution_step_bound(lr, beta1, beta2):
    """§2.1: |Δ| ≤ α·(1−β1)/√(1−β2) if (1−β1) > √(1−β2), otherwise |Δ| ≤ α."""
    return lr * (1 - beta1) / np.sqrt(1 - beta2) if (1 - beta1) > np.sqrt(1 - beta2) else lr


def check_step_bound(bound) -> Verdict:
    """bound(lr, beta1, beta2) -> the largest possible |Δ_t| for ε = 0."""
    cases = [(0.1, 0.9, 0.999), (0.1, 0.9, 0.99), (1.0, 0.0, 0.9), (0.01, 0.99, 0.999), (1.0, 0.5, 0.9999)]
    answer = None if bound(*cases[0]) is None else [bound(*c) for c in cases]
    return verdict(
        "step_bound", answer, [step_bound(*c) for c in cases],
        [([c[0] for c in cases], "that is the usual case only: when (1−β1) > √(1−β2) a single gradient "
                                 "after many zeros gives a step of α·(1−β1)/√(1−β2)."),
         ([c[0] * (1 - c[1]) / np.sqrt(1 - c[2]) for c in cases],
          "α·(1−β1)/√(1−β2) is the bound only when (1−β1) > √(1−β2); otherwise it is α.")],
        hint="Compare 1−β1 with √(1−β2) (paper §2.1).",
    )


def solution_rmsprop_as_adam(lr, rho, eps):
    """RMSProp is Adam without momentum and without bias correction (paper §5)."""
    return {"lr": lr, "beta1": 0.0, "beta2": rho, "eps": eps, "bias_correction": False}


def check_rmsprop_as_adam(rmsprop_as_adam) -> Verdict:
    """rmsprop_as_adam(lr, rho, eps) -> keyword arguments of Adam that give RMSProp's path."""
    lr, rho, eps = 1e-3, 0.9, 1e-8
    kwargs = rmsprop_as_adam(lr, rho, eps)
    expected = run(RMSProp(lr=lr, rho=rho, eps=eps), rosenbrock, steps=50).params
    if kwargs is None:
        return verdict("rmsprop_as_adam", None, expected, hint="Which of Adam's parts does RMSProp lack?")
    try:
        answer = run(Adam(**kwargs), rosenbrock, steps=50).params
    except TypeError as error:
        raise NotQuiteRight(f"rmsprop_as_adam: Adam does not accept these keywords: {error}") from None
    mistakes = []
    if kwargs.get("bias_correction", True):
        mistakes.append((answer, "RMSProp has no bias correction: set bias_correction=False."))
    if kwargs.get("beta1", 0.9) != 0:
        mistakes.append((answer, "RMSProp has no momentum: β1 must be 0, so that m_t = g_t."))
    return verdict("rmsprop_as_adam", answer, expected, mistakes, rtol=1e-12, atol=1e-14)
