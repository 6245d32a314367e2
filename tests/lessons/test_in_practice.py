"""Notebook 11 (Adam in practice): the training loop, the experiments' readings, the stored full-mode results, the
slider experiment and the exercises. The quick-mode claims of the notebook are recomputed here the same way."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from adam_edu import schedules
from adam_edu.exercises import NotQuiteRight
from adam_edu.lessons import in_practice
from adam_edu.lessons.in_practice import exercises
from adam_edu.lessons.in_practice.training import (
    Config,
    build_optimizer,
    clip_by_global_norm,
    global_norm,
    make_split,
    train,
    validation_score,
)
from adam_edu.optimizers import AdamW
from adam_edu.widgets.base import layer_png


@pytest.fixture(scope="module")
def quick():
    return in_practice.Runner("quick")


@pytest.fixture(scope="module")
def tiny():
    """A small split of the digits for fast runs of the loop."""
    from adam_edu.data import load_digits

    x, y = load_digits()
    return make_split("digits", x[:400], y[:400], validation=100, test=100)


# --- the split and the loop --------------------------------------------------------------------------


def test_split_is_disjoint_and_standardised_on_the_training_part(tiny):
    assert tiny.sizes() == {"train": 200, "validation": 100, "test": 100}
    train_mean = tiny.x_train.mean(axis=0)
    assert_allclose(train_mean, 0, atol=1e-12)
    assert abs(tiny.x_val.mean()) > 1e-6  # held-out parts use the training part's statistics, not their own


@pytest.mark.parametrize("kwargs, message", [
    ({"validation": 0, "test": 10}, "validation must be a whole number ≥ 1, got 0"),
    ({"validation": 10}, "give either test"),
    ({"validation": 300, "test": 100}, "validation \\+ test must be < the 400 examples, got 400"),
])
def test_split_bad_input(kwargs, message):
    x, y = np.zeros((400, 3)), np.zeros(400, dtype=int)
    with pytest.raises(ValueError, match=message):
        make_split("x", x, y, **kwargs)


def test_adamw_paper_form_divides_lambda_by_alpha():
    optimizer = build_optimizer("AdamW (paper λ)", 0.01, {"weight_decay": 1e-4})
    assert isinstance(optimizer, AdamW) and optimizer.weight_decay == pytest.approx(1e-2)  # λ_torch = λ_paper/α
    assert build_optimizer("AdamW", 0.01, {"weight_decay": 1e-4}).weight_decay == 1e-4
    with pytest.raises(ValueError, match="optimizer must be one of Adam, SGD \\+ momentum"):
        build_optimizer("Lion", 0.01, {})


def test_clip_by_global_norm():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([4.0])}  # ‖g‖ = 5
    clipped, norm = clip_by_global_norm(grads, 1.0)
    assert norm == 5.0 and global_norm(clipped) == pytest.approx(1.0)
    assert_allclose(clipped["a"], [0.6, 0.0])  # one factor for every array: the direction is kept
    same, _ = clip_by_global_norm(grads, 10.0)
    assert same is grads  # shorter than the bound: unchanged
    for bad in (0.0, -1.0, math.inf, True):
        with pytest.raises(ValueError, match=f"max_norm must be a finite number > 0, got {bad!r}"):
            clip_by_global_norm(grads, bad)


def test_a_run_is_reproducible_and_follows_its_schedule(tiny):
    config = Config("SGD + momentum", 0.05, hyper=(("momentum", 0.0),), schedule="cosine", warmup_steps=5,
                    epochs=2, batch_size=50, step_sizes=8)
    first, second = train(tiny, config), train(tiny, config)
    assert first["train_loss"] == second["train_loss"] and first["step_norms"] == second["step_norms"]
    assert first["steps"] == 8 and len(first["val_acc"]) == 3  # epochs 0, 1, 2
    # plain SGD: ‖Δθ_t‖ = α_t‖g_t‖, and warm-up makes α_1 = α/5
    rates = schedules.learning_rates("cosine", 0.05, 8, warmup_steps=5)
    model_first_step = first["step_norms"][0] / rates[0]
    assert model_first_step > 0 and first["step_norms"][0] < first["step_norms"][4]


def test_a_run_whose_loss_overflows_is_marked_diverged(tiny):
    with np.errstate(over="ignore"):
        huge = dataclasses.replace(tiny, x_train=tiny.x_train * 1e308)  # overflows: the first loss is not finite
    curve = train(huge, Config("Adam", 1e-3, epochs=2, batch_size=50))
    assert curve["diverged_at"] == 1 and curve["steps"] == 1 and validation_score(curve) == (math.inf, math.inf)


def test_clipping_counts_the_clipped_steps(tiny):
    curve = train(tiny, Config("SGD + momentum", 0.01, clip=1e-6, epochs=1, batch_size=50))
    assert curve["clipped"] == 1.0
    assert train(tiny, Config("SGD + momentum", 0.01, clip=1e6, epochs=1, batch_size=50))["clipped"] == 0.0


def test_selection_prefers_accuracy_then_loss():
    better = {"diverged_at": None, "val_acc": [0.9], "val_loss": [0.5]}
    worse = {"diverged_at": None, "val_acc": [0.8], "val_loss": [0.1]}
    tie = {"diverged_at": None, "val_acc": [0.9], "val_loss": [0.4]}
    assert min([worse, better, tie], key=validation_score) is tie


# --- the readings --------------------------------------------------------------------------------------


def test_summarise_means_and_gaps():
    curves = [{"train_loss": [1, 0.1], "train_acc": [0, 1.0], "val_loss": [1, 0.3], "val_acc": [0, 0.9],
               "test_loss": [1, 0.5], "test_acc": [0, 0.8]},
              {"train_loss": [1, 0.3], "train_acc": [0, 0.9], "val_loss": [1, 0.3], "val_acc": [0, 0.9],
               "test_loss": [1, 0.5], "test_acc": [0, 0.9]}]
    summary = in_practice.summarise(curves)
    assert summary["acc_gap"][0] == pytest.approx(0.1) and summary["loss_gap"][0] == pytest.approx(0.3)
    assert summary["train_loss"][1] == pytest.approx(np.std([0.1, 0.3], ddof=1))


@pytest.mark.parametrize("adam, sgd, expected", [
    ([0.90, 0.91, 0.90], [0.95, 0.96, 0.95], "held"),
    ([0.95, 0.96, 0.95], [0.90, 0.91, 0.90], "did not hold"),
    ([0.90, 0.95, 0.92], [0.91, 0.94, 0.93], "within noise"),
])
def test_wilson_verdict(adam, sgd, expected):
    verdict, difference, noise = in_practice.wilson_verdict(adam, sgd)
    assert verdict == expected and difference == pytest.approx(np.mean(sgd) - np.mean(adam))
    assert noise == pytest.approx(2 * math.sqrt(np.var(adam, ddof=1) / 3 + np.var(sgd, ddof=1) / 3))


def test_wilson_verdict_needs_two_seeds():
    with pytest.raises(ValueError, match="need at least 2 seeds per optimizer to measure noise, got 1 and 3"):
        in_practice.wilson_verdict([0.9], [0.9, 0.9, 0.9])


def test_smoothing_is_bias_corrected():
    # a constant loss is its own average from the first step; without the correction the first value is 0.1×
    assert_allclose(in_practice.smoothed(np.full(5, 2.0)), 2.0)


def test_range_test_reading_on_a_known_curve():
    rates = np.geomspace(1e-5, 1.0, 400)
    x = np.log10(rates)
    losses = 2.0 - 1.5 / (1 + np.exp(-3 * (x + 3))) + np.where(x > -1.5, 50 * (x + 1.5) ** 2, 0)  # falls near 10⁻³
    reading = in_practice.read_range_test(rates, losses)
    assert 3e-4 < reading["steepest"] < 3e-3
    assert reading["minimum"] < reading["blow_up"] and reading["suggested"] == pytest.approx(reading["minimum"] / 10)


def test_best_per_row():
    values = np.array([[3.0, 1.0, 2.0], [0.5, 1.0, 2.0]])
    assert in_practice.best_per_row(values, [0, 0.1, 1]) == [0.1, 0]
    assert in_practice.best_per_row(values, [0, 0.1, 1], lower_is_better=False) == [0, 1]


# --- the runner and the stored results ------------------------------------------------------------------


def test_runner_keeps_finished_runs_and_resumes(tmp_path, tiny):
    path = tmp_path / "runs.json"
    runner = in_practice.Runner("quick", path=path, split=tiny)
    config = runner.config("Adam", 1e-3, epochs=1)
    curve = runner.run("p", config)
    assert runner.trained == 1 and json.loads(path.read_text())["runs"]["p"][config.key] == curve
    again = in_practice.Runner("quick", path=path, split=tiny)
    assert again.run("p", config) == curve and again.trained == 0  # read, not trained
    stored = in_practice.Runner("quick", path=path, read_only=True)
    with pytest.raises(LookupError, match="not in the stored results"):
        stored.run("p", runner.config("Adam", 3e-3, epochs=1))


def test_bad_mode():
    with pytest.raises(ValueError, match="mode must be one of quick, full, got 'fast'"):
        in_practice.Runner("fast")


@pytest.fixture(scope="module")
def full():
    return in_practice.stored_runner()


def test_stored_full_mode_is_complete_and_as_the_notebook_reads_it(full):
    found = in_practice.tuned_comparison(full)  # raises if a run is missing
    for name, result in found.items():
        assert not result["on_edge"], f"{name}'s best α {result['best_lr']} is on its grid's edge"
        assert len(result["seeds"]) == len(in_practice.SIZES["full"]["seeds"]) >= 3
    adam, sgd = (in_practice.summarise(found[n]["seeds"]) for n in ("Adam", "SGD + momentum"))
    assert adam["train_loss"][0] < sgd["train_loss"][0] and adam["test_loss"][0] > sgd["test_loss"][0]
    verdict, _, _ = in_practice.wilson_verdict([c["test_acc"][-1] for c in found["Adam"]["seeds"]],
                                               [c["test_acc"][-1] for c in found["SGD + momentum"]["seeds"]])
    assert verdict != "held"
    grid = in_practice.weight_decay_grid(full)
    assert grid["AdamW val_loss"].shape == (3, 4) and np.isfinite(grid["AdamW (paper λ) val_loss"]).all()


# --- the quick-mode claims of the notebook ---------------------------------------------------------------


@pytest.fixture(scope="module")
def tuned_quick(quick):
    return in_practice.tuned_comparison(quick)


def test_quick_tuned_comparison(tuned_quick):
    assert {n: r["best_lr"] for n, r in tuned_quick.items()} == {"Adam": 0.03, "SGD + momentum": 0.03}
    assert not any(r["on_edge"] for r in tuned_quick.values())
    adam, sgd = (in_practice.summarise(tuned_quick[n]["seeds"]) for n in ("Adam", "SGD + momentum"))
    assert adam["train_loss"][0] < sgd["train_loss"][0] / 10 and adam["test_loss"][0] > sgd["test_loss"][0]
    verdict, difference, _ = in_practice.wilson_verdict([c["test_acc"][-1] for c in tuned_quick["Adam"]["seeds"]],
                                                        [c["test_acc"][-1] for c in tuned_quick["SGD + momentum"]["seeds"]])
    assert verdict == "within noise" and difference < 0


def test_adams_first_step_has_length_alpha_root_n(quick):
    norms = in_practice.first_steps(quick)
    n = 64 * 64 + 64 + 64 * 10 + 10 - 64 * int(np.sum(quick.split.x_train.std(axis=0) == 0))
    assert norms["Adam"][0] == pytest.approx(in_practice.WARMUP_LR * math.sqrt(n), rel=1e-3)
    assert norms["Adam, 100 steps of warm-up"][0] == pytest.approx(norms["Adam"][0] / 100, rel=1e-3)
    assert norms["RAdam"][0] < norms["Adam, 100 steps of warm-up"][0] * 10 < norms["Adam"][0]
    assert norms["Adam (no bias correction)"][0] > 3 * norms["Adam"][0]


def test_clipping_makes_sgd_reproducible_at_ten_times_its_alpha_not_adam(quick, tuned_quick):
    rows = in_practice.clipping(quick, {n: r["best_lr"] for n, r in tuned_quick.items()})
    by = {(r["optimizer"], r["lr"], r["clip"]): r for r in rows}
    unstable = {key: in_practice.shown(row["val_loss"], row["curve"]) == "unstable" for key, row in by.items()}
    assert unstable["SGD + momentum", 0.3, None] and not unstable["SGD + momentum", 0.3, 1.0]
    assert by["SGD + momentum", 0.3, 1.0]["val_loss"] < 1
    assert unstable["Adam", 0.3, None] and unstable["Adam", 0.3, 1.0]
    assert not any(unstable[name, lr, clip] for name, lr, clip in by if lr == 0.03)


def test_shown_keeps_the_digits_the_twin_agrees_on():
    assert in_practice.shown(0.123456, {"twin_gaps": [0.0, 1e-9]}) == "0.123"
    assert in_practice.shown(0.123456, {"twin_gaps": [0.0, 5e-4]}) == "0.12"
    assert in_practice.shown(0.123456, {"twin_gaps": [0.0, 0.5]}) == "unstable"
    assert in_practice.shown(0.123456, {"twin_gaps": [0.0, 1e-9, None]}, epoch=1) == "0.123"  # later chaos ignored
    assert in_practice.shown(0.123456, {}) == "0.123"  # stored full-mode runs have no twin
    assert in_practice.shown(0.0932, {"diverged_at": 2}) == "diverged"


# --- the slider experiment ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def experiment(quick):
    from adam_edu.lessons.in_practice.slider import ScheduleExperiment

    experiment = ScheduleExperiment(quick, shape="cosine", warmup=100, lr=0.1)
    experiment.widget()
    return experiment


def test_slider_first_picture(experiment):
    assert experiment.updates == 1 and layer_png(experiment.image)[:8] == b"\x89PNG\r\n\x1a\n" and experiment.question
    T = experiment.total_steps
    assert T == 680
    assert_allclose(experiment.lr_line.get_ydata(), schedules.learning_rates("cosine", 0.1, T, warmup_steps=100))
    curve = experiment.curves[0.1]["cosine", 100]
    assert_allclose(experiment.train_line.get_ydata(), curve["train_loss"])
    assert_allclose(experiment.val_line.get_ydata(), curve["val_loss"])
    assert "cosine, 100 warm-up steps, α = 0.1" in experiment.readout.get_text()


def test_slider_pictures_drawn_beforehand_are_the_pictures_drawn_on_the_move(experiment):
    from test_slider_base import assert_prefetched_is_drawn

    assert experiment.prefetch == ("warmup", "lr")
    for name in experiment.prefetch:
        assert_prefetched_is_drawn(experiment, name)


def test_slider_moves_follow_the_controls(experiment):
    before = experiment.image.value
    experiment.controls["warmup"].value = 0
    experiment.controls["shape"].value = "1/√t"
    assert experiment.image.value != before
    assert experiment.lr_line.get_ydata()[0] == 0.1 and experiment.lr_line.get_ydata()[3] == pytest.approx(0.05)
    assert_allclose(experiment.train_line.get_ydata(), experiment.curves[0.1]["1/√t", 0]["train_loss"])
    experiment.controls["lr"].value = 0.01
    assert_allclose(experiment.reference_lr.get_ydata(), 0.01)
    assert_allclose(experiment.reference_loss.get_ydata(), experiment.curves[0.01]["constant", 0]["train_loss"])
    assert experiment.readout.get_text().startswith("1/√t, 0 warm-up steps, α = 0.01")


# --- the exercises ------------------------------------------------------------------------------------


def test_exercise_solutions_pass_and_none_is_not_attempted(capsys):
    assert exercises.check_warmup_cosine(exercises.solution_warmup_cosine)
    assert exercises.check_clip(exercises.solution_clip)
    assert not exercises.check_clip(lambda grads, max_norm: None)
    assert "not attempted yet" in capsys.readouterr().out


def test_exercise_mistakes_are_named():
    with pytest.raises(NotQuiteRight, match="starts at α_1 = 0"):
        exercises.check_warmup_cosine(
            lambda t, lr, T, w: lr * np.minimum(1, (t - 1) / w) * 0.5 * (1 + np.cos(np.pi * (t - 1) / T)))
    with pytest.raises(NotQuiteRight, match="each array by its own norm"):
        exercises.check_clip(lambda grads, c: {k: g * min(1.0, c / np.linalg.norm(g)) for k, g in grads.items()})


def test_the_recipe_reads_clipping_rows_by_optimizer_and_setting_not_position():
    from adam_edu.lessons.in_practice import _at_large_lr

    rows = [{"optimizer": name, "lr": lr * scale, "clip": clip}
            for name, lr in (("Adam", 1e-3), ("SGD + momentum", 0.1))
            for scale in (1.0, 10.0) for clip in (None, 1.0)]
    assert _at_large_lr(rows, "Adam", clipped=False) is rows[2] and _at_large_lr(rows, "Adam", clipped=True) is rows[3]
    assert _at_large_lr(rows, "SGD + momentum", clipped=False) is rows[6]
    assert _at_large_lr(rows[::-1], "SGD + momentum", clipped=True) is rows[7]
