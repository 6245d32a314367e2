"""The machinery behind every slider experiment: a figure built once, redrawn in place.

A slider experiment subclasses ``SliderExperiment``. It builds its matplotlib figure and controls
once, in ``__init__``, and implements ``update(**values)``: a plain function of the slider values
that computes and moves the artists' data. Moving a slider calls ``update`` and puts the new picture
into an ``ipywidgets.Image``; nothing is re-plotted and no figure is rebuilt.

Speed: artists listed in ``self.moving`` are drawn with blitting: the static rest of the figure, contours
and all, is rendered once and cached, and the live widget shows it as a background image of its own, sent
again only after ``self.redraw_background()`` (an update whose axes limits change calls it) or
``redraw_in_background`` (a region of it redrawn, e.g. one axis). Each move draws only the moving artists, on
a transparent canvas, and sends them as an RGBA PNG laid over the background (04: 15 kB instead of 116). PNGs
are written without row filters at zlib level 1, in two bands compressed at once on threads (``fast_png``:
about 1.2 ms for a 768×320 layer, where Pillow's adaptive filtering takes about 10 ms for the whole figure).
Each layer is sent as a PNG data: URL (the page decodes it itself; PNG bytes would be loaded through a blob: URL,
about 4 ms more). An experiment that lists sliders in ``prefetch`` has, for those, the pictures of the next
positions (one step either side) drawn while the kernel is idle, 50 ms after the last move, on the kernel's event
loop: a key press then costs ``update`` alone (the artists always follow the sliders) and the sending; a drag,
whose moves come closer together, draws as before. A picture drawn beforehand is, byte for byte, the one drawn on
the move (tests/test_slider_base.py). ``experiment.last_refresh`` says where the time of the last update went
(compute, drawing, encoding, or ``prefetched``) and how many bytes the moving layer has; with the environment
variable ADAM_EDU_SLIDER_TIMINGS=FILE each refresh also appends it to FILE as a JSON line
(benchmarks/bench_browser.py reads it from the kernel that the browser drives).

Text is the dearest artist to draw (matplotlib lays out and renders it glyph by glyph: 3–10 ms for a
line or two, more than the lines and the PNG together), so text that changes with the sliders is
better passed as ``readouts``: Text (or Legend) artists that the live widget shows as HTML under the
controls (the browser sets text for free; a legend's entries each in its line's colour) and that
``snapshot()`` and ``save()`` draw into the picture as usual.

Layout: the two layers share one grid cell, so they lie on each other and scale together; the picture scales
down to the width it is given (never wider than the notebook), and wraps under the controls when both do not
fit side by side. ``snapshot()``, ``save()`` and ``render()`` give the whole figure as one opaque PNG.

Without a kernel or a browser (pytest), setting ``experiment.controls["lr"].value`` runs the same
code synchronously, so tests can assert on the artists' data, on ``layer_png(experiment.image)`` (the moving
layer; a layer's value is its PNG as a data: URL) and on ``layer_png(experiment.background)``.
"""

from __future__ import annotations

import asyncio
import base64
import html
import io
import json
import os
import struct
import time
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable, NamedTuple

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text
from PIL import Image as PILImage

from adam_edu.paper.training import significant

KEY_DIGITS = 12  # slider values kept to 12 significant digits: the browser's and NumPy's multiples of a step agree
DATA_URL_PREFIX = b"data:image/png;base64,"
PNG_COMPRESS_LEVEL = 1  # fast to encode, a few times larger than level 9; fine on localhost
TIMINGS_ENV = "ADAM_EDU_SLIDER_TIMINGS"  # a file to append each refresh's timings to (benchmarks)


def fast_png(rgba: np.ndarray, compress_level: int = PNG_COMPRESS_LEVEL, pieces: int | None = None,
             alpha: bool = False) -> bytes:
    """An (h, w, 4) uint8 RGBA array as an RGB PNG (an RGBA one with ``alpha``), every row with filter type 0
    ("None").

    PNG (RFC 2083): the signature, then an IHDR, one IDAT and an IEND chunk, each ``length, type, data,
    CRC-32``; the image data is zlib-compressed rows, each prefixed with its filter type byte. Skipping
    the per-row filter search is what makes it fast; it decodes to exactly the same pixels.

    The rows are compressed in ``pieces`` bands at once, on threads (zlib and NumPy's copies release the GIL),
    as pigz does: each band is a raw deflate stream of its own, ended by a flush that leaves it byte-aligned
    and refers to nothing before it, so the bands joined, between zlib's header and the Adler-32 of all
    rows, are one valid zlib stream (RFC 1950/1951). Default: 2 bands when the machine has 2 cores or more
    (a 768×320 picture: 2.5 ms instead of 4.1 on an idle 2-core machine), else 1.
    """
    height, width = rgba.shape[:2]
    if pieces is None:
        pieces = PNG_PIECES
    pieces = max(1, min(int(pieces), height))
    channels = 4 if alpha else 3
    rows = np.empty((height, 1 + channels * width), dtype=np.uint8)
    bounds = np.linspace(0, height, pieces + 1).astype(int)

    def band(k: int) -> bytes:
        low, high = bounds[k], bounds[k + 1]
        rows[low:high, 0] = 0  # filter type None
        rows[low:high, 1:].reshape(high - low, width, channels)[...] = rgba[low:high, :, :channels]
        deflate = zlib.compressobj(compress_level, zlib.DEFLATED, -15)  # raw deflate: no header, no checksum
        last = k == pieces - 1
        return deflate.compress(rows[low:high]) + deflate.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)

    others = [_encoder_pool().submit(band, k) for k in range(1, pieces)]  # on threads; the first band here
    bands = [band(0), *(other.result() for other in others)]
    # zlib's header: deflate with a 32 KiB window (0x78), check bits for "fastest" (0x01)
    data = b"".join([b"\x78\x01", *bands, struct.pack(">I", zlib.adler32(rows))])

    def chunk(kind: bytes, data: bytes) -> list[bytes]:
        return [struct.pack(">I", len(data)), kind, data, struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))]

    colour_type = 6 if alpha else 2  # RGBA or RGB; 8 bits, deflate, no interlace
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"".join([b"\x89PNG\r\n\x1a\n", *chunk(b"IHDR", header), *chunk(b"IDAT", data), *chunk(b"IEND", b"")])


PNG_PIECES = 2 if (os.cpu_count() or 1) >= 2 else 1
_POOL: ThreadPoolExecutor | None = None


def _encoder_pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="adam_edu_png")
    return _POOL


def data_url(png: bytes) -> bytes:
    """PNG bytes as a data: URL (RFC 2397, base64): the value of a live layer, an ``Image(format="url")``."""
    return DATA_URL_PREFIX + base64.b64encode(png)


def layer_png(layer: widgets.Image) -> bytes:
    """The PNG that a live layer shows (``experiment.image`` or ``experiment.background``)."""
    value = bytes(layer.value)  # ipywidgets keeps a memoryview
    if not value.startswith(DATA_URL_PREFIX):
        raise ValueError(f"layer_png: the layer's value is not a PNG data URL (it starts {value[:24]!r})")
    return base64.b64decode(value[len(DATA_URL_PREFIX):], validate=True)


def _is_above(new: Any, old: Any) -> bool:
    try:
        return bool(new >= old)
    except TypeError:  # options that do not compare
        return True


class Refresh(NamedTuple):
    """Where the time of one slider update went, in seconds, and the size of the picture it sent."""

    update: float  # ``update(**values)``: the experiment's computation, moving the artists' data
    draw: float  # restoring the cached background and drawing the moving artists
    encode: float  # the PNG
    png_bytes: int
    prefetched: bool = False  # the picture was drawn beforehand, while the kernel was idle (no draw, no encode)


def option_values(options) -> list[Any]:
    """A selection widget's values, read from its ``options`` as ipywidgets reads them: a mapping's values;
    the second items if every option is a (label, value) pair, a list or tuple of two; else the options
    themselves (so a tuple of three, or a pair among other values, is a value)."""
    options = tuple(options.items() if isinstance(options, Mapping) else options)
    if all(isinstance(option, (list, tuple)) and len(option) == 2 for option in options):
        return [value for _, value in options]
    return list(options)


def log_beta2_slider(value: float = 0.999, description: str = "β2") -> widgets.FloatSlider:
    """β2 through log10(1 − β2), so 0.99, 0.999 and 0.9999 are evenly spaced (−2, −3, −4)."""
    return widgets.FloatSlider(
        value=float(np.log10(1 - value)), min=-5.0, max=-0.5, step=0.25,
        description=f"log10(1−{description})", readout_format=".2f", continuous_update=True,
        style={"description_width": "initial"},
    )


def beta2_from_slider(log10_one_minus_beta2: float) -> float:
    return 1.0 - 10.0**log10_one_minus_beta2


class SliderExperiment:
    """A figure, its controls, and ``update(**values)`` that moves the figure's data in place."""

    #: what the experiment asks, shown above the controls
    question: str = ""
    #: sliders whose next positions, one step either side, are drawn while the kernel is idle, so that the next
    #: key press finds its picture made (``_prefetch``). A layer drawn beforehand is the same picture as one
    #: drawn on the move; a position whose picture needs another background is left out (``prefetchable``).
    prefetch: tuple[str, ...] = ()
    PREFETCH_AFTER = 0.05  # seconds without a move before the neighbours are drawn (a drag moves every ~16 ms)
    PREFETCH_KEEP = 64  # layers kept (least recently used dropped first)

    def __init__(self, fig: Figure, controls: dict[str, widgets.Widget], moving: Iterable[Artist] = (),
                 readouts: Iterable[Text | Legend] = ()):
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.controls = controls
        self.moving = list(moving)
        self.readouts = list(readouts)  # live: HTML under the controls; snapshot() and save(): in the picture
        for artist in self.moving + self.readouts:
            artist.set_animated(True)  # left out of the background, drawn on top of it
        # The live picture is two layers in one place: the figure without its moving artists (sent again only
        # when redraw_background() was called), and on top the moving artists alone on a transparent canvas.
        # Each layer's value is a data: URL of its PNG (``layer_png`` gives the PNG back): the page decodes it
        # itself, where PNG bytes would go through a blob: URL that Chromium loads through its browser process
        # (bench_browser.py, new value → decoded picture: 5-9 ms against 9-13 in JupyterLab, 3-8 against 5-13
        # in Voilà)
        self.background = widgets.Image(format="url")
        self.image = widgets.Image(format="url")  # the top layer: what every move sends
        self.background.add_class("adam-edu-background")
        self.image.add_class("adam-edu-moving")
        self.picture: widgets.GridBox | None = None  # the two layers in one place, once widget() built it
        self.readout_panel = widgets.HTML(layout=widgets.Layout(max_width="320px"))
        self._background = None
        self._background_png: bytes | None = None  # a background drawn but not yet sent
        self.updates = 0  # how many times the picture was recomputed (tests read it)
        self._layers: OrderedDict[tuple, tuple[bytes, int]] = OrderedDict()  # key → (data URL, PNG bytes)
        self._prefetch_timer: asyncio.TimerHandle | None = None
        self.last_refresh: Refresh | None = None
        for control in controls.values():
            control.observe(self._on_change, names="value")

    # --- to implement -------------------------------------------------------------------------

    def update(self, **values: Any) -> None:
        """Recompute from the slider values and move the artists' data. No drawing here."""
        raise NotImplementedError

    # --- the machinery ------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self) -> None:
        """Recompute at the current slider values and put the new picture into ``image``."""
        values = self.values()
        start = time.perf_counter()
        self.update(**values)  # always: the artists follow the sliders, whether or not the picture was drawn before
        computed = time.perf_counter()
        key = self._key(values)
        made = self._layers.get(key) if self.prefetch else None
        if made is None:
            self.draw_moving()
            drawn = time.perf_counter()
            shown, png_bytes = self._moving_layer()
        else:
            self._layers.move_to_end(key)
            (shown, png_bytes), drawn = made, computed
        encoded = time.perf_counter()
        if self._background_png is not None:  # a new background: sent first, the moving layer goes on it
            self.background.value, self._background_png = data_url(self._background_png), None
        self.image.value = shown
        # the readouts after the picture: the browser lays the text out while the kernel draws no more (in
        # JupyterLab a widget's update costs the page a few ms of layout, which slowed the drawing down)
        if self.readouts:
            self.readout_panel.value = self.readout_html()
        self.updates += 1
        self.last_refresh = Refresh(computed - start, drawn - computed, encoded - drawn, png_bytes, made is not None)
        log = os.environ.get(TIMINGS_ENV)
        if log:
            with open(log, "a", encoding="utf-8") as out:
                out.write(json.dumps({"experiment": type(self).__name__, **self.last_refresh._asdict()}) + "\n")

    def _on_change(self, change: dict) -> None:
        self.refresh()
        self._prefetch_after(change)

    def _prefetch_after(self, change: dict) -> None:
        """After a move of a slider in ``prefetch``: draw its next positions once the kernel is idle."""
        name = next((name for name, control in self.controls.items() if control is change["owner"]), None)
        if name in self.prefetch:
            self._schedule_prefetch(name, upwards=_is_above(change["new"], change["old"]))

    # --- drawing the next positions while the kernel is idle ---------------------------------------------

    def _key(self, values: dict[str, Any]) -> tuple:
        """Slider values as a cache key: floats to 12 significant digits, so that a value the browser computed
        (0.9 + 0.01 = 0.9100000000000001) finds the one the kernel computed for it. An experiment that rounds
        its values otherwise keys them as it rounds them (two values with one key must be one picture)."""
        return tuple((name, significant(value, KEY_DIGITS) if isinstance(value, float) else value)
                     for name, value in sorted(values.items()))

    def prefetchable(self, values: dict[str, Any]) -> bool:
        """Whether the picture at ``values`` may be drawn beforehand: not when it needs another background
        (new axes limits), which drawing it would redraw and send, and putting the artists back would again."""
        return True

    def _schedule_prefetch(self, name: str, upwards: bool) -> None:
        """Draw ``name``'s neighbouring positions after PREFETCH_AFTER seconds without a move, on the kernel's
        event loop (between messages, never during one). Without a running loop (tests, scripts): nothing."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._prefetch_timer is not None:
            self._prefetch_timer.cancel()
        self._prefetch_timer = loop.call_later(self.PREFETCH_AFTER, self._prefetch, name, upwards)

    def neighbours(self, name: str, upwards: bool = True) -> list[Any]:
        """The values one step either side of slider ``name`` (the direction of the last move first)."""
        control = self.controls[name]
        if isinstance(control, widgets.SelectionSlider):
            values = option_values(control.options)
            near = [values[i] for i in (control.index + 1, control.index - 1) if 0 <= i < len(values)]
        elif isinstance(control, (widgets.FloatSlider, widgets.IntSlider)):
            near = [value for value in (control.value + control.step, control.value - control.step)
                    if control.min <= value <= control.max]
        elif isinstance(control, widgets.FloatLogSlider):  # its step is one of the exponent
            exponent = np.log(control.value) / np.log(control.base)
            near = [float(control.base**power) for power in (exponent + control.step, exponent - control.step)
                    if control.min - 1e-9 <= power <= control.max + 1e-9]
        else:
            return []
        return near if upwards else near[::-1]

    def _prefetch(self, name: str, upwards: bool) -> None:
        """Draw the pictures of ``name``'s neighbouring positions into the cache, then put the artists back at
        the sliders' values (a cell that reads them afterwards finds them as the sliders say)."""
        self._prefetch_timer = None
        current = self.values()
        drew = False
        try:
            for value in self.neighbours(name, upwards):
                values = {**current, name: value}
                key = self._key(values)
                if key in self._layers or not self.prefetchable(values):
                    continue
                drew = True
                self.update(**values)
                self.draw_moving()
                self._layers[key] = self._moving_layer()
                while len(self._layers) > self.PREFETCH_KEEP:
                    self._layers.popitem(last=False)
        finally:
            if drew:
                self.update(**current)

    def redraw_background(self) -> None:
        """Forget the cached background (call after changing axes limits, titles, static artists)."""
        self._background = None
        self._layers.clear()

    def redraw_in_background(self, artists: Iterable[Artist], region) -> None:
        """Paint ``region`` (a Bbox in display pixels) of the cached background with the figure's face colour and
        draw ``artists`` there: a change that stays inside a region (an axis's ticks and labels after its limits
        changed) costs that region, not a redraw of the whole figure. The new background is sent with the
        next picture. Without a cached background, nothing to do: the next draw renders everything."""
        self._layers.clear()
        if self._background is None:
            return
        self.canvas.restore_region(self._background)
        pixels = np.asarray(self.canvas.buffer_rgba())
        height, width = pixels.shape[:2]
        left, right = max(int(np.floor(region.x0)), 0), min(int(np.ceil(region.x1)), width)
        top, bottom = max(height - int(np.ceil(region.y1)), 0), min(height - int(np.floor(region.y0)), height)
        pixels[top:bottom, left:right] = np.round(np.array(to_rgba(self.fig.get_facecolor())) * 255).astype(np.uint8)
        renderer = self.canvas.get_renderer()
        for artist in artists:
            artist.draw(renderer)
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self._background_png = self._fast_png()

    def render(self) -> bytes:
        """The whole figure as PNG bytes (RGB): the cached background, then the moving artists blitted on top."""
        self.draw()
        return self._fast_png()

    def _ensure_background(self) -> None:
        """Render the figure without its animated artists, once, and keep it (and its PNG for the live widget)."""
        if self._background is None:
            self.canvas.draw()  # animated artists are skipped here
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._background_png = self._fast_png()

    def _draw_moving_artists(self) -> None:
        renderer = self.canvas.get_renderer()
        for artist in self.moving:
            if artist.get_visible():
                artist.axes.draw_artist(artist) if artist.axes is not None else artist.draw(renderer)

    def draw(self) -> None:
        """Draw the figure on the canvas: the cached background, then the moving artists on top."""
        self._ensure_background()
        self.canvas.restore_region(self._background)
        self._draw_moving_artists()

    def draw_moving(self) -> None:
        """Draw the moving artists alone on a transparent canvas: the live picture's top layer.

        Agg blends onto a pixel of alpha 0 by taking the artist's colour and its coverage as alpha, so the
        browser's "over" of this layer on the background is the blitted figure, up to a rounding of a few
        levels on antialiased edges where moving artists overlap (tests/test_slider_base.py measures it).
        """
        self._ensure_background()
        self.canvas.get_renderer().clear()  # (255, 255, 255, 0): transparent
        self._draw_moving_artists()

    def readout_html(self) -> str:
        """The readouts' text, as the live widget shows it: each in its colour, line by line."""
        lines = []
        for readout in self.readouts:
            if not readout.get_visible():
                continue
            if isinstance(readout, Legend):  # an entry per line, in its line's colour
                entries = [(text.get_text(), handle.get_color())
                           for handle, text in zip(readout.legend_handles, readout.get_texts())]
            else:
                entries = [(readout.get_text(), readout.get_color())]
            for text, colour in entries:
                if text:
                    body = html.escape(text).replace("\n", "<br>")
                    lines.append(f'<div style="color: {to_hex(colour)}; line-height: 1.3">{body}</div>')
        return f'<div style="font-size: 12px">{"".join(lines)}</div>'

    def _moving_layer(self) -> tuple[bytes, int]:
        """The canvas, after ``draw_moving``, as the live layer's value (an RGBA PNG data URL) and its PNG's size."""
        picture = fast_png(np.asarray(self.canvas.buffer_rgba()), alpha=True)
        return data_url(picture), len(picture)

    def _fast_png(self) -> bytes:
        return fast_png(np.asarray(self.canvas.buffer_rgba()))

    def _png(self, compress_level: int) -> bytes:
        """The picture with the readouts drawn in, as a PNG (Pillow): for static figures."""
        self.draw()  # the live picture again, so that the readouts are drawn once
        renderer = self.canvas.get_renderer()
        for text in self.readouts:
            if text.get_visible():
                text.axes.draw_artist(text) if text.axes is not None else text.draw(renderer)
        width, height = self.canvas.get_width_height(physical=True)
        picture = PILImage.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        picture.convert("RGB").save(buffer, format="png", compress_level=compress_level)
        return buffer.getvalue()

    def widget(self) -> widgets.Widget:
        """The controls and the picture, ready to display; computes the first picture."""
        if not self.image.value:
            self.refresh()
        header = [widgets.HTML(f"<b>Question:</b> {self.question}")] if self.question else []
        readout = [self.readout_panel] if self.readouts else []
        controls = widgets.VBox(list(self.controls.values()) + readout, layout=widgets.Layout(min_width="320px"))
        # The picture never wider than the column it is in (scaled, keeping its aspect ratio); when the
        # controls and the picture do not fit side by side, the picture wraps under the controls.
        # The two layers share one grid cell, so they lie on each other and scale together.
        for layer in (self.background, self.image):
            layer.layout = widgets.Layout(max_width="100%", height="auto", grid_area="picture")
        self.picture = widgets.GridBox([self.background, self.image], layout=widgets.Layout(
            grid_template_areas='"picture"', align_self="flex-start"))
        row = widgets.HBox([controls, self.picture], layout=widgets.Layout(flex_flow="row wrap", width="100%"))
        return widgets.VBox(header + [row], layout=widgets.Layout(width="100%"))

    def snapshot(self):
        """The current picture as an IPython image, for readers without a kernel (GitHub, nbviewer)."""
        from IPython.display import Image

        if not self.image.value:
            self.refresh()
        return Image(data=self._png(compress_level=9), format="png")

    def save(self, name: str):
        """Write the current picture to figures/NAME.png (the static figure the README shows)."""
        from adam_edu.plots import FIGURES

        if not self.image.value:
            self.refresh()
        FIGURES.mkdir(parents=True, exist_ok=True)
        path = FIGURES / f"{name}.png"
        path.write_bytes(self._png(compress_level=9))
        return path
