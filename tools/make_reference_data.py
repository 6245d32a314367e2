"""Make the reference trajectories in tests/data/ with PyTorch and Keras.

``tests/test_reference.py`` runs every optimizer of ``adam_edu.optimizers`` from the same start, with
the same gradients, and compares its path with the path the real library took. This script makes
those paths. It is run by hand by a maintainer, never by the tests, and PyTorch and Keras are not
dependencies of adam_edu: they live in a separate virtual environment.

Made with
---------
Python 3.11.7, NumPy 2.4.6, torch 2.13.0+cpu, keras 3.15.1 on the JAX backend (jax and jaxlib 0.10.2,
64-bit mode switched on with ``JAX_ENABLE_X64=1``, which this script sets itself).
Each JSON file records the versions that made it and the date.

How to run it
-------------
::

    python3.11 -m venv /tmp/refenv
    /tmp/refenv/bin/pip install numpy torch==2.13.0 --index-url <the PyTorch CPU wheel index>  # or plain `pip install torch`
    /tmp/refenv/bin/pip install keras==3.15.1 jax==0.10.2
    cd <the repository> && /tmp/refenv/bin/python tools/make_reference_data.py

It writes ``tests/data/reference_torch.json`` and ``tests/data/reference_keras.json`` (together about
0.2 MB) in about a minute. Other versions of the libraries should give the same numbers up to the
last bits; the tests' tolerances say how close they have to be.

What is computed
----------------
Two objectives, with gradients written by hand (no autograd), as the same expressions in the same
operation order as ``adam_edu.functions``, so the float rounding of the gradient is the same in both
and a test measures only the update rule:

* cubic, f(x) = x³ − 2x² + 2 from x0 = [0.001]:  grad = 3.0 * x**2 - 4.0 * x
* rosenbrock, f = (1 − x)² + 100(y − x²)² from x0 = [−1.5, 2.0]:
  grad_x = -2.0 * (1.0 - x) - 400.0 * x * (y - x**2),  grad_y = 200.0 * (y - x**2)

For each case: 300 steps from x0, in float64 and in float32, with the parameters saved after steps
0, 1, …, 10, 20, 30, …, 300. Hyper-parameters are stored under adam_edu's keyword names; floats are
written with repr() precision, so a float64 (or a float32 widened to float64) reads back exactly.

* PyTorch: ``p.grad`` is set from the expressions above (evaluated in torch; the script checks at
  every step that they equal the NumPy expressions bit for bit), then ``opt.step()``. Single-tensor
  code path (``foreach=False``), the one whose formula the PyTorch documentation gives. For float64
  runs ``torch.set_default_dtype(torch.float64)``, because NAdam keeps its μ-product (and all
  optimizers their step count) in the default dtype; reset to float32 afterwards.
  ``Adam(beta1=0, bias_correction=False)`` has no PyTorch optimizer of its own but equals
  ``RMSprop(alpha=beta2, eps=eps)``: with β1 = 0, m_t = g_t; without bias correction the step is
  α·g_t/(√v_t + ε) with v_t = β2·v_{t−1} + (1 − β2)·g_t², which is RMSprop's step with α = β2.
* Keras 3: ``keras.optimizers.Adam`` uses ε̂ (the paper's §2 form), i.e. adam_edu's
  ``Adam(eps_hat=True)``; ``amsgrad=True`` gives ``Adam(eps_hat=True, amsgrad=True)``. The gradient
  comes from the NumPy expressions and is handed to ``apply_gradients``. Keras keeps the learning
  rate as a float32 variable and casts the β values to the variable's dtype, so the float64 cases
  use a learning rate and β values that float32 represents exactly (ADAM_REFERENCE.md §7).
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
# The expressions of adam_edu.functions, evaluated the same way (NumPy, x and y as NumPy scalars).
# The gradient is computed here, not by torch, and handed to the library as it is: NumPy's scalar
# x**2 calls C pow() while torch's x**2 multiplies, and the two differ in the last bit when x² falls
# exactly half-way between two floats (it happens within 300 Rosenbrock steps).


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
    ("Adam", {"beta1": 0.0, "beta2": 0.999, "eps": 1e-8, "bias_correction": False}, {"cubic": 0.01, "rosenbrock": 0.01}),
    ("Adam", {"beta1": 0.0, "beta2": 0.99, "eps": 1e-6, "bias_correction": False}, {"cubic": 0.005, "rosenbrock": 0.003}),
    ("AdamW", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01}, {"cubic": 0.05, "rosenbrock": 0.05}),
    ("AdamW", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.5}, {"cubic": 0.01, "rosenbrock": 0.01}),
    ("AdaMax", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, {"cubic": 0.05, "rosenbrock": 0.05}),
    ("AdaMax", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6}, {"cubic": 0.01, "rosenbrock": 0.01}),
    ("Nadam", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 4e-3}, {"cubic": 0.05, "rosenbrock": 0.02}),
    ("Nadam", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-8, "momentum_decay": 1e-2}, {"cubic": 0.01, "rosenbrock": 0.01}),
    # RAdam's first steps are SGD steps (ρ_t ≤ 5), hence the small Rosenbrock learning rates.
    ("RAdam", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, {"cubic": 0.05, "rosenbrock": 0.001}),
    ("RAdam", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-8}, {"cubic": 0.01, "rosenbrock": 0.002}),
]


def torch_optimizer(name: str, kw: dict, params: list):
    """The torch.optim optimizer that computes adam_edu's ``name(**kw)``, and its name."""
    lr = kw["lr"]
    common = {"foreach": False}
    if name == "SGD":
        return "SGD", torch.optim.SGD(params, lr=lr, momentum=kw["momentum"], dampening=0.0, weight_decay=0.0,
                                      nesterov=kw["nesterov"], **common)
    if name == "AdaGrad":
        return "Adagrad", torch.optim.Adagrad(params, lr=lr, lr_decay=0.0, weight_decay=0.0,
                                              initial_accumulator_value=0.0, eps=kw["eps"], **common)
    if name == "RMSProp":
        return "RMSprop", torch.optim.RMSprop(params, lr=lr, alpha=kw["rho"], eps=kw["eps"], weight_decay=0.0,
                                              momentum=0.0, centered=False, **common)
    if name == "AdaDelta":
        return "Adadelta", torch.optim.Adadelta(params, lr=lr, rho=kw["rho"], eps=kw["eps"], weight_decay=0.0,
                                                **common)
    betas = (kw["beta1"], kw["beta2"])
    if name == "Adam" and not kw.get("bias_correction", True):
        assert kw["beta1"] == 0.0 and not kw.get("amsgrad") and not kw.get("weight_decay")
        return "RMSprop", torch.optim.RMSprop(params, lr=lr, alpha=kw["beta2"], eps=kw["eps"], weight_decay=0.0,
                                              momentum=0.0, centered=False, **common)
    if name == "Adam":
        return "Adam", torch.optim.Adam(params, lr=lr, betas=betas, eps=kw["eps"],
                                        weight_decay=kw.get("weight_decay", 0.0),
                                        amsgrad=kw.get("amsgrad", False), **common)
    if name == "AdamW":
        return "AdamW", torch.optim.AdamW(params, lr=lr, betas=betas, eps=kw["eps"],
                                          weight_decay=kw["weight_decay"], amsgrad=False, **common)
    if name == "AdaMax":
        return "Adamax", torch.optim.Adamax(params, lr=lr, betas=betas, eps=kw["eps"], weight_decay=0.0, **common)
    if name == "Nadam":
        return "NAdam", torch.optim.NAdam(params, lr=lr, betas=betas, eps=kw["eps"], weight_decay=0.0,
                                          momentum_decay=kw["momentum_decay"], decoupled_weight_decay=False,
                                          **common)
    if name == "RAdam":
        return "RAdam", torch.optim.RAdam(params, lr=lr, betas=betas, eps=kw["eps"], weight_decay=0.0,
                                          decoupled_weight_decay=False, **common)
    raise ValueError(f"no PyTorch equivalent for {name}")


def run_torch(name: str, kw: dict, objective: str, dtype: str) -> tuple[str, list]:
    x0, grad = OBJECTIVES[objective]
    np_dtype, torch_dtype = DTYPES[dtype]
    torch.set_default_dtype(torch_dtype)
    try:
        p = torch.tensor(x0, dtype=torch_dtype)
        torch_name, opt = torch_optimizer(name, kw, [p])
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
    return torch_name, trajectory


# --- the Keras cases -----------------------------------------------------------------------------
# (keras.optimizers.Adam keywords, dtypes). lr = 2**-5, 2**-6 and β1 = 0.875, 0.75, β2 = 1 − 2**-10,
# 1 − 2**-7 are exact in float32, so Keras's float32 learning-rate variable and its cast of the β values
# change nothing in float64. The classic seed setting (lr 0.05, ε̂ 1e-7, β 0.9/0.999) only in float32.

KERAS_SETTINGS = [
    ({"learning_rate": 2**-5, "beta_1": 0.875, "beta_2": 1 - 2**-10, "epsilon": 1e-7}, ("float64", "float32")),
    ({"learning_rate": 2**-6, "beta_1": 0.75, "beta_2": 1 - 2**-7, "epsilon": 2**-20}, ("float64", "float32")),
    ({"learning_rate": 0.05, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}, ("float32",)),
]


def run_keras(kw: dict, amsgrad: bool, objective: str, dtype: str) -> list:
    import keras

    x0, grad = OBJECTIVES[objective]
    np_dtype = DTYPES[dtype][0]
    variable = keras.Variable(np.array(x0, dtype=np_dtype), dtype=dtype)
    opt = keras.optimizers.Adam(**kw, amsgrad=amsgrad)
    trajectory = [np.asarray(variable.value).tolist()]
    for step in range(1, STEPS + 1):
        x = np.asarray(variable.value)
        assert x.dtype == np_dtype
        opt.apply_gradients([(keras.ops.convert_to_tensor(grad(x)), variable)])
        if not np.isfinite(np.asarray(variable.value)).all():
            raise RuntimeError(f"Keras Adam {kw} diverged on {objective} ({dtype}) at step {step}")
        if step in SAVED_STEPS:
            trajectory.append(np.asarray(variable.value).tolist())
    return trajectory


# --- writing -------------------------------------------------------------------------------------


def case(library: str, library_name: str, optimizer: str, kwargs: dict, objective: str, dtype: str,
         trajectory: list) -> dict:
    variant = ",".join(f"{k}={v}" for k, v in kwargs.items())
    return {
        "id": f"{library.split()[0]}/{optimizer}/{variant}/{objective}/{dtype}",
        "library": library,
        "library_optimizer": library_name,
        "optimizer": optimizer,
        "kwargs": kwargs,
        "objective": objective,
        "dtype": dtype,
        "x0": OBJECTIVES[objective][0],
        "steps": STEPS,
        "saved_steps": SAVED_STEPS,
        "trajectory": trajectory,
    }


def header(libraries: dict) -> dict:
    return {
        "made_by": "tools/make_reference_data.py (run it to remake this file)",
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        **libraries,
        "note": "trajectory[i] = parameters after saved_steps[i] steps; kwargs use adam_edu's keyword names",
    }


def write(path: Path, head: dict, cases: list) -> None:
    """JSON with one line per trajectory row, so a diff of two versions stays readable."""
    lines = ["{", f'  "header": {json.dumps(head)},', '  "cases": [']
    for i, c in enumerate(cases):
        fields = [f'    "{k}": {json.dumps(v)}' for k, v in c.items() if k != "trajectory"]
        rows = ",\n".join(f"      {json.dumps(row)}" for row in c["trajectory"])
        fields.append(f'    "trajectory": [\n{rows}\n    ]')
        lines.append("   {\n" + ",\n".join(fields) + "\n   }" + ("," if i < len(cases) - 1 else ""))
    lines += ["  ]", "}", ""]
    path.write_text("\n".join(lines))
    json.loads(path.read_text())  # it must read back


def main() -> None:
    import jax
    import keras

    DATA.mkdir(parents=True, exist_ok=True)
    torch_version = torch.__version__.split("+")[0]
    torch_cases = []
    for dtype in DTYPES:
        for objective in OBJECTIVES:
            for optimizer, settings, lrs in TORCH_SETTINGS:
                kwargs = {"lr": lrs[objective], **settings}
                torch_name, trajectory = run_torch(optimizer, kwargs, objective, dtype)
                torch_cases.append(case(f"torch {torch_version}", torch_name, optimizer, kwargs, objective,
                                        dtype, trajectory))
    write(DATA / "reference_torch.json", header({"torch": torch.__version__}), torch_cases)

    keras_cases = []
    for settings, dtypes in KERAS_SETTINGS:
        for amsgrad in (False, True):
            for dtype in dtypes:
                for objective in OBJECTIVES:
                    trajectory = run_keras(settings, amsgrad, objective, dtype)
                    kwargs = {"lr": settings["learning_rate"], "beta1": settings["beta_1"],
                              "beta2": settings["beta_2"], "eps": settings["epsilon"], "eps_hat": True}
                    if amsgrad:
                        kwargs["amsgrad"] = True
                    keras_cases.append(case(f"keras {keras.__version__}", "Adam", "Adam", kwargs, objective,
                                            dtype, trajectory))
    backend = {"keras": keras.__version__, "keras_backend": keras.backend.backend(), "jax": jax.__version__,
               "jax_enable_x64": bool(jax.config.jax_enable_x64)}
    write(DATA / "reference_keras.json", header(backend), keras_cases)

    for path, cases in (("reference_torch.json", torch_cases), ("reference_keras.json", keras_cases)):
        size = (DATA / path).stat().st_size
        print(f"{path}: {len(cases)} cases, {size / 1e3:.0f} kB", file=sys.stderr)


if __name__ == "__main__":
    main()
