"""registry: every optimizer variant declared once, and labels built from an optimizer's arguments."""

import inspect

import pytest

import adam_edu
from adam_edu import registry
from adam_edu.optimizers import SGD, AdaGrad, Adam, AdamW, Optimizer, RMSProp
from adam_edu.paper import training


@pytest.mark.parametrize("entry", registry.VARIANTS, ids=lambda v: v.label)
def test_each_entry_builds_an_optimizer_that_carries_its_label(entry):
    optimizer = entry.make(0.01)
    assert type(optimizer) is entry.optimizer and optimizer.lr == 0.01
    assert registry.label(optimizer) == entry.label
    assert registry.make(entry.label, 0.01).__dict__ == optimizer.__dict__


def test_overrides_replace_the_entrys_settings():
    nesterov = registry.make("Nesterov", 0.1, momentum=0.5)
    assert (nesterov.momentum, nesterov.nesterov) == (0.5, True)
    assert registry.make("Adam", 0.1, beta2=0.99).beta2 == 0.99


def test_no_two_variants_look_alike_and_each_family_shares_its_hues():
    looks = [(v.colour, v.style) for v in registry.VARIANTS]
    assert len(set(looks)) == len(looks)
    assert len({v.colour for v in registry.VARIANTS}) == len(registry.VARIANTS)
    for family in registry.FAMILIES:
        styles = [v.style for v in registry.VARIANTS if v.family == family and v.zoo]
        assert len(styles) <= 4 or len(set(styles)) >= 3  # a family of many needs several line styles
    assert registry.labels(family="per-coordinate") == ("AdaGrad", "RMSProp", "AdaDelta")
    assert registry.labels(family="SGD", zoo=True) == ("SGD", "Momentum", "Nesterov")
    with pytest.raises(ValueError, match="family must be one of SGD, per-coordinate, Adam"):
        registry.labels(family="adaptive")


def test_all_optimizers_are_the_classes_of_the_entries():
    assert adam_edu.ALL_OPTIMIZERS == registry.ALL_OPTIMIZERS
    assert set(registry.ALL_OPTIMIZERS) == {v.optimizer for v in registry.VARIANTS}
    assert registry.ALL_OPTIMIZERS[:4] == (SGD, AdaGrad, RMSProp, adam_edu.AdaDelta)
    assert all(issubclass(cls, Optimizer) for cls in registry.ALL_OPTIMIZERS)


@pytest.mark.parametrize("optimizer, expected", [
    (Adam(), "Adam"),
    (Adam(amsgrad=True), "AMSGrad"),
    (Adam(bias_correction=False), "Adam (no bias correction)"),
    (Adam(eps_hat=True), "Adam (ε̂, Keras)"),
    (Adam(weight_decay=0.3), "Adam + L2"),  # the weight decay's value is tuning, not identity
    (AdamW(weight_decay=0.3), "AdamW"),
    (SGD(0.1, momentum=0.5), "Momentum"),
    # not in the table: the nearest entry and the keywords that differ, with their values
    (Adam(eps_inside_root=True), "Adam (eps_inside_root=True)"),
    (Adam(amsgrad=True, bias_correction=False), "AMSGrad (bias_correction=False)"),
    (RMSProp(0.01, momentum=0.9), "RMSProp (momentum=0.9)"),
    (RMSProp(0.01, centered=True), "RMSProp (centered=True)"),
    (AdaGrad(0.1, initial_accumulator_value=0.1), "AdaGrad (initial_accumulator_value=0.1)"),
], ids=repr)
def test_label_is_built_from_the_arguments(optimizer, expected):
    assert registry.label(optimizer) == expected


def test_a_class_without_an_entry_is_named_by_its_class_and_its_changed_options():
    class Signum(Optimizer):  # a made-up optimizer that no entry declares
        def __init__(self, lr: float = 1e-3, momentum: float = 0.0, decoupled: bool = True):
            self.lr, self.momentum, self.decoupled = lr, momentum, decoupled

    assert registry.label(Signum()) == "Signum"
    assert registry.label(Signum(momentum=0.9, decoupled=False)) == "Signum (momentum=0.9, decoupled=False)"


def test_options_are_the_flags_and_the_terms_off_by_default():
    assert registry.options(Adam(0.1, weight_decay=0.1)) == {
        "bias_correction": True, "eps_hat": False, "amsgrad": False, "weight_decay": True, "eps_inside_root": False}
    assert "beta1" not in registry.options(Adam()) and "lr" not in registry.options(SGD(0.1))


def test_unknown_label_names_the_known_ones():
    with pytest.raises(KeyError, match="no optimizer variant 'Nestrov'; known labels: SGD, Momentum, Nesterov"):
        registry.make("Nestrov", 0.1)


def test_the_papers_grids_build_their_optimizers_from_the_registry():
    for name in training.OPTIMIZERS:
        built = training.make_optimizer(name, {"lr": 0.01})
        assert registry.label(built) == name
        assert inspect.signature(type(built).__init__)  # a real optimizer class
    assert training.make_optimizer("Nesterov", {"lr": 0.01, "momentum": 0.99}).momentum == 0.99
