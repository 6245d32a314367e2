"""Exercises of notebook 12 (after Adam): Lion's step, Adafactor's rank-one second moment, schedule-free's x."""

from __future__ import annotations

import numpy as np

from adam_edu.exercises import Verdict, verdict
from adam_edu.optimizers import Adafactor, Lion, ScheduleFreeAdamW

__all__ = ["solution_lion_step", "check_lion_step", "solution_factored_second_moment",
           "check_factored_second_moment", "solution_evaluation_point", "check_evaluation_point"]


def solution_lion_step(theta, g, m, lr, beta1, beta2):
    """One Lion step: the sign of the interpolation c, then the momentum with β2."""
    c = beta1 * m + (1 - beta1) * g
    theta = theta - lr * np.sign(c)
    m = beta2 * m + (1 - beta2) * g
    return theta, m


def check_lion_step(lion_step) -> Verdict:
    """lion_step(theta, g, m, lr, beta1, beta2) -> (theta, m), against ``Lion.update`` on a chosen case."""
    theta, m = np.array([1.0, -1.0, 0.5, 2.0]), np.array([0.3, -0.2, 0.05, -1.0])
    g = np.array([-1.0, 0.5, -1.0, 0.5])  # coordinate 2: sign(c) < 0 < sign(β2·m + (1 − β2)·g)
    lr, beta1, beta2 = 0.1, 0.9, 0.99
    opt = Lion(lr, beta1, beta2)
    new, state = opt.update(theta, g, opt.init(theta)._replace(m=m.copy()))
    answer = lion_step(theta, g, m, lr, beta1, beta2)
    answer = None if answer is None else np.concatenate([np.ravel(answer[0]), np.ravel(answer[1])])
    expected = np.concatenate([new, state.m])
    with_beta2 = beta2 * m + (1 - beta2) * g  # the sign of the momentum after its update: β's swapped
    swapped = np.concatenate([theta - lr * np.sign(with_beta2), with_beta2])
    with_gradient = np.concatenate([theta - lr * np.sign(g), state.m])
    return verdict(
        "lion_step", answer, expected,
        [(swapped, "you took the sign of the updated momentum (β2). Lion's direction is c = β1·m + (1 − β1)·g, "
                   "with the old m; the momentum is updated after the step."),
         (with_gradient, "you took the sign of the gradient alone (signSGD): mix it with the momentum first.")],
        hint="c = β1·m + (1 − β1)·g; θ ← θ − lr·sign(c); then m ← β2·m + (1 − β2)·g.",
    )


def solution_factored_second_moment(G):
    """Adafactor's V̂ at t = 1 (β̂21 = 0, ε1 = 0): row means times column means over the overall mean."""
    G2 = G**2
    return np.outer(G2.mean(axis=1), G2.mean(axis=0)) / G2.mean()


def check_factored_second_moment(factored_second_moment) -> Verdict:
    """factored_second_moment(G) -> V̂ for a 4×3 gradient, against ``Adafactor(eps1=0).update``."""
    G = np.array([[1.0, -2.0, 0.5], [0.1, 0.3, -1.0], [2.0, 1.0, 1.0], [-0.5, 0.0, 3.0]])
    opt = Adafactor(eps1=0.0)
    _, state = opt.update(np.ones_like(G), G, opt.init(np.ones_like(G)))
    G2 = G**2
    unnormalised = np.outer(G2.mean(axis=1), G2.mean(axis=0))
    sums = np.outer(G2.sum(axis=1), G2.sum(axis=0)) / G2.mean()
    return verdict(
        "factored_second_moment", factored_second_moment(G), state.v_hat,
        [(unnormalised, "the product of row and column means counts the overall scale twice: divide by the mean "
                        "of all G² once."),
         (sums, "with row and column sums, divide by the sum of all G² (the paper's 1ᵀR), not by the mean.")],
        hint="R = mean of G² over each row, C = over each column; V̂ = R·Cᵀ / mean(R).",
    )


def solution_evaluation_point(y, z, beta1):
    """Schedule-free's x from y = (1 − β1)·z + β1·x."""
    return (y - (1 - beta1) * z) / beta1


def check_evaluation_point(evaluation_point) -> Verdict:
    """evaluation_point(y, z, beta1) -> x, against ``ScheduleFreeAdamW.evaluation_params``."""
    opt = ScheduleFreeAdamW(lr=0.1, beta1=0.8)
    y = np.array([1.0, -0.5, 2.0])
    state = opt.init(y)
    for g in (np.array([1.0, -1.0, 0.5]), np.array([0.2, 0.4, -1.0])):
        y, state = opt.update(y, g, state)
    expected = opt.evaluation_params(y, state)
    swapped = (y - 0.8 * state.z) / 0.2
    return verdict(
        "evaluation_point", evaluation_point(y, state.z, 0.8), expected,
        [(swapped, "β1 weighs x, not z: y = (1 − β1)·z + β1·x."),
         (y, "that is y, where the gradient is taken; the model is evaluated at the average x.")],
        hint="Solve y = (1 − β1)·z + β1·x for x.",
    )
