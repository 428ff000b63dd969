"""Real datasets that need no download.

- scikit-learn's bundled sets (digits, iris, wine, breast cancer, diabetes), through the optional
  ``datasets`` extra: ``pip install "netgrad[datasets]"``;
- Fashion-MNIST (70 000 28x28 grey images of clothes, 10 classes), read from the IDX files that the
  Debian package ``dataset-fashion-mnist`` installs in ``/usr/share/datasets/fashion-mnist``;
- any MNIST-format IDX files (gzip-compressed or raw) with :func:`load_idx` / :func:`load_mnist_format`.

Every loader returns ``(X, y)``: ``X`` float32 (uint8 pixels with ``normalize=False``), ``y`` int64 class
labels from 0, or float32 targets for regression.
"""
from __future__ import annotations

import gzip
import math
import os
import struct
import zlib

import numpy as np

__all__ = [
    "load_digits",
    "load_iris",
    "load_wine",
    "load_breast_cancer",
    "load_diabetes",
    "load_idx",
    "load_mnist_format",
    "load_fashion_mnist",
    "fashion_mnist_available",
    "FASHION_MNIST_DIR",
    "FASHION_MNIST_CLASSES",
]

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
_FASHION_MNIST_INSTALL = "sudo apt-get install dataset-fashion-mnist"


# ---------------------------------------------------------------- scikit-learn's bundled sets


def _bundled(name: str, target_dtype: type) -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn import datasets
    except ImportError:
        raise ImportError(
            f"{name} comes with scikit-learn, which is not installed; install it with: "
            'pip install "netgrad[datasets]"'
        ) from None
    X, y = getattr(datasets, name)(return_X_y=True)
    return X.astype(np.float32), y.astype(target_dtype)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """Handwritten digits, 8x8 pixels: ``X`` (1797, 64) intensities 0-16, ``y`` digits 0-9."""
    return _bundled("load_digits", np.int64)


def load_iris() -> tuple[np.ndarray, np.ndarray]:
    """Iris flowers: ``X`` (150, 4) sepal and petal sizes in cm, ``y`` species 0-2."""
    return _bundled("load_iris", np.int64)


def load_wine() -> tuple[np.ndarray, np.ndarray]:
    """Wines of three cultivars: ``X`` (178, 13) chemical measurements, ``y`` cultivar 0-2."""
    return _bundled("load_wine", np.int64)


def load_breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    """Breast tumours: ``X`` (569, 30) cell-nucleus measurements, ``y`` 0 malignant, 1 benign."""
    return _bundled("load_breast_cancer", np.int64)


def load_diabetes() -> tuple[np.ndarray, np.ndarray]:
    """Diabetes progression (regression): ``X`` (442, 10) scaled features, ``y`` float32 (25-346)."""
    return _bundled("load_diabetes", np.float32)


# ---------------------------------------------------------------- IDX files (MNIST format)

# IDX type codes and their big-endian element types
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def load_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (gzip-compressed or raw, detected from its first bytes).

    The format: two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
    0x0E float64), the number of dimensions, each dimension as a big-endian uint32, then the data.

    Returns:
        A writable array in native byte order with the shape the header gives.

    Raises:
        ValueError: the file is not IDX, or holds more or fewer bytes than its header promises.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as err:
            raise ValueError(f"{path}: corrupt or truncated gzip data ({err})") from None
    if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] not in _IDX_DTYPES or raw[3] == 0:
        raise ValueError(
            f"{path} is not an IDX file: it starts with bytes {raw[:4].hex(' ') or '(none)'}, expected "
            "00 00, a type code (08, 09, 0b, 0c, 0d or 0e) and the number of dimensions"
        )
    ndim, dtype = raw[3], np.dtype(_IDX_DTYPES[raw[2]])
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header ({len(raw)} bytes, {header} needed for {ndim} dimensions)")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    expected, found = math.prod(shape) * dtype.itemsize, len(raw) - header
    if found != expected:
        problem = "truncated" if found < expected else "has trailing bytes"
        raise ValueError(
            f"{path} is {problem}: its header promises shape {shape} of {dtype.name} ({expected} bytes of "
            f"data) but it holds {found}"
        )
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


_KIND_PREFIXES = {"train": ("train",), "test": ("t10k", "test")}


def _idx_candidates(directory: str, kind: str, what: str) -> list[str]:
    """File names MNIST-style sets use: ``train-images-idx3-ubyte`` or ``...images.idx3-ubyte``, ± ``.gz``."""
    rank = "idx3" if what == "images" else "idx1"
    return [os.path.join(directory, f"{prefix}-{what}{sep}{rank}-ubyte{ext}")
            for prefix in _KIND_PREFIXES[kind] for sep in ("-", ".") for ext in (".gz", "")]


def _find_idx(directory: str, kind: str, what: str) -> str:
    candidates = _idx_candidates(directory, kind, what)
    for candidate in candidates:
        if os.path.isfile(candidate):
            return candidate
    names = ", ".join(os.path.basename(c) for c in candidates)
    raise FileNotFoundError(f"no {kind} {what} in {directory} (looked for {names})")


def _read_split(directory: str, kind: str) -> tuple[np.ndarray, np.ndarray]:
    images_path, labels_path = _find_idx(directory, kind, "images"), _find_idx(directory, kind, "labels")
    images, labels = load_idx(images_path), load_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"{images_path}: expected uint8 images (n, rows, cols), got {images.dtype} {images.shape}")
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(f"{labels_path}: expected uint8 labels (n,), got {labels.dtype} {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{images_path} holds {len(images)} images but {labels_path} holds {len(labels)} labels")
    return images, labels


def load_mnist_format(
    directory: str | os.PathLike, kind: str = "train", normalize: bool = True, flatten: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Read an MNIST-format image set (MNIST, Fashion-MNIST, KMNIST, ...) from ``directory``.

    Args:
        directory: holds ``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]`` and the
            ``t10k-`` (or ``test-``) pair; dotted names (``train-images.idx3-ubyte``) work too.
        kind: ``"train"``, ``"test"`` or ``"all"`` (train followed by test).
        normalize: scale pixels to float32 in [0, 1] (``x / 255``, done here: do not divide by 255 again);
            False keeps the stored uint8 values 0-255.
        flatten: return images as ``(n, rows * cols)`` instead of ``(n, rows, cols)``.

    Returns:
        ``(X, y)`` with ``y`` int64 labels.
    """
    directory = os.fspath(directory)
    if kind not in ("train", "test", "all"):
        raise ValueError(f"kind must be 'train', 'test' or 'all', got {kind!r}")
    splits = [_read_split(directory, k) for k in (("train", "test") if kind == "all" else (kind,))]
    images = splits[0][0] if len(splits) == 1 else np.concatenate([s[0] for s in splits])
    labels = np.concatenate([s[1] for s in splits]).astype(np.int64)
    if flatten:
        images = images.reshape(len(images), -1)
    if normalize:
        images = images.astype(np.float32)
        images /= 255
    return images, labels


def fashion_mnist_available(path: str | os.PathLike | None = None) -> bool:
    """Whether the Fashion-MNIST training and test files are in ``path`` (default: the Debian package's)."""
    directory = os.fspath(path) if path is not None else FASHION_MNIST_DIR
    return all(any(os.path.isfile(c) for c in _idx_candidates(directory, kind, what))
               for kind in ("train", "test") for what in ("images", "labels"))


def load_fashion_mnist(
    path: str | os.PathLike | None = None, kind: str = "train", normalize: bool = True, flatten: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST: 60 000 training and 10 000 test images of clothes, 28x28, 10 classes.

    Class names are in :data:`FASHION_MNIST_CLASSES` (0 "T-shirt/top" ... 9 "Ankle boot").

    Args:
        path: directory of the IDX files; default ``/usr/share/datasets/fashion-mnist``, where the Debian
            package ``dataset-fashion-mnist`` installs them.
        kind, normalize, flatten: as in :func:`load_mnist_format`.

    Returns:
        ``(X, y)``: ``X`` float32 in [0, 1] of shape ``(n, 28, 28)`` (``(n, 784)`` with ``flatten``),
        ``y`` int64 labels 0-9. The pixels are already divided by 255: do not scale them by 1/255 again
        (``normalize=False`` gives the stored uint8 values 0-255 instead).

    Raises:
        FileNotFoundError: the files are missing; the message names the directory searched and how to
            install them.
    """
    directory = os.fspath(path) if path is not None else FASHION_MNIST_DIR
    try:
        return load_mnist_format(directory, kind, normalize=normalize, flatten=flatten)
    except FileNotFoundError as err:
        raise FileNotFoundError(
            f"Fashion-MNIST not found: {err}. Install it with: {_FASHION_MNIST_INSTALL}"
            + ("" if path is None else f" (it installs into {FASHION_MNIST_DIR}), or pass the directory "
               "that holds the IDX files as path=")
        ) from None
