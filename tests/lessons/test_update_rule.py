"""Notebook 04's claims (the update rule), its slider experiment and its exercises."""

import numpy as np
import pytest

from adam_edu import SGD, Adam, RMSProp, functions
from adam_edu.lessons import moments, update_rule
from adam_edu.exercises import NotQuiteRight
from adam_edu.lessons.update_rule import exercises
from adam_edu.functions import cubic, quadratic, rosenbrock


def test_first_step_is_lr_per_coordinate_whatever_the_gradient():
    adam = functions.run(Adam(lr=0.1), quadratic, steps=1)
    np.testing.assert_allclose(np.abs(adam.states[1].delta), [0.1, 0.1], rtol=1e-7)
    sgd = functions.run(SGD(lr=0.035), quadratic, steps=1)
    np.testing.assert_allclose(np.abs(sgd.states[1].delta), [0.14, 1.3125], rtol=1e-12)
    # 04: "9.4 times larger along y than along x ... the curvature ratio 25 times 1.5/4", not 25
    ratio = abs(sgd.states[1].delta[1] / sgd.states[1].delta[0])
    assert f"{ratio:.1f}" == "9.4" and ratio == pytest.approx(25 * 1.5 / 4) and quadratic.start == (-4.0, 1.5)


@pytest.mark.parametrize("beta1, beta2", [(0.9, 0.999), (0.9, 0.99), (0.99, 0.999), (0.0, 0.999)])
def test_a_lone_gradient_reaches_the_papers_bound_only_when_one_minus_beta1_is_larger(beta1, beta2):
    sizes = update_rule.steps_after_a_spike(10_000, 10_020, beta1=beta1, beta2=beta2)
    at_spike = sizes[9_999]
    assert at_spike <= update_rule.step_bound(1.0, beta1, beta2) * (1 + 1e-12)
    assert at_spike == pytest.approx((1 - beta1) / np.sqrt(1 - beta2), rel=1e-3)
    if (1 - beta1) > np.sqrt(1 - beta2):
        assert at_spike == pytest.approx(update_rule.step_bound(1.0, beta1, beta2), rel=1e-3) and at_spike > 1
    else:
        assert at_spike <= 1.0 + 1e-12
    assert sizes[10_000:].max() < at_spike


@pytest.mark.parametrize("beta1, beta2, printed", [(0.9, 0.999, "7.2703"), (0.9, 0.99, "2.3452"),
                                                   (0.99, 0.999, "2.2991")])
def test_growing_gradients_reach_the_supremum_and_break_the_papers_bound(beta1, beta2, printed):
    # 04: "7.27α for the defaults, more than twice the paper's 3.16α, and 2.35α and 2.30α where the paper's
    # bound says α"; the run is Adam(eps=0) itself, so a wrong formula or a wrong run cannot both agree
    sizes = update_rule.steps_on_growing_gradients(20_000, beta1=beta1, beta2=beta2)
    supremum = update_rule.step_supremum(1.0, beta1, beta2)
    assert f"{supremum:.4f}" == f"{sizes.max():.4f}" == printed
    assert sizes.max() <= supremum * (1 + 1e-12)
    assert sizes.max() > 2 * update_rule.step_bound(1.0, beta1, beta2)
    assert (f"{supremum:.2f}", f"{update_rule.step_bound(1.0, beta1, beta2):.2f}") in [
        ("7.27", "3.16"), ("2.35", "1.00"), ("2.30", "1.00")]


@pytest.mark.parametrize("beta1, beta2", [(0.9, 0.999), (0.5, 0.99), (0.99, 0.999)])
@pytest.mark.parametrize("t", [1, 2, 10, 300])
def test_supremum_at_step_t_is_reached_and_never_exceeded(beta1, beta2, t):
    supremum = update_rule.step_supremum(1.0, beta1, beta2, t)
    # reached at step t by gradients (β2/β1)^i, the case of equality in Cauchy–Schwarz
    assert update_rule.steps_on_growing_gradients(t, beta1=beta1, beta2=beta2)[-1] == pytest.approx(supremum, rel=1e-9)
    # not exceeded by other sequences: random, a lone spike, steady, growing faster or slower
    rng = np.random.default_rng(0)
    sequences = [rng.normal(size=t), rng.lognormal(0, 3, size=t), np.ones(t), np.eye(1, t, t - 1)[0],
                 1.5 ** np.arange(t), (beta2 / beta1) ** (np.arange(t) * 0.9)]
    for grads in sequences:
        with np.errstate(invalid="ignore"):  # the lone spike's zeros before it: 0/0, only the last step counts
            steps = np.abs(moments.adam_steps(grads, lr=1.0, beta1=beta1, beta2=beta2, eps=0.0))
        assert steps[-1] <= supremum * (1 + 1e-12)
    # the finite-t value grows towards the limit and stays below it
    assert supremum <= update_rule.step_supremum(1.0, beta1, beta2) * (1 + 1e-12)
    assert t > 1 or supremum == pytest.approx(1.0, rel=1e-12)


def test_supremum_is_the_lone_spike_without_momentum_and_infinite_when_beta1_squared_reaches_beta2():
    assert update_rule.step_supremum(1.0, 0.0, 0.999) == pytest.approx(update_rule.step_bound(1.0, 0.0, 0.999))
    assert update_rule.step_supremum(1.0, 0.99, 0.98) == np.inf
    with pytest.raises(ValueError, match="beta1 must be in"):
        update_rule.steps_on_growing_gradients(10, beta1=0.0)


def test_dense_examples_exceed_lr_but_stay_far_below_the_supremum():
    # 04: the cubic of notebook 01 (1.09) and notebook 03's noisy stream with β2 = 0.99 (1.15)
    noisy = moments.noisy_gradients(1.0, 1.0, steps=50, seed=0)
    np.testing.assert_array_equal(noisy, moments.noisy_gradients(1.0, 1.0, steps=20_000, seed=0)[:50])
    largest = np.abs(moments.adam_steps(noisy, lr=1.0, beta1=0.9, beta2=0.99)).max()
    assert f"{largest:.2f}" == "1.15"
    assert 1 < largest < update_rule.step_supremum(1.0, 0.9, 0.99) / 2


def test_steps_exceed_lr_on_the_cubic_but_stay_near_it():
    history = functions.run(Adam(lr=0.05, eps=1e-7), cubic, steps=100)
    largest = max(abs(s.delta[0]) for s in history.states[1:]) / 0.05
    assert 1.08 < largest < 1.1


def test_scale_invariance_of_the_path():
    big = functions.scaled(rosenbrock, 1000.0)
    for eps, tolerance in ((0.0, 1e-13), (1e-8, 2e-9)):
        a = functions.run(Adam(lr=0.05, eps=eps), rosenbrock, steps=300).params
        b = functions.run(Adam(lr=0.05, eps=eps), big, steps=300).params
        assert np.abs(a - b).max() < tolerance
    assert np.abs(a - b).max() > 1e-10  # ε breaks exact invariance
    sgd = functions.run(SGD(lr=2e-4), big, steps=300, stop_if_diverged=True)
    assert len(sgd.params) - 1 == 5
    assert len(functions.run(SGD(lr=2e-4), rosenbrock, steps=300, stop_if_diverged=True).params) == 301


@pytest.mark.parametrize("lr", [0.005, 0.02, 0.05])
def test_distance_travelled_stays_within_the_trust_region(lr):
    distance = update_rule.distance_travelled(rosenbrock, Adam(lr=lr), 200)
    assert np.all(distance <= np.arange(201) * lr * np.sqrt(2) + 1e-12)


def test_eps_conventions_agree_at_full_scale_and_part_for_small_gradients():
    def finals(c):
        objective = functions.scaled(cubic, c)
        return [round(float(functions.run(update_rule.adam_with_convention(name, lr=0.05, eps=1e-7), objective,
                                          steps=100).params[-1, 0]), 6) for name in update_rule.EPS_CONVENTIONS]

    assert finals(1.0) == [1.332553, 1.332552, 1.33255]
    assert finals(1e-4) == [1.332241, 1.330097, 0.096809]
    assert finals(1e-6) == [1.325584, 1.282691, 0.001065]
    assert finals(1e-8) == [0.00575, 0.001496, 0.001001]


def test_eps_inside_root_differs_from_adam_only_in_the_last_line():
    # Step by step from Adam's own states, with √ε the size of √v̂ (gradients ~1e-3, ε = 1e-6), so the
    # placement shows: m, v, m̂, v̂ must be Adam's to the bit, Δ must be −α·m̂/√(v̂ + ε) and not Adam's Δ.
    # (At ε = 0 the two rules are the same, so a test there could not see where ε went.)
    lr, eps = 0.05, 1e-6
    adam, inside = Adam(lr=lr, eps=eps), Adam(lr=lr, eps=eps, eps_inside_root=True)
    objective = functions.scaled(rosenbrock, 1e-5)
    history = functions.run(adam, objective, steps=30)
    for t in range(1, 31):
        before, after = history.states[t - 1], history.states[t]
        theta = history.params[t - 1]
        g = objective.grad(theta)
        _, buffers, diagnostics = inside.update_array(theta, g, t=t, m=before.m, v=before.v, v_max=None)
        np.testing.assert_array_equal(buffers["m"], after.m)
        np.testing.assert_array_equal(buffers["v"], after.v)
        np.testing.assert_array_equal(diagnostics["m_hat"], after.m_hat)
        np.testing.assert_array_equal(diagnostics["v_hat"], after.v_hat)
        np.testing.assert_allclose(diagnostics["delta"], -lr * after.m_hat / np.sqrt(after.v_hat + eps), rtol=1e-15)
        assert np.all(np.abs(diagnostics["delta"] / after.delta - 1) > 1e-2)  # ε's place is visible
    with pytest.raises(ValueError, match="convention must be one of"):
        update_rule.adam_with_convention("nowhere")


def test_eps_conventions_at_tiny_gradients_step_as_printed():
    # 04: at gradient scale 1e-8, Algorithm 1 steps by α·m̂/ε, the ε̂ form by α·√(1−β2^t)·m̂/ε̂, inside the
    # root by α·m̂/√ε; the printed Δ_100 and their approximations, and x_100 − x_0
    objective = functions.scaled(cubic, 1e-8)
    approximations = [lambda m: 0.05 * m / 1e-7, lambda m: 0.05 * np.sqrt(1 - 0.999**100) * m / 1e-7,
                      lambda m: 0.05 * m / np.sqrt(1e-7)]
    printed = [("9.76e-05", "9.77e-05", "0.00475"), ("8.73e-06", "8.73e-06", "0.000496"),
               ("6.32e-09", "6.32e-09", "6.32e-07")]
    for name, approximation, expected in zip(update_rule.EPS_CONVENTIONS, approximations, printed):
        history = functions.run(update_rule.adam_with_convention(name, lr=0.05, eps=1e-7), objective, steps=100)
        state = history.states[100]
        got = (f"{abs(state.delta[0]):.3g}", f"{abs(approximation(state.m_hat[0])):.3g}",
               f"{history.params[100, 0] - history.params[0, 0]:.3g}")
        assert got == expected, name
    assert f"{np.sqrt(1 - 0.999**100):.2f}" == "0.31"


def test_rmsprop_is_adam_without_momentum_and_correction():
    a = functions.run(RMSProp(lr=1e-3, rho=0.9), rosenbrock, steps=300).params
    b = functions.run(Adam(lr=1e-3, beta1=0.0, beta2=0.9, bias_correction=False), rosenbrock, steps=300).params
    np.testing.assert_array_equal(a, b)


def test_adagrad_is_the_limit_of_adam_with_decaying_lr():
    gradients = np.random.default_rng(0).normal(1.0, 2.0, 200)
    gaps = []
    for beta2 in (0.99, 0.9999, 1 - 1e-8):
        adagrad_steps, adam_steps = update_rule.adagrad_limit(gradients, lr=0.1, beta2=beta2)
        gaps.append(np.abs(adam_steps - adagrad_steps).max())
    assert [f"{g:.1e}" for g in gaps] == ["1.1e-03", "1.0e-05", "1.0e-09"]


def test_lp_moments_grow_towards_the_adamax_maximum():
    gradients = np.random.default_rng(0).normal(1.0, 2.0, 200)
    u = update_rule.infinity_moment(gradients, 0.99)
    gaps = [np.abs(update_rule.lp_moment(gradients, 0.99, p) / u - 1).max() for p in (1, 2, 4, 16, 64, 1024, 4096)]
    assert all(later < earlier for earlier, later in zip(gaps, gaps[1:]))
    assert gaps[-1] < 5e-3
    # p = 2 is Adam's v_t without bias correction, β2² for β2
    v, out = 0.0, []
    for g in gradients:
        v = 0.99**2 * v + (1 - 0.99**2) * g**2
        out.append(np.sqrt(v))
    np.testing.assert_allclose(update_rule.lp_moment(gradients, 0.99, 2), out, rtol=1e-10)


def test_notebook_default_run():
    history = functions.run(Adam(lr=0.05), rosenbrock, steps=200)
    assert round(history.values[-1], 3) == 3.693
    assert round(np.abs(np.diff(history.params, axis=0)).max() / 0.05, 3) == 1.0


# --- the slider experiment, driven without a browser -------------------------------------------------


@pytest.fixture(scope="module")
def experiment():
    from adam_edu.lessons.update_rule.slider import UpdateRuleExperiment

    experiment = UpdateRuleExperiment()
    experiment.widget()
    return experiment


def test_slider_lr_changes_the_path_and_the_picture(experiment):
    experiment.controls["lr"].value = 0.05
    before_path, before_image = experiment.path.get_xydata().copy(), experiment.image.value
    experiment.controls["lr"].value = 0.2
    assert experiment.image.value != before_image
    after = experiment.path.get_xydata()
    # a larger lr travels further from the start
    assert np.linalg.norm(after[-1] - after[0]) > np.linalg.norm(before_path[-1] - before_path[0])
    np.testing.assert_allclose(after, functions.run(Adam(lr=0.2), rosenbrock, steps=200).params, rtol=1e-12)
    experiment.controls["lr"].value = 0.05


def test_slider_start_point_moves_the_start(experiment):
    experiment.controls["x0"].value = 0.5
    assert tuple(experiment.start.get_xydata()[0]) == (0.5, experiment.controls["y0"].value)
    assert tuple(experiment.path.get_xydata()[0]) == (0.5, experiment.controls["y0"].value)
    experiment.controls["x0"].value = -1.5


def test_slider_eps_and_convention(experiment):
    g_x = abs(rosenbrock.grad(np.array(rosenbrock.start))[0])
    experiment.controls["eps"].value = 1.0
    big_eps = experiment.step_x.get_ydata().copy()
    experiment.controls["eps"].value = 1e-8
    small_eps = experiment.step_x.get_ydata().copy()
    assert big_eps[0] == pytest.approx(g_x / (g_x + 1.0), rel=1e-9)  # first step α·|g|/(|g| + ε)
    assert small_eps[0] == pytest.approx(1.0, rel=1e-9)
    assert np.nanmean(big_eps) < np.nanmean(small_eps)
    experiment.controls["convention"].value = update_rule.EPS_CONVENTIONS[1]
    assert np.allclose(experiment.path.get_xydata(),
                       functions.run(Adam(lr=0.05, eps_hat=True), rosenbrock, steps=200).params)
    experiment.controls["convention"].value = update_rule.EPS_CONVENTIONS[0]


def test_slider_bias_correction_and_beta2(experiment):
    experiment.controls["log10_one_minus_beta2"].value = -4.0
    experiment.controls["bias_correction"].value = False
    without = experiment.step_x.get_ydata()[:5].copy()
    experiment.controls["bias_correction"].value = True
    with_correction = experiment.step_x.get_ydata()[:5].copy()
    # no correction and β2 near 1: the first step is (1 − β1)/√(1 − β2) = 10 times too large
    assert without[0] == pytest.approx(10.0, rel=1e-6) and with_correction[0] == pytest.approx(1.0, rel=1e-6)
    experiment.controls["log10_one_minus_beta2"].value = -3.0


def test_slider_objective_preset_resets_the_start_and_survives_divergence(experiment):
    experiment.controls["objective"].value = "beale"
    assert (experiment.controls["x0"].value, experiment.controls["y0"].value) == functions.beale.start
    assert experiment.controls["x0"].max == 4.5
    experiment.controls["lr"].value = 1.0  # must not raise, whatever happens to the path
    assert "f − f*" in experiment.summary.get_text() or "diverged" in experiment.summary.get_text()
    experiment.controls["objective"].value = "rosenbrock"
    experiment.controls["lr"].value = 0.05
    assert (experiment.controls["x0"].value, experiment.controls["y0"].value) == rosenbrock.start


def test_diverging_run_is_reported_not_raised():
    history = functions.run(SGD(lr=0.1), rosenbrock, steps=50, stop_if_diverged=True)
    assert len(history.params) < 51 and np.isfinite(history.params).all()
    with pytest.raises(ValueError, match="non-finite"), np.errstate(over="ignore", invalid="ignore"):
        functions.run(SGD(lr=0.1), rosenbrock, steps=50)


# --- exercises ---------------------------------------------------------------------------------------


def test_exercise_checks_accept_the_solutions():
    assert exercises.check_adam_update(exercises.solution_adam_update)
    assert exercises.check_step_supremum(exercises.solution_step_supremum)
    assert exercises.check_rmsprop_as_adam(exercises.solution_rmsprop_as_adam)


def test_exercise_checks_report_templates_as_not_attempted():
    assert not exercises.check_adam_update(lambda *args: None)
    assert not exercises.check_step_supremum(lambda *args: None)
    assert not exercises.check_rmsprop_as_adam(lambda *args: None)


def _adam_update_with(*, t_offset=1, sqrt=np.sqrt, correct_m=True, correct_v=True, eps_inside=False):
    def update(theta, g, m, v, t, lr, beta1, beta2, eps):
        t = t + t_offset
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t) if correct_m else m
        v_hat = v / (1 - beta2**t) if correct_v else v
        denominator = sqrt(v_hat + eps) if eps_inside else sqrt(v_hat) + eps
        return theta - lr * m_hat / denominator, m, v
    return update


@pytest.mark.parametrize("mistake, message", [
    ({"t_offset": 0}, "t is used before it is incremented"),
    ({"sqrt": lambda x: x}, "square root is missing"),
    ({"correct_v": False}, "v̂ is off by a factor 1−β2"),
    ({"correct_m": False}, "m̂ is off by a factor 1−β1"),
    ({"eps_inside": True}, "ε is inside the square root"),
])
def test_adam_update_check_names_the_classic_mistakes(mistake, message):
    with pytest.raises(NotQuiteRight, match=message):
        exercises.check_adam_update(_adam_update_with(**mistake))


def test_step_supremum_and_rmsprop_checks_name_the_mistakes():
    # the old exercise's answer, the paper's bound, is now the named mistake it is
    with pytest.raises(NotQuiteRight, match="paper's §2.1 bound"):
        exercises.check_step_supremum(lambda lr, b1, b2, t: update_rule.step_bound(lr, b1, b2))
    with pytest.raises(NotQuiteRight, match="steady gradient"):
        exercises.check_step_supremum(lambda lr, b1, b2, t: lr)
    with pytest.raises(NotQuiteRight, match="limit t → ∞"):
        exercises.check_step_supremum(lambda lr, b1, b2, t: update_rule.step_supremum(lr, b1, b2))
    with pytest.raises(NotQuiteRight, match="no bias correction"):
        exercises.check_rmsprop_as_adam(lambda lr, rho, eps: {"lr": lr, "beta1": 0.0, "beta2": rho, "eps": eps})
    with pytest.raises(NotQuiteRight, match="no momentum"):
        exercises.check_rmsprop_as_adam(lambda lr, rho, eps: {"lr": lr, "beta2": rho, "eps": eps,
                                                              "bias_correction": False})


def test_the_old_name_of_eps_inside_root_still_works_and_says_what_replaced_it():
    with pytest.warns(DeprecationWarning, match="eps_inside_root=True"):
        old = update_rule.AdamEpsInsideRoot(lr=0.1, eps=1e-3)
    assert old.eps_inside_root and isinstance(old, Adam)


# --- the slider's batched runs (lanes) --------------------------------------------------------------

def _wall():
    """f = −x until x = 1, beyond which the gradient is infinite: a run that must stop, at a known step."""
    return functions.Objective(
        name="wall", formula="f(x, y) = −x + y²/2, ∞ gradient for x > 1",
        f=lambda p: -p[0] + p[1] ** 2 / 2,
        grad=lambda p: np.stack([np.where(p[0] > 1, np.inf, -1.0 + 0 * p[0]), p[1]]),
        minimum=(1.0, 0.0), start=(0.0, 0.0), bounds=((-2.0, 2.0), (-2.0, 2.0)))


@pytest.mark.parametrize("convention", update_rule.EPS_CONVENTIONS)
@pytest.mark.parametrize("name", ["rosenbrock", "beale", "wall"])
def test_lanes_are_runs_of_adam_each_in_its_own_lane(name, convention):
    """Each lane, with its own start, α and ε, is functions.run(stop_if_diverged=True) of its own Adam (to
    rounding: NumPy's scalar and array x**2), and exactly the same run whichever other lanes share the batch."""
    from adam_edu.lessons.update_rule.slider import lanes

    objective = _wall() if name == "wall" else functions.OBJECTIVES[name]
    starts = [tuple(objective.start), (0.5, 0.25), (-1.0, 1.2)]
    hyper = dict(lr=[0.05, 0.3, 1.0], eps=[1e-8, 1e-3, 1.0], beta1=0.9, beta2=0.99)
    batch = lanes(objective, starts, 200, convention, bias_correction=True, **hyper)
    for k, (start, lane) in enumerate(zip(starts, batch)):
        mine = {key: value[k] if isinstance(value, list) else value for key, value in hyper.items()}
        history = functions.run(update_rule.adam_with_convention(convention, bias_correction=True, **mine), objective,
                                start, 200, stop_if_diverged=True)
        assert lane.steps_done == len(history.grads)
        np.testing.assert_allclose(lane.params, history.params, rtol=1e-13, atol=0)
        assert lane.gap == pytest.approx(history.values[-1] - objective.f_min, rel=1e-12, abs=1e-13)  # f − f* cancels
        alone = lanes(objective, [start], 200, convention, bias_correction=True, **mine)[0]
        np.testing.assert_array_equal(alone.params, lane.params)
    if name == "wall":  # x grows by about α a step; the first step past x = 1 has an infinite gradient
        assert all(lane.steps_done < 200 for lane in batch[:2])


def test_lanes_refuse_bad_hyper_parameters():
    from adam_edu.lessons.update_rule.slider import lanes

    hyper = dict(beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True)
    with pytest.raises(ValueError, match=r"lr must be > 0, got -1.0"):  # Adam's own check, for every lane
        lanes(rosenbrock, [(0, 0), (0, 0)], 10, update_rule.EPS_CONVENTIONS[0], lr=[0.1, -1.0], **hyper)
    with pytest.raises(ValueError, match=r"eps must be >= 0, got -1e-08"):
        lanes(rosenbrock, [(0, 0), (0, 0)], 10, update_rule.EPS_CONVENTIONS[0], **{**hyper, "eps": [1e-8, -1e-8]},
              lr=0.1)


def test_a_moved_slider_runs_its_neighbours_and_the_picture_is_a_function_of_the_values(monkeypatch):
    from adam_edu.lessons.update_rule import slider

    batches = []
    original = slider.lanes
    monkeypatch.setattr(slider, "lanes", lambda *args, **kwargs: batches.append(len(args[1])) or original(*args, **kwargs))
    experiment = slider.UpdateRuleExperiment()
    experiment.widget()
    lr = experiment.controls["lr"]
    position = round((np.log10(lr.value) - lr.min) / lr.step)
    lr.value = 10 ** -1.2  # a key press moves the slider onto its grid of positions: 10^(min + k·step)
    assert batches[-1] == 2 * slider.NEIGHBOURS + 1  # its own run and ten positions either side
    before = len(batches)
    for k in range(1, 6):  # the next presses find their runs in the cache
        lr.value = 10 ** (lr.min + (position + 1 + k) * lr.step)
    assert len(batches) == before
    picture, path = experiment.image.value, experiment.path.get_xydata().copy()
    experiment.controls["bias_correction"].value = False  # not a slider: its one run
    assert batches[-1] == 1
    experiment.controls["beta1"].value = 0.5  # β1 is not batched (see lanes): its one run
    assert batches[-1] == 1
    experiment.controls["bias_correction"].value = True
    experiment.controls["x0"].value = experiment.controls["x0"].value + 0.05
    experiment.controls["x0"].value = experiment.controls["x0"].value - 0.05
    experiment.controls["beta1"].value = 0.9  # back where it was, by another road: the same picture
    np.testing.assert_array_equal(experiment.path.get_xydata(), path)
    assert experiment.image.value == picture
