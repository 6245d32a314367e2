"""adam_edu.paper in parallel: worker processes (--jobs), slices of a grid (--shard K/N) and merge, a killed
worker, the paper's lengths; each stores the same results as one process training the runs one by one."""

import functools
import json
import os
import signal
from pathlib import Path

import numpy as np
import pytest

from adam_edu import data, nn
from adam_edu.paper import __main__ as cli
from adam_edu.paper import common, fig2, training
from adam_edu.paper.training import MergeConflict, Problem, WorkerDied, grid

SETTINGS = (grid("Adam", lr=[0.01, 0.1]) + grid("Nesterov", lr=[0.1], momentum=[0.9]) + grid("AdaGrad", lr=[0.1])
            + grid("Adam", "dropout", lr=[0.01, 0.1]))


class DiesMidRun:
    """A model whose worker process is killed (SIGKILL, as by the out-of-memory killer) at its 5th minibatch."""

    def __init__(self, model, marker):
        self.model, self.marker, self.steps = model, marker, 0

    def __getattr__(self, name):
        return getattr(self.model, name)

    def loss_and_grads(self, *args, **kwargs):
        self.steps += 1
        if self.steps == 5 and (self.marker is None or not Path(self.marker).exists()):
            if self.marker is not None:
                Path(self.marker).touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return self.model.loss_and_grads(*args, **kwargs)


def tiny_problems(kill_in=None, marker=None):
    """Two panels of logistic regression on digits (a few ms per run), the second with f* as an extra.

    In a process other than ``kill_in`` (this test's), a run with dropout kills its worker mid-run: the first
    such run only (``marker`` a file that says it happened), or every one (``marker=None``).
    """
    def load():
        x, y = data.load_digits()
        return data.standardize(x[:400]).astype(np.float64), y[:400]

    def model(variant):
        logistic = nn.LogisticRegression(64, 10, l2=1e-4, input_dropout=0.2 if variant else 0.0)
        dies = kill_in is not None and variant and os.getpid() != kill_in
        return DiesMidRun(logistic, marker) if dies else logistic

    p = Problem("p", load, model, "400 digits", epochs=3, batch_size=64, track_objective=True)
    q = Problem("q", load, model, "400 digits, 2 epochs", epochs=2, batch_size=64, optimum=lambda problem: 0.25)
    return [(p, SETTINGS), (q, SETTINGS[:4])]


def run(path=None, **kwargs):
    make_problems = functools.partial(tiny_problems, kwargs.pop("kill_in", None), kwargs.pop("marker", None))
    return training.run_experiment("test", "quick", "digits", make_problems(), path=path, make_problems=make_problems,
                                   **kwargs)


def without_seconds(path) -> str:
    """The stored JSON without its wall times, as text: equal texts are equal byte for byte, in the same order."""
    stored = json.loads(Path(path).read_text())
    for runs in stored["runs"].values():
        for curve in runs.values():
            del curve["seconds"]
    for extras in stored["extras"].values():
        extras.pop("f_star_seconds", None)
    return json.dumps(stored)


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> Path:
    """The grid trained in this process, one run after the other: the reference."""
    path = tmp_path_factory.mktemp("serial") / "results.json"
    run(path, jobs=1)
    return path


def test_two_workers_store_the_same_json_as_one_process(serial, tmp_path):
    results = run(tmp_path / "results.json", jobs=2)
    assert results.complete() and len(results.runs["p"]) == 6 and len(results.runs["q"]) == 4
    assert without_seconds(tmp_path / "results.json") == without_seconds(serial)
    stored = json.loads(serial.read_text())
    assert list(stored["runs"]["p"]) == [s.key for s in SETTINGS]  # grid order, whatever order runs finished in
    assert stored["extras"]["q"]["f_star"] == 0.25


def test_workers_have_one_blas_thread_and_the_parent_keeps_its_own(monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    with training._environment_for_workers(training._ONE_BLAS_THREAD):
        pool = training._worker_pool(2, tiny_problems)
        try:
            assert [pool.submit(training._blas_threads_here).result() for _ in range(4)] == [[1]] * 4
        finally:
            pool.shutdown()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "2"


def test_shards_are_disjoint_cover_the_grid_and_merge_into_the_serial_json(serial, tmp_path):
    shards = [tmp_path / f"results.shard-{k}-of-3.json" for k in (1, 2, 3)]
    for k, path in enumerate(shards, start=1):
        run(path, jobs=2 if k == 2 else 1, shard=(k, 3))
    stored = [json.loads(path.read_text()) for path in shards]
    keys = [{(panel, key) for panel, runs in s["runs"].items() for key in runs} for s in stored]
    assert [len(k) for k in keys] == [4, 3, 3] and not (keys[0] & keys[1] or keys[0] & keys[2] or keys[1] & keys[2])
    assert ("p", "Adam lr=0.01") in keys[0] and ("p", "Adam lr=0.1") in keys[1] and ("q", "Adam lr=0.01") in keys[0]
    assert stored[0]["shard"] == [1, 3] and stored[0]["extras"] and not stored[1]["extras"]  # f* by shard 1 only
    merged = tmp_path / "results.json"
    training.write_json_atomically(merged, training.merge_results(shards))
    assert without_seconds(merged) == without_seconds(serial)
    assert training.load_results(merged).complete()


def test_merge_refuses_other_protocols_and_runs_whose_results_differ(serial, tmp_path):
    copy = tmp_path / "copy.json"
    copy.write_text(serial.read_text())
    assert json.dumps(training.merge_results([serial, copy])) == json.dumps(training.merge_results([serial]))

    other = json.loads(serial.read_text())
    other["protocol"]["panels"]["p"]["epochs"] = 4
    copy.write_text(json.dumps(other))
    with pytest.raises(MergeConflict, match="describe different experiments"):
        training.merge_results([serial, copy])

    other = json.loads(serial.read_text())
    other["runs"]["p"]["Adam lr=0.1"]["seconds"] += 5.0  # another wall time: the same run
    other["runs"]["p"]["Adam lr=0.01"]["cost"][-1] *= 1 + 1e-6
    copy.write_text(json.dumps(other))
    with pytest.raises(MergeConflict, match=r"run 'Adam lr=0.01' of panel 'p' differs between .*results.json and .*copy.json"):
        training.merge_results([serial, copy])


def test_a_killed_worker_loses_no_finished_run_and_its_run_is_redone(serial, tmp_path, capsys):
    marker = tmp_path / "killed"
    stored = []
    results = run(tmp_path / "results.json", jobs=2, kill_in=os.getpid(), marker=marker,
                  on_run_done=lambda panel, key, curve: stored.append((panel, key)))
    assert marker.exists() and "a worker process died" in capsys.readouterr().err
    assert sorted(stored) == sorted({(panel, s.key) for panel, n in (("p", 6), ("q", 4)) for s in SETTINGS[:n]})
    assert results.complete()
    assert without_seconds(tmp_path / "results.json") == without_seconds(serial)


def test_workers_that_keep_dying_stop_the_run_and_it_resumes(serial, tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    monkeypatch.setattr(training, "_RETRIES", 1)
    with pytest.raises(WorkerDied, match="run the same command again to resume"):
        run(path, jobs=2, kill_in=os.getpid())  # every run with dropout kills its worker
    finished = {key for runs in json.loads(path.read_text())["runs"].values() for key in runs}  # whole, valid JSON
    assert not any("dropout" in key for key in finished)
    resumed = run(path, jobs=2)
    assert resumed.complete() and without_seconds(path) == without_seconds(serial)


def test_a_worker_that_rebuilds_other_problems_is_refused():
    problems = tiny_problems()
    problems[0][0].epochs = 2  # as a test's monkeypatch would: the workers rebuild the problems with 3 epochs
    with pytest.raises(RuntimeError, match="rebuilt other problems"):
        training.run_experiment("test", "quick", "digits", problems, jobs=2, make_problems=tiny_problems)


@pytest.mark.parametrize("args, message", [
    (["--shard", "5/4"], "--shard must be K/N with 1 ≤ K ≤ N, got '5/4'"),
    (["--shard", "0/4"], "--shard must be K/N with 1 ≤ K ≤ N, got '0/4'"),
    (["--shard", "2"], "--shard must be K/N (the K-th of N slices, 1 ≤ K ≤ N), got '2'"),
    (["--jobs", "0"], "--jobs must be a whole number ≥ 1, got '0'"),
    (["--epochs", "two"], "--epochs must be a whole number ≥ 1, got 'two'"),
    (["--quick", "--length", "paper"], "--length paper is for full mode"),
])
def test_command_line_names_the_bad_parameter_value_and_range(args, message, capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main(["fig1", *args])
    assert exit.value.code == 2 and message in capsys.readouterr().err


def test_check_shard_and_jobs():
    assert training.check_shard((2, 4)) == (2, 4)
    with pytest.raises(ValueError, match=r"shard must be K/N with 1 ≤ K ≤ N, got 5/4"):
        training.check_shard((5, 4))
    with pytest.raises(ValueError, match=r"jobs must be a whole number ≥ 1, got 0"):
        training.check_jobs(0)
    assert [i for i in range(10) if training.in_shard(i, (2, 3))] == [1, 4, 7]


def test_command_line_shards_in_parallel_then_merge_give_the_serial_figure(tmp_path, capsys):
    """Figure 1's quick mode (2 epochs): two shards, the second with 2 workers, merged; against one process."""
    quick = ["fig1", "--quick", "--epochs", "2", "--no-progress"]
    assert cli.main([*quick, "--jobs", "1", "--out", str(tmp_path / "serial")]) == 0
    assert cli.main([*quick, "--jobs", "1", "--shard", "1/2", "--out", str(tmp_path)]) == 0
    assert cli.main([*quick, "--jobs", "2", "--shard", "2/2", "--out", str(tmp_path)]) == 0
    assert "When the 2 shards have finished: python -m adam_edu.paper merge" in capsys.readouterr().out
    shards = sorted(tmp_path.glob("fig1_quick_2-epochs.shard-*-of-2.json"))
    assert [p.name for p in shards] == ["fig1_quick_2-epochs.shard-1-of-2.json", "fig1_quick_2-epochs.shard-2-of-2.json"]
    assert cli.main(["merge", *map(str, shards)]) == 0
    out = capsys.readouterr().out
    assert "merge: 2 files, 45 of 45 runs, into" in out and "1. (a) Adam yields similar convergence" in out
    assert (tmp_path / "fig1_quick_2-epochs.png").exists()
    assert without_seconds(tmp_path / "fig1_quick_2-epochs.json") == without_seconds(
        tmp_path / "serial" / "fig1_quick_2-epochs.json")


def test_merge_of_missing_shards_says_so_and_conflicts_fail(tmp_path, capsys):
    path = tmp_path / "results.shard-1-of-2.json"
    run(path, shard=(1, 2))
    assert cli.main(["merge", str(path)]) == 0
    assert "merge: 1 files, 5 of 10 runs" in capsys.readouterr().out
    assert not training.load_results(tmp_path / "results.json").complete()
    other = json.loads(path.read_text())
    other["runs"]["p"]["Adam lr=0.01"]["cost"][0] += 1
    (tmp_path / "other.shard-1-of-2.json").write_text(json.dumps(other))
    assert cli.main(["merge", str(path), str(tmp_path / "other.shard-1-of-2.json"), "--into", str(tmp_path / "m.json")]) == 1
    assert "differs between" in capsys.readouterr().err and not (tmp_path / "m.json").exists()


def test_paper_lengths_and_the_time_a_run_takes_here():
    (mlp, settings), = fig2.problems("full", length="paper")
    assert mlp.epochs == 200 and common.results_path("fig2", "full", "fashion", length="paper").name == (
        "fig2_fashion_paper-length.json")
    assert common.results_path("fig2", "full", "fashion", epochs=50, shard=(3, 8)).name == (
        "fig2_fashion_50-epochs.shard-3-of-8.json")
    stored = json.loads(common.results_path("fig2", "full", "fashion").read_text())["runs"]["a"].values()
    per_epoch = sum(c["seconds"] for c in stored) / sum(len(c["cost"]) for c in stored)
    text = cli.time_estimate("fig2", "fashion", [(mlp, settings)], jobs=2, shard=None)
    assert f"(a) 200 epochs: about {cli._duration(per_epoch * 200)} per run here" in text
    assert f"18 runs, about {cli._duration(per_epoch * 200 * 18)} one run at a time" in text
    assert f"{cli._duration(per_epoch * 200 * 9)} with --jobs 2" in text


def test_the_main_process_computes_with_one_blas_thread_too():
    """f* and the runs of --jobs 1 too: Figure 1's f* changes in its 7th digit with 2 BLAS threads."""
    seen = []
    (_, settings), (problem, _) = tiny_problems()
    problem.dataset()  # loads scikit-learn, and its BLAS, before the limit is set, as the figures' imports do
    problem.optimum = lambda problem: seen.append(training._blas_threads_here()) or 0.25
    original = problem.model
    problem.model = lambda variant: seen.append(training._blas_threads_here()) or original(variant)
    training.run_experiment("test", "full", "digits", [(problem, settings[:1])], jobs=1)
    assert [set(threads) for threads in seen] == [{1}, {1}]  # every BLAS library: numpy's, scipy's
