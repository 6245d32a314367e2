"""Tests of adam_edu.nn: every layer, loss and model against finite differences in float64.

The checks run at a generic point (random biases too), so that no ReLU sits exactly on its kink at
zero, and with the dropout and sampling noise fixed by passing the same integer seed on every call.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from adam_edu import nn
from adam_edu.optimizers import Adam

TOLERANCE = 1e-6  # relative error of analytic against numerical gradients, float64


def generic_point(params, seed=0):
    """The initial parameters moved to a random point (biases included), in float64."""
    rng = np.random.default_rng(seed)
    return {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}


def assert_gradients_match(loss_fn, params, analytic):
    numeric = nn.numerical_gradient(loss_fn, params)
    assert set(analytic) == set(params)
    for key in params:
        error = nn.relative_error(analytic[key], numeric[key])
        assert error < TOLERANCE, f"{key}: relative error {error:.2e}"


# ---------------------------------------------------------------------------------------------
# Layers: L = Σ y ⊙ R for a fixed random R, so that ∂L/∂y = R


def check_layer(forward, backward, x, params=None, seed=0):
    """Compare the layer's backward pass (∂L/∂x and parameter gradients) with finite differences."""
    rng = np.random.default_rng(seed)
    params = params or {}
    y, cache = forward(params, x)
    R = rng.standard_normal(y.shape)
    dx, grads = backward(params, R, cache)
    everything = {**params, "x": x}

    def loss(p):
        return float(np.sum(forward(p, p["x"])[0] * R))

    assert_gradients_match(loss, everything, {**grads, "x": dx})


@pytest.fixture
def rng():
    return np.random.default_rng(42)


def test_linear(rng):
    layer = nn.Linear(4, 3, name="fc")
    params = generic_point(layer.init(rng, np.float64))
    check_layer(layer.forward, layer.backward, rng.standard_normal((5, 4)), params)


def test_linear_skips_input_gradient_for_the_first_layer(rng):
    layer = nn.Linear(4, 3, name="fc")
    params = layer.init(rng, np.float64)
    y, cache = layer.forward(params, rng.standard_normal((2, 4)))
    dx, grads = layer.backward(params, np.ones_like(y), cache, input_grad=False)
    assert dx is None and set(grads) == {"fc.W", "fc.b"}


@pytest.mark.parametrize("layer", [nn.ReLU(), nn.Softplus(), nn.Flatten()], ids=["relu", "softplus", "flatten"])
def test_parameterless_layers(layer, rng):
    x = rng.standard_normal((3, 2, 4, 4))
    check_layer(lambda p, x: layer.forward(x), lambda p, dy, c: (layer.backward(dy, c), {}), x)


def test_dropout_gradient_with_a_fixed_mask(rng):
    layer = nn.Dropout(0.5)
    x = rng.standard_normal((6, 5))
    check_layer(lambda p, x: layer.forward(x, rng=7), lambda p, dy, c: (layer.backward(dy, c), {}), x)


def test_dropout_is_inverted_and_seeded():
    x = np.ones((200, 500))
    y, mask = nn.Dropout(0.3, seed=1).forward(x)
    assert set(np.unique(y)) == {0.0, 1 / 0.7}
    assert abs(y.mean() - 1.0) < 0.01  # E[y] = x
    assert abs((y == 0).mean() - 0.3) < 0.01
    assert_allclose(nn.Dropout(0.3, seed=1).forward(x)[0], y)  # same seed, same mask
    assert not np.array_equal(nn.Dropout(0.3, seed=2).forward(x)[0], y)
    assert nn.Dropout(0.3).forward(x, train=False)[0] is x  # identity at test time
    with pytest.raises(ValueError, match="rate must be in"):
        nn.Dropout(1.0)


def test_dropout_keeps_float32():
    y, mask = nn.Dropout(0.5).forward(np.ones((3, 3), np.float32))
    assert y.dtype == mask.dtype == np.float32


@pytest.mark.parametrize("stride, pad", [(1, 0), (1, 2), (2, 1)])
def test_conv2d(stride, pad, rng):
    layer = nn.Conv2D(2, 3, kernel_size=3, name="conv", stride=stride, pad=pad)
    params = generic_point(layer.init(rng, np.float64))
    check_layer(layer.forward, layer.backward, rng.standard_normal((2, 2, 6, 5)), params)


def naive_conv2d(x, W, b, stride, pad):
    """The definition, four loops deep."""
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    N, C, H, Wd = x.shape
    F, _, k, _ = W.shape
    H_out, W_out = (H - k) // stride + 1, (Wd - k) // stride + 1
    y = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, :, i * stride : i * stride + k, j * stride : j * stride + k]
                    y[n, f, i, j] = np.sum(window * W[f]) + b[f]
    return y


@pytest.mark.parametrize("stride, pad", [(1, 0), (1, 2), (2, 1), (3, 0)])
def test_conv2d_matches_the_definition(stride, pad, rng):
    layer = nn.Conv2D(3, 4, kernel_size=3, name="conv", stride=stride, pad=pad)
    params = generic_point(layer.init(rng, np.float64))
    x = rng.standard_normal((2, 3, 7, 8))
    y, _ = layer.forward(params, x)
    assert_allclose(y, naive_conv2d(x, params["conv.W"], params["conv.b"], stride, pad), atol=1e-12)


@pytest.mark.parametrize("size, stride, pad", [(2, 2, 0), (3, 2, 0), (3, 2, 1), (3, 1, 1)])
def test_maxpool2d(size, stride, pad, rng):
    layer = nn.MaxPool2D(size, stride, pad)
    x = rng.standard_normal((2, 3, 7, 6))
    check_layer(lambda p, x: layer.forward(x), lambda p, dy, c: (layer.backward(dy, c), {}), x)


def test_maxpool2d_values_and_ties():
    x = np.array([[[[1.0, 2.0, 0.0], [5.0, 5.0, 1.0], [0.0, 3.0, 4.0]]]])
    layer = nn.MaxPool2D(2, 1)
    y, cache = layer.forward(x)
    assert_allclose(y[0, 0], [[5, 5], [5, 5]])
    dx = layer.backward(np.ones_like(y), cache)
    # Windows (0, 0) and (1, 0) hold a tie 5 = 5: it goes to the first maximum (row by row), as in
    # PyTorch, so x[1, 0] gets those two and x[1, 1] the other two windows (last-wins would give 0, 4).
    assert_allclose(dx[0, 0], [[0, 0, 0], [2, 2, 0], [0, 0, 0]])


def test_pooling_a_window_too_large_names_the_sizes():
    with pytest.raises(ValueError, match="does not fit"):
        nn.MaxPool2D(3, 2).forward(np.zeros((1, 1, 2, 2)))


# ---------------------------------------------------------------------------------------------
# Losses


def test_softmax_cross_entropy_value_and_gradient(rng):
    logits, labels = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    loss, dlogits = nn.softmax_cross_entropy(logits, labels)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.log(probs[np.arange(6), labels]).mean(), rel=1e-12)
    numeric = nn.numerical_gradient(lambda p: nn.softmax_cross_entropy(p["z"], labels)[0], {"z": logits})
    assert nn.relative_error(dlogits, numeric["z"]) < TOLERANCE


def test_softmax_cross_entropy_is_stable():
    logits = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, 1e4]], np.float32)
    loss, dlogits = nn.softmax_cross_entropy(logits, np.array([0, 0]))
    assert loss == pytest.approx(1e4, rel=1e-6)  # the second row's NLL is 2e4, the first's 0
    assert np.isfinite(dlogits).all() and dlogits.dtype == np.float32


def test_binary_cross_entropy_with_logits(rng):
    z, t = rng.standard_normal((5, 3)) * 3, rng.random((5, 3))
    loss, dz = nn.binary_cross_entropy_with_logits(z, t)
    p = 1 / (1 + np.exp(-z))
    assert loss == pytest.approx(-(t * np.log(p) + (1 - t) * np.log(1 - p)).sum() / 5, rel=1e-12)
    numeric = nn.numerical_gradient(lambda q: nn.binary_cross_entropy_with_logits(q["z"], t)[0], {"z": z})
    assert nn.relative_error(dz, numeric["z"]) < TOLERANCE
    big_loss, big_grad = nn.binary_cross_entropy_with_logits(np.array([[800.0, -800.0]]), np.array([[0.0, 1.0]]))
    assert big_loss == pytest.approx(1600.0) and np.isfinite(big_grad).all()


def test_gaussian_kl(rng):
    mu, log_var = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    kl, dmu, dlog_var = nn.gaussian_kl(mu, log_var)
    var = np.exp(log_var)  # closed form, one dimension at a time: log(1/σ) + (σ² + μ²)/2 − ½
    assert kl == pytest.approx((np.log(1 / np.sqrt(var)) + (var + mu**2) / 2 - 0.5).sum() / 4, rel=1e-12)
    assert nn.gaussian_kl(np.zeros((2, 3)), np.zeros((2, 3)))[0] == 0.0  # q = prior
    numeric = nn.numerical_gradient(lambda p: nn.gaussian_kl(p["mu"], p["lv"])[0], {"mu": mu, "lv": log_var})
    assert nn.relative_error(dmu, numeric["mu"]) < TOLERANCE
    assert nn.relative_error(dlog_var, numeric["lv"]) < TOLERANCE


def test_l2_penalty_skips_biases(rng):
    params = {"fc.W": rng.standard_normal((3, 2)), "fc.b": rng.standard_normal(2)}
    penalty, grads = nn.l2_penalty(params, 0.1)
    assert penalty == pytest.approx(0.05 * np.sum(params["fc.W"] ** 2))
    assert set(grads) == {"fc.W"}
    numeric = nn.numerical_gradient(lambda p: nn.l2_penalty(p, 0.1)[0], params)
    assert nn.relative_error(grads["fc.W"], numeric["fc.W"]) < TOLERANCE


# ---------------------------------------------------------------------------------------------
# Models: small widths, float64, dropout on with a fixed mask

SMALL_MODELS = {
    "logistic": lambda: (nn.LogisticRegression(6, 3, l2=0.1, input_dropout=0.5), (5, 6), 3),
    "mlp": lambda: (nn.MLP(6, hidden=(5, 4), n_classes=3, l2=0.01), (5, 6), 3),
    "mlp-deep": lambda: (nn.MLP(4, hidden=(3, 3, 3), n_classes=2, dropout=0.0, input_dropout=0.0), (4, 4), 2),
    "cnn": lambda: (nn.CNN((2, 8, 8), channels=(3, 2), n_hidden=5, n_classes=3, kernel_size=3, l2=0.01), (3, 2, 8, 8), 3),
    "vae": lambda: (nn.VAE(7, n_hidden=5, n_latent=3), (4, 7), None),
}


@pytest.mark.parametrize("name", SMALL_MODELS)
def test_model_gradients(name):
    model, x_shape, n_classes = SMALL_MODELS[name]()
    data = np.random.default_rng(1)
    x = data.random(x_shape)
    y = None if n_classes is None else data.integers(0, n_classes, x_shape[0])
    params = generic_point(model.init(seed=0, dtype=np.float64))
    loss, grads = model.loss_and_grads(params, x, y, rng=3)
    assert np.isfinite(loss)
    assert all(grads[k].shape == params[k].shape and grads[k].dtype == np.float64 for k in params)
    assert_gradients_match(lambda p: model.loss_and_grads(p, x, y, rng=3)[0], params, grads)


def test_paper_sized_cnn_gradient_on_a_few_entries():
    """The full c64-c64-c128-1000 on two 32×32 images, checked on the two largest entries of each array."""
    model = nn.CNN(in_shape=(3, 32, 32))
    params = model.init(seed=0, dtype=np.float64)
    x, y = np.random.default_rng(0).standard_normal((2, 3, 32, 32)), np.array([1, 7])
    loss, grads = model.loss_and_grads(params, x, y, rng=5)
    h = 1e-6
    for key, theta in params.items():
        entries = np.argsort(np.abs(grads[key]), axis=None)[-2:]
        analytic, numeric = [], []
        for flat in entries:
            i = np.unravel_index(flat, theta.shape)
            original = theta[i]
            theta[i] = original + h
            loss_plus = model.loss_and_grads(params, x, y, rng=5)[0]
            theta[i] = original - h
            loss_minus = model.loss_and_grads(params, x, y, rng=5)[0]
            theta[i] = original
            analytic.append(grads[key][i])
            numeric.append((loss_plus - loss_minus) / (2 * h))
        assert nn.relative_error(np.array(analytic), np.array(numeric)) < TOLERANCE, key


def test_paper_shapes():
    mlp = nn.MLP().init()
    assert [mlp[k].shape for k in mlp] == [(784, 1000), (1000,), (1000, 1000), (1000,), (1000, 10), (10,)]
    cnn = nn.CNN().init()
    assert cnn["conv1.W"].shape == (64, 3, 5, 5) and cnn["conv3.W"].shape == (128, 64, 5, 5)
    assert cnn["fc1.W"].shape == (128 * 4 * 4, 1000)  # 32 → 16 → 8 → 4
    assert nn.CNN(in_shape=(1, 28, 28)).init()["fc1.W"].shape == (128 * 4 * 4, 1000)  # 28 → 14 → 7 → 4
    vae = nn.VAE().init()
    assert vae["enc.W"].shape == (784, 500) and vae["mu.W"].shape == (500, 50) and vae["out.W"].shape == (500, 784)
    assert nn.LogisticRegression(10_000, 2).init()["fc.W"].shape == (10_000, 2)


def test_init_is_seeded_and_float32_by_default():
    model = nn.MLP(8, hidden=(6,), n_classes=3)
    a, b, c = model.init(seed=1), model.init(seed=1), model.init(seed=2)
    assert all(v.dtype == np.float32 for v in a.values())
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["fc1.W"], c["fc1.W"])
    assert model.init(seed=1, dtype=np.float64)["fc1.W"].dtype == np.float64
    with pytest.raises(TypeError, match="floating-point"):
        model.init(dtype=np.int32)


def test_float32_stays_float32():
    model = nn.CNN((1, 8, 8), channels=(2,), n_hidden=4)
    params = model.init()
    loss, grads = model.loss_and_grads(params, np.random.default_rng(0).random((3, 64)), np.array([0, 1, 2]))
    assert all(g.dtype == np.float32 for g in grads.values())


def test_dropout_noise_comes_from_the_seed():
    model = nn.MLP(5, hidden=(8,), n_classes=2, dropout=0.5)
    params = model.init()
    x, y = np.ones((4, 5)), np.array([0, 1, 0, 1])
    assert model.loss_and_grads(params, x, y, rng=1)[0] == model.loss_and_grads(params, x, y, rng=1)[0]
    assert model.loss(params, x, y) == model.loss(params, x, y)  # no noise at test time
    first = nn.MLP(5, hidden=(8,), n_classes=2, noise_seed=4).loss_and_grads(params, x, y)[0]
    again = nn.MLP(5, hidden=(8,), n_classes=2, noise_seed=4).loss_and_grads(params, x, y)[0]
    assert first == again


def test_logistic_regression_accepts_sparse_input():
    sparse = pytest.importorskip("scipy.sparse")
    dense = (np.random.default_rng(0).random((6, 20)) < 0.2).astype(np.float64)
    x, y = sparse.csr_array(dense), np.array([0, 1, 1, 0, 1, 0])
    model = nn.LogisticRegression(20, 2)
    params = generic_point(model.init(dtype=np.float64))
    loss_dense, grads_dense = model.loss_and_grads(params, dense, y)
    loss_sparse, grads_sparse = model.loss_and_grads(params, x, y)
    assert loss_sparse == pytest.approx(loss_dense, rel=1e-12)
    assert_allclose(grads_sparse["fc.W"], grads_dense["fc.W"], rtol=1e-12)
    # with dropout on the stored entries of the sparse input: the gradient check
    model = nn.LogisticRegression(20, 2, input_dropout=0.5)
    loss, grads = model.loss_and_grads(params, x, y, rng=4)
    assert_gradients_match(lambda p: model.loss_and_grads(p, x, y, rng=4)[0], params, grads)


def test_dropout_on_sparse_input_keeps_it_sparse():
    sparse = pytest.importorskip("scipy.sparse")
    rng = np.random.default_rng(0)
    x = sparse.csr_array((rng.random((300, 400)) < 0.05) * rng.random((300, 400), dtype=np.float32))
    nnz = x.nnz
    y, mask = nn.Dropout(0.5).forward(x, rng=0)
    assert sparse.issparse(y) and y.dtype == np.float32 and x.nnz == nnz  # the input is left alone
    kept = y.data != 0
    assert_allclose(y.data[kept], 2 * x.data[kept])
    assert abs(kept.mean() - 0.5) < 0.03
    with pytest.raises(ValueError, match="sparse"):
        nn.Dropout(0.5).backward(np.ones((300, 400)), mask)


@pytest.mark.parametrize(
    "model, x_shape",
    [
        (nn.LogisticRegression(16, 4), (64, 16)),
        (nn.MLP(16, hidden=(32, 32), n_classes=4, dropout=0.1, input_dropout=0.0), (64, 16)),
        (nn.CNN((1, 4, 4), channels=(4,), n_hidden=16, n_classes=4, kernel_size=3, input_dropout=0.0), (64, 16)),
    ],
    ids=["logistic", "mlp", "cnn"],
)
def test_adam_lowers_the_training_loss(model, x_shape):
    """The parameter dict plugs straight into ``opt.update`` (and ``opt.step``, in the VAE test)."""
    data = np.random.default_rng(0)
    x = data.standard_normal(x_shape).astype(np.float32)
    y = (x[:, :4] ** 2).argmax(axis=1)  # a learnable rule
    params = model.init(seed=0)
    opt = Adam(lr=0.01)
    state = opt.init(params)
    before = model.loss(params, x, y)
    for step in range(60):
        _, grads = model.loss_and_grads(params, x, y, rng=step)
        params, state = opt.update(params, grads, state)
    assert model.loss(params, x, y) < 0.7 * before


def test_vae_lowers_the_negative_elbo():
    x = (np.random.default_rng(0).random((64, 16)) < 0.3).astype(np.float32)
    model = nn.VAE(16, n_hidden=32, n_latent=4)
    params = model.init(seed=0)
    opt = Adam(lr=0.01)
    state = opt.init(params)
    before = model.loss(params, x, rng=0)
    for step in range(100):
        _, grads = model.loss_and_grads(params, x, rng=step)
        state = opt.step(params, grads, state)
    assert model.loss(params, x, rng=0) < 0.8 * before


def test_cnn_starts_at_chance():
    """The CNN's output layer starts at zero, so its first cost is ln(n_classes) whatever the input's scale."""
    model = nn.CNN((1, 8, 8), channels=(4, 4), n_hidden=8, kernel_size=3)
    params = model.init(seed=3, dtype=np.float64)
    x = 10 * np.random.default_rng(0).standard_normal((5, 1, 8, 8))
    assert model.loss(params, x, np.arange(5)) == pytest.approx(np.log(10), rel=1e-12)
    assert np.abs(params["fc1.W"]).max() > 0
