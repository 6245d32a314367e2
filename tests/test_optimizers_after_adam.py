"""Adafactor, Lion, schedule-free AdamW and Muon (notebook 12): library paths, exact values, bad input.

Reference paths: tests/data/reference_after_adam.json, made by ``tools/make_reference_data.py after_adam``
with torch 2.13.0, keras 3.15.1 (JAX backend, 64-bit) and optax 0.2.8 (the file's header says which). Each
case is an adam_edu optimizer with its keywords, an objective (the cubic, Rosenbrock, or a least-squares
problem with a 3×2 matrix W and a bias b, so that Adafactor factors and Muon orthogonalises), a dtype, and the
parameters after some of 300 steps. The gradients come from the same NumPy expressions in the maker and here.

Which library checks which convention (each read from the library's source):

* Lion: Keras 3 ``Lion`` and Optax ``lion``, the paper's rule, with and without weight decay.
* Adafactor: Keras 3 ``Adafactor`` is the paper's (ε1 added to G², ρ_t = min(lr, 1/√t)): the defaults.
  PyTorch's ``Adafactor`` clamps with ε1 instead of adding it (``eps1_clamped=True``) and decays the weights
  by lr·λ (``weight_decay``). Keras computes t^τ with τ rounded to float32 (the cases use τ exact in float32)
  and its RMS to about 1e-8 relative (measured), so its float64 cases are compared at ``KERAS_ADAFACTOR``.
  Keras's Muon takes √max(A, B) of the integer shape in float32 (``KERAS_MUON_MATRIX``).
* Schedule-free AdamW: Optax ``contrib.schedule_free_adamw`` (with weight decay) and Keras 3
  ``ScheduleFreeAdamW`` (without), both without warm-up: Optax's base step counts its warm-up from 0 and its
  averaging weight from 1 (its first step leaves z where it was), Keras averages with c = 1/t during warm-up;
  adam_edu follows the authors' code (γ·t/T_warmup in both). Warm-up is checked by exact values below.
* Muon: Keras 3 ``Muon`` (momentum as a sum, scale 0.2·√max(A, B), ε̂-Adam for vectors):
  ``Muon(sum_momentum=True, adjust_lr="match_rms_adamw", adam_eps_hat=True)``. PyTorch's ``Muon`` runs
  Newton–Schulz in bfloat16, so no path of it is a reference at these tolerances (``test_newton_schulz_...``
  checks the iteration itself).

Tolerances: float64 1e-12 (largest measured 4.4e-16 but Keras's Adafactor); float32 3e-6 (the float32
rounding of 300 steps; largest measured 2.2e-6, PyTorch's Adafactor on the matrix), and 3e-5 for
schedule-free AdamW in float32, whose x is recovered from y and z by (y − (1 − β1)·z)/β1 at every step,
which multiplies the rounding by up to 1/β1 (largest measured 1.4e-5, Keras on Rosenbrock).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import numpy as np
import pytest

from adam_edu import optimizers
from adam_edu.optimizers import Adafactor, Adam, AdamW, Lion, Muon, ScheduleFreeAdamW, newton_schulz

DATA = Path(__file__).parent / "data" / "reference_after_adam.json"
REFERENCE = json.loads(DATA.read_text(encoding="utf-8"))
CASES = REFERENCE["cases"]
CASE_BY_ID = {case["id"]: case for case in CASES}
MATRIX = {name: np.array(value) for name, value in REFERENCE["header"]["matrix_data"].items()}
AFTER_ADAM = (Adafactor, Lion, ScheduleFreeAdamW, Muon)

TOLERANCE = {"float64": {"rtol": 1e-12, "atol": 1e-12}, "float32": {"rtol": 3e-6, "atol": 3e-6}}
KERAS_ADAFACTOR = {"rtol": 0.0, "atol": 5e-8}  # Keras's RMS is good to ~1e-8 relative; 1.65e-8 measured
SCHEDULE_FREE_FLOAT32 = {"rtol": 0.0, "atol": 3e-5}  # 1.43e-5 measured
KERAS_MUON_MATRIX = {"rtol": 0.0, "atol": 1e-8}  # Keras takes √max(A, B) of the integer shape in float32; 4.6e-9


def tolerance_of(case: dict) -> dict:
    if case["optimizer"] == "Adafactor" and case["library"].startswith("keras") and case["dtype"] == "float64":
        return KERAS_ADAFACTOR
    if case["optimizer"] == "ScheduleFreeAdamW" and case["dtype"] == "float32":
        return SCHEDULE_FREE_FLOAT32
    if case["optimizer"] == "Muon" and case["objective"] == "matrix" and case["dtype"] == "float64":
        return KERAS_MUON_MATRIX
    return TOLERANCE[case["dtype"]]


def gradient(objective: str, tree: dict) -> dict:
    if objective == "matrix":
        X, Y = (MATRIX[k].astype(tree["W"].dtype) for k in ("X", "Y"))
        residual = X @ tree["W"] + tree["b"] - Y
        return {"W": X.T @ residual / len(X), "b": residual.mean(axis=0)}
    p = tree["p"]
    if objective == "cubic":
        return {"p": 3.0 * p**2 - 4.0 * p}
    x, y = p[0], p[1]
    return {"p": np.stack([-2.0 * (1.0 - x) - 400.0 * x * (y - x**2), 200.0 * (y - x**2)])}


def run(case: dict, *, kwargs: dict | None = None, in_place: bool = False) -> np.ndarray:
    """adam_edu's path for a case (its rows: the parameters at the saved steps, W.ravel() then b)."""
    dtype = np.dtype(case["dtype"])
    if case["objective"] == "matrix":
        tree = {k: np.array(v, dtype=dtype) for k, v in case["x0"].items()}
    else:
        tree = {"p": np.array(case["x0"], dtype=dtype)}
    opt = getattr(optimizers, case["optimizer"])(**{**case["kwargs"], **(kwargs or {})})
    state, saved = opt.init(tree), set(case["saved_steps"])
    rows = [np.concatenate([a.ravel() for a in tree.values()])]
    for t in range(1, case["steps"] + 1):
        g = gradient(case["objective"], tree)
        if in_place:
            state = opt.step(tree, g, state)
        else:
            tree, state = opt.update(tree, g, state)
        if t in saved:
            rows.append(np.concatenate([a.ravel() for a in tree.values()]))
    return np.array(rows)


@functools.lru_cache(maxsize=None)
def path_by_update(case_id: str) -> np.ndarray:
    return run(CASE_BY_ID[case_id])


def by_id(cases: list) -> dict:
    return {"argvalues": cases, "ids": [case["id"] for case in cases]}


@pytest.mark.parametrize("case", **by_id(CASES))
def test_update_follows_the_library(case):
    ours, reference = path_by_update(case["id"]), np.array(case["trajectory"], dtype=case["dtype"])
    assert ours.dtype == np.dtype(case["dtype"])
    np.testing.assert_allclose(ours, reference, **tolerance_of(case),
                               err_msg=f"{case['id']}: adam_edu leaves the path of {case['library_call']}")


@pytest.mark.parametrize("case", **by_id(CASES))
def test_step_in_place_equals_update_bit_for_bit(case):
    np.testing.assert_array_equal(run(case, in_place=True), path_by_update(case["id"]), err_msg=case["id"])


# Each convention against its other setting, in float64: the reference must tell them apart. Not Muon's
# sum_momentum: it changes the length of the momentum, not its direction, and the normalisation removes the
# length up to ε (``test_muon_sum_momentum_is_the_same_direction``), below the Keras cases' tolerance.
OTHER_SETTING = {"eps1_clamped": False, "adam_eps_hat": False,
                 "adjust_lr": "original", "weight_decay": 0.0, "nesterov": True}
CONVENTION_CASES = [(case, keyword) for case in CASES if case["dtype"] == "float64"
                    and case["objective"] in ("matrix", "cubic")
                    for keyword, value in case["kwargs"].items()
                    if keyword in OTHER_SETTING and value != OTHER_SETTING[keyword]
                    and not (keyword in ("sum_momentum", "adjust_lr", "nesterov") and case["objective"] != "matrix")
                    and not (keyword == "adam_eps_hat" and case["objective"] == "matrix")
                    and not (keyword == "weight_decay" and case["optimizer"] == "Muon" and case["objective"] != "matrix")
                    and not (keyword == "eps1_clamped" and case["kwargs"]["eps1"] < 1e-6)]  # ε1 = 1e-30 cannot tell


@pytest.mark.parametrize(("case", "keyword"), CONVENTION_CASES, ids=[f"{c['id']}-{k}" for c, k in CONVENTION_CASES])
def test_float64_cases_tell_each_convention(case, keyword):
    other = run(case, kwargs={keyword: OTHER_SETTING[keyword]})
    tolerance, reference = tolerance_of(case), np.array(case["trajectory"])
    outside = np.abs(other - reference) > tolerance["atol"] + tolerance["rtol"] * np.abs(reference)
    assert outside.any(), f"{case['id']}: {keyword}={OTHER_SETTING[keyword]!r} would pass at this tolerance"


def test_every_class_has_reference_paths_on_every_objective_in_both_dtypes():
    for cls in AFTER_ADAM:
        combos = {(c["objective"], c["dtype"]) for c in CASES if c["optimizer"] == cls.__name__}
        assert combos == {(o, d) for o in ("cubic", "rosenbrock", "matrix") for d in TOLERANCE}, cls.__name__


def test_the_conventions_have_library_paths():
    kwargs = [c["kwargs"] for c in CASES]
    assert any(k.get("eps1_clamped") for k in kwargs) and any("eps1_clamped" not in k for k in kwargs
                                                               if "eps1" in k)
    assert any(k.get("sum_momentum") and k.get("adjust_lr") == "match_rms_adamw" for k in kwargs)
    assert any(k.get("weight_decay") for k in kwargs if "warmup_steps" in k or "beta2_decay" in k or "ns_steps" in k)
    assert {c["library"].split()[0] for c in CASES} == {"keras", "torch", "optax"}


def test_reference_file_says_how_it_was_made():
    header = REFERENCE["header"]
    assert header["made_by"].startswith("tools/make_reference_data.py after_adam")
    assert header["keras"] and header["torch"] and header["optax"] and header["numpy"] and header["date"]
    assert max(case["sensitivity"] for case in CASES) <= 1000
    for case in CASES:  # a path that stays near x0 would pass for almost any rule
        path = np.array(case["trajectory"])
        assert np.abs(path[-1] - path[0]).max() > 0.01, case["id"]


# --- exact values, written out -------------------------------------------------------------------


def test_lion_moves_every_coordinate_by_exactly_lr():
    opt = Lion(lr=0.1, beta1=0.9, beta2=0.99)
    theta = np.array([1.0, -2.0, 3.0])
    new, state = opt.update(theta, np.array([1e-8, -5.0, 1e3]), opt.init(theta))
    np.testing.assert_array_equal(state.delta, [-0.1, 0.1, -0.1])  # the gradient's size does not matter
    np.testing.assert_allclose(state.m, [1e-10, -0.05, 10.0], rtol=1e-15)  # m_t with β2, not β1
    # step 2: c_2 = β1·m_1 + (1 − β1)·g_2 mixes with β1 = 0.9: g_2 = −2e-9 turns sign(c) negative
    # (0.9·1e-10 − 0.1·2e-9 = −1.1e-10), where m_2 = 0.99·1e-10 − 0.01·2e-9 = 7.9e-11 stays positive
    newer, state = opt.update(new, np.array([-2e-9, 0.0, 0.0]), state)
    assert (newer - new)[0] == pytest.approx(0.1) and state.m[0] > 0


def test_lion_weight_decay_is_multiplied_by_lr():
    opt = Lion(lr=0.1, weight_decay=0.5)
    theta = np.array([2.0])
    new, _ = opt.update(theta, np.array([1.0]), opt.init(theta))
    assert new[0] == pytest.approx(2.0 - 0.1 * (1.0 + 0.5 * 2.0), rel=1e-15)


def test_adafactor_factors_a_matrix_into_rows_and_columns():
    rng = np.random.default_rng(1)
    W, G = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    opt = Adafactor()
    state = opt.init({"W": W, "b": W[0]})
    assert state.r["W"].shape == (4,) and state.c["W"].shape == (3,) and state.v["W"] is None
    assert state.v["b"].shape == (3,) and state.r["b"] is None and state.m["W"] is None
    new, state = opt.update({"W": W, "b": W[0]}, {"W": G, "b": G[0]}, state)
    # t = 1: β̂21 = 0, so R_1, C_1 are the row and column means of G² + ε1 and V̂_1 their rank-1 product
    g2 = G**2 + 1e-30
    v_hat = np.outer(g2.mean(axis=1), g2.mean(axis=0)) / g2.mean()
    np.testing.assert_allclose(state.v_hat["W"], v_hat, rtol=1e-14)
    u = G / np.sqrt(v_hat)
    u_hat = u / max(1.0, np.sqrt(np.mean(u**2)))
    alpha = max(1e-3, np.sqrt(np.mean(W**2))) * 1e-2  # ρ_1 = min(10⁻², 1/√1)
    np.testing.assert_allclose(new["W"], W - alpha * u_hat, rtol=1e-14)


def test_adafactor_of_a_rank_one_second_moment_is_exact():
    # If G² is itself rank one (G = a·bᵀ), the factored estimate loses nothing: V̂_1 = G² (+ ε1).
    G = np.outer([1.0, 2.0, 3.0], [0.5, -1.0])
    opt = Adafactor(eps1=0.0)
    _, state = opt.update(np.ones((3, 2)), G, opt.init(np.ones((3, 2))))
    np.testing.assert_allclose(state.v_hat, G**2, rtol=1e-14)


def test_adafactor_first_moment_and_decay_rate():
    opt = Adafactor(beta1=0.9)
    theta = np.array([1.0, 1.0])
    _, state = opt.update(theta, np.array([1.0, -1.0]), opt.init(theta))
    # U = ±1 and RMS(U) = 1: no clipping; α_1 = RMS(θ)·10⁻² = 0.01; m_1 = 0.1·α_1·Û_1
    np.testing.assert_allclose(state.m, [0.001, -0.001], rtol=1e-14)
    assert 1 - 2.0**-0.8 == pytest.approx(0.4256, abs=1e-4)  # β̂22, the weight of the past at t = 2


def test_adafactor_update_clipping_caps_the_rms_of_the_update():
    opt = Adafactor(clip_threshold=1.0, beta2_decay=-0.8)
    theta = np.full(4, 10.0)
    state = opt.init(theta)
    theta, state = opt.update(theta, np.full(4, 1e-3), state)  # V ~ 1e-6
    new, _ = opt.update(theta, np.full(4, 1.0), state)  # a gradient 1000 times larger: U_2 ≈ 1000/√(1−β̂)
    alpha = np.sqrt(np.mean(theta**2)) * 1e-2
    np.testing.assert_allclose(np.sqrt(np.mean((new - theta) ** 2)), alpha, rtol=1e-12)  # RMS(Û) = d = 1


def test_schedule_free_with_constant_lr_averages_z_uniformly():
    opt = ScheduleFreeAdamW(lr=0.1, beta1=0.9)
    rng = np.random.default_rng(2)
    y = rng.normal(size=3)
    state = opt.init(y)
    zs = []
    for _ in range(6):
        y, state = opt.update(y, rng.normal(size=3), state)
        zs.append(state.z.copy())
    np.testing.assert_allclose(opt.evaluation_params(y, state), np.mean(zs, axis=0), rtol=1e-12)  # c = 1/t
    np.testing.assert_allclose(y, 0.1 * state.z + 0.9 * np.mean(zs, axis=0), rtol=1e-12)


def test_schedule_free_warmup_follows_the_authors_code():
    opt = ScheduleFreeAdamW(lr=0.4, warmup_steps=4)
    assert [opt.learning_rate(t) for t in (1, 2, 4, 9)] == [0.1, 0.2, 0.4, 0.4]
    theta = np.array([1.0])
    state = opt.init(theta)
    theta, state = opt.update(theta, np.array([1.0]), state)
    assert state.z[0] == pytest.approx(1.0 - 0.1 * 1.0 / (1.0 + 1e-8), rel=1e-14)  # z moves at step 1: γ_1 = γ/4
    theta, state = opt.update(theta, np.array([1.0]), state)
    assert state.weight_sum == pytest.approx(0.1**2 + 0.2**2) and state.lr_max == 0.2
    x = opt.evaluation_params(theta, state)
    # c_3 = 0.2²/(0.1² + 0.2²) = 0.8: x leans to the later z
    assert x[0] == pytest.approx(0.2 * (1.0 - 0.1 / (1 + 1e-8)) + 0.8 * state.z[0], rel=1e-12)


def test_newton_schulz_orthogonalises_and_matches_the_svd_direction():
    rng = np.random.default_rng(3)
    G = rng.normal(size=(6, 4)) @ np.diag([10.0, 3.0, 1.0, 0.3])  # singular values ~30 apart
    O = newton_schulz(G)
    singular = np.linalg.svd(O, compute_uv=False)
    assert singular.max() < 1.25 and singular.min() > 0.6, singular  # all near 1, not 30 apart
    U, _, Vt = np.linalg.svd(G, full_matrices=False)
    assert np.sum(O * (U @ Vt)) / (np.linalg.norm(O) * np.linalg.norm(U @ Vt)) > 0.95  # the direction of U·Vᵀ
    np.testing.assert_allclose(newton_schulz(G.T), O.T, rtol=1e-12)  # tall and wide: the same rule
    assert np.isclose(3.4445 - 4.7750 + 2.0315, 0.701)  # φ(1) = a + b + c: five steps do not converge to 1


def test_muon_takes_adams_step_for_vectors_to_the_bit():
    muon, adam = Muon(adam_lr=0.01, adam_beta1=0.9, adam_beta2=0.95, adam_eps=1e-10), Adam(0.01, 0.9, 0.95, 1e-10)
    muon_keras = Muon(adam_lr=0.01, adam_beta2=0.95, adam_eps=1e-10, adam_eps_hat=True)
    keras_adam = Adam(0.01, 0.9, 0.95, 1e-10, eps_hat=True)
    rng = np.random.default_rng(4)
    theta = rng.normal(size=5)
    states = [o.init(theta) for o in (muon, adam, muon_keras, keras_adam)]
    params = [theta] * 4
    for _ in range(5):
        g = rng.normal(size=5)
        pairs = [o.update(p, g, s) for o, p, s in zip((muon, adam, muon_keras, keras_adam), params, states)]
        params, states = [p for p, _ in pairs], [s for _, s in pairs]
        np.testing.assert_array_equal(params[0], params[1])
        np.testing.assert_array_equal(params[2], params[3])


def test_muon_step_on_a_matrix():
    rng = np.random.default_rng(5)
    W, G = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    opt = Muon(lr=0.02, momentum=0.95, weight_decay=0.1)
    new, state = opt.update(W, G, opt.init(W))
    assert state.v is None  # a matrix keeps one buffer
    m = 0.05 * G
    u = 0.05 * G + 0.95 * m  # Nesterov: (1 − μ)·g + μ·m
    expected = W * (1 - 0.02 * 0.1) - 0.02 * np.sqrt(6 / 3) * newton_schulz(u)
    np.testing.assert_allclose(new, expected, rtol=1e-14)
    assert opt.scale((3, 6)) == 1.0 and Muon(adjust_lr="match_rms_adamw").scale((3, 6)) == pytest.approx(
        0.2 * np.sqrt(6))


def test_muon_sum_momentum_is_the_same_direction():
    rng = np.random.default_rng(6)
    W = rng.normal(size=(4, 4))
    paths = []
    for sum_momentum in (False, True):
        opt = Muon(lr=0.01, eps=0.0, sum_momentum=sum_momentum)
        theta, state = W.copy(), opt.init(W)
        for _ in range(5):
            theta, state = opt.update(theta, rng.normal(size=(4, 4)) if False else np.cos(theta), state)
        paths.append(theta)
    np.testing.assert_allclose(paths[0], paths[1], rtol=1e-12)  # ε = 0: the normalisation removes 1/(1 − μ)


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", AFTER_ADAM)
@pytest.mark.parametrize("lr", [0.0, -0.01])
def test_lr_must_be_positive(cls, lr):
    with pytest.raises(ValueError, match=re.escape(f"lr must be > 0, got {lr!r}")):
        cls(lr=lr)


@pytest.mark.parametrize(("cls", "keyword", "value", "message"), [
    (Adafactor, "beta2_decay", 0.5, "beta2_decay must be <= 0, got 0.5"),
    (Adafactor, "eps1", -1.0, "eps1 must be >= 0, got -1.0"),
    (Adafactor, "eps2", -1.0, "eps2 must be >= 0, got -1.0"),
    (Adafactor, "clip_threshold", 0.0, "clip_threshold must be > 0, got 0.0"),
    (Adafactor, "beta1", 1.0, "beta1 must be in [0, 1), got 1.0"),
    (Adafactor, "weight_decay", -0.1, "weight_decay must be >= 0, got -0.1"),
    (Lion, "beta1", 1.0, "beta1 must be in [0, 1), got 1.0"),
    (Lion, "beta2", -0.1, "beta2 must be in [0, 1), got -0.1"),
    (Lion, "weight_decay", -0.1, "weight_decay must be >= 0, got -0.1"),
    (ScheduleFreeAdamW, "beta1", 0.0, "beta1 must be in (0, 1), got 0.0"),
    (ScheduleFreeAdamW, "beta2", 1.0, "beta2 must be in [0, 1), got 1.0"),
    (ScheduleFreeAdamW, "eps", -1e-8, "eps must be >= 0, got -1e-08"),
    (ScheduleFreeAdamW, "warmup_steps", -1, "warmup_steps must be an integer >= 0, got -1"),
    (Muon, "momentum", 1.0, "momentum must be in [0, 1), got 1.0"),
    (Muon, "ns_steps", -1, "ns_steps must be an integer >= 0, got -1"),
    (Muon, "adam_lr", 0.0, "adam_lr must be > 0, got 0.0"),
    (Muon, "adam_beta2", 1.0, "adam_beta2 must be in [0, 1), got 1.0"),
    (Muon, "adjust_lr", "rms", "adjust_lr must be one of 'original', 'match_rms_adamw', got 'rms'"),
])
def test_bad_hyper_parameters_are_named_with_their_range(cls, keyword, value, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        cls(**{keyword: value})


@pytest.mark.parametrize(("cls", "keyword", "value", "message"), [
    (ScheduleFreeAdamW, "warmup_steps", 2.5, "warmup_steps must be an integer, got 2.5 of type float"),
    (Muon, "ns_steps", True, "ns_steps must be an integer, got True of type bool"),
    (Muon, "nesterov", "yes", "nesterov must be True or False, got 'yes'"),
    (Adafactor, "eps1_clamped", 1, "eps1_clamped must be True or False, got 1"),
    (Lion, "lr", "0.1", "lr must be a real number, got '0.1' of type str"),
])
def test_wrong_types_are_named(cls, keyword, value, message):
    with pytest.raises(TypeError, match=re.escape(message)):
        cls(**{keyword: value})


@pytest.mark.parametrize("cls", AFTER_ADAM)
def test_the_interface_checks_hold(cls):
    opt = cls(lr=0.01)
    with pytest.raises(ValueError, match=re.escape("grads has shape (4,), but params has shape (3,)")):
        opt.update(np.zeros(3), np.zeros(4), opt.init(np.zeros(3)))
    with pytest.raises(ValueError, match=re.escape("grads has 1 non-finite value(s) (nan or inf) at step t=1")):
        opt.update(np.zeros(3), np.array([0.0, np.nan, 0.0]), opt.init(np.zeros(3)))
    with pytest.raises(TypeError, match=re.escape(f"state must be the {cls.State.__name__}")):
        opt.update(np.zeros(3), np.zeros(3), AdamW().init(np.zeros(3)))
    with pytest.raises(TypeError, match=re.escape("params must be a floating-point array, got dtype int64")):
        opt.init(np.arange(3))
    params = {"t": np.array(1.0), "W": np.ones((2, 3)), "b": np.ones(3)}  # 0-D, 2-D and 1-D together
    state = opt.init(params)
    for _ in range(2):
        params, state = opt.update(params, {"t": np.array(0.5), "W": np.ones((2, 3)), "b": np.ones(3)}, state)
    assert all(np.isfinite(a).all() for a in params.values())
