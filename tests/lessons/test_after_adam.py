"""Notebook 12's library: the memory table, the 2-D races and the MLP race (adam_edu.lessons.after_adam)."""

import math

import numpy as np
import pytest

from adam_edu import plots, registry
from adam_edu.functions import beale, quadratic, rosenbrock
from adam_edu.lessons import after_adam, zoo
from adam_edu.optimizers import SGD, Adafactor, Adam, AdamW, Lion, Muon, ScheduleFreeAdamW

WIDTHS = (784, 1000, 1000, 10)


@pytest.fixture(scope="module")
def rows():
    return {r.label: r for r in after_adam.memory_table()}


def test_memory_is_measured_from_the_state_arrays(rows):
    params = after_adam.network_shapes()
    count = sum(a.size for a in params.values())
    assert count == 784 * 1000 + 1000 + 1000 * 1000 + 1000 + 1000 * 10 + 10
    assert rows["Adam"].bytes == 2 * 4 * count  # m and v in float32; v_max not allocated
    assert rows["AMSGrad"].bytes == 3 * 4 * count
    assert rows["AdaGrad"].bytes == rows["RMSProp"].bytes == rows["Lion"].bytes == 4 * count
    assert rows["SGD"].bytes == 0
    factored = sum(n_in + n_out for n_in, n_out in zip(WIDTHS[:-1], WIDTHS[1:]))  # R and C of each matrix
    biases = sum(WIDTHS[1:])  # full V of each bias
    assert rows["Adafactor"].bytes == 4 * (factored + biases)
    assert rows["Muon"].bytes == 4 * (count + biases)  # m for everything, v for the biases
    assert rows["Schedule-free AdamW"].bytes == 2 * 4 * count
    assert set(registry.labels()) <= set(rows)  # every variant of the collection
    assert rows["Adam"].bytes_per_parameter == 8.0 and rows["Adam"].relative_to_adam == 1.0
    assert f"{rows['Adafactor'].bytes_per_parameter:.4f}" == "0.0152"  # printed by notebook 12
    assert round(rows["Adam"].bytes / rows["Adafactor"].bytes) == 528


def test_the_table_names_only_the_arrays_init_made(rows):
    assert rows["Adam"].buffers == ("m", "v")  # v_max only with AMSGrad
    assert rows["AMSGrad"].buffers == ("m", "v", "v_max")
    assert rows["RMSProp"].buffers == ("s",) and rows["RMSProp (centered, momentum)"].buffers == ("s", "g_avg", "b")
    assert rows["SGD"].buffers == ()


def test_the_seed_memory_claim_does_not_hold(rows):
    # "Adam is memory-efficient compared with AdaGrad and RMSProp": two buffers against one
    assert rows["Adam"].bytes_per_parameter == 2 * rows["AdaGrad"].bytes_per_parameter
    assert rows["Adam"].bytes_per_parameter == 2 * rows["RMSProp"].bytes_per_parameter


def test_state_bytes_counts_state_not_diagnostics():
    params = {"W": np.zeros((3, 2)), "b": np.zeros(2)}
    opt = Adam()
    _, state = opt.update(params, {"W": np.ones((3, 2)), "b": np.ones(2)}, opt.init(params))
    assert state.m_hat is not None  # diagnostics exist after update, but are not state
    assert after_adam.state_bytes(opt, params) == 2 * 8 * 8
    assert after_adam.state_bytes(Adafactor(), params) == 8 * (3 + 2 + 2)
    assert after_adam.state_bytes(SGD(0.1), params) == 0


def test_every_optimizer_class_is_in_the_memory_table():
    from adam_edu import optimizers

    classes = {type(make(1e-3)) for make in after_adam.VARIANTS.values()}
    defined = {c for c in vars(optimizers).values()
               if isinstance(c, type) and issubclass(c, optimizers.Optimizer) and c is not optimizers.Optimizer}
    assert defined <= classes


def test_a_schedule_free_race_is_measured_at_x():
    opt = ScheduleFreeAdamW(0.1)
    run = after_adam.race_trajectory("Schedule-free AdamW", opt, quadratic, steps=20)
    theta, state = np.array(quadratic.start, dtype=float), opt.init(np.array(quadratic.start, dtype=float))
    for _ in range(20):
        theta, state = opt.update(theta, quadratic.gradient(theta), state)
    np.testing.assert_array_equal(run.path[-1], opt.evaluation_params(theta, state))
    assert not np.array_equal(run.path[-1], theta)  # y is not x


def test_race_2d_follows_notebook_05s_rule_for_adam():
    mine = after_adam.race_2d(beale, {"Adam": Adam})
    theirs = zoo.grid_search(Adam, beale)
    assert mine["Adam"].best == theirs.best
    np.testing.assert_array_equal(mine["Adam"].final_gaps, theirs.final_gaps)


@pytest.mark.parametrize("objective", [rosenbrock, beale, quadratic])
def test_the_winners_notebook_12_prints(objective):
    expected = {"rosenbrock": "Adam", "beale": "Adam", "quadratic": "Schedule-free AdamW"}
    assert after_adam.winner(after_adam.race_2d(objective)) == expected[objective.name]


def test_verdict():
    assert after_adam.verdict([1.0, 1.1, 1.2], [1.3, 1.4, 1.5]) == "held"
    assert after_adam.verdict([1.0, 1.35, 1.2], [1.3, 1.4, 1.5]) == "within noise"
    assert after_adam.verdict([2.0, 2.1, 2.2], [1.3, 1.4, 1.5]) == "did not hold"
    assert after_adam.verdict([math.nan, 1.0, 1.0], [1.3, 1.4, 1.5]) == "did not hold"


def test_best_of_the_grid_skips_diverged_runs():
    assert after_adam._best((0.1, 0.3, 1.0), (0.5, 0.2, math.nan)) == 0.3
    with pytest.raises(ValueError, match="every learning rate of the grid diverged"):
        after_adam._best((0.1,), (math.nan,))


def test_train_mlp_is_seeded_and_evaluates_schedule_free_at_x():
    first = after_adam.train_mlp(Lion(3e-4), seed=5, epochs=1)
    assert first == after_adam.train_mlp(Lion(3e-4), seed=5, epochs=1)
    assert first != after_adam.train_mlp(Lion(3e-4), seed=6, epochs=1)
    assert len(first) == 1 and math.isfinite(first[0])
    costs = after_adam.train_mlp(Muon(0.01, adam_lr=3e-3), seed=5, epochs=1)
    assert math.isfinite(costs[0]) and costs[0] < math.log(10)  # below chance after one epoch
    assert math.isfinite(after_adam.train_mlp(ScheduleFreeAdamW(3e-3), seed=5, epochs=1)[0])


def test_the_racers_look_different():
    assert len({plots.color(label) for label in after_adam.MLP_GRIDS}) == len(after_adam.MLP_GRIDS)
    assert set(after_adam.MLP_GRIDS) == set(after_adam.RACERS) | {"Muon"}
    assert set(registry.labels(family="after Adam")) == {"Adafactor", "Lion", "Schedule-free AdamW", "Muon"}
    assert type(after_adam.mlp_factories(1e-3)["Muon"](0.01)) is Muon
    assert after_adam.mlp_factories(2e-3)["Muon"](0.01).adam_lr == 2e-3
    assert {type(make(0.1)) for make in after_adam.RACERS.values()} == {Adam, AdamW, Adafactor, Lion, ScheduleFreeAdamW}


# --- the exercises --------------------------------------------------------------------------------

from adam_edu.exercises import NotQuiteRight  # noqa: E402
from adam_edu.lessons.after_adam import exercises  # noqa: E402


@pytest.mark.parametrize("name", ["lion_step", "factored_second_moment", "evaluation_point"])
def test_each_model_solution_passes_its_check_and_none_is_not_attempted(name):
    check, solution = getattr(exercises, f"check_{name}"), getattr(exercises, f"solution_{name}")
    assert check(solution)
    assert not check(lambda *args: None)


def test_the_checks_name_the_classic_mistakes():
    with pytest.raises(NotQuiteRight, match="signSGD"):
        exercises.check_lion_step(lambda th, g, m, lr, b1, b2: (th - lr * np.sign(g), b2 * m + (1 - b2) * g))
    with pytest.raises(NotQuiteRight, match="updated momentum"):
        exercises.check_lion_step(
            lambda th, g, m, lr, b1, b2: (th - lr * np.sign(b2 * m + (1 - b2) * g), b2 * m + (1 - b2) * g))
    with pytest.raises(NotQuiteRight, match="counts the overall scale twice"):
        exercises.check_factored_second_moment(lambda G: np.outer((G**2).mean(axis=1), (G**2).mean(axis=0)))
    with pytest.raises(NotQuiteRight, match="that is y"):
        exercises.check_evaluation_point(lambda y, z, beta1: y)
    with pytest.raises(NotQuiteRight, match="β1 weighs x"):
        exercises.check_evaluation_point(lambda y, z, beta1: (y - beta1 * z) / (1 - beta1))
