"""The slider machinery (adam_edu.widgets.base): the fast PNG, the timings of a refresh, the layout."""

from __future__ import annotations

import asyncio
import io
import json
import os
import zlib

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from adam_edu.widgets import base
from adam_edu.widgets.base import TIMINGS_ENV, SliderExperiment, data_url, fast_png, layer_png, option_values


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


def test_a_live_layer_is_its_png_as_a_data_url():
    """The layers are Image(format="url") widgets: the page decodes a data: URL itself (bench_browser.py)."""
    experiment = Line()
    experiment.widget()
    assert experiment.image.format == experiment.background.format == "url"
    assert bytes(experiment.image.value).startswith(b"data:image/png;base64,")
    png = layer_png(experiment.image)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and data_url(png) == experiment.image.value
    assert decoded(png).shape[2] == 4  # RGBA: the moving layer is transparent where nothing moves
    with pytest.raises(ValueError, match="not a PNG data URL"):
        layer_png(widgets.Image(value=png, format="png"))


def over(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """The browser's "over": a straight-alpha RGBA layer on an opaque RGB(A) picture, as RGB."""
    alpha = top[..., 3:4] / 255.0
    return top[..., :3] * alpha + bottom[..., :3] * (1 - alpha)


def test_the_live_layers_make_the_figure():
    """The background layer is the figure without its moving artists, exactly; the moving layer on it is the
    blitted figure (render(), what snapshot() shows without readouts) up to Agg's rounding on edges."""
    experiment = Line()
    experiment.widget()
    experiment.controls["slope"].value = -1.5
    background, layer = decoded(layer_png(experiment.background)), decoded(layer_png(experiment.image))
    assert background.shape == layer.shape and (background[..., 3] == 255).all()
    assert 0 < np.count_nonzero(layer[..., 3]) < layer[..., 3].size / 10  # a line: a few transparent-free pixels
    experiment.line.set_visible(False)
    np.testing.assert_array_equal(decoded(experiment.render()), background)  # the figure without the line
    experiment.line.set_visible(True)
    figure = decoded(experiment.render())[..., :3].astype(float)
    assert np.abs(over(layer.astype(float), background.astype(float)) - figure).max() <= 3


def test_the_background_is_sent_again_only_when_it_changed():
    experiment = Line()
    experiment.widget()
    sent = []
    experiment.background.observe(lambda change: sent.append(change["new"]), names="value")
    experiment.controls["slope"].value = 0.5
    experiment.controls["slope"].value = 0.7
    assert sent == []
    experiment.line.axes.set_ylim(-3, 3)
    experiment.redraw_background()
    experiment.controls["slope"].value = 0.9
    assert len(sent) == 1 and sent[0] != experiment.image.value
    experiment.controls["slope"].value = 1.1
    assert len(sent) == 1


def test_a_refresh_says_where_its_time_went(tmp_path, monkeypatch):
    log = tmp_path / "timings.jsonl"
    monkeypatch.setenv(TIMINGS_ENV, str(log))
    experiment = Line()
    experiment.widget()
    experiment.controls["slope"].value = 0.5
    timing = experiment.last_refresh
    assert all(0 < seconds < 5 for seconds in (timing.update, timing.draw, timing.encode))
    assert timing.png_bytes == len(layer_png(experiment.image))
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(records) == 2 and records[-1] == {"experiment": "Line", **timing._asdict()}


def test_the_picture_scales_to_the_column_and_wraps_under_the_controls():
    experiment = Line()
    box = experiment.widget()
    row = box.children[-1]
    assert row.children[-1] is experiment.picture
    assert row.layout.flex_flow == "row wrap"
    assert experiment.picture.children == (experiment.background, experiment.image)  # the moving layer on top
    for layer in experiment.picture.children:  # both in the grid's one cell: on each other, scaled together
        assert layer.layout.max_width == "100%" and layer.layout.height == "auto"
        assert layer.layout.grid_area == "picture"
    assert experiment.picture.layout.grid_template_areas == '"picture"'
    assert experiment.picture.layout.align_self == "flex-start"  # not stretched to the controls' height


@pytest.mark.parametrize("level", [0, 1, 9])
def test_fast_png_any_compression_level(level):
    rgba = np.zeros((3, 4, 4), dtype=np.uint8)
    rgba[1, 2] = (10, 20, 30, 255)
    np.testing.assert_array_equal(decoded(fast_png(rgba, level))[..., :3], rgba[..., :3])


def test_fast_png_with_alpha():
    rgba = np.zeros((4, 5, 4), dtype=np.uint8)
    rgba[2, 3] = (10, 20, 30, 128)
    png = fast_png(rgba, alpha=True)
    assert png[25] == 6  # IHDR's colour type: RGBA
    np.testing.assert_array_equal(decoded(png), rgba)


@pytest.mark.parametrize("pieces", [1, 2, 3, 7, 50])
def test_fast_png_in_bands_is_one_valid_zlib_stream(pieces):
    """Rows compressed in bands on threads: the same pixels, and IDAT one zlib stream (header, Adler-32)."""
    rng = np.random.default_rng(pieces)
    rgba = np.full((7, 40, 4), 255, dtype=np.uint8)
    rgba[:, 10:30, :3] = rng.integers(0, 256, size=(7, 20, 3), dtype=np.uint8)  # noise and flat runs
    png = fast_png(rgba, pieces=pieces)
    np.testing.assert_array_equal(decoded(png), rgba)
    length = int.from_bytes(png[33:37], "big")  # the chunk after the signature (8) and IHDR (25)
    assert png[37:41] == b"IDAT"
    rows = zlib.decompress(png[41:41 + length])  # checks the header and the Adler-32 of all rows
    assert len(rows) == 7 * (1 + 3 * 40) and rows[0] == 0


def test_fast_png_bands_follow_the_machine():
    assert base.PNG_PIECES == (2 if (os.cpu_count() or 1) >= 2 else 1)
    rgba = np.zeros((5, 6, 4), dtype=np.uint8)
    assert fast_png(rgba) == fast_png(rgba, pieces=base.PNG_PIECES)


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
    assert red_pixels(layer_png(experiment.image)) == 0
    assert red_pixels(experiment.snapshot().data) > 5
    experiment.controls["slope"].value = 0.5
    assert "slope 0.50" in experiment.readout_panel.value and red_pixels(layer_png(experiment.image)) == 0


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


def test_redraw_in_background_repaints_only_its_region():
    experiment = Line()
    experiment.widget()
    before = np.asarray(experiment.canvas.buffer_rgba()).copy()
    experiment.draw()
    background = decoded(layer_png(experiment.background))
    ax = experiment.line.axes
    text = ax.text(0.3, -1.5, "new", color="tab:red", fontsize=20)  # a static artist, drawn into a region of the background
    box = text.get_window_extent(experiment.canvas.get_renderer()).padded(2)
    experiment.redraw_in_background([text], box)
    experiment.controls["slope"].value = 0.25  # the new background goes with the next picture
    after = decoded(layer_png(experiment.background))
    changed_rows, changed_columns = np.nonzero(np.any(after != background, axis=-1))
    height = after.shape[0]
    assert red_pixels(layer_png(experiment.background)) > 5 and red_pixels(png_of(background)) == 0
    assert changed_rows.min() >= height - box.y1 - 1 and changed_rows.max() <= height - box.y0 + 1
    assert changed_columns.min() >= box.x0 - 1 and changed_columns.max() <= box.x1 + 1
    assert before.shape == after.shape


def png_of(rgba: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgba).save(buffer, format="png")
    return buffer.getvalue()


# --- the next positions drawn while the kernel is idle ---------------------------------------------------


class PrefetchedLine(Line):
    prefetch = ("slope",)


def moves_in_a_kernel(experiment, *values, idle: float = 0.1, name: str = "slope") -> None:
    """Set a slider to each value inside a running event loop, as a kernel's messages do, idle ``idle`` s after
    each move (the prefetch runs on that loop, between messages)."""
    async def moves():
        for value in values:
            experiment.controls[name].value = value
            await asyncio.sleep(idle)
    asyncio.run(moves())


def assert_prefetched_is_drawn(experiment, name: str) -> None:
    """Move ``name`` one step, idle, then one step more: the second picture comes from the cache and is, byte
    for byte, the picture drawn on the move; the artists and the readouts follow the slider all along."""
    control = experiment.controls[name]
    first = experiment.neighbours(name)[0]
    moves_in_a_kernel(experiment, first, name=name)
    second = experiment.neighbours(name)[0]
    assert experiment._key({**experiment.values(), name: second}) in experiment._layers
    moves_in_a_kernel(experiment, second, name=name)
    assert experiment.last_refresh.prefetched and experiment.last_refresh.draw == 0
    cached, readouts = layer_png(experiment.image), experiment.readout_panel.value
    experiment._layers.clear()
    control.value = first
    control.value = second  # drawn on the move
    assert not experiment.last_refresh.prefetched
    assert layer_png(experiment.image) == cached and experiment.readout_panel.value == readouts


def test_the_next_positions_are_drawn_while_idle_and_are_the_same_pictures():
    experiment = PrefetchedLine()
    experiment.widget()
    moves_in_a_kernel(experiment, 1.5)
    assert sorted(key[0][1] for key in experiment._layers) == [1.4, 1.6]
    assert list(experiment.line.get_ydata()) == [0, 1.5]  # the artists back at the slider's value
    moves_in_a_kernel(experiment, 1.6)
    assert experiment.last_refresh.prefetched and "slope 1.60" in experiment.readout_panel.value
    assert list(experiment.line.get_ydata()) == [0, 1.6]
    assert_prefetched_is_drawn(experiment, "slope")


def test_a_value_the_browser_computed_finds_the_kernels():
    experiment = PrefetchedLine()
    experiment.widget()
    moves_in_a_kernel(experiment, 0.9)
    moves_in_a_kernel(experiment, 0.9 + 0.1)  # 0.9999999999999999 from the browser; the kernel drew 1.0
    assert experiment.last_refresh.prefetched


def test_nothing_is_drawn_beforehand_without_an_event_loop_or_while_dragging():
    experiment = PrefetchedLine()
    experiment.widget()
    experiment.controls["slope"].value = 0.5  # no running loop (a script, pytest): nothing later
    assert not experiment._layers
    moves_in_a_kernel(experiment, 0.6, 0.8, 1.1, idle=0.0)  # a drag: moves closer than PREFETCH_AFTER
    assert not experiment._layers
    moves_in_a_kernel(experiment, 1.3)
    assert sorted(key[0][1] for key in experiment._layers) == [1.2, 1.4]  # only around where it stopped


def test_neighbours_follow_the_last_move_and_stop_at_the_ends():
    experiment = PrefetchedLine()
    experiment.widget()
    assert experiment.neighbours("slope") == [1.1, 0.9]
    assert experiment.neighbours("slope", upwards=False) == [0.9, 1.1]
    experiment.controls["slope"].value = 2.0
    assert experiment.neighbours("slope") == [1.9]
    choices = widgets.SelectionSlider(options=[("ten", 10), ("twenty", 20), ("fifty", 50)], value=20)
    experiment.controls["steps"] = choices
    assert experiment.neighbours("steps") == [50, 10]
    experiment.controls["lr"] = widgets.FloatLogSlider(value=0.01, base=10, min=-4, max=-2, step=0.5)
    assert experiment.neighbours("lr") == [pytest.approx(0.01 / 10**0.5, rel=1e-12)]
    experiment.controls["lr"].value = 1e-3
    assert experiment.neighbours("lr", upwards=False) == pytest.approx([10**-3.5, 10**-2.5], rel=1e-12)
    experiment.controls["switch"] = widgets.Checkbox()
    assert experiment.neighbours("switch") == []


@pytest.mark.parametrize("options, value, expected", [
    ([(1, 2, 3), (4, 5, 6), (7, 8, 9)], (4, 5, 6), [(7, 8, 9), (1, 2, 3)]),  # tuples of three are values
    ({"ten": 10, "twenty": 20, "fifty": 50}, 20, [50, 10]),  # a mapping: label → value
    ([["a", 1], ["b", 2], ["c", 3]], 2, [3, 1]),  # lists of two are (label, value) pairs too
])
def test_neighbours_read_selection_options_as_ipywidgets_does(options, value, expected):
    experiment = PrefetchedLine()
    experiment.widget()
    experiment.controls["choice"] = widgets.SelectionSlider(options=options, value=value)
    assert experiment.neighbours("choice") == expected
    assert option_values(experiment.controls["choice"].options) == list(experiment.controls["choice"]._options_values)


def test_a_new_background_forgets_the_pictures_drawn_beforehand():
    experiment = PrefetchedLine()
    experiment.widget()
    moves_in_a_kernel(experiment, 1.5)
    assert experiment._layers
    experiment.redraw_background()
    assert not experiment._layers


@pytest.mark.parametrize("lesson", ["moments", "bias_correction", "update_rule"])
def test_a_lessons_pictures_drawn_beforehand_are_the_pictures_drawn_on_the_move(lesson):
    from adam_edu.lessons.bias_correction.slider import BiasCorrection
    from adam_edu.lessons.moments.slider import MomentEstimates
    from adam_edu.lessons.update_rule.slider import UpdateRuleExperiment

    experiment = {"moments": MomentEstimates, "bias_correction": BiasCorrection,
                  "update_rule": UpdateRuleExperiment}[lesson]()
    experiment.widget()
    assert experiment.prefetch
    for name in experiment.prefetch:
        assert_prefetched_is_drawn(experiment, name)


def test_a_new_objective_forgets_the_pictures_drawn_beforehand():
    from adam_edu.lessons.update_rule.slider import UpdateRuleExperiment

    experiment = UpdateRuleExperiment()
    experiment.widget()
    moves_in_a_kernel(experiment, 0.85, name="beta1")
    assert experiment._layers
    experiment.controls["objective"].value = [name for name in experiment.controls["objective"].options
                                              if name != experiment.controls["objective"].value][0]
    assert not experiment._layers
    assert not experiment.last_refresh.prefetched
