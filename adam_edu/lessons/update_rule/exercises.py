"""Exercises of notebook 04 (the update rule)."""

from __future__ import annotations

import numpy as np

from adam_edu.exercises import NotQuiteRight, Verdict, verdict
from adam_edu.functions import rosenbrock, run
from adam_edu.optimizers import Adam, RMSProp
from adam_edu.lessons.update_rule import step_bound, step_supremum

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


def solution_step_supremum(lr, beta1, beta2, t):
    """The largest |Δ_t| at step t for ε = 0, over all gradient sequences (Cauchy–Schwarz, notebook 04).

    |Σ β1^(t−i) g_i| ≤ √(Σ_k (β1²/β2)^k)·√(Σ β2^(t−i) g_i²), k = 0…t−1; then the two bias corrections.
    """
    r = beta1**2 / beta2
    return (lr * (1 - beta1) / (1 - beta1**t)
            * np.sqrt((1 - beta2**t) / (1 - beta2) * (1 - r**t) / (1 - r)))


def check_step_supremum(supremum) -> Verdict:
    """supremum(lr, beta1, beta2, t) -> the largest possible |Δ_t| at step t for ε = 0."""
    cases = [(0.1, 0.9, 0.999, 1), (0.1, 0.9, 0.999, 10), (0.1, 0.9, 0.999, 10_000), (0.1, 0.9, 0.99, 100),
             (0.01, 0.99, 0.999, 1000), (1.0, 0.5, 0.9999, 50)]
    answer = None if supremum(*cases[0]) is None else [supremum(*c) for c in cases]
    expected = [step_supremum(*c) for c in cases]
    limits = [step_supremum(*c[:3]) for c in cases]
    return verdict(
        "step_supremum", answer, expected,
        [([step_bound(*c[:3]) for c in cases],
          "that is the paper's §2.1 bound, the step of a lone gradient after a long silence. Gradients that "
          "grow by β2/β1 per step give more: bound Σ β1^(t−i)·g_i by Cauchy–Schwarz."),
         ([c[0] for c in cases], "α is the step of a steady gradient, not the largest step."),
         (limits, "that is the limit t → ∞; at step t the sums have t terms and the two corrections "
                  "1 − β1^t, 1 − β2^t are not yet 1 (at t = 1 the step is exactly α).")],
        hint="Write m̂_t and v̂_t as sums over the gradients and apply Cauchy–Schwarz to Σ β1^(t−i)·g_i.",
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
