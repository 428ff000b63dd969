"""Real datasets: scikit-learn's bundled sets, IDX files written here byte by byte, real Fashion-MNIST."""
import builtins
import gzip
import os
import struct

import numpy as np
import pytest

from netgrad.data import (
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_DIR,
    fashion_mnist_available,
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_fashion_mnist,
    load_idx,
    load_iris,
    load_mnist_format,
    load_wine,
)

BUNDLED = [(load_digits, "load_digits", (1797, 64), 10), (load_iris, "load_iris", (150, 4), 3),
           (load_wine, "load_wine", (178, 13), 3), (load_breast_cancer, "load_breast_cancer", (569, 30), 2)]


@pytest.mark.parametrize("load, name, shape, n_classes", BUNDLED)
def test_bundled_classification_sets_match_scikit_learn(load, name, shape, n_classes):
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = load()
    X_ref, y_ref = getattr(datasets, name)(return_X_y=True)
    assert X.shape == shape and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_allclose(X, X_ref, rtol=1e-6)
    np.testing.assert_array_equal(y, y_ref)
    assert np.unique(y).tolist() == list(range(n_classes))


def test_diabetes_is_regression_with_float32_targets():
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = load_diabetes()
    X_ref, y_ref = datasets.load_diabetes(return_X_y=True)
    assert X.shape == (442, 10) and X.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_allclose(y, y_ref, rtol=1e-6)
    np.testing.assert_allclose(X, X_ref, rtol=1e-5, atol=1e-8)


def test_missing_scikit_learn_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name == "sklearn" or name.startswith("sklearn."):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(ImportError, match=r'pip install "netgrad\[datasets\]"'):
        load_iris()


# ---------------------------------------------------------------- IDX files written by hand


def idx_bytes(array: np.ndarray, type_code: int) -> bytes:
    """The IDX format spelled out: 0, 0, type code, ndim, big-endian uint32 sizes, big-endian data."""
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(struct.pack(">I", s) for s in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


@pytest.mark.parametrize("dtype, code", [(np.uint8, 0x08), (np.int8, 0x09), (np.int16, 0x0B), (np.int32, 0x0C),
                                         (np.float32, 0x0D), (np.float64, 0x0E)])
@pytest.mark.parametrize("compress", [False, True])
def test_load_idx_reads_every_type_raw_or_gzip(tmp_path, dtype, code, compress):
    array = (np.arange(24).reshape(2, 3, 4) * (-1 if np.dtype(dtype).kind != "u" else 1)).astype(dtype)
    data = idx_bytes(array, code)
    path = tmp_path / "a.idx"
    path.write_bytes(gzip.compress(data) if compress else data)
    out = load_idx(path)
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative and out.flags.writeable
    np.testing.assert_array_equal(out, array)


def test_load_idx_refuses_foreign_truncated_and_padded_files(tmp_path):
    good = idx_bytes(np.arange(12, dtype=np.uint8).reshape(3, 4), 0x08)
    cases = {
        "foreign.png": (b"\x89PNG\r\n\x1a\n" + bytes(20), r"is not an IDX file: it starts with bytes 89 50 4e 47"),
        "empty": (b"", r"is not an IDX file: it starts with bytes \(none\)"),
        "badtype": (bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 5]), "is not an IDX file"),
        "short_header": (good[:6], r"truncated IDX header \(6 bytes, 12 needed for 2 dimensions\)"),
        "truncated": (good[:-3], r"is truncated: its header promises shape \(3, 4\) of uint8 \(12 bytes of data\) "
                                 r"but it holds 9"),
        "padded": (good + b"\0", "has trailing bytes"),
    }
    for name, (content, message) in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ValueError, match=message):
            load_idx(tmp_path / name)
    (tmp_path / "cut.gz").write_bytes(gzip.compress(good)[:-10])
    with pytest.raises(ValueError, match="corrupt or truncated gzip data"):
        load_idx(tmp_path / "cut.gz")


def write_mnist_dir(directory, n_train=5, n_test=3, compress=True, dotted=False):
    rng = np.random.default_rng(0)
    sets = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, (n, 4, 3), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        for what, array, rank in (("images", images, "idx3"), ("labels", labels, "idx1")):
            name = f"{prefix}-{what}{'.' if dotted else '-'}{rank}-ubyte" + (".gz" if compress else "")
            data = idx_bytes(array, 0x08)
            (directory / name).write_bytes(gzip.compress(data) if compress else data)
        sets[prefix] = (images, labels)
    return sets


@pytest.mark.parametrize("compress, dotted", [(True, False), (False, True)])
def test_load_mnist_format(tmp_path, compress, dotted):
    sets = write_mnist_dir(tmp_path, compress=compress, dotted=dotted)
    images, labels = sets["train"]
    X, y = load_mnist_format(tmp_path)
    assert X.shape == (5, 4, 3) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_allclose(X, images / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, labels)
    X_raw, _ = load_mnist_format(tmp_path, "test", normalize=False, flatten=True)
    assert X_raw.dtype == np.uint8 and X_raw.shape == (3, 12)
    np.testing.assert_array_equal(X_raw, sets["t10k"][0].reshape(3, 12))
    X_all, y_all = load_mnist_format(tmp_path, "all")
    assert X_all.shape == (8, 4, 3)
    np.testing.assert_array_equal(y_all, np.concatenate([labels, sets["t10k"][1]]))


def test_load_mnist_format_errors(tmp_path):
    with pytest.raises(ValueError, match="kind must be 'train', 'test' or 'all', got 'valid'"):
        load_mnist_format(tmp_path, "valid")
    with pytest.raises(FileNotFoundError, match=r"no train images in .* \(looked for train-images-idx3-ubyte.gz"):
        load_mnist_format(tmp_path)
    write_mnist_dir(tmp_path, compress=False)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(4, np.uint8), 0x08))
    with pytest.raises(ValueError, match="holds 5 images but .* holds 4 labels"):
        load_mnist_format(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros((5, 2), np.uint8), 0x08))
    with pytest.raises(ValueError, match=r"expected uint8 labels \(n,\), got uint8 \(5, 2\)"):
        load_mnist_format(tmp_path)


def test_missing_fashion_mnist_says_how_to_install(tmp_path):
    assert not fashion_mnist_available(tmp_path)
    with pytest.raises(FileNotFoundError) as info:
        load_fashion_mnist(tmp_path)
    message = str(info.value)
    assert "sudo apt-get install dataset-fashion-mnist" in message
    assert str(tmp_path) in message and "train-images-idx3-ubyte.gz" in message


def test_fashion_mnist_from_a_user_directory(tmp_path):
    write_mnist_dir(tmp_path)
    assert fashion_mnist_available(tmp_path)
    X, y = load_fashion_mnist(tmp_path, kind="test", flatten=True)
    assert X.shape == (3, 12)


def test_fashion_mnist_class_names():
    assert len(FASHION_MNIST_CLASSES) == 10
    assert FASHION_MNIST_CLASSES[0] == "T-shirt/top" and FASHION_MNIST_CLASSES[9] == "Ankle boot"


# ---------------------------------------------------------------- the real thing (Debian package)

needs_fashion_mnist = pytest.mark.skipif(not fashion_mnist_available(),
                                         reason="Fashion-MNIST absent: sudo apt-get install dataset-fashion-mnist")


def reference_read(prefix):
    # the reader shipped with Fashion-MNIST (utils/mnist_reader.py): fixed 16- and 8-byte headers
    with gzip.open(os.path.join(FASHION_MNIST_DIR, f"{prefix}-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    with gzip.open(os.path.join(FASHION_MNIST_DIR, f"{prefix}-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(len(labels), 784)
    return images, labels


@needs_fashion_mnist
def test_real_fashion_mnist_test_set():
    X, y = load_fashion_mnist(kind="test", normalize=False, flatten=True)
    images, labels = reference_read("t10k")
    assert X.shape == (10000, 784) and X.dtype == np.uint8
    np.testing.assert_array_equal(X, images)
    np.testing.assert_array_equal(y, labels)
    assert np.bincount(y).tolist() == [1000] * 10


@needs_fashion_mnist
def test_real_fashion_mnist_training_set_normalised():
    X, y = load_fashion_mnist()
    assert X.shape == (60000, 28, 28) and X.dtype == np.float32 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.bincount(y).tolist() == [6000] * 10
    images, labels = reference_read("train")
    np.testing.assert_array_equal(y, labels)
    np.testing.assert_allclose(X[:100].reshape(100, -1), images[:100] / 255.0, rtol=1e-6)
