"""netgrad.io: safetensors round trips, refusals, atomic writes, state-dict checks and checkpoints."""
from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import pathlib
import re
import signal
import struct
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pytest
import safetensors.numpy

import netgrad
import netgrad.io as nio
import netgrad.random as ngrandom

PACKAGE_DIR = pathlib.Path(netgrad.__file__).resolve().parent


def assert_same(actual, expected, where="obj"):
    """Exact structural equality: same container types, keys (and key types), dtypes, shapes and bits."""
    if isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray), f"{where}: {type(actual).__name__} is not an ndarray"
        assert actual.dtype == expected.dtype, f"{where}: dtype {actual.dtype} != {expected.dtype}"
        assert actual.shape == expected.shape, f"{where}: shape {actual.shape} != {expected.shape}"
        assert actual.tobytes() == np.ascontiguousarray(expected).tobytes(), f"{where}: values differ"
        return
    assert type(actual) is type(expected), f"{where}: {type(actual).__name__} != {type(expected).__name__}"
    if isinstance(expected, dict):
        assert list(actual) == list(expected), f"{where}: keys {list(actual)} != {list(expected)}"
        for key in expected:
            assert type(next(k for k in actual if k == key)) is type(key), f"{where}: key type of {key!r}"
            assert_same(actual[key], expected[key], f"{where}[{key!r}]")
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), f"{where}: length"
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same(a, e, f"{where}[{i}]")
    elif isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(actual), f"{where}: {actual} is not nan"
    elif isinstance(expected, np.generic):
        assert actual.dtype == expected.dtype and (actual == expected or (np.isnan(actual) and np.isnan(expected)))
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def read_header(path):
    """The JSON header of a safetensors file, read by hand: u64 little-endian length, then JSON."""
    raw = pathlib.Path(path).read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + length])


# --------------------------------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------------------------------

def test_round_trip_of_a_nested_structure(tmp_path):
    rng = np.random.default_rng(0)
    obj = {
        "model": {
            "fc1.weight": rng.standard_normal((4, 3)).astype(np.float32),
            "fc1.bias": np.zeros(4, np.float32),
            "bn.num_batches_tracked": np.array(7, np.int64),  # 0-d
        },
        "optimizer": {
            "state": {0: {"step": 3, "exp_avg": rng.standard_normal(3)}, 1: {}},
            "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "params": [0, 1],
                              "nesterov": False, "name": None}],
        },
        "mask": np.array([[True, False], [False, True]]),
        "scalar_bool": np.array(False),
        "scalar_float": np.array(2.5),
        "empty": {},
        "empty_list": [],
        "empty_array": np.zeros((0, 5), np.float32),
        "numbers": [1, -2.75, 2**80, float("inf"), float("-inf"), float("nan"), True, "text"],
        "numpy_scalars": (np.float32(0.1), np.int64(-5), np.bool_(True), np.float64(float("nan"))),
        -1: "negative int key",
    }
    nio.save(obj, tmp_path / "obj.safetensors")
    assert_same(nio.load(tmp_path / "obj.safetensors"), obj)


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32",
                                   "int64", "uint64", "float16", "float32", "float64", "complex64"])
@pytest.mark.parametrize("shape", [(), (5,), (2, 3, 4)])
def test_dtype_and_shape_preserved_bit_for_bit(tmp_path, dtype, shape):
    raw = np.random.default_rng(1).integers(0, 256, size=int(np.prod(shape)) * np.dtype(dtype).itemsize,
                                            dtype=np.uint8)
    array = raw.view(dtype).reshape(shape) if dtype != "bool" else (raw % 2).astype(bool).reshape(shape)
    nio.save({"x": array}, tmp_path / "a.safetensors")
    loaded = nio.load(tmp_path / "a.safetensors")["x"]
    assert loaded.dtype == np.dtype(dtype) and loaded.shape == shape
    assert loaded.tobytes() == array.tobytes()


def test_non_contiguous_and_big_endian_arrays_are_stored_by_value(tmp_path):
    transposed = np.arange(12.0).reshape(3, 4).T
    big_endian = np.arange(5, dtype=">i4")
    nio.save({"t": transposed, "b": big_endian}, tmp_path / "a.safetensors")
    loaded = nio.load(tmp_path / "a.safetensors")
    np.testing.assert_array_equal(loaded["t"], transposed)
    np.testing.assert_array_equal(loaded["b"], big_endian)
    assert loaded["b"].dtype == np.int32


def test_loaded_arrays_are_writable(tmp_path):
    nio.save({"w": np.ones(3)}, tmp_path / "a.safetensors")
    loaded = nio.load(tmp_path / "a.safetensors")["w"]
    loaded += 1.0  # in-place updates (optimizer steps) must work on what load returns
    np.testing.assert_array_equal(loaded, [2.0, 2.0, 2.0])


def test_non_array_top_level_objects_round_trip(tmp_path):
    for i, obj in enumerate([None, 3, "x", [1, (2, 3)], np.arange(3), {}]):
        nio.save(obj, tmp_path / f"{i}.safetensors")
        assert_same(nio.load(tmp_path / f"{i}.safetensors"), obj)


def test_colliding_dotted_names_stay_apart(tmp_path):
    obj = {"a.b": np.array([1.0]), "a": {"b": np.array([2.0])}, "__metadata__": np.array([3.0])}
    nio.save(obj, tmp_path / "a.safetensors")
    assert_same(nio.load(tmp_path / "a.safetensors"), obj)


# --------------------------------------------------------------------------------------------------
# Interoperability with other safetensors readers and writers
# --------------------------------------------------------------------------------------------------

def test_flat_state_dict_is_plain_safetensors_for_other_readers(tmp_path):
    state = {"fc1.weight": np.arange(6, dtype=np.float32).reshape(2, 3), "fc1.bias": np.ones(2, np.float32)}
    nio.save(state, tmp_path / "m.safetensors")
    other = safetensors.numpy.load_file(tmp_path / "m.safetensors")
    assert set(other) == set(state)
    for name in state:
        assert_same(other[name], state[name], name)


def test_header_records_format_and_version(tmp_path):
    nio.save({"w": np.zeros(2)}, tmp_path / "m.safetensors")
    header = read_header(tmp_path / "m.safetensors")
    document = json.loads(header["__metadata__"]["netgrad"])
    assert document["format"] == "netgrad" and document["version"] == nio.FORMAT_VERSION == 1
    assert header["w"]["dtype"] == "F64" and header["w"]["shape"] == [2]


def test_file_from_safetensors_writer_loads_as_flat_dict(tmp_path):
    tensors = {"embedding": np.arange(8, dtype=np.float32).reshape(2, 4), "ids": np.array([3, 1], np.int64)}
    safetensors.numpy.save_file(tensors, tmp_path / "foreign.safetensors", metadata={"author": "someone"})
    loaded = nio.load(tmp_path / "foreign.safetensors")
    assert set(loaded) == set(tensors)
    for name in tensors:
        assert_same(loaded[name], tensors[name], name)
    with pytest.raises(ValueError, match=r"foreign\.safetensors.*not written by netgrad"):
        nio.load(tmp_path / "foreign.safetensors", require_netgrad=True)


def test_newer_format_version_is_refused(tmp_path):
    document = json.dumps({"format": "netgrad", "version": 99, "tree": None})
    safetensors.numpy.save_file({}, tmp_path / "new.safetensors", metadata={"netgrad": document})
    with pytest.raises(ValueError, match=r"new\.safetensors.*format 99.*upgrade"):
        nio.load(tmp_path / "new.safetensors")


def test_metadata_pointing_at_a_missing_tensor_is_refused(tmp_path):
    document = json.dumps({"format": "netgrad", "version": 1, "tree": {"tensor": "ghost"}})
    safetensors.numpy.save_file({"w": np.zeros(1)}, tmp_path / "bad.safetensors", metadata={"netgrad": document})
    with pytest.raises(ValueError, match=r"bad\.safetensors.*'ghost'"):
        nio.load(tmp_path / "bad.safetensors")


def test_tensors_the_metadata_does_not_describe_are_refused(tmp_path):
    document = json.dumps({"format": "netgrad", "version": 1, "tree": {"dict": [["a", {"tensor": "a"}]]}})
    safetensors.numpy.save_file({"a": np.zeros(1), "smuggled": np.ones(1)}, tmp_path / "bad.safetensors",
                                metadata={"netgrad": document})
    with pytest.raises(ValueError, match=r"bad\.safetensors.*smuggled"):
        nio.load(tmp_path / "bad.safetensors")


# --------------------------------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("keep", ["4_bytes", "half_header", "all_but_one"])
def test_truncated_file_is_refused(tmp_path, keep):
    path = tmp_path / "model.safetensors"
    nio.save({"w": np.arange(100, dtype=np.float32), "meta": {"epoch": 3}}, path)
    raw = path.read_bytes()
    (header_length,) = struct.unpack("<Q", raw[:8])
    cut = {"4_bytes": 4, "half_header": 8 + header_length // 2, "all_but_one": len(raw) - 1}[keep]
    path.write_bytes(raw[:cut])
    with pytest.raises(ValueError, match=r"model\.safetensors.*(truncated|not a safetensors|not a readable)"):
        nio.load(path)


RANDOM_BYTES = np.random.default_rng(2).integers(0, 256, 4096, dtype=np.uint8).tobytes()


@pytest.mark.parametrize("content", [b"", RANDOM_BYTES, b"PK\x03\x04 a zip archive, e.g. a torch.save file",
                                     b"\x80\x04\x95 pickle protocol 4 bytes", b"{\"w\": [1, 2]}"])
def test_foreign_bytes_are_refused(tmp_path, content):
    path = tmp_path / "weights.bin"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"weights\.bin.*(not a safetensors|truncated|not a readable)"):
        nio.load(path)


def test_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.safetensors"):
        nio.load(tmp_path / "nope.safetensors")


@pytest.mark.parametrize("obj, fragment", [
    ({"w": np.array([1, "a"], dtype=object)}, r"dtype object.*'w'"),
    ({"layers": [{"w": np.zeros(2, np.complex128)}]}, r"unsupported dtype complex128.*'layers\.0\.w'"),
    ({"state": {(0, 1): 1.0}}, r"dict key \(0, 1\).*'state'"),
    ({"state": {1.5: 1.0}}, r"dict key 1\.5 of type float"),
    ({"state": {True: 1.0}}, r"dict key True of type bool"),
    ({"fn": print}, r"builtin_function_or_method.*'fn'"),
    ({"s": {1, 2}}, r"type set.*'s'"),
])
def test_unsavable_objects_are_refused_naming_where(tmp_path, obj, fragment):
    with pytest.raises(ValueError, match=r"out\.safetensors.*" + fragment):
        nio.save(obj, tmp_path / "out.safetensors")
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file left behind


def test_no_pickle_anywhere_in_the_package():
    forbidden = re.compile(r"^\s*(import\s+[\w., ]*\b(c?[Pp]ickle|_pickle|dill|cloudpickle|shelve|joblib)\b"
                           r"|from\s+(c?[Pp]ickle|_pickle|dill|cloudpickle|shelve|joblib)\b)", re.MULTILINE)
    offenders = []
    for source in PACKAGE_DIR.rglob("*.py"):
        text = source.read_text(encoding="utf-8", errors="replace")
        if forbidden.search(text) or "allow_pickle=True" in text:
            offenders.append(str(source.relative_to(PACKAGE_DIR.parent)))
    assert offenders == [], f"pickle is used in {offenders}"


# --------------------------------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------------------------------

def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    nio.save({"w": np.zeros(3)}, path)
    before = path.read_bytes()

    def failing_fsync(fd):  # the new bytes are already in the temporary file when this runs
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        nio.save({"w": np.ones(1000)}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.safetensors"]


def test_failed_serialisation_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    nio.save({"w": np.zeros(3)}, path)
    before = path.read_bytes()

    def failing_serialise(*args, **kwargs):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(safetensors.numpy, "save", failing_serialise)
    with pytest.raises(RuntimeError, match="interrupted"):
        nio.save({"w": np.ones(3)}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.safetensors"]


def test_interrupted_rename_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"

    def failing_replace(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(KeyboardInterrupt):
        nio.save({"w": np.ones(3)}, path)
    assert list(tmp_path.iterdir()) == []


def test_save_replaces_an_existing_file(tmp_path):
    path = tmp_path / "model.safetensors"
    nio.save({"w": np.zeros(3)}, path)
    nio.save({"w": np.ones(2, np.float32)}, str(path))
    assert_same(nio.load(path), {"w": np.ones(2, np.float32)})


# --------------------------------------------------------------------------------------------------
# Tensors
# --------------------------------------------------------------------------------------------------

class DuckTensor:
    """The part of the netgrad.Tensor contract that io relies on: the raw array in `_data`."""

    __slots__ = ("_data",)

    def __init__(self, data):
        self._data = data


def test_objects_holding_an_array_in_data_are_saved_as_arrays(tmp_path):
    weight = np.arange(6, dtype=np.float32).reshape(3, 2)
    nio.save({"weight": DuckTensor(weight)}, tmp_path / "t.safetensors")
    assert_same(nio.load(tmp_path / "t.safetensors"), {"weight": weight})


def test_netgrad_tensors_round_trip_as_tensors(tmp_path):
    weight = np.arange(6, dtype=np.float32).reshape(3, 2)
    nio.save({"weight": netgrad.tensor(weight), "step": 2}, tmp_path / "t.safetensors")
    loaded = nio.load(tmp_path / "t.safetensors", as_tensors=True)
    assert isinstance(loaded["weight"], netgrad.Tensor) and loaded["step"] == 2
    assert_same(loaded["weight"].numpy(), weight)
    assert loaded["weight"].dtype == netgrad.float32 and not loaded["weight"].requires_grad


def test_check_state_dict_accepts_tensors_and_netgrad_dtypes():
    expected = {"w": netgrad.zeros(2, 3), "b": ((3,), netgrad.float64)}
    nio.check_state_dict(expected, {"w": np.zeros((2, 3), np.float32), "b": netgrad.zeros(3, dtype=netgrad.float64)})
    with pytest.raises(nio.StateDictError, match=r"'b': expected dtype float64, got float32"):
        nio.check_state_dict(expected, {"w": np.zeros((2, 3), np.float32), "b": np.zeros(3, np.float32)})


# --------------------------------------------------------------------------------------------------
# check_state_dict
# --------------------------------------------------------------------------------------------------

def test_check_state_dict_reports_every_problem_at_once():
    expected = {
        "fc1.weight": np.zeros((4, 3), np.float32),
        "fc1.bias": ((4,), "float32"),
        "fc2.weight": (2, 4),
        "fc2.bias": DuckTensor(np.zeros(2, np.float32)),
    }
    loaded = {
        "fc1.weight": np.zeros((3, 4), np.float32),   # transposed
        "fc1.bias": np.zeros(4, np.float64),          # wrong dtype
        "fc2.weight": np.zeros((2, 4), np.float16),   # no dtype expected: fine
        "fc3.weight": np.zeros(1),                    # unexpected
    }                                                 # fc2.bias missing
    with pytest.raises(nio.StateDictError) as info:
        nio.check_state_dict(expected, loaded, source="'model.safetensors'")
    message = str(info.value)
    assert "model.safetensors" in message
    assert re.search(r"Missing key\(s\): 'fc2\.bias'", message)
    assert re.search(r"Unexpected key\(s\): 'fc3\.weight'", message)
    assert re.search(r"'fc1\.weight': expected shape \(4, 3\), got \(3, 4\) \(transposed", message)
    assert re.search(r"'fc1\.bias': expected dtype float32, got float64", message)
    assert "fc2.weight" not in message
    assert isinstance(info.value, ValueError) and isinstance(info.value, RuntimeError)


def test_check_state_dict_non_strict_returns_the_key_differences():
    result = nio.check_state_dict({"a": (2,), "b": (3,)}, {"a": np.zeros(2), "c": np.zeros(1)}, strict=False)
    assert result == nio.IncompatibleKeys(missing_keys=["b"], unexpected_keys=["c"])
    assert nio.check_state_dict({"a": (2,)}, {"a": np.zeros(2)}) == ([], [])
    with pytest.raises(nio.StateDictError, match="expected shape"):  # shapes count even when not strict
        nio.check_state_dict({"a": (2,)}, {"a": np.zeros(3)}, strict=False)


def test_check_state_dict_dtype_check_can_be_switched_off():
    nio.check_state_dict({"a": np.zeros(2, np.float32)}, {"a": np.zeros(2, np.float64)}, check_dtype=False)


def test_check_state_dict_suggests_stripping_a_prefix():
    with pytest.raises(nio.StateDictError, match=r"extra prefix 'module\.'"):
        nio.check_state_dict({"fc.weight": (1, 1)}, {"module.fc.weight": np.zeros((1, 1))})


# --------------------------------------------------------------------------------------------------
# Checkpoints: resuming is bit-identical
# --------------------------------------------------------------------------------------------------

class LinearModel:
    """y = X @ w + b, with a state dict like a netgrad Module's."""

    def __init__(self, n_in):
        self.w = np.zeros(n_in)
        self.b = np.zeros(1)

    def state_dict(self):
        return {"w": self.w, "b": self.b}

    def load_state_dict(self, state):
        self.w[...] = state["w"]  # in place, as modules copy into their parameters
        self.b[...] = state["b"]


class MomentumSGD:
    """SGD with momentum and optimizer-style state: int keys, param_groups with a tuple."""

    def __init__(self, params, lr, momentum):
        self.params = params
        self.param_groups = [{"lr": lr, "momentum": momentum, "params": list(range(len(params))),
                              "betas": (momentum, 0.0)}]
        self.state = {}

    def step(self, grads):
        group = self.param_groups[0]
        for i, (p, g) in enumerate(zip(self.params, grads)):
            entry = self.state.setdefault(i, {"momentum_buffer": np.zeros_like(p), "step": 0})
            entry["momentum_buffer"] = group["momentum"] * entry["momentum_buffer"] + g
            entry["step"] += 1
            p -= group["lr"] * entry["momentum_buffer"]

    def state_dict(self):
        return {"state": self.state, "param_groups": self.param_groups}

    def load_state_dict(self, state):
        self.state = {i: dict(entry) for i, entry in state["state"].items()}
        self.param_groups = [dict(group) for group in state["param_groups"]]


class StepDecay:
    def __init__(self, optimizer, gamma):
        self.optimizer, self.gamma, self.last_epoch = optimizer, gamma, 0

    def step(self):
        self.last_epoch += 1
        self.optimizer.param_groups[0]["lr"] *= self.gamma

    def state_dict(self):
        return {"gamma": self.gamma, "last_epoch": self.last_epoch}

    def load_state_dict(self, state):
        self.gamma, self.last_epoch = state["gamma"], state["last_epoch"]


def make_run(n_in=3):
    model = LinearModel(n_in)
    optimizer = MomentumSGD([model.w, model.b], lr=0.05, momentum=0.9)
    return model, optimizer, StepDecay(optimizer, gamma=0.9)


def train_epochs(model, optimizer, scheduler, X, y, epochs):
    """Mini-batch SGD whose shuffling and gradient noise come from netgrad's global generator."""
    for _ in range(epochs):
        order = ngrandom.get_generator().permutation(len(X))
        for batch in np.array_split(order, 4):
            error = X[batch] @ model.w + model.b - y[batch]
            noise = ngrandom.get_generator().normal(scale=1e-3, size=model.w.shape)
            optimizer.step([2 * X[batch].T @ error / len(batch) + noise, np.array([2 * error.mean()])])
        scheduler.step()


def test_resumed_training_is_bit_identical(tmp_path):
    X = np.random.default_rng(3).standard_normal((32, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3

    ngrandom.manual_seed(7)
    model, optimizer, scheduler = make_run()
    train_epochs(model, optimizer, scheduler, X, y, 10)
    uninterrupted = (model.w.copy(), model.b.copy(), optimizer.param_groups[0]["lr"])

    ngrandom.manual_seed(7)
    model, optimizer, scheduler = make_run()
    train_epochs(model, optimizer, scheduler, X, y, 5)
    nio.save_checkpoint(tmp_path / "ckpt.safetensors", model=model, optimizer=optimizer, scheduler=scheduler,
                        epoch=5, extra={"best_loss": 0.25, "history": [1.0, 0.5]})

    ngrandom.manual_seed(12345)  # a fresh process would start from some other state
    model, optimizer, scheduler = make_run()
    info = nio.load_checkpoint(tmp_path / "ckpt.safetensors", model=model, optimizer=optimizer,
                               scheduler=scheduler)
    assert info == {"epoch": 5, "extra": {"best_loss": 0.25, "history": [1.0, 0.5]}}
    assert scheduler.last_epoch == 5 and sorted(optimizer.state) == [0, 1]
    train_epochs(model, optimizer, scheduler, X, y, 5)

    assert model.w.tobytes() == uninterrupted[0].tobytes()
    assert model.b.tobytes() == uninterrupted[1].tobytes()
    assert optimizer.param_groups[0]["lr"] == uninterrupted[2]


def test_checkpoint_for_another_model_is_refused_before_anything_changes(tmp_path):
    model, optimizer, _ = make_run(n_in=3)
    nio.save_checkpoint(tmp_path / "ckpt.safetensors", model=model, optimizer=optimizer)
    other, other_optimizer, _ = make_run(n_in=5)
    other.w[...] = 4.0
    with pytest.raises(ValueError, match=r"(?s)ckpt\.safetensors.*'w': expected shape \(5,\), got \(3,\)"):
        nio.load_checkpoint(tmp_path / "ckpt.safetensors", model=other, optimizer=other_optimizer)
    np.testing.assert_array_equal(other.w, np.full(5, 4.0))


def test_load_checkpoint_refuses_plain_files_and_missing_parts(tmp_path):
    model, optimizer, scheduler = make_run()
    nio.save(model.state_dict(), tmp_path / "weights.safetensors")
    with pytest.raises(ValueError, match=r"weights\.safetensors.*not a netgrad checkpoint"):
        nio.load_checkpoint(tmp_path / "weights.safetensors", model=model)
    nio.save_checkpoint(tmp_path / "ckpt.safetensors", model=model)
    with pytest.raises(ValueError, match=r"ckpt\.safetensors.*no optimizer state"):
        nio.load_checkpoint(tmp_path / "ckpt.safetensors", model=model, optimizer=optimizer)
    safetensors.numpy.save_file({"w": np.zeros(3)}, tmp_path / "foreign.safetensors")
    with pytest.raises(ValueError, match=r"foreign\.safetensors.*not written by netgrad"):
        nio.load_checkpoint(tmp_path / "foreign.safetensors", model=model)


class TensorModel:
    """A model whose state dict holds netgrad Tensors, as netgrad.nn modules' do."""

    def __init__(self):
        self.weight = netgrad.zeros(2, 2)
        self.received = None

    def state_dict(self):
        return {"weight": self.weight}

    def load_state_dict(self, state):
        self.received = state
        self.weight = state["weight"]


def test_load_checkpoint_hands_tensors_to_owners_that_use_tensors(tmp_path):
    saved = TensorModel()
    saved.weight = netgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    nio.save_checkpoint(tmp_path / "ckpt.safetensors", model=saved, epoch=1)
    restored = TensorModel()
    nio.load_checkpoint(tmp_path / "ckpt.safetensors", model=restored)
    assert isinstance(restored.received["weight"], netgrad.Tensor)
    assert_same(restored.weight.numpy(), np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))


# --------------------------------------------------------------------------------------------------
# Checksums
# --------------------------------------------------------------------------------------------------

def data_offsets(path, name):
    """Absolute [start, end) of tensor `name`'s bytes in a safetensors file, from the header read by hand."""
    raw = pathlib.Path(path).read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    start, end = read_header(path)[name]["data_offsets"]
    return 8 + length + start, 8 + length + end


def flip_byte(path, offset):
    raw = bytearray(pathlib.Path(path).read_bytes())
    raw[offset] ^= 0x10
    pathlib.Path(path).write_bytes(bytes(raw))


def test_every_tensor_carries_its_sha256(tmp_path):
    arrays = {"fc1.weight": np.arange(12, dtype=np.float32).reshape(3, 4), "steps": np.array(5, np.int64),
              "mask": np.array([True, False]), "big_endian": np.arange(3, dtype=">f8")}
    nio.save(arrays, tmp_path / "m.safetensors")
    stored = json.loads(read_header(tmp_path / "m.safetensors")["__metadata__"]["netgrad"])["sha256"]
    # hashlib on the little-endian C-order bytes, as the safetensors format lays them out
    expected = {name: hashlib.sha256(array.astype(array.dtype.newbyteorder("<")).tobytes()).hexdigest()
                for name, array in arrays.items()}
    assert stored == expected


@pytest.mark.parametrize("target", ["fc1.weight", "fc2.bias"])
def test_a_flipped_byte_in_a_tensor_is_reported_naming_the_tensor(tmp_path, target):
    path = tmp_path / "m.safetensors"
    nio.save({"fc1.weight": np.ones((4, 3), np.float32), "fc2.bias": np.zeros(5, np.float32), "epoch": 3}, path)
    start, end = data_offsets(path, target)
    flip_byte(path, (start + end) // 2)
    with pytest.raises(ValueError, match=rf"m\.safetensors' is damaged: .*'{re.escape(target)}'.*SHA-256"):
        nio.load(path)
    with pytest.raises(ValueError, match=re.escape(repr(target))):
        nio.load(path, as_tensors=True)


def test_a_damaged_checkpoint_is_refused_before_the_model_changes(tmp_path):
    model, optimizer, _ = make_run()
    nio.save_checkpoint(tmp_path / "ckpt.safetensors", model=model, optimizer=optimizer)
    start, _ = data_offsets(tmp_path / "ckpt.safetensors", "model.w")
    flip_byte(tmp_path / "ckpt.safetensors", start)
    model.w[...] = 4.0
    with pytest.raises(ValueError, match=r"damaged.*'model\.w'"):
        nio.load_checkpoint(tmp_path / "ckpt.safetensors", model=model, optimizer=optimizer)
    np.testing.assert_array_equal(model.w, np.full(3, 4.0))


def test_files_without_checksums_still_load(tmp_path):
    weights = {"w": np.arange(6, dtype=np.float32).reshape(2, 3)}
    safetensors.numpy.save_file(weights, tmp_path / "foreign.safetensors")  # another writer: no metadata
    assert_same(nio.load(tmp_path / "foreign.safetensors"), weights)
    # a netgrad document as written before checksums were stored
    document = {"format": "netgrad", "version": 1, "tree": {"dict": [["w", {"tensor": "w"}], ["epoch", 2]]}}
    safetensors.numpy.save_file(weights, tmp_path / "older.safetensors", metadata={"netgrad": json.dumps(document)})
    assert_same(nio.load(tmp_path / "older.safetensors"), {"w": weights["w"], "epoch": 2})


def test_malformed_checksums_are_refused(tmp_path):
    document = {"format": "netgrad", "version": 1, "tree": {"tensor": "w"}, "sha256": ["not", "a", "dict"]}
    safetensors.numpy.save_file({"w": np.ones(2)}, tmp_path / "m.safetensors",
                                metadata={"netgrad": json.dumps(document)})
    with pytest.raises(ValueError, match="checksums are malformed"):
        nio.load(tmp_path / "m.safetensors")


def test_each_tensor_is_hashed_once_when_loading(tmp_path, monkeypatch):
    nio.save({"a": np.ones(1000), "b": [np.zeros(3), np.arange(4)]}, tmp_path / "m.safetensors")
    calls = []
    real = hashlib.sha256

    def counting_sha256(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(hashlib, "sha256", counting_sha256)
    nio.load(tmp_path / "m.safetensors")
    assert len(calls) == 3


# --------------------------------------------------------------------------------------------------
# Temporary files of interrupted saves
# --------------------------------------------------------------------------------------------------

HANGING_SAVE = """
import os, sys, time
import numpy as np
import netgrad.io as nio

def hang(fd):  # the bytes are in the temporary file; the rename has not happened
    print("writing", flush=True)
    time.sleep(600)

os.fsync = hang
nio.save({"w": np.ones(100_000)}, sys.argv[1])
"""


def start_hanging_save(path):
    """A real process stopped in the middle of netgrad.io.save(..., path); returns it once it is there."""
    process = subprocess.Popen([sys.executable, "-c", HANGING_SAVE, str(path)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "writing\n"
    return process


def temporaries(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_the_next_save_removes_temporaries_of_killed_saves_only(tmp_path):
    target = tmp_path / "m.safetensors"
    killed = start_hanging_save(target)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    other_killed = start_hanging_save(tmp_path / "other.safetensors")
    other_killed.send_signal(signal.SIGKILL)
    other_killed.wait()
    left_behind = temporaries(tmp_path)
    assert len(left_behind) == 2 and all(name.startswith((".m.safetensors.", ".other.safetensors."))
                                         for name in left_behind)

    running = start_hanging_save(target)  # a save in progress in another process: not to be touched
    try:
        in_progress = sorted(set(temporaries(tmp_path)) - set(left_behind))
        nio.save({"w": np.zeros(3)}, target)
        assert_same(nio.load(target), {"w": np.zeros(3)})
        assert temporaries(tmp_path) == sorted([*in_progress, *(n for n in left_behind if n.startswith(".other"))])
    finally:
        running.kill()
        running.wait()
    nio.save({"w": np.zeros(3)}, target)  # now that process is gone too
    assert temporaries(tmp_path) == [n for n in left_behind if n.startswith(".other")]


def test_temporaries_that_name_no_process_are_removed_once_old(tmp_path):
    old, recent = tmp_path / ".m.safetensors.0123456789ab.tmp", tmp_path / ".m.safetensors.ba9876543210.tmp"
    other_machine = tmp_path / ".m.safetensors.4242-00000000.0123456789ab.tmp"
    for path in (old, recent, other_machine):
        path.write_bytes(b"partial")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    unrelated = tmp_path / ".m.safetensors.notes.tmp"
    unrelated.write_bytes(b"not ours")
    nio.save({"w": np.zeros(3)}, tmp_path / "m.safetensors")
    assert temporaries(tmp_path) == sorted([recent.name, other_machine.name, unrelated.name])


def test_errors_name_the_path_given_never_the_temporary(tmp_path, monkeypatch):
    missing = tmp_path / "no_such_dir" / "m.safetensors"
    with pytest.raises(FileNotFoundError) as error:
        nio.save({"w": np.zeros(3)}, missing)
    assert error.value.filename == str(missing) and ".tmp" not in str(error.value)
    assert "no_such_dir" in str(error.value)
    (tmp_path / "a_directory").mkdir()
    with pytest.raises(OSError) as error:  # os.replace cannot put a file over a directory
        nio.save({"w": np.zeros(3)}, tmp_path / "a_directory")
    assert error.value.filename == str(tmp_path / "a_directory") and ".tmp" not in str(error.value)

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError) as error:
        nio.save({"w": np.zeros(3)}, tmp_path / "m.safetensors")
    assert error.value.errno == errno.ENOSPC and error.value.filename == str(tmp_path / "m.safetensors")
    assert temporaries(tmp_path) == []


# --------------------------------------------------------------------------------------------------
# Reading the header only; bounds
# --------------------------------------------------------------------------------------------------

def peak_memory_of(function):
    """(result, peak bytes Python and NumPy allocated while `function` ran); NumPy reports to tracemalloc."""
    tracemalloc.start()
    try:
        result = function()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_load_header_gives_shapes_and_dtypes_without_reading_the_tensors(tmp_path):
    big = np.zeros((2000, 4000), np.float32)  # 32 MB
    obj = {"state_dict": {"0.weight": big, "0.bias": np.zeros(2000, np.float64)}, "hidden": [2000],
           "steps": (np.array(3, np.int64),)}
    nio.save(obj, tmp_path / "m.safetensors")
    header, peak = peak_memory_of(lambda: nio.load_header(tmp_path / "m.safetensors"))
    assert peak < 1_000_000
    assert header == {"state_dict": {"0.weight": ((2000, 4000), np.dtype("float32")),
                                     "0.bias": ((2000,), np.dtype("float64"))},
                      "hidden": [2000], "steps": (((), np.dtype("int64")),)}
    assert isinstance(header["steps"][0], nio.TensorInfo) and header["state_dict"]["0.weight"].nbytes == big.nbytes
    safetensors.numpy.save_file({"w": big}, tmp_path / "foreign.safetensors")
    assert nio.load_header(tmp_path / "foreign.safetensors") == {"w": ((2000, 4000), np.dtype("float32"))}
    nio.check_state_dict({"0.weight": big, "0.bias": ((2000,), np.float64)}, header["state_dict"])


def test_load_checkpoint_checks_shapes_before_reading_any_tensor(tmp_path):
    class Model:
        def __init__(self, size):
            self.w = np.zeros(size, np.float32)

        def state_dict(self):
            return {"w": self.w}

        def load_state_dict(self, state):
            self.w[...] = state["w"]

    nio.save_checkpoint(tmp_path / "ckpt.safetensors", model=Model(8_000_000))  # 32 MB
    small = Model(3)

    def load():
        with pytest.raises(nio.StateDictError, match=r"'w': expected shape \(3,\), got \(8000000,\)"):
            nio.load_checkpoint(tmp_path / "ckpt.safetensors", model=small)

    _, peak = peak_memory_of(load)
    assert peak < 4_000_000


def test_check_dimension_accepts_sane_sizes_and_refuses_the_rest():
    assert nio.check_dimension(300, "hidden size") == 300
    assert type(nio.check_dimension(np.int64(7), "units")) is int
    assert nio.check_dimension(0, "hidden layers", at_least=0) == 0
    for value, words in [(True, "must be an integer; got True"), (3e7, "got 30000000.0"), ("5", "got '5'"),
                         (0, "between 1 and"), (-4, "got -4"), (10**9, "got 1,000,000,000"),
                         ("x" * 1000, "(1002 characters)")]:
        with pytest.raises(ValueError, match=re.escape(words)) as error:
            nio.check_dimension(value, "Dense 'd1' units", source="'m.keras'")
        assert str(error.value).startswith("'m.keras': Dense 'd1' units must be") and len(str(error.value)) < 200
    assert nio.check_dimension(10**9, "units", at_most=10**9) == 10**9


def test_check_allocation_sums_bytes_exactly_and_refuses_over_the_limit():
    shapes = {"0.weight": (300, 784), "0.bias": ((300,), np.float64), "steps": nio.TensorInfo((), np.dtype("int64"))}
    assert nio.check_allocation(shapes) == 300 * 784 * 4 + 300 * 8 + 8
    assert nio.check_allocation([(2, 3), (4,)], dtype=np.float64) == (6 + 4) * 8
    with pytest.raises(ValueError, match=r"'m\.netgrad': the model would need 3\.7 GiB \(the largest entry, "
                                         r"'0\.weight', 3\.7 GiB\), more than the 1\.0 GiB allowed"):
        nio.check_allocation({"0.weight": (10**9, 1), "0.bias": (10,)}, source="'m.netgrad'",
                             limit_bytes=1 << 30)
    with pytest.raises(ValueError, match="half"):
        nio.check_allocation([(10**9, 10**9)])
    with pytest.raises(ValueError, match="impossible shape"):
        nio.check_allocation({"w": (-1, 3)})


def test_every_model_file_netgrad_writes_goes_through_netgrad_io():
    """Checksums, atomic writes and the removal of killed saves' temporaries live in netgrad.io alone: no other
    module writes binary files (text outputs such as CSV predictions or logs are not model files)."""
    writers = re.compile(r"import safetensors|from safetensors|safe_open|save_file|open\([^)]*['\"][wax]b\+?['\"]"
                         r"|\.write_bytes\(|os\.replace\(|\.tofile\(|np\.save")
    offenders = []
    for path in PACKAGE_DIR.rglob("*.py"):
        if path.parent == PACKAGE_DIR / "io":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if writers.search(line.split("#", 1)[0]):
                offenders.append(f"{path.relative_to(PACKAGE_DIR)}:{number}: {line.strip()}")
    assert offenders == []


def test_keras_model_files_carry_checksums_and_name_a_damaged_weight(tmp_path):
    from netgrad import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="hidden"), keras.layers.Dense(1)])
    model.save(tmp_path / "m.keras")
    header = read_header(tmp_path / "m.keras")
    checksums = json.loads(header["__metadata__"]["netgrad"])["sha256"]
    assert set(checksums) == set(header) - {"__metadata__"} and len(checksums) == 4
    name = next(name for name in checksums if "0" in name)
    start, end = data_offsets(tmp_path / "m.keras", name)
    flip_byte(tmp_path / "m.keras", start)
    with pytest.raises(ValueError, match=rf"m\.keras.*damaged.*{re.escape(repr(name))}"):
        keras.load_model(tmp_path / "m.keras")
