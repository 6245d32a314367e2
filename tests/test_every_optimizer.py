"""Every optimizer in adam_edu, whatever module defines it: the in-place ``step`` is the readable ``update``.

``step`` may take a faster path (Adam's blocked kernel); it must still compute, bit for bit, what ``update``
computes, for every boolean option, every other option that changes the rule (``OTHER_OPTIONS``) and all of them
together, with ε > 0 (at ε = 0 some rules coincide and a mix-up would not
show). A subclass that changes the rule and inherits a kernel written for its parent's rule fails here: that
was ``update_rule.AdamEpsInsideRoot``, whose ``step`` silently ran plain Adam.
"""

import importlib
import inspect
import pkgutil
import warnings

import numpy as np
import pytest

import adam_edu
from adam_edu.optimizers import Optimizer


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def optimizer_classes():
    for module in pkgutil.walk_packages(adam_edu.__path__, "adam_edu."):
        importlib.import_module(module.name)
    return sorted({c for c in _all_subclasses(Optimizer) if not inspect.isabstract(c)},
                  key=lambda c: f"{c.__module__}.{c.__qualname__}")


# The options that are not flags, each with a value that changes the rule: a step kernel written for the
# default must fail here (RMSProp's momentum, AdaGrad's s_0, Nadam's Keras schedule ψ = 1, weight decay).
OTHER_OPTIONS = {"momentum": 0.9, "initial_accumulator_value": 0.1, "momentum_decay": 1.0, "weight_decay": 0.1}


def variants(cls):
    """(name, keywords): the defaults, each boolean option switched on by itself, each other option of
    ``OTHER_OPTIONS`` set by itself, then everything at once (less what cannot be combined); lr given, ε > 0."""
    parameters = inspect.signature(cls.__init__).parameters
    base = {"lr": 0.01} if "lr" in parameters else {}
    if "nesterov" in parameters:
        base["momentum"] = 0.9  # Nesterov needs some
    if "eps" in parameters:
        base["eps"] = 1e-3  # large enough that where ε goes changes the last bits
    yield "defaults", base
    flags = {name: not p.default for name, p in parameters.items() if isinstance(p.default, bool)}
    others = {name: value for name, value in OTHER_OPTIONS.items() if name in parameters and name not in base}
    for name, value in {**flags, **others}.items():
        yield f"{name}={value}", {**base, name: value}
    everything = {**base, **others}
    for name, value in flags.items():  # e.g. eps_hat and eps_inside_root exclude each other: keep the first
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                cls(**{**everything, name: value})
        except ValueError:
            continue
        everything[name] = value
    if len(everything) > len(base) + 1:
        yield "all options", everything


CASES = [(cls, name, kw) for cls in optimizer_classes() for name, kw in variants(cls)]


def test_the_walk_finds_optimizers_outside_optimizers_py():
    names = {c.__qualname__ for c, _, _ in CASES}
    assert {"Adam", "AdamW", "SGD", "RAdam", "Nadam", "AdaMax", "AdaGrad", "RMSProp", "AdaDelta"} <= names
    assert any(c.__module__ != "adam_edu.optimizers" for c, _, _ in CASES)  # e.g. update_rule's variants


@pytest.mark.parametrize("cls, name, keywords", CASES, ids=[f"{c.__qualname__}-{n}" for c, n, _ in CASES])
def test_step_equals_update_bit_for_bit(cls, name, keywords):
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # update_rule.AdamEpsInsideRoot, kept as an alias
        opt = cls(**keywords)
    params = {"w": rng.normal(size=(5, 3)), "b": rng.normal(size=4)}
    state = opt.init(params)
    in_place = {k: v.copy() for k, v in params.items()}
    in_place_state = opt.init(in_place)
    for t in range(1, 8):
        grads = {k: rng.normal(size=v.shape) * 10.0 ** rng.uniform(-3, 1) for k, v in params.items()}
        params, state = opt.update(params, grads, state)
        in_place_state = opt.step(in_place, grads, in_place_state)
        for key in params:
            assert np.array_equal(in_place[key], params[key]), f"{key} after step {t}"
    assert in_place_state.t == state.t == 7
