"""Full mode of notebook 11 from the command line: Fashion-MNIST, stored, resumable.

    python -m adam_edu.lessons.in_practice full [--restart] [--no-progress] [--out FILE] [--data-dir DIR]

Trains the tuned comparison of Adam and SGD with momentum (grid on seed 0, then every seed at the best step
size) and AdamW's (α, λ) grid in both parameterisations, a 784-256-10 MLP for 12 epochs each, in float32, one run
after another. Every finished run is written at once to figures/in_practice/full.json (atomically): stop it
with Ctrl-C and the same command resumes where it stopped. Run it with `nice` on a shared machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from adam_edu.data import DataNotFoundError
from adam_edu.lessons import in_practice
from adam_edu.paper.training import StoredResultsDiffer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m adam_edu.lessons.in_practice", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["full"], help="full mode (quick mode runs in the notebook)")
    parser.add_argument("--out", type=Path, default=None, help=f"results file (default: {in_practice.STORED / 'full.json'})")
    parser.add_argument("--data-dir", type=Path, default=None, help="where the Fashion-MNIST IDX files are")
    parser.add_argument("--restart", action="store_true", help="discard stored results and start again")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    path = args.out or in_practice.STORED / "full.json"
    start = time.perf_counter()
    try:
        runner = in_practice.Runner("full", path=path, restart=args.restart, progress=not args.no_progress,
                                    data_dir=args.data_dir)
        in_practice.full_mode_experiments(runner)
    except (DataNotFoundError, StoredResultsDiffer) as err:
        print(f"in_practice: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\nin_practice: interrupted; the finished runs are stored in {path}, and the same command resumes",
              file=sys.stderr)
        return 130
    print(f"in_practice: {runner.trained} runs trained in {(time.perf_counter() - start) / 60:.1f} min; results in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
