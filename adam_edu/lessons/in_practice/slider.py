"""The slider experiment of notebook 11: a schedule's shape and warm-up → α_t, and Adam's training curves.

Every combination of shape (``schedules.SHAPES``), warm-up length (``SCHEDULE_WARMUPS``) and peak α
(``PEAK_RATES``) is trained once, when the experiment is built (``in_practice.schedule_runs``: 40 runs of a
64-64-10 MLP on the digits, 20 epochs of 34 steps, seed 0, about ten seconds on an idle core; none when the
notebook's runner already holds them); moving a slider only looks the curves up and moves five lines on axes that
never change, so every update is blitted; the line of text under them is a readout (beside the sliders).
"""

from __future__ import annotations

from typing import Optional

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from adam_edu import schedules
from adam_edu.lessons import in_practice
from adam_edu.lessons.in_practice.figures import COLORS
from adam_edu.widgets.base import SliderExperiment

__all__ = ["ScheduleExperiment", "PEAK_RATES"]

PEAK_RATES = (1e-2, 1e-1)


class ScheduleExperiment(SliderExperiment):
    """α_t of a schedule with warm-up (left), and Adam's training and validation loss under it (right)."""

    question = (
        "What does warm-up change, and when? At α = 0.1, compare no warm-up with 100 steps of it in the first "
        "epochs; then switch the shape: which schedules end lowest, and does the 1/√t decay leave α too small?"
    )
    prefetch = ("warmup", "lr")  # the axes never change: each slider's next positions are drawn while idle

    def __init__(self, runner: Optional[in_practice.Runner] = None, shape: str = "cosine", warmup: int = 100,
                 lr: float = 0.1):
        # alone, without the notebook's runner, its runs need no twins: the slider's outputs are never compared
        self.runner = in_practice.Runner("quick", twins=False) if runner is None else runner
        self.curves = {lr_: in_practice.schedule_runs(self.runner, lr_) for lr_ in PEAK_RATES}
        first = next(iter(self.curves[PEAK_RATES[0]].values()))
        self.total_steps = first["steps"]
        self.steps = np.arange(1, self.total_steps + 1)
        self.epochs = np.arange(len(first["train_loss"]))

        fig = Figure(figsize=(12, 3.8), dpi=80, layout="constrained")
        ax_lr, ax_loss = fig.subplots(1, 2)
        (self.reference_lr,) = ax_lr.plot([], [], color="0.7", lw=1, label="constant α, no warm-up")
        (self.lr_line,) = ax_lr.plot([], [], color="black", label="α_t of the chosen schedule")
        ax_lr.set(yscale="log", ylim=(1e-5, 0.3), xlim=(1, self.total_steps), xlabel="step t",
                  ylabel="α_t (log scale)", title="the step size")
        ax_lr.legend(loc="lower right", fontsize=8)
        (self.reference_loss,) = ax_loss.plot([], [], color="0.7", lw=1, label="training, constant α, no warm-up")
        (self.train_line,) = ax_loss.plot([], [], color=COLORS["Adam"], label="training loss (full pass)")
        (self.val_line,) = ax_loss.plot([], [], "--", color=COLORS["Adam"], label="validation loss")
        ax_loss.set(yscale="log", ylim=(1e-6, 10), xlim=(0, self.epochs[-1]), xlabel="epoch",
                    ylabel="cross-entropy (log scale)", title="Adam's loss under it")
        ax_loss.legend(loc="lower left", fontsize=8)
        self.readout = fig.supxlabel(" ", fontsize=9)
        fig.suptitle(f"Adam on the digits (64-64-10 MLP, minibatch 32, {self.epochs[-1]} epochs = {self.total_steps} "
                     "steps, seed 0), quick mode", fontsize=10)
        controls = {
            "shape": widgets.ToggleButtons(options=schedules.SHAPES, value=shape, description="shape"),
            "warmup": widgets.SelectionSlider(options=in_practice.SCHEDULE_WARMUPS, value=warmup,
                                              description="warm-up steps", continuous_update=True,
                                              style={"description_width": "initial"}),
            "lr": widgets.SelectionSlider(options=PEAK_RATES, value=lr, description="peak α", continuous_update=True),
        }
        moving = [self.reference_lr, self.lr_line, self.reference_loss, self.train_line, self.val_line]
        # the line of text changes at every move: shown beside the sliders, drawn only into snapshots (drawing
        # it into every live picture took 10 of the 15 ms a move cost the kernel)
        super().__init__(fig, controls, moving, readouts=[self.readout])

    def update(self, shape: str, warmup: int, lr: float) -> None:
        curve = self.curves[lr][(shape, warmup)]
        reference = self.curves[lr][("constant", 0)]
        self.reference_lr.set_data(self.steps, np.full(self.total_steps, lr))
        self.lr_line.set_data(self.steps, schedules.learning_rates(shape, lr, self.total_steps, warmup_steps=warmup))
        self.reference_loss.set_data(self.epochs, reference["train_loss"])
        self.train_line.set_data(self.epochs, curve["train_loss"])
        self.val_line.set_data(self.epochs, curve["val_loss"])
        self.readout.set_text(f"{shape}, {warmup} warm-up steps, α = {lr:g}: after epoch 1 training loss "
                              f"{curve['train_loss'][1]:.3g}; at the end {curve['train_loss'][-1]:.3g}, "
                              f"validation accuracy {curve['val_acc'][-1]:.3f}")
