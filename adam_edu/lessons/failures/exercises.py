"""Exercises of notebook 06 (when Adam fails)."""

from __future__ import annotations

import numpy as np

from adam_edu.exercises import Verdict, verdict
from adam_edu.lessons import zoo
from adam_edu.optimizers import Adam, AdamW


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
    optimizers = [make(0.01) for make in zoo.ZOO]
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
