"""functions.run, the one runner: the whole history, and stopping a run that leaves the objective's window."""

import numpy as np
import pytest

from adam_edu import SGD, Adam
from adam_edu.functions import quadratic, rosenbrock, run


def test_run_keeps_the_whole_history():
    history = run(Adam(0.1), quadratic, steps=5)
    assert history.params.shape == (6, 2) and history.grads.shape == (5, 2) and len(history.states) == 6
    np.testing.assert_array_equal(history.values, [quadratic.value(p) for p in history.params])
    assert history.diverged_at is None


def test_a_run_that_leaves_the_box_stops_before_the_far_point_is_evaluated():
    history = run(SGD(3.0), rosenbrock, steps=500, stop_outside=10.0)
    (x_low, x_high), (y_low, y_high) = rosenbrock.bounds
    assert history.diverged_at == len(history.params) == 1  # θ_1 was far out: not kept, f not evaluated there
    assert len(history.grads) == len(history.states) - 1 == 0
    assert run(SGD(1e-3), rosenbrock, steps=50, stop_outside=10.0).diverged_at is None
    last = history.params[-1]
    assert abs(last[0] - (x_low + x_high) / 2) <= 10 * (x_high - x_low)
    assert np.all(np.isfinite(history.values))


def test_without_stop_outside_the_same_run_overflows_loudly():
    with np.errstate(over="ignore"), pytest.raises(ValueError, match="non-finite value.* at step t=5"):
        run(SGD(3.0), rosenbrock, steps=500)
