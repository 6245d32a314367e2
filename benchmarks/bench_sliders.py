"""Latency of one slider update, end to end: slider value set → new PNG in the widget.

    python benchmarks/bench_sliders.py

Each experiment is driven as the browser would drive it, by setting ``control.value``; the time
runs until ``experiment.image.value`` holds the new picture (computation, drawing, PNG encoding).
Target: at most 50 ms median for notebook 04's experiment, which reruns 200 Adam steps on a 2-D
objective and redraws. The reference measured in the same run is a full re-plot of the same
figure (``fig.canvas.draw()`` + matplotlib's own PNG writer), what a naive ``interact`` callback
pays at least.
"""

from __future__ import annotations

import importlib
import io
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402



def zoo_experiment():
    from adam_edu.lessons import zoo
    from adam_edu.lessons.zoo.slider import ZooExperiment

    # every optimizer at lr 0.01 instead of the notebook's grid search, which takes ~10 s
    return ZooExperiment({name: {label: 0.01 for label in zoo.ZOO_LABELS}
                          for name in ("rosenbrock", "beale", "quadratic", "saddle")})


def by_name(module: str, name: str):
    return lambda: getattr(importlib.import_module(module), name)()


# (what builds the experiment, the control to move, the values to sweep; None: its first slider)
EXPERIMENTS = [
    (by_name("adam_edu.lessons.update_rule.slider", "UpdateRuleExperiment"), "lr", np.logspace(-3, -1, 30)),
    (by_name("adam_edu.lessons.update_rule.slider", "UpdateRuleExperiment"), "x0", np.linspace(-1.8, 1.8, 30)),
    (by_name("adam_edu.lessons.moments.slider", "MomentEstimates"), None, None),
    (by_name("adam_edu.lessons.bias_correction.slider", "BiasCorrection"), None, None),
    (zoo_experiment, None, None),
]

def sweep(experiment, control: str, values) -> list[float]:
    times = []
    for value in values:
        before = experiment.image.value
        start = time.perf_counter()
        experiment.controls[control].value = value
        times.append(time.perf_counter() - start)
        assert experiment.image.value != before or len(times) == 1, "the picture did not change"
    return times


def full_replot(experiment, repeats: int = 15) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        experiment.canvas.draw()
        experiment.fig.savefig(io.BytesIO(), format="png")
        times.append(time.perf_counter() - start)
    return times


def default_sweep(experiment):
    """The first slider-like numeric control, swept over 30 values of its range."""
    for name, control in experiment.controls.items():
        if hasattr(control, "min") and hasattr(control, "max") and not isinstance(control.value, bool):
            return name, np.linspace(control.min, control.max, 30)
    raise LookupError("no numeric control")


def main() -> None:
    print(f"{'experiment':46} {'control':24} {'median ms':>10} {'p90 ms':>8} {'full re-plot ms':>16}")
    for build, control, values in EXPERIMENTS:
        experiment = build()
        experiment.widget()
        name, sweep_values = (control, values) if control else default_sweep(experiment)
        times = np.array(sweep(experiment, name, sweep_values)) * 1e3
        replot = np.array(full_replot(experiment)) * 1e3
        print(f"{type(experiment).__name__:46} {name:24} {statistics.median(times):>10.1f} "
              f"{np.percentile(times, 90):>8.1f} {statistics.median(replot):>16.1f}")
    print("target: UpdateRuleExperiment (200 Adam steps + redraw) median <= 50 ms")


if __name__ == "__main__":
    main()
