r"""The experiments of the Adam paper (Kingma & Ba, ICLR 2015, §6): Figures 1–4, reproduced.

==============  ==============================================================================
``training``    the protocol: one training loop, grid search, best-of-grid, results as JSON, resume
``common``      modes, data sets, grids' spacing, labels
``fig1``        logistic regression: images, and a sparse bag-of-words with dropout (§6.1)
``fig2``        the multilayer perceptron with dropout (§6.2)
``fig3``        the convolutional network, with and without dropout (§6.3)
``fig4``        the VAE: bias correction on and off over a grid of β1, β2 and α (§6.4)
``claims``      the paper's claims, judged per seed: "held", "within noise" or "did not hold"
``__main__``    the command line, ``python -m adam_edu.paper fig1 --dataset fashion``
==============  ==============================================================================

Two modes, one code path. *Quick* mode (what the notebooks run): the 8×8 digits and a small
synthetic bag-of-words, scaled-down widths and epochs, float64, seconds per figure. *Full* mode
(the command line): the paper's sizes where the machine allows, on Fashion-MNIST (or MNIST),
float32, with a progress bar, results written after every run so that an interrupted run resumes::

    from adam_edu import paper
    results = paper.run("fig1", seeds=3)           # quick mode, in memory; best settings on seeds 1, 2 too
    fig = paper.draw(results)
    paper.claims.table({"quick": results})         # the claims, judged on each seed
    full = paper.load("fig1")                      # the stored full-mode results (figures/paper/), seeds too
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable, Optional

from adam_edu.paper import claims, common, training
from adam_edu.paper.training import Results, load_results

__all__ = ["FIGURES", "module", "run", "draw", "load", "stored_figure", "claims", "common", "training", "Results"]

FIGURES = ("fig1", "fig2", "fig3", "fig4")


def module(figure: str):
    """The module of a figure: ``module("fig1")`` is ``adam_edu.paper.fig1``."""
    if figure not in FIGURES:
        raise ValueError(f"figure must be one of {', '.join(FIGURES)}, got {figure!r}")
    return importlib.import_module(f"adam_edu.paper.{figure}")


def run(
    figure: str,
    mode: str = "quick",
    dataset: str = "fashion",
    *,
    path: Optional[Path] = None,
    restart: bool = False,
    progress: bool = False,
    on_run_done: Optional[Callable[[str, str, dict], None]] = None,
    seeds: int = 1,
) -> Results:
    """Run a figure's experiments (every grid), resuming from ``path`` if given; quick mode by default.

    Quick mode always uses the digits (``dataset`` is ignored). ``path=None`` keeps the results in
    memory. See ``training.run_experiment``. ``seeds=3`` then re-runs each optimizer's best setting on
    seeds 1 and 2 (``training.seed_problems``; stored beside ``path`` as ``common.results_path(..., seeds=True)``
    names it), in ``Results.seed_runs``: the claims are judged on every seed.
    """
    problems = module(figure).problems(mode, dataset)
    dataset = common.check_mode(mode, dataset)
    results = training.run_experiment(
        figure, mode, dataset, problems, path=path, restart=restart, progress=progress, on_run_done=on_run_done
    )
    extra = common.extra_seeds(seeds)
    if not extra:
        return results
    seed_path = None if path is None else Path(path).with_name(Path(path).stem + "_seeds.json")
    seeded = training.run_experiment(
        figure, mode, dataset, training.seed_problems(problems, results, extra), path=seed_path, restart=restart,
        progress=progress, on_run_done=on_run_done,
    )
    return training.with_seeds(results, seeded)


def draw(results: Results, **kwargs):
    """The figure of these results, laid out as the paper's."""
    return module(results.figure).draw(results, **kwargs)


def load(figure: str, dataset: str = "fashion", out: Optional[Path] = None) -> Results:
    """The stored full-mode results of a figure (``figures/paper/fig1_fashion.json``), with the re-runs of its
    best settings on other seeds where they are stored (``fig1_fashion_seeds.json``, in ``Results.seed_runs``)."""
    results = load_results(common.results_path(figure, "full", dataset, out))
    seeds = common.results_path(figure, "full", dataset, out, seeds=True)
    return training.with_seeds(results, load_results(seeds)) if seeds.is_file() else results


def stored_figure(figure: str, dataset: str = "fashion", out: Optional[Path] = None) -> Path:
    """The PNG of the stored full-mode run (``figures/paper/fig1_fashion.png``)."""
    return common.results_path(figure, "full", dataset, out).with_suffix(".png")
