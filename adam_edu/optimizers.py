"""Adam and its relatives, in NumPy, one small class per method.

Every optimizer has the same explicit-state interface (as in Optax)::

    opt = Adam(lr=0.05, eps=1e-7)
    state = opt.init(params)
    params, state = opt.update(params, grads, state)   # new arrays, inputs untouched
    state = opt.step(params, grads, state)             # in place, as PyTorch does

``params`` and ``grads`` are one ndarray or a dict of ndarrays (a network's weights). The state is a
NamedTuple: the step count ``t``, the optimizer's buffers (for Adam ``m`` and ``v``) and, after
``update``, what the last step computed on the way (for Adam ``m_hat``, ``v_hat`` and ``delta``, the
step actually taken), so that a notebook can print and plot every quantity of the algorithm.

Conventions follow PyTorch 2.13 unless a docstring says otherwise; the update rules are checked
against PyTorch and Keras trajectories in ``tests/test_reference.py``.

This module imports NumPy and nothing else.
"""

from __future__ import annotations

import difflib
import inspect
import math
from typing import Any, Mapping, NamedTuple, Optional, Union

import numpy as np

Params = Union[np.ndarray, dict[str, np.ndarray]]

__all__ = [
    "Optimizer",
    "SGD",
    "AdaGrad",
    "RMSProp",
    "AdaDelta",
    "Adam",
    "AdamW",
    "AdaMax",
    "Nadam",
    "RAdam",
    "Adafactor",
    "Lion",
    "ScheduleFreeAdamW",
    "Muon",
    "newton_schulz",
]


# ---------------------------------------------------------------------------------------------
# Checking hyper-parameters at the boundary: name the parameter, the value and the valid range.


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return value


def _positive(name: str, value: Any) -> float:
    value = _number(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def _non_negative(name: str, value: Any) -> float:
    value = _number(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


def _unit_interval(name: str, value: Any) -> float:
    """A decay rate: β ∈ [0, 1), as Algorithm 1 requires."""
    value = _number(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return value


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


# ---------------------------------------------------------------------------------------------
# params and grads: one array, or a dict of arrays. Internally always a dict; the key None marks
# a single array.


def _leaves(tree: Params, what: str) -> dict[Optional[str], np.ndarray]:
    if isinstance(tree, Mapping):
        for key, value in tree.items():
            if not isinstance(value, np.ndarray):
                raise TypeError(f"{what}[{key!r}] must be a NumPy array, got {type(value).__name__}")
        return dict(tree)
    if isinstance(tree, np.ndarray):
        return {None: tree}
    raise TypeError(f"{what} must be a NumPy array or a dict of NumPy arrays, got {type(tree).__name__}")


def _rebuild(leaves: dict[Optional[str], Any]) -> Any:
    return leaves[None] if list(leaves) == [None] else dict(leaves)


def _label(what: str, key: Optional[str]) -> str:
    return what if key is None else f"{what}[{key!r}]"


def _check_finite(g: np.ndarray, label: str, t: int) -> None:
    # The sum is a cheap first test (one read, no temporary); only a non-finite sum, which may
    # also come from overflow, pays for the exact element-wise check.
    if math.isfinite(float(np.add.reduce(g, axis=None))) or np.isfinite(g).all():
        return
    bad = int(g.size - np.count_nonzero(np.isfinite(g)))
    raise ValueError(
        f"{label} has {bad} non-finite value(s) (nan or inf) at step t={t}; "
        "gradients must be finite numbers. Lower the learning rate or check the objective."
    )


# ---------------------------------------------------------------------------------------------


class Optimizer:
    """The plumbing every optimizer shares; each subclass writes its rule for one array.

    A subclass sets ``State`` (a NamedTuple whose fields are ``t``, then the buffers named in
    ``slots``, then the per-step quantities named in ``diagnostics``) and implements
    ``update_array``: one step of the algorithm on one array, returning the new parameters, the new
    buffers and the diagnostics. ``update`` handles dicts of arrays, checks the input and counts t.
    """

    State: type = NamedTuple
    slots: tuple[str, ...] = ()
    diagnostics: tuple[str, ...] = ("delta",)
    # Keywords that select another library's convention; ``repr`` names them only when they are set,
    # so that an optimizer at its defaults reads as it did before they existed (notebook 05 prints it).
    conventions: tuple[str, ...] = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> "Optimizer":
        # Catch an unknown keyword here, where we can name the valid ones (Python's own TypeError
        # does not say what would have been right).
        valid = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
        for key in kwargs:
            if key not in valid:
                hint = difflib.get_close_matches(key, valid, n=1)
                did_you_mean = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise TypeError(
                    f"{cls.__name__} got an unknown keyword {key!r}{did_you_mean}; "
                    f"valid keywords are: {', '.join(valid)}"
                )
        return super().__new__(cls)

    def __repr__(self) -> str:
        parameters = inspect.signature(type(self).__init__).parameters
        names = [
            name for name, p in parameters.items()
            if name != "self" and not (name in self.conventions and getattr(self, name) == p.default)
        ]
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in names)})"

    # --- the public interface -----------------------------------------------------------------

    def init(self, params: Params) -> NamedTuple:
        """The state before the first step: t = 0 and every buffer zero."""
        leaves = _leaves(params, "params")
        for key, theta in leaves.items():
            if not np.issubdtype(theta.dtype, np.floating):
                raise TypeError(f"{_label('params', key)} must be a floating-point array, got dtype {theta.dtype}")
        buffers = {name: _rebuild({k: self.initial_buffer(name, a) for k, a in leaves.items()}) for name in self.slots}
        return self.State(t=0, **buffers, **{name: None for name in self.diagnostics})

    def step_scalars(self, state: NamedTuple, t: int) -> dict[str, float]:
        """Numbers shared by all arrays at step t (Nadam's μ-product, RAdam's ρ_t); none by default."""
        return {}

    def update(self, params: Params, grads: Params, state: NamedTuple) -> tuple[Params, NamedTuple]:
        """One step. Returns new parameters and a new state; the inputs are left untouched."""
        if isinstance(params, np.ndarray) and isinstance(grads, np.ndarray) and isinstance(state, self.State):
            return self._update_array_params(params, grads, state)
        thetas, gs = self._checked(params, grads, state)
        t = state.t + 1  # t ← t + 1, before it is used
        scalars = self.step_scalars(state, t)
        new_thetas: dict = {}
        new_buffers: dict = {name: {} for name in self.slots}
        new_diagnostics: dict = {name: {} for name in self.diagnostics}
        for key in thetas:
            buffers = {name: self._leaf(state, name, key) for name in self.slots}
            theta, buffers, diagnostics = self.update_array(thetas[key], gs[key], t=t, **buffers, **scalars)
            new_thetas[key] = np.asarray(theta)  # arithmetic on 0-d arrays gives NumPy scalars
            for name in self.slots:
                new_buffers[name][key] = None if buffers[name] is None else np.asarray(buffers[name])
            for name in self.diagnostics:
                new_diagnostics[name][key] = np.asarray(diagnostics[name])
        fields = {name: _rebuild(v) for name, v in {**new_buffers, **new_diagnostics}.items()}
        return _rebuild(new_thetas), self.State(t=t, **fields, **scalars)

    def _update_array_params(self, theta: np.ndarray, g: np.ndarray, state: NamedTuple):
        """``update`` for params that are one array: the same checks and arithmetic without the dicts
        (half the time of a step on a 2-D objective, where Python's overhead is most of the cost)."""
        g = self._checked_leaf(theta, g, None, state.t + 1)
        t = state.t + 1
        scalars = self.step_scalars(state, t)
        buffers = {name: getattr(state, name) for name in self.slots}
        theta, buffers, diagnostics = self.update_array(theta, g, t=t, **buffers, **scalars)
        fields = {name: None if buffers[name] is None else np.asarray(buffers[name]) for name in self.slots}
        fields.update({name: np.asarray(diagnostics[name]) for name in self.diagnostics})
        return np.asarray(theta), self.State(t=t, **fields, **scalars)

    def step(self, params: Params, grads: Params, state: NamedTuple) -> NamedTuple:
        """The same step as ``update``, written into ``params`` and the state's buffers in place.

        Returns the new state (its buffers are the old arrays, now overwritten). The in-place path
        keeps no diagnostics: they are None in the returned state.
        """
        new_params, new_state = self.update(params, grads, state)
        thetas, new_thetas = _leaves(params, "params"), _leaves(new_params, "params")
        for key in thetas:
            np.copyto(thetas[key], new_thetas[key])
            for name in self.slots:
                old = self._leaf(state, name, key)
                if old is not None:
                    np.copyto(old, self._leaf(new_state, name, key))
        return self._in_place_state(state, new_state)

    def _in_place_state(self, old: NamedTuple, new: NamedTuple) -> NamedTuple:
        """The state after an in-place step: the old buffers (now overwritten), no diagnostics."""
        return new._replace(**{name: getattr(old, name) for name in self.slots}, **{name: None for name in self.diagnostics})

    # --- for subclasses -----------------------------------------------------------------------

    def initial_buffer(self, name: str, theta: np.ndarray) -> Optional[np.ndarray]:
        return np.zeros_like(theta)

    def update_array(self, theta: np.ndarray, g: np.ndarray, *, t: int, **buffers: np.ndarray):
        raise NotImplementedError

    # --- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _leaf(state: NamedTuple, name: str, key: Optional[str]) -> Any:
        value = getattr(state, name)
        if value is None:
            return None
        return value if key is None else value[key]

    def _checked(self, params: Params, grads: Params, state: NamedTuple):
        if not isinstance(state, self.State):
            raise TypeError(
                f"state must be the {self.State.__name__} that {type(self).__name__}.init or .update "
                f"returned, got {type(state).__name__}"
            )
        thetas = _leaves(params, "params")
        gs = _leaves(grads, "grads")
        if set(thetas) != set(gs):
            missing, extra = set(thetas) - set(gs), set(gs) - set(thetas)
            raise ValueError(
                "grads must have the same keys as params: "
                + ", ".join(
                    part
                    for part in (
                        f"missing {sorted(map(str, missing))}" if missing else "",
                        f"unexpected {sorted(map(str, extra))}" if extra else "",
                    )
                    if part
                )
            )
        for key in thetas:
            gs[key] = self._checked_leaf(thetas[key], gs[key], key, state.t + 1)
        return thetas, gs

    @staticmethod
    def _checked_leaf(theta: np.ndarray, g: np.ndarray, key: Optional[str], t: int) -> np.ndarray:
        """One parameter array and its gradient checked; the gradient in the parameters' precision."""
        if not np.issubdtype(theta.dtype, np.floating):
            raise TypeError(f"{_label('params', key)} must be a floating-point array, got dtype {theta.dtype}")
        if g.shape != theta.shape:
            raise ValueError(
                f"{_label('grads', key)} has shape {g.shape}, but {_label('params', key)} "
                f"has shape {theta.shape}; they must be equal"
            )
        _check_finite(g, _label("grads", key), t)
        if g.dtype != theta.dtype:  # keep the state in the parameters' precision
            g = g.astype(theta.dtype)
        return g


# ---------------------------------------------------------------------------------------------
# Stochastic gradient descent and its momentum forms


class SGDState(NamedTuple):
    t: int
    b: Optional[Params]  # momentum buffer b_t (None without momentum)
    delta: Optional[Params]  # the step taken: θ_t − θ_{t−1}


class SGD(Optimizer):
    r"""Stochastic gradient descent, with heavy-ball or Nesterov momentum (PyTorch's form).

    Without momentum: θ_t = θ_{t−1} − η·g_t. With momentum μ: b_t = μ·b_{t−1} + g_t and
    θ_t = θ_{t−1} − η·b_t, or with ``nesterov=True`` θ_t = θ_{t−1} − η·(g_t + μ·b_t)
    (Sutskever et al. 2013, as PyTorch writes it: the learning rate multiplies the buffer).
    """

    State = SGDState
    slots = ("b",)

    def __init__(self, lr: float, momentum: float = 0.0, nesterov: bool = False):
        self.lr = _positive("lr", lr)
        self.momentum = _unit_interval("momentum", momentum)
        self.nesterov = _flag("nesterov", nesterov)
        if self.nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs momentum in (0, 1), got momentum=0.0")

    def initial_buffer(self, name, theta):
        return np.zeros_like(theta) if self.momentum else None

    def update_array(self, theta, g, *, t, b):
        if self.momentum:
            b = self.momentum * b + g  # b_t ← μ·b_{t−1} + g_t
            direction = g + self.momentum * b if self.nesterov else b
        else:
            direction = g
        delta = -self.lr * direction  # θ_t ← θ_{t−1} − η·direction
        return theta + delta, {"b": b}, {"delta": delta}


# ---------------------------------------------------------------------------------------------
# The adaptive family before Adam


class AdaGradState(NamedTuple):
    t: int
    s: Params  # sum of squared gradients, s_0 + Σ_{i≤t} g_i²
    delta: Optional[Params]


class AdaGrad(Optimizer):
    r"""AdaGrad (Duchi, Hazan & Singer 2011): s_t = s_{t−1} + g_t², θ_t = θ_{t−1} − η·g_t/(√s_t + ε).

    ε outside the root, as PyTorch's Adagrad. Steps shrink as the sum grows and never recover.

    Parameters
    ----------
    lr : η, the step size.
    eps : ε, added to √s_t (or to s_t, with ``eps_inside_root``).
    initial_accumulator_value : s_0, the value the sum starts from, PyTorch's name and meaning
        (PyTorch's default 0; Keras 3's default 0.1). A positive s_0 caps the first steps below η.
    eps_inside_root : True divides by √(s_t + ε), as Keras 3's ``Adagrad`` and d2l do.
        ``AdaGrad(lr, eps, initial_accumulator_value=0.1, eps_inside_root=True)`` is
        ``keras.optimizers.Adagrad(lr, initial_accumulator_value=0.1, epsilon=eps)``.
    """

    State = AdaGradState
    slots = ("s",)
    conventions = ("initial_accumulator_value", "eps_inside_root")

    def __init__(self, lr: float, eps: float = 1e-10, *, initial_accumulator_value: float = 0.0,
                 eps_inside_root: bool = False):
        self.lr = _positive("lr", lr)
        self.eps = _non_negative("eps", eps)
        self.initial_accumulator_value = _non_negative("initial_accumulator_value", initial_accumulator_value)
        self.eps_inside_root = _flag("eps_inside_root", eps_inside_root)

    def initial_buffer(self, name, theta):
        return np.full_like(theta, self.initial_accumulator_value)  # s_0

    def update_array(self, theta, g, *, t, s):
        s = s + g**2  # s_t ← s_{t−1} + g_t²
        if self.eps_inside_root:
            denominator = np.sqrt(s + self.eps)  # √(s_t + ε), Keras 3
        else:
            denominator = np.sqrt(s) + self.eps  # √s_t + ε, PyTorch
        delta = -self.lr * g / denominator  # θ_t ← θ_{t−1} − η·g_t/denominator
        return theta + delta, {"s": s}, {"delta": delta}


class RMSPropState(NamedTuple):
    t: int
    s: Params  # moving average of squared gradients
    g_avg: Optional[Params]  # moving average of gradients (None unless centered=True)
    b: Optional[Params]  # momentum buffer (None without momentum)
    delta: Optional[Params]


class RMSProp(Optimizer):
    r"""RMSProp (Tieleman & Hinton 2012): s_t = ρ·s_{t−1} + (1−ρ)·g_t², θ_t = θ_{t−1} − η·g_t/(√s_t + ε).

    ε outside the root and no bias correction, as PyTorch's RMSprop with alpha=rho. (Keras puts ε
    inside the root: ``eps_inside_root=True``.) Equal to
    ``Adam(beta1=0, beta2=rho, bias_correction=False)``.

    Parameters
    ----------
    lr : η, the step size.
    rho : ρ, the decay rate of the moving average s_t, in [0, 1) (PyTorch's ``alpha``).
    eps : ε, added to the root (or under it, with ``eps_inside_root``).
    momentum : μ in [0, 1), PyTorch's name and meaning: b_t = μ·b_{t−1} + g_t/denominator and
        θ_t = θ_{t−1} − η·b_t. (Keras keeps η inside its buffer, b_t = μ·b_{t−1} + η·g_t/denominator
        and θ_t = θ_{t−1} − b_t: the same path while η is constant.)
    centered : True divides by an estimate of the standard deviation instead of the root mean square,
        as PyTorch and Keras do: ḡ_t = ρ·ḡ_{t−1} + (1−ρ)·g_t and the denominator uses s_t − ḡ_t².
    eps_inside_root : True divides by √(s_t + ε) (centered: √(s_t − ḡ_t² + ε)), as Keras 3's
        ``RMSprop`` and d2l do. ``RMSProp(lr, rho, eps, momentum=μ, centered=c, eps_inside_root=True)``
        is ``keras.optimizers.RMSprop(lr, rho=rho, momentum=μ, epsilon=eps, centered=c)``.
    """

    State = RMSPropState
    slots = ("s", "g_avg", "b")
    conventions = ("momentum", "centered", "eps_inside_root")

    def __init__(self, lr: float, rho: float = 0.99, eps: float = 1e-8, *, momentum: float = 0.0,
                 centered: bool = False, eps_inside_root: bool = False):
        self.lr = _positive("lr", lr)
        self.rho = _unit_interval("rho", rho)
        self.eps = _non_negative("eps", eps)
        self.momentum = _unit_interval("momentum", momentum)
        self.centered = _flag("centered", centered)
        self.eps_inside_root = _flag("eps_inside_root", eps_inside_root)

    def initial_buffer(self, name, theta):
        if (name == "g_avg" and not self.centered) or (name == "b" and not self.momentum):
            return None
        return np.zeros_like(theta)

    def update_array(self, theta, g, *, t, s, g_avg, b):
        rho = self.rho
        s = rho * s + (1 - rho) * g**2  # s_t ← ρ·s_{t−1} + (1 − ρ)·g_t²
        if self.centered:
            g_avg = rho * g_avg + (1 - rho) * g  # ḡ_t ← ρ·ḡ_{t−1} + (1 − ρ)·g_t
            s_used = s - g_avg**2  # s_t − ḡ_t²: a variance, the mean square less the squared mean
        else:
            s_used = s
        if self.eps_inside_root:
            denominator = np.sqrt(s_used + self.eps)  # √(s_t + ε), Keras 3
        else:
            denominator = np.sqrt(s_used) + self.eps  # √s_t + ε, PyTorch
        if self.momentum:
            b = self.momentum * b + g / denominator  # b_t ← μ·b_{t−1} + g_t/denominator
            delta = -self.lr * b  # θ_t ← θ_{t−1} − η·b_t
        else:
            delta = -self.lr * g / denominator  # θ_t ← θ_{t−1} − η·g_t/denominator
        return theta + delta, {"s": s, "g_avg": g_avg, "b": b}, {"delta": delta}


class AdaDeltaState(NamedTuple):
    t: int
    s: Params  # E[g²]_t, moving average of squared gradients
    u: Params  # E[Δx²]_t, moving average of squared updates
    delta: Optional[Params]


class AdaDelta(Optimizer):
    r"""AdaDelta (Zeiler 2012, Algorithm 1), with PyTorch's learning-rate factor.

    E[g²]_t = ρ·E[g²]_{t−1} + (1−ρ)·g_t²;  Δx_t = √(E[Δx²]_{t−1} + ε)/√(E[g²]_t + ε)·g_t;
    E[Δx²]_t = ρ·E[Δx²]_{t−1} + (1−ρ)·Δx_t²;  θ_t = θ_{t−1} − lr·Δx_t. The ratio of RMS values gives the
    step the units of θ, which is why the paper needs no learning rate (lr = 1).
    """

    State = AdaDeltaState
    slots = ("s", "u")

    def __init__(self, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6):
        self.lr = _positive("lr", lr)
        self.rho = _unit_interval("rho", rho)
        self.eps = _non_negative("eps", eps)

    def update_array(self, theta, g, *, t, s, u):
        rho, eps = self.rho, self.eps
        s = rho * s + (1 - rho) * g**2
        dx = np.sqrt(u + eps) / np.sqrt(s + eps) * g
        u = rho * u + (1 - rho) * dx**2
        delta = -self.lr * dx
        return theta + delta, {"s": s, "u": u}, {"delta": delta}


# ---------------------------------------------------------------------------------------------
# Adam


class AdamState(NamedTuple):
    t: int  # steps taken so far
    m: Params  # first moment estimate m_t (biased towards zero early on)
    v: Params  # second raw moment estimate v_t (biased towards zero early on)
    v_max: Optional[Params]  # AMSGrad's running maximum of v_t (None unless amsgrad=True)
    m_hat: Optional[Params]  # bias-corrected m̂_t of the last step (None before the first step)
    v_hat: Optional[Params]  # bias-corrected v̂_t of the last step (of v_max with AMSGrad)
    delta: Optional[Params]  # the step actually taken: θ_t − θ_{t−1}


class Adam(Optimizer):
    r"""Adam, Algorithm 1 of Kingma & Ba (ICLR 2015), line for line::

        t   ← t + 1
        m_t ← β1·m_{t−1} + (1 − β1)·g_t          biased first moment
        v_t ← β2·v_{t−1} + (1 − β2)·g_t²         biased second raw moment
        m̂_t ← m_t / (1 − β1^t)                   bias-corrected first moment
        v̂_t ← v_t / (1 − β2^t)                   bias-corrected second raw moment
        θ_t ← θ_{t−1} − α·m̂_t / (√v̂_t + ε)

    Parameters
    ----------
    lr : α, the step size; |θ_t − θ_{t−1}| ≲ α (paper §2.1).
    beta1, beta2 : decay rates of the two moving averages, in [0, 1).
    eps : ε, added to √v̂_t as in Algorithm 1, PyTorch and Optax.
    bias_correction : False drops both corrections: "RMSProp with momentum" (paper §5).
    eps_hat : True uses the efficient form of the paper's §2, as Keras and TensorFlow do:
        α_t = α·√(1 − β2^t)/(1 − β1^t) and θ_t ← θ_{t−1} − α_t·m_t/(√v_t + ε̂), where ``eps`` is ε̂.
        Same as Algorithm 1 with a time-varying ε_t = ε̂/√(1 − β2^t).
    eps_inside_root : True puts ε under the root, θ_t ← θ_{t−1} − α·m̂_t/√(v̂_t + ε): not Adam as
        published, but the placement of Keras 3's RMSprop and Adagrad, of d2l's RMSProp and AdaGrad, and
        of Optax's ``eps_root`` (``optax.adam(eps=0, eps_root=ε)``). With ``beta1=0`` and
        ``bias_correction=False`` it is ``keras.optimizers.RMSprop(rho=beta2)``. Not with ``eps_hat``.
    amsgrad : Reddi, Kale & Kumar (2018): divide by the running maximum of the raw v_t (as PyTorch
        and Keras do), so the denominator's v_max never shrinks. The paper's Algorithm 2 has no bias
        correction, and there α_t/√v̂_t never grows when α_t does not; here the maximum is divided by
        1 − β2^t as in PyTorch and Keras, so α/√v̂_t can grow while v_max stays fixed: g_1 = 1, then
        g_t = 10⁻³ gives α/√v̂_t = 1, 3.2, 9.8, 25.1, 30.8 (×α) at t = 1, 10, 100, 1000, 3000.
    weight_decay : λ of an L2 penalty added to the gradient, g_t ← g_t + λ·θ_{t−1} (PyTorch's Adam).
        For decoupled weight decay use ``AdamW``.
    """

    State = AdamState
    slots = ("m", "v", "v_max")
    diagnostics = ("m_hat", "v_hat", "delta")
    decoupled_weight_decay = False
    conventions = ("eps_inside_root",)

    def __init__(
        self,
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        *,
        bias_correction: bool = True,
        eps_hat: bool = False,
        amsgrad: bool = False,
        weight_decay: float = 0.0,
        eps_inside_root: bool = False,
    ):
        self.lr = _positive("lr", lr)
        self.beta1 = _unit_interval("beta1", beta1)
        self.beta2 = _unit_interval("beta2", beta2)
        self.eps = _non_negative("eps", eps)
        self.bias_correction = _flag("bias_correction", bias_correction)
        self.eps_hat = _flag("eps_hat", eps_hat)
        self.amsgrad = _flag("amsgrad", amsgrad)
        self.weight_decay = _non_negative("weight_decay", weight_decay)
        self.eps_inside_root = _flag("eps_inside_root", eps_inside_root)
        if self.eps_hat and self.eps_inside_root:
            raise ValueError("eps_hat=True and eps_inside_root=True are two places for ε; choose at most one")

    def initial_buffer(self, name, theta):
        if name == "v_max" and not self.amsgrad:
            return None
        return np.zeros_like(theta)

    def update_array(self, theta, g, *, t, m, v, v_max):
        alpha, beta1, beta2, eps = self.lr, self.beta1, self.beta2, self.eps
        theta_before = theta
        if self.weight_decay and self.decoupled_weight_decay:
            theta = theta * (1 - alpha * self.weight_decay)  # AdamW: shrink θ first, outside Adam
        elif self.weight_decay:
            g = g + self.weight_decay * theta  # L2 penalty λ/2·‖θ‖² folded into the gradient

        m = beta1 * m + (1 - beta1) * g  # m_t ← β1·m_{t−1} + (1 − β1)·g_t
        v = beta2 * v + (1 - beta2) * g**2  # v_t ← β2·v_{t−1} + (1 − β2)·g_t²
        if self.amsgrad:
            v_max = np.maximum(v_max, v)  # AMSGrad: the denominator may only grow
        v_used = v_max if self.amsgrad else v
        if self.bias_correction:
            m_hat = m / (1 - beta1**t)  # m̂_t ← m_t / (1 − β1^t)
            v_hat = v_used / (1 - beta2**t)  # v̂_t ← v_t / (1 − β2^t)
        else:
            m_hat, v_hat = m, v_used
        if self.eps_hat:
            correction = math.sqrt(1 - beta2**t) / (1 - beta1**t) if self.bias_correction else 1.0
            alpha_t = alpha * correction  # α_t = α·√(1 − β2^t)/(1 − β1^t)
            delta = -(alpha_t * m) / (np.sqrt(v_used) + eps)  # θ_t ← θ_{t−1} − α_t·m_t/(√v_t + ε̂)
        elif self.eps_inside_root:
            delta = -alpha * m_hat / np.sqrt(v_hat + eps)  # θ_t ← θ_{t−1} − α·m̂_t/√(v̂_t + ε)
        else:
            delta = -alpha * m_hat / (np.sqrt(v_hat) + eps)  # θ_t ← θ_{t−1} − α·m̂_t/(√v̂_t + ε)
        theta = theta + delta

        if self.decoupled_weight_decay:
            delta = theta - theta_before
        buffers = {"m": m, "v": v, "v_max": v_max}
        return theta, buffers, {"m_hat": m_hat, "v_hat": v_hat, "delta": delta}

    # The in-place path: the same arithmetic in the same order, so the same numbers to the last
    # bit, computed block by block so that the temporaries stay in the CPU cache. Each step then
    # reads g, m, v, θ and writes m, v, θ once: 7 arrays of memory traffic.
    block = 1 << 15

    def step(self, params: Params, grads: Params, state: AdamState) -> AdamState:
        """``update``'s numbers written into ``params``, ``m``, ``v`` (and ``v_max``) in place."""
        thetas, gs = self._checked(params, grads, state)
        t = state.t + 1
        leaves = {key: [self._leaf(state, name, key) for name in ("m", "v", "v_max")] for key in thetas}
        contiguous = all(
            a.flags.c_contiguous for key in thetas for a in (thetas[key], gs[key], *leaves[key]) if a is not None
        )
        # The blocked kernel is this class's update_array, written in place: a subclass with a rule of its own
        # (e.g. ε inside the root) takes the generic path, which runs its update_array. Decided before anything
        # is written.
        own_rule = type(self).update_array is Adam.update_array
        if not contiguous or self.decoupled_weight_decay or not own_rule:
            return super().step(params, grads, state)
        for key, theta in thetas.items():
            self._step_blocked(theta.reshape(-1), gs[key].reshape(-1), *(
                None if b is None else b.reshape(-1) for b in leaves[key]), t=t)
        return AdamState(t, state.m, state.v, state.v_max, None, None, None)  # no diagnostics in place

    def _step_blocked(self, theta, g, m, v, v_max, *, t):
        alpha, beta1, beta2, eps = self.lr, self.beta1, self.beta2, self.eps
        bc1 = 1 - beta1**t if self.bias_correction else None
        bc2 = 1 - beta2**t if self.bias_correction else None
        alpha_t = None
        if self.eps_hat:
            alpha_t = alpha * (math.sqrt(1 - beta2**t) / (1 - beta1**t) if self.bias_correction else 1.0)
        n = theta.size
        buf1 = np.empty(min(n, self.block), theta.dtype)
        buf2 = np.empty_like(buf1)
        for start in range(0, n, self.block):
            s = slice(start, min(start + self.block, n))
            th, gg, mm, vv = theta[s], g[s], m[s], v[s]
            a, b = buf1[: th.size], buf2[: th.size]
            if self.weight_decay:  # g + λ·θ, into a temporary (the caller's grads stay untouched)
                np.multiply(th, self.weight_decay, out=b)
                gg = np.add(gg, b, out=b)
            np.multiply(mm, beta1, out=mm)  # m ← β1·m + (1 − β1)·g
            np.multiply(gg, 1 - beta1, out=a)
            np.add(mm, a, out=mm)
            np.multiply(vv, beta2, out=vv)  # v ← β2·v + (1 − β2)·g²
            np.square(gg, out=a)
            np.multiply(a, 1 - beta2, out=a)
            np.add(vv, a, out=vv)
            if self.amsgrad:
                vv = np.maximum(v_max[s], vv, out=v_max[s])
            if self.eps_hat:  # −(α_t·m)/(√v + ε̂)
                np.multiply(mm, alpha_t, out=a)
                np.negative(a, out=a)
                np.sqrt(vv, out=b)
            else:  # −α·m̂/(√v̂ + ε), or −α·m̂/√(v̂ + ε) with ε inside the root
                if self.bias_correction:
                    np.divide(mm, bc1, out=a)
                    np.multiply(a, -alpha, out=a)
                    vv = np.divide(vv, bc2, out=b)
                else:
                    np.multiply(mm, -alpha, out=a)
                if self.eps_inside_root:
                    np.add(vv, eps, out=b)
                    np.sqrt(b, out=b)
                else:
                    np.sqrt(vv, out=b)
            if not self.eps_inside_root:
                np.add(b, eps, out=b)
            np.divide(a, b, out=a)
            np.add(th, a, out=th)


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, ICLR 2019): decoupled weight decay, in PyTorch's and Keras's coupling.

    θ ← θ·(1 − α·λ) first, then the Adam step computed from the gradient alone:
    θ_t = θ_{t−1} − α·λ·θ_{t−1} − α·m̂_t/(√v̂_t + ε), as PyTorch, Keras and Optax do. Unlike an L2 term
    in the gradient, the decay is not divided by √v̂_t, so every weight decays at the same rate.

    The paper's Algorithm 2 (line 12) does not multiply the decay by α:
    θ_t = θ_{t−1} − η_t·(α·m̂_t/(√v̂_t + ε) + λ_paper·θ_{t−1}), η_t a schedule multiplier (1 here).
    The two agree when λ_paper = α·λ; the paper's finding that the best λ does not depend on α is
    about λ_paper, so with this coupling it is the product α·λ that stays put.

    ``eps_hat`` and ``amsgrad`` mean what they mean for ``Adam``. ``AdamW(..., amsgrad=True)`` is
    PyTorch's ``AdamW(amsgrad=True)``; ``AdamW(..., eps_hat=True)`` is Keras 3's ``AdamW``, which is
    its ε̂ ``Adam`` after ``variable − variable·weight_decay·learning_rate`` (the decay multiplied by the
    learning rate, as here).
    """

    decoupled_weight_decay = True
    conventions = ("eps_hat", "amsgrad")

    def __init__(
        self,
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        *,
        eps_hat: bool = False,
        amsgrad: bool = False,
    ):
        super().__init__(lr, beta1, beta2, eps, weight_decay=weight_decay, eps_hat=eps_hat, amsgrad=amsgrad)


# ---------------------------------------------------------------------------------------------
# Adam's relatives from the paper's §7 and after


class AdaMaxState(NamedTuple):
    t: int
    m: Params  # first moment estimate m_t
    u: Params  # exponentially weighted infinity norm u_t
    delta: Optional[Params]


class AdaMax(Optimizer):
    r"""AdaMax (Kingma & Ba §7.1, Algorithm 2): Adam with the L^p norm taken to p → ∞.

    m_t = β1·m_{t−1} + (1−β1)·g_t;  u_t = max(β2·u_{t−1}, |g_t| + ε);
    θ_t = θ_{t−1} − (α/(1 − β1^t))·m_t/u_t. The paper has no ε; PyTorch adds it inside the max.
    u_t needs no bias correction. The paper's |Δ_t| ≤ α holds only up to a factor
    (1 − β1)/(1 − β1/β2), 1.009 with the defaults: gradients *shrinking* like β2^t reach it (the
    max keeps u_t = |g_t| while m_t still remembers larger ones), growing ones stay at α.
    """

    State = AdaMaxState
    slots = ("m", "u")

    def __init__(self, lr: float = 2e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.lr = _positive("lr", lr)
        self.beta1 = _unit_interval("beta1", beta1)
        self.beta2 = _unit_interval("beta2", beta2)
        self.eps = _non_negative("eps", eps)

    def update_array(self, theta, g, *, t, m, u):
        m = self.beta1 * m + (1 - self.beta1) * g
        u = np.maximum(self.beta2 * u, np.abs(g) + self.eps)
        delta = -(self.lr / (1 - self.beta1**t)) * m / u
        return theta + delta, {"m": m, "u": u}, {"delta": delta}


class NadamState(NamedTuple):
    t: int
    m: Params
    v: Params
    delta: Optional[Params]
    mu_product: float = 1.0  # Π_{i≤t} μ_i, the product of the momentum schedule so far


class Nadam(Optimizer):
    r"""Nadam (Dozat 2016): Adam with Nesterov momentum, PyTorch's NAdam with its momentum schedule.

    μ_t = β1·(1 − ½·0.96^(t·ψ)) with ψ = ``momentum_decay``; m_t and v_t as in Adam;
    m̂_t = μ_{t+1}·m_t/(1 − Π_{i≤t+1} μ_i) + (1 − μ_t)·g_t/(1 − Π_{i≤t} μ_i);  v̂_t = v_t/(1 − β2^t);
    θ_t = θ_{t−1} − α·m̂_t/(√v̂_t + ε). The look-ahead mixes the next momentum into this step.

    Parameters
    ----------
    lr, beta1, beta2, eps : as for ``Adam`` (ε added to √v̂_t, as PyTorch and Keras both do here).
    momentum_decay : ψ ≥ 0 of the schedule μ_t = β1·(1 − ½·0.96^(t·ψ)). PyTorch's name and default,
        ψ = 0.004 (Dozat's 0.96^(t/250)): μ_t starts near β1/2 and takes thousands of steps to near β1.
        Keras 3's ``Nadam`` uses u_t = β1·(1 − ½·0.96^t) (keras/src/optimizers/nadam.py), i.e. ψ = 1,
        a schedule 250 times faster with no setting of its own: ``Nadam(lr, beta1, beta2, eps,
        momentum_decay=1.0)`` is ``keras.optimizers.Nadam(lr, beta_1=beta1, beta_2=beta2, epsilon=eps)``
        (Keras's defaults are lr = 0.001 and ε = 1e-7). ψ = 0 keeps μ_t = β1/2 for ever.
    """

    State = NadamState
    slots = ("m", "v")

    def __init__(
        self,
        lr: float = 2e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        momentum_decay: float = 4e-3,
    ):
        self.lr = _positive("lr", lr)
        self.beta1 = _unit_interval("beta1", beta1)
        self.beta2 = _unit_interval("beta2", beta2)
        self.eps = _non_negative("eps", eps)
        self.momentum_decay = _non_negative("momentum_decay", momentum_decay)

    def mu(self, t: int) -> float:
        """The momentum schedule μ_t = β1·(1 − ½·0.96^(t·ψ))."""
        return self.beta1 * (1.0 - 0.5 * 0.96 ** (t * self.momentum_decay))

    def step_scalars(self, state, t):
        return {"mu_product": state.mu_product * self.mu(t)}  # one product for all arrays

    def update_array(self, theta, g, *, t, m, v, mu_product):
        beta1, beta2 = self.beta1, self.beta2
        mu, mu_next = self.mu(t), self.mu(t + 1)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        denom = np.sqrt(v / (1 - beta2**t)) + self.eps
        m_hat = mu_next * m / (1 - mu_product * mu_next) + (1 - mu) * g / (1 - mu_product)
        delta = -self.lr * m_hat / denom
        return theta + delta, {"m": m, "v": v}, {"delta": delta}


class RAdamState(NamedTuple):
    t: int
    m: Params
    v: Params
    delta: Optional[Params]
    rho_t: Optional[float] = None  # length of the approximated simple moving average at step t


class RAdam(Optimizer):
    r"""RAdam (Liu et al., ICLR 2020): rectify the variance of the adaptive step early on.

    ρ_∞ = 2/(1 − β2) − 1 and ρ_t = ρ_∞ − 2t·β2^t/(1 − β2^t): the length of the simple moving
    average that the exponential one of v_t approximates (ρ_t ≈ t early on, → ρ_∞). The variance of
    the adaptive factor is finite once ρ_t > 4, the paper's condition for rectifying; PyTorch
    rectifies only when ρ_t > 5 (Optax and the official code when ρ_t ≥ 5), a conservative threshold
    that ``adam_edu`` follows. While ρ_t ≤ 5 (the first five steps with β2 = 0.999, where
    ρ_5 = 4.996) the step is SGD with bias-corrected momentum, θ ← θ − α·m̂_t; after,
    θ ← θ − α·r_t·m̂_t·√(1 − β2^t)/(√v_t + ε) with
    r_t = √((ρ_t − 4)(ρ_t − 2)ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2)ρ_t)).
    """

    State = RAdamState
    slots = ("m", "v")

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.lr = _positive("lr", lr)
        self.beta1 = _unit_interval("beta1", beta1)
        self.beta2 = _unit_interval("beta2", beta2)
        self.eps = _non_negative("eps", eps)

    def rho(self, t: int) -> float:
        """ρ_t, the length of the simple moving average that the EMA of v_t approximates."""
        rho_inf = 2 / (1 - self.beta2) - 1
        return rho_inf - 2 * t * self.beta2**t / (1 - self.beta2**t)

    threshold = 5.0  # PyTorch's; the variance is finite from ρ_t > 4 on, 5 keeps a margin

    def rectification(self, t: int) -> Optional[float]:
        """r_t, or None while ρ_t ≤ 5 (PyTorch's conservative threshold; finite variance needs ρ_t > 4)."""
        return self._rectification(self.rho(t))

    def _rectification(self, rho_t: float) -> Optional[float]:
        rho_inf = 2 / (1 - self.beta2) - 1
        if rho_t <= self.threshold:
            return None
        return ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5

    def step_scalars(self, state, t):
        return {"rho_t": self.rho(t)}  # once per step, shared by all arrays

    def update_array(self, theta, g, *, t, m, v, rho_t):
        beta1, beta2 = self.beta1, self.beta2
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        r_t = self._rectification(rho_t)
        if r_t is None:
            delta = -(m_hat * self.lr)  # too early to trust v: SGD with bias-corrected momentum
        else:
            adaptive = (1 - beta2**t) ** 0.5 / (np.sqrt(v) + self.eps)
            delta = -(m_hat * self.lr * adaptive * r_t)
        return theta + delta, {"m": m, "v": v}, {"delta": delta}


# ---------------------------------------------------------------------------------------------
# After Adam: four optimizers of 2018–2024 (notebook 12). Each keeps less state than Adam, or uses
# its state differently; ``adam_edu.lessons.after_adam`` measures the bytes.


def _rms(x: np.ndarray) -> float:
    """RMS(x) = √(mean(x²)), the root mean square of all the entries of one array."""
    return float(np.sqrt(np.mean(np.square(x)))) if x.size else 0.0


def _at_most_zero(name: str, value: Any) -> float:
    value = _number(name, value)
    if value > 0:
        raise ValueError(f"{name} must be <= 0, got {value!r}")
    return value


def _open_unit_interval(name: str, value: Any) -> float:
    value = _number(name, value)
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be in (0, 1), got {value!r}")
    return value


def _count(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    if value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


class AdafactorState(NamedTuple):
    t: int
    r: Optional[Params]  # row factor R_t of the second moment (arrays of ≥ 2 dimensions; else None)
    c: Optional[Params]  # column factor C_t (arrays of ≥ 2 dimensions; else None)
    v: Optional[Params]  # full second moment V_t (arrays of 0 or 1 dimension; else None)
    m: Optional[Params]  # first moment of the update (None unless beta1 > 0)
    v_hat: Optional[Params]  # V̂_t, the second moment the step divided by (rebuilt from R_t, C_t if factored)
    delta: Optional[Params]


class Adafactor(Optimizer):
    r"""Adafactor (Shazeer & Stern, ICML 2018), Algorithms 4 and 5 with the paper's defaults.

    For a matrix (an array of ≥ 2 dimensions: the last two are factored), per step t::

        ρ_t  ← min(lr, 1/√t)                                relative step size (paper: lr = 10⁻²)
        α_t  ← max(ε2, RMS(X_{t−1}))·ρ_t                    step relative to the parameters' scale
        β̂2t ← 1 − t^τ                                       τ = beta2_decay = −0.8
        R_t  ← β̂2t·R_{t−1} + (1 − β̂2t)·mean_cols(G_t² + ε1)   one number per row
        C_t  ← β̂2t·C_{t−1} + (1 − β̂2t)·mean_rows(G_t² + ε1)   one number per column
        V̂_t  ← R_t·C_t / mean(R_t)                          rank-1 estimate of the second moment
        U_t  ← G_t / √V̂_t
        Û_t  ← U_t / max(1, RMS(U_t)/d)                      update clipping
        X_t  ← X_{t−1} − α_t·Û_t

    (The paper writes row and column sums, R·C/(1ᵀR); with means the quotient is the same.) A vector
    keeps the full V_t ← β̂2t·V_{t−1} + (1 − β̂2t)·(G_t² + ε1) and V̂_t = V_t. So an n×m matrix keeps
    n + m numbers where Adam keeps 2·n·m. No first moment by default (the paper's β1 = 0); no bias
    correction is needed, since β̂21 = 0 makes V̂_1 = G_1².

    Parameters
    ----------
    lr : the largest relative step size, ρ_t = min(lr, 1/√t): the paper's constant 10⁻², PyTorch's
        ``lr`` and Keras's ``learning_rate`` (both compute ρ_t this way).
    beta2_decay : τ ≤ 0 in β̂2t = 1 − t^τ (the paper's −0.8; τ = 0 keeps no average).
    eps1 : ε1 = 10⁻³⁰, added to G_t² (the paper's and Keras's place; see ``eps1_clamped``).
    eps2 : ε2 = 10⁻³, the smallest parameter scale, so that parameters starting at 0 can move.
    clip_threshold : d, the largest RMS of an update before it is scaled down (paper: 1).
    beta1 : β1 ∈ [0, 1) of an optional first moment of the update, m_t = β1·m_{t−1} + (1 − β1)·α_t·Û_t
        and X_t = X_{t−1} − m_t (Optax's ``momentum``, applied after α_t as Optax applies it); 0: none.
    weight_decay : λ ≥ 0, decoupled and multiplied by lr, X ← X·(1 − lr·λ) before the step, as PyTorch
        does (α_t is computed from X_{t−1} before the decay). The paper has no weight decay.
    eps1_clamped : True is PyTorch's ``torch.optim.Adafactor(eps=(ε1, ε2))``: ε1 is not added to G_t²
        but clamps, V̂_t = R_t·C_t/max(mean(R_t), ε1) and U_t = G_t/max(√V̂_t, ε1) (its documentation
        says it deviates from the paper here). PyTorch's default ε1 is the dtype's machine epsilon.
    """

    State = AdafactorState
    slots = ("r", "c", "v", "m")
    diagnostics = ("v_hat", "delta")
    conventions = ("eps1_clamped",)

    def __init__(self, lr: float = 1e-2, beta2_decay: float = -0.8, eps1: float = 1e-30, eps2: float = 1e-3,
                 clip_threshold: float = 1.0, beta1: float = 0.0, weight_decay: float = 0.0, *,
                 eps1_clamped: bool = False):
        self.lr = _positive("lr", lr)
        self.beta2_decay = _at_most_zero("beta2_decay", beta2_decay)
        self.eps1 = _non_negative("eps1", eps1)
        self.eps2 = _non_negative("eps2", eps2)
        self.clip_threshold = _positive("clip_threshold", clip_threshold)
        self.beta1 = _unit_interval("beta1", beta1)
        self.weight_decay = _non_negative("weight_decay", weight_decay)
        self.eps1_clamped = _flag("eps1_clamped", eps1_clamped)

    def initial_buffer(self, name, theta):
        factored = theta.ndim >= 2
        if name == "r":
            return np.zeros_like(theta[..., 0]) if factored else None  # one per row: shape[:-1]
        if name == "c":
            return np.zeros_like(theta[..., 0, :]) if factored else None  # one per column
        if name == "v":
            return None if factored else np.zeros_like(theta)
        return np.zeros_like(theta) if self.beta1 else None  # m

    def update_array(self, theta, g, *, t, r, c, v, m):
        rho_t = min(self.lr, 1.0 / math.sqrt(t))  # ρ_t ← min(lr, 1/√t)
        alpha_t = max(self.eps2, _rms(theta)) * rho_t  # α_t ← max(ε2, RMS(X_{t−1}))·ρ_t
        beta2_t = 1.0 - t**self.beta2_decay  # β̂2t ← 1 − t^τ
        theta_before = theta
        if self.weight_decay:
            theta = theta * (1 - self.lr * self.weight_decay)
        g2 = g**2 if self.eps1_clamped else g**2 + self.eps1
        if r is not None:  # factored: the last two axes
            r = beta2_t * r + (1 - beta2_t) * g2.mean(axis=-1)  # R_t
            c = beta2_t * c + (1 - beta2_t) * g2.mean(axis=-2)  # C_t
            r_mean = r.mean(axis=-1, keepdims=True)
            if self.eps1_clamped:
                r_mean = np.maximum(r_mean, self.eps1)
            v_hat = (r / r_mean)[..., :, None] * c[..., None, :]  # V̂_t ← R_t·C_t / mean(R_t)
        else:
            v = beta2_t * v + (1 - beta2_t) * g2  # V_t
            v_hat = v
        if self.eps1_clamped:
            u = g / np.maximum(np.sqrt(v_hat), self.eps1)
        else:
            u = g / np.sqrt(v_hat)  # U_t ← G_t / √V̂_t
        u_hat = u / max(1.0, _rms(u) / self.clip_threshold)  # Û_t ← U_t / max(1, RMS(U_t)/d)
        if self.beta1:
            m = self.beta1 * m + (1 - self.beta1) * (alpha_t * u_hat)
            theta = theta - m
        else:
            theta = theta - alpha_t * u_hat  # X_t ← X_{t−1} − α_t·Û_t
        return theta, {"r": r, "c": c, "v": v, "m": m}, {"v_hat": v_hat, "delta": theta - theta_before}


class LionState(NamedTuple):
    t: int
    m: Params  # momentum m_t: the one buffer
    delta: Optional[Params]


class Lion(Optimizer):
    r"""Lion, "EvoLved Sign Momentum" (Chen et al., NeurIPS 2023), Algorithm 2 of the paper::

        c_t ← β1·m_{t−1} + (1 − β1)·g_t            interpolate the momentum and the gradient
        θ_t ← θ_{t−1} − η·(sign(c_t) + λ·θ_{t−1})   every coordinate moves by exactly η (plus the decay)
        m_t ← β2·m_{t−1} + (1 − β2)·g_t            then update the momentum, with another rate

    One buffer (Adam keeps two); the sign makes the step's size independent of the gradient's scale, so
    the paper advises η 3–10 times smaller than AdamW's and λ as many times larger. sign(0) = 0, as in
    NumPy, Keras and Optax.

    Parameters
    ----------
    lr : η, the step of every coordinate.
    beta1 : β1 ∈ [0, 1), the weight of the momentum in the direction c_t (paper: 0.9).
    beta2 : β2 ∈ [0, 1), the decay rate of the momentum m_t (paper: 0.99).
    weight_decay : λ ≥ 0, decoupled and multiplied by η as in the paper, Optax's ``lion`` and Keras 3's
        ``Lion(weight_decay=λ)`` (Keras applies θ ← θ − θ·λ·η before the sign step: the same numbers up
        to rounding).
    """

    State = LionState
    slots = ("m",)

    def __init__(self, lr: float = 1e-4, beta1: float = 0.9, beta2: float = 0.99, weight_decay: float = 0.0):
        self.lr = _positive("lr", lr)
        self.beta1 = _unit_interval("beta1", beta1)
        self.beta2 = _unit_interval("beta2", beta2)
        self.weight_decay = _non_negative("weight_decay", weight_decay)

    def update_array(self, theta, g, *, t, m):
        c = self.beta1 * m + (1 - self.beta1) * g  # c_t ← β1·m_{t−1} + (1 − β1)·g_t
        delta = -self.lr * (np.sign(c) + self.weight_decay * theta)  # −η·(sign(c_t) + λ·θ_{t−1})
        m = self.beta2 * m + (1 - self.beta2) * g  # m_t ← β2·m_{t−1} + (1 − β2)·g_t
        return theta + delta, {"m": m}, {"delta": delta}


class ScheduleFreeAdamWState(NamedTuple):
    t: int
    z: Params  # z_t, the sequence the base AdamW steps move (starts at θ_0)
    v: Params  # second raw moment v_t, as Adam's
    delta: Optional[Params]  # the step of y, the parameters the gradient is taken at
    lr_max: float = 0.0  # the largest γ_t so far
    weight_sum: float = 0.0  # Σ_{i≤t} (max_{j≤i} γ_j)², the normaliser of the average


class ScheduleFreeAdamW(Optimizer):
    r"""Schedule-free AdamW (Defazio et al., "The Road Less Scheduled", NeurIPS 2024).

    No learning-rate schedule: an average x_t of the iterates takes its place. Three sequences, of
    which the optimizer keeps two (z and y; x is recovered from them)::

        y_t     = (1 − β1)·z_t + β1·x_t                 the parameters: the gradient is taken here
        γ_t     = γ·min(1, t/T_warmup)                   constant after a linear warm-up
        v_t     ← β2·v_{t−1} + (1 − β2)·g_t²,  v̂_t = v_t/(1 − β2^t)
        z_{t+1} ← z_t − γ_t·(g_t/(√v̂_t + ε) + λ·y_t)     an AdamW step without momentum
        c_{t+1} = w_t / Σ_{i≤t} w_i,   w_t = (max_{i≤t} γ_i)²
        x_{t+1} ← (1 − c_{t+1})·x_t + c_{t+1}·z_{t+1}     an average of the z's: evaluate the model here
        y_{t+1} = (1 − β1)·z_{t+1} + β1·x_{t+1}

    With a constant γ, c_{t+1} = 1/t and x is the plain running mean of z_2 … z_{t+1}. β1 does not
    average gradients, as Adam's does: it sets where between z and x the gradient is taken.

    ``params`` (what ``update`` returns) is y, the point to take the next gradient at; evaluate a
    trained model at ``evaluation_params(params, state)``, x = (y − (1 − β1)·z)/β1, as the authors'
    code, Optax (``schedule_free_eval_params``) and Keras recover it. The arithmetic follows
    ``optax.contrib.schedule_free_adamw`` (weight_lr_power = 2, the authors' default), also the
    authors' code. Keras 3's ``ScheduleFreeAdamW`` takes c_{t+1} = 1/t even during warm-up: the same
    path only with ``warmup_steps=0``.

    Parameters
    ----------
    lr : γ, the learning rate after warm-up (the authors' default 0.0025).
    beta1 : β1 ∈ (0, 1), the interpolation between z and x (0.9; must be > 0 to recover x).
    beta2, eps : as Adam's (ε outside √v̂_t).
    weight_decay : λ ≥ 0, decoupled, at y and multiplied by γ_t.
    warmup_steps : T_warmup ≥ 0, the length of the linear warm-up (0: none).
    """

    State = ScheduleFreeAdamWState
    slots = ("z", "v")

    def __init__(self, lr: float = 2.5e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                 weight_decay: float = 0.0, warmup_steps: int = 0):
        self.lr = _positive("lr", lr)
        self.beta1 = _open_unit_interval("beta1", beta1)
        self.beta2 = _unit_interval("beta2", beta2)
        self.eps = _non_negative("eps", eps)
        self.weight_decay = _non_negative("weight_decay", weight_decay)
        self.warmup_steps = _count("warmup_steps", warmup_steps, 0)

    def initial_buffer(self, name, theta):
        return theta.copy() if name == "z" else np.zeros_like(theta)  # z_1 = x_1 = y_1 = θ_0

    def learning_rate(self, t: int) -> float:
        """γ_t = γ·min(1, t/T_warmup)."""
        return self.lr * min(1.0, t / self.warmup_steps) if self.warmup_steps else self.lr

    def step_scalars(self, state, t):
        lr_max = max(state.lr_max, self.learning_rate(t))
        return {"lr_max": lr_max, "weight_sum": state.weight_sum + lr_max**2}  # once for all arrays

    def update_array(self, theta, g, *, t, z, v, lr_max, weight_sum):
        beta1, beta2 = self.beta1, self.beta2
        y = theta
        c = lr_max**2 / weight_sum  # c_{t+1} = w_t / Σ w_i
        v = beta2 * v + (1 - beta2) * g**2  # v_t ← β2·v_{t−1} + (1 − β2)·g_t²
        v_hat = v / (1 - beta2**t)
        z_next = z + -self.learning_rate(t) * (g / (np.sqrt(v_hat) + self.eps) + self.weight_decay * y)
        x = (y - (1 - beta1) * z) / beta1  # x_t, recovered from y_t and z_t
        x = (1 - c) * x + c * z_next  # x_{t+1} ← (1 − c)·x_t + c·z_{t+1}
        y_next = beta1 * x + (1 - beta1) * z_next  # y_{t+1} = (1 − β1)·z_{t+1} + β1·x_{t+1}
        return y_next, {"z": z_next, "v": v}, {"delta": y_next - y}

    def evaluation_params(self, params: Params, state: ScheduleFreeAdamWState) -> Params:
        """x_t = (y_t − (1 − β1)·z_t)/β1: the average, where a trained model is evaluated."""
        ys = _leaves(params, "params")
        return _rebuild({key: (y - (1 - self.beta1) * self._leaf(state, "z", key)) / self.beta1
                         for key, y in ys.items()})


NEWTON_SCHULZ_COEFFICIENTS = (3.4445, -4.7750, 2.0315)  # (a, b, c) of Jordan's quintic iteration


def newton_schulz(matrix: np.ndarray, steps: int = 5, eps: float = 1e-7,
                  coefficients: tuple[float, float, float] = NEWTON_SCHULZ_COEFFICIENTS) -> np.ndarray:
    r"""Orthogonalise a matrix: G = U·S·Vᵀ ↦ ≈ U·S'·Vᵀ with every singular value S'_ii near 1.

    X_0 = G/(‖G‖_F + ε), so that every singular value is ≤ 1; then ``steps`` times
    X ← a·X + (b·A + c·A²)·X with A = X·Xᵀ: the odd polynomial φ(s) = a·s + b·s³ + c·s⁵ applied to each
    singular value. Jordan's (a, b, c) = (3.4445, −4.7750, 2.0315) make φ steep at 0, so that small
    singular values grow fast; the price is that five steps leave them spread over about [0.7, 1.2]
    rather than at 1. A tall matrix is transposed first, so that A is the smaller Gram matrix.
    """
    a, b, c = coefficients
    tall = matrix.shape[-2] > matrix.shape[-1]
    x = matrix.T if tall else matrix
    x = x / (np.linalg.norm(x) + eps)  # X_0 = G/(‖G‖_F + ε)
    for _ in range(steps):
        gram = x @ x.T  # A = X·Xᵀ
        x = a * x + (b * gram + c * gram @ gram) @ x  # X ← a·X + (b·A + c·A²)·X
    return x.T if tall else x


class MuonState(NamedTuple):
    t: int
    m: Params  # momentum of every array (Muon's for matrices, Adam's first moment for the rest)
    v: Optional[Params]  # Adam's second moment, for the arrays that are not matrices (None for matrices)
    delta: Optional[Params]


class Muon(Optimizer):
    r"""Muon, "MomentUm Orthogonalized by Newton–Schulz" (Jordan et al., 2024), with Adam for the rest.

    For each 2-D array (a weight matrix) W of shape A×B::

        m_t ← μ·m_{t−1} + (1 − μ)·g_t                         momentum (an average, as Jordan's code)
        u_t ← (1 − μ)·g_t + μ·m_t       (nesterov; else m_t)   Nesterov's look-ahead
        O_t ← NewtonSchulz(u_t)                                ≈ U·Vᵀ of u_t = U·S·Vᵀ
        W_t ← W_{t−1}·(1 − η·λ) − η·s·O_t                      s = √max(1, A/B)

    Orthogonalising makes every direction of the update the same size, whatever the gradient's
    singular values: rare directions are not starved. Every other array (biases, vectors, scalars)
    takes an Adam step, as Jordan's ``MuonWithAuxAdam`` and Keras's ``Muon`` do: m is Adam's first
    moment there, v its second, with their own rate ``adam_lr`` (Jordan's default 3·10⁻⁴ with β =
    (0.9, 0.95) and ε = 10⁻¹⁰). A matrix keeps one buffer, the rest two.

    The matrix step runs in the parameters' dtype. Jordan's code and PyTorch's ``torch.optim.Muon``
    run Newton–Schulz in bfloat16 (8 bits of mantissa), so their steps agree with this one to about 1%.

    Parameters
    ----------
    lr : η, the step of the matrices (Jordan's default 0.02).
    momentum : μ ∈ [0, 1) (0.95).
    nesterov : True uses u_t = (1 − μ)·g_t + μ·m_t, False u_t = m_t.
    ns_steps : the number of Newton–Schulz steps (5).
    eps : ε of the normalisation X_0 = u/(‖u‖_F + ε) (10⁻⁷).
    weight_decay : λ ≥ 0, decoupled, W ← W·(1 − η·λ), matrices only (PyTorch's and Keras's form).
    adam_lr, adam_beta1, adam_beta2, adam_eps : the Adam step of the arrays that are not matrices.
    adjust_lr : the scale s. "original": √max(1, A/B), Jordan's; "match_rms_adamw": 0.2·√max(A, B),
        Liu et al.'s (2025) "Muon is scalable", which gives the update AdamW's RMS (PyTorch's
        ``adjust_lr_fn`` names both; Keras's ``Muon`` uses the second, ``rms_rate=0.2``).
    sum_momentum : True keeps m_t = μ·m_{t−1} + g_t and u_t = g_t + μ·m_t, as Keras 3's ``Muon``: the same
        direction, 1/(1 − μ) times longer, which the normalisation removes (up to ε).
    adam_eps_hat : True takes Keras's ε̂ form of Adam for the other arrays (``Adam(eps_hat=True)``).
    """

    State = MuonState
    slots = ("m", "v")
    conventions = ("adjust_lr", "sum_momentum", "adam_eps_hat")

    def __init__(self, lr: float = 0.02, momentum: float = 0.95, nesterov: bool = True, ns_steps: int = 5,
                 eps: float = 1e-7, weight_decay: float = 0.0, adam_lr: float = 3e-4, adam_beta1: float = 0.9,
                 adam_beta2: float = 0.95, adam_eps: float = 1e-10, *, adjust_lr: str = "original",
                 sum_momentum: bool = False, adam_eps_hat: bool = False):
        self.lr = _positive("lr", lr)
        self.momentum = _unit_interval("momentum", momentum)
        self.nesterov = _flag("nesterov", nesterov)
        self.ns_steps = _count("ns_steps", ns_steps, 0)
        self.eps = _non_negative("eps", eps)
        self.weight_decay = _non_negative("weight_decay", weight_decay)
        self.adam_lr = _positive("adam_lr", adam_lr)
        self.adam_beta1 = _unit_interval("adam_beta1", adam_beta1)
        self.adam_beta2 = _unit_interval("adam_beta2", adam_beta2)
        self.adam_eps = _non_negative("adam_eps", adam_eps)
        self.adjust_lr = _choice("adjust_lr", adjust_lr, ("original", "match_rms_adamw"))
        self.sum_momentum = _flag("sum_momentum", sum_momentum)
        self.adam_eps_hat = _flag("adam_eps_hat", adam_eps_hat)

    def initial_buffer(self, name, theta):
        return None if name == "v" and theta.ndim == 2 else np.zeros_like(theta)

    def scale(self, shape: tuple[int, ...]) -> float:
        """s, the factor of η for an A×B matrix."""
        rows, cols = shape
        if self.adjust_lr == "original":
            return math.sqrt(max(1.0, rows / cols))  # √max(1, A/B)
        return 0.2 * math.sqrt(max(rows, cols))  # 0.2·√max(A, B)

    def update_array(self, theta, g, *, t, m, v):
        if theta.ndim != 2:
            return self._adam_step(theta, g, t=t, m=m, v=v)
        mu = self.momentum
        if self.sum_momentum:
            m = mu * m + g  # m_t ← μ·m_{t−1} + g_t (Keras)
            u = g + mu * m if self.nesterov else m
        else:
            m = mu * m + (1 - mu) * g  # m_t ← μ·m_{t−1} + (1 − μ)·g_t
            u = (1 - mu) * g + mu * m if self.nesterov else m
        orthogonal = newton_schulz(u, self.ns_steps, self.eps)  # O_t ≈ U·Vᵀ
        new = theta * (1 - self.lr * self.weight_decay) if self.weight_decay else theta
        new = new - self.lr * self.scale(theta.shape) * orthogonal  # W_t ← W·(1 − ηλ) − η·s·O_t
        return new, {"m": m, "v": None}, {"delta": new - theta}

    def _adam_step(self, theta, g, *, t, m, v):
        beta1, beta2, eps = self.adam_beta1, self.adam_beta2, self.adam_eps
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        if self.adam_eps_hat:
            alpha_t = self.adam_lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
            delta = -(alpha_t * m) / (np.sqrt(v) + eps)
        else:
            delta = -self.adam_lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
        return theta + delta, {"m": m, "v": v}, {"delta": delta}
