"""adam_edu.paper's seed-to-seed spread: the best settings re-run on other seeds (stored, resumed, sliced, from the
command line), and the claims judged per seed: held, within noise, did not hold."""

import dataclasses
import json

import numpy as np
import pytest

from adam_edu import data, nn, paper
from adam_edu.paper import __main__ as cli
from adam_edu.paper import claims, common, training
from adam_edu.paper.training import Problem, Results, Run, Setting, grid

SETTINGS = grid("Adam", lr=[0.01, 0.1]) + grid("Nesterov", lr=[0.1], momentum=[0.9]) + grid("AdaGrad", lr=[0.1])


def tiny_problems():
    """Logistic regression on 400 digits with input dropout (the seed sets the start, the batches and the masks)."""
    def load():
        x, y = data.load_digits()
        return data.standardize(x[:400]).astype(np.float64), y[:400]

    def model(variant):
        return nn.LogisticRegression(64, 10, l2=1e-4, input_dropout=0.2)

    return [(Problem("p", load, model, "400 digits", epochs=3, batch_size=64), SETTINGS)]


# ---------------------------------------------------------------------------------------------
# The verdict: per seed, unanimous or split


def test_a_claim_judged_on_seeds_has_three_verdicts():
    held = claims.Claim.on_seeds("c", "r", "m", [True, True, True])
    split = claims.Claim.on_seeds("c", "r", "m", [True, False, True])
    failed = claims.Claim.on_seeds("c", "r", "m", [False, False, False])
    assert [c.verdict for c in (held, split, failed)] == ["held", "within noise", "did not hold"]
    assert [c.held for c in (held, split, failed)] == [True, None, False]
    assert split.measured == "m; held on 2 of 3 seeds" and split.rule == f"r; {claims.SEED_RULE}"
    assert claims.Claim.on_seeds("c", "r", "m", [True]).measured == "m"  # one seed: nothing to count
    assert claims.Claim.on_seeds("c", "r", "no statistics", []).verdict == "not measured"
    table = claims.ClaimsTable({"quick": [split]})
    assert "quick: WITHIN NOISE — m; held on 2 of 3 seeds" in repr(table) and "**within noise**" in table.markdown()


def curve(costs, diverged_at=None, unstable=False):
    return {"cost": list(costs), "diverged_at": diverged_at, "steps": 1, "seconds": 0.0, "unstable": unstable}


NAMES = ("Adam", "AdaGrad", "RMSProp", "Nesterov", "AdaDelta")


def fig2_results(finals_per_seed, unstable_seed=None):
    """Figure 2's panel: one setting per optimizer, every curve 1.0 then its final cost; seed 0 is the grid's."""
    settings = {name: Setting(name, (("lr", 0.1),)) for name in NAMES}

    def runs(finals, seed):
        return [Run(settings[name], curve([1.0, final], unstable=seed == unstable_seed and name == "Adam"))
                for name, final in zip(NAMES, finals)]

    grid_finals, *others = finals_per_seed
    return Results("fig2", "quick", "digits", {"a": {"seed": 0, "epochs": 2, "description": "d", "grid": []}},
                   {"a": runs(grid_finals, 0)}, {}, 0.0,
                   seed_runs={"a": {seed: runs(finals, seed) for seed, finals in enumerate(others, start=1)}})


def test_fig2_is_judged_per_seed_against_that_seeds_runs():
    #           Adam  AdaGrad RMSProp Nesterov AdaDelta
    lowest = [0.20, 0.30, 0.30, 0.40, 0.30]
    second = [0.25, 0.22, 0.30, 0.40, 0.30]  # AdaGrad below Adam
    held = claims.fig2(fig2_results([lowest, lowest, [0.19, 0.30, 0.30, 0.40, 0.30]]))[0]
    noise = claims.fig2(fig2_results([lowest, second, lowest]))[0]
    failed = claims.fig2(fig2_results([second, second, second]))[0]
    assert [held.verdict, noise.verdict, failed.verdict] == ["held", "within noise", "did not hold"]
    # the numbers it was judged against: mean (min–max) over the seeds, lowest mean first
    assert held.measured.startswith("3 seeds, mean (min–max): final cost: Adam 0.1967 (0.19–0.2), AdaGrad 0.3 (0.3–0.3)")
    assert held.measured.endswith("held on 3 of 3 seeds") and noise.measured.endswith("held on 2 of 3 seeds")
    assert failed.measured.startswith("3 seeds, mean (min–max): final cost: AdaGrad 0.22 (0.22–0.22), Adam 0.25")
    # one seed only (no re-runs): the verdict is that seed's, the text says so
    alone = claims.fig2(fig2_results([second]))[0]
    assert alone.verdict == "did not hold" and alone.measured.startswith("1 seed: final cost: AdaGrad 0.22, Adam 0.25")


def test_a_seed_whose_rerun_is_unstable_is_left_out():
    """A re-run whose twin ended elsewhere (its numbers depend on the CPU) does not vote."""
    lowest, second = [0.20, 0.30, 0.30, 0.40, 0.30], [0.25, 0.22, 0.30, 0.40, 0.30]
    claim = claims.fig2(fig2_results([lowest, lowest, second], unstable_seed=2))[0]
    assert claim.verdict == "held" and claim.measured.startswith("2 seeds") and claim.measured.endswith("2 of 2 seeds")
    results = fig2_results([lowest, lowest, second], unstable_seed=2)
    assert "(unstable on seed 2: left out)" in results.summary()


def test_a_seed_not_finished_counts_where_it_finished():
    """Re-runs cut short (the full mode's time ran out): a seed votes only if every best setting finished on it, and
    the summary says over how many seeds each row's spread is."""
    lowest = [0.20, 0.30, 0.30, 0.40, 0.30]
    results = fig2_results([lowest, lowest, lowest])
    results.seed_runs["a"][2] = results.seed_runs["a"][2][:4]  # AdaDelta's run on seed 2 did not finish
    claim = claims.fig2(results)[0]
    assert claim.verdict == "held" and claim.measured.startswith("2 seeds") and claim.measured.endswith("2 of 2 seeds")
    summary = results.summary().splitlines()
    assert summary[0].endswith("(not every re-run finished: each row says over how many)")
    assert summary[1].endswith("(3 of 3 seeds)") and summary[5].endswith("(2 of 3 seeds)")
    results.seed_runs["a"][2] = []  # none finished on seed 2
    assert results.seeds("a") == [0, 1] and "over how many" not in results.summary()


def test_spread_is_the_mean_and_the_range():
    assert training.spread([0.2, 0.19, 0.21]) == "0.2 (0.19–0.21)"
    assert training.spread([0.231]) == "0.231"
    assert training.spread([1.0, float("inf")]) == "1 (1–diverged)"
    assert training.spread([24.9, 25.0], 4, "#g") == "24.95 (24.90–25.00)"


# ---------------------------------------------------------------------------------------------
# The re-runs: which problems, stored with their seed, resumed


@pytest.fixture(scope="module")
def base():
    return training.run_experiment("test", "quick", "digits", tiny_problems())


def test_seed_problems_rerun_each_best_setting_on_each_seed(base):
    chosen = [run.setting for run in training.best(base.runs["p"]).values()]
    assert [s.optimizer for s in chosen] == ["Adam", "Nesterov", "AdaGrad"]  # one per optimizer
    seeded = training.seed_problems(tiny_problems(), base, [1, 2])
    assert [(problem.name, problem.seed, settings) for problem, settings in seeded] == [
        ("p seed=1", 1, chosen), ("p seed=2", 2, chosen)]
    problem = seeded[0][0]
    assert dataclasses.replace(problem, name="p", seed=0).summary() == tiny_problems()[0][0].summary()
    with pytest.raises(ValueError, match=r"seeds must differ from the grid's own seed 0, got \[0, 1\]"):
        training.seed_problems(tiny_problems(), base, [0, 1])
    assert common.extra_seeds(3) == [1, 2] and common.extra_seeds(1) == []
    with pytest.raises(ValueError, match=r"seeds must be a whole number ≥ 1 .*got 0"):
        common.extra_seeds(0)


def test_another_seed_changes_start_batches_and_noise_and_is_reproducible(base):
    (problem, _), = tiny_problems()
    setting = training.best(base.runs["p"])[("Adam", "")].setting
    on_seed_1 = training.train(dataclasses.replace(problem, seed=1), setting)
    assert on_seed_1["cost"] == training.train(dataclasses.replace(problem, seed=1), setting)["cost"]
    assert on_seed_1["cost"] != training.train(problem, setting)["cost"]


def test_the_seeds_store_says_which_seed_and_resumes_without_recomputing(base, tmp_path, monkeypatch):
    path = tmp_path / "test_seeds.json"
    seeded = training.seed_problems(tiny_problems(), base, [1, 2])

    class Stop(Exception):
        pass

    def stop_after_four(panel, key, curve, done=[]):
        done.append(key)
        if len(done) == 4:
            raise Stop

    with pytest.raises(Stop):
        training.run_experiment("test", "quick", "digits", seeded, path=path, on_run_done=stop_after_four)
    stored = json.loads(path.read_text())
    assert {name: spec["seed"] for name, spec in stored["protocol"]["panels"].items()} == {"p seed=1": 1, "p seed=2": 2}
    assert sum(len(runs) for runs in stored["runs"].values()) == 4
    trained = []
    real_train = training.train
    monkeypatch.setattr(training, "train", lambda problem, setting, **kw: trained.append((problem.seed, setting.key))
                        or real_train(problem, setting, **kw))
    again = training.run_experiment("test", "quick", "digits", seeded, path=path)
    assert trained == [(2, "Nesterov lr=0.1 momentum=0.9"), (2, "AdaGrad lr=0.1")]  # only the two not stored
    both = training.with_seeds(base, again)
    assert both.seeds("p") == [0, 1, 2]
    on_seeds = both.best_on_seeds("p")
    assert [run.setting for run in on_seeds[2].values()] == [run.setting for run in on_seeds[0].values()]
    direct = real_train(dataclasses.replace(tiny_problems()[0][0], seed=2), on_seeds[0][("Adam", "")].setting)
    assert on_seeds[2][("Adam", "")].curve["cost"] == direct["cost"]
    assert "3 seeds: mean (min–max) over the seeds" in both.summary()
    with pytest.raises(ValueError, match="seeded must be runs of test, got runs of other"):
        training.with_seeds(base, dataclasses.replace(again, figure="other"))


# ---------------------------------------------------------------------------------------------
# The command line: --seeds N, with --jobs and --shard


@pytest.fixture
def small_fig1(monkeypatch):
    from adam_edu.paper import fig1

    monkeypatch.setitem(fig1.SIZES, "quick", {**fig1.SIZES["quick"], "epochs_a": 2, "epochs_b": 2, "bow_samples": 300,
                                                "bow_features": 500})
    monkeypatch.setitem(fig1.GRIDS, "quick", {"a": {name: {"lr": [0.1, 0.3]} for name in ("Adam", "AdaGrad", "Nesterov")},
                                              "b": {name: {"lr": [0.1]} for name in ("Adam", "AdaGrad", "RMSProp", "Nesterov")}})


def without_seconds(path):
    stored = json.loads(path.read_text())
    for runs in stored["runs"].values():
        for curve in runs.values():
            del curve["seconds"]
    return stored


def test_command_line_seeds_store_resume_and_shard(small_fig1, tmp_path, capsys):
    # --jobs 1: worker processes would rebuild fig1's problems without the monkeypatched sizes
    quick = ["fig1", "--quick", "--jobs", "1", "--no-progress", "--seeds", "3"]
    assert cli.main([*quick, "--shard", "1/2", "--out", str(tmp_path)]) == 1  # no grid yet to take the best from
    assert "does not hold the finished grid: train it (and merge its shards) first" in capsys.readouterr().err
    assert cli.main([*quick, "--out", str(tmp_path)]) == 0  # the grid first, then the seeds
    out = capsys.readouterr().out
    assert "fig1: 14 runs on seeds 1, 2 in" in out and "3 seeds, mean (min–max)" in out and "judged per seed" in out
    seeds = tmp_path / "fig1_quick_seeds.json"
    stored = json.loads(seeds.read_text())
    assert {name: spec["seed"] for name, spec in stored["protocol"]["panels"].items()} == {
        "a seed=1": 1, "a seed=2": 2, "b seed=1": 1, "b seed=2": 2}
    written = seeds.read_bytes()
    assert cli.main([*quick, "--out", str(tmp_path)]) == 0  # resumed: nothing left to train, the file unchanged
    assert seeds.read_bytes() == written
    loaded = training.with_seeds(training.load_results(tmp_path / "fig1_quick.json"), training.load_results(seeds))
    assert loaded.seeds("a") == [0, 1, 2] and loaded.seeds("b") == [0, 1, 2]
    # the same re-runs in two slices, merged: the same file as in one process
    sliced = tmp_path / "sliced"
    sliced.mkdir()
    (sliced / "fig1_quick.json").write_bytes((tmp_path / "fig1_quick.json").read_bytes())
    assert cli.main([*quick, "--shard", "1/2", "--out", str(sliced)]) == 0
    assert cli.main([*quick, "--shard", "2/2", "--out", str(sliced)]) == 0
    shards = sorted(sliced.glob("fig1_quick_seeds.shard-*-of-2.json"))
    assert len(shards) == 2 and cli.main(["merge", *map(str, shards)]) == 0
    out = capsys.readouterr().out
    assert "merge: 2 files, 14 of 14 runs" in out and "held on" in out
    assert without_seconds(sliced / "fig1_quick_seeds.json") == without_seconds(seeds)
    assert not (sliced / "fig1_quick_seeds.png").exists()  # the figure is the grid's


def test_command_line_names_a_bad_seeds_value(capsys):
    with pytest.raises(SystemExit):
        cli.main(["fig1", "--quick", "--seeds", "0"])
    assert "--seeds must be a whole number ≥ 1, got '0'" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# The stored full-mode re-runs


# The seeds on which every best setting of each panel was re-run in the stored full mode, the grid's seed 0 included
STORED_SEEDS = {"fig1": [0, 1, 2], "fig2": [0, 1, 2], "fig3": [0, 1, 2], "fig4": [0, 1, 2]}


@pytest.mark.parametrize("figure", paper.FIGURES)
def test_stored_full_mode_seeds_are_the_best_settings_on_other_seeds(figure):
    """The stored re-runs (``python -m adam_edu.paper FIG --seeds 3``): each best setting of the grid, on each seed,
    each a run of its own (another start, minibatch order and noise: another curve)."""
    stored = json.loads(common.results_path(figure, "full", "fashion", seeds=True).read_text())
    assert {spec["seed"] for spec in stored["protocol"]["panels"].values()} == {1, 2}  # the file says which seed
    results = paper.load(figure)
    for panel in results.problems:
        on_seeds = results.best_on_seeds(panel)
        complete = [seed for seed, chosen in on_seeds.items() if list(chosen) == list(on_seeds[0])]
        assert complete == STORED_SEEDS[figure], f"{figure} {panel}"
        for seed in complete[1:]:
            for key, run in on_seeds[seed].items():
                assert run.setting == on_seeds[0][key].setting and run.curve["cost"] != on_seeds[0][key].curve["cost"]
