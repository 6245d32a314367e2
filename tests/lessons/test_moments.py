"""The claims of notebook 02 (moving averages and moment estimates), the library behind it, its exercises
and its slider experiment. Every number the notebook prints is recomputed here the same way."""


import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from adam_edu import Adam, functions
from adam_edu.lessons import moments
from adam_edu.exercises import NotQuiteRight
from adam_edu.lessons.moments import exercises
from adam_edu.widgets.base import beta2_from_slider, layer_png
from adam_edu.lessons.moments.slider import MomentEstimates


def adam_states_on_stream(grads, **settings):
    """Run the library's Adam on a fixed gradient stream; return its states after every step."""
    optimizer = Adam(**settings)
    theta = np.zeros(1)
    state = optimizer.init(theta)
    states = []
    for g in grads:
        theta, state = optimizer.update(theta, np.array([g]), state)
        states.append(state)
    return states


# --- the library ----------------------------------------------------------------------------------


def test_ema_weights_are_the_unrolled_recursion():
    assert_allclose(moments.ema_weights(0.5, 5), [0.03125, 0.0625, 0.125, 0.25, 0.5], rtol=0, atol=0)
    values = np.random.default_rng(3).normal(size=7)
    for beta in (0.0, 0.3, 0.9, 0.999):
        assert moments.ema(values, beta)[-1] == pytest.approx(moments.ema_weights(beta, 7) @ values, rel=1e-13)


@pytest.mark.parametrize("beta, t", [(0.5, 5), (0.9, 10), (0.999, 10), (0.999, 1000), (0.9999, 3)])
def test_ema_weights_sum_to_one_minus_beta_to_the_t(beta, t):
    assert moments.ema_weights(beta, t).sum() == pytest.approx(1 - beta**t, rel=1e-12)


def test_effective_window_and_recent_weight():
    assert moments.effective_window(0.9) == pytest.approx(10)
    assert moments.effective_window(0.999) == pytest.approx(1000)
    # over one window, about 1 − 1/e of the weight for β near 1
    assert moments.recent_weight(0.9999, 10_000) == pytest.approx(1 - np.exp(-1), abs=1e-4)
    assert_allclose(moments.recent_weight(0.5, [1, 2]), [0.5, 0.75])


def test_ema_works_along_the_first_axis_and_from_an_initial_value():
    x = np.random.default_rng(0).normal(size=(20, 3))
    columns = np.stack([moments.ema(x[:, k], 0.8) for k in range(3)], axis=1)
    assert_allclose(moments.ema(x, 0.8), columns, rtol=1e-15)
    assert moments.ema(np.ones(4), 0.5, initial=1.0).tolist() == [1.0, 1.0, 1.0, 1.0]
    assert moments.ema(np.zeros(0), 0.9).shape == (0,)


@pytest.mark.parametrize("bias_correction", [True, False])
def test_moments_and_steps_are_what_adam_records(bias_correction):
    grads = moments.noisy_gradients(0.5, 1.0, 300, seed=4)
    states = adam_states_on_stream(grads, lr=0.01, beta1=0.8, beta2=0.99, bias_correction=bias_correction)
    est = moments.adam_moments(grads, 0.8, 0.99)
    assert_allclose(est.m, [s.m[0] for s in states], rtol=1e-14)
    assert_allclose(est.v, [s.v[0] for s in states], rtol=1e-14)
    m_hat, v_hat = (est.m_hat, est.v_hat) if bias_correction else (est.m, est.v)
    assert_allclose(m_hat, [s.m_hat[0] for s in states], rtol=1e-13)
    assert_allclose(v_hat, [s.v_hat[0] for s in states], rtol=1e-13)
    steps = moments.adam_steps(grads, lr=0.01, beta1=0.8, beta2=0.99, bias_correction=bias_correction)
    assert_allclose(steps, [s.delta[0] for s in states], rtol=1e-12)


def test_noisy_gradients_are_seeded_and_have_the_stated_moments():
    a = moments.noisy_gradients(0.5, 2.0, 200_000, seed=7)
    assert_array_equal(a, moments.noisy_gradients(0.5, 2.0, 200_000, seed=7))
    assert a.mean() == pytest.approx(0.5, abs=0.02)
    assert (a**2).mean() == pytest.approx(moments.second_moment(0.5, 2.0), rel=0.01)
    assert moments.noisy_gradients(np.arange(5.0), 0.0, 5, runs=3, seed=0).tolist() == [[float(k)] * 3 for k in range(5)]


def test_ema_noise_is_the_stationary_standard_deviation():
    x = np.random.default_rng(11).standard_normal((3000, 4000))
    for beta in (0.5, 0.9):
        tail = moments.ema(x, beta)[-1]  # 4000 independent EMAs, long warmed up
        assert tail.std() == pytest.approx(moments.ema_noise(beta), rel=0.04)


# --- section 1: the leaky average -----------------------------------------------------------------


def test_printed_weights_and_windows():
    weights = moments.ema_weights(0.5, 5)
    assert f"{weights.sum():.5f}" == "0.96875" and weights.sum() == 1 - 0.5**5
    table = {}
    for beta in (0.5, 0.9, 0.99, 0.999, 0.9999):
        window = moments.effective_window(beta)
        share = moments.recent_weight(beta, [round(window), round(3 * window)])
        table[beta] = (f"{window:,.0f}", f"{share[0]:.0%}", f"{share[1]:.0%}")
    assert table == {
        0.5: ("2", "75%", "98%"), 0.9: ("10", "65%", "96%"), 0.99: ("100", "63%", "95%"),
        0.999: ("1,000", "63%", "95%"), 0.9999: ("10,000", "63%", "95%"),
    }


def test_weights_are_flat_then_fall_off_a_cliff_at_the_window():
    for beta in (0.9, 0.99, 0.999):
        window = round(moments.effective_window(beta))
        w = moments.ema_weights(beta, 10 * window)[::-1]  # newest first
        assert w[window // 10] > 0.89 * w[0]  # flat well inside the window
        assert w[5 * window] < 0.01 * w[0]  # almost gone after five windows


# --- section 2: m and v on a noisy stream ---------------------------------------------------------


@pytest.fixture(scope="module")
def stream():
    g = moments.noisy_gradients(0.5, 1.0, steps=5000, seed=0)
    return g, moments.adam_moments(g, beta1=0.9, beta2=0.999)


def test_printed_means_of_m_and_v(stream):
    _, est = stream
    assert f"{est.m[2500:].mean():.3f}" == "0.520"
    assert f"{est.v[2500:].mean():.3f}" == "1.205"
    assert moments.second_moment(0.5, 1.0) == 1.25


def test_v_estimates_the_uncentred_second_moment_not_the_variance(stream):
    _, est = stream
    late = est.v[2500:].mean()
    assert abs(late - 1.25) < 0.05 < abs(late - 1.0)


def test_v_takes_a_thousand_steps_to_climb_and_is_far_smoother_than_m(stream):
    _, est = stream
    assert est.v[999] < 0.65 * 1.25  # still climbing after 1000 steps
    # step to step, v moves far less than m (relative to the quantity each estimates)
    assert np.abs(np.diff(est.v[2500:])).mean() / 1.25 < np.abs(np.diff(est.m[2500:])).mean() / 0.5 / 20


# --- section 3: why β2 is closer to 1 -------------------------------------------------------------


def test_printed_noise_of_v_hat_and_step_scale():
    noise_only = moments.noisy_gradients(0.0, 1.0, steps=20_000, seed=1)
    rows = {}
    for beta2 in (0.9, 0.99, 0.999):
        v_hat = moments.bias_corrected(moments.ema(noise_only**2, beta2), beta2)[2000:]
        scale = 1 / np.sqrt(v_hat)
        rows[beta2] = (f"{v_hat.std():.3f}", f"{np.sqrt(2) * moments.ema_noise(beta2):.3f}",
                       f"{scale.min():.2f}", f"{scale.max():.2f}")
    assert rows == {
        0.9: ("0.321", "0.324", "0.60", "1.84"),
        0.99: ("0.096", "0.100", "0.87", "1.22"),
        0.999: ("0.025", "0.032", "0.98", "1.04"),
    }


def test_noise_falls_and_lag_grows_with_memory():
    betas = [0.5, 0.9, 0.99, 0.999]
    noise = [moments.ema_noise(b) for b in betas]
    lag = [moments.effective_window(b) for b in betas]
    assert noise == sorted(noise, reverse=True) and lag == sorted(lag)


# --- section 4: the signal-to-noise ratio ---------------------------------------------------------


def test_printed_signal_to_noise_ratios():
    rows = []
    for r in (0.1, 0.3, 1.0, 3.0):
        est = moments.adam_moments(moments.noisy_gradients(r, 1.0, steps=20_000, seed=2), 0.9, 0.999)
        snr = moments.signal_to_noise(est.m_hat, est.v_hat)[1000:]
        rows.append((f"{snr.mean():.3f}", f"{moments.limiting_signal_to_noise(r, 1.0):.3f}"))
    assert rows == [("0.108", "0.100"), ("0.295", "0.287"), ("0.711", "0.707"), ("0.949", "0.949")]


def test_limiting_ratio_is_bounded_by_one_and_tends_to_its_extremes():
    r = np.linspace(-50, 50, 1001)
    snr = moments.limiting_signal_to_noise(r, 1.0)
    assert np.all(np.abs(snr) < 1)
    assert abs(snr[-1]) > 0.999 and moments.limiting_signal_to_noise(0.0, 1.0) == 0.0
    assert moments.limiting_signal_to_noise(1.0, 0.0) == 1.0  # noise-free: the step is exactly α


@pytest.fixture(scope="module")
def annealing_run():
    objective = moments.noisy_quadratic(std=1.0, steps=2000, start=5.0, seed=0)
    history = functions.run(Adam(lr=0.05), objective, steps=2000)
    step_size = np.abs([state.delta[0] for state in history.states[1:]]) / 0.05
    return history, step_size


def test_printed_annealing_table(annealing_run):
    history, step_size = annealing_run
    rows = [(f"{np.abs(history.params[a:b + 1, 0]).mean():.2f}", f"{step_size[a - 1:b].mean():.2f}")
            for a, b in ((1, 50), (201, 500), (1001, 2000))]
    assert rows == [("3.80", "0.93"), ("0.10", "0.09"), ("0.15", "0.16")]


def test_the_step_anneals_itself_near_the_optimum(annealing_run):
    history, step_size = annealing_run
    assert np.all(history.params[1:51, 0] > 2.5) and history.params[0, 0] == 5.0  # "θ between 5 and 2.5"
    assert step_size[:50].mean() > 0.9  # almost exactly α per step while the gradient dominates
    assert step_size[200:500].mean() < step_size[1000:].mean() < 0.2  # a tenth of α, then ~0.16 α
    assert step_size[1000:].mean() > 0.1  # but it does not go to zero
    # the step in units of α is the ratio m̂/√v̂ (ε is negligible here)
    snr = np.array([abs(s.m_hat[0]) / np.sqrt(s.v_hat[0]) for s in history.states[1:]])
    assert_allclose(step_size, snr, rtol=1e-6)


def test_noisy_quadratic_is_reproducible_and_its_value_is_noise_free():
    a, b = moments.noisy_quadratic(seed=3), moments.noisy_quadratic(seed=3)
    assert_array_equal(a.gradient(np.array([1.0]), 5), b.gradient(np.array([1.0]), 5))
    assert a.value(np.array([2.0])) == 2.0


# --- the exercises' checks ------------------------------------------------------------------------


def test_ema_weights_check():
    assert not exercises.check_ema_weights(lambda beta, t: None)
    assert exercises.check_ema_weights(exercises.solution_ema_weights)
    assert exercises.check_ema_weights(moments.ema_weights)
    with pytest.raises(NotQuiteRight, match="reversed"):
        exercises.check_ema_weights(lambda beta, t: (1 - beta) * beta ** np.arange(t))
    with pytest.raises(NotQuiteRight, match="factor"):
        exercises.check_ema_weights(lambda beta, t: beta ** np.arange(t - 1, -1, -1))
    with pytest.raises(NotQuiteRight, match="one too large"):
        exercises.check_ema_weights(lambda beta, t: (1 - beta) * beta ** np.arange(t, 0, -1))


def test_ema_check():
    assert not exercises.check_ema(lambda values, beta: None)
    assert exercises.check_ema(exercises.solution_ema)
    assert exercises.check_ema(moments.ema)
    with pytest.raises(NotQuiteRight, match="swapped"):
        exercises.check_ema(lambda x, beta: moments.ema(x, 1 - beta))
    with pytest.raises(NotQuiteRight, match="m_0 = 0"):
        exercises.check_ema(lambda x, beta: np.r_[x[0], moments.ema(x[1:], beta, initial=x[0])])
    with pytest.raises(NotQuiteRight, match="bias-corrected"):
        exercises.check_ema(lambda x, beta: moments.bias_corrected(moments.ema(x, beta), beta))


def test_limiting_snr_check():
    assert not exercises.check_limiting_snr(lambda mean, std: None)
    assert exercises.check_limiting_snr(exercises.solution_limiting_snr)
    assert exercises.check_limiting_snr(moments.limiting_signal_to_noise)
    with pytest.raises(NotQuiteRight, match="uncentred"):
        exercises.check_limiting_snr(lambda mean, std: mean / std)
    with pytest.raises(NotQuiteRight, match="square root"):
        exercises.check_limiting_snr(lambda mean, std: mean**2 / (mean**2 + std**2))
    with pytest.raises(NotQuiteRight, match="sign"):
        exercises.check_limiting_snr(lambda mean, std: np.abs(mean) / np.sqrt(mean**2 + std**2))


def test_limiting_snr_halves_at_sigma_root_three():
    # the follow-up question of exercise 3
    assert exercises.solution_limiting_snr(1.0, np.sqrt(3.0)) == pytest.approx(0.5)


# --- the slider experiment ------------------------------------------------------------------------


@pytest.fixture
def experiment():
    experiment = MomentEstimates(beta1=0.9, beta2=0.999, noise=1.0, seed=0)
    experiment.widget()
    return experiment


def test_first_picture_shows_the_default_settings(experiment):
    assert experiment.updates == 1 and layer_png(experiment.image)[:8] == b"\x89PNG\r\n\x1a\n"
    est = moments.adam_moments(experiment.gradients(1.0), 0.9, 0.999)
    assert_allclose(experiment.m_hat.get_ydata(), est.m_hat)
    assert_allclose(experiment.rms.get_ydata(), np.sqrt(est.v_hat))
    assert "10 steps" in experiment.windows.get_text() and "1,000 steps" in experiment.windows.get_text()
    assert experiment.question


def test_beta1_slider_moves_m_hat_only(experiment):
    before_image, before_rms = experiment.image.value, experiment.rms.get_ydata().copy()
    rough = np.abs(np.diff(experiment.m_hat.get_ydata())).mean()
    experiment.controls["beta1"].value = 0.5
    assert experiment.image.value != before_image and experiment.updates == 2
    est = moments.adam_moments(experiment.gradients(1.0), 0.5, 0.999)
    assert_allclose(experiment.m_hat.get_ydata(), est.m_hat)
    assert_allclose(experiment.rms.get_ydata(), before_rms)  # β1 leaves v̂ alone
    assert np.abs(np.diff(experiment.m_hat.get_ydata())).mean() > 2 * rough  # shorter memory: noisier
    # shorter memory: m̂ notices the drop at step 300 sooner
    assert experiment.m_hat.get_ydata()[310] < 0.5
    experiment.controls["beta1"].value = 0.99  # long memory: about a hundred steps to notice
    assert experiment.m_hat.get_ydata()[320] > 0.5 > experiment.m_hat.get_ydata()[420]


def test_beta2_slider_is_logarithmic_and_moves_v_hat(experiment):
    experiment.controls["beta2"].value = -2.0
    assert beta2_from_slider(-2.0) == pytest.approx(0.99)
    est = moments.adam_moments(experiment.gradients(1.0), 0.9, 0.99)
    assert_allclose(experiment.rms.get_ydata(), np.sqrt(est.v_hat))
    assert "β2 = 0.99)" in experiment.windows.get_text()
    # with a long memory, √v̂ still remembers the first phase 100 steps after the drop
    long_memory = np.sqrt(moments.adam_moments(experiment.gradients(1.0), 0.9, 0.9999).v_hat)
    assert long_memory[400] > experiment.rms.get_ydata()[400]


def test_noise_slider_sets_the_signal_to_noise_ratio(experiment):
    experiment.controls["noise"].value = 0.0
    snr = experiment.snr.get_ydata()
    assert_allclose(snr[:300], 1.0, rtol=1e-12)  # no noise: m̂/√v̂ = 1 exactly, the step is α
    assert_allclose(experiment.dots.get_ydata(), experiment.mean)
    assert np.all(np.abs(snr[350:]) < 0.01)  # "exactly 1, then 0"
    experiment.controls["noise"].value = 3.0
    first_phase = experiment.snr.get_ydata()[100:300].mean()
    assert first_phase == pytest.approx(1 / np.sqrt(10), abs=0.15)
    assert_allclose(experiment.snr_target.get_ydata()[:300], 1 / np.sqrt(10))


def test_the_figure_is_built_once_and_blitted(experiment):
    fig, artists, background = experiment.fig, list(experiment.moving), experiment._background
    for value in (0.1, 0.5, 0.99):
        experiment.controls["beta1"].value = value
    experiment.controls["noise"].value = 2.0
    assert experiment.fig is fig and experiment.moving == artists
    assert experiment._background is background  # axes never change: no full redraw


def test_every_slider_move_gives_a_new_picture(experiment):
    # Speed is measured by benchmarks/bench_sliders.py, never asserted in a test (shared, noisy machines).
    values = {"beta1": [0.5, 0.7, 0.95, 0.3], "beta2": [-1.0, -2.0, -4.0, -3.0], "noise": [0.5, 2.0, 0.2, 1.5]}
    for k in range(30):
        name = list(values)[k % 3]
        before = experiment.image.value
        experiment.controls[name].value = values[name][(k // 3) % 4]
        assert experiment.image.value != before
