"""plots: the palette read from the registry, the shared drawing functions, and where figures are written."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from adam_edu import Adam, plots, registry  # noqa: E402
from adam_edu.functions import rosenbrock  # noqa: E402


def test_colour_and_style_come_from_the_registry():
    assert plots.color("Adam") == registry.variant("Adam").colour == "#d62728"  # red, as in the paper's Figure 4
    assert plots.color("Adam (no bias correction)") == "#2ca02c"  # green, as in the paper's Figure 4
    assert plots.style("Momentum") == "--"
    assert plots.PALETTE == {v.label: v.colour for v in registry.VARIANTS}
    with pytest.raises(KeyError, match="no optimizer variant 'Adamm'; known labels: SGD, Momentum"):
        plots.color("Adamm")


def test_label_is_built_from_the_arguments():
    assert plots.label(Adam(0.1, amsgrad=True)) == "AMSGrad"
    assert plots.label(Adam(0.1, eps_inside_root=True)) == "Adam (eps_inside_root=True)"


def test_paths_are_drawn_in_each_optimizers_colour_and_style():
    fig, ax = plt.subplots()
    paths = {"Adam": np.array([[0.0, 0.0], [1.0, 1.0]]), "RMSProp": np.array([[0.0, 1.0], [1.0, 0.0]])}
    plots.draw_paths(ax, paths)
    lines = {line.get_label(): line for line in ax.get_lines()}
    for name in paths:
        assert lines[name].get_color() == plots.color(name)
        assert lines[name].get_linestyle() == plots.style(name)
    assert lines["start"].get_marker() == "o"
    plt.close(fig)


def test_contours_mark_the_minimum_and_keep_the_window():
    fig, ax = plt.subplots()
    plots.draw_contours(ax, rosenbrock, resolution=40)
    assert ax.get_xlim() == rosenbrock.bounds[0] and ax.get_ylim() == rosenbrock.bounds[1]
    star = [line for line in ax.get_lines() if line.get_label() == "minimum"][0]
    assert tuple(star.get_xydata()[0]) == rosenbrock.minimum
    plt.close(fig)


def test_figures_go_where_adam_edu_figures_dir_says_and_stored_results_are_read_from_the_repository(tmp_path):
    """make test sets ADAM_EDU_FIGURES_DIR so that the notebooks' figures do not overwrite figures/."""
    import subprocess
    import sys

    code = ("from adam_edu import plots; from adam_edu.paper import common; import matplotlib.pyplot as plt; "
            "print(plots.save(plt.figure(), 'x')); print(common.PAPER_FIGURES)")
    env = {**__import__("os").environ, "ADAM_EDU_FIGURES_DIR": str(tmp_path / "scratch")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    written, stored = out.split()
    assert written == str(tmp_path / "scratch" / "x.png") and (tmp_path / "scratch" / "x.png").exists()
    assert stored == str(plots.REPOSITORY_FIGURES / "paper")
