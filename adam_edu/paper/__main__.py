r"""The command line: run a figure's experiments in full mode, store the curves and the figure.

    python -m adam_edu.paper fig1                      # Fashion-MNIST, the default, on every core
    python -m adam_edu.paper fig2 --dataset mnist      # MNIST, where its files are (or --download)
    python -m adam_edu.paper all                       # the four figures, one after the other
    python -m adam_edu.paper fig4 --quick              # the notebooks' quick run, stored too
    python -m adam_edu.paper fig2 --length paper       # the paper's 200 epochs (fig2_fashion_paper-length.json)
    python -m adam_edu.paper fig2 --shard 3/8          # the 3rd of 8 slices of the grid (a job array's task)
    python -m adam_edu.paper merge figures/paper/fig2_fashion.shard-*-of-8.json   # the 8 slices in one file
    python -m adam_edu.paper fig2 --seeds 3            # each optimizer's best setting on seeds 1 and 2 too

``--seeds N`` re-runs the best setting of each optimizer (chosen on the grid, seed 0) on seeds 1 … N − 1
(another initialisation, minibatch order and noise), into ``figures/paper/fig2_fashion_seeds.json``,
stored, resumed, parallelised (``--jobs``) and sliced (``--shard``, then ``merge``) like the grid; the
claims are then judged on every seed (``adam_edu.paper.claims``). The grid must be finished first (merged,
if it was trained in shards); without --shard, an unfinished grid is trained first.

A figure's runs are independent: ``--jobs N`` trains them in N worker processes (default: every usable
core), each with one BLAS thread; the results are the same, run for run, whatever N is. Writes
``figures/paper/fig1_fashion.json`` after every finished run (atomically; this process is its only
writer), so that an interrupted run (Ctrl-C, a reboot, a killed worker) resumes where it stopped when the
same command is given again: finished runs are not recomputed. ``--restart`` discards stored results.
When every run has finished, draws ``figures/paper/fig1_fashion.png`` and prints the claims table.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
import time
from pathlib import Path

from adam_edu import paper
from adam_edu.data import DataNotFoundError
from adam_edu.paper import claims, common, training
from adam_edu.paper.training import MergeConflict, StoredResultsDiffer, WorkerDied


def _whole_number(name: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < 1:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number ≥ 1, got {text!r}")
        return value
    return parse


def _shard(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"--shard must be K/N (the K-th of N slices, 1 ≤ K ≤ N), got {text!r}")
    try:
        return training.check_shard((int(match[1]), int(match[2])))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard must be K/N with 1 ≤ K ≤ N, got {text!r}") from None


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def time_estimate(figure: str, dataset: str, problems, jobs: int, shard: tuple[int, int] | None) -> str:
    """How long a run takes here, from the seconds per epoch of the stored full-mode run of the figure
    (timed on the machine that made it), and the whole figure (or shard) with ``jobs`` workers."""
    reference = common.results_path(figure, "full", dataset)
    try:
        stored = json.loads(reference.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{figure}: no stored full-mode run ({reference}) to tell how long a run takes here"
    parts, total, count = [], 0.0, 0
    every_run = [(problem, setting) for problem, settings in problems for setting in settings]
    for problem, _ in problems:
        panel = problem.name.rsplit(" seed=", 1)[0]  # a seed re-run is timed from its grid's runs
        curves = [c for c in stored.get("runs", {}).get(panel, {}).values() if c.get("cost")]
        epochs = sum(len(c["cost"]) for c in curves)
        if not epochs:
            return f"{figure}: the stored run {reference} has no finished epoch of panel {problem.name!r} to time"
        per_run = sum(c["seconds"] for c in curves) / epochs * problem.epochs
        mine = sum(1 for index, (p, _) in enumerate(every_run) if p is problem and training.in_shard(index, shard))
        total, count = total + per_run * mine, count + mine
        parts.append(f"({problem.name}) {problem.epochs} epochs: about {_duration(per_run)} per run")
    slice_text = f"shard {shard[0]}/{shard[1]}: " if shard else ""
    return (f"{figure}: {'; '.join(parts)} here (timed from {reference.name}); {slice_text}{count} runs, "
            f"about {_duration(total)} one run at a time, {_duration(total / min(jobs, max(count, 1)))} with --jobs {jobs}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["merge"]:
        return merge(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m adam_edu.paper", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("figure", choices=[*paper.FIGURES, "all"], help="which figure to reproduce (or: merge FILES)")
    parser.add_argument("--dataset", choices=common.DATASETS, default="fashion",
                        help="full mode's data (default: fashion, i.e. Fashion-MNIST)")
    parser.add_argument("--quick", action="store_true", help="quick mode (digits, seconds), as the notebooks run")
    parser.add_argument("--length", choices=common.LENGTHS, default="default",
                        help="full mode's epochs (default) or the paper's (paper: Figure 1(b) 160, Figure 2 200, "
                             "Figure 4 10 and 100)")
    parser.add_argument("--epochs", type=_whole_number("--epochs"), default=None,
                        help="train for this many epochs instead (Figure 4: its long horizon)")
    parser.add_argument("--jobs", type=_whole_number("--jobs"), default=training.usable_cores(),
                        help="worker processes, one run each at a time (default: the usable cores, here %(default)s)")
    parser.add_argument("--shard", type=_shard, default=None, metavar="K/N",
                        help="train only the K-th of N disjoint slices of the grid, into its own file (then: merge)")
    parser.add_argument("--out", type=Path, default=None, help=f"folder for the JSON and PNG (default: {common.PAPER_FIGURES})")
    parser.add_argument("--data-dir", type=Path, default=None, help="where the MNIST / Fashion-MNIST IDX files are")
    parser.add_argument("--download", action="store_true", help="download MNIST / Fashion-MNIST if missing")
    parser.add_argument("--restart", action="store_true", help="discard stored results and start again")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--seeds", type=_whole_number("--seeds"), default=1,
                        help="runs per optimizer's best setting, the grid's own seed 0 included: N > 1 re-runs the best "
                             "settings on seeds 1 … N−1 into FIGURE_DATASET_seeds.json (default: 1, the grid only)")
    args = parser.parse_args(argv)

    mode = "quick" if args.quick else "full"
    if mode == "quick" and args.length != "default":
        parser.error(f"--length {args.length} is for full mode; quick mode trains the notebooks' sizes (--epochs may be given)")
    if mode == "full":
        from adam_edu import data

        try:  # fail early, with the message, rather than in every worker process
            data.load_mnist(args.dataset, "train", args.data_dir, download=args.download)
        except DataNotFoundError as err:
            print(f"{args.figure}: {err}", file=sys.stderr)
            return 1
        common.DATA_DIR = args.data_dir
    figures = paper.FIGURES if args.figure == "all" else (args.figure,)
    for figure in figures:
        make_problems = functools.partial(common.figure_problems, figure, mode, args.dataset, args.length, args.epochs, args.data_dir)
        problems = make_problems()
        dataset = common.check_mode(mode, args.dataset)
        if args.seeds > 1:
            code = _run_seeds(figure, mode, dataset, args)
            if code:
                return code
            continue
        path = common.results_path(figure, mode, args.dataset, args.out, length=args.length, epochs=args.epochs,
                                   shard=args.shard)
        if mode == "full":
            print(time_estimate(figure, dataset, problems, args.jobs, args.shard), flush=True)
        start = time.perf_counter()
        results, code = _train(figure, mode, dataset, problems, make_problems, path, args)
        if code:
            return code
        elapsed = time.perf_counter() - start
        runs = len(sum(results.runs.values(), []))
        if args.shard is not None:
            k, n = args.shard
            print(f"\n{figure} shard {k}/{n}: {runs} runs in {path} ({elapsed / 60:.1f} min in this session). When the "
                  f"{n} shards have finished: python -m adam_edu.paper merge {path.parent / path.name.replace(f'shard-{k}-', 'shard-*-')}")
            continue
        png = path.with_suffix(".png")
        fig = paper.draw(results)
        fig.savefig(png, dpi=100, bbox_inches="tight", metadata={"Software": None})
        print(f"\n{figure}: {runs} runs, {results.seconds / 60:.1f} min of training "
              f"in total ({elapsed / 60:.1f} min in this session); results in {path}, figure in {png}")
        print(claims.table({f"{mode} mode": results}))
    return 0


def _train(figure: str, mode: str, dataset: str, problems, make_problems, path, args):
    """``training.run_experiment`` for the command line: (results, 0), or (None, an exit code) after saying why."""
    try:
        return training.run_experiment(
            figure, mode, dataset, problems, path=path, restart=args.restart, progress=not args.no_progress,
            jobs=args.jobs, make_problems=make_problems, shard=args.shard,
        ), 0
    except (DataNotFoundError, StoredResultsDiffer, WorkerDied) as err:
        print(f"{figure}: {err}", file=sys.stderr)
        return None, 1
    except KeyboardInterrupt:
        print(f"\n{figure}: interrupted; the finished runs are stored in {path}, and the same command resumes",
              file=sys.stderr)
        return None, 130


def _run_seeds(figure: str, mode: str, dataset: str, args) -> int:
    """``--seeds N``: the best settings of the finished grid on seeds 1 … N−1 (trained after the grid if needed)."""
    sizes = dict(length=args.length, epochs=args.epochs)
    base_path = common.results_path(figure, mode, args.dataset, args.out, **sizes)
    base = training.load_results(base_path) if base_path.is_file() else None
    if base is None or not base.complete():
        if args.shard is not None:
            print(f"{figure}: --seeds re-runs the best settings of the whole grid, and {base_path} does not hold the "
                  "finished grid: train it (and merge its shards) first", file=sys.stderr)
            return 1
        problems = common.figure_problems(figure, mode, args.dataset, args.length, args.epochs, args.data_dir)
        make_problems = functools.partial(common.figure_problems, figure, mode, args.dataset, args.length, args.epochs,
                                          args.data_dir)
        try:
            base = training.run_experiment(figure, mode, dataset, problems, path=base_path, restart=args.restart,
                                           progress=not args.no_progress, jobs=args.jobs, make_problems=make_problems)
        except (StoredResultsDiffer, WorkerDied) as err:
            print(f"{figure}: {err}", file=sys.stderr)
            return 1
    make_problems = functools.partial(common.seed_figure_problems, figure, mode, args.dataset, args.length, args.epochs,
                                      args.data_dir, args.seeds, base_path)
    problems = make_problems()
    path = common.results_path(figure, mode, args.dataset, args.out, shard=args.shard, seeds=True, **sizes)
    if mode == "full":
        print(time_estimate(figure, dataset, problems, args.jobs, args.shard), flush=True)
    start = time.perf_counter()
    seeded, code = _train(figure, mode, dataset, problems, make_problems, path, args)
    if code:
        return code
    elapsed = time.perf_counter() - start
    runs = len(sum(seeded.runs.values(), []))
    print(f"\n{figure}: {runs} runs on seeds {', '.join(map(str, common.extra_seeds(args.seeds)))} in {path} "
          f"({elapsed / 60:.1f} min in this session)")
    if args.shard is None and seeded.complete():
        print(claims.table({f"{mode} mode": training.with_seeds(base, seeded)}))
    return 0


_SHARD_SUFFIX = re.compile(r"\.shard-\d+-of-\d+(?=\.json$)")


def merge(argv: list[str]) -> int:
    """``python -m adam_edu.paper merge FILES``: the shards of a figure in its results file, then its figure."""
    parser = argparse.ArgumentParser(
        prog="python -m adam_edu.paper merge",
        description="Merge the results files of the shards of one figure (python -m adam_edu.paper FIG --shard K/N) "
                    "into its results file, e.g. figures/paper/fig2_fashion.shard-*-of-8.json into fig2_fashion.json; "
                    "checks that they describe the same grid and protocol, and refuses a run stored twice with two "
                    "different results. When the grid is complete, draws the figure and prints the claims.",
    )
    parser.add_argument("files", nargs="+", type=Path, help="the shards' results files")
    parser.add_argument("--into", type=Path, default=None,
                        help="the merged results file (default: the shards' name without .shard-K-of-N; "
                             "results already in it are kept, and checked)")
    args = parser.parse_args(argv)

    targets = {file.with_name(_SHARD_SUFFIX.sub("", file.name)) for file in args.files}
    if args.into is None and len(targets) != 1:
        parser.error(f"--into is needed: the files are shards of {len(targets)} different results files "
                     f"({', '.join(sorted(str(t) for t in targets))})")
    into = args.into or targets.pop()
    missing = [str(file) for file in args.files if not file.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(missing)}")
    sources = [*args.files, *([into] if into.is_file() and into not in args.files else [])]
    try:
        merged = training.merge_results(sources)
    except MergeConflict as err:
        print(f"merge: {err}", file=sys.stderr)
        return 1
    training.write_json_atomically(into, merged)
    results = training.load_results(into)
    grid_size = sum(len(spec["grid"]) for spec in results.problems.values())
    runs = len(sum(results.runs.values(), []))
    print(f"merge: {len(sources)} files, {runs} of {grid_size} runs, into {into}")
    if not results.complete():
        print(f"merge: {grid_size - runs} runs are missing (a shard not finished, or not merged): run those shards and "
              "merge again, or give the figure's command line without --shard (and --out to this folder) to train them "
              "here", file=sys.stderr)
        return 0
    if results.seeds_of_grid() is not None:  # the re-runs of the best settings on other seeds (--seeds)
        base_path = into.with_name(into.name.replace("_seeds.json", ".json"))
        if base_path.is_file():
            print(claims.table({f"{results.mode} mode": training.with_seeds(training.load_results(base_path), results)}))
        return 0
    png = into.with_suffix(".png")
    paper.draw(results).savefig(png, dpi=100, bbox_inches="tight", metadata={"Software": None})
    print(f"figure in {png}")
    print(claims.table({f"{results.mode} mode": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
