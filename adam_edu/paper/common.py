"""What the four figures share: the modes, the data sets, the grids' spacing, labels and the footers.

Two modes, one code path: ``quick`` trains on scikit-learn's 8×8 digits (and a small synthetic
bag-of-words) at scaled-down sizes, in seconds, in float64; ``full`` trains at (or near) the paper's
sizes on Fashion-MNIST (or MNIST where its files are present), in float32, from the command line.
Where full mode trains for fewer epochs than the paper, ``length="paper"`` (or ``epochs=``) asks for more.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from adam_edu import data
from adam_edu.plots import REPOSITORY_FIGURES

__all__ = [
    "MODES",
    "DATASETS",
    "LENGTHS",
    "DATASET_TITLES",
    "PAPER_FIGURES",
    "check_mode",
    "at_length",
    "dataset_title",
    "dtype",
    "images",
    "half_decades",
    "format_hyper",
    "grid_text",
    "fixed_text",
    "mode_text",
    "results_path",
    "figure_problems",
    "extra_seeds",
    "seed_figure_problems",
]

MODES = ("quick", "full")
DATASETS = ("fashion", "mnist")  # full mode; quick mode always uses the digits
LENGTHS = ("default", "paper")  # the epochs of the mode's sizes, or the paper's (full mode)
DATASET_TITLES = {"digits": "digits", "fashion": "Fashion-MNIST", "mnist": "MNIST"}
PAPER_FIGURES = REPOSITORY_FIGURES / "paper"  # the stored full-mode results: JSON and PNG
if not PAPER_FIGURES.is_dir() and (Path.cwd().parent / "figures" / "paper").is_dir():
    # adam_edu installed from a wheel (JupyterLite): the stored results sit beside the notebooks' folder
    PAPER_FIGURES = Path.cwd().parent / "figures" / "paper"
DATA_DIR: Path | None = None  # where load_mnist looks first (the command line's --data-dir)


def check_mode(mode: str, dataset: str) -> str:
    """The dataset a mode trains on: quick mode always the digits; full mode Fashion-MNIST or MNIST."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == "quick":
        return "digits"
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)} in full mode, got {dataset!r}")
    return dataset


def at_length(
    sizes: dict, paper_length: dict, mode: str, length: str = "default", epochs: int | None = None,
    epoch_keys: Sequence[str] | None = None,
) -> dict:
    """A figure's ``sizes`` with the epochs asked for: the mode's own (``length="default"``), the paper's
    (``"paper"``, full mode only: ``paper_length``, e.g. ``{"epochs": 200}``), or ``epochs`` for each of
    ``epoch_keys`` (by default, the keys of ``paper_length``)."""
    if length not in LENGTHS:
        raise ValueError(f"length must be one of {', '.join(LENGTHS)}, got {length!r}")
    if length == "paper" and mode != "full":
        raise ValueError(f"length 'paper' is for full mode, got mode {mode!r}")
    if epochs is not None and (isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1):
        raise ValueError(f"epochs must be a whole number ≥ 1, got {epochs!r}")
    sizes = {**sizes, **(paper_length if length == "paper" else {})}
    if epochs is not None:
        sizes.update(dict.fromkeys(paper_length if epoch_keys is None else epoch_keys, epochs))
    return sizes


def dataset_title(dataset: str) -> str:
    return DATASET_TITLES[dataset]


def dtype(mode: str):
    """float64 in quick mode (printed numbers stable across machines), float32 in full mode (speed)."""
    return np.float64 if mode == "quick" else np.float32


@lru_cache(maxsize=4)
def images(dataset: str, *, flatten: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The training images of a data set, pixels in [0, 1]: the 1,797 digits or the 60,000 (Fashion-)MNIST.

    Cached: the figures' problems share one copy. Read-only, so that no run can change another's data.
    """
    if dataset == "digits":
        x, y = data.load_digits(flatten=flatten)
    else:
        x, y = data.load_mnist(dataset, "train", DATA_DIR, flatten=flatten)
    x.setflags(write=False)
    return x, y


def half_decades(low: float, high: float) -> list[float]:
    """Learning rates 1, 3, 10, 30, … × 10^k from ``low`` to ``high``: the grids' spacing (about √10)."""
    values = []
    for exponent in range(int(np.floor(np.log10(low))) - 1, int(np.ceil(np.log10(high))) + 1):
        for mantissa in (1, 3):
            value = float(f"{mantissa * 10.0**exponent:.3g}")
            if low * (1 - 1e-9) <= value <= high * (1 + 1e-9):
                values.append(value)
    return values


_GREEK = {"lr": "α", "momentum": "μ", "beta1": "β1", "beta2": "β2", "rho": "ρ", "eps": "ε"}


def format_hyper(params: dict) -> str:
    """``{"lr": 0.001, "momentum": 0.9}`` as "α=0.001, μ=0.9"."""
    return ", ".join(f"{_GREEK.get(name, name)}={value:g}" for name, value in params.items())


def grid_text(grids: dict[str, dict[str, Sequence[float]]], fixed: dict[str, str] | None = None) -> str:
    """The values tried per optimizer, "Adam α ∈ {0.01, 0.03}; Nesterov α ∈ {…}, μ ∈ {0.9, 0.99}" (a footer)."""
    parts = []
    for name, axes in grids.items():
        tried = ", ".join(f"{_GREEK.get(axis, axis)} ∈ {{{', '.join(f'{v:g}' for v in values)}}}" for axis, values in axes.items())
        extra = f" ({fixed[name]})" if fixed and name in fixed else ""
        parts.append(f"{name} {tried}{extra}")
    return "; ".join(parts)


def fixed_text(fixed: dict[str, str]) -> str:
    """The hyper-parameters held fixed, per optimizer: "Adam β1=0.9, β2=0.999; AdaGrad ε=1e-10" (a footer)."""
    return "; ".join(f"{name} {values}" for name, values in fixed.items())


def mode_text(mode: str, complete: bool = True) -> str:
    """"quick mode" or "full mode", and "(incomplete)" for a stored run cut short."""
    text = f"{mode} mode"
    if not complete:
        text += " (INCOMPLETE: not every run of the grid finished)"
    return text


def results_path(
    figure: str, mode: str, dataset: str, out: Path | None = None, *, length: str = "default",
    epochs: int | None = None, shard: tuple[int, int] | None = None, seeds: bool = False,
) -> Path:
    """Where a figure's results go: ``figures/paper/fig1_fashion.json`` (quick: ``fig1_quick.json``); at
    another length ``fig2_fashion_paper-length.json`` or ``fig2_fashion_50-epochs.json``; the K-th of N
    shards ``fig2_fashion.shard-K-of-N.json`` (``python -m adam_edu.paper merge`` joins them); with
    ``seeds=True`` the best settings' re-runs on other seeds, ``fig2_fashion_seeds.json`` (``seed_figure_problems``)."""
    name = f"{figure}_quick" if mode == "quick" else f"{figure}_{dataset}"
    if epochs is not None:
        name += f"_{epochs}-epochs"
    elif length != "default":
        name += f"_{length}-length"
    if seeds:
        name += "_seeds"
    if shard is not None:
        name += f".shard-{shard[0]}-of-{shard[1]}"
    return Path(out or PAPER_FIGURES) / f"{name}.json"


def figure_problems(figure: str, mode: str, dataset: str, length: str = "default", epochs: int | None = None,
                    data_dir: Path | None = None) -> list:
    """A figure's problems and grids, as the command line asks for them: what each of its worker processes
    rebuilds (a module-level function, so that ``functools.partial`` of it can be sent to a new process)."""
    global DATA_DIR
    if data_dir is not None:
        DATA_DIR = data_dir
    return importlib.import_module(f"adam_edu.paper.{figure}").problems(mode, dataset, length=length, epochs=epochs)


def extra_seeds(seeds: int) -> list[int]:
    """The seeds that ``seeds`` runs per best setting add to the grid's own seed 0: 1, 2, …, seeds − 1."""
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"seeds must be a whole number ≥ 1 (runs per best setting, the grid's own included), got {seeds!r}")
    return list(range(1, seeds))


def seed_figure_problems(figure: str, mode: str, dataset: str, length: str = "default", epochs: int | None = None,
                         data_dir: Path | None = None, seeds: int = 3, base: Path | None = None) -> list:
    """The best settings of a figure's stored grid (the results file ``base``) re-run on ``extra_seeds(seeds)``:
    ``training.seed_problems``, rebuilt the same way in each worker process of the command line's ``--seeds``."""
    from adam_edu.paper import training

    problems = figure_problems(figure, mode, dataset, length, epochs, data_dir)
    return training.seed_problems(problems, training.load_results(base), extra_seeds(seeds))
