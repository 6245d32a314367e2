r"""Notebook 11's training loop: one run of an MLP with a schedule, clipping and a held-out split.

``adam_edu.paper.training.train`` reports the training cost only, as the paper does. Using Adam well needs
more: a *validation* split to choose settings on, a *test* split looked at once, a learning-rate schedule,
gradient clipping and AdamW's two parameterisations. ``train`` here does one run of a ``Config`` on a
``Split`` and returns per-epoch curves of loss and accuracy on the three parts.

Nothing is random except through the run's seed: the initial weights (``model.init(seed)``) and the order of
the minibatches (``minibatches(..., seed=[seed, 1, epoch])``). The split itself is fixed (``split_seed``), so
runs with different seeds are judged on the same validation and test examples.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Optional

import numpy as np

from adam_edu import schedules
from adam_edu.data import minibatches, standardize
from adam_edu.nn import MLP
from adam_edu.optimizers import SGD, Adam, AdamW, Optimizer, RAdam
from adam_edu.paper.training import TWIN_PERTURBATION, UNSTABLE, significant  # noqa: F401  (re-exported)

__all__ = ["Split", "make_split", "OPTIMIZERS", "Config", "build_optimizer", "clip_by_global_norm",
           "global_norm", "train", "SELECTION_RULE", "validation_score", "twin_gaps", "reliable_digits", "shown",
           "TWIN_PERTURBATION", "UNSTABLE"]


@dataclass(frozen=True)
class Split:
    """Training, validation and test examples of one data set; features standardised with the training part's
    mean and standard deviation."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.y_train), "validation": len(self.y_val), "test": len(self.y_test)}


def make_split(name: str, x: np.ndarray, y: np.ndarray, *, validation: int, test: int | None = None,
               x_test: np.ndarray | None = None, y_test: np.ndarray | None = None,
               split_seed: int = 0, dtype=np.float64) -> Split:
    """Split (x, y) in a seeded random order: ``test`` examples (unless a test set ``x_test, y_test`` is given,
    as Fashion-MNIST's own), then ``validation`` examples, the rest for training."""
    for label, value in (("validation", validation), ("test", test)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"{label} must be a whole number ≥ 1, got {value!r}")
    if (test is None) == (x_test is None):
        raise ValueError("give either test (a number of examples to hold out) or x_test and y_test, not both")
    held_out = validation + (test or 0)
    if held_out >= len(y):
        raise ValueError(f"validation + test must be < the {len(y)} examples, got {held_out}")
    x = np.asarray(x, dtype=dtype)  # standardised in the precision the runs use
    x_test = None if x_test is None else np.asarray(x_test, dtype=dtype)
    order = np.random.default_rng(split_seed).permutation(len(y))
    if x_test is None:
        test_part, order = order[:test], order[test:]
        x_test, y_test = x[test_part], y[test_part]
    val_part, train_part = order[:validation], order[validation:]
    x_train = x[train_part]
    return Split(
        name,
        standardize(x_train), y[train_part],
        standardize(x[val_part], reference=x_train), y[val_part],
        standardize(x_test, reference=x_train), y_test,
    )


# The optimizers of the lesson, by label. "AdamW (paper λ)" takes Loshchilov & Hutter's λ, which multiplies the
# schedule η_t = α_t/α only; the library's AdamW (PyTorch's form) multiplies its λ by α_t, so λ_torch = λ_paper/α.
OPTIMIZERS = ("Adam", "SGD + momentum", "AdamW", "AdamW (paper λ)", "RAdam", "Adam (no bias correction)")


def build_optimizer(name: str, lr: float, hyper: dict) -> Optimizer:
    """The optimizer of a label in ``OPTIMIZERS`` at peak step size ``lr`` with its other hyper-parameters."""
    if name == "Adam":
        return Adam(lr, **hyper)
    if name == "Adam (no bias correction)":
        return Adam(lr, bias_correction=False, **hyper)
    if name == "SGD + momentum":
        return SGD(lr, momentum=hyper.get("momentum", 0.9))
    if name == "AdamW":
        return AdamW(lr, weight_decay=hyper["weight_decay"])
    if name == "AdamW (paper λ)":
        return AdamW(lr, weight_decay=hyper["weight_decay"] / lr)  # λ_torch·α_t = λ_paper·η_t
    if name == "RAdam":
        return RAdam(lr, **hyper)
    raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {name!r}")


@dataclass(frozen=True)
class Config:
    """One run: optimizer and peak step size, schedule, clipping, batch size, epochs, model width, seed."""

    optimizer: str
    lr: float
    hyper: tuple[tuple[str, float], ...] = ()
    schedule: str = "constant"
    warmup_steps: int = 0
    clip: Optional[float] = None  # max global norm of the gradient, or None
    batch_size: int = 32
    epochs: int = 20
    hidden: tuple[int, ...] = (64,)
    seed: int = 0
    step_sizes: int = 0  # keep ‖Δθ‖ of the first this many steps
    lr_range: Optional[tuple[float, float]] = None  # a range test: α_t swept from start to end over the run

    @property
    def key(self) -> str:
        """A readable, unique name: the key of stored results."""
        parts = [self.optimizer, f"lr={self.lr:g}", *(f"{k}={v:g}" for k, v in self.hyper), self.schedule]
        if self.warmup_steps:
            parts.append(f"warmup={self.warmup_steps}")
        if self.clip is not None:
            parts.append(f"clip={self.clip:g}")
        if self.lr_range is not None:
            parts.append(f"range={self.lr_range[0]:g}..{self.lr_range[1]:g}")
        parts += [f"batch={self.batch_size}", f"epochs={self.epochs}", f"hidden={'x'.join(map(str, self.hidden))}",
                  f"seed={self.seed}"]
        if self.step_sizes:
            parts.append(f"steps={self.step_sizes}")
        return " ".join(parts)

    def summary(self) -> dict:
        return asdict(self)


def global_norm(grads: dict) -> float:
    """‖g‖ over every parameter array together: √(Σ g²)."""
    return math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))


def clip_by_global_norm(grads: dict, max_norm: float) -> tuple[dict, float]:
    """g·min(1, c/‖g‖), every array scaled by the same factor (Pascanu et al., 2013; PyTorch's
    ``clip_grad_norm_``, optax's ``clip_by_global_norm``). Returns the clipped gradient and ‖g‖ before."""
    if isinstance(max_norm, bool) or not isinstance(max_norm, (int, float)) or not max_norm > 0 or not math.isfinite(max_norm):
        raise ValueError(f"max_norm must be a finite number > 0, got {max_norm!r}")
    norm = global_norm(grads)
    if norm <= max_norm:
        return grads, norm
    scale = max_norm / norm
    return {name: g * g.dtype.type(scale) for name, g in grads.items()}, norm


def _evaluate(model: MLP, params: dict, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    logits, _ = model.forward(params, x)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -float(np.mean(log_p[np.arange(len(y)), y]))
    return loss, float(np.mean(logits.argmax(axis=1) == y))


_ORDER = 1  # the minibatch order of epoch e comes from default_rng([seed, _ORDER, e]), as in paper.training


def train(split: Split, config: Config, *, on_epoch=None, perturbation: float = 0.0) -> dict:
    """Train an MLP (ReLU, no dropout) on ``split`` with ``config``; return its curves.

    α_t follows ``config.schedule`` with linear warm-up over ``config.warmup_steps`` steps (``schedules``), over the
    run's T = epochs × batches-per-epoch steps; a range test (``lr_range``) sweeps α_t exponentially instead. The
    gradient is clipped to global norm ``clip`` before the optimizer sees it.

    Returns a JSON-ready dict (6 significant digits): per epoch (epoch 0 = the start) ``train_loss``,
    ``train_acc``, ``val_loss``, ``val_acc``, ``test_loss``, ``test_acc`` (full passes, no noise); ``batch_loss``,
    the loss of every minibatch (``lr_range`` runs) or the mean per epoch; ``clipped``, the fraction of steps
    whose gradient was clipped; ``step_norms``, ‖Δθ_t‖ of the first ``step_sizes`` steps; ``diverged_at``.
    ``perturbation``: start from the initial weights × (1 + perturbation), for the twin test (``twin_gaps``).
    """
    model = MLP(split.x_train.shape[1], hidden=config.hidden, dropout=0.0, input_dropout=0.0)
    params = model.init(config.seed, split.x_train.dtype)
    if perturbation:
        params = {name: value * value.dtype.type(1 + perturbation) for name, value in params.items()}
    optimizer = build_optimizer(config.optimizer, config.lr, dict(config.hyper))
    state = optimizer.init(params)
    n = len(split.y_train)
    steps_per_epoch = -(-n // config.batch_size)
    total = config.epochs * steps_per_epoch
    if config.lr_range is not None:
        rates = schedules.exponential_range(np.arange(1, total + 1), *config.lr_range, total)
    else:
        rates = schedules.learning_rates(config.schedule, config.lr, total, warmup_steps=config.warmup_steps)

    curves: dict[str, list] = {name: [] for name in ("train_loss", "train_acc", "val_loss", "val_acc",
                                                       "test_loss", "test_acc")}

    def evaluate() -> None:
        for part in ("train", "val", "test"):
            loss, acc = _evaluate(model, params, getattr(split, f"x_{part}"), getattr(split, f"y_{part}"))
            curves[f"{part}_loss"].append(significant(loss))
            curves[f"{part}_acc"].append(significant(acc))

    batch_loss, step_norms, clipped, diverged_at, t = [], [], 0, None, 0
    start = time.perf_counter()
    with np.errstate(all="ignore"):  # a diverging run overflows: that is detected below, not warned about
        evaluate()
        for epoch in range(1, config.epochs + 1):
            epoch_total = 0.0
            for xb, yb in minibatches(split.x_train, split.y_train, config.batch_size, seed=[config.seed, _ORDER, epoch]):
                optimizer.lr = float(rates[t])
                t += 1
                loss, grads = model.loss_and_grads(params, xb, yb)
                if not math.isfinite(loss) or not all(np.all(np.isfinite(g)) for g in grads.values()):
                    diverged_at = epoch
                    break
                if config.clip is not None:
                    grads, norm = clip_by_global_norm(grads, config.clip)
                    clipped += norm > config.clip
                before = {k: v.copy() for k, v in params.items()} if t <= config.step_sizes else None
                state = optimizer.step(params, grads, state)
                if before is not None:
                    step_norms.append(significant(global_norm({k: params[k] - before[k] for k in params})))
                epoch_total += loss * len(yb)
                if config.lr_range is not None:
                    batch_loss.append(significant(loss))
            if diverged_at is not None:
                break
            if config.lr_range is None:
                batch_loss.append(significant(epoch_total / n))
            evaluate()
            if on_epoch is not None:
                on_epoch(epoch)
    return {
        **curves,
        "batch_loss": batch_loss,
        "step_norms": step_norms,
        "clipped": significant(clipped / max(t, 1), 4),
        "diverged_at": diverged_at,
        "steps": t,
        "seconds": round(time.perf_counter() - start, 2),
    }


SELECTION_RULE = ("best setting = highest validation accuracy at the last epoch, ties broken by the lower "
                  "validation loss (diverged and unstable runs excluded); the test split is never used to choose")


def validation_score(curve: dict) -> tuple[float, float]:
    """What ``SELECTION_RULE`` minimises: (−validation accuracy, validation loss) at the last epoch; (+inf, +inf)
    for a run that diverged, or whose twin ended elsewhere (its result depends on the CPU)."""
    if curve["diverged_at"] is not None or curve["val_loss"][-1] is None or curve.get("unstable"):
        return (math.inf, math.inf)
    return (-float(curve["val_acc"][-1]), float(curve["val_loss"][-1]))


def twin_gaps(curve: dict, twin: dict) -> list[float]:
    """Per epoch (0, 1, …), the largest relative difference between a run's training and validation losses and its
    twin's (the run again from initial weights × (1 + TWIN_PERTURBATION)): ``paper.training``'s twin test, epoch by
    epoch. An epoch where either run had diverged counts as +inf.

    A run whose gap exceeds ``UNSTABLE`` amplifies a last-bit difference more than 10⁸ times: its numbers from that
    epoch on depend on the CPU (BLAS kernels, SIMD loops); ``shown`` prints them with fewer digits, or not at all.
    """
    names = ("train_loss", "val_loss")
    length = max(len(curve["train_loss"]), len(twin["train_loss"]))
    gaps = []
    for epoch in range(length):
        if epoch >= len(curve["train_loss"]) or epoch >= len(twin["train_loss"]):
            gaps.append(math.inf)
            continue
        a = np.array([curve[name][epoch] for name in names], dtype=float)
        b = np.array([twin[name][epoch] for name in names], dtype=float)
        with np.errstate(all="ignore"):
            gap = np.max(np.abs(a - b) / np.maximum(np.abs(a), np.finfo(float).tiny))
        gaps.append(float(gap) if np.isfinite(gap) else math.inf)
    return gaps


def reliable_digits(gap: float, digits: int = 3) -> int:
    """How many significant digits of a value agree between a run and its twin whose relative gap is ``gap``, less one
    for safety, at most ``digits``; 0 (the value is not printed) for a gap of 1% or more."""
    if not math.isfinite(gap):
        return 0
    if gap <= 1e-6:  # below the 6 digits stored: every printed digit agrees
        return digits
    return max(0, min(digits, math.floor(-math.log10(gap)) - 1))


def shown(value: float, curve: dict, epoch: int = -1, digits: int = 3) -> str:
    """``value`` (of ``curve`` at ``epoch``) with the digits its twin run agrees on (``reliable_digits``), or
    "unstable"; a run without a twin (full mode, stored) is shown with ``digits``; a diverged run as "diverged"."""
    if curve.get("diverged_at") is not None:
        return "diverged"
    gaps = curve.get("twin_gaps")
    if gaps is None:
        return f"{value:.{digits}g}"
    upto = len(gaps) if epoch == -1 else epoch + 1
    gap = max((math.inf if g is None else g) for g in gaps[:upto])
    kept = reliable_digits(gap, digits)
    return f"{value:.{kept}g}" if kept else "unstable"
