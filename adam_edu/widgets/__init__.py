"""The slider experiments of the notebooks, one module per notebook, on one shared machinery.

Each experiment is a class whose ``update(**values)`` is a plain function of the slider values;
``experiment.widget()`` shows it, ``experiment.snapshot()`` gives the static picture.
"""

from adam_edu.widgets.base import SliderExperiment, beta2_from_slider, log_beta2_slider

__all__ = ["SliderExperiment", "beta2_from_slider", "log_beta2_slider"]
