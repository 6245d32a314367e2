"""The claims of notebook 01 (the cubic example), asserted from the library's own computations."""

import numpy as np
import pytest

from adam_edu import Adam, functions
from adam_edu.exercises import NotQuiteRight
from adam_edu.lessons.cubic import exercises
from adam_edu.functions import cubic


@pytest.fixture(scope="module")
def long_run():
    return functions.run(Adam(lr=0.05, eps=1e-7), cubic, x0=[0.001], steps=1000)


def test_analytic_minimum():
    assert cubic.grad(np.array([4 / 3]))[0] == pytest.approx(0, abs=1e-15)
    assert cubic.f_min == pytest.approx(22 / 27, abs=1e-15)


def test_algorithm1_float64_matches_pytorch_to_the_last_digit(long_run):
    # torch 2.13.0 Adam(lr=0.05, eps=1e-7), float64 (ADAM_REFERENCE.md §7)
    assert long_run.params[100, 0] == 1.3325528190002547
    assert long_run.params[1, 0] == pytest.approx(0.050998749093092495, abs=1e-16)


def test_first_step_is_almost_exactly_lr(long_run):
    g1 = cubic.grad(np.array([0.001]))[0]
    assert long_run.states[1].delta[0] == pytest.approx(0.05 * abs(g1) / (abs(g1) + 1e-7), rel=1e-14)
    assert long_run.states[1].m_hat[0] == pytest.approx(g1, rel=1e-14)
    assert long_run.states[1].v_hat[0] == pytest.approx(g1**2, rel=1e-12)


def test_overshoot_largest_step_and_settling(long_run):
    xs = long_run.params[:, 0]
    assert xs.argmax() == 35 and round(xs.max(), 6) == 1.501078
    deltas = np.array([s.delta[0] for s in long_run.states[1:]])
    assert np.abs(deltas).argmax() + 1 == 18 and round(np.abs(deltas).max(), 4) == 0.0544
    assert exercises.solution_settling_step(xs, 4 / 3, 1e-3) == 129
    assert exercises.solution_settling_step(xs, 4 / 3, 1e-6) == 265
    assert abs(xs[100] - 4 / 3) == pytest.approx(7.81e-4, abs=5e-7)
    assert xs[-1] == 4 / 3
    # 01: "The step size is about α only for the first 30 steps ... From step 31 the steps are far below α:
    # their median up to step 100 is 0.064α" (it used to say "about α most of the time")
    assert np.all(np.abs(deltas[:30]) >= 0.025) and np.all(np.abs(deltas[30:100]) < 0.025)
    assert f"{np.median(np.abs(deltas[30:100])) / 0.05:.3f}" == "0.064"
    # 01: "x passes 4/3 at step 27 ... the gradient turns positive at step 28 ... m̂_t stays negative until step 36"
    m_hats = np.array([s.m_hat[0] for s in long_run.states[1:]])
    assert np.argmax(xs > 4 / 3) == 27 and np.argmax(m_hats > 0) + 1 == 36
    assert cubic.grad(xs[26:27])[0] < 0 < cubic.grad(xs[27:28])[0]


def test_uncorrected_first_step_is_larger_by_one_minus_beta1_over_root_one_minus_beta2(long_run):
    # 01 summary: "(1−β1)/√(1−β2) = 0.1/√0.001 ≈ 3.16 times larger" (it used to say √0.001/0.1 ≈ 3.2)
    uncorrected = functions.run(Adam(lr=0.05, eps=1e-7, bias_correction=False), cubic, x0=[0.001], steps=1)
    ratio = uncorrected.states[1].delta[0] / long_run.states[1].delta[0]
    assert f"{ratio:.2f}" == "3.16" == f"{0.1 / np.sqrt(0.001):.2f}"


@pytest.mark.parametrize(
    "eps_hat, dtype, x1, x100",
    [
        (False, np.float64, 0.0509987, 1.3325528),
        (False, np.float32, 0.0509987, 1.3325528),
        (True, np.float64, 0.0509605, 1.3325520),
        (True, np.float32, 0.0509605, 1.3325520),
    ],
)
def test_the_four_variants_printed_in_the_notebook(eps_hat, dtype, x1, x100):
    run = functions.run(Adam(lr=0.05, eps=1e-7, eps_hat=eps_hat), cubic, x0=[0.001], steps=100, dtype=dtype)
    assert round(float(run.params[1, 0]), 7) == x1
    assert round(float(run.params[100, 0]), 7) == x100


def test_convention_matters_more_than_precision():
    def x100(eps_hat, dtype):
        return functions.run(Adam(lr=0.05, eps=1e-7, eps_hat=eps_hat), cubic, x0=[0.001], steps=100,
                             dtype=dtype).params[100, 0]

    convention = abs(x100(False, np.float64) - x100(True, np.float64))
    precision = abs(x100(False, np.float64) - float(x100(False, np.float32)))
    assert 4e-7 < convention < 1e-6 * 10 and precision < 1e-7 < convention
    # 01: "Of the gap of 1.22×10⁻⁶ between Algorithm 1's and Keras's x₁₀₀ ... the ε convention, 7.8·10⁻⁷";
    # "along the path the two conventions differ by up to 5×10⁻⁵ (at step 14)" (the old text gave 5×10⁻⁵ as
    # the effect at x₁₀₀)
    keras_x100 = 1.3325516
    assert f"{x100(False, np.float64) - keras_x100:.3g}" == "1.22e-06"
    assert f"{convention:.2g}" == "7.8e-07"
    assert f"{float(x100(True, np.float32)) - keras_x100:.2g}" == "3.6e-07"
    along = np.abs(functions.run(Adam(lr=0.05, eps=1e-7), cubic, x0=[0.001], steps=100).params[:, 0]
                   - functions.run(Adam(lr=0.05, eps=1e-7, eps_hat=True), cubic, x0=[0.001], steps=100).params[:, 0])
    assert f"{along.max():.1g}" == "5e-05" and along.argmax() == 14 and along[100] < along.max() / 50


def test_eps_to_zero_makes_the_first_step_exactly_lr():
    for eps_hat in (False, True):
        run = functions.run(Adam(lr=0.05, eps=0.0, eps_hat=eps_hat), cubic, x0=[0.001], steps=1)
        assert run.states[1].delta[0] == pytest.approx(0.05, rel=1e-15)  # ε̂ form: α_t rounds


# --- the exercises' checks ------------------------------------------------------------------------


def test_first_step_check():
    assert not exercises.check_first_step(lambda g, lr, eps: None)
    assert exercises.check_first_step(exercises.solution_first_step)
    with pytest.raises(NotQuiteRight, match="without bias correction"):
        exercises.check_first_step(lambda g, lr, eps: -lr * 0.1 * g / (np.sqrt(0.001 * g**2) + eps))
    with pytest.raises(NotQuiteRight, match="inside the square root"):
        exercises.check_first_step(lambda g, lr, eps: -lr * g / np.sqrt(g**2 + eps))


def test_equivalent_eps_check():
    assert exercises.check_equivalent_eps(exercises.solution_equivalent_eps)
    with pytest.raises(NotQuiteRight, match="multiplied"):
        exercises.check_equivalent_eps(lambda e, b2, t: e * np.sqrt(1 - b2**t))


def test_settling_step_check():
    assert exercises.check_settling_step(exercises.solution_settling_step)
    with pytest.raises(NotQuiteRight, match="first time"):
        exercises.check_settling_step(lambda xs, target, tol: int(np.argmax(np.abs(xs - target) < tol)))
