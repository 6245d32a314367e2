"""The slider machinery (adam_edu.widgets.base): the fast PNG, the timings of a refresh, the layout."""

from __future__ import annotations

import io
import json

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from adam_edu.widgets.base import TIMINGS_ENV, SliderExperiment, fast_png


class Line(SliderExperiment):
    """The smallest experiment: a line whose slope is the slider's value, and the slope as a readout."""

    def __init__(self):
        fig = Figure(figsize=(3, 2), dpi=50)
        ax = fig.subplots()
        ax.set(xlim=(0, 1), ylim=(-2, 2))
        (self.line,) = ax.plot([], [])
        self.slope = ax.text(0.05, 0.9, "", transform=ax.transAxes, color="tab:red")
        super().__init__(fig, {"slope": widgets.FloatSlider(value=1.0, min=-2, max=2)}, moving=[self.line],
                         readouts=[self.slope])

    def update(self, slope: float) -> None:
        self.line.set_data([0, 1], [0, slope])
        self.slope.set_text(f"slope {slope:.2f}\n<b>")


def decoded(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_fast_png_decodes_to_the_same_pixels():
    rgba = np.random.default_rng(0).integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    rgba[..., 3] = 255  # the canvas is opaque; the PNG is RGB, so alpha is dropped
    png = fast_png(rgba)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    np.testing.assert_array_equal(decoded(png), rgba)


def test_the_picture_is_the_figure_pixel_for_pixel():
    experiment = Line()
    experiment.widget()
    experiment.controls["slope"].value = -1.5
    np.testing.assert_array_equal(decoded(experiment.image.value)[..., :3],
                                  np.asarray(experiment.canvas.buffer_rgba())[..., :3])


def test_a_refresh_says_where_its_time_went(tmp_path, monkeypatch):
    log = tmp_path / "timings.jsonl"
    monkeypatch.setenv(TIMINGS_ENV, str(log))
    experiment = Line()
    experiment.widget()
    experiment.controls["slope"].value = 0.5
    timing = experiment.last_refresh
    assert all(0 < seconds < 5 for seconds in (timing.update, timing.draw, timing.encode))
    assert timing.png_bytes == len(experiment.image.value)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(records) == 2 and records[-1] == {"experiment": "Line", **timing._asdict()}


def test_the_picture_scales_to_the_column_and_wraps_under_the_controls():
    experiment = Line()
    box = experiment.widget()
    row = box.children[-1]
    assert row.children[-1] is experiment.image
    assert row.layout.flex_flow == "row wrap"
    assert experiment.image.layout.max_width == "100%" and experiment.image.layout.height == "auto"
    assert experiment.image.layout.align_self == "flex-start"  # not stretched to the controls' height


@pytest.mark.parametrize("level", [0, 1, 9])
def test_fast_png_any_compression_level(level):
    rgba = np.zeros((3, 4, 4), dtype=np.uint8)
    rgba[1, 2] = (10, 20, 30, 255)
    np.testing.assert_array_equal(decoded(fast_png(rgba, level))[..., :3], rgba[..., :3])


def test_readouts_are_html_under_the_controls_live_and_in_the_static_picture():
    experiment = Line()
    box = experiment.widget()
    experiment.controls["slope"].value = -0.5
    controls = box.children[-1].children[0]
    assert controls.children[-1] is experiment.readout_panel
    # the text's own colour, its lines, and its characters escaped
    assert 'color: #d62728' in experiment.readout_panel.value
    assert "slope -0.50<br>&lt;b&gt;" in experiment.readout_panel.value
    # the red text is drawn into the static picture only, and no longer in the live one after it
    assert red_pixels(experiment.image.value) == 0
    assert red_pixels(experiment.snapshot().data) > 5
    experiment.controls["slope"].value = 0.5
    assert "slope 0.50" in experiment.readout_panel.value and red_pixels(experiment.image.value) == 0


def red_pixels(png: bytes) -> int:
    r, g, b = decoded(png)[..., :3].astype(int).transpose(2, 0, 1)
    return int(np.sum((r > 180) & (g < 90) & (b < 90)))


def test_a_legend_as_readout_lists_its_entries_in_their_colours():
    experiment = Line()
    experiment.line.set_color("tab:green")
    experiment.line.set_label("the line")
    legend = experiment.line.axes.legend()
    experiment.readouts.append(legend)
    legend.set_animated(True)
    experiment.widget()
    assert '<div style="color: #2ca02c; line-height: 1.3">the line</div>' in experiment.readout_panel.value
