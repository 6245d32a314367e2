r"""The data sets of the paper's experiments, and the few ways of feeding them to a model.

=========================  ==========================================================================
``load_digits()``          scikit-learn's bundled 8×8 handwritten digits: offline, the quick default
``load_mnist(kind=...)``   MNIST or Fashion-MNIST from IDX files on disk (download only when asked)
``synthetic_bag_of_words`` a seeded, sparse, Zipf-distributed stand-in for IMDB (synthetic: not reviews)
``minibatches``            seeded shuffled minibatches, by index (no copy of the data set per epoch)
``standardize``            zero mean, unit variance per feature
``zca_whiten``             ZCA whitening, as the paper's CIFAR-10 input (§6.3)
``read_idx``/``write_idx`` the IDX file format of MNIST, read and checked here
=========================  ==========================================================================

Every loader returns ``(x, y)``: x float32 with one example per row (``(N, D)``, or ``(N, C, H, W)``
with ``flatten=False``), y int64 class labels of shape ``(N,)``.

Where ``load_mnist`` looks, in order: the ``data_dir`` argument, ``$ADAM_EDU_DATA``, the user cache
(``~/.cache/adam_edu`` on Linux), and for Fashion-MNIST ``/usr/share/datasets/fashion-mnist`` (Debian's
``dataset-fashion-mnist`` package: ``apt-get install dataset-fashion-mnist``). With ``download=True``
a missing file is fetched from the official mirrors with `pooch <https://www.fatiando.org/pooch>`_,
which checks it against its known checksum and writes it atomically.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Iterator, NamedTuple, Optional, Union

import numpy as np

__all__ = [
    "load_digits",
    "load_mnist",
    "download_mnist",
    "read_idx",
    "write_idx",
    "synthetic_bag_of_words",
    "SYNTHETIC_BOW_TITLE",
    "minibatches",
    "standardize",
    "zca_whiten",
    "DataNotFoundError",
    "IDXFormatError",
    "ChecksumError",
]

DATA_ENV = "ADAM_EDU_DATA"
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
SYNTHETIC_BOW_TITLE = "synthetic bag-of-words (an IMDB stand-in, not real reviews)"

PathLike = Union[str, os.PathLike]


class DataNotFoundError(FileNotFoundError):
    """A data file is in none of the places the loader looked; the message says where and how to get it."""


class IDXFormatError(ValueError):
    """A file is not a well-formed IDX file: wrong magic number, truncated, trailing bytes, bad gzip."""


class ChecksumError(ValueError):
    """A downloaded file does not match its known checksum; it was deleted, not saved."""


# =============================================================================================
# The bundled digits


def load_digits(*, flatten: bool = True, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's handwritten digits: 1,797 images of 8×8 pixels, 10 classes, offline.

    Returns x of shape (1797, 64) (``flatten=False``: (1797, 1, 8, 8)) with the pixels scaled from
    0–16 to [0, 1], and y of shape (1797,), int64 labels 0–9. The default data set of quick runs.
    """
    from sklearn.datasets import load_digits as sklearn_digits

    digits = sklearn_digits()
    x = (digits.data / 16.0).astype(dtype)
    return (x if flatten else x.reshape(-1, 1, 8, 8)), digits.target.astype(np.int64)


# =============================================================================================
# IDX files (LeCun's format for MNIST): magic 0x00 0x00 <type> <ndim>, ndim big-endian uint32
# sizes, then the values in big-endian order, row-major.

_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_IDX_CODES = {np.dtype(t).newbyteorder("="): code for code, t in _IDX_TYPES.items()}


def read_idx(path: PathLike) -> np.ndarray:
    """Read an IDX file, gzipped (recognised by its content, not its name) or raw.

    Checks the magic number (two zero bytes, a known type code, a number of dimensions) and that the
    data are exactly as long as the dimensions say. Returns a writable array in native byte order
    with the file's dtype (uint8 for MNIST) and shape. Raises ``IDXFormatError`` for a file that is
    not IDX, truncated, too long, or whose gzip stream is corrupt: never a silently wrong array.
    """
    path = Path(path)
    content = path.read_bytes()
    if content[:2] == b"\x1f\x8b":  # the gzip magic number
        try:
            content = gzip.decompress(content)
        except (EOFError, OSError, zlib.error) as err:
            raise IDXFormatError(f"{path}: the gzip data is truncated or corrupt ({err}); delete it and get it again") from err
    if len(content) < 4 or content[0] != 0 or content[1] != 0 or content[2] not in _IDX_TYPES or content[3] == 0:
        raise IDXFormatError(
            f"{path} is not an IDX file: it starts with 0x{content[:4].hex()}, expected 0x0000 then a type code "
            f"(one of {', '.join(f'0x{c:02X}' for c in _IDX_TYPES)}) and the number of dimensions"
        )
    dtype, ndim = np.dtype(_IDX_TYPES[content[2]]), content[3]
    header = 4 + 4 * ndim
    if len(content) < header:
        raise IDXFormatError(f"{path} is truncated: its header needs {header} bytes, the file has {len(content)}")
    shape = struct.unpack(f">{ndim}I", content[4:header])
    expected, found = math.prod(shape) * dtype.itemsize, len(content) - header
    if found != expected:
        problem = "is truncated" if found < expected else "has trailing bytes"
        raise IDXFormatError(
            f"{path} {problem}: its header announces an array of shape {shape} and type {dtype.newbyteorder('=')}, "
            f"{expected:,} bytes of data, but the file holds {found:,}"
        )
    data = np.frombuffer(content, dtype, count=math.prod(shape), offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # a native-order, writable copy


def write_idx(path: PathLike, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file, gzipped if ``path`` ends in ``.gz``; the inverse of ``read_idx``.

    Supported dtypes: uint8, int8, int16, int32, float32, float64. The file appears whole or not at
    all (written to a temporary file in the same directory, then renamed).
    """
    path, array = Path(path), np.asarray(array)
    code = _IDX_CODES.get(array.dtype.newbyteorder("="))
    if code is None:
        supported = ", ".join(str(d) for d in _IDX_CODES)
        raise TypeError(f"IDX files hold {supported}; got an array of dtype {array.dtype}")
    if not 1 <= array.ndim <= 255 or any(n >= 2**32 for n in array.shape):
        raise ValueError(f"IDX files hold 1 to 255 dimensions of fewer than 2**32 entries, got shape {array.shape}")
    content = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    content += array.astype(_IDX_TYPES[code]).tobytes()
    if path.suffix == ".gz":
        content = gzip.compress(content, mtime=0)  # mtime=0: the same array gives the same bytes
    _write_atomically(path, content)


def _write_atomically(path: Path, content: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# =============================================================================================
# MNIST and Fashion-MNIST


class _Source(NamedTuple):
    title: str
    folder: str  # the sub-folder of a data directory or of the cache
    mirrors: tuple[str, ...]
    known_hashes: dict[str, str]  # pooch's format: "sha256hex" or "md5:hex"


_SOURCES = {
    # SHA-256 of the four files as published (the same in every mirror below).
    "mnist": _Source(
        "MNIST",
        "mnist",
        (
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ),
        {
            "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        },
    ),
    # The MD5 sums published in Fashion-MNIST's README (no official SHA-256 is published; Debian's
    # package re-compresses the files, so its checksums differ although the data are the same).
    "fashion": _Source(
        "Fashion-MNIST",
        "fashion-mnist",
        (
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        ),
        {
            "train-images-idx3-ubyte.gz": "md5:8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "train-labels-idx1-ubyte.gz": "md5:25c81989df183df01b3e8a0aad5dffbe",
            "t10k-images-idx3-ubyte.gz": "md5:bef4ecab320f06d8554ea6380940ec79",
            "t10k-labels-idx1-ubyte.gz": "md5:bb300cfdad3c16e7a12a480ee83cd310",
        },
    ),
}
_SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _user_cache_dir() -> Path:
    """The platform's cache directory for adam_edu (as platformdirs, which pooch uses, puts it)."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "adam_edu" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "adam_edu"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "adam_edu"


def _places(kind: str, data_dir: Optional[PathLike]) -> list[tuple[Path, str]]:
    """The directories load_mnist searches, in order, each with why it is searched."""
    folder = _SOURCES[kind].folder
    places = []
    if data_dir is not None:
        places += [(Path(data_dir) / folder, "data_dir argument"), (Path(data_dir), "data_dir argument")]
    if os.environ.get(DATA_ENV):
        places.append((Path(os.environ[DATA_ENV]) / folder, f"${DATA_ENV}"))
    places.append((_user_cache_dir() / folder, "user cache"))
    if kind == "fashion":
        places.append((DEBIAN_FASHION_MNIST, "Debian package dataset-fashion-mnist"))
    return places


def _find(directory: Path, stem: str) -> Optional[Path]:
    for name in (stem + ".gz", stem):
        if (directory / name).is_file():
            return directory / name
    return None


def _check_kind_and_split(kind: str, split: str) -> None:
    if kind not in _SOURCES:
        raise ValueError(f"kind must be 'fashion' or 'mnist', got {kind!r}")
    if split not in _SPLITS:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")


def load_mnist(
    kind: str = "fashion",
    split: str = "train",
    data_dir: Optional[PathLike] = None,
    download: bool = False,
    *,
    flatten: bool = True,
    dtype=np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST (``kind="mnist"``) or Fashion-MNIST (``kind="fashion"``), one split, from IDX files.

    Looks for ``train-images-idx3-ubyte[.gz]`` and ``train-labels-idx1-ubyte[.gz]`` (``t10k-*`` for
    ``split="test"``) in, in order: ``data_dir/<folder>`` and ``data_dir`` itself; ``$ADAM_EDU_DATA/<folder>``;
    the user cache ``<cache>/<folder>``; and for Fashion-MNIST ``/usr/share/datasets/fashion-mnist``
    (Debian's ``dataset-fashion-mnist``). ``<folder>`` is ``mnist`` or ``fashion-mnist``. With
    ``download=True`` files found nowhere are downloaded (``download_mnist``) into ``data_dir/<folder>``,
    or the user cache when no ``data_dir`` is given; without it a missing file raises
    ``DataNotFoundError`` saying where the loader looked and how to get the data.

    Returns x, float32 in [0, 1], of shape (N, 784) (``flatten=False``: (N, 1, 28, 28)), and y, int64
    labels 0–9 of shape (N,); N is 60,000 for train and 10,000 for test in the real data sets.
    """
    _check_kind_and_split(kind, split)
    image_stem, label_stem = _SPLITS[split]
    places = _places(kind, data_dir)
    for directory, _ in places:
        images_path, labels_path = _find(directory, image_stem), _find(directory, label_stem)
        if images_path and labels_path:
            break
    else:
        if not download:
            raise DataNotFoundError(_not_found_message(kind, split, places))
        directory = download_mnist(kind, None if data_dir is None else Path(data_dir) / _SOURCES[kind].folder)
        images_path, labels_path = directory / (image_stem + ".gz"), directory / (label_stem + ".gz")

    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise IDXFormatError(f"{images_path} should hold uint8 images of 28×28, holds {images.dtype} of shape {images.shape}")
    if labels.dtype != np.uint8 or labels.shape != images.shape[:1]:
        raise IDXFormatError(
            f"{labels_path} should hold {images.shape[0]:,} uint8 labels (one per image of {images_path.name}), "
            f"holds {labels.dtype} of shape {labels.shape}"
        )
    if labels.size and labels.max() > 9:
        raise IDXFormatError(f"{labels_path} holds a label {labels.max()}, outside 0–9")
    x = (images / np.float32(255)).astype(dtype, copy=False)
    return (x.reshape(len(x), -1) if flatten else x.reshape(-1, 1, 28, 28)), labels.astype(np.int64)


def _not_found_message(kind: str, split: str, places: list[tuple[Path, str]]) -> str:
    source, stems = _SOURCES[kind], _SPLITS[split]
    looked = "\n".join(f"  {directory}  ({why})" for directory, why in places)
    unset = "" if os.environ.get(DATA_ENV) else f" (${DATA_ENV} is not set)"
    message = (
        f"{source.title} {split} files ({stems[0]}[.gz], {stems[1]}[.gz]) not found. Looked in:\n{looked}\n"
        f"To get them: load_mnist(kind={kind!r}, download=True) downloads them into the user cache "
        f"(needs the internet and pooch), or put the IDX files into a directory and pass data_dir=... "
        f"or set ${DATA_ENV}{unset}."
    )
    if kind == "fashion":
        message += " On Debian or Ubuntu, `apt-get install dataset-fashion-mnist` installs the full Fashion-MNIST."
    return message + " For a quick run offline, use load_digits()."


def download_mnist(kind: str = "fashion", directory: Optional[PathLike] = None, *, downloader=None) -> Path:
    """Download the four IDX files of MNIST or Fashion-MNIST with pooch, checking their known checksums.

    Into ``directory`` (default: the user cache, ``<cache>/mnist`` or ``<cache>/fashion-mnist``);
    files already there with the right checksum are not downloaded again. pooch writes each file to a
    temporary name and keeps it only if its checksum matches, so a failed or corrupt download leaves
    nothing behind. Mirrors are tried in turn. ``downloader`` is passed to ``pooch.retrieve`` (for
    example a ``pooch.HTTPDownloader`` with a timeout or a proxy). Returns the directory.
    Raises ``ChecksumError`` if a mirror served a file that does not match, ``OSError`` if none could be reached.
    """
    _check_kind_and_split(kind, "train")
    import pooch  # only here: everything else in this module works without it

    source = _SOURCES[kind]
    directory = Path(directory) if directory is not None else _user_cache_dir() / source.folder
    for filename, known_hash in source.known_hashes.items():
        failures, mismatched = [], False
        for mirror in source.mirrors:
            try:
                pooch.retrieve(
                    mirror + filename, known_hash, fname=filename, path=directory, downloader=downloader, progressbar=False
                )
                break
            except ValueError as err:  # pooch: the checksum does not match (the download is deleted)
                failures.append(f"{mirror + filename}: {err}")
                mismatched = True
            except OSError as err:  # unreachable mirror (requests' errors are OSErrors)
                failures.append(f"{mirror + filename}: {type(err).__name__}: {err}")
        else:
            report = "\n  ".join(failures)
            if mismatched:
                raise ChecksumError(
                    f"{source.title} {filename} does not match its known checksum {known_hash}; nothing was saved:\n  {report}"
                )
            raise OSError(f"could not download {source.title} {filename} from any mirror:\n  {report}")
    return directory


# =============================================================================================
# The synthetic bag-of-words (a stand-in for IMDB, which cannot be fetched here)


def synthetic_bag_of_words(
    n_samples: int = 25_000,
    n_features: int = 10_000,
    *,
    mean_length: float = 230.0,
    zipf_exponent: float = 1.0,
    informative_fraction: float = 0.1,
    label_noise: float = 0.25,
    seed: int = 0,
):
    r"""A synthetic, seeded stand-in for the IMDB bag-of-words of the paper's §6.1 (Figure 1, right).

    Not real reviews: use ``SYNTHETIC_BOW_TITLE`` to say so in every figure. It keeps what matters
    for the optimizers: 10,000 binary features, highly sparse, with Zipf-distributed word frequencies
    (the word of rank r occurs with probability ∝ r^(−s)), so most features are rare.

    * Each document has 1 + Poisson(λ) tokens, λ ~ Gamma(2, mean_length/2) (reviews vary in length);
      tokens are drawn from the Zipf distribution; x[n, w] = 1 if word w occurs in document n.
    * Labels come from a sparse ground-truth linear model: a random ``informative_fraction`` of the
      vocabulary gets weights w*_j ~ N(0, 1), the rest 0; score = x·w*, standardised, and
      y ~ Bernoulli(σ(score/label_noise)), so the classes are balanced and not perfectly separable.

    Returns x, a ``scipy.sparse.csr_array`` of float32 of shape (n_samples, n_features) (dense it would
    take 1 GB at the default size; a dense minibatch is cheap), and y, int64 labels 0/1 of shape (n_samples,).
    """
    from scipy import sparse

    rng = np.random.default_rng(seed)
    word_probabilities = np.arange(1, n_features + 1, dtype=np.float64) ** -zipf_exponent
    word_probabilities /= word_probabilities.sum()

    lengths = 1 + rng.poisson(rng.gamma(2.0, mean_length / 2.0, size=n_samples))
    words = np.searchsorted(np.cumsum(word_probabilities), rng.random(lengths.sum()), side="right")
    words = np.minimum(words, n_features - 1)  # guard against the cumulative sum's last rounding
    documents = np.repeat(np.arange(n_samples), lengths)
    x = sparse.csr_array((np.ones(words.size, np.float32), (documents, words)), shape=(n_samples, n_features))
    x.sum_duplicates()
    x.data[:] = 1.0  # presence, not counts

    weights = np.where(rng.random(n_features) < informative_fraction, rng.standard_normal(n_features), 0.0)
    score = x @ weights
    score = (score - np.median(score)) / score.std()
    y = (rng.random(n_samples) < 1 / (1 + np.exp(-score / label_noise))).astype(np.int64)
    return x, y


# =============================================================================================
# Feeding a model


def minibatches(
    x,
    y: Optional[np.ndarray],
    batch_size: int,
    seed: Union[int, np.random.Generator],
    *,
    shuffle: bool = True,
    drop_last: bool = False,
) -> Iterator[tuple]:
    """Yield ``(x[batch], y[batch])`` for one epoch in a seeded random order (``y`` may be None).

    Index-based: the data set is never copied, only each minibatch is gathered. The same ``seed``
    gives the same batches; use e.g. ``seed=epoch`` (or pass one ``numpy.random.Generator`` for all
    epochs). The last batch is smaller unless ``drop_last``. ``x`` may be a scipy.sparse matrix.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size!r}")
    n = x.shape[0]
    if y is not None and len(y) != n:
        raise ValueError(f"x and y must have the same number of examples, got {n} and {len(y)}")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        batch = order[start : start + batch_size]
        if drop_last and len(batch) < batch_size:
            return
        yield x[batch], (None if y is None else y[batch])


def standardize(x: np.ndarray, reference: Optional[np.ndarray] = None) -> np.ndarray:
    r"""(x − μ)/σ per feature, with the mean μ and standard deviation σ of ``reference`` (default: x).

    Pass the training set as ``reference`` to transform a test set the same way. Features that are
    constant in the reference (σ = 0, e.g. MNIST's border pixels) are only centred. Statistics over
    the first axis, so images keep their shape. Returns a new float array (float32 for integer input).
    """
    reference = x if reference is None else reference
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float32
    mean = reference.mean(axis=0, dtype=np.float64)
    std = reference.std(axis=0, dtype=np.float64)
    return ((x - mean) / np.where(std > 0, std, 1.0)).astype(dtype)


def zca_whiten(x: np.ndarray, reference: Optional[np.ndarray] = None, eps: float = 1e-2) -> np.ndarray:
    r"""ZCA whitening: decorrelate the features while staying as close as possible to the input.

    With the covariance of the (centred) ``reference`` Σ = U·diag(λ)·Uᵀ (default reference: x),
    x_white = (x − μ)·U·diag(1/√(λ + ε))·Uᵀ. Unlike PCA whitening it rotates back, so whitened images
    still look like images (with edges enhanced), the preprocessing of the paper's CIFAR-10 CNN (§6.3,
    after Goodfellow et al. 2013). ``eps`` is relative to the mean variance, ε = eps·mean(λ): it keeps
    directions of tiny variance (noise) from being blown up. Images are flattened for the covariance
    and reshaped back. Returns a float array of x's shape (float32 for integer input).
    """
    reference = x if reference is None else reference
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float32
    ref = reference.reshape(len(reference), -1).astype(np.float64)
    mean = ref.mean(axis=0)
    centred = ref - mean
    covariance = centred.T @ centred / len(ref)
    eigenvalues, U = np.linalg.eigh(covariance)
    eigenvalues = np.maximum(eigenvalues, 0.0)  # clip rounding noise below zero
    whitening = (U / np.sqrt(eigenvalues + eps * eigenvalues.mean())) @ U.T
    flat = x.reshape(len(x), -1)
    return ((flat - mean) @ whitening).astype(dtype).reshape(x.shape)
