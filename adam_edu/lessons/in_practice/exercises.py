"""Exercises of notebook 11 (Adam in practice)."""

from __future__ import annotations

import numpy as np

from adam_edu import schedules
from adam_edu.exercises import Verdict, verdict

PEAK, TOTAL, WARMUP = 0.01, 200, 20


def solution_warmup_cosine(t: np.ndarray, lr: float, total_steps: int, warmup_steps: int) -> np.ndarray:
    """α_t = α · min(1, t/w) · ½(1 + cos(π(t − 1)/T)) for t = 1 … T: cosine decay times linear warm-up."""
    t = np.asarray(t, dtype=float)
    warmup = np.minimum(1.0, t / warmup_steps) if warmup_steps else np.ones_like(t)
    return lr * warmup * 0.5 * (1 + np.cos(np.pi * (t - 1) / total_steps))


def check_warmup_cosine(warmup_cosine) -> Verdict:
    """warmup_cosine(t, lr, total_steps, warmup_steps) must return α_t for an array of steps t = 1 … T."""
    t = np.arange(1, TOTAL + 1)
    answer = warmup_cosine(t, PEAK, TOTAL, WARMUP)
    expected = schedules.learning_rates("cosine", PEAK, TOTAL, warmup_steps=WARMUP)
    zero_based = PEAK * np.minimum(1.0, (t - 1) / WARMUP) * 0.5 * (1 + np.cos(np.pi * (t - 1) / TOTAL))
    no_warmup = schedules.learning_rates("cosine", PEAK, TOTAL)
    sum_not_product = PEAK * np.minimum(1.0, t / WARMUP) + no_warmup - PEAK
    return verdict(
        "warmup_cosine",
        answer,
        expected,
        [
            (zero_based, "your warm-up starts at α_1 = 0: step 1 would not move at all. Use min(1, t/w) with t from 1."),
            (no_warmup, "that is the cosine alone: multiply it by the warm-up factor min(1, t/w)."),
            (sum_not_product, "the warm-up factor multiplies the cosine; it is not added to it."),
        ],
        hint="Two factors: the warm-up min(1, t/w), and the cosine ½(1 + cos(π(t − 1)/T)).",
    )


def solution_clip(grads: dict, max_norm: float) -> dict:
    """Every array times min(1, c/‖g‖), ‖g‖ the norm of all the arrays together."""
    norm = np.sqrt(sum(float(np.sum(g**2)) for g in grads.values()))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {name: g * scale for name, g in grads.items()}


def check_clip(clip) -> Verdict:
    """clip(grads, max_norm) must clip the gradient (a dict of arrays) to global norm max_norm."""
    rng = np.random.default_rng(0)
    grads = {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=4) * 10}
    cases = [(grads, 1.0), (grads, 1e3)]
    answer = None
    if clip(*cases[0]) is not None:
        answer = np.concatenate([np.concatenate([a.ravel() for a in clip(*case).values()]) for case in cases])
    expected = np.concatenate([np.concatenate([a.ravel() for a in solution_clip(*case).values()]) for case in cases])
    per_array = np.concatenate([np.concatenate([g.ravel() * min(1.0, c / np.linalg.norm(g)) for g in gs.values()])
                                for gs, c in cases])
    always = np.concatenate([np.concatenate([g.ravel() * c / np.sqrt(sum(np.sum(h**2) for h in gs.values()))
                                             for g in gs.values()]) for gs, c in cases])
    return verdict(
        "clip",
        answer,
        expected,
        [
            (per_array, "you clipped each array by its own norm: that changes the gradient's direction. "
                        "Clip by the norm of all arrays together."),
            (always, "a gradient already shorter than max_norm must stay as it is: the factor is min(1, c/‖g‖)."),
        ],
        hint="‖g‖ = √(sum of g² over every array); scale every array by min(1, max_norm/‖g‖).",
    )
