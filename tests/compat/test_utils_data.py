"""netgrad.utils.data against real torch.utils.data: lengths, batch composition, collate structure, errors.

Shuffled orders come from different generators, so for them the semantics are compared (each epoch a
permutation, features kept with their labels, the same batch sizes); everything else must be identical.
"""
import collections
import warnings

import numpy as np
import pytest

import netgrad
from netgrad.utils import data

torch = pytest.importorskip("torch")
tdata = torch.utils.data
torch.set_num_threads(1)


def as_numpy(value):
    """A batch of either library as nested Python containers of NumPy arrays (type names kept)."""
    if isinstance(value, (netgrad.Tensor, torch.Tensor)):
        return np.asarray(value.detach().numpy() if isinstance(value, torch.Tensor) else value.numpy())
    if isinstance(value, dict):
        return {k: as_numpy(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return (type(value).__name__, [as_numpy(v) for v in value])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [as_numpy(v) for v in value])
    return value


def assert_same(ours, theirs):
    a, b = as_numpy(ours), as_numpy(theirs)
    _assert_same(a, b)


def _assert_same(a, b):
    if isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray), (a, b)
        assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, b.dtype, a.shape, b.shape)
        np.testing.assert_array_equal(a, b)
    elif isinstance(b, dict):
        assert isinstance(a, dict) and list(a) == list(b)
        for k in b:
            _assert_same(a[k], b[k])
    elif isinstance(b, tuple):
        assert a[0] == b[0] and len(a[1]) == len(b[1]), (a, b)
        for x, y in zip(a[1], b[1]):
            _assert_same(x, y)
    else:
        assert a == b and type(a) is type(b), (a, b)


def arrays(n=11):
    X = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    return X, np.arange(n)  # y[i] == i names each sample


class Generic:
    """A map-style dataset that is not array-backed, with mixed fields (usable by both libraries)."""

    def __init__(self, n=11):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float32), i, i / 2


def both_loaders(n, **kwargs):
    X, y = arrays(n)
    ours = [data.DataLoader(data.TensorDataset(X, y), **kwargs), data.DataLoader(Generic(n), **kwargs)]
    theirs = [tdata.DataLoader(tdata.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), **kwargs),
              tdata.DataLoader(Generic(n), **kwargs)]
    return ours, theirs


@pytest.mark.parametrize("n, batch_size, drop_last", [(11, 1, False), (11, 3, False), (11, 3, True), (12, 4, True),
                                                     (5, 8, False), (5, 8, True), (11, 11, False)])
def test_unshuffled_batches_are_torchs(n, batch_size, drop_last):
    ours, theirs = both_loaders(n, batch_size=batch_size, drop_last=drop_last)
    for a, b in zip(ours, theirs):
        assert len(a) == len(b)
        got, want = list(a), list(b)
        assert len(got) == len(want)
        for x, y in zip(got, want):
            assert_same(x, y)


@pytest.mark.parametrize("n, batch_size, drop_last", [(11, 3, False), (11, 3, True), (40, 7, False), (6, 6, True)])
def test_shuffled_epochs_have_torchs_lengths_and_sizes_and_are_permutations(n, batch_size, drop_last):
    ours, theirs = both_loaders(n, batch_size=batch_size, drop_last=drop_last, shuffle=True)
    X, _ = arrays(n)
    netgrad.manual_seed(0)
    for a, b in zip(ours, theirs):
        got, want = list(a), list(b)
        assert [len(batch[1]) for batch in got] == [len(batch[1]) for batch in want]
        labels = np.concatenate([batch[1].numpy() for batch in got])
        assert len(set(labels.tolist())) == len(labels) and set(labels.tolist()) <= set(range(n))
        assert len(labels) == (n - n % batch_size if drop_last else n)
        for batch in got:  # each sample's fields stay together
            np.testing.assert_array_equal(batch[0].numpy()[:, :3] if batch[0].shape[1] == 3 else batch[0].numpy(),
                                          X[batch[1].numpy()] if batch[0].shape[1] == 3 else
                                          np.stack([batch[1].numpy(), batch[1].numpy() ** 2], 1).astype(np.float32))


Point = collections.namedtuple("Point", "x y")
COLLATE_CASES = {
    "tuples of numbers": [(1, 2.0), (3, 4.0)],
    "lists": [[1, 2.5], [3, 4.5]],
    "dicts": [{"a": 1, "b": np.float32(2)}, {"a": 3, "b": np.float32(4)}],
    "strings": ["x", "y"],
    "bools": [True, False],
    "numpy scalars": [np.float64(1), np.float64(2)],
    "int32 arrays": [np.arange(3, dtype=np.int32), np.arange(3, 6, dtype=np.int32)],
    "namedtuples": [Point(1, 2.0), Point(3, 4.0)],
    "nested": [({"k": [1, 2]}, np.zeros(2)), ({"k": [3, 4]}, np.ones(2))],
}


@pytest.mark.parametrize("name", COLLATE_CASES)
def test_default_collate_structure_and_dtypes_are_torchs(name):
    batch = COLLATE_CASES[name]
    assert_same(data.default_collate(batch), tdata.default_collate(batch))


def test_default_collate_of_tensors_and_its_errors_are_torchs():
    assert_same(data.default_collate([netgrad.ones(2, 3), netgrad.zeros(2, 3)]),
                tdata.default_collate([torch.ones(2, 3), torch.zeros(2, 3)]))
    for bad, kind in [([None, None], TypeError), ([[1, 2], [3]], RuntimeError)]:
        with pytest.raises(kind) as theirs:
            tdata.default_collate(bad)
        with pytest.raises(kind, match=str(theirs.value).split(";")[0]):
            data.default_collate(bad)
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[3\] at entry 0 "
                                           r"and \[2\] at entry 1"):
        data.default_collate([netgrad.zeros(3), netgrad.zeros(2)])
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[3\] at entry 0 "
                                           r"and \[2\] at entry 1"):
        tdata.default_collate([torch.zeros(3), torch.zeros(2)])


def test_unbatched_loading_converts_like_torch():
    samples = [(np.arange(2.0), 1), (np.arange(2.0, 4.0), 2)]
    for a, b in zip(data.DataLoader(samples, batch_size=None), tdata.DataLoader(samples, batch_size=None)):
        assert_same(a, b)
    assert list(data.DataLoader(range(4), batch_size=None)) == list(tdata.DataLoader(range(4), batch_size=None))


def test_a_tuple_of_arrays_is_a_dataset_of_two_samples_as_in_torch():
    X, y = arrays(5)
    ours, theirs = data.DataLoader((X, y)), tdata.DataLoader((torch.from_numpy(X), torch.from_numpy(y)))
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        assert_same(a, b)
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[5, 3\] at entry 0 "
                                           r"and \[5\] at entry 1"):
        list(tdata.DataLoader((torch.from_numpy(X), torch.from_numpy(y)), batch_size=2))
    with pytest.raises(RuntimeError, match=r"but got \[5, 3\] at entry 0 and \[5\] at entry 1.*TensorDataset\(X, y\)"):
        list(data.DataLoader((X, y), batch_size=2))


class CustomBatches(data.Sampler):
    def __iter__(self):
        return iter([[4, 0], [1, 2, 3], [10]])

    def __len__(self):
        return 3


@pytest.mark.parametrize("kwargs", [dict(sampler=[3, 1, 2, 8]), dict(sampler=[3, 1, 2, 8], batch_size=3),
                                    dict(batch_sampler=[[4, 0], [1, 2, 3], [10]]),
                                    dict(sampler=data.SequentialSampler(range(11)), batch_size=4, drop_last=True)])
def test_given_samplers_are_followed_as_in_torch(kwargs):
    torch_kwargs = dict(kwargs)
    if isinstance(kwargs.get("sampler"), data.SequentialSampler):
        torch_kwargs["sampler"] = tdata.SequentialSampler(range(11))
    ours, theirs = both_loaders(11, **kwargs), both_loaders(11, **torch_kwargs)[1]
    for a, b in zip(ours[0], theirs):
        if hasattr(kwargs.get("sampler"), "__len__") or "batch_sampler" in kwargs:
            assert len(a) == len(b)
        for x, y in zip(list(a), list(b)):
            assert_same(x, y)
    X, y = arrays(11)
    ours = data.DataLoader(data.TensorDataset(X, y), batch_sampler=CustomBatches())
    assert [b[1].tolist() for b in ours] == [[4, 0], [1, 2, 3], [10]]


LOADER_ERRORS = [dict(shuffle=True, sampler=[0, 1]), dict(batch_sampler=[[0]], batch_size=2),
                 dict(batch_sampler=[[0]], drop_last=True), dict(batch_size=None, drop_last=True),
                 dict(num_workers=-1), dict(persistent_workers=True), dict(prefetch_factor=2), dict(batch_size=0),
                 dict(batch_size=2, drop_last=1)]


@pytest.mark.parametrize("kwargs", LOADER_ERRORS)
def test_bad_loader_arguments_raise_torchs_errors(kwargs):
    X, y = arrays(4)
    with pytest.raises(Exception) as theirs:
        tdata.DataLoader(tdata.TensorDataset(torch.from_numpy(X)), **kwargs)
    with pytest.raises(type(theirs.value)) as ours:
        data.DataLoader(data.TensorDataset(X), **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_accepted_worker_options_change_nothing():
    X, y = arrays(9)
    plain = [b[1].tolist() for b in data.DataLoader(data.TensorDataset(X, y), batch_size=4)]
    loader = data.DataLoader(data.TensorDataset(X, y), batch_size=4, num_workers=2, pin_memory=True,
                             persistent_workers=True, prefetch_factor=2)
    assert [b[1].tolist() for b in loader] == plain == [[0, 1, 2, 3], [4, 5, 6, 7], [8]]
    assert data.get_worker_info() is None is tdata.get_worker_info()


class Stream(data.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class TorchStream(tdata.IterableDataset):
    def __iter__(self):
        return iter(range(7))

    def __len__(self):
        return 7


@pytest.mark.parametrize("batch_size, drop_last", [(3, False), (3, True), (None, False)])
def test_iterable_datasets_are_batched_in_order_as_in_torch(batch_size, drop_last):
    ours = data.DataLoader(Stream(7), batch_size=batch_size, drop_last=drop_last)
    theirs = tdata.DataLoader(TorchStream(), batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    for a, b in zip(list(ours), list(theirs)):
        assert_same(a, b)
    with pytest.raises(ValueError, match="DataLoader with IterableDataset: expected unspecified shuffle option, "
                                         "but got shuffle=True"):
        data.DataLoader(Stream(3), shuffle=True)
    assert [x.tolist() for x in data.DataLoader(Stream(2) + Stream(3), batch_size=5)] == [[0, 1, 0, 1, 2]]


def test_samplers_follow_torchs_semantics():
    assert list(data.SequentialSampler(range(5))) == list(tdata.SequentialSampler(range(5)))
    for drop_last in (False, True):
        assert (list(data.BatchSampler(data.SequentialSampler(range(10)), 3, drop_last))
                == list(tdata.BatchSampler(tdata.SequentialSampler(range(10)), 3, drop_last)))
        assert len(data.BatchSampler(range(10), 3, drop_last)) == len(tdata.BatchSampler(range(10), 3, drop_last))
    g = netgrad.Generator().manual_seed(0)
    assert sorted(data.RandomSampler(range(9), generator=g)) == list(range(9))
    draws = list(data.RandomSampler(range(4), replacement=True, num_samples=50, generator=g))
    assert len(draws) == 50 and set(draws) == {0, 1, 2, 3}
    long = list(data.RandomSampler(range(4), num_samples=10, generator=g))  # whole permutations, then a part
    assert sorted(long[:4]) == sorted(long[4:8]) == [0, 1, 2, 3] and len(set(long[8:])) == 2
    assert len(data.RandomSampler(range(4), num_samples=10)) == len(tdata.RandomSampler(range(4), num_samples=10))
    assert sorted(data.SubsetRandomSampler([5, 7, 9], generator=g)) == [5, 7, 9]
    weighted = list(data.WeightedRandomSampler([0.0, 1.0, 3.0], 400, generator=g))
    assert set(weighted) == {1, 2} and 0.65 < weighted.count(2) / 400 < 0.85
    assert sorted(data.WeightedRandomSampler([1, 1, 1, 0], 3, replacement=False, generator=g)) == [0, 1, 2]


@pytest.mark.parametrize("make", [
    lambda m: m.RandomSampler(range(3), replacement=1), lambda m: m.RandomSampler(range(3), num_samples=0),
    lambda m: m.BatchSampler(range(3), 0, False), lambda m: m.BatchSampler(range(3), 2, None),
    lambda m: m.WeightedRandomSampler([1.0, 2.0], num_samples=-1), lambda m: m.WeightedRandomSampler([1.0], 1, 0),
    lambda m: m.WeightedRandomSampler([[1.0, 2.0]], 1)])
def test_bad_sampler_arguments_raise_torchs_errors(make):
    with pytest.raises(Exception) as theirs:
        make(tdata)
    with pytest.raises(type(theirs.value)) as ours:
        make(data)
    assert str(ours.value) == str(theirs.value)


def test_random_split_lengths_are_torchs():
    ds = data.TensorDataset(*arrays(10))
    for lengths in ([3, 7], [0.33, 0.33, 0.34], [0.5, 0.5], [0.1, 0.9], [1, 0], [0.25, 0.25, 0.25, 0.25]):
        ours = data.random_split(ds, lengths, generator=netgrad.Generator().manual_seed(1))
        theirs = tdata.random_split(range(10), lengths, generator=torch.Generator().manual_seed(1))
        assert [len(p) for p in ours] == [len(p) for p in theirs]
        indices = [i for p in ours for i in p.indices]
        assert sorted(indices) == list(range(10)) and all(isinstance(i, int) for i in indices)
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        data.random_split(ds, [1.0, 0.0])
    g = netgrad.Generator()
    first = data.random_split(ds, [5, 5], generator=g.manual_seed(3))[0].indices
    assert data.random_split(ds, [5, 5], generator=g.manual_seed(3))[0].indices == first
    for bad in ([3, 3], [1.5, -0.5]):
        with pytest.raises(ValueError) as theirs:
            tdata.random_split(range(10), bad)
        with pytest.raises(ValueError, match=str(theirs.value).rstrip("!")):
            data.random_split(ds, bad)


def test_concat_and_subset_index_like_torch():
    parts = [list(range(3)), list(range(10, 14))]
    ours = data.ConcatDataset([data.Subset(p, range(len(p))) for p in parts])
    theirs = tdata.ConcatDataset([tdata.Subset(p, range(len(p))) for p in parts])
    assert ours.cumulative_sizes == theirs.cumulative_sizes and len(ours) == len(theirs)
    assert [ours[i] for i in range(-7, 7)] == [theirs[i] for i in range(-7, 7)]
    for bad in (-8,):
        with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
            ours[bad]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert [b.tolist() for b in data.DataLoader(ours, batch_size=4)] == \
            [b.tolist() for b in tdata.DataLoader(theirs, batch_size=4)]
    both = data.TensorDataset(*arrays(3)) + data.TensorDataset(*arrays(2))
    assert isinstance(both, data.ConcatDataset) and len(both) == 5 and both[4][1].item() == 1


def test_seeded_shuffling_through_manual_seed_and_generators():
    X, y = arrays(30)
    for ds in (data.TensorDataset(X, y), Generic(30)):
        loader = data.DataLoader(ds, batch_size=4, shuffle=True)
        netgrad.manual_seed(11)
        first = np.concatenate([b[1].numpy() for b in loader])
        netgrad.manual_seed(11)
        np.testing.assert_array_equal(first, np.concatenate([b[1].numpy() for b in loader]))
        own = data.DataLoader(ds, batch_size=4, shuffle=True, generator=netgrad.Generator().manual_seed(2))
        netgrad.manual_seed(1)
        a = np.concatenate([b[1].numpy() for b in own])
        own.generator.manual_seed(2)
        netgrad.manual_seed(5)  # the loader's own generator, not the global one
        np.testing.assert_array_equal(a, np.concatenate([b[1].numpy() for b in own]))


def test_array_fast_path_gives_the_batches_of_the_per_sample_path():
    """TensorDataset batches are cut from the arrays; a subclass that only forwards __getitem__ takes the
    per-sample path (dataset[i] then default_collate): both must give the same batches."""
    class PerSample(data.TensorDataset):
        def __getitem__(self, i):
            return super().__getitem__(i)

    X, y = arrays(23)
    for kwargs in (dict(batch_size=5), dict(batch_size=5, drop_last=True),
                   dict(sampler=data.WeightedRandomSampler(np.ones(23), 40), batch_size=6),
                   dict(sampler=data.SubsetRandomSampler(range(3, 20)), batch_size=4)):
        runs = []
        for ds in (data.TensorDataset(X, y), PerSample(X, y)):
            netgrad.manual_seed(4)
            runs.append([[t.numpy() for t in b] for b in data.DataLoader(ds, **kwargs)])
        assert len(runs[0]) == len(runs[1])
        for a, b in zip(*runs):
            for s, t in zip(a, b):
                assert s.dtype == t.dtype
                np.testing.assert_array_equal(s, t)
