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
    """The smallest experiment: a line whose slope is the slider's value."""

    def __init__(self):
        fig = Figure(figsize=(3, 2), dpi=50)
        ax = fig.subplots()
        ax.set(xlim=(0, 1), ylim=(-2, 2))
        (self.line,) = ax.plot([], [])
        super().__init__(fig, {"slope": widgets.FloatSlider(value=1.0, min=-2, max=2)}, moving=[self.line])

    def update(self, slope: float) -> None:
        self.line.set_data([0, 1], [0, slope])


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


@pytest.mark.parametrize("level", [0, 1, 9])
def test_fast_png_any_compression_level(level):
    rgba = np.zeros((3, 4, 4), dtype=np.uint8)
    rgba[1, 2] = (10, 20, 30, 255)
    np.testing.assert_array_equal(decoded(fast_png(rgba, level))[..., :3], rgba[..., :3])
