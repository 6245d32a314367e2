"""Exercises of notebook 01 (the cubic example)."""

from __future__ import annotations

import numpy as np

from adam_edu.exercises import Verdict, verdict

LR, BETA1, BETA2, EPS = 0.05, 0.9, 0.999, 1e-7


def solution_first_step(g1: float, lr: float, eps: float) -> float:
    """Adam's first step from m_0 = v_0 = 0 (Algorithm 1)."""
    m1 = (1 - BETA1) * g1
    v1 = (1 - BETA2) * g1**2
    m_hat = m1 / (1 - BETA1)
    v_hat = v1 / (1 - BETA2)
    return -lr * m_hat / (np.sqrt(v_hat) + eps)


def check_first_step(first_step) -> Verdict:
    """first_step(g1, lr, eps) must return Δθ_1 of Algorithm 1 for a gradient g1."""
    cases = [(-0.003997, LR, EPS), (2.5, LR, EPS), (-1e-9, 0.1, 1e-8), (4.0, 0.001, 0.0)]
    answer = None
    if first_step(*cases[0]) is not None:
        answer = [first_step(*case) for case in cases]
    expected = [solution_first_step(*case) for case in cases]
    no_correction = [-lr * (1 - BETA1) * g / (np.sqrt((1 - BETA2) * g**2) + eps) for g, lr, eps in cases]
    eps_inside = [-lr * g / np.sqrt(g**2 + eps) for g, lr, eps in cases]
    no_sqrt = [-lr * g / (g**2 + eps) for g, lr, eps in cases]
    return verdict(
        "first_step",
        answer,
        expected,
        [
            (no_correction, "that is the step without bias correction: divide m_1 by 1−β1 and v_1 by 1−β2."),
            (eps_inside, "ε went inside the square root; Algorithm 1 adds it to √v̂."),
            (no_sqrt, "the denominator needs the square root of v̂, not v̂ itself."),
        ],
        hint="With m_0 = v_0 = 0, work out m_1, v_1, then m̂_1 and v̂_1.",
    )


def solution_equivalent_eps(eps_hat: float, beta2: float, t: np.ndarray) -> np.ndarray:
    """The Algorithm-1 ε that the ε̂ form uses at step t: ε_t = ε̂/√(1 − β2^t)."""
    return eps_hat / np.sqrt(1 - beta2 ** np.asarray(t, dtype=float))


def check_equivalent_eps(equivalent_eps) -> Verdict:
    """equivalent_eps(eps_hat, beta2, t) must return ε_t for an array of steps t."""
    t = np.array([1, 2, 10, 100, 1000, 10000])
    answer = equivalent_eps(EPS, BETA2, t)
    expected = solution_equivalent_eps(EPS, BETA2, t)
    return verdict(
        "equivalent_eps",
        answer,
        expected,
        [
            (EPS * np.sqrt(1 - BETA2**t), "you multiplied by √(1−β2^t); ε̂ = ε·√(1−β2^t), so ε = ε̂/√(1−β2^t)."),
            (EPS / (1 - BETA2**t), "the factor is √(1−β2^t), from the square root of v̂ = v/(1−β2^t)."),
        ],
        hint="Write α·m̂/(√v̂ + ε) as α_t·m/(√v + ε̂) and solve for ε.",
    )


def solution_settling_step(xs: np.ndarray, target: float, tol: float) -> int:
    """The first step t after which |x_s − target| < tol for every s ≥ t."""
    outside = np.flatnonzero(np.abs(np.asarray(xs) - target) >= tol)
    return 0 if outside.size == 0 else int(outside[-1] + 1)


def check_settling_step(settling_step) -> Verdict:
    """settling_step(xs, target, tol) on a damped oscillation that re-enters and leaves the band."""
    t = np.arange(300)
    xs = 1 + np.exp(-t / 40) * np.cos(t / 5)
    answer = settling_step(xs, 1.0, 1e-2)
    expected = solution_settling_step(xs, 1.0, 1e-2)
    first_entry = int(np.argmax(np.abs(xs - 1.0) < 1e-2))
    return verdict(
        "settling_step",
        answer,
        expected,
        [(first_entry, "that is the first time x enters the band; it leaves it again. Find when it stays.")],
        hint="Find the last step outside the band.",
    )
