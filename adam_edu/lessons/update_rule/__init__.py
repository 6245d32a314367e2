"""Notebook 04: experiments on Adam's update rule θ ← θ − α·m̂/(√v̂ + ε).

The step size, the paper's §2.1 bound (a lone gradient's step) and the true supremum over all gradient
sequences, the ε conventions of the libraries, and Adam's relatives as special cases or limits (paper §5
and §7.1).
"""

from __future__ import annotations

import warnings

import numpy as np

from adam_edu.functions import Objective, run
from adam_edu.optimizers import AdaGrad, Adam

EPS_CONVENTIONS = ("Algorithm 1: √v̂ + ε", "ε̂ form (Keras): √v + ε̂", "inside the root: √(v̂ + ε)")


class AdamEpsInsideRoot(Adam):
    r"""Deprecated: use ``Adam(eps_inside_root=True)``, which this is.

    Adam with ε inside the square root, θ_t ← θ_{t−1} − α·m̂_t/√(v̂_t + ε): not Adam as published; the
    placement of Keras's RMSprop and AdaGrad, and of Optax's ``eps_root``. Kept so that older code runs.
    """

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, *,
                 bias_correction: bool = True, amsgrad: bool = False, weight_decay: float = 0.0):
        warnings.warn("AdamEpsInsideRoot is deprecated; use adam_edu.optimizers.Adam(eps_inside_root=True)",
                      DeprecationWarning, stacklevel=2)
        super().__init__(lr, beta1, beta2, eps, bias_correction=bias_correction, amsgrad=amsgrad,
                         weight_decay=weight_decay, eps_inside_root=True)


def adam_with_convention(convention: str, **hyper) -> Adam:
    """An Adam with the ε placement named by one of ``EPS_CONVENTIONS``."""
    if convention == EPS_CONVENTIONS[0]:
        return Adam(**hyper)
    if convention == EPS_CONVENTIONS[1]:
        return Adam(**hyper, eps_hat=True)
    if convention == EPS_CONVENTIONS[2]:
        return Adam(**hyper, eps_inside_root=True)
    raise ValueError(f"convention must be one of {EPS_CONVENTIONS}, got {convention!r}")


def step_bound(lr: float, beta1: float, beta2: float) -> float:
    """The paper's §2.1 bound for ε = 0, which holds for a lone gradient, not for every gradient sequence.

    α·(1−β1)/√(1−β2) when (1−β1) > √(1−β2), else α. A gradient that is zero at every step but one
    (§2.1's "most severe case of sparsity") moves the parameter by α·(1−β1)/√(1−β2) late in a run
    (``steps_after_a_spike``). Gradients that grow by β2/β1 per step move it further: see ``step_supremum``.
    """
    return lr * (1 - beta1) / np.sqrt(1 - beta2) if (1 - beta1) > np.sqrt(1 - beta2) else lr


def step_supremum(lr: float, beta1: float, beta2: float, t: int | None = None) -> float:
    r"""The largest |Δ_t| that any gradient sequence can give, for ε = 0 (at step t, or as t → ∞).

    With ε = 0, |Δ_t| = α·|m̂_t|/√v̂_t, and by Cauchy–Schwarz, writing r = β1²/β2,

        |Σ_i β1^(t−i) g_i| ≤ √(Σ_k r^k)·√(Σ_i β2^(t−i) g_i²)    (k = 0…t−1),

    with equality when g_i ∝ (β2/β1)^i. Hence

        |Δ_t| ≤ α·(1−β1)/(1−β1^t)·√((1−β2^t)/(1−β2))·√((1−r^t)/(1−r)),

    which increases towards α·(1−β1)/√((1−β2)(1−β1²/β2)) as t → ∞: 7.27α for the defaults, against
    the 3.16α of a lone gradient (``step_bound``). For β1 = 0 the two agree. If β1² ≥ β2 there is no
    bound: the sum Σ r^k grows without limit.
    """
    r = beta1**2 / beta2
    if r >= 1:
        return np.inf
    if t is None:
        return lr * (1 - beta1) / np.sqrt((1 - beta2) * (1 - r))
    return lr * (1 - beta1) / (1 - beta1**t) * np.sqrt((1 - beta2**t) / (1 - beta2) * (1 - r**t) / (1 - r))


def steps_on_growing_gradients(steps: int, *, lr: float = 1.0, beta1: float = 0.9, beta2: float = 0.999) -> np.ndarray:
    """|Δ_t| of ``Adam(eps=0)`` on one parameter fed gradients that grow by β2/β1 per step.

    These are the gradients of equality in ``step_supremum``: late in the run the step reaches its
    supremum. The last gradient is 1 and each earlier one β1/β2 times the next, down to a floor of about
    e^(−200) (so that g² does not underflow to 0); the floored early gradients weigh less than e^(−200)
    in m_t and v_t. For β1 = 0 the extreme case is a lone gradient: see ``steps_after_a_spike``.
    """
    if not 0 < beta1 < 1:
        raise ValueError(f"beta1 must be in (0, 1), got {beta1}")
    optimizer = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=0.0)
    theta = np.zeros(1)
    state = optimizer.init(theta)
    growth = beta2 / beta1
    floor = int(200 / np.log(growth))  # (β1/β2)^floor ≈ e^(−200)
    sizes = np.zeros(steps)
    for t in range(1, steps + 1):
        g = growth ** max(t - steps, -floor)  # (β2/β1)^(t − steps)
        theta, state = optimizer.update(theta, np.array([g]), state)
        sizes[t - 1] = abs(state.delta[0])
    return sizes


def steps_after_a_spike(spike_at: int, steps: int, *, lr: float = 1.0, beta1: float = 0.9,
                        beta2: float = 0.999, eps: float = 0.0) -> np.ndarray:
    """|Δ_t| for a gradient that is zero at every step but ``spike_at``, where it is 1.

    The most severe sparsity of §2.1: at the spike m̂/√v̂ ≈ (1−β1)/√(1−β2), which exceeds 1 when
    (1−β1) > √(1−β2). The parameter does not move before the spike (0/0 is taken as 0 for ε = 0).
    """
    optimizer = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    theta = np.zeros(1)
    state = optimizer.init(theta)
    sizes = np.zeros(steps)
    for t in range(1, steps + 1):
        g = np.ones(1) if t == spike_at else np.zeros(1)
        with np.errstate(invalid="ignore"):
            theta, state = optimizer.update(theta, g, state)
        step = np.nan_to_num(state.delta)  # before the spike m = v = 0: a 0/0 step of size 0
        theta = np.nan_to_num(theta)
        sizes[t - 1] = abs(step[0])
    return sizes


def distance_travelled(objective: Objective, optimizer, steps: int, x0=None) -> np.ndarray:
    """‖θ_t − θ_0‖ for t = 0…steps: with |Δ_t| ≲ α per coordinate it stays below t·α·√d."""
    history = run(optimizer, objective, x0, steps)
    return np.linalg.norm(history.params - history.params[0], axis=1)


def adagrad_limit(grads: np.ndarray, lr: float, beta2: float) -> tuple[np.ndarray, np.ndarray]:
    """Paper §5: Adam with β1 = 0, β2 → 1 and α_t = α/√t takes AdaGrad's steps α·g_t/√(Σ g_i²).

    Returns the steps of both for a given sequence of gradients (one parameter), so that the
    difference can be measured as β2 approaches 1.
    """
    adagrad, adam = AdaGrad(lr=lr, eps=0.0), Adam(lr=lr, beta1=0.0, beta2=beta2, eps=0.0)
    theta_a, theta_b = np.zeros(1), np.zeros(1)
    state_a, state_b = adagrad.init(theta_a), adam.init(theta_b)
    steps_a, steps_b = [], []
    for t, g in enumerate(grads, start=1):
        theta_a, state_a = adagrad.update(theta_a, np.array([g]), state_a)
        adam.lr = lr / np.sqrt(t)  # α_t = α/√t: the state is explicit, so a schedule is one line
        theta_b, state_b = adam.update(theta_b, np.array([g]), state_b)
        steps_a.append(state_a.delta[0])
        steps_b.append(state_b.delta[0])
    adam.lr = lr
    return np.array(steps_a), np.array(steps_b)


def lp_moment(grads: np.ndarray, beta2: float, p: float) -> np.ndarray:
    """(v_t)^(1/p) with v_t = β2^p·v_{t−1} + (1−β2^p)|g_t|^p (paper eq. 6), for t = 1…T.

    Computed in log space, log v_t = logsumexp(...), since |g|^p overflows for large p.
    """
    log_v = -np.inf
    out = np.empty(len(grads))
    log_decay = p * np.log(beta2)
    log_weight = np.log1p(-(beta2**p))
    for t, g in enumerate(np.abs(grads)):
        new = log_weight + p * np.log(g) if g > 0 else -np.inf
        log_v = np.logaddexp(log_v + log_decay, new)
        out[t] = np.exp(log_v / p)
    return out


def infinity_moment(grads: np.ndarray, beta2: float) -> np.ndarray:
    """AdaMax's u_t = max(β2·u_{t−1}, |g_t|), u_0 = 0 (paper eq. 12), the p → ∞ limit of lp_moment."""
    u, out = 0.0, np.empty(len(grads))
    for t, g in enumerate(np.abs(grads)):
        u = max(beta2 * u, g)
        out[t] = u
    return out
