r"""The protocol of the paper's §6, shared by Figures 1–4: one training loop, grid search, stored results.

Kingma & Ba (§6): "We use the same parameter initialization when comparing different optimization
algorithms. The hyper-parameters, such as learning rate and momentum, are searched over a dense grid
and the results are reported using the best hyper-parameter setting." Here that reads:

* a ``Problem`` is what is trained: a model, its data, epochs, batch size, the seeds. Every run of a
  problem starts from ``model.init(seed)`` and sees the same minibatches and the same dropout (or VAE)
  noise, whatever the optimizer: only the optimizer differs;
* a ``Setting`` is one point of a grid: an optimizer, its hyper-parameters, and the model variant
  (e.g. with or without dropout); ``grid`` spells out a grid;
* ``train`` runs one setting and returns its learning curve: the *training cost* of each epoch, the
  mean of the minibatch losses the optimizer saw during that epoch (with dropout noise, as the paper's
  "training cost"), and optionally the full-data objective at the end of every epoch;
* ``best`` picks each optimizer's best setting by the stated rule ``SELECTION_RULE``;
* ``seed_problems`` re-runs those best settings on other seeds (another initialisation, minibatch
  order and noise), to measure the seed-to-seed spread the claims are judged against; ``with_seeds``
  puts those runs beside the grid's in ``Results.seed_runs``;
* ``ResultStore`` keeps finished runs in one JSON file, rewritten atomically after every run, so that
  an interrupted grid search resumes where it stopped (finished runs are never recomputed);
* ``run_grid`` trains a grid's runs one after the other, or in ``jobs`` worker processes on one machine,
  or only the K-th of N disjoint slices of it (``shard=(K, N)``, one job of a cluster's job array);
  ``merge_results`` puts the slices' files back together.

Nothing is random except through the problem's seed: a run is reproducible to the last bit on one
machine (BLAS may change the last bits across machines; the notebooks print rounded numbers). A run
depends on nothing but its problem and its setting, so the runs of a grid may be trained in any order,
in any process: the stored results are the same, run for run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import math
import os
import multiprocessing
import platform
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

import numpy as np

from adam_edu import registry
from adam_edu.data import minibatches
from adam_edu.optimizers import Adam, Optimizer

__all__ = [
    "OPTIMIZERS",
    "make_optimizer",
    "Setting",
    "grid",
    "Problem",
    "train",
    "Run",
    "SELECTION_RULE",
    "final_cost",
    "best",
    "on_grid_edge",
    "seed_panel",
    "seed_problems",
    "with_seeds",
    "ResultStore",
    "StoredResultsDiffer",
    "Progress",
    "usable_cores",
    "check_jobs",
    "check_shard",
    "in_shard",
    "WorkerDied",
    "run_grid",
    "MergeConflict",
    "merge_results",
    "Results",
    "protocol",
    "run_experiment",
    "load_results",
    "significant",
    "spread",
]

# ---------------------------------------------------------------------------------------------
# The optimizers of §6, by the label they carry in every figure: entries of adam_edu.registry
# ("Nesterov" is the paper's "SGDNesterov", momentum 0.9 unless the grid sets it)

OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    name: registry.variant(name).make
    for name in ("Adam", "Adam (no bias correction)", "AdaGrad", "RMSProp", "AdaDelta", "Nesterov")
}


def make_optimizer(name: str, hyper: Mapping[str, float]) -> Optimizer:
    """The optimizer of that label with these hyper-parameters, e.g. ``make_optimizer("Adam", {"lr": 1e-3})``."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {name!r}")
    return OPTIMIZERS[name](**hyper)


@dataclass(frozen=True)
class Setting:
    """One point of a grid: an optimizer, its hyper-parameters, and the model variant ("" if only one)."""

    optimizer: str
    hyper: tuple[tuple[str, float], ...]  # sorted (name, value) pairs, so that a Setting is hashable
    variant: str = ""

    @property
    def key(self) -> str:
        """A readable, unique name: ``"Adam lr=0.001 beta2=0.999 | dropout"``; the key of stored results."""
        text = " ".join([self.optimizer, *(f"{name}={value:g}" for name, value in self.hyper)])
        return f"{text} | {self.variant}" if self.variant else text

    @property
    def params(self) -> dict[str, float]:
        return dict(self.hyper)

    def build(self) -> Optimizer:
        return make_optimizer(self.optimizer, self.params)


def grid(optimizer: str, variant: str = "", **axes: Sequence[float]) -> list[Setting]:
    """Every combination of the hyper-parameter values given, e.g. ``grid("Nesterov", lr=[0.01, 0.1], momentum=[0.9])``."""
    names = sorted(axes)
    return [
        Setting(optimizer, tuple(zip(names, (float(v) for v in values))), variant)
        for values in itertools.product(*(axes[name] for name in names))
    ]


# ---------------------------------------------------------------------------------------------
# What is trained


@dataclass
class Problem:
    """A model, its data and the training protocol: everything a run depends on except the optimizer.

    Parameters
    ----------
    name : the panel's name in the stored results, e.g. ``"a"``.
    data : returns ``(x, y)`` (``y`` None for the VAE); called once, lazily.
    model : returns the model of a variant (``Setting.variant``), e.g. with or without dropout.
    description : what the figure says about the data and model, e.g. "digits, logistic regression".
    epochs, batch_size : the paper's "iterations over entire dataset", and its minibatch size (128).
    seed : one seed for the initialisation (``model.init(seed)``), the minibatch order and the noise.
    dtype : float64 for quick runs (printed numbers stable), float32 for full runs (speed).
    decayed : the optimizers whose step size follows α_t = α/√t (t = step count), as §6.1; the
        others keep α constant.
    track_objective : also evaluate the full-data objective without dropout at the end of every epoch
        (and at epoch 0), e.g. to draw f − f* for the convex problem.
    early_epochs, early_points : also keep the training cost at a finer resolution over the first
        ``early_epochs`` epochs, ``early_points`` points per epoch (Figure 3's left panel).
    adam_statistics : keep statistics of Adam's √v̂ at the end of each Adam run (Figure 3's claim that
        v̂ vanishes and is dominated by ε).
    stability_check : train every run a second time from initial weights moved by a relative 1e-12 (its
        *twin*), and mark the run ``unstable`` when the two final costs differ (see ``UNSTABLE``). Quick
        mode does this for Figures 2 and 3, whose every run the notebooks print and nbval compares.
    """

    name: str
    data: Callable[[], tuple[Any, Optional[np.ndarray]]]
    model: Callable[[str], Any]
    description: str
    epochs: int
    batch_size: int = 128
    seed: int = 0
    dtype: Any = np.float64
    decayed: frozenset = frozenset()
    track_objective: bool = False
    early_epochs: int = 0
    early_points: int = 10
    adam_statistics: bool = False
    stability_check: bool = False
    optimum: Optional[Callable[["Problem"], float]] = None  # f* of a convex problem, by a tight solve
    extra: dict = field(default_factory=dict)  # anything else the figure states (stored, compared on resume)
    _data: Optional[tuple] = field(default=None, init=False, repr=False)

    def dataset(self) -> tuple[Any, Optional[np.ndarray]]:
        """The data, loaded on first use and kept."""
        if self._data is None:
            self._data = self.data()
        return self._data

    def summary(self) -> dict:
        """What identifies the protocol in stored results: a run made otherwise must not be resumed."""
        return {
            "description": self.description,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "seed": self.seed,
            "dtype": np.dtype(self.dtype).name,
            "decayed": sorted(self.decayed),
            "track_objective": self.track_objective,
            "early_epochs": self.early_epochs,
            "early_points": self.early_points,
            **({"stability_check": True} if self.stability_check else {}),
            **self.extra,
        }


def significant(value: float, digits: int = 6) -> Optional[float]:
    """``value`` rounded to ``digits`` significant digits (None if not finite): what results store."""
    value = float(value)
    return float(f"{value:.{digits}g}") if math.isfinite(value) else None


# Distinct streams of one seed: the minibatch order of epoch e, and the dropout/VAE noise
_ORDER, _NOISE = 1, 2

# Stored outputs are a property of the mathematics, not of the CPU. Matrix products (OpenBLAS picks its
# kernels per CPU) and NumPy's SIMD loops (exp, log, tanh, sums: picked per CPU at run time) differ in the
# last bits from machine to machine. A stable run forgets such differences: measured with
# `tools/cpu_personalities.py spread` on every quick-mode run (native, Haswell, Sandybridge without AVX2,
# one and two BLAS threads), the final costs of 260 of the 265 runs agree to all 6 stored digits, so
# printing them to 3 or 4 digits is safe. The other five are chaotic: a last-bit change grows until their
# final costs differ by 1.3% to 47% from CPU to CPU (networks that blew up, or stalled at chance: four in
# Figures 2 and 3, and one of Figure 4's blown-up runs, which notebook 10 shows only as ▲). No
# rounding makes such a number the same everywhere, so quick mode finds these runs by training a twin from
# initial weights × (1 + TWIN_PERTURBATION) and prints "unstable" where the two curves differ by more than
# UNSTABLE (relative) at some epoch (``twin_gap``). A run that passes amplifies a perturbation less than
# UNSTABLE / TWIN_PERTURBATION = 10⁸ times, so a last-bit difference (1e-16) moves it by less than 1e-8. The
# whole curve is compared, not the final cost: two chaotic runs can end on the same cost (a network that died)
# by different roads, and a test of the final cost alone flagged a run on one CPU and not on another. Measured
# under the native, Haswell and Sandybridge personalities: the same 5 of the 39 runs of Figures 2 and 3 are
# flagged on each, with gaps from 2.3e-2 to 0.75 (the 4 chaotic runs, and Figure 2's AdaDelta at α = 10, which
# amplifies 10¹⁰ times without showing it on these CPUs); every other curve equals its twin's to all 6 stored
# digits, on each.
TWIN_PERTURBATION = 1e-12
UNSTABLE = 1e-4


def train(
    problem: Problem,
    setting: Setting,
    *,
    on_epoch: Optional[Callable[[int], None]] = None,
    on_end: Optional[Callable[[dict, Optimizer, Any], None]] = None,
    perturbation: float = 0.0,
) -> dict:
    """Train ``problem``'s model with ``setting``'s optimizer; return the learning curve.

    Every run starts from ``model.init(problem.seed)``, takes the minibatches of
    ``minibatches(x, y, batch_size, seed=[seed, 1, epoch])`` and draws its noise from
    ``default_rng([seed, 2])``: only the optimizer differs between the runs of a problem.
    With ``setting.optimizer in problem.decayed``, the step size of step t is α/√t (§6.1).
    A run whose loss or gradient stops being finite has *diverged*: it stops there.
    ``on_epoch(epoch)`` is called after every epoch; ``on_end(params, optimizer, state)`` once at the end,
    with the final parameters and optimizer state (e.g. to look at Adam's v̂).

    Returns a dict (JSON-ready, numbers rounded to 6 significant digits):
    ``cost`` — the training cost of each finished epoch (mean minibatch loss, weighted by batch size);
    ``objective`` — with ``track_objective``, the full-data objective without dropout at epochs 0, 1, …;
    ``early`` — with ``early_epochs``, the mean minibatch loss over each 1/early_points of an epoch;
    ``diverged_at`` — the epoch in which it diverged, or None; ``steps``; ``seconds`` (wall time);
    ``adam`` — with ``adam_statistics`` and an Adam optimizer, statistics of √v̂ at the end;
    ``twin_cost``, ``twin_gap``, ``unstable`` — with ``stability_check``, the final cost of the twin run (initial
    weights × (1 + TWIN_PERTURBATION), the same minibatches and noise), the largest relative difference between
    the two curves (``twin_gap``), and whether it exceeds ``UNSTABLE``: then the run's costs depend on the CPU's
    last bits.
    """
    x, y = problem.dataset()
    model = problem.model(setting.variant)
    params = model.init(problem.seed, problem.dtype)
    if perturbation:
        params = {name: value * value.dtype.type(1 + perturbation) for name, value in params.items()}
    optimizer = setting.build()
    state = optimizer.init(params)
    alpha = optimizer.lr
    decayed = setting.optimizer in problem.decayed
    noise = np.random.default_rng([problem.seed, _NOISE])
    n = x.shape[0]
    steps_per_epoch = -(-n // problem.batch_size)
    early_bin = max(1, steps_per_epoch // problem.early_points)

    costs: list[float] = []
    objective: list[Optional[float]] = []
    early: list[tuple[float, float]] = []
    diverged_at = None
    t = 0
    start = time.perf_counter()
    if problem.track_objective:
        objective.append(significant(model.loss(params, x, y)))
    with np.errstate(all="ignore"):  # a diverging run overflows: that is detected below, not warned about
        for epoch in range(1, problem.epochs + 1):
            total, bin_total, bin_count = 0.0, 0.0, 0
            for xb, yb in minibatches(x, y, problem.batch_size, seed=[problem.seed, _ORDER, epoch]):
                t += 1
                if decayed:
                    optimizer.lr = alpha / math.sqrt(t)  # α_t = α/√t
                loss, grads = model.loss_and_grads(params, xb, yb, train=True, rng=noise)
                try:
                    if not math.isfinite(loss):
                        raise ValueError("the loss is not finite")
                    state = optimizer.step(params, grads, state)
                except ValueError:  # a non-finite loss or gradient (the optimizers refuse those)
                    diverged_at = epoch
                    break
                size = xb.shape[0]
                total += loss * size
                if epoch <= problem.early_epochs:
                    bin_total, bin_count = bin_total + loss, bin_count + 1
                    if bin_count == early_bin or (t - (epoch - 1) * steps_per_epoch) == steps_per_epoch:
                        early.append((significant(t / steps_per_epoch, 4), significant(bin_total / bin_count)))
                        bin_total, bin_count = 0.0, 0
            if diverged_at is not None:
                break
            costs.append(significant(total / n))
            if problem.track_objective:
                objective.append(significant(model.loss(params, x, y)))
            if on_epoch is not None:
                on_epoch(epoch)
    result = {
        "cost": costs,
        "diverged_at": diverged_at,
        "steps": t,
        "seconds": round(time.perf_counter() - start, 2),
    }
    if problem.track_objective:
        result["objective"] = objective
    if problem.early_epochs:
        result["early"] = [list(point) for point in early]
    if problem.adam_statistics and isinstance(optimizer, Adam) and diverged_at is None:
        result["adam"] = adam_statistics(optimizer, state)
    if on_end is not None:
        on_end(params, optimizer, state)
    if problem.stability_check and not perturbation and diverged_at is None and costs:
        twin = train(problem, setting, perturbation=TWIN_PERTURBATION)
        result["twin_cost"] = significant(final_cost(twin))
        gap = twin_gap(costs, twin)
        result["twin_gap"] = significant(gap, 3)  # None when the twin diverged
        result["unstable"] = not gap <= UNSTABLE  # a diverged twin too (its gap is inf)
    return result


def twin_gap(costs: Sequence[float], twin: Mapping) -> float:
    """The largest relative difference between a run's epoch costs and its twin's, over the whole curve.

    The whole curve, not the final cost only: two chaotic runs can end on the same value (a network that died
    ends at the same cost whichever way it got there) after curves that differed wildly on the way.
    """
    if twin["diverged_at"] is not None or len(twin["cost"]) != len(costs):
        return math.inf
    return float(max(abs(a - b) / abs(a) for a, b in zip(costs, twin["cost"])))


def adam_statistics(optimizer: Adam, state) -> dict:
    """How small Adam's second moment has become: the median of √v̂ and the fraction of √v̂ below ε.

    §6.3: "the second moment estimate v̂_t vanishes to zeros after a few epochs and is dominated by the ε".
    """
    corrected = 1 - optimizer.beta2**state.t if optimizer.bias_correction else 1.0
    root = np.sqrt(np.concatenate([v.ravel() for v in state.v.values()]).astype(np.float64) / corrected)
    return {
        "median_sqrt_v_hat": significant(np.median(root), 4),
        "fraction_below_eps": significant(np.mean(root < optimizer.eps), 4),
        "fraction_below_100_eps": significant(np.mean(root < 100 * optimizer.eps), 4),
        "eps": optimizer.eps,
    }


# ---------------------------------------------------------------------------------------------
# Choosing the best setting


SELECTION_RULE = "best setting = lowest training cost averaged over the last epoch (diverged runs excluded)"


@dataclass(frozen=True)
class Run:
    """A finished run: its setting and its learning curve (the dict ``train`` returns)."""

    setting: Setting
    curve: dict

    @property
    def cost(self) -> np.ndarray:
        return np.array(self.curve["cost"], dtype=float)

    @property
    def diverged(self) -> bool:
        return self.curve["diverged_at"] is not None

    @property
    def unstable(self) -> bool:
        """Its twin run (``Problem.stability_check``) ended elsewhere: the final cost is chaotic."""
        return bool(self.curve.get("unstable", False))

    @property
    def label(self) -> str:
        return self.setting.optimizer


def final_cost(curve: Mapping) -> float:
    """The training cost averaged over the last epoch; +inf for a run that diverged."""
    if curve["diverged_at"] is not None or not curve["cost"]:
        return math.inf
    return float(curve["cost"][-1])


def best(runs: Iterable[Run]) -> dict[tuple[str, str], Run]:
    """Each (optimizer, variant)'s best run by ``SELECTION_RULE``; ties go to the first in grid order."""
    chosen: dict[tuple[str, str], Run] = {}
    for run in runs:
        key = (run.setting.optimizer, run.setting.variant)
        if key not in chosen or final_cost(run.curve) < final_cost(chosen[key].curve):
            chosen[key] = run
    return chosen


def on_grid_edge(winner: Run, runs: Iterable[Run], name: str = "lr") -> bool:
    """True if the winner's ``name`` is the smallest or largest value tried: the grid may be too narrow."""
    values = sorted({
        run.setting.params[name] for run in runs
        if (run.setting.optimizer, run.setting.variant) == (winner.setting.optimizer, winner.setting.variant)
        and name in run.setting.params
    })
    return len(values) > 1 and winner.setting.params.get(name) in (values[0], values[-1])


# ---------------------------------------------------------------------------------------------
# The seed-to-seed spread: the best settings re-run on other seeds


def seed_panel(panel: str, seed: int) -> str:
    """The name of a panel's re-runs on another seed: ``seed_panel("a", 1) == "a seed=1"``."""
    return f"{panel} seed={seed}"


def seed_problems(
    problems: Sequence[tuple[Problem, Sequence[Setting]]], base: "Results", seeds: Iterable[int]
) -> list[tuple[Problem, list[Setting]]]:
    """Each panel's best settings (``SELECTION_RULE`` on ``base``, the grid's runs) on each of ``seeds``.

    A problem on seed s is ``dataclasses.replace(problem, seed=s)``, named ``seed_panel(name, s)``: another
    initialisation, minibatch order and dropout (or VAE) noise, the same data, epochs and twin check. Its
    grid is the best setting of each optimizer (and variant) of ``base``. The result is a list of problems
    and grids like a figure's own, so ``run_experiment`` stores, resumes, parallelises and shards it the same
    way, and the stored protocol says which seed each panel was trained with. A convex problem's f* does not
    depend on the seed (the data are the same): it is not solved again.
    """
    seeds = [int(seed) for seed in seeds]
    out = []
    for problem, _ in problems:
        if problem.name not in base.runs:
            raise ValueError(f"the results of {base.figure} have no panel {problem.name!r} to take the best settings from")
        if problem.seed in seeds:
            raise ValueError(f"seeds must differ from the grid's own seed {problem.seed}, got {seeds}")
        chosen = [run.setting for run in best(base.runs[problem.name]).values()]
        for seed in seeds:
            again = dataclasses.replace(problem, name=seed_panel(problem.name, seed), seed=seed, optimum=None)
            again._data = problem._data  # the same data, if already loaded: not loaded (or whitened) again
            out.append((again, chosen))
    return out


def with_seeds(base: "Results", seeded: "Results") -> "Results":
    """``base`` (a figure's grid) with the runs of ``seeded`` (``seed_problems`` of it) in ``seed_runs``:
    ``seed_runs[panel][seed]`` lists the runs of that panel's best settings on that seed."""
    if seeded.figure != base.figure:
        raise ValueError(f"seeded must be runs of {base.figure}, got runs of {seeded.figure}")
    seed_runs: dict[str, dict[int, list[Run]]] = {}
    for name, spec in seeded.problems.items():
        panel = name.rsplit(" seed=", 1)[0]
        if panel not in base.problems or name != seed_panel(panel, spec["seed"]):
            raise ValueError(f"seeded has a panel {name!r} that is no seed re-run of a panel of {base.figure}")
        seed_runs.setdefault(panel, {})[spec["seed"]] = seeded.runs[name]
    return dataclasses.replace(base, seed_runs=seed_runs, seed_problems=seeded.problems)


# ---------------------------------------------------------------------------------------------
# Stored results and resuming


class StoredResultsDiffer(RuntimeError):
    """The results file was made with other settings: resuming would mix two protocols."""


def _environment() -> dict:
    return {"python": platform.python_version(), "numpy": np.__version__, "machine": platform.machine()}


class ResultStore:
    """Finished runs in one JSON file, rewritten atomically after each run, so an interrupted run resumes.

    The file holds ``{"figure", "protocol", "runs": {panel: {setting key: curve}}, "extras", "environment"}``
    (and ``"shard": [K, N]`` for the K-th of N slices of the grid); each panel's runs are kept in grid order,
    whatever order they finished in. The store has one writer: the process that opened it (worker
    processes return their runs to it). ``protocol`` describes everything the runs depend on (the problems, and the grids); a file whose
    problems differ from the ones asked for raises ``StoredResultsDiffer`` unless ``restart=True``
    (which starts from nothing). A changed grid is fine: its settings already stored are reused, and
    the file's protocol becomes the new one. ``path=None`` keeps results in memory only (the notebooks' quick runs).
    """

    def __init__(
        self, path: Optional[os.PathLike], figure: str, protocol: dict, *, restart: bool = False,
        shard: Optional[tuple[int, int]] = None,
    ):
        self.path = None if path is None else Path(path)
        self.data = {"figure": figure, "protocol": protocol, "runs": {}, "extras": {}, "environment": _environment()}
        if shard is not None:
            self.data["shard"] = list(check_shard(shard))
        if self.path is not None and self.path.exists() and not restart:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            if _without_grids(stored.get("protocol")) != _without_grids(_jsonable(protocol)):
                raise StoredResultsDiffer(
                    f"{self.path} holds results made with other settings (figure, data, epochs or grid differ); "
                    "rerun with --restart to discard them, or --out to write elsewhere"
                )
            self.data["runs"] = stored.get("runs", {})  # runs off the current grid stay in the file, unused
            self.data["extras"] = stored.get("extras", {})
            if stored.get("protocol") != _jsonable(protocol):  # a changed grid: the file says so at once
                self.save()

    def get(self, panel: str, key: str) -> Optional[dict]:
        return self.data["runs"].get(panel, {}).get(key)

    def put(self, panel: str, key: str, curve: dict) -> None:
        self.data["runs"].setdefault(panel, {})[key] = curve
        self.data["runs"][panel] = _in_grid_order(self.data["runs"][panel], self.data["protocol"], panel)
        self.save()

    def extra(self, panel: str, name: str, compute: Callable[[], Any]) -> Any:
        """A per-panel value computed once and stored (e.g. f* of the convex problem)."""
        extras = self.data["extras"].setdefault(panel, {})
        if name not in extras:
            extras[name] = compute()
            self.save()
        return extras[name]

    def save(self) -> None:
        """Write to a temporary file in the same folder, then rename: the file is whole or not changed."""
        if self.path is not None:
            write_json_atomically(self.path, self.data)


def write_json_atomically(path: Path, data: dict) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it: a reader (or a crash) sees the old
    file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
        os.chmod(temporary, 0o644)  # mkstemp makes the file private; results are for everyone to read
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _in_grid_order(runs: dict, protocol: Any, panel: str) -> dict:
    """A panel's stored runs in the order of its grid (runs off the grid last): the file does not depend on
    the order in which parallel workers finished."""
    grid_keys = protocol.get("panels", {}).get(panel, {}).get("grid", []) if isinstance(protocol, dict) else []
    position = {key: i for i, key in enumerate(grid_keys)}
    return dict(sorted(runs.items(), key=lambda item: position.get(item[0], len(position))))


def _without_grids(protocol: Any) -> Any:
    """The protocol without the grids: a run's result does not depend on the other points of its grid,
    so a grid may grow (or shrink) between sessions; the runs it already holds are reused."""
    if not isinstance(protocol, dict) or "panels" not in protocol:
        return protocol
    panels = {name: {k: v for k, v in spec.items() if k != "grid"} for name, spec in protocol["panels"].items()}
    return {**protocol, "panels": panels}


def _jsonable(value: Any) -> Any:
    """``value`` as it reads back from JSON (tuples become lists), to compare protocols."""
    return json.loads(json.dumps(value))


# ---------------------------------------------------------------------------------------------
# Progress


class Progress:
    """A progress bar over epochs, or over finished runs (``unit="run"``: parallel workers report whole runs);
    tqdm if installed, else one printed line per finished run; or silent."""

    def __init__(self, total: int, enabled: bool, description: str = "", unit: str = "epoch"):
        self.enabled, self.done, self.total, self.unit = enabled, 0, total, unit
        self.bar = None
        if enabled:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                print(f"{description}: {total} {unit}s to train (install tqdm for a progress bar)", flush=True)
            else:
                self.bar = tqdm(total=total, desc=description, unit=unit, dynamic_ncols=True)

    def run_started(self, key: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(key, refresh=True)

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if self.bar is not None:
            self.bar.update(steps)

    def run_finished(self, key: str, curve: dict, skipped: bool = False) -> None:
        if self.enabled and self.bar is None:
            what = "already stored" if skipped else f"final cost {final_cost(curve):.4g} ({curve['seconds']:.0f} s)"
            print(f"[{self.done}/{self.total} {self.unit}s] {key}: {what}", flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ---------------------------------------------------------------------------------------------
# Running a grid: in this process, in worker processes, or one slice of it


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. a batch job's allocation): ``--jobs``' default."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def check_jobs(jobs: int) -> int:
    """``jobs``, checked: the number of worker processes, a whole number ≥ 1."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a whole number ≥ 1, got {jobs!r}")
    return jobs


def check_shard(shard: Sequence[int]) -> tuple[int, int]:
    """``shard = (K, N)``, checked: the K-th of N slices of a grid, 1 ≤ K ≤ N."""
    try:
        k, n = (int(part) for part in shard)
    except (TypeError, ValueError):
        raise ValueError(f"shard must be (K, N), two whole numbers with 1 ≤ K ≤ N, got {shard!r}") from None
    if n < 1 or not 1 <= k <= n:
        raise ValueError(f"shard must be K/N with 1 ≤ K ≤ N, got {k}/{n}")
    return k, n


def in_shard(index: int, shard: Optional[tuple[int, int]]) -> bool:
    """Whether the run of position ``index`` (0, 1, … over every panel's grid in order) is in slice K of N:
    run i goes to slice i mod N + 1, so the slices are disjoint, cover the grid, and mix cheap and dear runs."""
    return shard is None or index % shard[1] == shard[0] - 1


class WorkerDied(RuntimeError):
    """Worker processes died again and again (killed, or out of memory) without finishing a run."""


def _stored_curve(problem: Problem, setting: Setting, on_epoch: Optional[Callable[[int], None]] = None) -> dict:
    """One run, as the store keeps it: its learning curve, and the setting it was trained with."""
    curve = train(problem, setting, on_epoch=on_epoch)
    curve["setting"] = {"optimizer": setting.optimizer, "hyper": setting.params, "variant": setting.variant}
    return curve


def run_grid(
    problems: Sequence[tuple[Problem, Sequence[Setting]]],
    store: ResultStore,
    *,
    progress: bool = False,
    on_run_done: Optional[Callable[[str, str, dict], None]] = None,
    jobs: int = 1,
    make_problems: Optional[Callable[[], Sequence[tuple[Problem, Sequence[Setting]]]]] = None,
    shard: Optional[tuple[int, int]] = None,
) -> dict[str, list[Run]]:
    """Train every setting of every problem, skipping those ``store`` already holds; return the runs per panel.

    Each finished run is written to the store at once, then ``on_run_done(panel, key, curve)`` is called
    (a test uses it to interrupt a grid search deliberately).

    ``jobs > 1`` trains the runs in that many worker processes, with one BLAS thread each; they rebuild the
    problems by calling ``make_problems()`` (a ``Problem`` holds closures, which cannot be sent to another
    process: ``make_problems`` is a picklable function such as ``functools.partial(fig1.problems, "full")``).
    A worker returns its run to this process, the store's only writer. If a worker dies (killed, out of
    memory), the runs in progress are lost, not stored, and trained again in a new pool.
    ``shard=(K, N)`` trains only the K-th of N disjoint slices of the grid (``in_shard``).
    """
    jobs = check_jobs(jobs)
    shard = None if shard is None else check_shard(shard)
    every_run = [(problem, setting) for problem, settings in problems for setting in settings]
    mine = [run for index, run in enumerate(every_run) if in_shard(index, shard)]
    todo = [(problem, setting) for problem, setting in mine if store.get(problem.name, setting.key) is None]
    description = store.data["figure"] + ("" if shard is None else f" shard {shard[0]}/{shard[1]}")
    if jobs > 1 and len(todo) > 1:
        if make_problems is None:
            raise ValueError("jobs > 1 needs make_problems, a picklable function that rebuilds the problems in a worker")
        bar = Progress(len(mine), progress, description, unit="run")
        bar.advance(len(mine) - len(todo))
        try:
            _train_in_workers(todo, store, min(jobs, len(todo)), make_problems, bar, on_run_done)
        finally:
            bar.close()
    else:
        bar = Progress(sum(problem.epochs for problem, _ in mine), progress, description)
        try:
            for problem, setting in mine:
                curve = store.get(problem.name, setting.key)
                if curve is not None:
                    bar.advance(problem.epochs)
                    bar.run_finished(setting.key, curve, skipped=True)
                    continue
                bar.run_started(f"{problem.name}: {setting.key}")
                curve = _stored_curve(problem, setting, on_epoch=lambda epoch: bar.advance())
                bar.advance(problem.epochs - len(curve["cost"]))  # the epochs a diverged run did not take
                store.put(problem.name, setting.key, curve)
                bar.run_finished(setting.key, curve)
                if on_run_done is not None:
                    on_run_done(problem.name, setting.key, curve)
        finally:
            bar.close()
    runs: dict[str, list[Run]] = {}
    for problem, setting in mine:
        runs.setdefault(problem.name, []).append(Run(setting, store.get(problem.name, setting.key)))
    return runs


# Environment variables read by the BLAS libraries when they load: a worker process starts with them
_ONE_BLAS_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
_RETRIES = 3  # pools in a row that may break before any run finishes


@contextlib.contextmanager
def _environment_for_workers(variables: Mapping[str, str]):
    """Set environment variables for the processes started inside the block; restore them after."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _worker_pool(workers: int, make_problems: Callable) -> ProcessPoolExecutor:
    """Worker processes started afresh ("spawn": no copy of this process's threads or BLAS state), each
    rebuilding the problems once, with one BLAS thread (the environment is set by the caller)."""
    return ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker, initargs=(make_problems,)
    )


def _stop_pool(pool: ProcessPoolExecutor, finished: bool) -> None:
    """Shut the pool down; after an error or Ctrl-C, stop the runs in progress too (nobody would store them)."""
    if not finished:
        terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
        if terminate is not None:
            terminate()
        else:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _train_in_workers(todo, store: ResultStore, workers: int, make_problems: Callable, bar: Progress, on_run_done) -> None:
    """Train ``todo`` in a pool of worker processes; store each run as it comes back (in this process only)."""
    remaining = {(problem.name, setting.key): _jsonable(problem.summary()) for problem, setting in todo}
    broken = 0
    with _environment_for_workers(_ONE_BLAS_THREAD):
        while remaining:
            pool = _worker_pool(min(workers, len(remaining)), make_problems)
            finished = False
            try:
                futures = {pool.submit(_train_in_worker, panel, key, summary): (panel, key)
                           for (panel, key), summary in remaining.items()}
                pending = set(futures)
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        panel, key = futures[future]
                        curve = future.result()  # BrokenProcessPool if a worker died
                        store.put(panel, key, curve)
                        del remaining[(panel, key)]
                        broken = 0
                        bar.run_started(f"{panel}: {key}")
                        bar.advance()
                        bar.run_finished(key, curve)
                        if on_run_done is not None:
                            on_run_done(panel, key, curve)
                finished = True
            except BrokenProcessPool as error:
                broken += 1
                if broken >= _RETRIES:
                    raise WorkerDied(
                        f"worker processes died {broken} times in a row before finishing a run (killed? out of memory?); "
                        f"{len(remaining)} runs are not finished. The finished ones are stored: run the same command "
                        "again to resume, with fewer --jobs if memory is short"
                    ) from error
                print(f"\n{store.data['figure']}: a worker process died (killed? out of memory?); its run is not stored. "
                      f"Starting new workers for the {len(remaining)} runs left.", file=sys.stderr, flush=True)
            finally:
                _stop_pool(pool, finished)


_WORKER: dict[str, Any] = {}  # in a worker process: its make_problems, and the problems it made


def _start_worker(make_problems: Callable) -> None:
    """A worker's initializer: remember how to build the problems; one BLAS thread (if threadpoolctl is
    installed, also for a BLAS that did not read the environment)."""
    _WORKER["make_problems"] = make_problems
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    _WORKER["blas_limit"] = threadpool_limits(limits=1, user_api="blas")  # kept: the limit lasts while it lives


def _train_in_worker(panel: str, key: str, summary: dict) -> dict:
    """In a worker process: train one run of the problems ``make_problems`` builds (once per worker)."""
    if "problems" not in _WORKER:
        _WORKER["problems"] = {
            problem.name: (problem, {setting.key: setting for setting in settings})
            for problem, settings in _WORKER["make_problems"]()
        }
    problem, settings = _WORKER["problems"].get(panel, (None, {}))
    if problem is None or key not in settings or _jsonable(problem.summary()) != summary:
        raise RuntimeError(
            f"a worker process rebuilt other problems than the main process has (panel {panel!r}, run {key!r}): "
            "make_problems must build the same problems (were they changed at run time, e.g. by a test's monkeypatch?)"
        )
    return _stored_curve(problem, settings[key])


def _blas_threads_here() -> list[int]:
    """The thread count of each BLAS library loaded in this process (a test asks a worker)."""
    from threadpoolctl import threadpool_info

    return [library["num_threads"] for library in threadpool_info() if library["user_api"] == "blas"]


# ---------------------------------------------------------------------------------------------
# Merging the results of the slices of a grid (a job array's shards)


class MergeConflict(ValueError):
    """Results files that cannot be merged: other experiments, or one run with two different results."""


def _without_timing(record: Any) -> Any:
    """A run or an extra without its wall times, which differ from one session to the next."""
    if isinstance(record, dict):
        return {k: v for k, v in record.items() if k != "seconds"}
    return record


def merge_results(paths: Sequence[os.PathLike]) -> dict:
    """The runs of several results files of one experiment, in one (e.g. the N shards of a job array).

    Every file must describe the same figure and protocol (data, epochs, grid); a run found in two files
    must have the same results in both (its wall time aside), or ``MergeConflict`` is raised rather than
    choosing one. Returns the merged data, as ``ResultStore`` writes it (runs in grid order, no ``shard``);
    a grid that the files do not cover is incomplete, and resumes like any interrupted run.
    """
    if not paths:
        raise ValueError("paths must name at least one results file, got none")
    files = [(Path(path), json.loads(Path(path).read_text(encoding="utf-8"))) for path in paths]
    first_path, first = files[0]
    merged = {"figure": first["figure"], "protocol": first["protocol"], "runs": {}, "extras": {},
              "environment": first.get("environment")}
    came_from: dict[tuple[str, str, str], Path] = {}
    for path, data in files:
        if data.get("figure") != first["figure"] or data.get("protocol") != first["protocol"]:
            raise MergeConflict(
                f"{path} and {first_path} describe different experiments (figure, data, epochs or grid differ): "
                "only the results of one command line (its --length, --epochs, --dataset) can be merged"
            )
        for section in ("runs", "extras"):
            for panel, records in data.get(section, {}).items():
                kept = merged[section].setdefault(panel, {})
                for key, record in records.items():
                    if key not in kept:
                        kept[key], came_from[section, panel, key] = record, path
                    elif not key.endswith("_seconds") and _without_timing(kept[key]) != _without_timing(record):
                        raise MergeConflict(
                            f"{'run' if section == 'runs' else section[:-1]} {key!r} of panel {panel!r} differs between "
                            f"{came_from[section, panel, key]} and {path}; refusing to choose one: remove the wrong file "
                            "(made with another version of adam_edu or NumPy?), or train the run again"
                        )
        if data.get("environment") != merged["environment"]:
            merged["environment"] = [merged["environment"]] if isinstance(merged["environment"], dict) else merged["environment"]
            if data.get("environment") not in merged["environment"]:
                merged["environment"].append(data.get("environment"))
    for panel in merged["runs"]:
        merged["runs"][panel] = _in_grid_order(merged["runs"][panel], merged["protocol"], panel)
    return merged


# ---------------------------------------------------------------------------------------------
# A whole figure: its problems and grids, run (or resumed) and returned as Results


@dataclass
class Results:
    """A figure's runs, per panel, with what the figure needs to say how they were made.

    ``problems[panel]`` is the protocol of the panel (``Problem.summary`` plus its grid), ``runs[panel]``
    its finished runs in grid order, ``extras[panel]`` values such as f* (and the seconds its solve
    took); ``seconds`` the total wall time of the runs and solves (on the machine that made them).
    """

    figure: str
    mode: str
    dataset: str
    problems: dict[str, dict]
    runs: dict[str, list[Run]]
    extras: dict[str, dict]
    seconds: float
    seed_runs: dict[str, dict[int, list[Run]]] = field(default_factory=dict)  # see ``with_seeds``
    seed_problems: dict[str, dict] = field(default_factory=dict)  # the protocol of each seed's panel

    def seeds(self, panel: str) -> list[int]:
        """The seeds a panel's best settings were trained on: the grid's own, then the re-runs' (``with_seeds``)
        where at least one re-run finished."""
        return list(self.best_on_seeds(panel))

    def best_on_seeds(self, panel: str) -> dict[int, dict[tuple[str, str], Run]]:
        """Per seed, each (optimizer, variant)'s run of its best setting (chosen on the grid's seed): the grid's
        own best runs, then the re-runs of the same settings on each other seed (a re-run not finished is absent; a
        seed with none finished too)."""
        chosen = self.best(panel)
        out = {self.problems[panel]["seed"]: chosen}
        for seed, runs in sorted(self.seed_runs.get(panel, {}).items()):
            if not runs:
                continue
            by_setting = {run.setting: run for run in runs}
            out[seed] = {key: by_setting[run.setting] for key, run in chosen.items() if run.setting in by_setting}
        return out

    def best(self, panel: str) -> dict[tuple[str, str], Run]:
        """Each (optimizer, variant)'s best run of a panel (``SELECTION_RULE``)."""
        return best(self.runs[panel])

    def summary(self, digits: int = 3) -> str:
        """Each optimizer's best setting per panel, its final and mean cost, rounded (for printing).

        The *final cost* is the training cost of the last epoch; the *mean cost* the mean of the training costs
        of all epochs (the area under the learning curve over the epochs: low if the cost fell early). With
        re-runs on other seeds (``seed_runs``), each is the mean over the seeds, then the range (min–max) over
        them; a re-run whose cost depends on the CPU (``Run.unstable``) is left out and named.
        """
        lines = []
        for panel, runs in self.runs.items():
            spec = self.problems[panel]
            on_seeds = self.best_on_seeds(panel)
            partial = any(len(chosen) < len(best(runs)) for chosen in on_seeds.values())
            seeds_text = f", {len(on_seeds)} seeds: mean (min–max) over the seeds" if len(on_seeds) > 1 else ""
            seeds_text += " (not every re-run finished: each row says over how many)" if partial else ""
            lines.append(f"{panel}: {spec['description']}, {spec['epochs']} epochs{seeds_text}")
            for (name, variant), run in best(runs).items():
                tried = sum(1 for r in runs if (r.setting.optimizer, r.setting.variant) == (name, variant))
                hyper = ", ".join(f"{k}={v:g}" for k, v in run.setting.params.items())
                edge = "  (on the grid's edge)" if on_grid_edge(run, runs) else ""
                edge += "  (unstable: the cost depends on the CPU)" if run.unstable else ""
                again = [chosen[name, variant] for chosen in list(on_seeds.values())[1:] if (name, variant) in chosen]
                unstable = [seed for seed, chosen in on_seeds.items() if (name, variant) in chosen and chosen[name, variant].unstable]
                edge += f"  (unstable on seed {', '.join(map(str, unstable))}: left out)" if unstable and again else ""
                used = [run] + [r for r in again if not r.unstable]
                edge += f"  ({len(used)} of {len(on_seeds)} seeds)" if partial else ""
                what = f"{name}{' + ' + variant if variant else ''}"
                lines.append(
                    f"  {what:<28} best of {tried:>2}: {hyper:<32} "
                    f"final cost {spread([final_cost(r.curve) for r in used], digits)}"
                    f", mean cost {spread([float(np.mean(r.curve['cost'])) for r in used], digits)}{edge}"
                )
        return "\n".join(lines)

    def grid_table(self, panel: str, digits: int = 3) -> str:
        """Every setting of a panel's grid and its final cost, one line per optimizer (and variant), the best
        marked with ``*``: how sensitive each optimizer is to its step size, which the figure does not show.
        A run that diverged shows "diverged"; one whose final cost depends on the CPU (``Run.unstable``) shows
        "unstable": its value would differ on another machine (see ``UNSTABLE``)."""
        rows: dict[tuple[str, str], list[str]] = {}
        chosen = {id(run) for run in best(self.runs[panel]).values()}
        values: dict[tuple[str, str, str], set] = {}  # the values tried per optimizer, variant and axis
        for run in self.runs[panel]:
            for k, v in run.setting.params.items():
                values.setdefault((run.setting.optimizer, run.setting.variant, k), set()).add(v)
        for run in self.runs[panel]:
            name, variant = run.setting.optimizer, run.setting.variant
            hyper = ", ".join(f"{k}={v:g}" for k, v in run.setting.params.items() if len(values[name, variant, k]) > 1)
            cost = final_cost(run.curve)
            shown = "diverged" if not math.isfinite(cost) else "unstable" if run.unstable else f"{cost:.{digits}g}"
            text = f"{hyper}: {shown}"
            rows.setdefault((run.setting.optimizer, run.setting.variant), []).append(
                text + ("*" if id(run) in chosen else "")
            )
        width = max(len(name + (" + " + variant if variant else "")) for name, variant in rows)
        return "\n".join(
            f"{name + (' + ' + variant if variant else ''):<{width}}  " + " | ".join(cells)
            for (name, variant), cells in rows.items()
        )

    def seeds_of_grid(self) -> Optional[list[int]]:
        """The seeds of these runs if they are ``seed_problems``' re-runs (panels named by ``seed_panel``), else None."""
        names = [name for name in self.problems if " seed=" in name]
        return sorted({self.problems[name]["seed"] for name in names}) if names else None

    def complete(self) -> bool:
        """Every run of every grid finished (a stored full run may have been cut short)."""
        return all(len(self.runs.get(panel, [])) == len(p["grid"]) for panel, p in self.problems.items())


def spread(values: Sequence[float], digits: int = 3, form: str = "g") -> str:
    """Values measured on several seeds: their mean and, in brackets, their range (min–max), e.g.
    "0.231 (0.227–0.235)"; one value alone. "diverged" for +inf (the mean is of the others); ``form="#g"``
    keeps trailing zeros."""
    values = [float(v) for v in values]
    finite = [v for v in values if math.isfinite(v)]

    def show(value: float) -> str:
        return "diverged" if not math.isfinite(value) else f"{value:{form[:-1]}.{digits}{form[-1]}}"

    if len(values) == 1 or not finite:
        return show(values[0] if len(values) == 1 else math.inf)
    return f"{show(float(np.mean(finite)))} ({show(min(values))}–{show(max(values))})"


def protocol(mode: str, dataset: str, problems: Sequence[tuple[Problem, Sequence[Setting]]]) -> dict:
    """What stored results must agree with to be resumed: the mode, the data, every problem and grid."""
    return {
        "mode": mode,
        "dataset": dataset,
        "panels": {problem.name: {**problem.summary(), "grid": [s.key for s in settings]} for problem, settings in problems},
    }


def run_experiment(
    figure: str,
    mode: str,
    dataset: str,
    problems: Sequence[tuple[Problem, Sequence[Setting]]],
    *,
    path: Optional[os.PathLike] = None,
    restart: bool = False,
    progress: bool = False,
    on_run_done: Optional[Callable[[str, str, dict], None]] = None,
    jobs: int = 1,
    make_problems: Optional[Callable[[], Sequence[tuple[Problem, Sequence[Setting]]]]] = None,
    shard: Optional[tuple[int, int]] = None,
) -> Results:
    """Run (or resume from ``path``) every grid of a figure; extras such as f* are computed once and stored.

    Everything runs with one BLAS thread, here as in the worker processes: the last bits of a sum can
    depend on how many threads share it (Figure 1's f* differs in its 7th digit with 2 threads), and the
    stored numbers must not depend on ``jobs`` or on the machine's cores. It costs little: the matrices
    are small (a second thread mostly adds waiting on a loaded machine), and ``jobs`` uses the cores.
    ``jobs``, ``make_problems`` and ``shard``: see ``run_grid``. Of the N shards, the first computes the extras.
    """
    description = protocol(mode, dataset, problems)
    store = ResultStore(path, figure, description, restart=restart, shard=shard)
    with _blas_threads(1):
        return _run(store, problems, progress, on_run_done, jobs, make_problems, shard)


@contextlib.contextmanager
def _blas_threads(limit: Optional[int]):
    """Limit the BLAS thread pool (with threadpoolctl, installed with scikit-learn) inside the block."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        limit = None
    if limit is None:
        yield
        return
    with threadpool_limits(limits=limit, user_api="blas"):
        yield


def _run(store: ResultStore, problems, progress, on_run_done, jobs=1, make_problems=None, shard=None) -> Results:
    for problem, _ in problems:
        if problem.optimum is not None and (shard is None or shard[0] == 1):
            start = time.perf_counter()
            store.extra(problem.name, "f_star", lambda: significant(problem.optimum(problem), 10))
            store.extra(problem.name, "f_star_seconds", lambda: round(time.perf_counter() - start, 1))
    run_grid(problems, store, progress=progress, on_run_done=on_run_done, jobs=jobs, make_problems=make_problems,
             shard=shard)
    return _results(store.data)


def _results(data: dict) -> Results:
    panels = data["protocol"]["panels"]
    runs: dict[str, list[Run]] = {}
    for panel, spec in panels.items():
        stored = data["runs"].get(panel, {})
        runs[panel] = [Run(_setting(stored[key]["setting"]), stored[key]) for key in spec["grid"] if key in stored]
    seconds = sum(run.curve["seconds"] for panel_runs in runs.values() for run in panel_runs)
    seconds += sum(extra.get("f_star_seconds", 0.0) for extra in data.get("extras", {}).values())
    return Results(
        data["figure"], data["protocol"]["mode"], data["protocol"]["dataset"], panels, runs, data.get("extras", {}),
        round(seconds, 1),
    )


def _setting(stored: dict) -> Setting:
    return Setting(stored["optimizer"], tuple(sorted((k, float(v)) for k, v in stored["hyper"].items())), stored["variant"])


def load_results(path: os.PathLike) -> Results:
    """Results stored by a run of the command line (``python -m adam_edu.paper``), e.g. to draw them again."""
    return _results(json.loads(Path(path).read_text(encoding="utf-8")))
