"""The machinery behind every slider experiment: a figure built once, redrawn in place.

A slider experiment subclasses ``SliderExperiment``. It builds its matplotlib figure and controls
once, in ``__init__``, and implements ``update(**values)``: a plain function of the slider values
that computes and moves the artists' data. Moving a slider calls ``update`` and puts the new picture
into an ``ipywidgets.Image``; nothing is re-plotted and no figure is rebuilt.

Speed: artists listed in ``self.moving`` are drawn with blitting (the static rest of the figure,
contours and all, is rendered once and cached) and the picture is encoded by Pillow at a low PNG
compression level. An update whose axes limits change calls ``self.redraw_background()``.

Without a kernel or a browser (pytest), setting ``experiment.controls["lr"].value`` runs the same
code synchronously, so tests can assert on the artists' data and on ``experiment.image.value``.
"""

from __future__ import annotations

import io
from typing import Any, Iterable

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as PILImage

PNG_COMPRESS_LEVEL = 1  # fast to encode, a few times larger than level 9; fine on localhost


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

    def __init__(self, fig: Figure, controls: dict[str, widgets.Widget], moving: Iterable[Artist] = ()):
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.controls = controls
        self.moving = list(moving)
        for artist in self.moving:
            artist.set_animated(True)  # left out of the background, drawn on top of it
        self.image = widgets.Image(format="png")
        self._background = None
        self.updates = 0  # how many times the picture was recomputed (tests read it)
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
        self.update(**self.values())
        self.image.value = self.render()
        self.updates += 1

    def _on_change(self, change: dict) -> None:
        self.refresh()

    def redraw_background(self) -> None:
        """Forget the cached background (call after changing axes limits, titles, static artists)."""
        self._background = None

    def render(self) -> bytes:
        """The figure as PNG bytes: cached background, then the moving artists blitted on top."""
        if self._background is None:
            self.canvas.draw()  # animated artists are skipped here
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        for artist in self.moving:
            if artist.get_visible():
                artist.axes.draw_artist(artist) if artist.axes is not None else artist.draw(renderer)
        return self._png(PNG_COMPRESS_LEVEL)

    def _png(self, compress_level: int) -> bytes:
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
        controls = widgets.VBox(list(self.controls.values()), layout=widgets.Layout(min_width="320px"))
        return widgets.VBox(header + [widgets.HBox([controls, self.image])])

    def snapshot(self):
        """The current picture as an IPython image, for readers without a kernel (GitHub, nbviewer)."""
        from IPython.display import Image

        if not self.image.value:
            self.refresh()
        return Image(data=self._png(compress_level=9), format="png")  # the canvas holds the last picture

    def save(self, name: str):
        """Write the current picture to figures/NAME.png (the static figure the README shows)."""
        from adam_edu.plots import FIGURES

        if not self.image.value:
            self.refresh()
        FIGURES.mkdir(parents=True, exist_ok=True)
        path = FIGURES / f"{name}.png"
        path.write_bytes(self._png(compress_level=9))  # the canvas still holds the last picture
        return path
