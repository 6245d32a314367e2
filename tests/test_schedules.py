"""adam_edu.schedules: each schedule's values at known steps, and its errors on bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from adam_edu import schedules


def test_constant():
    assert schedules.constant(1, 0.01) == 0.01
    assert_allclose(schedules.constant(np.arange(1, 4), 0.5), [0.5, 0.5, 0.5])


def test_step_decay_drops_after_every_block_of_steps():
    # steps 1–10 at α, 11–20 at α/10, 21 at α/100: ⌊(t − 1)/every⌋, the classic off-by-one is ⌊t/every⌋
    assert_allclose(schedules.step_decay(np.array([1, 10, 11, 20, 21]), 1.0, every=10),
                    [1.0, 1.0, 0.1, 0.1, 0.01])
    assert schedules.step_decay(5, 0.3, every=2, factor=0.5) == pytest.approx(0.3 * 0.25)


def test_linear_warmup_rises_to_the_peak_then_stays():
    assert_allclose(schedules.linear_warmup(np.array([1, 5, 10, 11, 1000]), 0.1, 10), [0.01, 0.05, 0.1, 0.1, 0.1])
    assert schedules.linear_warmup(1, 0.1, 0) == 0.1  # no warm-up: α from the first step
    assert schedules.warmup_factor(3, 4) == 0.75


def test_cosine_starts_at_the_peak_is_half_way_at_half_and_ends_at_the_floor():
    assert schedules.cosine(1, 1.0, 100) == 1.0
    assert schedules.cosine(51, 1.0, 100) == pytest.approx(0.5)
    assert schedules.cosine(101, 1.0, 100) == pytest.approx(0.0, abs=1e-15)
    assert schedules.cosine(500, 1.0, 100, final_lr=0.1) == pytest.approx(0.1)  # stays at the floor after T
    assert schedules.cosine(26, 2.0, 100) == pytest.approx(1.0 + math.cos(math.pi / 4))


def test_inverse_sqrt_is_the_papers_decay():
    assert_allclose(schedules.inverse_sqrt(np.array([1, 4, 100]), 0.1), [0.1, 0.05, 0.01])


def test_exponential_range_is_log_spaced_from_start_to_end():
    rates = schedules.exponential_range(np.arange(1, 6), 1e-4, 1.0, 5)
    assert_allclose(rates, [1e-4, 1e-3, 1e-2, 1e-1, 1.0])


@pytest.mark.parametrize("shape", schedules.SHAPES)
def test_learning_rates_multiplies_every_shape_by_the_warmup(shape):
    plain = schedules.learning_rates(shape, 0.01, 200)
    warmed = schedules.learning_rates(shape, 0.01, 200, warmup_steps=50)
    assert plain.shape == (200,) and plain[0] == 0.01
    assert_allclose(warmed, plain * np.minimum(1, np.arange(1, 201) / 50))


def test_step_shape_drops_at_half_and_three_quarters():
    rates = schedules.learning_rates("step", 1.0, 100)
    assert_allclose(rates[[0, 49, 50, 74, 75, 99]], [1.0, 1.0, 0.1, 0.1, 0.01, 0.01])


def test_a_scalar_step_gives_a_float_and_an_array_an_array():
    assert isinstance(schedules.cosine(3, 0.1, 10), float)
    assert isinstance(schedules.cosine(np.array([3]), 0.1, 10), np.ndarray)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: schedules.constant(0, 0.1), r"t must be a whole number ≥ 1 \(the step count\), got 0$"),
        (lambda: schedules.constant(1.5, 0.1), "t must be a whole number ≥ 1"),
        (lambda: schedules.constant(np.array([1, 0]), 0.1), "t must be a whole number ≥ 1"),
        (lambda: schedules.constant(True, 0.1), "t must be a whole number ≥ 1"),
        (lambda: schedules.constant(1, 0.0), "lr must be a finite number > 0, got 0.0"),
        (lambda: schedules.constant(1, math.inf), "lr must be a finite number > 0, got inf"),
        (lambda: schedules.step_decay(1, 0.1, every=0), "every must be a whole number ≥ 1, got 0"),
        (lambda: schedules.step_decay(1, 0.1, every=5, factor=1.5), r"factor must be in \(0, 1\], got 1.5"),
        (lambda: schedules.linear_warmup(1, 0.1, -1), "warmup_steps must be a whole number ≥ 0, got -1"),
        (lambda: schedules.linear_warmup(1, 0.1, 2.5), "warmup_steps must be a whole number ≥ 0, got 2.5"),
        (lambda: schedules.cosine(1, 0.1, 0), "total_steps must be a whole number ≥ 1, got 0"),
        (lambda: schedules.cosine(1, 0.1, 10, final_lr=0.2), r"final_lr must be in \[0, lr\] = \[0, 0.1\], got 0.2"),
        (lambda: schedules.inverse_sqrt(1, -1.0), "lr must be a finite number > 0, got -1.0"),
        (lambda: schedules.exponential_range(1, 1.0, 0.1, 10), "end must be > start = 1, got 0.1"),
        (lambda: schedules.exponential_range(1, 1e-3, 1.0, 1), "total_steps must be a whole number ≥ 2, got 1"),
        (lambda: schedules.learning_rates("linear", 0.1, 10), "shape must be one of constant, step, cosine, 1/√t, got 'linear'"),
        (lambda: schedules.learning_rates("step", 0.1, 10, step_factor=0.0), r"factor must be in \(0, 1\], got 0.0"),
    ],
)
def test_bad_input_names_the_parameter_the_value_and_the_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()
