"""The machinery of the notebooks' slider experiments (``base``); each experiment lives in its lesson.

Each experiment is a class whose ``update(**values)`` is a plain function of the slider values;
``experiment.widget()`` shows it, ``experiment.snapshot()`` gives the static picture. The experiments
themselves are ``adam_edu.lessons.<lesson>.slider`` (e.g. ``adam_edu.lessons.zoo.slider.ZooExperiment``).
"""

from adam_edu.widgets.base import SliderExperiment, beta2_from_slider, log_beta2_slider

__all__ = ["SliderExperiment", "beta2_from_slider", "log_beta2_slider"]
