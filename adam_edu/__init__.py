"""adam_edu: a small NumPy library behind notebooks that teach the Adam optimizer.

The optimizers (``from adam_edu import Adam``) depend on NumPy alone, and ``registry`` (every optimizer
variant's label, factory, family, colour and line style; ``ALL_OPTIMIZERS``) on them alone; the other
modules (objective functions, networks, data, plots, the lessons, the paper's experiments) are imported by
name, e.g. ``from adam_edu import functions``.
"""

from adam_edu.optimizers import (
    SGD,
    AdaDelta,
    Adafactor,
    AdaGrad,
    Adam,
    AdamW,
    AdaMax,
    Lion,
    Muon,
    Nadam,
    Optimizer,
    RAdam,
    RMSProp,
    ScheduleFreeAdamW,
)
from adam_edu.registry import ALL_OPTIMIZERS

__all__ = [
    "ALL_OPTIMIZERS", "SGD", "AdaDelta", "AdaGrad", "Adam", "AdamW", "AdaMax", "Nadam", "Optimizer",
    "RAdam", "RMSProp", "Adafactor", "Lion", "ScheduleFreeAdamW", "Muon",
]
__version__ = "0.1.0"
