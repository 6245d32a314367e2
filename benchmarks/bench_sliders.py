"""Latency of one slider update in the kernel: slider value set → new PNG in the widget.

    python benchmarks/bench_sliders.py

Each experiment is driven as the browser would drive it, by setting ``control.value``; the time
runs until ``experiment.image.value`` holds the new picture (computation, drawing, PNG encoding;
the split is ``experiment.last_refresh``, medians). A slider without given values moves 30 steps
of its own from where it is, as 30 presses of an arrow key do. The reference measured in the same
run is a full re-plot of the same figure (``fig.canvas.draw()`` + matplotlib's own PNG writer), what
a naive ``interact`` callback pays at least. This is the kernel's share of what a person waits for:
benchmarks/bench_browser.py measures the whole, key press to picture painted, in a browser (target:
50 ms median for every slider notebook).
"""

from __future__ import annotations

import importlib
import io
import os
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import numpy as np  # noqa: E402



def zoo_experiment():
    from adam_edu.lessons import zoo
    from adam_edu.lessons.zoo.slider import ZooExperiment

    # every optimizer at lr 0.01 instead of the notebook's grid search, which takes ~10 s
    return ZooExperiment({name: {label: 0.01 for label in zoo.ZOO_LABELS}
                          for name in ("rosenbrock", "beale", "quadratic", "saddle")})


def by_name(module: str, name: str):
    return lambda: getattr(importlib.import_module(module), name)()


# (what builds the experiment, the control to move, the values to sweep; None: its first slider). Values are
# positions of the slider's own grid (min + k·step), as arrow keys give them: notebook 04 computes the runs of an α,
# ε or start slider's neighbouring positions with the first move, and β1 is a move that computes its one run.
EXPERIMENTS = [
    (by_name("adam_edu.lessons.update_rule.slider", "UpdateRuleExperiment"), "lr", 10.0 ** (np.arange(-30, 0) / 10)),
    (by_name("adam_edu.lessons.update_rule.slider", "UpdateRuleExperiment"), "x0", -1.8 + 0.05 * np.arange(30)),
    (by_name("adam_edu.lessons.update_rule.slider", "UpdateRuleExperiment"), "beta1", 0.5 + 0.01 * np.arange(30)),
    (by_name("adam_edu.lessons.moments.slider", "MomentEstimates"), None, None),
    (by_name("adam_edu.lessons.bias_correction.slider", "BiasCorrection"), None, None),
    (zoo_experiment, None, None),
]


def sweep(experiment, control: str, values) -> tuple[list[float], list]:
    """The time of each move, and each move's ``last_refresh``."""
    times, refreshes = [], []
    for value in values:
        before = experiment.image.value
        start = time.perf_counter()
        experiment.controls[control].value = value
        times.append(time.perf_counter() - start)
        refreshes.append(experiment.last_refresh)
        assert experiment.image.value != before or len(times) == 1, "the picture did not change"
    return times, refreshes


def full_replot(experiment, repeats: int = 15) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        experiment.canvas.draw()
        experiment.fig.savefig(io.BytesIO(), format="png")
        times.append(time.perf_counter() - start)
    return times


def default_sweep(experiment, moves: int = 30):
    """The first slider, moved ``moves`` of its steps from its value towards its farther end."""
    for name, control in experiment.controls.items():
        if isinstance(control, (widgets.FloatSlider, widgets.IntSlider)):
            direction = 1 if control.max - control.value >= control.value - control.min else -1
            values = control.value + direction * control.step * np.arange(1, moves + 1)
            return name, np.clip(values, control.min, control.max)
    raise LookupError("no slider")


def main() -> None:
    print(f"load average {os.getloadavg()[0]:.2f}; times in ms (medians but p90)")
    print(f"{'experiment':22} {'control':22} {'median':>7} {'p90':>7} {'compute':>8} {'draw':>6} {'encode':>7} "
          f"{'PNG kB':>7} {'full re-plot':>13}")
    for build, control, values in EXPERIMENTS:
        experiment = build()
        experiment.widget()
        name, sweep_values = (control, values) if control else default_sweep(experiment)
        times, refreshes = sweep(experiment, name, sweep_values)
        times = np.array(times) * 1e3
        split = {part: statistics.median(getattr(r, part) for r in refreshes) * 1e3
                 for part in ("update", "draw", "encode")}
        replot = np.array(full_replot(experiment)) * 1e3
        print(f"{type(experiment).__name__:22} {name:22} {statistics.median(times):>7.1f} "
              f"{np.percentile(times, 90):>7.1f} {split['update']:>8.1f} {split['draw']:>6.1f} {split['encode']:>7.1f} "
              f"{statistics.median(r.png_bytes for r in refreshes) / 1e3:>7.0f} {statistics.median(replot):>13.1f}")


if __name__ == "__main__":
    main()
