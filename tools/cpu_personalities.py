"""Run a command, or measure how much the training numbers move, under other CPUs' arithmetic.

    python tools/cpu_personalities.py list
    python tools/cpu_personalities.py run sandybridge -- make test
    python tools/cpu_personalities.py spread [--personalities native,haswell,sandybridge] [--out FILE]

A stored notebook output that nbval compares must be a property of the mathematics, not of the CPU. Two
things make NumPy's last bits depend on the machine: OpenBLAS picks its matrix-product kernels per CPU
(``OPENBLAS_CORETYPE`` forces a choice, ``OPENBLAS_NUM_THREADS`` changes how a product is split), and NumPy
picks its SIMD loops for exp, log, tanh, sums … at run time (``NPY_DISABLE_CPU_FEATURES`` turns groups of
them off). A *personality* sets both, so that one machine reproduces the arithmetic of others:

- ``native``: what this CPU picks;
- ``haswell``: an AVX2 machine without AVX-512 (OpenBLAS's Haswell kernels; NumPy's AVX-512 loops off);
- ``sandybridge``: an older machine (Sandybridge kernels, NumPy's AVX2/FMA loops off, one BLAS thread),
  the personality CI runs the notebooks under a second time;
- ``native-1thread`` / ``native-2threads``: the native kernels with one or two BLAS threads.

``spread`` trains every quick-mode experiment whose numbers a notebook prints (the paper's Figures 1-4 and
03's small Figure 4) under each personality, in a fresh process each, and prints, per run, the final cost
under each personality and their relative spread. It is how the precision of every printed training number
was chosen (``adam_edu.paper.training.STABLE_DIGITS``) and how the "unstable" marker was checked: see the
README's section on tests. It takes a few minutes per personality.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# NumPy's feature names (numpy.show_runtime() lists those this CPU has): naming one that the CPU lacks changes
# nothing and is not an error, so the same personality can be used on every x86-64 machine.
AVX512 = "X86_V4 AVX512_ICL AVX512_SPR"
PERSONALITIES: dict[str, dict[str, str]] = {
    "native": {},
    "haswell": {"OPENBLAS_CORETYPE": "Haswell", "NPY_DISABLE_CPU_FEATURES": AVX512},
    "sandybridge": {
        "OPENBLAS_CORETYPE": "Sandybridge",
        "NPY_DISABLE_CPU_FEATURES": "X86_V3",
        "OPENBLAS_NUM_THREADS": "1",
    },
    "native-1thread": {"OPENBLAS_NUM_THREADS": "1"},
    "native-2threads": {"OPENBLAS_NUM_THREADS": "2"},
}
CPU_VARIABLES = ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES", "OPENBLAS_NUM_THREADS")


def environment(name: str) -> dict[str, str]:
    """This process's environment with the personality ``name`` in place of any CPU setting it had."""
    if name not in PERSONALITIES:
        raise SystemExit(f"personality must be one of {', '.join(PERSONALITIES)}, got {name!r}")
    env = {k: v for k, v in os.environ.items() if k not in CPU_VARIABLES}
    env.update(PERSONALITIES[name])
    return env


def _experiments() -> dict[str, dict]:
    """Every quick-mode training run a notebook prints numbers of: run → its final cost, its curve, …"""
    from adam_edu import paper
    from adam_edu.lessons import bias_correction
    from adam_edu.paper.training import final_cost

    found: dict[str, dict] = {}
    for figure in paper.FIGURES:
        results = paper.run(figure)
        for panel, runs in results.runs.items():
            for run in runs:
                key = f"{figure}/{panel}/{run.setting.key}"
                found[key] = {"final": final_cost(run.curve), "cost": run.curve["cost"]}
    study = bias_correction.figure4_study()
    found["03/figure4_study/best_loss"] = {"final": study.best_loss, "cost": []}
    for index, value in enumerate(study.loss.ravel()):
        found[f"03/figure4_study/{index}"] = {"final": float(value), "cost": []}
    return found


def _worker(out: Path) -> None:
    import numpy as np

    with np.errstate(all="ignore"):
        found = _experiments()
    out.write_text(json.dumps(found, default=float))


def spread(names: list[str], out: Path | None) -> dict:
    measured: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            path = Path(tmp) / f"{name}.json"
            print(f"training every quick-mode experiment as {name} ...", flush=True)
            subprocess.run(
                [sys.executable, __file__, "_worker", str(path)], env=environment(name), check=True
            )
            measured[name] = json.loads(path.read_text())
    report = {"personalities": {n: PERSONALITIES[n] for n in names}, "runs": {}}
    keys = list(measured[names[0]])
    for key in keys:
        finals = [measured[n][key]["final"] for n in names]
        finite = [f for f in finals if f == f and abs(f) != float("inf")]
        if len(finite) == len(finals) and finite:
            rel = (max(finite) - min(finite)) / max(abs(min(finite)), 1e-300)
        else:
            rel = 0.0 if not finite else float("inf")
        report["runs"][key] = {"final": dict(zip(names, finals)), "relative_spread": rel}
    ordered = sorted(report["runs"].items(), key=lambda item: -item[1]["relative_spread"])
    print(f"\n{'run':<58}" + "".join(f"{n:>16}" for n in names) + f"{'rel. spread':>13}")
    for key, row in ordered[:40]:
        print(f"{key:<58}" + "".join(f"{row['final'][n]:>16.8g}" for n in names) + f"{row['relative_spread']:>13.2e}")
    print(f"... {len(ordered)} runs in all")
    if out is not None:
        out.write_text(json.dumps(report, indent=1, default=float))
    return report


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_worker"]:
        return _worker(Path(argv[1]))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("list", help="the personalities and their settings")
    run = sub.add_parser("run", help="run a command under a personality")
    run.add_argument("personality", choices=PERSONALITIES)
    run.add_argument("command", nargs=argparse.REMAINDER)
    measure = sub.add_parser("spread", help="train every quick-mode experiment under each personality")
    measure.add_argument("--personalities", default="native,haswell,sandybridge")
    measure.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.what == "list":
        for name, settings in PERSONALITIES.items():
            print(f"{name:<16}", " ".join(f"{k}={v!r}" for k, v in settings.items()) or "(this CPU's own choice)")
    elif args.what == "run":
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        if not command:
            parser.error("run needs a command after the personality, e.g. run sandybridge -- make test")
        raise SystemExit(subprocess.run(command, env=environment(args.personality)).returncode)
    else:
        spread(args.personalities.split(","), args.out)


if __name__ == "__main__":
    main()
