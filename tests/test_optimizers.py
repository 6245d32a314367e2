"""Unit tests of adam_edu.optimizers, with NumPy and pytest only.

* Exact values, CS231n style: Algorithm 1 written out in this file, and beside it the classic
  mistakes (t used before it is incremented, a missing square root, a missing bias correction, ε
  inside the root). Each test shows that its mistake changes the numbers, and that adam_edu gives the
  right ones to 1e-12.
* Properties from the paper: scale invariance, |Δθ| = α at t = 1, bias correction of a constant.
* How the optimizers relate: AdamW against Adam with L2, RMSProp as Adam without β1 and bias
  correction, AdaMax's step bound, RAdam's SGD start.
* Bad input fails at the boundary, naming the parameter, the value and the valid range.
* The in-place ``step`` gives the same bits as ``update``, also on arrays larger than Adam's block.

The paths of PyTorch and Keras are compared in test_reference.py.
"""

from __future__ import annotations

import copy
import inspect
import re

import numpy as np
import pytest

from adam_edu import ALL_OPTIMIZERS, registry
from adam_edu.optimizers import (
    SGD,
    AdaDelta,
    AdaGrad,
    Adam,
    AdamState,
    AdamW,
    AdaMax,
    Nadam,
    RAdam,
    RMSProp,
)

EXACT = {"rtol": 1e-12, "atol": 0.0}


def arrays_of(tree) -> list[np.ndarray]:
    """Every array in params, grads or a state (a NamedTuple of arrays, dicts of arrays, numbers)."""
    if isinstance(tree, np.ndarray):
        return [tree]
    if isinstance(tree, dict):
        return [a for value in tree.values() for a in arrays_of(value)]
    if isinstance(tree, tuple):
        return [a for value in tree for a in arrays_of(value)]
    return []


# A few optimizers, one of each class and each option, for the tests that should hold for all.
EVERY_OPTION = [
    SGD(lr=0.01),
    SGD(lr=0.01, momentum=0.9),
    SGD(lr=0.01, momentum=0.9, nesterov=True),
    AdaGrad(lr=0.1),
    RMSProp(lr=0.01),
    AdaDelta(),
    Adam(lr=0.01),
    Adam(lr=0.01, amsgrad=True),
    Adam(lr=0.01, eps_hat=True),
    Adam(lr=0.01, bias_correction=False),
    Adam(lr=0.01, weight_decay=0.1),
    Adam(lr=0.01, eps_hat=True, amsgrad=True, weight_decay=0.1),
    Adam(lr=0.01, eps_hat=True, bias_correction=False),
    Adam(lr=0.01, amsgrad=True, bias_correction=False, weight_decay=0.01),
    AdamW(lr=0.01),
    AdaMax(),
    Nadam(),
    RAdam(lr=0.01),
    # the libraries' conventions
    AdaGrad(lr=0.1, initial_accumulator_value=0.1, eps_inside_root=True),
    RMSProp(lr=0.01, momentum=0.9, centered=True, eps_inside_root=True),
    Adam(lr=0.01, eps_inside_root=True, amsgrad=True),
    AdamW(lr=0.01, eps_hat=True, amsgrad=True),
    Nadam(momentum_decay=1.0),
]
# every class of the registry, so that an optimizer added there is tested here without another list to edit
EVERY_OPTION += [v.make(0.01) for v in registry.VARIANTS if v.optimizer not in {type(opt) for opt in EVERY_OPTION}]
EVERY_OPTION_IDS = [repr(opt) for opt in EVERY_OPTION]


def test_every_option_list_covers_every_class():
    assert {type(opt) for opt in EVERY_OPTION} == set(ALL_OPTIMIZERS)


# ---------------------------------------------------------------------------------------------
# Exact values, CS231n style


def adam_by_the_book(theta, g, m, v, t, *, lr, beta1, beta2, eps, mistake=None):
    """One step of Algorithm 1 (Kingma & Ba), line by line; ``mistake`` puts in one classic error."""
    if mistake != "t used before it is incremented":
        t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    with np.errstate(divide="ignore", invalid="ignore"):  # the t mistake divides by 1 − β^0 = 0
        m_hat = m if mistake == "missing bias correction of m_hat" else m / (1 - beta1**t)
        v_hat = v if mistake == "missing bias correction of v_hat" else v / (1 - beta2**t)
        if mistake == "missing square root":
            denominator = v_hat + eps
        elif mistake == "eps inside the square root":
            denominator = np.sqrt(v_hat + eps)
        else:
            denominator = np.sqrt(v_hat) + eps
        theta = theta - lr * m_hat / denominator
    if mistake == "t used before it is incremented":
        t = t + 1
    return theta, m, v, t


# CS231n's check of Adam: a 4×5 weight matrix and a mid-run state (t = 5, m and v given), all from
# np.linspace. ε = 1e-3 rather than 1e-8, so that its place shows in the numbers (v̂ ≈ 100 here).
HYPER = {"lr": 1e-2, "beta1": 0.9, "beta2": 0.999, "eps": 1e-3}


def cs231n_arrays():
    n, d = 4, 5
    w = np.linspace(-0.4, 0.6, num=n * d).reshape(n, d)
    dw = np.linspace(-0.6, 0.4, num=n * d).reshape(n, d)
    m = np.linspace(0.6, 0.9, num=n * d).reshape(n, d)
    v = np.linspace(0.7, 0.5, num=n * d).reshape(n, d)
    return w, dw, m, v


def by_the_book_mid_run(mistake=None):
    """One step from CS231n's state at t = 5."""
    w, dw, m, v = cs231n_arrays()
    return adam_by_the_book(w, dw, m, v, 5, **HYPER, mistake=mistake)[0]


def adam_edu_mid_run():
    w, dw, m, v = cs231n_arrays()
    state = AdamState(t=5, m=m, v=v, v_max=None, m_hat=None, v_hat=None, delta=None)
    return Adam(**HYPER).update(w, dw, state)[0]


def three_gradients():
    w, dw, _, _ = cs231n_arrays()
    return w, [dw, -0.5 * dw[::-1], dw + 0.3]  # different signs and sizes at each step


def by_the_book_three_steps(mistake=None):
    """Three steps from m = v = 0, t = 0."""
    w, grads = three_gradients()
    theta, m, v, t = w, np.zeros_like(w), np.zeros_like(w), 0
    for g in grads:
        theta, m, v, t = adam_by_the_book(theta, g, m, v, t, **HYPER, mistake=mistake)
    return theta


def adam_edu_three_steps():
    w, grads = three_gradients()
    opt = Adam(**HYPER)
    theta, state = w, opt.init(w)
    for g in grads:
        theta, state = opt.update(theta, g, state)
    return theta


SCENARIOS = {
    "one step from CS231n's state at t=5": (by_the_book_mid_run, adam_edu_mid_run),
    "three steps from zero": (by_the_book_three_steps, adam_edu_three_steps),
}


def check_adam_does_not_make(mistake: str) -> None:
    for scenario, (by_the_book, adam_edu) in SCENARIOS.items():
        right, wrong, ours = by_the_book(), by_the_book(mistake), adam_edu()
        change = np.nanmax(np.abs(wrong - right) / np.abs(right)) if np.isfinite(wrong).all() else np.inf
        assert change > 1e-6, f"{scenario}: the test data cannot see the mistake '{mistake}'"
        makes_it = np.allclose(ours, wrong, **EXACT)
        np.testing.assert_allclose(
            ours,
            right,
            **EXACT,
            err_msg=f"{scenario}: adam_edu differs from Algorithm 1 (this test catches the classic mistake "
            f"'{mistake}'{', and adam_edu gives exactly its numbers' if makes_it else ''})",
        )


def test_t_is_incremented_before_it_is_used():
    check_adam_does_not_make("t used before it is incremented")


def test_the_square_root_of_v_hat_is_taken():
    check_adam_does_not_make("missing square root")


def test_m_hat_is_bias_corrected():
    check_adam_does_not_make("missing bias correction of m_hat")


def test_v_hat_is_bias_corrected():
    check_adam_does_not_make("missing bias correction of v_hat")


def test_eps_is_added_outside_the_square_root():
    check_adam_does_not_make("eps inside the square root")


def test_eps_inside_root_is_that_placement_and_no_other():
    # Adam(eps_inside_root=True) is Algorithm 1 with "ε inside the square root", on purpose.
    w, dw, m, v = cs231n_arrays()
    state = AdamState(t=5, m=m, v=v, v_max=None, m_hat=None, v_hat=None, delta=None)
    inside = Adam(**HYPER, eps_inside_root=True).update(w, dw, state)[0]
    np.testing.assert_allclose(inside, by_the_book_mid_run("eps inside the square root"), rtol=1e-12, atol=0)
    assert np.abs(inside - by_the_book_mid_run()).max() > 1e-7


def test_rmsprop_centered_with_momentum_two_steps_by_hand():
    # PyTorch's RMSprop written out: s, ḡ, the denominator √(s − ḡ²) + ε, b = μ·b + g/denominator, θ −= η·b.
    lr, rho, eps, mu = 0.1, 0.9, 1e-3, 0.5
    g1, g2 = np.array([2.0, -0.5]), np.array([1.0, 0.25])
    s1, a1 = 0.1 * g1**2, 0.1 * g1
    b1 = g1 / (np.sqrt(s1 - a1**2) + eps)
    s2, a2 = 0.9 * s1 + 0.1 * g2**2, 0.9 * a1 + 0.1 * g2
    b2 = mu * b1 + g2 / (np.sqrt(s2 - a2**2) + eps)
    expected = np.zeros(2) - lr * b1 - lr * b2
    inside = np.zeros(2) - lr * g1 / np.sqrt(s1 - a1**2 + eps)  # Keras: ε under the root
    opt = RMSProp(lr=lr, rho=rho, eps=eps, momentum=mu, centered=True)
    theta, state = opt.update(np.zeros(2), g1, opt.init(np.zeros(2)))
    theta, state = opt.update(theta, g2, state)
    np.testing.assert_allclose(theta, expected, rtol=1e-12)
    np.testing.assert_allclose(state.g_avg, a2, rtol=1e-12)
    np.testing.assert_allclose(state.b, b2, rtol=1e-12)
    keras_like = RMSProp(lr=lr, rho=rho, eps=eps, centered=True, eps_inside_root=True)
    np.testing.assert_allclose(keras_like.update(np.zeros(2), g1, keras_like.init(np.zeros(2)))[0], inside,
                               rtol=1e-12)


def test_adagrad_starts_its_sum_at_the_initial_accumulator_value():
    opt = AdaGrad(lr=0.5, eps=0.0, initial_accumulator_value=3.0)
    state = opt.init(np.zeros(2))
    np.testing.assert_array_equal(state.s, [3.0, 3.0])
    theta, state = opt.update(np.zeros(2), np.array([1.0, -1.0]), state)
    np.testing.assert_allclose(theta, [-0.25, 0.25], rtol=1e-15)  # −0.5·1/√(3 + 1)


def test_nadam_momentum_decay_one_is_keras_schedule():
    # Keras 3: u_t = β1·(1 − ½·0.96^t); PyTorch: β1·(1 − ½·0.96^(0.004·t)).
    keras_like, torch_like = Nadam(beta1=0.9, momentum_decay=1.0), Nadam(beta1=0.9)
    for t in (1, 2, 10, 100):
        assert keras_like.mu(t) == pytest.approx(0.9 * (1 - 0.5 * 0.96**t), rel=1e-15)
        assert torch_like.mu(t) == pytest.approx(0.9 * (1 - 0.5 * 0.96 ** (0.004 * t)), rel=1e-15)
    assert keras_like.mu(100) > 0.89 > 0.46 > torch_like.mu(100)


def test_two_steps_match_the_closed_form():
    # t = 1: m̂ = g1, v̂ = g1²; t = 2: m̂ = (β1·g1 + g2)/(1 + β1), v̂ = (β2·g1² + g2²)/(1 + β2),
    # because (1 − β)·(β·a + b)/(1 − β²) = (β·a + b)/(1 + β).
    lr, b1, b2, eps = HYPER["lr"], HYPER["beta1"], HYPER["beta2"], HYPER["eps"]
    theta0, g1, g2 = np.linspace(-1, 1, 6), np.linspace(-0.9, 1.3, 6), np.linspace(2.0, -0.5, 6)
    opt = Adam(**HYPER)
    theta1, state1 = opt.update(theta0, g1, opt.init(theta0))
    theta2, state2 = opt.update(theta1, g2, state1)
    m_hat2, v_hat2 = (b1 * g1 + g2) / (1 + b1), (b2 * g1**2 + g2**2) / (1 + b2)
    np.testing.assert_allclose(state1.m_hat, g1, **EXACT)
    np.testing.assert_allclose(state1.v_hat, g1**2, **EXACT)
    np.testing.assert_allclose(theta1, theta0 - lr * g1 / (np.abs(g1) + eps), **EXACT)
    np.testing.assert_allclose(state2.m_hat, m_hat2, **EXACT)
    np.testing.assert_allclose(state2.v_hat, v_hat2, **EXACT)
    np.testing.assert_allclose(theta2, theta1 - lr * m_hat2 / (np.sqrt(v_hat2) + eps), **EXACT)


# ---------------------------------------------------------------------------------------------
# Properties of Adam (paper §2.1 and §3)


def gradient_stream(steps: int, size: int = 50, seed: int = 0) -> list[np.ndarray]:
    """Gradients that do not depend on θ, of both signs and very different sizes."""
    rng = np.random.default_rng(seed)
    scales = 10.0 ** rng.uniform(-3, 2, size)
    return [scales * rng.standard_normal(size) for _ in range(steps)]


def run_stream(opt, grads, theta0=None, dtype=np.float64):
    theta = np.zeros(grads[0].shape, dtype) if theta0 is None else theta0
    state = opt.init(theta)
    path, states = [theta], [state]
    for g in grads:
        theta, state = opt.update(theta, g, state)
        path.append(theta)
        states.append(state)
    return np.array(path), states


@pytest.mark.parametrize("eps_hat", [False, True])
@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_steps_do_not_change_when_the_gradients_are_scaled(eps_hat, amsgrad):
    # (c·m̂)/√(c²·v̂) = m̂/√v̂: with ε = 0 the path does not depend on the scale of the gradients.
    grads = gradient_stream(40)
    opt = Adam(lr=0.01, eps=0.0, eps_hat=eps_hat, amsgrad=amsgrad)
    _, states = run_stream(opt, grads)
    _, scaled_states = run_stream(opt, [1000.0 * g for g in grads])
    steps = np.array([state.delta for state in states[1:]])
    scaled_steps = np.array([state.delta for state in scaled_states[1:]])
    np.testing.assert_allclose(scaled_steps, steps, rtol=1e-12, atol=0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_first_adam_step_is_exactly_lr_in_every_coordinate_when_eps_is_zero(dtype):
    g = gradient_stream(1)[0].astype(dtype)
    assert (g > 0).any() and (g < 0).any()
    lr = 0.01
    theta, state = Adam(lr=lr, eps=0.0).update(np.zeros_like(g), g, Adam(lr=lr, eps=0.0).init(np.zeros_like(g)))
    rtol = 8 * np.finfo(dtype).eps  # m̂ = 0.1·g/0.1 is g up to the rounding of 1 − β1
    np.testing.assert_allclose(np.abs(state.delta), lr, rtol=rtol)
    np.testing.assert_array_equal(np.sign(state.delta), -np.sign(g))
    np.testing.assert_array_equal(theta, state.delta)


def test_bias_corrected_averages_of_a_constant_stream_are_the_constant():
    # E[m_t] = (1 − β1^t)·g for a constant g: dividing by (1 − β1^t) gives g back at every t (§3).
    constant = np.linspace(-2.0, 3.0, 7)
    _, states = run_stream(Adam(lr=0.01, beta1=0.9, beta2=0.999), [constant] * 30)
    for state in states[1:]:
        np.testing.assert_allclose(state.m_hat, constant, rtol=1e-12, err_msg=f"m̂ at t={state.t}")
        np.testing.assert_allclose(state.v_hat, constant**2, rtol=1e-12, err_msg=f"v̂ at t={state.t}")


@pytest.mark.parametrize("opt", [Adam(lr=0.01), Adam(lr=0.01, amsgrad=True), Adam(lr=0.01, eps_hat=True),
                                 Adam(lr=0.01, weight_decay=0.1), Adam(lr=0.01, bias_correction=False),
                                 AdamW(lr=0.01, weight_decay=0.1)], ids=repr)
def test_adam_state_is_consistent_with_the_parameters(opt):
    grads = gradient_stream(10)
    path, states = run_stream(opt, grads, theta0=np.linspace(-1, 1, 50))
    v_max = np.zeros(50)
    for t in range(1, len(states)):
        state, before, after = states[t], path[t - 1], path[t]
        if isinstance(opt, AdamW):
            np.testing.assert_array_equal(state.delta, after - before)  # decay and step together
        else:
            np.testing.assert_array_equal(after, before + state.delta)
            # after − before is delta up to the rounding of before + delta: half a unit of `after`
            assert (np.abs((after - before) - state.delta) <= np.abs(np.spacing(after))).all()
        v_max = np.maximum(v_max, state.v)
        v_used = v_max if opt.amsgrad else state.v
        if opt.bias_correction:
            np.testing.assert_allclose(state.m_hat, state.m / (1 - opt.beta1**t), **EXACT)
            np.testing.assert_allclose(state.v_hat, v_used / (1 - opt.beta2**t), **EXACT)
        else:
            np.testing.assert_array_equal(state.m_hat, state.m)
            np.testing.assert_array_equal(state.v_hat, v_used)


@pytest.mark.parametrize("opt", EVERY_OPTION, ids=EVERY_OPTION_IDS)
def test_update_never_changes_its_inputs(opt):
    rng = np.random.default_rng(1)
    params = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
    state = opt.init(params)
    for _ in range(3):
        grads = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
        before = copy.deepcopy((params, grads, state))
        new_params, new_state = opt.update(params, grads, state)
        for old, now in zip(arrays_of(before), arrays_of((params, grads, state)), strict=True):
            np.testing.assert_array_equal(now, old)
        params, state = new_params, new_state


@pytest.mark.parametrize("opt", EVERY_OPTION, ids=EVERY_OPTION_IDS)
def test_a_dict_of_arrays_of_different_shapes_is_updated_array_by_array(opt):
    rng = np.random.default_rng(2)
    shapes = {"W": (3, 4), "b": (4,), "kernel": (2, 3, 2), "scale": (1,)}
    params = {name: rng.standard_normal(shape) for name, shape in shapes.items()}
    grads = [{name: rng.standard_normal(shape) for name, shape in shapes.items()} for _ in range(4)]
    together, state = params, opt.init(params)
    for g in grads:
        together, state = opt.update(together, g, state)
    for name in shapes:
        alone, _ = run_stream(opt, [g[name] for g in grads], theta0=params[name])
        np.testing.assert_array_equal(together[name], alone[-1], err_msg=name)


@pytest.mark.parametrize("grad_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("opt", EVERY_OPTION, ids=EVERY_OPTION_IDS)
def test_float32_parameters_stay_float32(opt, grad_dtype):
    rng = np.random.default_rng(3)
    params = rng.standard_normal(10).astype(np.float32)
    state = opt.init(params)
    in_place, in_place_state = params.copy(), opt.init(params)
    for _ in range(3):
        g = rng.standard_normal(10).astype(grad_dtype)
        params, state = opt.update(params, g, state)
        in_place_state = opt.step(in_place, g, in_place_state)
        assert params.dtype == np.float32
        assert in_place.dtype == np.float32
        for array in arrays_of(state) + arrays_of(in_place_state):
            assert array.dtype == np.float32, f"a state array of dtype {array.dtype}"


# ---------------------------------------------------------------------------------------------
# How the optimizers relate


def test_adamw_decays_every_weight_by_the_same_factor_and_adam_with_l2_does_not():
    # With a zero loss gradient, AdamW's decay θ ← θ·(1 − α·λ) is the same factor for every weight;
    # Adam's L2 term λ·θ goes through the normalisation, so every weight moves by about α instead.
    theta0, zero = np.array([0.01, 1.0, 100.0]), np.zeros(3)
    lr, wd = 0.01, 0.1
    adamw, _ = run_stream(AdamW(lr=lr, weight_decay=wd), [zero] * 5, theta0=theta0)
    adam_l2, _ = run_stream(Adam(lr=lr, weight_decay=wd), [zero] * 5, theta0=theta0)
    np.testing.assert_allclose(adamw[-1] / theta0, (1 - lr * wd) ** 5, rtol=1e-12)
    # Adam's first step is α·λθ/(λ|θ| + ε): α up to ε/(λ|θ|) = 1e-5 for the smallest weight.
    np.testing.assert_allclose(np.abs(adam_l2[1] - theta0), lr, rtol=2e-5)
    assert np.abs(adamw[-1] - adam_l2[-1]).max() > 0.04


def test_adamw_and_adam_with_weight_decay_take_different_paths():
    grads = gradient_stream(20)
    adamw, _ = run_stream(AdamW(lr=0.01, weight_decay=0.1), grads, theta0=np.ones(50))
    adam_l2, _ = run_stream(Adam(lr=0.01, weight_decay=0.1), grads, theta0=np.ones(50))
    assert np.abs(adamw[-1] - adam_l2[-1]).max() > 1e-3


def test_adamw_without_weight_decay_is_adam():
    grads = gradient_stream(20)
    adamw, _ = run_stream(AdamW(lr=0.01, weight_decay=0.0), grads, theta0=np.ones(50))
    adam, _ = run_stream(Adam(lr=0.01), grads, theta0=np.ones(50))
    np.testing.assert_array_equal(adamw, adam)


@pytest.mark.parametrize("rho", [0.9, 0.99])
def test_rmsprop_is_adam_without_first_moment_and_bias_correction(rho):
    grads = gradient_stream(30)
    rmsprop, rmsprop_states = run_stream(RMSProp(lr=0.01, rho=rho, eps=1e-8), grads)
    adam, adam_states = run_stream(Adam(lr=0.01, beta1=0.0, beta2=rho, eps=1e-8, bias_correction=False), grads)
    np.testing.assert_array_equal(rmsprop, adam)
    np.testing.assert_array_equal(rmsprop_states[-1].s, adam_states[-1].v)


@pytest.mark.parametrize("seed", range(5))
def test_adamax_steps_are_at_most_lr_for_random_gradients(seed):
    lr = 0.002
    _, states = run_stream(AdaMax(lr=lr, eps=0.0), gradient_stream(200, seed=seed))
    steps = np.abs(np.array([state.delta for state in states[1:]]))
    assert steps.max() <= lr * (1 + 1e-12)


def test_adamax_step_bound_is_approximate_for_gradients_that_decay_like_beta2():
    # The paper's |Δ_t| ≤ α (§7.1) is exact only up to the factor (1 − β1)/(1 − β1/β2): m̂_t averages
    # old gradients that u_t has discounted by β2 per step. With |g_t| = β2^t the bound is reached.
    lr, b1, b2 = 0.002, 0.9, 0.999
    _, states = run_stream(AdaMax(lr=lr, beta1=b1, beta2=b2, eps=0.0), [np.array([b2**t]) for t in range(1, 2001)])
    steps = np.array([abs(state.delta[0]) for state in states[1:]])
    bound = lr * (1 - b1) / (1 - b1 / b2)  # = 1.0091·lr
    assert steps.max() > lr
    np.testing.assert_allclose(steps.max(), bound, rtol=1e-9)


def test_adamax_step_bound_is_not_exceeded_by_gradients_that_grow_like_one_over_beta2():
    # The docstring: "gradients *shrinking* like β2^t reach it (...), growing ones stay at α". Growing
    # gradients keep u_t = |g_t| as the largest gradient so far, and m_t averages smaller ones.
    lr, b2 = 0.002, 0.999
    _, states = run_stream(AdaMax(lr=lr, beta2=b2, eps=0.0), [np.array([b2**-t]) for t in range(1, 2001)])
    steps = np.array([abs(state.delta[0]) for state in states[1:]])
    np.testing.assert_allclose(steps.max(), lr, rtol=1e-12)
    assert "*shrinking* like β2^t reach it" in " ".join(AdaMax.__doc__.split())


def amsgrad_step_sizes(**kwargs):
    """α/√v̂_t (α = 1, ε = 0) for g_1 = 1, then g_t = 10⁻³: v_max stays (1 − β2)·1 after step 1."""
    opt = Adam(1.0, eps=0.0, amsgrad=True, **kwargs)
    _, states = run_stream(opt, [np.array([1.0])] + [np.array([1e-3])] * 2999)
    return {t: float(1 / np.sqrt(states[t].v_hat[0])) for t in (1, 10, 100, 1000, 3000)}, states


def test_amsgrad_with_the_bias_corrected_maximum_can_grow_its_step_size():
    # Adam's docstring: "α/√v̂_t can grow while v_max stays fixed: g_1 = 1, then g_t = 10⁻³ gives
    # α/√v̂_t = 1, 3.2, 9.8, 25.1, 30.8 (×α) at t = 1, 10, 100, 1000, 3000" (issue #12, item 3).
    sizes, states = amsgrad_step_sizes()
    assert all(states[t].v_max[0] == states[1].v_max[0] for t in (10, 100, 1000, 3000))
    assert [round(sizes[t], 1) for t in sizes] == [1.0, 3.2, 9.8, 25.1, 30.8]
    assert "α/√v̂_t = 1, 3.2, 9.8, 25.1, 30.8 (×α)" in " ".join(Adam.__doc__.split())


def test_amsgrad_as_in_reddi_et_al_without_bias_correction_never_grows_its_step_size():
    sizes, _ = amsgrad_step_sizes(bias_correction=False)
    assert len(set(sizes.values())) == 1  # 1/√(0.001): the denominator only grows, α_t constant here


def test_radam_starts_as_sgd_with_bias_corrected_momentum():
    # β2 = 0.999: ρ_t ≈ 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 for t = 1…6, and PyTorch rectifies only when ρ_t > 5.
    lr, b1 = 0.01, 0.9
    grads = gradient_stream(6)
    path, states = run_stream(RAdam(lr=lr, beta1=b1, beta2=0.999), grads)
    m = np.zeros_like(grads[0])
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        sgd_step = -lr * m / (1 - b1**t)
        if t <= 5:
            assert states[t].rho_t <= 5
            np.testing.assert_allclose(path[t] - path[t - 1], sgd_step, rtol=1e-12, atol=1e-18, err_msg=f"t={t}")
        else:
            assert states[t].rho_t > 5
            assert not np.allclose(path[t] - path[t - 1], sgd_step, rtol=1e-3)


def test_radam_rho_t_of_the_state_is_the_one_the_step_uses():
    # ρ_t = 1.0, 2.0, 3.0, 4.0, 4.996, 5.994 for t = 1…6 (β2 = 0.999): finite variance from ρ_t > 4 on
    # (step 5, the paper's condition), rectified by PyTorch's conservative ρ_t > 5 from step 6 on.
    np.testing.assert_allclose([RAdam().rho(t) for t in range(1, 7)],
                               [1.0, 1.9995, 2.9987, 3.9975, 4.9960, 5.9942], atol=1e-4)

    class PapersRAdam(RAdam):
        threshold = 4.0

    grads = gradient_stream(6)
    pytorch_path, states = run_stream(RAdam(lr=0.01), grads)
    paper_path, _ = run_stream(PapersRAdam(lr=0.01), grads)
    assert states[5].rho_t == RAdam().rho(5)
    np.testing.assert_array_equal(paper_path[:5], pytorch_path[:5])
    assert not np.allclose(paper_path[5], pytorch_path[5])  # rectified one step earlier
    assert "finite once ρ_t > 4" in " ".join(RAdam.__doc__.split())


# ---------------------------------------------------------------------------------------------
# Bad input fails at the boundary, naming the parameter, the value and the valid range


def classes_with(keyword: str) -> list[type]:
    return [cls for cls in ALL_OPTIMIZERS if keyword in inspect.signature(cls.__init__).parameters]


def build(cls, **kwargs):
    return cls(**{"lr": 0.01, **kwargs})


@pytest.mark.parametrize("lr", [0.0, -0.01])
@pytest.mark.parametrize("cls", ALL_OPTIMIZERS)
def test_lr_must_be_positive(cls, lr):
    with pytest.raises(ValueError, match=re.escape(f"lr must be > 0, got {lr!r}")):
        cls(lr=lr)


# Schedule-free AdamW's β1 must be > 0 (it divides by it), Adafactor has no β2: test_optimizers_after_adam.py.
@pytest.mark.parametrize(("keyword", "value"), [("beta1", 1.0), ("beta1", -0.1), ("beta2", 1.0), ("beta2", -0.1)])
@pytest.mark.parametrize("cls", [c for c in classes_with("beta1") if c in classes_with("beta2")
                                 and c.__name__ != "ScheduleFreeAdamW"])
def test_betas_must_be_in_0_1(cls, keyword, value):
    with pytest.raises(ValueError, match=re.escape(f"{keyword} must be in [0, 1), got {value!r}")):
        build(cls, **{keyword: value})


@pytest.mark.parametrize(("cls", "keyword"), [(RMSProp, "rho"), (AdaDelta, "rho"), (SGD, "momentum")])
def test_other_decay_rates_must_be_in_0_1(cls, keyword):
    with pytest.raises(ValueError, match=re.escape(f"{keyword} must be in [0, 1), got 1.0")):
        build(cls, **{keyword: 1.0})


@pytest.mark.parametrize("cls", classes_with("eps"))
def test_eps_must_not_be_negative(cls):
    with pytest.raises(ValueError, match=re.escape("eps must be >= 0, got -1e-08")):
        build(cls, eps=-1e-8)


@pytest.mark.parametrize(
    ("cls", "keyword"), [(Adam, "weight_decay"), (AdamW, "weight_decay"), (Nadam, "momentum_decay")]
)
def test_decays_must_not_be_negative(cls, keyword):
    with pytest.raises(ValueError, match=re.escape(f"{keyword} must be >= 0, got -0.1")):
        build(cls, **{keyword: -0.1})


def test_rmsprop_momentum_must_be_in_0_1():
    for value in (1.0, -0.1):
        with pytest.raises(ValueError, match=re.escape(f"momentum must be in [0, 1), got {value!r}")):
            RMSProp(lr=0.01, momentum=value)
    with pytest.raises(TypeError, match=re.escape("momentum must be a real number, got '0.9' of type str")):
        RMSProp(lr=0.01, momentum="0.9")


def test_initial_accumulator_value_must_not_be_negative():
    with pytest.raises(ValueError, match=re.escape("initial_accumulator_value must be >= 0, got -0.1")):
        AdaGrad(lr=0.01, initial_accumulator_value=-0.1)
    with pytest.raises(ValueError, match=re.escape("initial_accumulator_value must be a finite number, got inf")):
        AdaGrad(lr=0.01, initial_accumulator_value=float("inf"))
    with pytest.raises(TypeError, match=re.escape("initial_accumulator_value must be a real number, got None")):
        AdaGrad(lr=0.01, initial_accumulator_value=None)


def test_nadam_momentum_decay_must_be_a_finite_number():
    with pytest.raises(ValueError, match=re.escape("momentum_decay must be a finite number, got nan")):
        Nadam(momentum_decay=float("nan"))
    with pytest.raises(TypeError, match=re.escape("momentum_decay must be a real number, got 'keras'")):
        Nadam(momentum_decay="keras")


@pytest.mark.parametrize(
    ("cls", "keyword"),
    [(Adam, "eps_inside_root"), (AdaGrad, "eps_inside_root"), (RMSProp, "eps_inside_root"), (RMSProp, "centered"),
     (AdamW, "eps_hat"), (AdamW, "amsgrad")],
)
def test_new_flags_must_be_true_or_false(cls, keyword):
    with pytest.raises(TypeError, match=re.escape(f"{keyword} must be True or False, got 'yes'")):
        build(cls, **{keyword: "yes"})


def test_eps_hat_and_eps_inside_root_exclude_each_other():
    message = "eps_hat=True and eps_inside_root=True are two places for ε; choose at most one"
    with pytest.raises(ValueError, match=re.escape(message)):
        Adam(eps_hat=True, eps_inside_root=True)


def test_new_keywords_are_keyword_only_and_named_in_suggestions():
    with pytest.raises(TypeError):
        AdaGrad(0.01, 1e-10, 0.1)  # initial_accumulator_value only by name
    with pytest.raises(TypeError):
        RMSProp(0.01, 0.99, 1e-8, 0.9)  # momentum only by name
    with pytest.raises(TypeError, match=re.escape("(did you mean 'initial_accumulator_value'?)")):
        AdaGrad(lr=0.01, initial_accumulator=0.1)
    with pytest.raises(TypeError, match=re.escape("(did you mean 'eps_inside_root'?)")):
        Adam(eps_inside_rot=True)


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS)
def test_hyper_parameters_must_be_numbers(cls):
    with pytest.raises(TypeError, match=re.escape("lr must be a real number, got '0.1' of type str")):
        cls(lr="0.1")


@pytest.mark.parametrize("keyword", ["amsgrad", "eps_hat", "bias_correction"])
def test_adam_flags_must_be_true_or_false(keyword):
    with pytest.raises(TypeError, match=re.escape(f"{keyword} must be True or False, got 1")):
        Adam(**{keyword: 1})


def test_nesterov_needs_momentum():
    with pytest.raises(ValueError, match=re.escape("nesterov=True needs momentum in (0, 1), got momentum=0.0")):
        SGD(lr=0.01, nesterov=True)


@pytest.mark.parametrize(
    ("cls", "wrong", "right"),
    [(Adam, "beta_1", "beta1"), (Adam, "beta_2", "beta2"), (Adam, "epsilon", "eps"), (Adam, "ams_grad", "amsgrad"),
     (AdamW, "weightdecay", "weight_decay"), (AdaMax, "beta_1", "beta1"), (Nadam, "momentum_decy", "momentum_decay"),
     (RAdam, "beta_2", "beta2"), (SGD, "nesterow", "nesterov"), (AdaGrad, "epsilon", "eps"), (RMSProp, "rh0", "rho"),
     (AdaDelta, "epsilon", "eps")],
)
def test_an_unknown_keyword_is_named_with_a_suggestion(cls, wrong, right):
    with pytest.raises(TypeError, match=re.escape(f"unknown keyword '{wrong}' (did you mean '{right}'?)")):
        build(cls, **{wrong: 0.5})


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS)
def test_params_and_grads_must_have_the_same_shape(cls):
    opt = build(cls)
    with pytest.raises(ValueError, match=re.escape("grads has shape (4,), but params has shape (3,)")):
        opt.update(np.zeros(3), np.zeros(4), opt.init(np.zeros(3)))
    params = {"W": np.zeros((2, 3)), "b": np.zeros(3)}
    with pytest.raises(ValueError, match=re.escape("grads['W'] has shape (3, 2), but params['W'] has shape (2, 3)")):
        opt.update(params, {"W": np.zeros((3, 2)), "b": np.zeros(3)}, opt.init(params))


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS)
def test_params_and_grads_must_have_the_same_keys(cls):
    opt = build(cls)
    params = {"W": np.zeros((2, 3)), "b": np.zeros(3)}
    with pytest.raises(ValueError, match=re.escape("grads must have the same keys as params: missing ['b']")):
        opt.update(params, {"W": np.zeros((2, 3))}, opt.init(params))
    with pytest.raises(ValueError, match=re.escape("missing ['b'], unexpected ['bias']")):
        opt.update(params, {"W": np.zeros((2, 3)), "bias": np.zeros(3)}, opt.init(params))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("cls", ALL_OPTIMIZERS)
def test_gradients_must_be_finite(cls, bad):
    opt = build(cls)
    grads = np.array([0.5, bad, -0.5])
    with pytest.raises(ValueError, match=re.escape("grads has 1 non-finite value(s) (nan or inf) at step t=1")):
        opt.update(np.zeros(3), grads, opt.init(np.zeros(3)))
    with pytest.raises(ValueError, match=re.escape("grads['b'] has 1 non-finite value")):
        opt.step({"b": np.zeros(3)}, {"b": grads}, opt.init({"b": np.zeros(3)}))


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS)
def test_params_must_be_floating_point(cls):
    with pytest.raises(TypeError, match=re.escape("params must be a floating-point array, got dtype int64")):
        build(cls).init(np.arange(3, dtype=np.int64))
    with pytest.raises(TypeError, match=re.escape("params['n'] must be a floating-point array, got dtype int32")):
        build(cls).init({"w": np.zeros(2), "n": np.arange(2, dtype=np.int32)})


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS)
def test_update_refuses_integer_params(cls):
    opt = build(cls)
    with pytest.raises(TypeError, match=re.escape("params must be a floating-point array")):
        opt.update(np.array([1, 2, 3]), np.array([0.5, 0.5, 0.5]), opt.init(np.zeros(3)))


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS)
def test_state_must_come_from_the_same_optimizer(cls):
    other = SGD if cls is not SGD else Adam
    with pytest.raises(TypeError, match=re.escape(f"state must be the {cls.State.__name__}")):
        build(cls).update(np.zeros(3), np.zeros(3), build(other).init(np.zeros(3)))


# ---------------------------------------------------------------------------------------------
# The in-place step: the same bits as update, written into the caller's arrays

SIZE = 100_003  # more than three of Adam's blocks of 32768, and a ragged last block
STEPS = 7  # RAdam's rectified steps start at t = 6


def test_the_large_arrays_cover_several_blocks_and_a_ragged_last_one():
    assert SIZE > 3 * Adam.block and SIZE % Adam.block != 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("opt", EVERY_OPTION, ids=EVERY_OPTION_IDS)
def test_step_in_place_equals_update_bit_for_bit(opt, dtype, monkeypatch):
    blocked_calls = []
    blocked = Adam._step_blocked

    def counted(self, *args, **kwargs):
        blocked_calls.append(1)
        return blocked(self, *args, **kwargs)

    monkeypatch.setattr(Adam, "_step_blocked", counted)

    rng = np.random.default_rng(4)
    start = rng.standard_normal(SIZE).astype(dtype)
    params, state = start.copy(), opt.init(start)
    in_place = start.copy()
    in_place_state = opt.init(in_place)
    for _ in range(STEPS):
        g = (rng.standard_normal(SIZE) * 10.0 ** rng.uniform(-3, 1, SIZE)).astype(dtype)
        buffers = {name: getattr(in_place_state, name) for name in opt.slots}
        params, state = opt.update(params, g, state)
        returned = opt.step(in_place, g, in_place_state)
        np.testing.assert_array_equal(in_place, params)
        assert returned.t == state.t
        for name, buffer in buffers.items():
            assert getattr(returned, name) is buffer, f"step replaced the {name} buffer instead of writing into it"
            if buffer is not None:
                np.testing.assert_array_equal(buffer, getattr(state, name), err_msg=name)
        in_place_state = returned
    assert not np.array_equal(in_place, start)
    uses_blocked_path = type(opt) is Adam
    assert bool(blocked_calls) == uses_blocked_path


@pytest.mark.parametrize("opt", EVERY_OPTION, ids=EVERY_OPTION_IDS)
def test_step_in_place_on_strided_arrays_and_dicts_equals_update(opt):
    rng = np.random.default_rng(5)
    start = {"W": rng.standard_normal((40, 30))[:, ::3], "b": rng.standard_normal(7)}  # W is not contiguous
    params, state = copy.deepcopy(start), opt.init(start)
    in_place = copy.deepcopy(start)
    in_place_state = opt.init(in_place)
    for _ in range(STEPS):
        g = {"W": rng.standard_normal((40, 10)), "b": rng.standard_normal(7)}
        params, state = opt.update(params, g, state)
        in_place_state = opt.step(in_place, g, in_place_state)
        for name in start:
            np.testing.assert_array_equal(in_place[name], params[name], err_msg=name)


def test_adam_step_on_a_dict_with_contiguous_then_strided_arrays_equals_update():
    start = {"a": np.ones(4), "b": np.ones((4, 4))[:, 0]}  # "a" contiguous, then "b" a strided view
    grads = {"a": np.ones(4), "b": np.ones(4)}
    opt = Adam(lr=0.1)
    expected, _ = opt.update(start, grads, opt.init(start))
    in_place = {"a": start["a"].copy(), "b": np.ones((4, 4))[:, 0]}
    opt.step(in_place, grads, opt.init(in_place))
    np.testing.assert_array_equal(in_place["a"], expected["a"])  # got 0.7656 (two steps) instead of 0.9


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS)
def test_a_zero_dimensional_parameter_can_be_updated_twice(cls):
    opt = build(cls)
    params = {"temperature": np.array(1.0), "W": np.ones(3)}
    state = opt.init(params)
    for _ in range(2):
        params, state = opt.update(params, {"temperature": np.array(0.5), "W": np.ones(3)}, state)
    assert isinstance(params["temperature"], np.ndarray)
