"""The claims of notebook 06 (when Adam fails), asserted from the library's own computations.

Every number notebook 06 prints is computed again here with the same library functions.
"""

import math

import numpy as np
import pytest

from adam_edu import SGD, AdaGrad, Adam, AdamW, RAdam, RMSProp, functions, plots
from adam_edu.exercises import NotQuiteRight
from adam_edu.lessons import failures, zoo
from adam_edu.lessons.failures import exercises
from adam_edu.functions import quadratic, reddi_counterexample

STEPS = 200_000


def reddi_adam(C=3.0, **kwargs):
    return Adam(beta1=0.0, beta2=1 / (1 + C**2), **kwargs)


# --- the counterexample of Reddi, Kale & Kumar -----------------------------------------------------


@pytest.mark.parametrize(
    "optimizer, big, small, period, alpha",
    [
        (reddi_adam(), 3.0, -1.0, 3, 0.1),
        (reddi_adam(amsgrad=True), 3.0, -1.0, 3, 0.1),
        (Adam(beta1=0.9, beta2=0.99), 1010.0, -10.0, 101, 0.5),
        (Adam(beta1=0.9, beta2=0.99, amsgrad=True), 1010.0, -10.0, 101, 0.5),
        (Adam(beta1=0.9, beta2=0.99, amsgrad=True, bias_correction=False), 1010.0, -10.0, 101, 0.5),
    ],
)
def test_the_fast_loop_is_the_readable_loop_to_the_last_bit(optimizer, big, small, period, alpha):
    problem = reddi_counterexample(big, small, period)
    readable = failures.run_online(optimizer, problem, 3000, alpha)
    fast = failures.run_counterexample(optimizer, big, small, period, 3000, alpha)
    np.testing.assert_array_equal(readable, fast)
    assert optimizer.lr == 1e-3  # run_online set the schedule on a copy


def test_the_fast_loop_takes_plain_adam_only():
    for optimizer in (AdamW(), Adam(eps_hat=True), Adam(weight_decay=0.1), RMSProp(0.1)):
        with pytest.raises(ValueError, match="plain Adam"):
            failures.run_counterexample(optimizer, 3.0, -1.0, 3, 10, 0.1)


def test_regret_agrees_with_functions_average_regret():
    problem = reddi_counterexample(3.0, -1.0, 3)
    history = functions.run(reddi_adam(lr=0.05), problem, steps=300)
    np.testing.assert_allclose(failures.counterexample_regret(history.params[:, 0], 3.0, -1.0, 3),
                               functions.average_regret(history, problem), rtol=1e-12)
    np.testing.assert_allclose(exercises.solution_average_regret(history.params[:, 0],
                                                                 np.where(np.arange(1, 301) % 3 == 1, 3.0, -1.0)),
                               functions.average_regret(history, problem), rtol=1e-12)


@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.2])
def test_adam_ends_at_the_worst_point_and_amsgrad_at_the_best(alpha):
    xs = failures.run_counterexample(reddi_adam(), 3.0, -1.0, 3, STEPS, alpha)
    assert xs[-1] > 0.999
    assert failures.counterexample_regret(xs, 3.0, -1.0, 3)[-1] == pytest.approx(2 / 3, abs=1e-3)
    xs = failures.run_counterexample(reddi_adam(amsgrad=True), 3.0, -1.0, 3, STEPS, alpha)
    assert xs[-1] < -0.999
    assert failures.counterexample_regret(xs, 3.0, -1.0, 3)[-1] < 0.05


def test_without_bias_correction_and_eps_as_in_the_papers_analysis_the_outcome_is_the_same():
    paper = dict(bias_correction=False, eps=0.0)
    assert failures.run_counterexample(reddi_adam(**paper), 3.0, -1.0, 3, STEPS, 0.1)[-1] > 0.999
    assert failures.run_counterexample(reddi_adam(amsgrad=True, **paper), 3.0, -1.0, 3, STEPS, 0.1)[-1] < -0.999


def test_the_counterexample_numbers_printed():
    adam = failures.run_counterexample(reddi_adam(), 3.0, -1.0, 3, STEPS, 0.1)
    amsgrad = failures.run_counterexample(reddi_adam(amsgrad=True), 3.0, -1.0, 3, STEPS, 0.1)
    assert f"{adam[-1]:+.3f} {failures.counterexample_regret(adam, 3.0, -1.0, 3)[-1]:.3f}" == "+1.000 0.667"
    assert f"{amsgrad[-1]:+.3f} {failures.counterexample_regret(amsgrad, 3.0, -1.0, 3)[-1]:.3f}" == "-1.000 0.008"


def test_the_once_in_101_steps_table():
    versions = {
        "Adam": (Adam(beta1=0.9, beta2=0.99), ["+1.000", "+0.999", "+0.994", "+0.987"]),
        "AMSGrad": (Adam(beta1=0.9, beta2=0.99, amsgrad=True), ["+0.969", "+0.693", "-0.537", "-1.000"]),
        "Reddi": (Adam(beta1=0.9, beta2=0.99, amsgrad=True, bias_correction=False),
                  ["+0.959", "+0.590", "-1.000", "-1.000"]),
    }
    for name, (optimizer, expected) in versions.items():
        got = [f"{failures.run_counterexample(optimizer, 1010.0, -10.0, 101, STEPS, a)[-1]:+.3f}"
               for a in (0.01, 0.1, 0.5, 1.0)]
        assert got == expected, name
    reddi = failures.run_counterexample(versions["Reddi"][0], 1010.0, -10.0, 101, STEPS, 0.5)
    assert np.flatnonzero(reddi <= -0.999)[0] == 147_179


# --- Adam + L2 versus AdamW ------------------------------------------------------------------------


@pytest.mark.parametrize("lam", [0.1, 1.0])
def test_adam_with_l2_solves_the_l2_problem_and_adamw_does_not(lam):
    ridge = failures.CURVATURES / (failures.CURVATURES + lam)
    l2, _ = failures.weight_decay_endpoints(Adam(0.01, weight_decay=lam))
    decoupled, _ = failures.weight_decay_endpoints(AdamW(0.01, weight_decay=lam))
    np.testing.assert_allclose(l2, ridge, atol=1e-4)
    assert np.abs(decoupled - l2).max() > 0.4  # visibly different
    assert np.ptp(decoupled) < 2e-3  # every weight ends in the same place
    printed = {0.1: "1.000 0.999 1.000 1.000 1.000 1.000", 1.0: "0.988 0.988 0.988 0.988 0.988 0.988"}
    assert " ".join(f"{x:.3f}" for x in decoupled) == printed[lam]


def test_the_l2_term_is_rescaled_by_one_over_root_v_hat_and_decoupled_decay_is_not():
    l2 = Adam(0.01, weight_decay=0.1)
    _, states = failures.weight_decay_endpoints(l2, steps=300)
    decay = failures.effective_decay(l2, states)
    np.testing.assert_allclose(decay[0], 0.01, rtol=1e-5)  # step 1: g = λθ, so λ cancels: α for all
    assert decay[100, 0] / decay[100, -1] > 2.5  # small-gradient weights decay more than large-gradient ones
    assert decay[5, 0] / decay[5, -1] > 5
    adamw = AdamW(0.01, weight_decay=0.1)
    _, states = failures.weight_decay_endpoints(adamw, steps=300)
    np.testing.assert_array_equal(failures.effective_decay(adamw, states), 0.001)


# --- RAdam and warm-up ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def early():
    return failures.early_adaptive_steps()


def test_the_spread_of_the_adaptive_factor(early):
    spread = early.psi.std(axis=1)
    printed = {1: "137", 2: "2.61", 3: "0.93", 5: "0.502", 6: "0.416", 10: "0.275", 50: "0.103", 200: "0.0509"}
    assert {t: f"{spread[t - 1]:.3g}" for t in printed} == printed
    rectified = early.rectification * spread
    assert np.isnan(early.rectification[:5]).all() and not np.isnan(early.rectification[5:]).any()
    assert {t: f"{rectified[t - 1]:.4f}" for t in (6, 10, 50, 200)} == {6: "0.0107", 10: "0.0135", 50: "0.0153",
                                                                           200: "0.0156"}
    assert 0.0105 < rectified[5:].min() and rectified[5:].max() < 0.016
    rho_infinity = 2 / (1 - RAdam().beta2) - 1
    assert f"{1 / math.sqrt(2 * rho_infinity):.4f}" == "0.0158"
    assert np.all(np.diff(spread) < 0)


def test_the_first_steps(early):
    # α·g/(|g| + ε): ±α in every coordinate, unless |g| is within a factor 1e4 of ε
    np.testing.assert_allclose(early.step_sizes["Adam"][0], 1.0, rtol=2e-4)
    np.testing.assert_allclose(early.step_sizes["Adam + warm-up"][0], 0.01, rtol=2e-4)
    assert np.median(early.step_sizes["RAdam"][5]) < 0.01  # the first rectified step is small
    np.testing.assert_array_equal(early.step_sizes["Adam + warm-up"][150], early.step_sizes["Adam"][150])


# --- learning rate and ε --------------------------------------------------------------------------


def test_learning_rate_too_large_on_the_cubic():
    finals = {lr: f"{failures.steps_on_the_cubic(lr)[-1]:+.3f}" for lr in (0.05, 0.5, 1.0, 1.5, 2.0)}
    assert finals == {0.05: "+1.289", 0.5: "+1.352", 1.0: "+1.353", 1.5: "+1.351", 2.0: "-144.731"}
    xs = failures.steps_on_the_cubic(2.0)
    assert xs[1] > 1.9 and np.all(np.diff(xs[10:]) < 0)  # over the hill, then sliding for ever


def test_learning_rate_too_large_goes_the_right_way_first():
    # 06 §4: "With lr 2 it goes the right way, downhill, but overshoots the local minimum at 4/3 and lands at
    # x = 2.001; the way back overshoots too, over the local maximum at 0 at step 3 [...] steps that end at 1.6
    # to 1.7 times lr" (issue #12, item 17: the prose said it jumped over the maximum at once).
    xs = failures.steps_on_the_cubic(2.0)
    assert round(xs[1], 3) == 2.001
    assert np.flatnonzero(xs < 0)[0] == 3
    last = np.abs(np.diff(xs[-11:])) / 2.0
    assert 1.6 <= last.min() and last.max() < 1.75
    assert np.all(np.diff(xs[3:]) < 0)  # past 0 it only slides away


def test_eps_is_felt_in_proportion_to_the_gradients():
    # 06 §4: the default ε = 1e-8 against gradients of 1e-6 is ε/|g| = 0.01, "less than ε = 1 is here" (0.027 to
    # 0.25 of the quadratic's start gradients 4 and 37.5), and ε = 100 is 2.7 to 25 of them (issue #12, item 7).
    g = np.abs(quadratic.grad(np.array(quadratic.start)))
    np.testing.assert_array_equal(g, [4.0, 37.5])
    assert 1e-8 / 1e-6 < 1.0 / g.max() < 1.0 / g.min() < 1 < 100 / g.max()


def test_eps_too_small_and_too_large():
    walks = {eps: f"{abs(failures.round_off_walk(eps)[-1]):.1e}" for eps in (1e-8, 1e-12, 0.0)}
    assert walks == {1e-8: "4.6e-05", 1e-12: "2.3e-01", 0.0: "4.5e-01"}
    settled = {eps: zoo.settling_step(failures.eps_slowdown(eps), 1e-6) for eps in (1e-8, 1.0, 10.0, 100.0)}
    assert settled == {1e-8: 162, 1.0: 155, 10.0: 205, 100.0: None}


# --- the claims (b), (c) noise half, (d) -----------------------------------------------------------


def test_claim_b_the_first_moment_averages_the_second_does_not():
    stats = failures.noise_averaging()
    assert f"{stats.gradient_std:.3f} {stats.m_hat_std:.3f} {stats.momentum_std:.3f}" == "2.995 0.686 0.686"
    assert stats.m_hat_std / stats.gradient_std == pytest.approx(math.sqrt(0.1 / 1.9), abs=2e-3)
    assert f"{stats.v_hat_mean:.2f} {stats.mean_step:.3f}" == "10.00 0.316"


def test_claim_c_the_noise_floor():
    tuned = zoo.tune(quadratic, ("SGD", "Momentum", "RMSProp", "Adam"))
    lrs = {name: s.best for name, s in tuned.items()}
    assert lrs == {"SGD": 0.03, "Momentum": 0.03, "RMSProp": 0.1, "Adam": 0.3}
    floors = {name: [failures.noise_floor(name, lr, sigma) for sigma in (0.1, 1.0, 10.0, 100.0)]
              for name, lr in lrs.items()}
    printed = {"SGD": "0.0002 0.02 2 2e+02", "Momentum": "0.0017 0.17 17 1.7e+03", "RMSProp": "0.034 0.071 0.53 6",
               "Adam": "0.0032 0.1 1.4 15"}
    assert {name: " ".join(f"{v:.2g}" for v in values) for name, values in floors.items()} == printed
    assert round(floors["SGD"][3] / floors["Adam"][3]) == 13 and round(floors["Adam"][0] / floors["SGD"][0]) == 16
    assert floors["SGD"][3] / floors["SGD"][2] == pytest.approx(100, rel=0.01)  # SGD's floor ∝ σ²
    assert 5 < floors["Adam"][3] / floors["Adam"][2] < 20  # Adam's about ∝ σ


def test_claim_d_adam_keeps_more_buffers_than_adagrad_and_rmsprop():
    counts = {plots.label(make(1.0)): failures.buffers_per_parameter(make(1.0)) for make in zoo.ZOO}
    assert counts == {"SGD": 0, "Momentum": 1, "Nesterov": 1, "AdaGrad": 1, "RMSProp": 1, "AdaDelta": 2, "Adam": 2,
                      "AMSGrad": 3, "AdamW": 2, "AdaMax": 2, "Nadam": 2, "RAdam": 2}
    assert failures.buffers_per_parameter(Adam()) > failures.buffers_per_parameter(AdaGrad(0.1))
    assert failures.buffers_per_parameter(Adam()) > failures.buffers_per_parameter(RMSProp(0.1))
    assert failures.buffers_per_parameter(SGD(0.1)) == 0


# --- the exercises --------------------------------------------------------------------------------


def test_average_regret_check():
    assert not exercises.check_average_regret(lambda xs, c: None)
    assert exercises.check_average_regret(exercises.solution_average_regret)
    t = np.arange(1, 31)
    with pytest.raises(NotQuiteRight, match="x_{t−1}"):
        exercises.check_average_regret(lambda xs, c: np.cumsum(c * (xs[1:] + 1)) / t)
    with pytest.raises(NotQuiteRight, match="best fixed point"):
        exercises.check_average_regret(lambda xs, c: np.cumsum(c * xs[:-1]) / t)
    with pytest.raises(NotQuiteRight, match="not by T"):
        exercises.check_average_regret(lambda xs, c: np.cumsum(c * (xs[:-1] + 1)) / len(c))


def test_adamw_update_check():
    assert not exercises.check_adamw_update(lambda *args: None)
    assert exercises.check_adamw_update(exercises.solution_adamw_update)

    def adam_l2(theta, g, m, v, t, lr, wd):
        return exercises.solution_adamw_update(theta, g + wd * theta, m, v, t, lr, 0.0)

    def no_lr(theta, g, m, v, t, lr, wd):
        return exercises.solution_adamw_update(theta, g, m, v, t, lr, 0.0) - wd * theta

    def after(theta, g, m, v, t, lr, wd):
        return exercises.solution_adamw_update(theta, g, m, v, t, lr, 0.0) * (1 - lr * wd)

    for wrong, message in ((adam_l2, "Adam \\+ L2"), (no_lr, "Loshchilov & Hutter's own form"),
                           (after, "before this step")):
        with pytest.raises(NotQuiteRight, match=message):
            exercises.check_adamw_update(wrong)


def test_adamw_in_the_papers_form_is_pytorchs_with_the_decay_divided_by_the_learning_rate():
    # issue #12, item 8: Loshchilov & Hutter's Algorithm 2, θ ← θ − η_t(α·m̂/(√v̂+ε) + λθ) with η_t = 1,
    # is adam_edu's (PyTorch's) θ ← θ − αλθ − α·m̂/(√v̂+ε) with λ_paper = α·λ.
    theta, g = np.array([2.0, -1.0, 0.5]), np.array([0.3, 0.0, -4.0])
    m, v, t, lr, lam_paper = np.array([0.1, -0.2, 0.0]), np.array([0.04, 0.01, 0.5]), 5, 0.05, 0.002
    adam_step = exercises.solution_adamw_update(theta, g, m, v, t, lr, 0.0) - theta
    papers = theta - 1.0 * (-adam_step + lam_paper * theta)
    np.testing.assert_allclose(exercises.solution_adamw_update(theta, g, m, v, t, lr, lam_paper / lr), papers,
                               rtol=1e-14)
    assert "The paper's Algorithm 2 (line 12) does not multiply the decay by α" in " ".join(AdamW.__doc__.split())


def test_buffers_per_parameter_check():
    assert not exercises.check_buffers_per_parameter(lambda optimizer: None)
    assert exercises.check_buffers_per_parameter(exercises.solution_buffers_per_parameter)
    with pytest.raises(NotQuiteRight, match="every field but t"):
        exercises.check_buffers_per_parameter(lambda o: len(o.init(np.zeros(5))) - 1)
    with pytest.raises(NotQuiteRight, match="μ-product"):
        exercises.check_buffers_per_parameter(lambda o: sum(v is not None for v in o.init(np.zeros(5))) - 1)


def test_the_library_counts_buffers_as_the_model_solution_does():
    for make in zoo.ZOO:
        assert failures.buffers_per_parameter(make(0.1)) == exercises.solution_buffers_per_parameter(make(0.1))
