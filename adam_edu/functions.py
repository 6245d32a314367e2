"""Objective functions with analytic gradients, and running an optimizer on one.

Each objective takes a point ``p`` whose first axis holds the coordinates (shape ``(d,)`` for one
point, ``(d, ...)`` for a grid, so ``f(np.stack([X, Y]))`` evaluates a whole contour grid), and
keeps the dtype of ``p``. ``run`` applies an optimizer for N steps and returns the whole history:
the parameters, the values, the gradients and the optimizer's state after every step.

The online counterexample of Reddi, Kale & Kumar (2018) is an objective that changes with the step
t and lives on the interval [−1, 1]; ``run`` passes t to it and projects back onto the interval.
"""

from __future__ import annotations

import contextlib
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, NamedTuple, Optional

import numpy as np

from adam_edu.optimizers import Optimizer

__all__ = [
    "Objective",
    "OnlineObjective",
    "History",
    "cubic",
    "quadratic",
    "rosenbrock",
    "beale",
    "saddle",
    "reddi_counterexample",
    "scaled",
    "OBJECTIVES",
    "run",
    "average_regret",
]


@dataclass(frozen=True)
class Objective:
    """A function to minimise, its gradient, and what a figure of it needs.

    ``minimum`` is a minimiser (the local minimum the examples aim for, where there are several),
    ``start`` the default starting point, ``bounds`` the plotting window, one (low, high) per axis.
    """

    name: str
    formula: str
    f: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    minimum: tuple[float, ...]
    start: tuple[float, ...]
    bounds: tuple[tuple[float, float], ...]

    def __call__(self, p: np.ndarray) -> np.ndarray:
        return self.f(np.asarray(p))

    @property
    def dim(self) -> int:
        return len(self.start)

    @property
    def f_min(self) -> float:
        return float(self.f(np.array(self.minimum, dtype=np.float64)))

    def value(self, p: np.ndarray, t: Optional[int] = None) -> float:
        return float(self.f(p))

    def gradient(self, p: np.ndarray, t: Optional[int] = None) -> np.ndarray:
        return self.grad(p)

    def project(self, p: np.ndarray) -> np.ndarray:
        return p


# --- the objectives ------------------------------------------------------------------------------
# The gradient expressions are written once and in this exact operation order: the reference
# trajectories in tests/data/ were made by PyTorch and Keras with the same expressions.


def _cubic(p):
    return p[0] ** 3 - 2.0 * p[0] ** 2 + 2.0


def _cubic_grad(p):
    return 3.0 * p**2 - 4.0 * p


cubic = Objective(
    name="cubic",
    formula="f(x) = x³ − 2x² + 2",
    f=_cubic,
    grad=_cubic_grad,
    minimum=(4 / 3,),  # f'(x) = x(3x − 4): a local maximum at 0, the local minimum at 4/3
    start=(0.001,),
    bounds=((-2.0, 2.0),),
)


QUADRATIC_CONDITION = 25.0


def _quadratic(p):
    return 0.5 * (p[0] ** 2 + QUADRATIC_CONDITION * p[1] ** 2)


def _quadratic_grad(p):
    return np.stack([p[0], QUADRATIC_CONDITION * p[1]])


quadratic = Objective(
    name="quadratic",
    formula="f(x, y) = (x² + 25y²)/2   (condition number 25)",
    f=_quadratic,
    grad=_quadratic_grad,
    minimum=(0.0, 0.0),
    start=(-4.0, 1.5),
    bounds=((-4.5, 4.5), (-2.0, 2.0)),
)


def _rosenbrock(p):
    x, y = p[0], p[1]
    return (1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2


def _rosenbrock_grad(p):
    x, y = p[0], p[1]
    return np.stack([-2.0 * (1.0 - x) - 400.0 * x * (y - x**2), 200.0 * (y - x**2)])


rosenbrock = Objective(
    name="rosenbrock",
    formula="f(x, y) = (1 − x)² + 100(y − x²)²",
    f=_rosenbrock,
    grad=_rosenbrock_grad,
    minimum=(1.0, 1.0),
    start=(-1.5, 2.0),
    bounds=((-2.0, 2.0), (-1.0, 3.0)),
)


def _beale_terms(p):
    x, y = p[0], p[1]
    return 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3


def _beale(p):
    a, b, c = _beale_terms(p)
    return a**2 + b**2 + c**2


def _beale_grad(p):
    x, y = p[0], p[1]
    a, b, c = _beale_terms(p)
    dx = 2.0 * a * (y - 1.0) + 2.0 * b * (y**2 - 1.0) + 2.0 * c * (y**3 - 1.0)
    dy = 2.0 * a * x + 4.0 * b * x * y + 6.0 * c * x * y**2
    return np.stack([dx, dy])


beale = Objective(
    name="beale",
    formula="f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
    f=_beale,
    grad=_beale_grad,
    minimum=(3.0, 0.5),
    start=(1.0, 1.5),
    bounds=((-4.5, 4.5), (-4.5, 4.5)),
)


def _saddle(p):
    x, y = p[0], p[1]
    return x**2 - 0.5 * y**2 + 0.25 * y**4


def _saddle_grad(p):
    x, y = p[0], p[1]
    return np.stack([2.0 * x, y**3 - y])


saddle = Objective(
    name="saddle",
    formula="f(x, y) = x² − y²/2 + y⁴/4   (a saddle at the origin, minima at (0, ±1))",
    f=_saddle,
    grad=_saddle_grad,
    minimum=(0.0, 1.0),
    start=(-1.5, 1e-3),  # almost on the ridge line y = 0: the gradient barely points away
    bounds=((-2.0, 2.0), (-1.6, 1.6)),
)


@dataclass(frozen=True)
class OnlineObjective(Objective):
    """An online convex problem: a different linear loss f_t(x) = c_t·x at each step t, on [−1, 1].

    ``f`` and ``grad`` take the step t (1-based). Only the point x = −1 has vanishing average regret.
    """

    f_t: Callable[[np.ndarray, int], np.ndarray] = field(default=None)  # type: ignore[assignment]
    grad_t: Callable[[np.ndarray, int], np.ndarray] = field(default=None)  # type: ignore[assignment]

    def value(self, p, t=None):
        return float(self.f_t(p, t)[0]) if t is not None else float(self.f(p))

    def gradient(self, p, t=None):
        return self.grad_t(p, t)

    def project(self, p):
        return np.clip(p, -1.0, 1.0)  # in one dimension the weighted projection is a clip


def reddi_counterexample(big: float = 3.0, small: float = -1.0, period: int = 3) -> OnlineObjective:
    """Reddi, Kale & Kumar (2018), §3: f_t(x) = big·x if t mod period = 1, else small·x, on [−1, 1].

    The paper states the example for any C > 2 (f_t = C·x once in three steps, −x otherwise), with
    β1 = 0 and β2 = 1/(1 + C²); the default C = 3 is our choice, as are the α, the start x_1 = 1 and the
    number of steps that notebook 06 uses. Their synthetic experiment (§5) is
    ``reddi_counterexample(1010, -10, 101)``. The sum over one period is
    (big + (period − 1)·small)·x, positive, so the best fixed point is x = −1, and x = +1 the worst.
    """
    drift = big + (period - 1) * small
    if drift <= 0:
        raise ValueError(f"big + (period - 1)*small must be > 0 for x = -1 to be optimal, got {drift}")

    def coefficient(t):
        return big if t % period == 1 else small

    return OnlineObjective(
        name=f"reddi_{big:g}_{small:g}_{period}",
        formula=f"f_t(x) = {big:g}·x if t mod {period} = 1, else {small:g}·x,  x ∈ [−1, 1]",
        f=lambda p: drift / period * p[0],  # the average loss per step
        grad=lambda p: np.full_like(p, drift / period),
        minimum=(-1.0,),
        start=(1.0,),
        bounds=((-1.0, 1.0),),
        f_t=lambda p, t: coefficient(t) * p,
        grad_t=lambda p, t: np.full_like(p, coefficient(t)),
    )


def scaled(objective: Objective, factor: float) -> Objective:
    """factor·f: the same minimiser, every gradient multiplied by ``factor`` (for scale invariance)."""
    return Objective(
        name=f"{factor:g}×{objective.name}",
        formula=f"{factor:g}·({objective.formula.split('=', 1)[1].strip()})",
        f=lambda p: factor * objective.f(p),
        grad=lambda p: factor * objective.grad(p),
        minimum=objective.minimum,
        start=objective.start,
        bounds=objective.bounds,
    )


OBJECTIVES: dict[str, Objective] = {o.name: o for o in (cubic, quadratic, rosenbrock, beale, saddle)}


# --- running an optimizer ------------------------------------------------------------------------


class History(NamedTuple):
    """Everything a run produced, step by step (row t is after t steps; row 0 is the start)."""

    params: np.ndarray  # (steps + 1, d): θ_0 … θ_T
    values: np.ndarray  # (steps + 1,): f(θ_t); for an online objective f_t(θ_{t−1}), row 0 = nan
    grads: np.ndarray  # (steps, d): g_t = ∇f_t(θ_{t−1})
    states: list  # steps + 1 optimizer states, the first one from init
    diverged_at: Optional[int] = None  # with ``stop_outside``: the step that left the box (not recorded), or None


def run(
    optimizer: Optimizer,
    objective: Objective,
    x0=None,
    steps: int = 100,
    *,
    dtype=np.float64,
    stop_if_diverged: bool = False,
    stop_outside: Optional[float] = None,
) -> History:
    """Apply ``optimizer`` to ``objective`` for ``steps`` steps from ``x0`` (default: its start).

    Uses the readable ``update`` path, so every state keeps m̂, v̂ and the step taken. A gradient
    that overflows raises ValueError, unless ``stop_if_diverged``: then the history ends at the last
    finite point (a slider experiment must survive a learning rate that is far too large).
    With ``stop_outside = k``, a run that goes more than k window widths (``objective.bounds``) away from
    the window has diverged: it stops there, before f or its gradient is evaluated at the far point (where
    they could overflow), and ``diverged_at`` says at which step.
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    theta = np.array(objective.start if x0 is None else x0, dtype=dtype).reshape(-1)
    if theta.shape != (objective.dim,):
        raise ValueError(f"x0 must have {objective.dim} coordinate(s) for {objective.name}, got {theta.shape[0]}")
    if stop_outside is not None:
        low, high = np.array(objective.bounds, dtype=np.float64).T
        centre, reach = (low + high) / 2, stop_outside * (high - low)
    online = isinstance(objective, OnlineObjective)
    diverged_at = None
    state = optimizer.init(theta)
    params, grads, states = [theta], [], [state]
    values = [np.nan if online else objective.value(theta)]
    quiet = np.errstate(over="ignore", invalid="ignore") if stop_if_diverged else contextlib.nullcontext()
    with quiet:
        for t in range(1, steps + 1):
            g = objective.gradient(theta, t)
            if stop_if_diverged and not (np.isfinite(g).all() and np.isfinite(theta).all()):
                break
            if online:
                values.append(objective.value(theta, t))
            theta, state = optimizer.update(theta, g, state)
            theta = objective.project(theta)
            if stop_outside is not None and np.any(np.abs(theta - centre) > reach):
                diverged_at = t
                break
            if not online:
                values.append(objective.value(theta))
            params.append(theta)
            grads.append(g)
            states.append(state)
    grads_array = np.array(grads, dtype=dtype).reshape(len(grads), objective.dim)
    return History(np.array(params), np.array(values), grads_array, states, diverged_at)


def average_regret(history: History, objective: OnlineObjective, best: float = -1.0) -> np.ndarray:
    """R_t/t for t = 1…T, with R_t = Σ_{s≤t} f_s(θ_{s−1}) − f_s(best) (Reddi et al., eq. 1)."""
    steps = len(history.grads)
    losses = history.values[1:]
    best_losses = np.array([objective.value(np.array([best]), t) for t in range(1, steps + 1)])
    return np.cumsum(losses - best_losses) / np.arange(1, steps + 1)


def trace(history: History, steps, digits: int = 7) -> str:
    """A text table of Adam's quantities at the given steps: θ, g, m, v, m̂, v̂ and the step Δ.

    For one-dimensional runs (the cubic); reads everything from the stored states.
    """
    columns = ("t", "θ_{t−1}", "g_t", "m_t", "v_t", "m̂_t", "v̂_t", "Δ_t", "θ_t")
    width = digits + 8
    # combining accents (the hat of m̂) take no column of their own
    shown = [c.rjust((width if i else 5) + sum(unicodedata.combining(ch) > 0 for ch in c)) for i, c in enumerate(columns)]
    lines = ["".join(shown)]
    for t in steps:
        s = history.states[t]
        row = [history.params[t - 1, 0], history.grads[t - 1, 0], s.m[0], s.v[0], s.m_hat[0], s.v_hat[0],
               s.delta[0], history.params[t, 0]]
        lines.append(f"{t:>5}" + "".join(f"{float(x):>{width}.{digits}g}" for x in row))
    return "\n".join(lines)
