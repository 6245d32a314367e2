r"""The command line: run a figure's experiments in full mode, store the curves and the figure.

    python -m adam_edu.paper fig1                      # Fashion-MNIST, the default
    python -m adam_edu.paper fig2 --dataset mnist      # MNIST, where its files are (or --download)
    python -m adam_edu.paper all                       # the four figures, one after the other
    python -m adam_edu.paper fig4 --quick              # the notebooks' quick run, stored too

Writes ``figures/paper/fig1_fashion.json`` after every finished run (atomically), so that an
interrupted run (Ctrl-C, a reboot) resumes where it stopped when the same command is given again:
finished runs are not recomputed. ``--restart`` discards stored results. When every run has
finished, draws ``figures/paper/fig1_fashion.png`` and prints the claims table.
Set ``OPENBLAS_NUM_THREADS=1`` on a shared 2-core machine: the networks here are small enough that
one BLAS thread is as fast, and it leaves the other core free.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from adam_edu import paper
from adam_edu.data import DataNotFoundError
from adam_edu.paper import claims, common
from adam_edu.paper.training import StoredResultsDiffer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m adam_edu.paper", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("figure", choices=[*paper.FIGURES, "all"], help="which figure to reproduce")
    parser.add_argument("--dataset", choices=common.DATASETS, default="fashion",
                        help="full mode's data (default: fashion, i.e. Fashion-MNIST)")
    parser.add_argument("--quick", action="store_true", help="quick mode (digits, seconds), as the notebooks run")
    parser.add_argument("--out", type=Path, default=None, help=f"folder for the JSON and PNG (default: {common.PAPER_FIGURES})")
    parser.add_argument("--data-dir", type=Path, default=None, help="where the MNIST / Fashion-MNIST IDX files are")
    parser.add_argument("--download", action="store_true", help="download MNIST / Fashion-MNIST if missing")
    parser.add_argument("--restart", action="store_true", help="discard stored results and start again")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    mode = "quick" if args.quick else "full"
    if mode == "full" and (args.data_dir or args.download):
        from adam_edu import data

        data.load_mnist(args.dataset, "train", args.data_dir, download=args.download)  # fail early, with the message
        common.DATA_DIR = args.data_dir
    figures = paper.FIGURES if args.figure == "all" else (args.figure,)
    for figure in figures:
        path = common.results_path(figure, mode, args.dataset, args.out)
        start = time.perf_counter()
        try:
            results = paper.run(
                figure, mode, args.dataset, path=path, restart=args.restart, progress=not args.no_progress
            )
        except (DataNotFoundError, StoredResultsDiffer) as err:
            print(f"{figure}: {err}", file=sys.stderr)
            return 1
        elapsed = time.perf_counter() - start
        png = path.with_suffix(".png")
        fig = paper.draw(results)
        fig.savefig(png, dpi=100, bbox_inches="tight", metadata={"Software": None})
        print(f"\n{figure}: {len(sum(results.runs.values(), []))} runs, {results.seconds / 60:.1f} min of training "
              f"in total ({elapsed / 60:.1f} min in this session); results in {path}, figure in {png}")
        print(claims.table({f"{mode} mode": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
