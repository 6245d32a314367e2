"""The slider experiment of notebook 05: the optimizer zoo, from any start, at any learning rate.

Every optimizer starts at the learning rate its grid search chose for the objective (notebook 05);
the multiplier scales all of them together. Runs are cached, so moving the steps slider back and
forth, or showing an optimizer again, costs nothing; the contours of all objectives are drawn once.

Speed: a run of 500 steps costs 10–40 ms per optimizer on a 2-core machine (more under load), almost all
of it Python's overhead per step, not arithmetic. So when a run is missing, ``trajectories`` runs it together
with the runs the next moves of the same slider will want, vectorised: after a move of a start slider, those of
the ``NEIGHBOURS`` positions on either side (one run for 41 starts costs about 1.4 times one run: Adam, 500
steps, 56 against 40 ms under load); after a move of the learning-rate slider, those of all its positions (a
learning rate per lane); after a move of the steps slider, the run to the slider's end, which shorter settings
cut. Every run of the experiment goes through ``trajectories``, and a lane's arithmetic is elementwise, so what
a setting shows never depends on which batch computed it. The f − f* panel's x axis ends at a round number
(``GAP_AXIS_ENDS``), so most moves of the steps slider leave it as it is; when it moves, only that axis is
redrawn into the background (``redraw_in_background``), not the whole figure. The title
and the legend, which change at every move, are readouts (text beside the sliders; in snapshots, in the picture).
While the kernel is idle, the pictures one step either side of the start, steps and learning-rate sliders are
drawn beforehand (``SliderExperiment.prefetch``), except a steps position whose axis ends elsewhere.
"""

from __future__ import annotations

import copy
from typing import Mapping, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from adam_edu import plots
from adam_edu.lessons import zoo
from adam_edu.functions import OBJECTIVES, Objective
from adam_edu.optimizers import Optimizer
from adam_edu.widgets.base import SliderExperiment

GAP_RANGE = (1e-16, 1e5)  # the y range of the f − f* panel, the same for every objective
# The f − f* panel's x axis ends at the first of these at or after the number of steps: the curves grow and
# shrink on a steady axis (at most a quarter of it left empty), which moves only at these marks.
GAP_AXIS_ENDS = (10, 20, 30, 40, 50, 70, 100, 150, 200, 300, 400, 500, 600, 800, 1000)
NEIGHBOURS = 20  # a missing run is computed with those from this many slider positions either side
CACHE_SIZE = 20_000  # runs kept (each at most 1001 points); the cache is emptied when it is full


def trajectories(optimizer: Optimizer, objective: Objective, starts: Sequence[tuple[float, float]],
                 steps: int, lrs: Sequence[float] | None = None) -> list[zoo.Trajectory]:
    """``zoo.trajectory`` from many starts at once: one optimizer on a (2, K) array of K points; with ``lrs``,
    lane k runs at learning rate ``lrs[k]`` (every zoo optimizer uses its learning rate only through × and ÷,
    which IEEE arithmetic rounds exactly element by element, so a lane is the same run as with that number).

    The objectives' formulas and the optimizers' updates are elementwise, so each column is its own run;
    a run that leaves the window is held at its last point inside (its result is cut there, as
    ``zoo.trajectory`` stops there). Equal to ``zoo.trajectory`` up to the last bit of f (NumPy's array
    and scalar arithmetic may round ``x**2`` differently), and equal to itself whatever K and the other
    starts are.
    """
    theta = np.array(starts, dtype=np.float64).T.copy()  # row 0 the x of every start, row 1 the y
    label = plots.label(optimizer)
    if lrs is not None:
        if len(lrs) != theta.shape[1]:
            raise ValueError(f"lrs must have one learning rate per start ({theta.shape[1]}), got {len(lrs)}")
        for lr in set(lrs):
            type(optimizer)(lr=lr)  # each checked as the optimizer checks it, with its message
        optimizer = copy.copy(optimizer)
        optimizer.lr = np.array(lrs, dtype=np.float64)
    low, high = np.array(objective.bounds, dtype=np.float64).T
    centre, reach = ((low + high) / 2)[:, None], (zoo.DIVERGED_WIDTHS * (high - low))[:, None]
    f_min = objective.f_min
    state = optimizer.init(theta)
    path, gaps = [theta], [objective.f(theta) - f_min]
    diverged_at = np.zeros(theta.shape[1], dtype=int)  # 0: still inside
    for t in range(1, steps + 1):
        previous = theta
        theta, state = optimizer.update(theta, objective.grad(theta), state)
        left = (diverged_at == 0) & np.any(np.abs(theta - centre) > reach, axis=0)
        diverged_at[left] = t
        if diverged_at.all():
            break
        theta = np.where(diverged_at > 0, previous, theta)  # held: their gradients stay finite
        path.append(theta)
        gaps.append(objective.f(theta) - f_min)
    path, gaps = np.stack(path), np.stack(gaps)
    runs = []
    for k, end in enumerate(diverged_at):  # a run that left the window ends at its last point inside
        kept = end or len(path)
        lr = float(optimizer.lr if lrs is None else lrs[k])
        runs.append(zoo.Trajectory(label, lr, path[:kept, :, k].copy(), gaps[:kept, k].copy(), int(end) or None))
    return runs


class ZooExperiment(SliderExperiment):
    """Paths and f − f* of the chosen optimizers on one objective.

    ``learning_rates[objective][label]`` is each optimizer's tuned learning rate (the grid search of
    ``zoo.tune``); the slider ``lr_multiplier`` multiplies them all.
    """

    question = (
        "Does the picture survive another start, more steps, or learning rates off the tuned ones? "
        "Look for the saddle start y = 0 exactly, for lr × 3 on Rosenbrock, and for who stops at 50 steps."
    )

    # the pictures one step either side are drawn while the kernel is idle (SliderExperiment.prefetch); a steps
    # position whose f − f* axis ends elsewhere is not (``prefetchable``): it would redraw the background
    prefetch = ("x0", "y0", "steps", "lr_multiplier")

    def __init__(
        self,
        learning_rates: Mapping[str, Mapping[str, float]],
        objectives: Sequence[str] = ("rosenbrock", "beale", "quadratic", "saddle"),
        shown: Sequence[str] = ("SGD", "Momentum", "RMSProp", "Adam", "AMSGrad"),
        steps: int = zoo.STEPS,
    ):
        missing = [name for name in objectives if name not in learning_rates]
        if missing:
            raise ValueError(f"learning_rates has no entry for {', '.join(missing)}; run zoo.tune first")
        self.learning_rates = learning_rates
        self.objectives = {name: OBJECTIVES[name] for name in objectives}
        self._cache: dict = {}
        first = self.objectives[objectives[0]]

        fig = Figure(figsize=(9.6, 3.9), dpi=80, layout="constrained")
        self.ax_paths, self.ax_gaps = fig.subplots(1, 2, width_ratios=(1, 1.1))
        self._contours = {}
        for name, objective in self.objectives.items():  # every objective's contours, drawn once
            before = set(self.ax_paths.get_children())
            zoo.draw_light_contours(self.ax_paths, objective, resolution=120, count=16)
            self._contours[name] = [a for a in self.ax_paths.get_children() if a not in before]
        self.paths, self.gaps, self.crosses = {}, {}, {}
        for label in zoo.ZOO_LABELS:
            c = plots.color(label)
            style = plots.style(label)
            (self.paths[label],) = self.ax_paths.plot([], [], style, color=c, lw=2.0 if label == "Adam" else 1.5)
            (self.crosses[label],) = self.ax_paths.plot([], [], "x", color=c, ms=9, mew=2)
            (self.gaps[label],) = self.ax_gaps.semilogy([], [], style, color=c, lw=1.3, label=label)
        (self.start,) = self.ax_paths.plot([], [], "o", color="black", ms=6, zorder=6)
        self.ax_gaps.set_ylim(*GAP_RANGE)
        self.ax_gaps.set_xlabel("step t")
        self.ax_gaps.set_ylabel("f(θ_t) − f*  (log scale)")
        self.ax_gaps.set_title("f − f*; × on the left = diverged", fontsize=9)
        fig.get_layout_engine().set(rect=(0, 0, 1, 0.94))  # room for the title, which changes
        self.title = fig.text(0.5, 0.995, "", ha="center", va="top", fontsize=9)
        self.legend = self.ax_gaps.legend(fontsize=7)
        self._legend_entries = None  # the (line, text) pairs self.legend shows

        controls = {
            "objective": widgets.Dropdown(options=list(objectives), value=first.name, description="objective"),
            "x0": widgets.FloatSlider(description="start x", continuous_update=True),
            "y0": widgets.FloatSlider(description="start y", continuous_update=True, readout_format=".3f"),
            "steps": widgets.IntSlider(value=steps, min=10, max=1000, step=10, description="steps"),
            "lr_multiplier": widgets.FloatLogSlider(value=1.0, base=10, min=-2, max=1, step=0.25,
                                                    description="lr × tuned"),
            "optimizers": widgets.SelectMultiple(options=zoo.ZOO_LABELS, value=tuple(shown), rows=12,
                                                 description="show"),
        }
        self._syncing = False
        on_top = sorted(zoo.ZOO_LABELS, key=lambda label: label == "Adam")  # Adam drawn last
        moving = [*(self.paths[label] for label in on_top), *self.crosses.values(),
                  *(self.gaps[label] for label in on_top), self.start]
        self._along = "x0"  # the start slider along which missing runs are batched: the last one moved
        super().__init__(fig, controls, moving, readouts=[self.title, self.legend])
        self._show_objective(first.name)

    # --- the slider callbacks -------------------------------------------------------------------

    def _on_change(self, change: dict) -> None:
        if self._syncing:
            return
        if change["owner"] is self.controls["objective"]:
            self._show_objective(change["new"])
        moved = [name for name, control in self.controls.items() if control is change["owner"]]
        if moved and moved[0] in ("x0", "y0", "lr_multiplier", "steps"):
            self._along = moved[0]
        self.refresh()
        self._prefetch_after(change)

    def _key(self, values) -> tuple:
        """The settings a picture shows, as ``update`` reads them: the objective, the start to 12 decimals, the
        steps, the learning-rate slider's position and the optimizers shown."""
        return (values["objective"], rounded(values["x0"]), rounded(values["y0"]), values["steps"],
                self.multiplier(values["lr_multiplier"]), tuple(values["optimizers"]))

    def prefetchable(self, values) -> bool:
        """A position whose f − f* axis ends where it ends now: any other would redraw the background."""
        return self.ax_gaps.get_xlim() == (0, gap_axis_end(values["steps"]))

    def _show_objective(self, name: str) -> None:
        """Switch the contours, the window and the start sliders to another objective."""
        objective = self.objectives[name]
        for other, artists in self._contours.items():
            for artist in artists:
                artist.set_visible(other == name)
        self.ax_paths.set_xlim(objective.bounds[0])
        self.ax_paths.set_ylim(objective.bounds[1])
        self._syncing = True  # setting the sliders must not start a refresh per slider
        try:
            for key, (low, high), value in zip(("x0", "y0"), objective.bounds, objective.start):
                slider = self.controls[key]
                slider.min, slider.max = -1e9, 1e9  # widen first, so min < max holds in between
                slider.min, slider.max, slider.step = low, high, (high - low) / 200
                slider.value = value
        finally:
            self._syncing = False
        self.redraw_background()

    def run(self, objective: str, start: tuple[float, float], multiplier: int, label: str, steps: int):
        """One optimizer's run at the tuned learning rate × the ``multiplier``-th position of its slider, cached:
        a longer cached run of the same settings is cut to length.

        A missing run is computed with its neighbours along the slider last moved: the starts either side
        (``NEIGHBOURS``), or every position of the learning-rate slider; after a move of the steps slider, as
        long as that slider goes, so that its next moves find their runs.
        """
        lr = self.learning_rate(objective, label, multiplier)
        key = (objective, start, lr, label)
        cached = self._cache.get(key)
        if cached is None or (len(cached.path) - 1 < steps and cached.diverged_at is None):
            if len(self._cache) > CACHE_SIZE:
                self._cache.clear()
            if self._along == "steps":
                steps = self.controls["steps"].max
            if self._along == "lr_multiplier":
                multipliers = range(self.multiplier_positions())
                lrs = [self.learning_rate(objective, label, k) for k in multipliers]
                starts = [start] * len(lrs)
            else:
                starts = self.starts_near(start)
                lrs = [lr] * len(starts)
            runs = trajectories(zoo.make_optimizer(label, lr), self.objectives[objective], starts, steps, lrs)
            for other, lr_k, run in zip(starts, lrs, runs):
                self._cache[(objective, other, lr_k, label)] = run
            cached = self._cache[key]
        k = min(steps, len(cached.path) - 1)
        return cached._replace(path=cached.path[: k + 1], gaps=cached.gaps[: k + 1])

    def multiplier_positions(self) -> int:
        slider = self.controls["lr_multiplier"]
        return round((slider.max - slider.min) / slider.step) + 1

    def multiplier(self, value: float) -> int:
        """The learning-rate slider's position (0, 1, …) of its value: the browser's 10^x and NumPy's may
        differ in the last bit, a position does not."""
        slider = self.controls["lr_multiplier"]
        return round((np.log10(value) - slider.min) / slider.step)

    def learning_rate(self, objective: str, label: str, multiplier: int) -> float:
        """The tuned learning rate × the learning-rate slider's value at position ``multiplier``."""
        slider = self.controls["lr_multiplier"]
        return self.learning_rates[objective][label] * slider.base ** (slider.min + multiplier * slider.step)

    def starts_near(self, start: tuple[float, float]) -> list[tuple[float, float]]:
        """``start`` and the slider positions either side of it along the start slider last moved."""
        if self._along not in ("x0", "y0"):
            return [start]
        axis = ("x0", "y0").index(self._along)
        slider = self.controls[self._along]
        here = round((start[axis] - slider.min) / slider.step)
        last = round((slider.max - slider.min) / slider.step)
        positions = range(max(here - NEIGHBOURS, 0), min(here + NEIGHBOURS, last) + 1)
        starts = [start]
        for position in positions:
            moved = list(start)
            moved[axis] = rounded(slider.min + position * slider.step)
            if tuple(moved) != start:
                starts.append(tuple(moved))
        return starts

    def update(self, objective, x0, y0, steps, lr_multiplier, optimizers):
        start = (rounded(x0), rounded(y0))
        entries = []
        for label in zoo.ZOO_LABELS:
            shown = label in optimizers
            for artist in (self.paths[label], self.gaps[label], self.crosses[label]):
                artist.set_visible(shown)
            if not shown:
                continue
            position = self.multiplier(lr_multiplier)
            lr = self.learning_rate(objective, label, position)
            run = self.run(objective, start, position, label, steps)
            self.paths[label].set_data(run.path[:, 0], run.path[:, 1])
            self.gaps[label].set_data(np.arange(len(run.gaps)), np.maximum(run.gaps, GAP_RANGE[0]))
            diverged = run.diverged_at is not None and run.diverged_at <= steps
            self.crosses[label].set_data(run.path[-1:, 0], run.path[-1:, 1])
            self.crosses[label].set_visible(diverged)
            entries.append((self.gaps[label], f"{label}  lr {lr:.3g}" + ("  (diverged)" if diverged else "")))
        self.start.set_data([start[0]], [start[1]])
        end = gap_axis_end(steps)
        if self.ax_gaps.get_xlim() != (0, end):
            self._move_gap_axis(end)
        self._replace_legend(entries)
        self.title.set_text(
            f"{objective}: {steps} steps from ({start[0]:.3g}, {start[1]:.3g}); "
            f"lr = {lr_multiplier:.3g} × the grid-search lr (best f − f* after {zoo.STEPS} steps); "
            "no clipping"
        )

    def _move_gap_axis(self, end: int) -> None:
        """The f − f* panel's x axis to (0, end), redrawn in the background where its ticks and labels lie
        (the whole figure again took 80 ms: its layout and the contours; the axis alone takes about 6)."""
        self.ax_gaps.set_xlim(0, end)
        # all below the panel (nothing else is there), from just left of it (its first tick label) to the right
        box = self.ax_gaps.bbox
        self.redraw_in_background([self.ax_gaps.xaxis], Bbox([[box.x0 - 8, 0], [self.fig.bbox.x1, box.y0 - 1]]))

    def _replace_legend(self, entries) -> None:
        """A new legend for these (line, text) entries; kept when they did not change (a start slider's
        move seldom changes them, and building a legend costs as much as drawing the picture), and given new
        texts only when its lines are the same (the learning-rate slider changes every "lr" in it)."""
        if entries == self._legend_entries:
            return
        previous, self._legend_entries = self._legend_entries, entries
        if previous is not None and [line for line, _ in previous] == [line for line, _ in entries]:
            for text, (_, name) in zip(self.legend.get_texts(), entries):  # the same lines: new texts only
                text.set_text(name)
            return
        self.readouts.remove(self.legend)
        self.legend.remove()
        handles, names = zip(*entries) if entries else ((), ())
        self.legend = self.ax_gaps.legend(handles, names, fontsize=7, loc="upper right")
        self.legend.set_animated(True)
        self.readouts.append(self.legend)

    # --- what the tests and the notebook read ---------------------------------------------------

    def shown_paths(self) -> dict[str, np.ndarray]:
        """The plotted path of every visible optimizer, as an (n, 2) array."""
        return {label: np.column_stack(line.get_data()) for label, line in self.paths.items() if line.get_visible()}


def gap_axis_end(steps: int) -> int:
    """Where the f − f* panel's x axis ends for ``steps`` steps: the first of GAP_AXIS_ENDS at or after it."""
    return next((end for end in GAP_AXIS_ENDS if end >= steps), steps)


def rounded(value: float) -> float:
    """A slider value to 12 decimals: the browser's and NumPy's multiples of a step agree to that, not to the bit."""
    return round(float(value), 12)
