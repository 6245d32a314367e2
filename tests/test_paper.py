"""adam_edu.paper's protocol: the training loop, grid search, selection, stored results and resuming.

The figures' own claims are checked in tests/test_paper_fig*.py, on the quick runs.
"""

import json
import math

import numpy as np
import pytest

from adam_edu import data, nn
from adam_edu.optimizers import SGD, Adam
from adam_edu.paper import __main__ as cli
from adam_edu.paper import claims, common, training
from adam_edu.paper.training import Problem, ResultStore, Run, Setting, StoredResultsDiffer, grid


def tiny_problem(epochs=3, **kwargs) -> Problem:
    """Logistic regression on 400 digits: a few milliseconds per run."""
    def load():
        x, y = data.load_digits()
        return data.standardize(x[:400]).astype(np.float64), y[:400]

    return Problem("p", load, lambda variant: nn.LogisticRegression(64, 10, l2=1e-4, input_dropout=0.2 if variant else 0.0),
                   "400 digits", epochs=epochs, batch_size=64, **kwargs)


SETTINGS = grid("Adam", lr=[0.01, 0.1]) + grid("Nesterov", lr=[0.1], momentum=[0.9]) + grid("AdaGrad", lr=[0.1])


def strip_seconds(results):
    return {panel: [(run.setting, {k: v for k, v in run.curve.items() if k != "seconds"}) for run in runs]
            for panel, runs in results.runs.items()}


def test_settings_have_readable_unique_keys_and_build_their_optimizer():
    assert [s.key for s in SETTINGS] == ["Adam lr=0.01", "Adam lr=0.1", "Nesterov lr=0.1 momentum=0.9", "AdaGrad lr=0.1"]
    nesterov = SETTINGS[2].build()
    assert isinstance(nesterov, SGD) and nesterov.nesterov and nesterov.momentum == 0.9
    no_correction = Setting("Adam (no bias correction)", (("beta2", 0.99), ("lr", 0.001)), "dropout")
    assert no_correction.key == "Adam (no bias correction) beta2=0.99 lr=0.001 | dropout"
    assert isinstance(no_correction.build(), Adam) and not no_correction.build().bias_correction
    with pytest.raises(ValueError, match="optimizer must be one of"):
        training.make_optimizer("Adamm", {"lr": 1.0})


def test_half_decades():
    assert common.half_decades(1e-3, 1.0) == [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
    assert common.half_decades(0.03, 3) == [0.03, 0.1, 0.3, 1.0, 3.0]


def test_runs_are_reproducible_and_share_init_batches_and_noise():
    problem = tiny_problem(track_objective=True)
    a = training.train(problem, SETTINGS[1])
    b = training.train(problem, SETTINGS[1])
    assert a["cost"] == b["cost"] and a["objective"] == b["objective"]
    assert len(a["cost"]) == 3 and len(a["objective"]) == 4 and a["steps"] == 3 * 7
    # Same start for every optimizer: the objective at epoch 0 is the same (W = 0 gives log 10)
    c = training.train(problem, SETTINGS[3])
    assert a["objective"][0] == c["objective"][0] == pytest.approx(math.log(10), rel=1e-5)


def test_decayed_step_size_is_alpha_over_root_t():
    """With the schedule, step t uses α/√t (t counted over all epochs); without it α stays constant."""
    rates = []

    class Recording(Adam):
        def step(self, params, grads, state):
            rates.append(self.lr)
            return super().step(params, grads, state)

    training.OPTIMIZERS["Recording"] = Recording
    try:
        training.train(tiny_problem(epochs=2, decayed=frozenset({"Recording"})), Setting("Recording", (("lr", 0.5),)))
        np.testing.assert_allclose(rates, 0.5 / np.sqrt(np.arange(1, 15)), rtol=1e-15)
        rates.clear()
        training.train(tiny_problem(epochs=1), Setting("Recording", (("lr", 0.5),)))
        assert rates == [0.5] * 7
    finally:
        del training.OPTIMIZERS["Recording"]


def test_a_diverging_run_stops_and_loses_the_selection():
    problem = tiny_problem()
    settings = grid("Nesterov", lr=[1e200], momentum=[0.99]) + grid("Nesterov", lr=[0.1], momentum=[0.9])
    runs = [Run(s, training.train(problem, s)) for s in settings]
    assert runs[0].diverged and runs[0].curve["diverged_at"] == 1 and runs[0].curve["cost"] == []
    assert training.final_cost(runs[0].curve) == math.inf
    assert training.best(runs)[("Nesterov", "")] is runs[1]


def test_a_chaotic_run_is_found_by_its_twin_and_a_stable_one_is_not():
    """The twin starts from weights × (1 + 1e-12): a stable run ends where its twin ends, to far better than
    the printed digits; a run that amplifies that perturbation past UNSTABLE is marked, whatever the CPU."""
    problem = tiny_problem(epochs=3, stability_check=True)
    stable = training.train(problem, SETTINGS[0])  # Adam, α = 0.01, on a convex problem
    assert not stable["unstable"] and stable["twin_cost"] == pytest.approx(stable["cost"][-1], rel=1e-9)
    assert stable["twin_gap"] == 0.0  # every epoch's cost, to the 6 digits stored
    assert Run(SETTINGS[0], stable).unstable is False
    # Figure 2's quick grid: AdaGrad at α = 0.3 blows up in its first epoch (cost 15 against ln 10 at the start)
    # and its final cost differed by 3.8% between CPU personalities (tools/cpu_personalities.py spread)
    from adam_edu.paper import fig2

    (mlp, settings), = fig2.problems("quick")
    chaotic = training.train(mlp, next(s for s in settings if s.key == "AdaGrad lr=0.3"))
    assert chaotic["unstable"] and chaotic["twin_gap"] > 100 * training.UNSTABLE  # 0.08 to 0.12 on three CPUs
    assert "stability_check" in mlp.summary() and "stability_check" not in tiny_problem().summary()
    # without the check nothing is added (full mode, and the stored runs)
    assert "unstable" not in training.train(tiny_problem(epochs=1), SETTINGS[0])


def test_the_twin_gap_compares_whole_curves():
    """Two runs that end on the same cost by different roads (a network that died either way) are not alike."""
    curve = {"cost": [2.3, 1.5, 2.31185], "diverged_at": None}
    assert training.twin_gap([2.3, 1.5, 2.31185], curve) == 0.0
    assert training.twin_gap([2.3, 0.9, 2.31185], curve) == pytest.approx(0.6 / 0.9)
    assert training.twin_gap([2.3, 1.5, 2.3], {"cost": [2.3], "diverged_at": 2}) == math.inf


def test_the_twin_starts_from_every_weight_moved_by_the_perturbation():
    import dataclasses

    from adam_edu.paper import fig2

    (mlp, _), = fig2.problems("quick")
    mlp = dataclasses.replace(mlp, epochs=0, stability_check=False)  # on_end then sees the initial weights
    start = {}
    training.train(mlp, SETTINGS[0], on_end=lambda params, *_: start.update(run=params))
    training.train(mlp, SETTINGS[0], perturbation=1e-12, on_end=lambda params, *_: start.update(twin=params))
    for name, weights in start["run"].items():
        np.testing.assert_array_equal(start["twin"][name], weights * (1 + 1e-12))
    moved = start["run"]["fc1.W"] != start["twin"]["fc1.W"]
    assert moved.mean() > 0.99  # every nonzero weight moves (1e-12 is far above a float64's 1.1e-16)


def test_best_setting_is_lowest_final_cost_and_grid_edges_are_flagged():
    def run(lr, costs):
        return Run(grid("Adam", lr=[lr])[0], {"cost": costs, "diverged_at": None})

    runs = [run(0.01, [1.0, 0.5]), run(0.1, [0.9, 0.3]), run(1.0, [0.2, 0.31])]
    chosen = training.best(runs)[("Adam", "")]
    assert chosen is runs[1] and not training.on_grid_edge(chosen, runs)
    assert training.on_grid_edge(runs[2], runs)


def test_adam_statistics_of_the_second_moment():
    problem = tiny_problem(adam_statistics=True)
    stats = training.train(problem, SETTINGS[1])["adam"]
    assert 0 < stats["median_sqrt_v_hat"] < 1 and 0 <= stats["fraction_below_eps"] <= 1


def test_on_end_sees_the_final_state_the_statistics_were_taken_from():
    problem = tiny_problem(adam_statistics=True)
    seen = {}
    curve = training.train(problem, SETTINGS[1], on_end=lambda params, opt, state: seen.update(opt=opt, state=state))
    assert seen["state"].t == curve["steps"] == 3 * 7  # 400 images, minibatch 64: 7 steps per epoch
    root = np.sqrt(np.concatenate([v.ravel() for v in seen["state"].v.values()]) / (1 - 0.999**21))
    assert curve["adam"]["median_sqrt_v_hat"] == pytest.approx(np.median(root), rel=1e-3)


class Interrupt(Exception):
    pass


def test_an_interrupted_grid_search_resumes_without_recomputing(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    problems = [(tiny_problem(track_objective=True), SETTINGS)]
    uninterrupted = training.run_experiment("test", "quick", "digits", problems)

    finished = []

    def stop_after_two(panel, key, curve):
        finished.append(key)
        if len(finished) == 2:
            raise Interrupt

    with pytest.raises(Interrupt):
        training.run_experiment("test", "quick", "digits", problems, path=path, on_run_done=stop_after_two)
    stored = json.loads(path.read_text())
    assert list(stored["runs"]["p"]) == [s.key for s in SETTINGS[:2]]
    partial = training.load_results(path)
    assert not partial.complete() and len(partial.runs["p"]) == 2

    trained = []
    original = training.train
    monkeypatch.setattr(training, "train", lambda problem, setting, **kw: trained.append(setting.key) or original(problem, setting, **kw))
    resumed = training.run_experiment("test", "quick", "digits", problems, path=path)
    assert trained == [s.key for s in SETTINGS[2:]]  # nothing finished was recomputed
    assert resumed.complete()
    assert strip_seconds(resumed) == strip_seconds(uninterrupted)
    assert strip_seconds(training.load_results(path)) == strip_seconds(uninterrupted)

    trained.clear()
    training.run_experiment("test", "quick", "digits", problems, path=path)
    assert trained == []  # a finished experiment runs nothing


def test_a_narrowed_or_widened_grid_reuses_its_finished_runs(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    problem = tiny_problem()
    training.run_experiment("test", "quick", "digits", [(problem, SETTINGS)], path=path)
    trained = []
    original = training.train
    monkeypatch.setattr(training, "train", lambda problem, setting, **kw: trained.append(setting.key) or original(problem, setting, **kw))
    narrower = training.run_experiment("test", "quick", "digits", [(problem, SETTINGS[1:])], path=path)
    assert trained == [] and narrower.complete()
    stored = training.load_results(path)  # the file now describes the narrower grid, and loads as complete
    assert stored.complete() and [run.setting for run in stored.runs["p"]] == SETTINGS[1:]
    wider = SETTINGS + grid("Adam", lr=[1.0])
    training.run_experiment("test", "quick", "digits", [(problem, wider)], path=path)
    assert trained == ["Adam lr=1"]  # only the new point is trained
    assert [run.setting for run in training.load_results(path).runs["p"]] == wider


def test_results_made_otherwise_are_not_resumed(tmp_path):
    path = tmp_path / "results.json"
    training.run_experiment("test", "quick", "digits", [(tiny_problem(epochs=1), SETTINGS[:1])], path=path)
    with pytest.raises(StoredResultsDiffer, match="--restart"):
        training.run_experiment("test", "quick", "digits", [(tiny_problem(epochs=2), SETTINGS[:1])], path=path)
    results = training.run_experiment("test", "quick", "digits", [(tiny_problem(epochs=2), SETTINGS[:1])], path=path,
                                      restart=True)
    assert len(results.runs["p"][0].curve["cost"]) == 2


def test_the_store_writes_atomically(tmp_path):
    store = ResultStore(tmp_path / "r.json", "test", {"x": 1})
    store.put("p", "k", {"cost": [1.0], "diverged_at": None, "seconds": 0.0})
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temporary file left behind
    assert ResultStore(tmp_path / "r.json", "test", {"x": 1}).get("p", "k")["cost"] == [1.0]


def test_progress_without_tqdm_prints_one_line_per_run(monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__
    monkeypatch.setattr(builtins, "__import__", lambda name, *a, **k: (_ for _ in ()).throw(ImportError)
                        if name.startswith("tqdm") else real_import(name, *a, **k))
    training.run_experiment("test", "quick", "digits", [(tiny_problem(epochs=1), SETTINGS[:2])], progress=True)
    lines = capsys.readouterr().out.strip().splitlines()
    assert "install tqdm" in lines[0] and len(lines) == 3 and "Adam lr=0.1: final cost" in lines[2]


def test_claims_table_text_and_markdown():
    table = claims.ClaimsTable({
        "quick": [claims.Claim("Adam is fast", "final cost below 1", "final cost 0.5", True)],
        "full": [claims.Claim("Adam is fast", "final cost below 1", "final cost 2", False)],
    })
    text = repr(table)
    assert "1. Adam is fast" in text and "quick: HELD — final cost 0.5" in text and "full:  DID NOT HOLD" in text
    assert table.markdown().splitlines()[2] == (
        "| Adam is fast | final cost below 1 | final cost 0.5 | final cost 2 | **held** | **did not hold** |"
    )


def test_command_line_quick_run_writes_json_and_png(tmp_path, monkeypatch, capsys):
    from adam_edu.paper import fig1

    monkeypatch.setitem(fig1.SIZES, "quick", {**fig1.SIZES["quick"], "epochs_a": 2, "epochs_b": 1, "bow_samples": 300,
                                                "bow_features": 500})
    monkeypatch.setitem(fig1.GRIDS, "quick", {"a": {name: {"lr": [0.1]} for name in ("Adam", "AdaGrad", "Nesterov")},
                                              "b": {name: {"lr": [0.1]} for name in ("Adam", "AdaGrad", "RMSProp", "Nesterov")}})
    # --jobs 1: worker processes would rebuild fig1's problems without the monkeypatched sizes
    assert cli.main(["fig1", "--quick", "--jobs", "1", "--out", str(tmp_path), "--no-progress"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fig1_quick.json", "fig1_quick.png"]
    out = capsys.readouterr().out
    assert "fig1: 7 runs" in out and "1. (a) Adam yields similar convergence" in out


def test_command_line_says_where_it_looked_when_mnist_is_missing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("ADAM_EDU_DATA", raising=False)
    assert cli.main(["fig2", "--dataset", "mnist", "--out", str(tmp_path), "--no-progress"]) == 1
    assert "MNIST train files" in capsys.readouterr().err
    assert not (tmp_path / "fig2_mnist.json").exists()


def test_grid_table_lists_every_setting_and_marks_the_best():
    from adam_edu.paper.training import Results, Run, Setting

    def run(optimizer, lr, momentum, cost, diverged=None):
        setting = Setting(optimizer, (("lr", lr), ("momentum", momentum)))
        return Run(setting, {"cost": [9.0, cost], "diverged_at": diverged})

    runs = [run("Nesterov", 0.1, 0.9, 0.5), run("Nesterov", 0.1, 0.99, 0.4), run("Nesterov", 1.0, 0.9, 0.7, 1),
            run("Adam", 0.01, 0.9, 0.3), run("Adam", 0.1, 0.9, 0.2)]
    runs[3].curve["unstable"] = True  # its twin ended elsewhere: the value would depend on the CPU
    results = Results("fig1", "quick", "digits", {"a": {"grid": []}}, {"a": runs}, {}, 0.0)
    assert results.grid_table("a").splitlines() == [
        "Nesterov  lr=0.1, momentum=0.9: 0.5 | lr=0.1, momentum=0.99: 0.4* | lr=1, momentum=0.9: diverged",
        "Adam      lr=0.01: unstable | lr=0.1: 0.2*",  # a value the grid does not vary is not repeated
    ]


# ---------------------------------------------------------------------------------------------
# The exercises of notebooks 07-10: the model answer passes, an independent correct answer passes,
# "not attempted" is not a pass, and each classic mistake is named


def test_exercise_decayed_step_sizes():
    from adam_edu.exercises import NotQuiteRight
    from adam_edu.paper import exercises as ex

    assert not ex.check_decayed_step_sizes(lambda alpha, steps: None)
    assert ex.check_decayed_step_sizes(ex.solution_decayed_step_sizes)
    assert ex.check_decayed_step_sizes(lambda alpha, steps: np.array([alpha / math.sqrt(t) for t in range(1, steps + 1)]))
    with pytest.raises(NotQuiteRight, match="square root"):
        ex.check_decayed_step_sizes(lambda alpha, steps: alpha / np.arange(1, steps + 1))
    with pytest.raises(NotQuiteRight, match="starts at 2"):
        ex.check_decayed_step_sizes(lambda alpha, steps: alpha / np.sqrt(np.arange(2, steps + 2)))


def test_exercise_epochs_to_reach():
    from adam_edu.exercises import NotQuiteRight
    from adam_edu.paper import exercises as ex

    assert not ex.check_epochs_to_reach(lambda costs, target: None)
    assert ex.check_epochs_to_reach(ex.solution_epochs_to_reach)
    assert ex.check_epochs_to_reach(lambda c, t: next((i + 1 for i, x in enumerate(c) if x <= t), None))
    with pytest.raises(NotQuiteRight, match="from 0"):
        ex.check_epochs_to_reach(lambda c, t: next((i for i, x in enumerate(c) if x <= t), None) if c[0] > t else 0)
    with pytest.raises(NotQuiteRight, match="equal the target"):
        ex.check_epochs_to_reach(lambda c, t: next((i + 1 for i, x in enumerate(c) if x < t), None))
    with pytest.raises(NotQuiteRight, match="must give None"):
        ex.check_epochs_to_reach(lambda c, t: next((i + 1 for i, x in enumerate(c) if x <= t), len(c)))


def test_exercise_inverted_dropout():
    from adam_edu.exercises import NotQuiteRight
    from adam_edu.paper import exercises as ex

    assert not ex.check_inverted_dropout(lambda x, keep, rate: None)
    assert ex.check_inverted_dropout(ex.solution_inverted_dropout)
    assert ex.check_inverted_dropout(lambda x, keep, rate: x * keep / (1 - rate))
    with pytest.raises(NotQuiteRight, match="divided by the keep probability"):
        ex.check_inverted_dropout(lambda x, keep, rate: x * keep)
    with pytest.raises(NotQuiteRight, match="keep the units where keep is True"):
        ex.check_inverted_dropout(lambda x, keep, rate: x * ~keep / (1 - rate))


def test_exercise_on_grid_edge():
    from adam_edu.exercises import NotQuiteRight
    from adam_edu.paper import exercises as ex

    assert not ex.check_on_grid_edge(lambda values, best: None)
    assert ex.check_on_grid_edge(ex.solution_on_grid_edge)
    assert ex.check_on_grid_edge(lambda v, b: len(v) > 1 and (b == min(v) or b == max(v)))
    with pytest.raises(NotQuiteRight, match="any order"):
        ex.check_on_grid_edge(lambda v, b: len(v) > 1 and b in (v[0], v[-1]))
    with pytest.raises(NotQuiteRight, match="single value"):
        ex.check_on_grid_edge(lambda v, b: b in (min(v), max(v)))


def test_exercise_pooled_size():
    from adam_edu import nn
    from adam_edu.exercises import NotQuiteRight
    from adam_edu.paper import exercises as ex

    assert not ex.check_pooled_size(lambda size, window=3, stride=2, pad=1: None)
    assert ex.check_pooled_size(ex.solution_pooled_size)
    assert [ex.solution_pooled_size(s) for s in (32, 16, 8, 28, 14, 7)] == [16, 8, 4, 14, 7, 4]
    # the same sizes as the network's own layer: the paper's CNN on 32×32 ends at 4×4
    assert nn.CNN(in_shape=(3, 32, 32)).init()["fc1.W"].shape[0] == 128 * 4 * 4
    with pytest.raises(NotQuiteRight, match=r"\+ 1"):
        ex.check_pooled_size(lambda s, w=3, st=2, p=1: (s + 2 * p - w) // st)
    with pytest.raises(NotQuiteRight, match="both"):
        ex.check_pooled_size(lambda s, w=3, st=2, p=1: (s - w) // st + 1)
    with pytest.raises(NotQuiteRight, match="paper's case only"):  # right for the paper's pooling, and only there
        ex.check_pooled_size(lambda s, w=3, st=2, p=1: math.ceil(s / 2))


def test_exercise_fraction_below_eps():
    from adam_edu.exercises import NotQuiteRight
    from adam_edu.paper import exercises as ex

    assert not ex.check_fraction_below_eps(lambda v_hat, eps: None)
    assert ex.check_fraction_below_eps(ex.solution_fraction_below_eps)
    assert ex.check_fraction_below_eps(lambda v, eps: float(np.count_nonzero(v < eps**2)) / v.size)
    with pytest.raises(NotQuiteRight, match="not v̂ itself"):
        ex.check_fraction_below_eps(lambda v, eps: float(np.mean(v < eps)))


def test_exercise_first_step_without_correction():
    from adam_edu.exercises import NotQuiteRight
    from adam_edu.paper import exercises as ex
    from adam_edu.optimizers import Adam

    assert not ex.check_first_step_without_correction(lambda a, b1, b2: None)
    assert ex.check_first_step_without_correction(ex.solution_first_step_without_correction)

    def measured(alpha, beta1, beta2):  # the first step of the library's Adam, any gradient
        opt = Adam(lr=alpha, beta1=beta1, beta2=beta2, eps=0.0, bias_correction=False)
        params, _ = opt.update(np.array([0.0]), np.array([-0.37]), opt.init(np.array([0.0])))
        return float(params[0])

    assert ex.check_first_step_without_correction(measured)
    with pytest.raises(NotQuiteRight, match="with\\* bias correction"):
        ex.check_first_step_without_correction(lambda a, b1, b2: a)
    with pytest.raises(NotQuiteRight, match="square root"):
        ex.check_first_step_without_correction(lambda a, b1, b2: a * (1 - b1) / (1 - b2))


def test_exercise_bias_lasts():
    from adam_edu.exercises import NotQuiteRight
    from adam_edu.paper import exercises as ex

    def by_counting(beta2, tolerance):
        t, bias = 0, 1.0
        while bias > tolerance:
            t, bias = t + 1, bias * beta2
        return t

    assert not ex.check_bias_lasts(lambda b, tol: None)
    assert ex.check_bias_lasts(ex.solution_bias_lasts)
    assert ex.check_bias_lasts(by_counting)
    assert ex.solution_bias_lasts(0.9999, 0.01) == 46050  # 19 epochs of the full Figure 4 run (600 steps each)
    with pytest.raises(NotQuiteRight, match="round up"):
        ex.check_bias_lasts(lambda b, tol: math.floor(math.log(tol) / math.log(b)))
    with pytest.raises(NotQuiteRight, match="averaging window"):
        ex.check_bias_lasts(lambda b, tol: round(1 / (1 - b)))
