r"""The small neural networks of the paper's experiments, with their gradients written out by hand.

Kingma & Ba (§6) compare optimizers on four models; each is a small class here:

=====================  ==================================================================  =========
model                  architecture                                                        paper
=====================  ==================================================================  =========
``LogisticRegression`` softmax on the raw input vector, optional L2 and input dropout      §6.1
``MLP``                784-1000-1000-10, ReLU, dropout                                     §6.2
``CNN``                c64-c64-c128-1000: 5×5 convolutions, 3×3 max-pooling with stride 2  §6.3
``VAE``                Kingma & Welling's: 500 softplus units, a 50-dimensional Gaussian   §6.4
=====================  ==================================================================  =========

Every model has the same interface, and its parameters are a dict of ndarrays that plugs straight
into the optimizers of :mod:`adam_edu.optimizers`::

    model = MLP(hidden=(64, 64))
    params = model.init(seed=0)                      # the same start for every optimizer compared
    opt = Adam(lr=1e-3)
    state = opt.init(params)
    for x, y in minibatches(x_train, y_train, batch_size=128, seed=epoch):
        loss, grads = model.loss_and_grads(params, x, y)
        state = opt.step(params, grads, state)       # in place

The layers are small classes with a ``forward`` that returns its output and a *cache* (what the
backward pass will need) and a ``backward`` that takes the cache. A layer with parameters reads them
from the dict by its own key names (``"fc1.W"``, ``"conv2.b"``) and returns its gradients as a dict
with the same keys. Images are ``(N, C, H, W)``, as in PyTorch.

Dropout and the VAE's reparameterisation noise come from a seeded ``numpy.random.Generator``: the
model's own (``model.rng``, from ``noise_seed``) or one passed as ``rng=``. Passing the same integer
seed on every call fixes the noise, which is how the finite-difference checks (``numerical_gradient``,
``relative_error``) test the models with dropout switched on.
"""

from __future__ import annotations

from typing import Callable, Optional, Union

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "Linear",
    "ReLU",
    "Softplus",
    "Dropout",
    "Conv2D",
    "MaxPool2D",
    "Flatten",
    "im2col",
    "col2im",
    "softmax_cross_entropy",
    "binary_cross_entropy_with_logits",
    "gaussian_kl",
    "l2_penalty",
    "LogisticRegression",
    "MLP",
    "CNN",
    "VAE",
    "numerical_gradient",
    "relative_error",
]

Params = dict[str, np.ndarray]
Grads = dict[str, np.ndarray]
RNGLike = Union[np.random.Generator, int, None]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1/(1 + e^(−x)), computed as exp(−log(1 + e^(−x))) so that it never overflows."""
    return np.exp(-np.logaddexp(0, -x))


# =============================================================================================
# Layers


class Linear:
    r"""A fully connected layer, y = x·W + b.

    Parameters ``"{name}.W"`` of shape ``(n_in, n_out)`` and ``"{name}.b"`` of shape ``(n_out,)``.
    Backward, for a batch x of shape (N, n_in) and upstream gradient ∂L/∂y of shape (N, n_out):

        ∂L/∂W = xᵀ·∂L/∂y,    ∂L/∂b = Σ_n ∂L/∂y_n,    ∂L/∂x = ∂L/∂y·Wᵀ

    ``init`` draws W from a normal distribution with the standard deviation of ``init``:
    ``"he"`` √(2/n_in) for ReLU layers (He et al. 2015), ``"glorot"`` √(2/(n_in + n_out)) for
    smooth activations (Glorot & Bengio 2010), or ``"zeros"``; b starts at zero.
    """

    def __init__(self, n_in: int, n_out: int, name: str, init: str = "he"):
        if init not in ("he", "glorot", "zeros"):
            raise ValueError(f"init must be 'he', 'glorot' or 'zeros', got {init!r}")
        self.n_in, self.n_out, self.init_scheme = n_in, n_out, init
        self.W, self.b = f"{name}.W", f"{name}.b"  # keys into the params dict

    def init(self, rng: np.random.Generator, dtype: np.dtype) -> Params:
        std = {"he": np.sqrt(2 / self.n_in), "glorot": np.sqrt(2 / (self.n_in + self.n_out)), "zeros": 0.0}
        W = rng.standard_normal((self.n_in, self.n_out)) * std[self.init_scheme]
        return {self.W: W.astype(dtype), self.b: np.zeros(self.n_out, dtype)}

    def forward(self, params: Params, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        y = x @ params[self.W]
        y += params[self.b]
        return y, x

    def backward(self, params: Params, dy: np.ndarray, x: np.ndarray, *, input_grad: bool = True):
        """Returns (∂L/∂x, grads); ∂L/∂x is None with ``input_grad=False`` (the network's input)."""
        grads = {self.W: x.T @ dy, self.b: dy.sum(axis=0)}
        dx = dy @ params[self.W].T if input_grad else None
        return dx, grads


class ReLU:
    r"""y = max(x, 0); ∂y/∂x = 1 where x > 0, else 0."""

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        y = np.maximum(x, 0)
        return y, y

    def backward(self, dy: np.ndarray, y: np.ndarray) -> np.ndarray:
        return dy * (y > 0)


class Softplus:
    r"""y = log(1 + eˣ), a smooth ReLU; ∂y/∂x = σ(x), the logistic sigmoid."""

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.logaddexp(0, x), x

    def backward(self, dy: np.ndarray, x: np.ndarray) -> np.ndarray:
        return dy * _sigmoid(x)


class Dropout:
    r"""Inverted dropout (Srivastava et al. 2014): while training, y = x ⊙ m/(1 − p) with m_i ~ Bernoulli(1 − p).

    Dividing by the keep probability 1 − p during training keeps E[y] = x, so at test time
    (``train=False``) the layer is the identity. ``rate`` is p, the probability of dropping a unit.
    The masks come from the layer's own generator, seeded with ``seed``, unless ``rng`` is passed
    to ``forward`` (a model passes its own, so one seed fixes all of a network's noise). A
    scipy.sparse input (the bag-of-words) stays sparse: only its stored entries are drawn, since a
    dropped zero is still zero; such an input is always the network's input, so it has no backward.
    """

    def __init__(self, rate: float, seed: int = 0):
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"dropout rate must be in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.rng = np.random.default_rng(seed)

    def forward(self, x: np.ndarray, *, train: bool = True, rng: RNGLike = None):
        """Returns (y, mask); the mask is None when nothing is dropped."""
        if not train or self.rate == 0.0:
            return x, None
        rng = self.rng if rng is None else np.random.default_rng(rng)
        keep = 1.0 - self.rate
        if hasattr(x, "tocsr"):  # scipy.sparse (a bag of words): zeros stay zero, draw for stored entries only
            x = x.tocsr(copy=True)
            mask = (rng.random(x.nnz, dtype=x.dtype) < keep) * x.dtype.type(1.0 / keep)
            x.data *= mask
            return x, mask
        mask = (rng.random(x.shape, dtype=x.dtype) < keep) * x.dtype.type(1.0 / keep)
        return x * mask, mask

    def backward(self, dy: np.ndarray, mask: Optional[np.ndarray]) -> np.ndarray:
        if mask is not None and mask.shape != dy.shape:
            raise ValueError("no gradient to a sparse input: dropout on sparse data is for the network's input only")
        return dy if mask is None else dy * mask


def _output_size(size: int, kernel_size: int, stride: int, pad: int) -> int:
    """⌊(size + 2·pad − kernel_size)/stride⌋ + 1, the number of window positions along one axis."""
    out = (size + 2 * pad - kernel_size) // stride + 1
    if out < 1:
        raise ValueError(
            f"a {kernel_size}×{kernel_size} window with padding {pad} does not fit an input of size {size}"
        )
    return out


def im2col(x: np.ndarray, kernel_size: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    r"""Every k×k window of the images x, one window per row: a convolution becomes one matmul.

    ``x`` has shape (N, C, H, W). Returns an array of shape (N·H_out·W_out, k·k·C) whose row
    (n, i, j) holds the window of image n whose top left corner is at (i·stride − pad, j·stride − pad),
    ordered (row, column, channel). Channels last, because then each row of a window is one
    contiguous run of memory: the copy is several times faster than in (channel, row, column) order.
    """
    N, C, H, W = x.shape
    k = kernel_size
    H_out, W_out = _output_size(H, k, stride, pad), _output_size(W, k, stride, pad)
    x = x.transpose(0, 2, 3, 1)  # (N, H, W, C), a view
    if pad:
        x = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(x, (k, k), axis=(1, 2))[:, ::stride, ::stride]  # (N, H_out, W_out, C, k, k)
    # The reshape below makes the one copy.
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(N * H_out * W_out, k * k * C)


def col2im(cols: np.ndarray, x_shape: tuple, kernel_size: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    r"""The adjoint of ``im2col``: add every window's gradient back where the window came from.

    A pixel that lies in several windows receives the sum of their gradients. Returns an array of
    shape ``x_shape`` = (N, C, H, W) (its memory is channels-last, like ``im2col``'s columns).
    """
    N, C, H, W = x_shape
    k = kernel_size
    H_out, W_out = _output_size(H, k, stride, pad), _output_size(W, k, stride, pad)
    cols = cols.reshape(N, H_out, W_out, k, k, C)
    dx = np.zeros((N, H + 2 * pad, W + 2 * pad, C), cols.dtype)
    for i in range(k):
        for j in range(k):
            dx[:, i : i + stride * H_out : stride, j : j + stride * W_out : stride, :] += cols[:, :, :, i, j, :]
    return dx[:, pad : pad + H, pad : pad + W, :].transpose(0, 3, 1, 2)


class Conv2D:
    r"""A 2-D convolution (cross-correlation, as in every deep-learning library), by im2col and a matmul.

    y[n, f, i, j] = b_f + Σ_{c, u, v} W[f, c, u, v] · x_pad[n, c, i·s + u, j·s + v]

    Parameters ``"{name}.W"`` of shape (F, C, k, k), as in PyTorch, and ``"{name}.b"`` of shape (F,).
    With X = im2col(x) of shape (N·H_out·W_out, k·k·C) and W laid out the same way as a matrix of
    shape (F, k·k·C), the layer is Y = X·Wᵀ + b, so its backward pass is that of ``Linear``:
    ∂L/∂W = (∂L/∂Y)ᵀ·X, ∂L/∂b = Σ ∂L/∂Y, ∂L/∂X = ∂L/∂Y·W, and ∂L/∂x = col2im(∂L/∂X).
    W starts He-normal with fan-in C·k·k.

    Shapes are (N, C, H, W) in and out; the memory of the output is channels-last (N, H, W, C), as
    the matmul produces it, which the next layers read fastest (PyTorch's "channels_last" format).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, name: str, stride: int = 1, pad: int = 0):
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.pad = kernel_size, stride, pad
        self.W, self.b = f"{name}.W", f"{name}.b"

    def init(self, rng: np.random.Generator, dtype: np.dtype) -> Params:
        fan_in = self.in_channels * self.kernel_size**2
        shape = (self.out_channels, self.in_channels, self.kernel_size, self.kernel_size)
        W = rng.standard_normal(shape) * np.sqrt(2 / fan_in)
        return {self.W: W.astype(dtype), self.b: np.zeros(self.out_channels, dtype)}

    def _weight_matrix(self, W: np.ndarray) -> np.ndarray:
        """W (F, C, k, k) as a matrix (F, k·k·C), in the column order of im2col."""
        return W.transpose(0, 2, 3, 1).reshape(self.out_channels, -1)

    def forward(self, params: Params, x: np.ndarray):
        N, _, H, W_in = x.shape
        H_out = _output_size(H, self.kernel_size, self.stride, self.pad)
        W_out = _output_size(W_in, self.kernel_size, self.stride, self.pad)
        cols = im2col(x, self.kernel_size, self.stride, self.pad)
        y = cols @ self._weight_matrix(params[self.W]).T  # (N·H_out·W_out, F)
        y += params[self.b]
        y = y.reshape(N, H_out, W_out, self.out_channels).transpose(0, 3, 1, 2)  # (N, F, H_out, W_out), a view
        return y, (x.shape, cols)

    def backward(self, params: Params, dy: np.ndarray, cache, *, input_grad: bool = True):
        """Returns (∂L/∂x, grads); ∂L/∂x is None with ``input_grad=False`` (the network's input)."""
        x_shape, cols = cache
        F, C, k, _ = params[self.W].shape
        dY = dy.transpose(0, 2, 3, 1).reshape(-1, F)  # (N·H_out·W_out, F)
        dW = (dY.T @ cols).reshape(F, k, k, C).transpose(0, 3, 1, 2)  # back to (F, C, k, k)
        grads = {self.W: np.ascontiguousarray(dW), self.b: dY.sum(axis=0)}
        if not input_grad:
            return None, grads
        dcols = dY @ self._weight_matrix(params[self.W])
        return col2im(dcols, x_shape, self.kernel_size, self.stride, self.pad), grads


class MaxPool2D:
    r"""Max-pooling over size×size windows: y[n, c, i, j] = max of the window at (i·stride − pad, j·stride − pad).

    Padding counts as −∞, so it is never the maximum. The gradient of a window's output goes to the
    position of its maximum alone (the first one if there is a tie, as in PyTorch); a pixel that is the
    maximum of several overlapping windows (3×3 windows with stride 2 overlap) receives their sum.
    Shapes (N, C, H, W); the work is done channels-last (see ``Conv2D``).
    """

    def __init__(self, size: int = 3, stride: int = 2, pad: int = 0):
        self.size, self.stride, self.pad = size, stride, pad

    def _window_positions(self):
        return [(u, v) for u in range(self.size) for v in range(self.size)]

    def forward(self, x: np.ndarray):
        N, C, H, W = x.shape
        k, s, p = self.size, self.stride, self.pad
        H_out, W_out = _output_size(H, k, s, p), _output_size(W, k, s, p)
        x_pad = x.transpose(0, 2, 3, 1)  # (N, H, W, C)
        if p:
            x_pad = np.pad(x_pad, ((0, 0), (p, p), (p, p), (0, 0)), constant_values=-np.inf)
        # A running maximum over the k·k positions in the windows, remembering which position won.
        # The positions come in increasing order, so a new winner always has the largest index yet:
        # argmax can be updated with a maximum too (much faster than a masked assignment).
        y = x_pad[:, 0 : s * H_out : s, 0 : s * W_out : s, :].copy()
        argmax = np.zeros(y.shape, np.int8)
        for position, (u, v) in enumerate(self._window_positions()[1:], start=1):
            candidate = x_pad[:, u : u + s * H_out : s, v : v + s * W_out : s, :]
            np.maximum(argmax, (candidate > y) * np.int8(position), out=argmax)
            np.maximum(y, candidate, out=y)
        return y.transpose(0, 3, 1, 2), (x.shape, argmax)

    def backward(self, dy: np.ndarray, cache) -> np.ndarray:
        (N, C, H, W), argmax = cache
        s, p = self.stride, self.pad
        _, H_out, W_out, _ = argmax.shape
        dy = dy.transpose(0, 2, 3, 1)  # (N, H_out, W_out, C)
        dx = np.zeros((N, H + 2 * p, W + 2 * p, C), dy.dtype)
        for position, (u, v) in enumerate(self._window_positions()):
            dx[:, u : u + s * H_out : s, v : v + s * W_out : s, :] += dy * (argmax == position)  # where it won
        return dx[:, p : p + H, p : p + W, :].transpose(0, 3, 1, 2)


class Flatten:
    """(N, C, H, W) → (N, C·H·W), in (channel, row, column) order as ``torch.flatten``; backward reshapes back."""

    def forward(self, x: np.ndarray):
        return x.reshape(x.shape[0], -1), x.shape

    def backward(self, dy: np.ndarray, shape: tuple) -> np.ndarray:
        return dy.reshape(shape)


# =============================================================================================
# Losses: each returns the loss and its gradient (averaged over the batch, as the optimizers expect)


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Mean negative log-likelihood of integer labels under softmax(logits), and its gradient.

    L = (1/N) Σ_n [log Σ_k e^(z_nk) − z_n,y_n],    ∂L/∂z_nk = (softmax(z_n)_k − [k = y_n]) / N.

    Stable: the row maximum is subtracted before exponentiating (log-sum-exp), so logits of any size
    give a finite loss. ``logits`` has shape (N, K), ``labels`` integers in [0, K) of shape (N,).
    Returns (loss as a Python float, gradient of shape (N, K) in the logits' dtype).
    """
    N = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_normaliser = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_probs = shifted - log_normaliser
    rows = np.arange(N)
    loss = -log_probs[rows, labels].mean()
    dlogits = np.exp(log_probs)
    dlogits[rows, labels] -= 1
    dlogits /= N
    return float(loss), dlogits


def binary_cross_entropy_with_logits(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Bernoulli negative log-likelihood of targets t ∈ [0, 1] given logits z, and its gradient.

    ℓ(z, t) = −t·log σ(z) − (1 − t)·log(1 − σ(z)) = max(z, 0) − z·t + log(1 + e^(−|z|)),
    written the stable way on the right. L sums ℓ over all but the first axis and averages over
    the batch (the first axis), so for a VAE it is the reconstruction term per image;
    ∂L/∂z = (σ(z) − t)/N. Returns (loss as a Python float, gradient shaped like ``logits``).
    """
    N = logits.shape[0]
    loss = (np.maximum(logits, 0) - logits * targets + np.log1p(np.exp(-np.abs(logits)))).sum() / N
    return float(loss), (_sigmoid(logits) - targets) / N


def gaussian_kl(mu: np.ndarray, log_var: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    r"""KL(N(μ, diag σ²) ‖ N(0, I)), the regulariser of a VAE (Kingma & Welling 2014, Appendix B).

    KL = −½ Σ_j (1 + log σ_j² − μ_j² − σ_j²), summed over the latent dimensions and averaged over
    the batch; ∂KL/∂μ = μ/N and ∂KL/∂log σ² = ½(σ² − 1)/N. Returns (kl, ∂KL/∂μ, ∂KL/∂log σ²).
    """
    N = mu.shape[0]
    var = np.exp(log_var)
    kl = -0.5 * (1 + log_var - mu**2 - var).sum() / N
    return float(kl), mu / N, 0.5 * (var - 1) / N


def l2_penalty(params: Params, l2: float, keys: Optional[list[str]] = None) -> tuple[float, Grads]:
    r"""The L2 penalty ½λ Σ_k ‖θ_k‖² and its gradient λ·θ_k.

    By default over the weights only (keys ending in ``.W``), not the biases. Returns
    (penalty as a Python float, dict of gradients for those keys).
    """
    keys = [k for k in params if k.endswith(".W")] if keys is None else keys
    penalty = 0.5 * l2 * sum(float(np.vdot(params[k], params[k])) for k in keys)
    return penalty, {k: l2 * params[k] for k in keys}


# =============================================================================================
# Models


def _init_params(layers: list, seed: int, dtype) -> Params:
    """Initial parameters of ``layers`` in order, from one generator: the same seed, the same start."""
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"dtype must be a floating-point type, got {dtype}")
    rng = np.random.default_rng(seed)
    params: Params = {}
    for layer in layers:
        params.update(layer.init(rng, dtype))
    return params


def _as_input(x, params: Params):
    """x in the parameters' precision, cast once here (no copy when it already is)."""
    dtype = next(iter(params.values())).dtype
    if hasattr(x, "toarray"):  # a scipy.sparse matrix stays sparse
        return x.astype(dtype, copy=False)
    return np.asarray(x, dtype=dtype)


def _add_l2(loss: float, params: Params, l2: float, grads: Optional[Grads] = None) -> float:
    """loss + ½λ‖W‖², adding λ·W to ``grads`` (in place) when they are given."""
    if not l2:
        return loss
    penalty, penalty_grads = l2_penalty(params, l2)
    if grads is not None:
        for key, g in penalty_grads.items():
            grads[key] += g
    return loss + penalty


class Classifier:
    """What the three classifiers share: softmax cross-entropy on ``forward``, plus an L2 penalty.

    A subclass has ``forward(params, x, *, train, rng) -> (logits, cache)``, ``backward(params,
    dlogits, cache) -> grads`` and ``l2``.
    """

    l2: float = 0.0

    def loss(self, params: Params, x, y, *, train: bool = False, rng: RNGLike = None) -> float:
        logits, _ = self.forward(params, x, train=train, rng=rng)
        return _add_l2(softmax_cross_entropy(logits, y)[0], params, self.l2)

    def loss_and_grads(self, params: Params, x, y, *, train: bool = True, rng: RNGLike = None) -> tuple[float, Grads]:
        """The loss on the batch (x, y) and its gradient, a dict with the keys of ``params``."""
        logits, cache = self.forward(params, x, train=train, rng=rng)
        loss, dlogits = softmax_cross_entropy(logits, y)
        grads = self.backward(params, dlogits, cache)
        return _add_l2(loss, params, self.l2, grads), grads

    def predict(self, params: Params, x) -> np.ndarray:
        """The most probable class of each row of x, shape (N,)."""
        return self.forward(params, x)[0].argmax(axis=1)


class LogisticRegression(Classifier):
    r"""Multinomial logistic regression: p(y | x) = softmax(x·W + b) (paper §6.1, Figure 1).

    Loss = mean negative log-likelihood + ½λ‖W‖² (``l2`` = λ, on W only). ``input_dropout`` is the
    dropout noise on the input features of the IMDB experiment (50% in the paper). ``x`` of shape
    (N, n_features) may be a scipy.sparse matrix (the bag-of-words data): it stays sparse, which at
    10,000 features is many times faster than dense. W starts at zero: the loss is convex, so every
    optimizer starts from the same point whatever the seed.
    """

    def __init__(
        self, n_features: int = 784, n_classes: int = 10, *, l2: float = 0.0, input_dropout: float = 0.0, noise_seed: int = 0
    ):
        self.l2 = l2
        self.fc = Linear(n_features, n_classes, name="fc", init="zeros")
        self.input_dropout = Dropout(input_dropout)
        self.rng = np.random.default_rng(noise_seed)

    def init(self, seed: int = 0, dtype=np.float32) -> Params:
        """Parameters ``{"fc.W": (n_features, n_classes), "fc.b": (n_classes,)}``."""
        return _init_params([self.fc], seed, dtype)

    def forward(self, params: Params, x, *, train: bool = False, rng: RNGLike = None):
        """Returns (logits of shape (N, n_classes), cache)."""
        rng = self.rng if rng is None else np.random.default_rng(rng)
        x, _ = self.input_dropout.forward(_as_input(x, params), train=train, rng=rng)
        return self.fc.forward(params, x)

    def backward(self, params: Params, dlogits: np.ndarray, x_used) -> Grads:
        return self.fc.backward(params, dlogits, x_used, input_grad=False)[1]


class MLP(Classifier):
    r"""A multilayer perceptron with ReLU hidden layers and dropout (paper §6.2, Figure 2).

    The paper's network is ``MLP(784, hidden=(1000, 1000), n_classes=10)``; ``hidden`` sets width
    and depth, so ``hidden=(64, 64)`` on the 8×8 digits makes a quick run. Per hidden layer ℓ:
    h_ℓ = dropout(relu(h_{ℓ−1}·W_ℓ + b_ℓ)); logits = h_L·W_out + b_out; loss = mean softmax
    cross-entropy + ½λ Σ‖W‖². Keys ``"fc1.W"``, ``"fc1.b"``, …, the output layer last.
    The paper gives no dropout rates; the defaults are Srivastava et al.'s (0.2 on the input,
    0.5 on hidden units). Set both to 0 and ``l2 > 0`` for the deterministic network of Figure 2(b).
    """

    def __init__(
        self,
        n_in: int = 784,
        hidden: tuple[int, ...] = (1000, 1000),
        n_classes: int = 10,
        *,
        dropout: float = 0.5,
        input_dropout: float = 0.2,
        l2: float = 0.0,
        noise_seed: int = 0,
    ):
        sizes = [n_in, *hidden, n_classes]
        self.layers = [Linear(a, b, name=f"fc{i + 1}") for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))]
        self.relu = ReLU()
        self.dropout, self.input_dropout = Dropout(dropout), Dropout(input_dropout)
        self.l2 = l2
        self.rng = np.random.default_rng(noise_seed)

    def init(self, seed: int = 0, dtype=np.float32) -> Params:
        """He-normal weights, zero biases: ``fc{ℓ}.W`` of shape (n_{ℓ−1}, n_ℓ), ``fc{ℓ}.b`` of shape (n_ℓ,)."""
        return _init_params(self.layers, seed, dtype)

    def forward(self, params: Params, x, *, train: bool = False, rng: RNGLike = None):
        """Returns (logits of shape (N, n_classes), caches for ``backward``)."""
        rng = self.rng if rng is None else np.random.default_rng(rng)
        h, _ = self.input_dropout.forward(_as_input(x, params), train=train, rng=rng)
        caches = []
        for fc in self.layers[:-1]:
            z, fc_cache = fc.forward(params, h)
            a, relu_cache = self.relu.forward(z)
            h, dropout_mask = self.dropout.forward(a, train=train, rng=rng)
            caches.append((fc_cache, relu_cache, dropout_mask))
        logits, out_cache = self.layers[-1].forward(params, h)
        return logits, (caches, out_cache)

    def backward(self, params: Params, dlogits: np.ndarray, caches) -> Grads:
        hidden_caches, out_cache = caches
        dh, grads = self.layers[-1].backward(params, dlogits, out_cache)
        for depth in reversed(range(len(hidden_caches))):
            fc_cache, relu_cache, dropout_mask = hidden_caches[depth]
            da = self.dropout.backward(dh, dropout_mask)
            dz = self.relu.backward(da, relu_cache)
            dh, layer_grads = self.layers[depth].backward(params, dz, fc_cache, input_grad=depth > 0)
            grads.update(layer_grads)
        return grads



class CNN(Classifier):
    r"""The convolutional network c64-c64-c128-1000 of the paper's §6.3 (Figure 3).

    Each stage is a k×k convolution ("same" padding, stride 1), ReLU, then max-pooling over 3×3
    windows with stride 2 (padding 1, so 32 → 16 → 8 → 4 and 28 → 14 → 7 → 4). Then a fully
    connected layer of ``n_hidden`` ReLU units and a softmax output. Dropout on the input and on
    the fully connected layer, as the paper's "+dropout" curves (rates not given in the paper:
    0.2 and 0.5 here). The paper's network is ``CNN(in_shape=(3, 32, 32))`` on whitened CIFAR-10;
    ``channels=(8, 8, 16), n_hidden=32`` on the 8×8 digits makes a quick run.
    Keys ``"conv1.W"`` (F, C, k, k), ``"conv1.b"``, …, ``"fc1.W"``, ``"fc1.b"``, ``"fc2.W"``, ``"fc2.b"``.
    """

    def __init__(
        self,
        in_shape: tuple[int, int, int] = (3, 32, 32),
        channels: tuple[int, ...] = (64, 64, 128),
        n_hidden: int = 1000,
        n_classes: int = 10,
        *,
        kernel_size: int = 5,
        pool_size: int = 3,
        pool_stride: int = 2,
        input_dropout: float = 0.2,
        dropout: float = 0.5,
        l2: float = 0.0,
        noise_seed: int = 0,
    ):
        self.in_shape = tuple(in_shape)
        c, h, w = self.in_shape
        self.convs, self.pools = [], []
        for i, out_channels in enumerate(channels):
            self.convs.append(Conv2D(c, out_channels, kernel_size, name=f"conv{i + 1}", pad=kernel_size // 2))
            self.pools.append(MaxPool2D(pool_size, pool_stride, pad=pool_size // 2))
            c = out_channels
            h = _output_size(h, pool_size, pool_stride, pool_size // 2)
            w = _output_size(w, pool_size, pool_stride, pool_size // 2)
        self.flatten, self.relu = Flatten(), ReLU()
        self.fc1 = Linear(c * h * w, n_hidden, name="fc1")
        # the output layer starts at zero: every class at probability 1/n_classes, the cost at ln(n_classes).
        # He-normal here would start the cost at about 6 (ln 10 = 2.3): three stages of max-pooling raise the
        # activations' scale, and the first steps would be spent undoing the initialisation.
        self.fc2 = Linear(n_hidden, n_classes, name="fc2", init="zeros")
        self.input_dropout, self.dropout = Dropout(input_dropout), Dropout(dropout)
        self.l2 = l2
        self.rng = np.random.default_rng(noise_seed)

    def init(self, seed: int = 0, dtype=np.float32) -> Params:
        """He-normal weights, zero biases, for the convolutions and the hidden dense layer; the output layer zero."""
        return _init_params([*self.convs, self.fc1, self.fc2], seed, dtype)

    def forward(self, params: Params, x, *, train: bool = False, rng: RNGLike = None):
        """x of shape (N, C, H, W) (or (N, C·H·W), reshaped). Returns (logits (N, n_classes), caches)."""
        rng = self.rng if rng is None else np.random.default_rng(rng)
        x = _as_input(x, params).reshape(-1, *self.in_shape)
        h, _ = self.input_dropout.forward(x, train=train, rng=rng)
        stage_caches = []
        for conv, pool in zip(self.convs, self.pools):
            z, conv_cache = conv.forward(params, h)
            a, relu_cache = self.relu.forward(z)
            h, pool_cache = pool.forward(a)
            stage_caches.append((conv_cache, relu_cache, pool_cache))
        h, shape = self.flatten.forward(h)
        z, fc1_cache = self.fc1.forward(params, h)
        a, fc1_relu = self.relu.forward(z)
        h, dropout_mask = self.dropout.forward(a, train=train, rng=rng)
        logits, fc2_cache = self.fc2.forward(params, h)
        return logits, (stage_caches, shape, fc1_cache, fc1_relu, dropout_mask, fc2_cache)

    def backward(self, params: Params, dlogits: np.ndarray, caches) -> Grads:
        stage_caches, shape, fc1_cache, fc1_relu, dropout_mask, fc2_cache = caches
        dh, grads = self.fc2.backward(params, dlogits, fc2_cache)
        da = self.dropout.backward(dh, dropout_mask)
        dz = self.relu.backward(da, fc1_relu)
        dh, fc1_grads = self.fc1.backward(params, dz, fc1_cache)
        grads.update(fc1_grads)
        dh = self.flatten.backward(dh, shape)
        for stage in reversed(range(len(self.convs))):
            conv_cache, relu_cache, pool_cache = stage_caches[stage]
            da = self.pools[stage].backward(dh, pool_cache)
            dz = self.relu.backward(da, relu_cache)
            dh, conv_grads = self.convs[stage].backward(params, dz, conv_cache, input_grad=stage > 0)
            grads.update(conv_grads)
        return grads



class VAE:
    r"""The variational auto-encoder of Kingma & Welling (2014), as in the paper's §6.4 (Figure 4).

    Encoder q(z | x): h = softplus(x·W_enc + b_enc), μ = h·W_μ + b_μ, log σ² = h·W_σ + b_σ.
    Reparameterisation: z = μ + σ ⊙ ε with ε ~ N(0, I) from the seeded generator.
    Decoder p(x | z), Bernoulli: h' = softplus(z·W_dec + b_dec), logits = h'·W_out + b_out.
    Loss = the negative ELBO per example, averaged over the batch:
    −E_q[log p(x | z)] + KL(q(z | x) ‖ N(0, I)) = BCE-with-logits(logits, x) + gaussian_kl(μ, log σ²),
    for inputs x in [0, 1] (binarised or grey levels). The paper's sizes are 500 hidden units and
    50 latent dimensions. Keys ``"enc"``, ``"mu"``, ``"log_var"``, ``"dec"``, ``"out"`` (``.W``, ``.b``).
    """

    def __init__(self, n_in: int = 784, n_hidden: int = 500, n_latent: int = 50, *, noise_seed: int = 0):
        self.n_latent = n_latent
        self.enc = Linear(n_in, n_hidden, name="enc", init="glorot")
        self.mu = Linear(n_hidden, n_latent, name="mu", init="glorot")
        self.log_var = Linear(n_hidden, n_latent, name="log_var", init="glorot")
        self.dec = Linear(n_latent, n_hidden, name="dec", init="glorot")
        self.out = Linear(n_hidden, n_in, name="out", init="glorot")
        self.softplus = Softplus()
        self.rng = np.random.default_rng(noise_seed)

    def init(self, seed: int = 0, dtype=np.float32) -> Params:
        return _init_params([self.enc, self.mu, self.log_var, self.dec, self.out], seed, dtype)

    def loss_and_grads(self, params: Params, x, y=None, *, train: bool = True, rng: RNGLike = None) -> tuple[float, Grads]:
        """The negative ELBO of the batch x and its gradient. ``y`` is ignored (no labels); ``train``
        is accepted for the common interface: the noise ε is drawn either way (it is part of the
        objective). Pass the same integer ``rng`` to fix ε, as the gradient checks do."""
        rng = self.rng if rng is None else np.random.default_rng(rng)
        x = _as_input(x, params)
        # encoder q(z | x)
        a, enc_cache = self.enc.forward(params, x)
        h, softplus_cache = self.softplus.forward(a)
        mu, mu_cache = self.mu.forward(params, h)
        log_var, log_var_cache = self.log_var.forward(params, h)
        # reparameterisation z = μ + σ ⊙ ε
        sigma = np.exp(0.5 * log_var)
        eps = rng.standard_normal(mu.shape, dtype=mu.dtype)
        z = mu + sigma * eps
        # decoder p(x | z)
        a_dec, dec_cache = self.dec.forward(params, z)
        h_dec, softplus_dec_cache = self.softplus.forward(a_dec)
        logits, out_cache = self.out.forward(params, h_dec)
        reconstruction, dlogits = binary_cross_entropy_with_logits(logits, x)
        kl, dmu, dlog_var = gaussian_kl(mu, log_var)

        # backward through the decoder ...
        dh_dec, grads = self.out.backward(params, dlogits, out_cache)
        da_dec = self.softplus.backward(dh_dec, softplus_dec_cache)
        dz, dec_grads = self.dec.backward(params, da_dec, dec_cache)
        # ... the sample (∂z/∂μ = 1, ∂z/∂log σ² = ½σ ⊙ ε) plus the KL term's own gradient ...
        dmu = dmu + dz
        dlog_var = dlog_var + dz * eps * 0.5 * sigma
        # ... and the encoder, whose hidden layer feeds both μ and log σ².
        dh_mu, mu_grads = self.mu.backward(params, dmu, mu_cache)
        dh_log_var, log_var_grads = self.log_var.backward(params, dlog_var, log_var_cache)
        da = self.softplus.backward(dh_mu + dh_log_var, softplus_cache)
        _, enc_grads = self.enc.backward(params, da, enc_cache, input_grad=False)
        for g in (dec_grads, mu_grads, log_var_grads, enc_grads):
            grads.update(g)
        return reconstruction + kl, grads

    def loss(self, params: Params, x, y=None, *, rng: RNGLike = None) -> float:
        """The negative ELBO (one sample of ε per example)."""
        return self.loss_and_grads(params, x, rng=rng)[0]


# =============================================================================================
# Checking gradients by finite differences


def numerical_gradient(loss_fn: Callable[[Params], float], params: Params, h: float = 1e-6) -> Grads:
    r"""Central differences, ∂L/∂θ_i ≈ (L(θ + h·e_i) − L(θ − h·e_i)) / 2h, for every entry of every array.

    ``loss_fn(params)`` must be deterministic (fix the dropout and sampling noise with a seed).
    The arrays are perturbed in place and restored. Use float64: in float32 the rounding error of
    the loss, divided by h, swamps the gradient. Costs two loss evaluations per parameter.
    """
    grads = {}
    for key, theta in params.items():
        grad = np.zeros_like(theta)
        for i in np.ndindex(theta.shape):
            original = theta[i]
            theta[i] = original + h
            loss_plus = loss_fn(params)
            theta[i] = original - h
            loss_minus = loss_fn(params)
            theta[i] = original
            grad[i] = (loss_plus - loss_minus) / (2 * h)
        grads[key] = grad
    return grads


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    r"""‖a − n‖ / max(‖a‖, ‖n‖): below 1e-6 in float64 means the backward pass is right.

    Norms over the whole array, so that entries whose true gradient is zero (a ReLU that is off)
    do not divide rounding noise by zero.
    """
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numeric))
    return 0.0 if scale == 0 else float(np.linalg.norm(analytic - numeric) / scale)
