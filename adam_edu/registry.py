"""Every optimizer variant of the collection, declared once: its label, factory, family, colour, line style.

One plain table, ``VARIANTS``, read by everything that names, draws or builds an optimizer:

* ``plots`` takes each label's colour and line style from it (``plots.color``, ``plots.style``);
* notebook 05's zoo races the entries marked ``zoo`` (``adam_edu.lessons.zoo``), grouped by ``family``;
* the paper's grids build their optimizers by label (``adam_edu.paper.training.make_optimizer``);
* ``ALL_OPTIMIZERS``, the classes the tests walk, are the classes of the entries.

A family has one hue, and each variant in it a shade and a line style of its own, so the twelve methods of the
zoo stay apart in one figure. Two colours follow the paper's Figure 4 instead: Adam red, Adam without bias
correction green. Adding an optimizer is adding one ``Variant`` line here (and its class in ``optimizers``).

``label(optimizer)`` names any optimizer instance from its arguments: the entry it matches, or, when its options
differ from every entry, the nearest entry's label with the differing keywords and their values, e.g.
``Adam (eps_inside_root=True)`` or ``RMSProp (momentum=0.9)``.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Mapping

from adam_edu.optimizers import (
    SGD,
    AdaDelta,
    Adafactor,
    AdaGrad,
    AdaMax,
    Adam,
    AdamW,
    Lion,
    Muon,
    Nadam,
    Optimizer,
    RAdam,
    RMSProp,
    ScheduleFreeAdamW,
)

__all__ = ["Variant", "FAMILIES", "VARIANTS", "ALL_OPTIMIZERS", "variant", "make", "labels", "label", "options"]

FAMILIES: tuple[str, ...] = ("SGD", "per-coordinate", "Adam", "after Adam")
"""SGD and its momentum forms (greys); the per-coordinate step sizes, AdaGrad, RMSProp, AdaDelta (purples); Adam
and its kin (reds, oranges, browns); what came after Adam, notebook 12's methods (greens and teals)."""


@dataclass(frozen=True)
class Variant:
    """One optimizer variant: a class, the keywords that make it this variant, and how figures show it."""

    label: str  # its name in every legend, table and grid of the collection
    optimizer: type[Optimizer]
    family: str  # one of FAMILIES
    colour: str
    style: str  # matplotlib line style
    settings: Mapping[str, Any] = field(default_factory=dict)  # keywords other than lr; the library's defaults else
    zoo: bool = True  # raced in notebook 05

    def make(self, lr: float, **overrides: Any) -> Optimizer:
        """The optimizer with learning rate ``lr``; ``overrides`` replace or add keywords."""
        return self.optimizer(lr, **{**self.settings, **overrides})


VARIANTS: tuple[Variant, ...] = (
    # SGD: greys, darker with more momentum
    Variant("SGD", SGD, "SGD", "#8c8c8c", "-"),
    Variant("Momentum", SGD, "SGD", "#525252", "--", {"momentum": 0.9}),
    Variant("Nesterov", SGD, "SGD", "#111111", "-.", {"momentum": 0.9, "nesterov": True}),
    # per-coordinate step sizes: purples (not blue: the contour maps are blue)
    Variant("AdaGrad", AdaGrad, "per-coordinate", "#9e9ac8", "-"),
    Variant("RMSProp", RMSProp, "per-coordinate", "#6a51a3", "--"),
    Variant("AdaDelta", AdaDelta, "per-coordinate", "#3f007d", "-."),
    # Adam and its kin: reds, oranges and browns (Adam itself red, as in the paper's Figure 4)
    Variant("Adam", Adam, "Adam", "#d62728", "-"),
    Variant("AMSGrad", Adam, "Adam", "#f16913", "--", {"amsgrad": True}),
    Variant("AdamW", AdamW, "Adam", "#b8860b", "-."),
    Variant("AdaMax", AdaMax, "Adam", "#fd8d3c", ":"),
    Variant("Nadam", Nadam, "Adam", "#7f2704", "--"),
    Variant("RAdam", RAdam, "Adam", "#e7298a", ":"),
    # Adam's conventions, compared in notebooks 03, 04, 06 and the paper's Figure 4
    Variant("Adam (no bias correction)", Adam, "Adam", "#2ca02c", "-", {"bias_correction": False}, zoo=False),
    Variant("Adam (ε̂, Keras)", Adam, "Adam", "#ff9896", ":", {"eps_hat": True}, zoo=False),
    Variant("Adam + L2", Adam, "Adam", "#a50f15", "--", {"weight_decay": 1e-2}, zoo=False),
    # after Adam (notebook 12): greens, and Muon a dark teal
    Variant("Adafactor", Adafactor, "after Adam", "#1b9e77", "--", zoo=False),
    Variant("Lion", Lion, "after Adam", "#66a61e", "-.", zoo=False),
    Variant("Schedule-free AdamW", ScheduleFreeAdamW, "after Adam", "#a6d854", ":", zoo=False),
    Variant("Muon", Muon, "after Adam", "#00441b", "-", zoo=False),
)

_BY_LABEL = {v.label: v for v in VARIANTS}
assert len(_BY_LABEL) == len(VARIANTS), "two variants share a label"
assert all(v.family in FAMILIES for v in VARIANTS), "a variant of an unknown family"

ALL_OPTIMIZERS: tuple[type[Optimizer], ...] = tuple(dict.fromkeys(v.optimizer for v in VARIANTS))
"""Every optimizer class of the collection, in the order of ``VARIANTS``."""


def variant(name: str) -> Variant:
    """The entry of that label."""
    try:
        return _BY_LABEL[name]
    except KeyError:
        raise KeyError(f"no optimizer variant {name!r}; known labels: {', '.join(_BY_LABEL)}") from None


def make(name: str, lr: float, **overrides: Any) -> Optimizer:
    """The optimizer of that label with learning rate ``lr``, e.g. ``make("Nesterov", 0.01)``."""
    return variant(name).make(lr, **overrides)


def labels(*, family: str | None = None, zoo: bool | None = None) -> tuple[str, ...]:
    """The labels of the entries of one family and/or in (or out of) the zoo, in table order."""
    if family is not None and family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}; got {family!r}")
    return tuple(v.label for v in VARIANTS
                 if (family is None or v.family == family) and (zoo is None or v.zoo == zoo))


def options(optimizer: Optimizer) -> dict[str, Any]:
    """The keywords that choose which rule runs, read from the optimizer: every flag, and every term that is off
    by default (momentum, weight decay, ...) as on or off. Learning rates, β's and ε are tuning, not identity."""
    return {name: _option(getattr(optimizer, name, default), default) for name, default in _option_defaults(type(optimizer))}


def _option_defaults(cls: type[Optimizer]) -> list[tuple[str, Any]]:
    """The keywords of ``cls`` that are options: flags, and numbers that default to 0."""
    return [(name, p.default) for name, p in inspect.signature(cls.__init__).parameters.items()
            if name not in ("self", "lr") and (isinstance(p.default, bool) or
                                                (isinstance(p.default, (int, float)) and p.default == 0))]


def _option(value: Any, default: Any) -> bool:
    return bool(value) if isinstance(default, bool) else value != 0


def label(optimizer: Optimizer) -> str:
    """The name an optimizer goes by in every legend: its entry's label, built from its arguments.

    An optimizer whose options match no entry gets the nearest entry's label of its class with the keywords
    that differ, e.g. ``Adam(eps_inside_root=True)`` is ``"Adam (eps_inside_root=True)"``, never plain "Adam".
    """
    mine = options(optimizer)
    candidates = [v for v in VARIANTS if v.optimizer is type(optimizer)]
    if not candidates:  # not in the table: its class name, and the options it changes from their defaults
        defaults = {name: _option(default, default) for name, default in _option_defaults(type(optimizer))}
        return _with_keywords(type(optimizer).__name__,
                              {k: getattr(optimizer, k, None) for k in mine if mine[k] != defaults[k]})

    def differences(entry: Variant) -> dict[str, Any]:
        theirs = options(entry.make(1.0))
        return {k: getattr(optimizer, k, None) for k in mine if mine[k] != theirs.get(k)}

    nearest = min(candidates, key=lambda entry: len(differences(entry)))  # the first of equals: table order
    return _with_keywords(nearest.label, differences(nearest))


def _with_keywords(name: str, keywords: Mapping[str, Any]) -> str:
    if not keywords:
        return name
    return f"{name} (" + ", ".join(f"{k}={v:g}" if not isinstance(v, bool) else f"{k}={v}"
                                   for k, v in keywords.items()) + ")"
