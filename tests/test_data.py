"""Tests of adam_edu.data, offline: IDX files the tests write, a fake mirror for pooch, the digits."""

import gzip
import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from adam_edu import data


@pytest.fixture(autouse=True)
def isolated_places(tmp_path, monkeypatch):
    """No test sees the user's cache, $ADAM_EDU_DATA or the system's Fashion-MNIST, unless it asks."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("ADAM_EDU_DATA", raising=False)
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST", tmp_path / "no-debian-package")


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


# ---------------------------------------------------------------------------------------------
# IDX


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
def test_idx_round_trip(tmp_path, suffix, dtype):
    array = (np.random.default_rng(0).standard_normal((3, 4, 5)) * 50).astype(dtype)
    path = tmp_path / f"a-idx3{suffix}"
    data.write_idx(path, array)
    back = data.read_idx(path)
    assert back.dtype == dtype and back.shape == (3, 4, 5) and back.flags.writeable
    assert_array_equal(back, array)
    assert files_in(tmp_path) == [path.name]  # no temporary file left


def test_idx_header_is_big_endian(tmp_path):
    data.write_idx(tmp_path / "labels", np.array([7, 0, 255], np.uint8))
    assert (tmp_path / "labels").read_bytes() == bytes([0, 0, 0x08, 1, 0, 0, 0, 3, 7, 0, 255])
    data.write_idx(tmp_path / "shorts", np.array([1, -2], np.int16))
    assert (tmp_path / "shorts").read_bytes()[8:] == b"\x00\x01\xff\xfe"


def test_idx_gzip_is_recognised_by_content(tmp_path):
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    data.write_idx(tmp_path / "a.gz", array)
    (tmp_path / "a.gz").rename(tmp_path / "no-suffix")
    assert_array_equal(data.read_idx(tmp_path / "no-suffix"), array)


def test_wrong_magic_number(tmp_path):
    path = tmp_path / "bad"
    path.write_bytes(bytes([0, 1, 0x08, 1, 0, 0, 0, 1, 5]))
    with pytest.raises(data.IDXFormatError, match="not an IDX file: it starts with 0x00010801"):
        data.read_idx(path)
    path.write_bytes(bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 5]))  # unknown type code
    with pytest.raises(data.IDXFormatError, match="type code"):
        data.read_idx(path)


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_truncated_file(tmp_path, suffix):
    path = tmp_path / f"images{suffix}"
    data.write_idx(tmp_path / "images", np.zeros((10, 28, 28), np.uint8))
    raw = (tmp_path / "images").read_bytes()[:-100]
    path.write_bytes(gzip.compress(raw) if suffix else raw)
    with pytest.raises(data.IDXFormatError, match=r"truncated: its header announces an array of shape \(10, 28, 28\)"):
        data.read_idx(path)


def test_truncated_gzip_stream(tmp_path):
    data.write_idx(tmp_path / "images.gz", np.random.default_rng(0).integers(0, 255, (50, 28, 28), np.uint8))
    content = (tmp_path / "images.gz").read_bytes()
    (tmp_path / "images.gz").write_bytes(content[: len(content) // 2])
    with pytest.raises(data.IDXFormatError, match="gzip data is truncated or corrupt"):
        data.read_idx(tmp_path / "images.gz")


def test_corrupt_gzip_stream(tmp_path):
    data.write_idx(tmp_path / "images.gz", np.random.default_rng(0).integers(0, 255, (50, 28, 28), np.uint8))
    content = bytearray((tmp_path / "images.gz").read_bytes())
    content[-6] ^= 0xFF  # a byte of the CRC-32 at the end of the stream
    (tmp_path / "images.gz").write_bytes(bytes(content))
    with pytest.raises(data.IDXFormatError, match="gzip data is truncated or corrupt"):
        data.read_idx(tmp_path / "images.gz")


def test_trailing_bytes(tmp_path):
    data.write_idx(tmp_path / "labels", np.zeros(5, np.uint8))
    with open(tmp_path / "labels", "ab") as f:
        f.write(b"\x00")
    with pytest.raises(data.IDXFormatError, match="trailing bytes"):
        data.read_idx(tmp_path / "labels")


def test_write_idx_refuses_unsupported_dtype_and_leaves_no_file(tmp_path):
    with pytest.raises(TypeError, match="dtype int64"):
        data.write_idx(tmp_path / "a", np.zeros(3, np.int64))
    assert files_in(tmp_path) == []


def test_interrupted_write_leaves_no_partial_file(tmp_path, monkeypatch):
    def fail(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(data.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        data.write_idx(tmp_path / "a.gz", np.zeros((4, 4), np.uint8))
    assert files_in(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# MNIST / Fashion-MNIST from files the test writes


def write_fake_mnist(directory: Path, n: int = 20, seed: int = 0, gz: bool = True) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images, labels = rng.integers(0, 256, (n, 28, 28), np.uint8), rng.integers(0, 10, n).astype(np.uint8)
    directory.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    for split in ("train", "t10k"):
        data.write_idx(directory / f"{split}-images-idx3-ubyte{suffix}", images)
        data.write_idx(directory / f"{split}-labels-idx1-ubyte{suffix}", labels)
    return images, labels


@pytest.mark.parametrize("gz", [True, False])
def test_load_mnist_from_data_dir(tmp_path, gz):
    images, labels = write_fake_mnist(tmp_path / "mine" / "fashion-mnist", gz=gz)
    x, y = data.load_mnist("fashion", "train", data_dir=tmp_path / "mine")
    assert x.shape == (20, 784) and x.dtype == np.float32 and y.dtype == np.int64
    assert_allclose(x, images.reshape(20, -1) / 255, rtol=1e-6)
    assert_array_equal(y, labels)
    x, _ = data.load_mnist("fashion", "test", data_dir=tmp_path / "mine", flatten=False)
    assert x.shape == (20, 1, 28, 28)


def test_load_mnist_search_order(tmp_path, monkeypatch):
    write_fake_mnist(tmp_path / "flat", seed=1)  # files directly in data_dir
    write_fake_mnist(tmp_path / "env" / "mnist", seed=2)
    write_fake_mnist(tmp_path / "cache" / "adam_edu" / "mnist", seed=3)
    monkeypatch.setenv("ADAM_EDU_DATA", str(tmp_path / "env"))
    from_arg = data.load_mnist("mnist", data_dir=tmp_path / "flat")[1]
    from_env = data.load_mnist("mnist")[1]
    monkeypatch.delenv("ADAM_EDU_DATA")
    from_cache = data.load_mnist("mnist")[1]
    expected = [write_fake_mnist(tmp_path / "scratch", seed=s)[1] for s in (1, 2, 3)]
    for got, want in zip((from_arg, from_env, from_cache), expected):
        assert_array_equal(got, want)


def test_load_mnist_reads_the_debian_location(tmp_path, monkeypatch):
    write_fake_mnist(tmp_path / "debian", seed=4)
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST", tmp_path / "debian")
    assert len(data.load_mnist("fashion")[0]) == 20
    with pytest.raises(data.DataNotFoundError):  # the Debian package holds Fashion-MNIST only
        data.load_mnist("mnist")


def test_missing_data_says_where_it_looked_and_what_to_do(tmp_path):
    with pytest.raises(data.DataNotFoundError) as error:
        data.load_mnist("fashion", "test", data_dir=tmp_path / "nowhere")
    message = str(error.value)
    for expected in (
        "Fashion-MNIST test files",
        "t10k-images-idx3-ubyte",
        str(tmp_path / "nowhere" / "fashion-mnist"),
        str(tmp_path / "cache" / "adam_edu" / "fashion-mnist"),
        str(tmp_path / "no-debian-package"),
        "download=True",
        "apt-get install dataset-fashion-mnist",
        "ADAM_EDU_DATA",
        "load_digits()",
    ):
        assert expected in message
    assert isinstance(error.value, FileNotFoundError)


def test_images_without_labels_are_not_enough(tmp_path):
    write_fake_mnist(tmp_path / "mnist")
    (tmp_path / "mnist" / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(data.DataNotFoundError):
        data.load_mnist("mnist", data_dir=tmp_path)


def test_wrong_image_size_or_label_count(tmp_path):
    directory = tmp_path / "mnist"
    write_fake_mnist(directory)
    data.write_idx(directory / "train-labels-idx1-ubyte.gz", np.zeros(19, np.uint8))
    with pytest.raises(data.IDXFormatError, match="should hold 20 uint8 labels"):
        data.load_mnist("mnist", data_dir=tmp_path)
    data.write_idx(directory / "train-images-idx3-ubyte.gz", np.zeros((19, 32, 32), np.uint8))
    with pytest.raises(data.IDXFormatError, match="28×28"):
        data.load_mnist("mnist", data_dir=tmp_path)


def test_bad_kind_or_split():
    with pytest.raises(ValueError, match="kind must be 'fashion' or 'mnist', got 'cifar'"):
        data.load_mnist("cifar")
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        data.load_mnist("mnist", "validation")


# ---------------------------------------------------------------------------------------------
# Downloads, through pooch, from a fake mirror on disk (no network)


@pytest.fixture
def fake_mirror(tmp_path, monkeypatch):
    """Mirror files written by the test; pooch fetches them with a downloader that copies."""
    pytest.importorskip("pooch")
    source = tmp_path / "mirror"
    write_fake_mnist(source)
    mirrors = ("https://mirror.invalid/a/", "https://mirror.invalid/b/")
    monkeypatch.setitem(data._SOURCES, "mnist", data._SOURCES["mnist"]._replace(mirrors=mirrors))
    requested = []

    def copy_from_disk(url, output_file, pooch):
        requested.append(url)
        shutil.copyfile(source / Path(url).name, output_file)

    return source, copy_from_disk, requested


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_download_with_matching_checksums(tmp_path, monkeypatch, fake_mirror):
    source, copy_from_disk, requested = fake_mirror
    hashes = {name: sha256(source / name) for name in data._SOURCES["mnist"].known_hashes}
    monkeypatch.setitem(data._SOURCES, "mnist", data._SOURCES["mnist"]._replace(known_hashes=hashes))
    target = data.download_mnist("mnist", tmp_path / "downloads", downloader=copy_from_disk)
    assert files_in(target) == sorted(hashes)
    assert len(requested) == 4
    data.download_mnist("mnist", tmp_path / "downloads", downloader=copy_from_disk)
    assert len(requested) == 4  # already there with the right checksum: not fetched again


def test_load_mnist_downloads_into_the_cache_when_asked(tmp_path, monkeypatch, fake_mirror):
    source, copy_from_disk, _ = fake_mirror
    hashes = {name: sha256(source / name) for name in data._SOURCES["mnist"].known_hashes}
    monkeypatch.setitem(data._SOURCES, "mnist", data._SOURCES["mnist"]._replace(known_hashes=hashes))
    real_download = data.download_mnist
    offline_download = lambda kind, directory: real_download(kind, directory, downloader=copy_from_disk)  # noqa: E731
    monkeypatch.setattr(data, "download_mnist", offline_download)
    with pytest.raises(data.DataNotFoundError):
        data.load_mnist("mnist")  # offline by default
    x, y = data.load_mnist("mnist", download=True)
    assert x.shape == (20, 784)
    assert len(files_in(tmp_path / "cache" / "adam_edu" / "mnist")) == 4


def test_checksum_mismatch_leaves_no_file(tmp_path, fake_mirror):
    """The registered checksums are the real MNIST's: the fake files cannot match them."""
    _, copy_from_disk, requested = fake_mirror
    target = tmp_path / "downloads"
    with pytest.raises(data.ChecksumError, match="train-images-idx3-ubyte.gz does not match its known checksum") as error:
        data.download_mnist("mnist", target, downloader=copy_from_disk)
    assert "nothing was saved" in str(error.value) and "mirror.invalid/b/" in str(error.value)
    assert len(requested) == 2  # both mirrors tried
    assert files_in(target) == []  # no partial or temporary file


def test_truncated_download_leaves_no_file(tmp_path, monkeypatch, fake_mirror):
    source, _, _ = fake_mirror
    hashes = {name: sha256(source / name) for name in data._SOURCES["mnist"].known_hashes}
    monkeypatch.setitem(data._SOURCES, "mnist", data._SOURCES["mnist"]._replace(known_hashes=hashes))

    def cut_short(url, output_file, pooch):
        content = (source / Path(url).name).read_bytes()
        Path(output_file).write_bytes(content[: len(content) // 2])

    with pytest.raises(data.ChecksumError, match="nothing was saved"):
        data.download_mnist("mnist", tmp_path / "downloads", downloader=cut_short)
    assert files_in(tmp_path / "downloads") == []


def test_unreachable_mirrors_give_an_oserror(tmp_path, fake_mirror):
    def offline(url, output_file, pooch):
        raise ConnectionError(f"cannot reach {url}")

    with pytest.raises(OSError, match="could not download MNIST train-images-idx3-ubyte.gz from any mirror"):
        data.download_mnist("mnist", tmp_path / "downloads", downloader=offline)
    assert files_in(tmp_path / "downloads") == []


# ---------------------------------------------------------------------------------------------
# The real data sets, where present


def test_load_digits():
    x, y = data.load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32 and 0 <= x.min() and x.max() == 1.0
    assert y.shape == (1797,) and y.dtype == np.int64 and set(y) == set(range(10))
    assert data.load_digits(flatten=False)[0].shape == (1797, 1, 8, 8)


@pytest.mark.skipif(not Path("/usr/share/datasets/fashion-mnist").is_dir(), reason="dataset-fashion-mnist not installed")
def test_real_fashion_mnist_test_split(monkeypatch):
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST", Path("/usr/share/datasets/fashion-mnist"))
    x, y = data.load_mnist("fashion", "test")
    assert x.shape == (10_000, 784) and x.dtype == np.float32
    assert_array_equal(np.bincount(y), [1000] * 10)
    assert 0.28 < x.mean() < 0.29  # Fashion-MNIST's mean pixel, 0.2860 on the test split


# ---------------------------------------------------------------------------------------------
# Synthetic bag-of-words


def test_synthetic_bag_of_words():
    x, y = data.synthetic_bag_of_words(2000, 1000, seed=0)
    assert x.shape == (2000, 1000) and x.dtype == np.float32 and y.dtype == np.int64
    assert set(np.unique(x.data)) == {1.0}  # presence of a word
    assert x.nnz / (2000 * 1000) < 0.15  # sparse
    document_frequency = np.asarray((x != 0).sum(axis=0)).ravel()
    assert document_frequency[0] > document_frequency[10] > document_frequency[100] > document_frequency[900]
    assert 0.45 < y.mean() < 0.55  # balanced classes
    x2, y2 = data.synthetic_bag_of_words(2000, 1000, seed=0)
    assert (x != x2).nnz == 0 and np.array_equal(y, y2)
    assert not np.array_equal(y, data.synthetic_bag_of_words(2000, 1000, seed=1)[1])
    assert "synthetic" in data.SYNTHETIC_BOW_TITLE


def test_synthetic_labels_are_learnable():
    from adam_edu import nn
    from adam_edu.optimizers import Adam

    x, y = data.synthetic_bag_of_words(3000, 500, seed=0)
    model = nn.LogisticRegression(500, 2)
    params = model.init()
    opt = Adam(lr=0.01)
    state = opt.init(params)
    for epoch in range(5):
        for xb, yb in data.minibatches(x, y, 128, seed=epoch):
            state = opt.step(params, model.loss_and_grads(params, xb, yb)[1], state)
    assert (model.predict(params, x) == y).mean() > 0.8


# ---------------------------------------------------------------------------------------------
# Minibatches and preprocessing


def test_minibatches_are_deterministic_and_cover_the_data():
    x, y = np.arange(100.0).reshape(50, 2), np.arange(50)
    first = list(data.minibatches(x, y, 16, seed=3))
    again = list(data.minibatches(x, y, 16, seed=3))
    other = list(data.minibatches(x, y, 16, seed=4))
    assert [len(b) for b, _ in first] == [16, 16, 16, 2]
    assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) for a, b in zip(first, again))
    assert not np.array_equal(first[0][1], other[0][1])
    seen = np.concatenate([yb for _, yb in first])
    assert sorted(seen) == list(range(50))  # each example once per epoch
    for xb, yb in first:
        assert_array_equal(xb[:, 0], 2 * yb)  # x and y stay paired
    assert [len(b) for b, _ in data.minibatches(x, y, 16, seed=3, drop_last=True)] == [16, 16, 16]
    assert_array_equal(next(data.minibatches(x, None, 50, seed=0, shuffle=False))[0], x)


def test_minibatches_do_not_copy_the_data_set():
    x = np.zeros((1000, 10), np.float32)
    xb, _ = next(data.minibatches(x, None, 32, seed=0))
    assert xb.shape == (32, 10) and not np.shares_memory(xb, x)  # a gathered batch, nothing more
    generator = np.random.default_rng(0)
    batches = list(data.minibatches(x, None, 500, seed=generator))
    assert len(batches) == 2


def test_minibatches_check_their_input():
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        next(data.minibatches(np.zeros((4, 2)), None, 0, seed=0))
    with pytest.raises(ValueError, match="same number of examples"):
        next(data.minibatches(np.zeros((4, 2)), np.zeros(3), 2, seed=0))


def test_standardize():
    rng = np.random.default_rng(0)
    train = rng.normal(5.0, 3.0, (500, 4)).astype(np.float32)
    train[:, 3] = 7.0  # a constant feature
    z = data.standardize(train)
    assert z.dtype == np.float32
    assert_allclose(z[:, :3].mean(axis=0), 0, atol=1e-5)
    assert_allclose(z[:, :3].std(axis=0), 1, rtol=1e-4)
    assert_array_equal(z[:, 3], 0)  # only centred, not divided by zero
    test = data.standardize(np.full((2, 4), 7.0, np.float32), reference=train)
    assert np.isfinite(test).all()


def test_zca_whitening_decorrelates():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5000, 6)) @ rng.standard_normal((6, 6)) + 3.0  # correlated features
    white = data.zca_whiten(x, eps=1e-10)
    assert white.dtype == np.float64
    assert_allclose(np.cov(white, rowvar=False, bias=True), np.eye(6), atol=1e-6)
    test = data.zca_whiten(x[:10], reference=x, eps=1e-10)  # a test set, whitened like the training set
    assert_allclose(test, white[:10], atol=1e-9)


def test_zca_whitening_of_images():
    x, _ = data.load_digits(flatten=False)
    white = data.zca_whiten(x)
    assert white.shape == (1797, 1, 8, 8) and white.dtype == np.float32
    # ZCA stays close to the input (PCA whitening would not): each whitened image correlates with its original
    flat, flat_white = x.reshape(1797, -1), white.reshape(1797, -1)
    assert np.mean([np.corrcoef(a, b)[0, 1] for a, b in zip(flat[:50], flat_white[:50])]) > 0.5
