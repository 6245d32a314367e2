"""Make the reference trajectories in tests/data/ with PyTorch and Keras.

``tests/test_reference.py`` runs every optimizer of ``adam_edu.optimizers`` from the same start, with
the same gradients, and compares its path with the path the real library took. This script makes
those paths. A maintainer runs it by hand, never the tests; PyTorch and Keras are not dependencies
of adam_edu and live in a virtual environment of their own.

Made with
---------
Python 3.11.7, NumPy 2.4.6, torch 2.13.0+cpu, keras 3.15.1 on the JAX backend (jax and jaxlib 0.10.2),
with JAX's 64-bit mode on (``JAX_ENABLE_X64=1``; without it JAX quietly makes float64 variables
float32). The script sets ``KERAS_BACKEND=jax`` and ``JAX_ENABLE_X64=1`` itself unless they are set.
Each JSON file's header records the versions that made it and the date.

How to run it
-------------
::

    python3.11 -m venv /tmp/refenv
    /tmp/refenv/bin/pip install numpy==2.4.6 torch==2.13.0   # the CPU-only wheel is enough
    /tmp/refenv/bin/pip install keras==3.15.1 jax==0.10.2 jaxlib==0.10.2
    cd <the repository> && /tmp/refenv/bin/python tools/make_reference_data.py

It rewrites ``tests/data/reference_torch.json`` and ``tests/data/reference_keras.json`` (0.45 MB
together) in about 50 seconds, and refuses (with an error naming the case) to write a case that
diverges or sits on a knife-edge (see "how much the last bit matters" below). Other versions of the
libraries should give the same paths up to the last bits; the tests' tolerances say how close.

Notebook 12's optimizers (Adafactor, Lion, schedule-free AdamW, Muon) have a file of their own,
``tests/data/reference_after_adam.json``, made by ``python tools/make_reference_data.py after_adam`` (which
leaves the two files above alone) with optax 0.2.8 as well (``/tmp/refenv/bin/pip install optax``); see
"after Adam" below for the cases and what each library computes.

What is computed
----------------
Two objectives, with gradients written by hand (no autograd), the expressions of
``adam_edu.functions`` in the same operation order:

* cubic, f(x) = x³ − 2x² + 2 from x0 = [0.001]:  grad = 3.0 * x**2 - 4.0 * x
* rosenbrock, f = (1 − x)² + 100(y − x²)² from x0 = [−1.5, 2.0]:
  grad_x = -2.0 * (1.0 - x) - 400.0 * x * (y - x**2),  grad_y = 200.0 * (y - x**2)

The gradient is evaluated by NumPy, exactly as adam_edu.functions evaluates it, and handed to the
library, so it has the same bits in the library run and in the test, and a test measures only the
update rule. (Evaluating the same expressions with torch tensors is not the same: NumPy's scalar
``x**2`` calls C's pow() and torch's multiplies, and the two round differently when x² falls exactly
half-way between two floats, which happens within 300 Rosenbrock steps.)

For each case: 300 steps from x0, in float64 and in float32, with the parameters saved after steps
0, 1, …, 10, 20, 30, …, 300. Hyper-parameters are stored under adam_edu's keyword names, and the
library call under ``library_call``; floats are written with repr() precision, so a float64 (or a
float32 widened to float64) reads back exactly.

* PyTorch: ``p.grad`` is set by hand, then ``opt.step()``, on the single-tensor code path
  (``foreach=False``), the one whose formula the PyTorch documentation gives. For float64 runs the
  default dtype is float64 (``torch.set_default_dtype``), because optimizers keep scalar state such
  as NAdam's μ-product in the default dtype; it is reset to float32 afterwards. Every
  hyper-parameter is passed explicitly, so neither library's defaults matter.
  ``Adam(beta1=0, bias_correction=False)`` has no PyTorch optimizer of its own but equals
  ``RMSprop(alpha=beta2, eps=eps)``: with β1 = 0, m_t = g_t, and without bias correction the step
  is α·g_t/(√v_t + ε) with v_t = β2·v_{t−1} + (1 − β2)·g_t², which is RMSprop's rule with alpha = β2.
  PyTorch's own names and meanings are checked too: RMSprop's ``momentum`` and ``centered``, Adagrad's
  ``initial_accumulator_value``, AdamW's ``amsgrad``.
* Keras 3: ``keras.optimizers.Adam`` uses ε̂ (the form before §2.1 of the paper), i.e. adam_edu's
  ``Adam(eps_hat=True)``; ``amsgrad=True`` gives ``Adam(eps_hat=True, amsgrad=True)``. The gradient
  goes to ``apply_gradients``. Keras keeps the learning rate in a float32 variable, and (with the
  TensorFlow backend at least, ADAM_REFERENCE.md §7) computes β^t from β rounded to float32, so the
  float64 cases use a learning rate and β values that float32 represents exactly. The float32 cases
  add the classic lr = 0.05, ε̂ = 1e-7, β = 0.9/0.999 setting.
* Keras 3's other conventions (``KERAS_MORE``, with what each is in adam_edu, read from Keras's source):
  ``RMSprop`` and ``Adagrad`` put ε inside the root (``eps_inside_root=True``; RMSprop with β1 = 0
  also checks ``Adam(eps_inside_root=True)``), ``AdamW`` is its ε̂ Adam after θ ← θ − θ·wd·lr
  (``AdamW(eps_hat=True)``), and ``Nadam``'s schedule 0.96^t is PyTorch's with ``momentum_decay=1.0``.
  Same exact-in-float32 learning rates, ρ, β and weight decays.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_ENABLE_X64", "1")  # without it JAX silently makes float64 variables float32

import numpy as np  # noqa: E402
import torch  # noqa: E402

STEPS = 300
SAVED_STEPS = list(range(0, 10)) + list(range(10, STEPS + 1, 10))
DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
DTYPES = {"float64": (np.float64, torch.float64), "float32": (np.float32, torch.float32)}


# --- the objectives ------------------------------------------------------------------------------
# The expressions of adam_edu.functions, evaluated the same way: by NumPy, with x and y NumPy scalars
# (see "What is computed" above for why not by torch).


def cubic_grad(p):
    return 3.0 * p**2 - 4.0 * p


def rosenbrock_grad(p):
    x, y = p[0], p[1]
    return np.stack([-2.0 * (1.0 - x) - 400.0 * x * (y - x**2), 200.0 * (y - x**2)])


OBJECTIVES = {"cubic": ([0.001], cubic_grad), "rosenbrock": ([-1.5, 2.0], rosenbrock_grad)}


# --- the PyTorch cases ---------------------------------------------------------------------------
# (adam_edu optimizer, adam_edu keywords, {objective: learning rate}): every hyper-parameter is
# written out, so neither library's defaults matter. Learning rates are chosen so that each run stays
# finite and visibly moves in 300 steps (plain SGD on Rosenbrock must stay below 2/1902 ≈ 1e-3, the
# largest curvature at the start).

TORCH_SETTINGS = [
    ("SGD", {"momentum": 0.0, "nesterov": False}, {"cubic": 0.01, "rosenbrock": 1e-4}),
    ("SGD", {"momentum": 0.0, "nesterov": False}, {"cubic": 0.1, "rosenbrock": 5e-4}),
    ("SGD", {"momentum": 0.9, "nesterov": False}, {"cubic": 0.01, "rosenbrock": 1e-4}),
    ("SGD", {"momentum": 0.5, "nesterov": False}, {"cubic": 0.05, "rosenbrock": 2e-4}),
    ("SGD", {"momentum": 0.9, "nesterov": True}, {"cubic": 0.01, "rosenbrock": 1e-4}),
    ("SGD", {"momentum": 0.7, "nesterov": True}, {"cubic": 0.05, "rosenbrock": 2e-4}),
    ("AdaGrad", {"eps": 1e-10}, {"cubic": 0.1, "rosenbrock": 0.1}),
    ("AdaGrad", {"eps": 1e-6}, {"cubic": 0.5, "rosenbrock": 0.5}),
    ("RMSProp", {"rho": 0.99, "eps": 1e-8}, {"cubic": 0.01, "rosenbrock": 0.003}),
    ("RMSProp", {"rho": 0.999, "eps": 1e-6}, {"cubic": 0.005, "rosenbrock": 0.005}),
    ("AdaDelta", {"rho": 0.9, "eps": 1e-6}, {"cubic": 1.0, "rosenbrock": 0.1}),
    ("AdaDelta", {"rho": 0.99, "eps": 1e-4}, {"cubic": 0.2, "rosenbrock": 0.2}),
    ("Adam", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-7}, {"cubic": 0.05, "rosenbrock": 0.05}),
    ("Adam", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-8}, {"cubic": 0.01, "rosenbrock": 0.01}),
    ("Adam", {"beta1": 0.9, "beta2": 0.999, "eps": 0.0}, {"cubic": 0.02, "rosenbrock": 0.02}),
    ("Adam", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "amsgrad": True}, {"cubic": 0.05, "rosenbrock": 0.05}),
    ("Adam", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-8, "amsgrad": True}, {"cubic": 0.01, "rosenbrock": 0.01}),
    ("Adam", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01}, {"cubic": 0.05, "rosenbrock": 0.05}),
    ("Adam", {"beta1": 0.9, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.5}, {"cubic": 0.01, "rosenbrock": 0.01}),
    ("Adam", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "amsgrad": True, "weight_decay": 0.1},
     {"cubic": 0.02, "rosenbrock": 0.02}),
    ("Adam", {"beta1": 0.0, "beta2": 0.999, "eps": 1e-8, "bias_correction": False},
     {"cubic": 0.01, "rosenbrock": 0.01}),
    ("Adam", {"beta1": 0.0, "beta2": 0.99, "eps": 1e-6, "bias_correction": False},
     {"cubic": 0.005, "rosenbrock": 0.003}),
    ("AdamW", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01}, {"cubic": 0.05, "rosenbrock": 0.05}),
    ("AdamW", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.5}, {"cubic": 0.01, "rosenbrock": 0.01}),
    ("AdaMax", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, {"cubic": 0.05, "rosenbrock": 0.05}),
    ("AdaMax", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6}, {"cubic": 0.01, "rosenbrock": 0.01}),
    ("Nadam", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 4e-3}, {"cubic": 0.05, "rosenbrock": 0.02}),
    ("Nadam", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "momentum_decay": 1e-2}, {"cubic": 0.01, "rosenbrock": 0.01}),
    # RAdam's first steps are SGD steps (ρ_t ≤ 5), hence the small Rosenbrock learning rates.
    ("RAdam", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, {"cubic": 0.05, "rosenbrock": 0.001}),
    ("RAdam", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6}, {"cubic": 0.01, "rosenbrock": 0.002}),
    # PyTorch's names and meanings of AdaGrad's s_0, RMSProp's momentum and centering, AdamW's AMSGrad.
    ("AdaGrad", {"eps": 1e-10, "initial_accumulator_value": 0.1}, {"cubic": 0.1, "rosenbrock": 0.1}),
    ("AdaGrad", {"eps": 1e-6, "initial_accumulator_value": 1.0}, {"cubic": 0.5, "rosenbrock": 0.5}),
    ("RMSProp", {"rho": 0.99, "eps": 1e-8, "momentum": 0.9}, {"cubic": 0.001, "rosenbrock": 0.0003}),
    ("RMSProp", {"rho": 0.99, "eps": 1e-8, "centered": True}, {"cubic": 0.01, "rosenbrock": 0.003}),
    ("RMSProp", {"rho": 0.99, "eps": 1e-6, "momentum": 0.5, "centered": True}, {"cubic": 0.005, "rosenbrock": 0.001}),
    ("AdamW", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01, "amsgrad": True},
     {"cubic": 0.05, "rosenbrock": 0.05}),
]


def torch_optimizer(name: str, kw: dict) -> tuple[type, dict]:
    """The torch.optim class and keywords that compute adam_edu's ``name(**kw)``."""
    optim, lr = torch.optim, kw["lr"]
    if name == "SGD":
        return optim.SGD, dict(lr=lr, momentum=kw["momentum"], dampening=0.0, weight_decay=0.0,
                               nesterov=kw["nesterov"])
    if name == "AdaGrad":
        return optim.Adagrad, dict(lr=lr, lr_decay=0.0, weight_decay=0.0,
                                   initial_accumulator_value=kw.get("initial_accumulator_value", 0.0), eps=kw["eps"])
    if name == "RMSProp":
        return optim.RMSprop, dict(lr=lr, alpha=kw["rho"], eps=kw["eps"], weight_decay=0.0,
                                   momentum=kw.get("momentum", 0.0), centered=kw.get("centered", False))
    if name == "AdaDelta":
        return optim.Adadelta, dict(lr=lr, rho=kw["rho"], eps=kw["eps"], weight_decay=0.0)
    betas = (kw["beta1"], kw["beta2"])
    if name == "Adam" and not kw.get("bias_correction", True):
        # β1 = 0 and no bias correction: m_t = g_t and θ_t = θ_{t−1} − α·g_t/(√v_t + ε), RMSprop's rule.
        assert kw["beta1"] == 0.0 and not kw.get("amsgrad") and not kw.get("weight_decay")
        return optim.RMSprop, dict(lr=lr, alpha=kw["beta2"], eps=kw["eps"], weight_decay=0.0, momentum=0.0,
                                   centered=False)
    if name == "Adam":
        return optim.Adam, dict(lr=lr, betas=betas, eps=kw["eps"], weight_decay=kw.get("weight_decay", 0.0),
                                amsgrad=kw.get("amsgrad", False))
    if name == "AdamW":
        return optim.AdamW, dict(lr=lr, betas=betas, eps=kw["eps"], weight_decay=kw["weight_decay"],
                                 amsgrad=kw.get("amsgrad", False))
    if name == "AdaMax":
        return optim.Adamax, dict(lr=lr, betas=betas, eps=kw["eps"], weight_decay=0.0)
    if name == "Nadam":
        return optim.NAdam, dict(lr=lr, betas=betas, eps=kw["eps"], weight_decay=0.0,
                                 momentum_decay=kw["momentum_decay"], decoupled_weight_decay=False)
    if name == "RAdam":
        return optim.RAdam, dict(lr=lr, betas=betas, eps=kw["eps"], weight_decay=0.0,
                                 decoupled_weight_decay=False)
    raise ValueError(f"no PyTorch equivalent for {name}")


def call(qualified_name: str, kwargs: dict) -> str:
    """The library call, written out for the JSON file: ``torch.optim.Adam(lr=0.05, ...)``."""
    return f"{qualified_name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def run_torch(name: str, kw: dict, objective: str, dtype: str, x0: list) -> list:
    """PyTorch's path from x0: the parameters at SAVED_STEPS."""
    grad = OBJECTIVES[objective][1]
    np_dtype, torch_dtype = DTYPES[dtype]
    torch.set_default_dtype(torch_dtype)
    try:
        p = torch.tensor(x0, dtype=torch_dtype)
        cls, torch_kwargs = torch_optimizer(name, kw)
        opt = cls([p], **torch_kwargs, foreach=False)
        trajectory = [p.tolist()]
        for step in range(1, STEPS + 1):
            x = p.numpy().copy()
            assert x.dtype == np_dtype
            p.grad = torch.from_numpy(grad(x))
            opt.step()
            if not torch.isfinite(p).all():
                raise RuntimeError(f"{name} {kw} diverged on {objective} ({dtype}) at step {step}")
            if step in SAVED_STEPS:
                trajectory.append(p.tolist())
    finally:
        torch.set_default_dtype(torch.float32)
    return trajectory


# --- the Keras cases -----------------------------------------------------------------------------
# (keras.optimizers.Adam keywords, dtypes). lr = 2**-5, 2**-6 and β1 = 0.875, 0.75, β2 = 1 − 2**-10,
# 1 − 2**-7 are exact in float32, so Keras's float32 learning-rate variable and its cast of the β values
# change nothing in float64. The classic seed setting (lr 0.05, ε̂ 1e-7, β 0.9/0.999) only in float32.

KERAS_SETTINGS = [
    ({"learning_rate": 2**-5, "beta_1": 0.875, "beta_2": 1 - 2**-10, "epsilon": 1e-7}, ("float64", "float32")),
    ({"learning_rate": 2**-6, "beta_1": 0.75, "beta_2": 1 - 2**-7, "epsilon": 2**-20}, ("float64", "float32")),
    ({"learning_rate": 0.05, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}, ("float32",)),
]

# The other Keras optimizers: (Keras class, its keywords but the learning rate, adam_edu optimizer, its
# keywords but lr, {objective: learning rate}), each in float64 and float32. Learning rates, ρ, β and the
# weight decay are exact in float32, as above. What each one is in adam_edu, verified in Keras 3.15.1's
# source (keras/src/optimizers/*.py):
# * RMSprop: velocity ← ρ·velocity + (1 − ρ)·g²; centered: ḡ ← ρ·ḡ + (1 − ρ)·g and velocity − ḡ²;
#   increment = lr·g/√(velocity + ε) (ε inside the root); momentum: b ← μ·b + increment, θ ← θ − b.
#   That is RMSProp(eps_inside_root=True) (lr outside the buffer there: the same path at a constant lr),
#   and, with no momentum and no centering, Adam(beta1=0, beta2=ρ, bias_correction=False, eps_inside_root=True).
# * Adagrad: accumulator starts at initial_accumulator_value, += g²; θ ← θ − lr·g/√(accumulator + ε):
#   AdaGrad(initial_accumulator_value=..., eps_inside_root=True).
# * AdamW: Keras's Adam (ε̂) after base_optimizer._apply_weight_decay, θ ← θ − θ·wd·lr (decay multiplied
#   by the learning rate, before the step): AdamW(eps_hat=True).
# * Nadam: u_t = β1·(1 − ½·0.96^t), PyTorch's μ_t with momentum_decay ψ = 1 (PyTorch: 0.96^(t·ψ),
#   ψ = 0.004), Algorithm 1's ε outside √v̂_t: Nadam(momentum_decay=1.0).
KERAS_MORE = [
    # ρ = 1 − 2**-7 on Rosenbrock: with ρ ≤ 0.9375 and these learning rates the paths there sit on a knife-edge.
    ("RMSprop", {"rho": 1 - 2**-7, "momentum": 0.0, "epsilon": 1e-7, "centered": False}, "RMSProp",
     {"rho": 1 - 2**-7, "eps": 1e-7, "eps_inside_root": True}, {"cubic": 2**-7, "rosenbrock": 2**-10}),
    ("RMSprop", {"rho": 1 - 2**-7, "momentum": 0.75, "epsilon": 1e-6, "centered": False}, "RMSProp",
     {"rho": 1 - 2**-7, "eps": 1e-6, "momentum": 0.75, "eps_inside_root": True},
     {"cubic": 2**-9, "rosenbrock": 2**-10}),
    ("RMSprop", {"rho": 1 - 2**-7, "momentum": 0.5, "epsilon": 1e-7, "centered": True}, "RMSProp",
     {"rho": 1 - 2**-7, "eps": 1e-7, "momentum": 0.5, "centered": True, "eps_inside_root": True},
     {"cubic": 2**-8, "rosenbrock": 2**-10}),
    ("RMSprop", {"rho": 0.9375, "momentum": 0.0, "epsilon": 2**-20, "centered": False}, "Adam",
     {"beta1": 0.0, "beta2": 0.9375, "eps": 2**-20, "bias_correction": False, "eps_inside_root": True},
     {"cubic": 2**-7, "rosenbrock": 2**-12}),
    ("Adagrad", {"initial_accumulator_value": 0.1, "epsilon": 1e-7}, "AdaGrad",
     {"eps": 1e-7, "initial_accumulator_value": 0.1, "eps_inside_root": True}, {"cubic": 2**-3, "rosenbrock": 2**-3}),
    ("Adagrad", {"initial_accumulator_value": 2**-10, "epsilon": 2**-20}, "AdaGrad",
     {"eps": 2**-20, "initial_accumulator_value": 2**-10, "eps_inside_root": True},
     {"cubic": 2**-1, "rosenbrock": 2**-1}),
    ("AdamW", {"weight_decay": 2**-4, "beta_1": 0.875, "beta_2": 1 - 2**-10, "epsilon": 1e-7, "amsgrad": False},
     "AdamW", {"beta1": 0.875, "beta2": 1 - 2**-10, "eps": 1e-7, "weight_decay": 2**-4, "eps_hat": True},
     {"cubic": 2**-5, "rosenbrock": 2**-5}),
    ("AdamW", {"weight_decay": 0.5, "beta_1": 0.75, "beta_2": 1 - 2**-7, "epsilon": 2**-20, "amsgrad": True},
     "AdamW", {"beta1": 0.75, "beta2": 1 - 2**-7, "eps": 2**-20, "weight_decay": 0.5, "eps_hat": True,
               "amsgrad": True}, {"cubic": 2**-6, "rosenbrock": 2**-6}),
    ("Nadam", {"beta_1": 0.875, "beta_2": 1 - 2**-10, "epsilon": 1e-7}, "Nadam",
     {"beta1": 0.875, "beta2": 1 - 2**-10, "eps": 1e-7, "momentum_decay": 1.0}, {"cubic": 2**-5, "rosenbrock": 2**-6}),
    ("Nadam", {"beta_1": 0.75, "beta_2": 1 - 2**-7, "epsilon": 2**-20}, "Nadam",
     {"beta1": 0.75, "beta2": 1 - 2**-7, "eps": 2**-20, "momentum_decay": 1.0}, {"cubic": 2**-6, "rosenbrock": 2**-7}),
]


def run_keras(keras_class: str, kw: dict, objective: str, dtype: str, x0: list) -> list:
    """Keras's path from x0 with ``keras.optimizers.<keras_class>(**kw)``: the parameters at SAVED_STEPS."""
    import keras

    grad = OBJECTIVES[objective][1]
    np_dtype = DTYPES[dtype][0]
    variable = keras.Variable(np.array(x0, dtype=np_dtype), dtype=dtype)
    opt = getattr(keras.optimizers, keras_class)(**kw)
    trajectory = [np.asarray(variable.value).tolist()]
    for step in range(1, STEPS + 1):
        x = np.asarray(variable.value)
        assert x.dtype == np_dtype
        opt.apply_gradients([(keras.ops.convert_to_tensor(grad(x)), variable)])
        if not np.isfinite(np.asarray(variable.value)).all():
            raise RuntimeError(f"Keras {keras_class} {kw} diverged on {objective} ({dtype}) at step {step}")
        if step in SAVED_STEPS:
            trajectory.append(np.asarray(variable.value).tolist())
    return trajectory


# --- how much the last bit matters -----------------------------------------------------------------
# Two correct implementations round differently (PyTorch's m + (1 − β1)(g − m) against β1·m + (1 − β1)·g,
# √v/√(1 − β2^t) against √(v/(1 − β2^t)), ...), so their paths differ in the last bits. On most
# paths that difference stays a few units of the last place. On some it explodes: a zig-zag across
# the Rosenbrock valley that starts one step earlier or later changes every later point by 1e-3.
# Such a case cannot tell a right implementation from a wrong one at any tolerance, so each case
# is run a second time from x0 moved by one unit in the last place, and a case whose path then moves
# by more than MAX_SENSITIVITY machine epsilons is refused. The number is stored with each case.

MAX_SENSITIVITY = 1000.0


def sensitivity(run, x0: list, dtype: str, trajectory: list) -> float:
    """max |θ − θ'| over the saved steps, in machine epsilons, for θ' started one ulp away from x0."""
    np_dtype = DTYPES[dtype][0]
    nudged = [float(np.nextafter(np_dtype(v), np_dtype(np.inf))) for v in x0]
    difference = np.abs(np.array(run(nudged)) - np.array(trajectory)).max()
    return float(difference / np.finfo(np_dtype).eps)


def checked_sensitivity(run, x0: list, dtype: str, trajectory: list, label: str) -> float:
    value = sensitivity(run, x0, dtype, trajectory)
    if value > MAX_SENSITIVITY:
        raise RuntimeError(
            f"{label}: a one-ulp change of x0 moves the path by {value:.3g} machine epsilons "
            f"(> {MAX_SENSITIVITY:g}); choose other hyper-parameters for this case"
        )
    return round(value, 1)


# --- writing -------------------------------------------------------------------------------------


def case(library: str, library_call: str, optimizer: str, kwargs: dict, objective: str, dtype: str,
         trajectory: list, sensitivity: float) -> dict:
    variant = ",".join(f"{k}={v}" for k, v in kwargs.items())
    return {
        "id": f"{library.split()[0]}/{optimizer}/{variant}/{objective}/{dtype}",
        "library": library,
        "library_call": library_call,
        "optimizer": optimizer,
        "kwargs": kwargs,
        "objective": objective,
        "dtype": dtype,
        "x0": OBJECTIVES[objective][0] if objective in OBJECTIVES else AFTER_ADAM_OBJECTIVES[objective],
        "steps": STEPS,
        "saved_steps": SAVED_STEPS,
        "sensitivity": sensitivity,
        "trajectory": trajectory,
    }


def header(libraries: dict) -> dict:
    return {
        "made_by": "tools/make_reference_data.py (run it to remake this file)",
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        **libraries,
        "trajectory": "trajectory[i] = the parameters after saved_steps[i] steps, from x0",
        "kwargs": "adam_edu's keyword names: the case is adam_edu.optimizers.<optimizer>(**kwargs)",
        "sensitivity": "max change of the saved points, in machine epsilons of dtype, when x0 moves by one ulp",
    }


def write(path: Path, head: dict, cases: list) -> None:
    """JSON with one line per trajectory row, so a diff of two versions stays readable."""
    lines = ["{", f'  "header": {json.dumps(head, ensure_ascii=False)},', '  "cases": [']
    for i, c in enumerate(cases):
        fields = [f'    "{k}": {json.dumps(v)}' for k, v in c.items() if k != "trajectory"]
        rows = ",\n".join(f"      {json.dumps(row)}" for row in c["trajectory"])
        fields.append(f'    "trajectory": [\n{rows}\n    ]')
        lines.append("   {\n" + ",\n".join(fields) + "\n   }" + ("," if i < len(cases) - 1 else ""))
    lines += ["  ]", "}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8"))["cases"] == cases  # it reads back exactly


def torch_cases() -> list:
    version = torch.__version__.split("+")[0]
    cases = []
    for dtype in DTYPES:
        for objective, (x0, _) in OBJECTIVES.items():
            for optimizer, settings, lrs in TORCH_SETTINGS:
                kwargs = {"lr": lrs[objective], **settings}
                cls, torch_kwargs = torch_optimizer(optimizer, kwargs)

                def run(start, optimizer=optimizer, kwargs=kwargs, objective=objective, dtype=dtype):
                    return run_torch(optimizer, kwargs, objective, dtype, start)

                trajectory = run(x0)
                label = f"torch {optimizer} {kwargs} on {objective} ({dtype})"
                cases.append(case(f"torch {version}", call(f"torch.optim.{cls.__name__}", torch_kwargs), optimizer,
                                  kwargs, objective, dtype, trajectory,
                                  checked_sensitivity(run, x0, dtype, trajectory, label)))
    return cases


def keras_cases() -> list:
    import keras

    cases = []
    for settings, dtypes in KERAS_SETTINGS:
        for amsgrad in (False, True):
            for dtype in dtypes:
                for objective, (x0, _) in OBJECTIVES.items():

                    def run(start, settings=settings, amsgrad=amsgrad, objective=objective, dtype=dtype):
                        return run_keras("Adam", {**settings, "amsgrad": amsgrad}, objective, dtype, start)

                    trajectory = run(x0)
                    kwargs = {"lr": settings["learning_rate"], "beta1": settings["beta_1"],
                              "beta2": settings["beta_2"], "eps": settings["epsilon"], "eps_hat": True}
                    if amsgrad:
                        kwargs["amsgrad"] = True
                    label = f"keras Adam {settings} amsgrad={amsgrad} on {objective} ({dtype})"
                    cases.append(case(f"keras {keras.__version__}",
                                      call("keras.optimizers.Adam", {**settings, "amsgrad": amsgrad}), "Adam",
                                      kwargs, objective, dtype, trajectory,
                                      checked_sensitivity(run, x0, dtype, trajectory, label)))
    for keras_class, keras_kwargs, optimizer, settings, lrs in KERAS_MORE:
        for dtype in DTYPES:
            for objective, (x0, _) in OBJECTIVES.items():
                library_kwargs = {"learning_rate": lrs[objective], **keras_kwargs}

                def run(start, keras_class=keras_class, library_kwargs=library_kwargs, objective=objective,
                        dtype=dtype):
                    return run_keras(keras_class, library_kwargs, objective, dtype, start)

                trajectory = run(x0)
                kwargs = {"lr": lrs[objective], **settings}
                label = f"keras {keras_class} {library_kwargs} on {objective} ({dtype})"
                cases.append(case(f"keras {keras.__version__}", call(f"keras.optimizers.{keras_class}", library_kwargs),
                                  optimizer, kwargs, objective, dtype, trajectory,
                                  checked_sensitivity(run, x0, dtype, trajectory, label)))
    return cases


def main() -> None:
    import jax
    import keras

    DATA.mkdir(parents=True, exist_ok=True)
    made = {
        "reference_torch.json": (header({"torch": torch.__version__}), torch_cases()),
        "reference_keras.json": (header({"keras": keras.__version__, "keras_backend": keras.backend.backend(),
                                         "jax": jax.__version__, "jax_enable_x64": bool(jax.config.jax_enable_x64)}),
                                 keras_cases()),
    }
    for name, (head, cases) in made.items():
        write(DATA / name, head, cases)
        size = (DATA / name).stat().st_size
        worst = max(c["sensitivity"] for c in cases)
        print(f"{name}: {len(cases)} cases, {size / 1e3:.0f} kB, largest sensitivity {worst:g} eps", file=sys.stderr)


# --- after Adam: Adafactor, Lion, schedule-free AdamW, Muon (notebook 12) ----------------------------
# A third file, tests/data/reference_after_adam.json, made by ``python tools/make_reference_data.py
# after_adam`` alone (the two files above are left as they are). Read by tests/test_optimizers_after_adam.py.
# Made with the same environment plus optax 0.2.8 (pip install optax).
#
# Besides the cubic and Rosenbrock (vectors: Adafactor keeps a full second moment there, Muon takes its Adam
# step), a least-squares problem with a matrix, so that Adafactor factors and Muon orthogonalises:
#   f(W, b) = ½·mean_i ‖x_i·W + b − y_i‖²,  R = X·W + b − Y,  grad_W = Xᵀ·R/n,  grad_b = mean_i R_i,
# with X (8×3), Y (8×2), W_0 (3×2) and b_0 (2) drawn from default_rng(0) and rounded to multiples of 1/16,
# so that float32 starts from the same numbers. The parameters are a dict {"W", "b"}; a saved row of the
# trajectory is W.ravel() followed by b.
#
# What each library computes, read from its source (torch 2.13.0, keras 3.15.1, optax 0.2.8):
# * Lion: keras.optimizers.Lion (decay θ ← θ − θ·λ·η before the sign step) and optax.lion (θ − η·(sign(c) + λθ)).
# * Adafactor: keras.optimizers.Adafactor is the paper's (ε1 added to G², ρ_t = min(lr, 1/√t)): adam_edu's
#   defaults. torch.optim.Adafactor clamps with ε1 in place of adding it: Adafactor(eps1_clamped=True), and
#   decays θ ← θ·(1 − lr·λ) after α_t is taken: Adafactor(weight_decay=λ).
# * Schedule-free AdamW: optax.contrib.schedule_free_adamw (warm-up, weight decay; the authors' form), and
#   keras.optimizers.ScheduleFreeAdamW without either (Keras takes c = 1/t during warm-up and decays y
#   before recovering x: other rules).
# * Muon: keras.optimizers.Muon (momentum as a sum, Newton–Schulz in the variable's dtype, scale
#   0.2·√max(A, B), ε̂-Adam for the other arrays): Muon(sum_momentum=True, adjust_lr="match_rms_adamw",
#   adam_eps_hat=True, adam_lr=lr·adam_lr_ratio). torch.optim.Muon runs Newton–Schulz in bfloat16 (its
#   steps differ by ~1%), so it gives no reference path at these tolerances; optax.contrib.muon scales
#   and treats non-matrices differently again.

_MATRIX_RNG = np.random.default_rng(0)
MATRIX_DATA = {name: (np.round(_MATRIX_RNG.normal(size=shape) * 16) / 16).tolist()
               for name, shape in (("X", (8, 3)), ("Y", (8, 2)), ("W", (3, 2)), ("b", (2,)))}


def matrix_grad(params: dict) -> dict:
    X = np.asarray(MATRIX_DATA["X"], dtype=params["W"].dtype)
    Y = np.asarray(MATRIX_DATA["Y"], dtype=params["W"].dtype)
    residual = X @ params["W"] + params["b"] - Y
    return {"W": X.T @ residual / len(X), "b": residual.mean(axis=0)}


def _as_tree(objective: str, x0, dtype: str) -> dict:
    """The starting point as a dict of NumPy arrays (the vector objectives: one entry, "p")."""
    np_dtype = DTYPES[dtype][0]
    if objective == "matrix":
        return {"W": np.array(x0["W"], dtype=np_dtype), "b": np.array(x0["b"], dtype=np_dtype)}
    return {"p": np.array(x0, dtype=np_dtype)}


def _grad_tree(objective: str, tree: dict) -> dict:
    if objective == "matrix":
        return matrix_grad(tree)
    return {"p": OBJECTIVES[objective][1](tree["p"])}


def _row(tree: dict) -> list:
    return np.concatenate([np.asarray(a).ravel() for a in tree.values()]).tolist()


AFTER_ADAM_OBJECTIVES = {"cubic": OBJECTIVES["cubic"][0], "rosenbrock": OBJECTIVES["rosenbrock"][0],
                         "matrix": {"W": MATRIX_DATA["W"], "b": MATRIX_DATA["b"]}}


def run_tree_library(step_fn, objective: str, dtype: str, x0) -> list:
    """A library's path: ``step_fn(tree, grads) -> tree`` from x0, the rows at SAVED_STEPS."""
    tree = _as_tree(objective, x0, dtype)
    trajectory = [_row(tree)]
    for step in range(1, STEPS + 1):
        tree = step_fn(tree, _grad_tree(objective, tree))
        if not all(np.isfinite(a).all() for a in tree.values()):
            raise RuntimeError(f"diverged on {objective} ({dtype}) at step {step}")
        if step in SAVED_STEPS:
            trajectory.append(_row(tree))
    return trajectory


def keras_stepper(keras_class: str, kw: dict, objective: str, dtype: str, x0):
    import keras

    variables = {k: keras.Variable(a, dtype=dtype, name=f"var_{k}") for k, a in _as_tree(objective, x0, dtype).items()}
    opt = getattr(keras.optimizers, keras_class)(**kw)

    def step(tree, grads):
        opt.apply_gradients([(keras.ops.convert_to_tensor(grads[k]), variables[k]) for k in variables])
        return {k: np.asarray(v.value) for k, v in variables.items()}

    return step


def torch_stepper(torch_class: str, kw: dict, objective: str, dtype: str, x0):
    tensors = {k: torch.tensor(a) for k, a in _as_tree(objective, x0, dtype).items()}
    opt = getattr(torch.optim, torch_class)(list(tensors.values()), **kw)

    def step(tree, grads):
        for k, p in tensors.items():
            p.grad = torch.from_numpy(np.ascontiguousarray(grads[k]))
        opt.step()
        return {k: p.detach().numpy().copy() for k, p in tensors.items()}

    return step


def optax_stepper(optax_name: str, kw: dict, objective: str, dtype: str, x0):
    import jax.numpy as jnp
    import optax
    import optax.contrib

    transform = getattr(optax.contrib if optax_name.startswith("contrib.") else optax,
                        optax_name.removeprefix("contrib."))(**kw)
    holder = {"state": None}

    def step(tree, grads):
        params = {k: jnp.asarray(a) for k, a in tree.items()}
        if holder["state"] is None:
            holder["state"] = transform.init(params)
        updates, holder["state"] = transform.update({k: jnp.asarray(g) for k, g in grads.items()},
                                                    holder["state"], params)
        return {k: np.asarray(a) for k, a in optax.apply_updates(params, updates).items()}

    return step


STEPPERS = {"keras": keras_stepper, "torch": torch_stepper, "optax": optax_stepper}

# (library, library class or function, its keywords but the learning rate, adam_edu optimizer, its keywords
# but lr, {objective: learning rate}). Learning rates, β, ρ and decays exact in float32 (Keras keeps the
# learning rate in a float32 variable), small enough that the sign and orthogonal steps (of fixed size)
# do not reach the minimum, where they would zig-zag on a knife-edge.
AFTER_ADAM_SETTINGS = [
    ("keras", "Lion", {"beta_1": 0.875, "beta_2": 1 - 2**-7}, "Lion", {"beta1": 0.875, "beta2": 1 - 2**-7},
     {"cubic": 2**-10, "rosenbrock": 2**-10, "matrix": 2**-9}),
    ("keras", "Lion", {"beta_1": 0.75, "beta_2": 0.9375, "weight_decay": 0.5}, "Lion",
     {"beta1": 0.75, "beta2": 0.9375, "weight_decay": 0.5}, {"cubic": 2**-10, "rosenbrock": 2**-10, "matrix": 2**-9}),
    ("optax", "lion", {"b1": 0.9, "b2": 0.99, "weight_decay": 0.1}, "Lion",
     {"beta1": 0.9, "beta2": 0.99, "weight_decay": 0.1}, {"cubic": 1e-3, "rosenbrock": 1e-3, "matrix": 2e-3}),
    ("keras", "Adafactor", {"beta_2_decay": -0.8, "epsilon_1": 1e-30, "epsilon_2": 1e-3, "clip_threshold": 1.0},
     "Adafactor", {"beta2_decay": -0.8, "eps1": 1e-30, "eps2": 1e-3, "clip_threshold": 1.0},
     {"cubic": 2**-6, "rosenbrock": 2**-10, "matrix": 2**-7}),
    ("keras", "Adafactor", {"beta_2_decay": -0.5, "epsilon_1": 2**-20, "epsilon_2": 2**-5, "clip_threshold": 2.0},
     "Adafactor", {"beta2_decay": -0.5, "eps1": 2**-20, "eps2": 2**-5, "clip_threshold": 2.0},
     {"cubic": 2**-5, "rosenbrock": 2**-12, "matrix": 2**-7}),
    ("torch", "Adafactor", {"beta2_decay": -0.8, "eps": (1e-30, 1e-3), "d": 1.0, "weight_decay": 0.0,
                            "foreach": False},
     "Adafactor", {"beta2_decay": -0.8, "eps1": 1e-30, "eps2": 1e-3, "clip_threshold": 1.0, "eps1_clamped": True},
     {"cubic": 1e-2, "rosenbrock": 1e-3, "matrix": 1e-2}),
    ("torch", "Adafactor", {"beta2_decay": -0.6, "eps": (1e-3, 1e-2), "d": 2.0, "weight_decay": 0.5,
                            "foreach": False},
     "Adafactor", {"beta2_decay": -0.6, "eps1": 1e-3, "eps2": 1e-2, "clip_threshold": 2.0, "weight_decay": 0.5,
                   "eps1_clamped": True}, {"cubic": 3e-2, "rosenbrock": 2e-4, "matrix": 1.5e-2}),
    ("optax", "contrib.schedule_free_adamw", {"b1": 0.9, "b2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
     "ScheduleFreeAdamW", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
     {"cubic": 0.01, "rosenbrock": 0.005, "matrix": 0.01}),
    # No warm-up: Optax's base step counts its schedule from 0 and its averaging weight from 1, so its first
    # step leaves z where it was (the authors' code uses γ·t/T_warmup in both); Keras takes c = 1/t.
    ("optax", "contrib.schedule_free_adamw", {"b1": 0.8, "b2": 0.99, "eps": 1e-6, "weight_decay": 0.25},
     "ScheduleFreeAdamW", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.25},
     {"cubic": 0.02, "rosenbrock": 0.01, "matrix": 0.02}),
    ("keras", "ScheduleFreeAdamW", {"beta_1": 0.875, "beta_2": 1 - 2**-10, "epsilon": 1e-7, "warmup_steps": 0},
     "ScheduleFreeAdamW", {"beta1": 0.875, "beta2": 1 - 2**-10, "eps": 1e-7},
     {"cubic": 2**-7, "rosenbrock": 2**-8, "matrix": 2**-7}),
    ("keras", "Muon", {"adam_beta_1": 0.875, "adam_beta_2": 1 - 2**-10, "epsilon": 1e-7, "weight_decay": None,
                       "adam_weight_decay": None, "adam_lr_ratio": 0.5, "momentum": 0.9375, "ns_steps": 5,
                       "nesterov": True, "rms_rate": 0.2},
     "Muon", {"momentum": 0.9375, "nesterov": True, "ns_steps": 5, "eps": 1e-7, "adam_beta1": 0.875,
              "adam_beta2": 1 - 2**-10, "adam_eps": 1e-7, "adjust_lr": "match_rms_adamw", "sum_momentum": True,
              "adam_eps_hat": True}, {"cubic": 2**-6, "rosenbrock": 2**-8, "matrix": 2**-8}),
    ("keras", "Muon", {"adam_beta_1": 0.75, "adam_beta_2": 1 - 2**-7, "epsilon": 2**-20, "weight_decay": 0.25,
                       "adam_weight_decay": None, "adam_lr_ratio": 1.0, "momentum": 0.75, "ns_steps": 3,
                       "nesterov": False, "rms_rate": 0.2},
     "Muon", {"momentum": 0.75, "nesterov": False, "ns_steps": 3, "eps": 1e-7, "weight_decay": 0.25,
              "adam_beta1": 0.75, "adam_beta2": 1 - 2**-7, "adam_eps": 2**-20, "adjust_lr": "match_rms_adamw",
              "sum_momentum": True, "adam_eps_hat": True}, {"cubic": 2**-6, "rosenbrock": 2**-7, "matrix": 2**-9}),
]


def _library_kwargs(library: str, name: str, kw: dict, lr: float) -> dict:
    if library == "keras":
        return {"learning_rate": lr, **kw}
    if library == "optax":
        return {"learning_rate": lr, **kw}
    return {"lr": lr, **kw}


def _adam_edu_kwargs(library: str, name: str, library_kw: dict, kwargs: dict, lr: float) -> dict:
    kwargs = {"lr": lr, **kwargs}
    if name == "Muon":  # Keras's Adam rate is lr·adam_lr_ratio
        kwargs["adam_lr"] = lr * library_kw["adam_lr_ratio"]
    return kwargs


def after_adam_cases() -> list:
    import jax
    import keras
    import optax

    versions = {"keras": f"keras {keras.__version__}", "torch": f"torch {torch.__version__.split('+')[0]}",
                "optax": f"optax {optax.__version__} (jax {jax.__version__})"}
    qualified = {"keras": "keras.optimizers.", "torch": "torch.optim.", "optax": "optax."}
    cases = []
    for library, name, library_kw, optimizer, settings, lrs in AFTER_ADAM_SETTINGS:
        for dtype in DTYPES:
            for objective, x0 in AFTER_ADAM_OBJECTIVES.items():
                lr = lrs[objective]
                full_kw = _library_kwargs(library, name, library_kw, lr)

                def run(start, library=library, name=name, full_kw=full_kw, objective=objective, dtype=dtype):
                    if library == "torch":
                        torch.set_default_dtype(DTYPES[dtype][1])
                    try:
                        stepper = STEPPERS[library](name, full_kw, objective, dtype, start)
                        return run_tree_library(stepper, objective, dtype, start)
                    finally:
                        torch.set_default_dtype(torch.float32)

                trajectory = run(x0)
                label = f"{library} {name} {full_kw} on {objective} ({dtype})"
                kwargs = _adam_edu_kwargs(library, name, library_kw, settings, lr)
                made = case(versions[library], call(qualified[library] + name, full_kw), optimizer, kwargs,
                            objective, dtype, trajectory, checked_after_adam_sensitivity(run, x0, dtype, trajectory,
                                                                                        label))
                made["x0"] = x0
                cases.append(made)
    return cases


def checked_after_adam_sensitivity(run, x0, dtype: str, trajectory: list, label: str) -> float:
    """As ``checked_sensitivity``, with x0 a list or a dict of lists (the matrix problem)."""
    np_dtype = DTYPES[dtype][0]

    def nudge(value):
        if isinstance(value, dict):
            return {k: nudge(v) for k, v in value.items()}
        array = np.array(value, dtype=np_dtype)
        return np.nextafter(array, np_dtype(np.inf)).tolist()

    difference = np.abs(np.array(run(nudge(x0))) - np.array(trajectory)).max()
    value = float(difference / np.finfo(np_dtype).eps)
    if value > MAX_SENSITIVITY:
        raise RuntimeError(f"{label}: a one-ulp change of x0 moves the path by {value:.3g} machine epsilons "
                           f"(> {MAX_SENSITIVITY:g}); choose other hyper-parameters for this case")
    return round(value, 1)


def main_after_adam() -> None:
    import jax
    import keras
    import optax

    cases = after_adam_cases()
    head = header({"keras": keras.__version__, "keras_backend": keras.backend.backend(), "torch": torch.__version__,
                   "optax": optax.__version__, "jax": jax.__version__,
                   "jax_enable_x64": bool(jax.config.jax_enable_x64),
                   "matrix": "f(W, b) = ½·mean_i ‖x_i·W + b − y_i‖², data below; a row is W.ravel() then b",
                   "matrix_data": MATRIX_DATA})
    head["made_by"] = "tools/make_reference_data.py after_adam (run it to remake this file)"
    path = DATA / "reference_after_adam.json"
    write(path, head, cases)
    worst = max(c["sensitivity"] for c in cases)
    print(f"{path.name}: {len(cases)} cases, {path.stat().st_size / 1e3:.0f} kB, largest sensitivity {worst:g} eps",
          file=sys.stderr)


if __name__ == "__main__":
    main_after_adam() if sys.argv[1:] == ["after_adam"] else main()
