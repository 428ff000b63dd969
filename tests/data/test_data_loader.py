"""DataLoader, datasets and splits: the notes' mini-batch arithmetic, PyTorch's semantics, scikit-learn's splits."""
import numpy as np
import pytest

import netgrad
from netgrad.data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split, train_test_split


def rows(n=12, features=2):
    X = np.arange(n * features, dtype=np.float32).reshape(n, features)
    return X, np.arange(n)  # y[i] == i identifies every sample


@pytest.mark.parametrize("batch_size, updates, rule", [(3, 4, "mini-batch"), (12, 1, "batch GD"), (1, 12, "SGD"),
                                                       (5, 3, "last batch short"), (50, 1, "batch > n")])
def test_the_notes_mini_batch_arithmetic(batch_size, updates, rule):
    # notes 003: 12 observations; batch GD makes 1 update per epoch, batch size 3 makes 4
    loader = DataLoader(TensorDataset(*rows(12)), batch_size=batch_size, shuffle=True)
    assert len(loader) == updates == len(list(loader)), rule


def test_drop_last_and_batch_sizes():
    loader = DataLoader(TensorDataset(*rows(10)), batch_size=3, drop_last=True)
    assert len(loader) == 3 and [len(yb) for _, yb in loader] == [3, 3, 3]
    assert [len(yb) for _, yb in DataLoader(TensorDataset(*rows(10)), batch_size=3)] == [3, 3, 3, 1]
    assert len(DataLoader(TensorDataset(*rows(2)), batch_size=3, drop_last=True)) == 0


def test_batches_are_tensor_tuples_stacked_on_dim_0_without_copies_or_conversions():
    X, y = rows(7, 3)
    w = np.linspace(0, 1, 7)  # float64 stays float64: the loader converts nothing
    batches = list(DataLoader(TensorDataset(X, y, w), batch_size=4))
    xb, yb, wb = batches[0]
    assert all(isinstance(t, netgrad.Tensor) and not t.requires_grad for t in batches[0])
    assert xb.shape == (4, 3) and yb.shape == (4,) and batches[1][0].shape == (3, 3)
    assert (xb.dtype, yb.dtype, wb.dtype) == (netgrad.float32, netgrad.int64, netgrad.float64)
    assert np.shares_memory(xb.numpy(), X)  # unshuffled batches are views
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in batches]), X)


def test_shuffled_epochs_are_permutations_that_change():
    X, y = rows(50)
    loader = DataLoader(TensorDataset(X, y), batch_size=8, shuffle=True)
    epochs = []
    for _ in range(2):
        seen = np.concatenate([yb.numpy() for _, yb in loader])
        assert sorted(seen) == list(range(50))
        epochs.append(seen)
        for xb, yb in loader:  # features stay with their labels
            np.testing.assert_array_equal(xb.numpy(), X[yb.numpy()])
    assert not np.array_equal(epochs[0], epochs[1])


def epoch_order(loader):
    return np.concatenate([b[-1].numpy() for b in loader])


def test_manual_seed_makes_shuffling_reproducible():
    loader = DataLoader(TensorDataset(*rows(40)), batch_size=5, shuffle=True)
    netgrad.manual_seed(7)
    first = [epoch_order(loader), epoch_order(loader)]
    netgrad.manual_seed(7)
    second = [epoch_order(loader), epoch_order(loader)]
    np.testing.assert_array_equal(first, second)
    # the global generator is what gets drawn from
    netgrad.manual_seed(7)
    np.testing.assert_array_equal(first[0], netgrad.random.get_generator().permutation(40))


def test_own_seed_or_generator_is_independent_of_the_global_one():
    ds = TensorDataset(*rows(40))
    a, b = DataLoader(ds, 5, True, seed=3), DataLoader(ds, 5, True, seed=3)
    netgrad.manual_seed(1)
    order_a = epoch_order(a)
    netgrad.manual_seed(2)
    np.testing.assert_array_equal(order_a, epoch_order(b))
    np.testing.assert_array_equal(order_a, np.random.default_rng(3).permutation(40))
    c = DataLoader(ds, 5, True, generator=np.random.default_rng(3))
    np.testing.assert_array_equal(order_a, epoch_order(c))


def test_shuffled_drop_last_drops_the_tail_of_the_permutation():
    netgrad.manual_seed(0)
    expected = netgrad.random.get_generator().permutation(10)[:9]
    netgrad.manual_seed(0)
    got = epoch_order(DataLoader(TensorDataset(*rows(10)), batch_size=3, shuffle=True, drop_last=True))
    np.testing.assert_array_equal(got, expected)


def test_tensor_dataset_indexing_and_inputs():
    X, y = rows(4)
    ds = TensorDataset(netgrad.tensor(X), [0.5, 1.5, 2.5, 3.5])
    x2, v2 = ds[2]
    assert isinstance(x2, netgrad.Tensor) and x2.tolist() == [4.0, 5.0] and v2.item() == 2.5
    assert ds.tensors[1].dtype == netgrad.float32  # Python floats become float32, as netgrad.tensor
    assert len(ds) == 4 and isinstance(ds, Dataset)
    with pytest.raises(ValueError, match=r"Size mismatch between tensors.*\(4, 2\), \(3,\)"):
        TensorDataset(X, y[:3])
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(ValueError, match="got a scalar"):
        TensorDataset(np.float32(1.0))


class Squares(Dataset):
    """A dataset that is not array-backed: samples made on the fly."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float32), i, float(i) / 2


def test_generic_datasets_are_collated_like_pytorch():
    batches = list(DataLoader(Squares(), batch_size=2))
    assert len(batches) == 3
    xb, yb, zb = batches[0]
    assert xb.tolist() == [[0.0, 0.0], [1.0, 1.0]] and xb.dtype == netgrad.float32
    assert yb.tolist() == [0, 1] and yb.dtype == netgrad.int64
    assert zb.tolist() == [0.0, 0.5] and zb.dtype == netgrad.float64  # torch.tensor(list of floats, float64)
    netgrad.manual_seed(4)
    order = np.concatenate([yb.numpy() for _, yb, _ in DataLoader(Squares(), batch_size=2, shuffle=True)])
    netgrad.manual_seed(4)
    np.testing.assert_array_equal(order, netgrad.random.get_generator().permutation(5))
    assert default_collate([{"a": 1.0}, {"a": 2.0}])["a"].tolist() == [1.0, 2.0]


def test_custom_collate_fn_and_overridden_getitem_are_honoured():
    class Doubled(TensorDataset):
        def __getitem__(self, i):
            x, y = super().__getitem__(i)
            return x * 2, y

    X, y = rows(4)
    xb, _ = next(iter(DataLoader(Doubled(X, y), batch_size=4)))
    np.testing.assert_array_equal(xb.numpy(), 2 * X)  # no array fast path around the override
    sizes = list(DataLoader(TensorDataset(X, y), batch_size=3, collate_fn=len))
    assert sizes == [3, 1]


def test_subsets_are_batched_from_their_rows():
    X, y = rows(20)
    inner = Subset(TensorDataset(X, y), np.arange(19, -1, -1))
    outer = Subset(inner, [0, 5, 6, 7, 19])
    assert outer[1][1].item() == 14
    got = [yb.tolist() for _, yb in DataLoader(outer, batch_size=2)]
    assert got == [[19, 14], [13, 12], [0]]
    for xb, yb in DataLoader(outer, batch_size=2, shuffle=True):
        np.testing.assert_array_equal(xb.numpy(), X[yb.numpy()])


def test_random_split_counts_and_fractions():
    ds = TensorDataset(*rows(10))
    parts = random_split(ds, [3, 7], generator=0)
    assert [len(p) for p in parts] == [3, 7]
    together = np.concatenate([p.indices for p in parts])
    assert sorted(together) == list(range(10))
    # fractions are floored (3, 3, 3) and the one left over goes to the first subset, as PyTorch does
    assert [len(p) for p in random_split(ds, [0.33, 0.33, 0.34], generator=0)] == [4, 3, 3]
    netgrad.manual_seed(5)
    first = random_split(ds, [5, 5])[0].indices
    netgrad.manual_seed(5)
    np.testing.assert_array_equal(first, random_split(ds, [5, 5])[0].indices)
    with pytest.raises(ValueError, match=r"Sum of input lengths does not equal the length of the input dataset"):
        random_split(ds, [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(ds, [1.5, -0.5])


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True])
def test_bad_loader_arguments(batch_size):
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        DataLoader(TensorDataset(*rows(4)), batch_size=batch_size)


def test_generator_and_seed_are_exclusive():
    with pytest.raises(ValueError, match="either generator or seed"):
        DataLoader(TensorDataset(*rows(4)), generator=np.random.default_rng(0), seed=1)
    with pytest.raises(ValueError, match="generator must be a netgrad.Generator or a numpy Generator"):
        DataLoader(TensorDataset(*rows(4)), generator=3)


# ------------------------------------------------------------------------------------- train_test_split

model_selection = pytest.importorskip("sklearn.model_selection")


@pytest.mark.parametrize("test_size, train_size", [(None, None), (0.2, None), (0.33, None), (7, None),
                                                   (None, 0.6), (None, 11), (0.25, 0.5), (3, 9)])
def test_train_test_split_is_scikit_learns_split(test_size, train_size):
    X, y = rows(23)
    ours = train_test_split(X, y, test_size=test_size, train_size=train_size, random_state=42)
    ref = model_selection.train_test_split(X, y, test_size=test_size, train_size=train_size, random_state=42)
    for a, b in zip(ours, ref):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("test_size", [0.25, 0.3, 10])
def test_stratified_split_is_scikit_learns_split(test_size):
    y = np.repeat([0, 1, 2], [20, 13, 7])
    X = np.arange(len(y))
    ours = train_test_split(X, y, test_size=test_size, random_state=3, stratify=y)
    ref = model_selection.train_test_split(X, y, test_size=test_size, random_state=3, stratify=y)
    for a, b in zip(ours, ref):
        np.testing.assert_array_equal(a, b)
    y_test = ours[3]
    for label, count in enumerate([20, 13, 7]):  # every class keeps its share, to within one sample
        assert abs(np.sum(y_test == label) - count * len(y_test) / len(y)) < 1


def test_split_without_shuffle_keeps_order_and_kinds():
    X, y = rows(8)
    X_train, X_test, y_train, y_test, l_train, l_test = train_test_split(
        netgrad.tensor(X), y, list("abcdefgh"), test_size=0.25, shuffle=False)
    assert isinstance(X_train, netgrad.Tensor) and X_train.shape == (6, 2)
    assert y_test.tolist() == [6, 7] and l_train == list("abcdef")
    netgrad.manual_seed(9)
    first = train_test_split(y)[1]
    netgrad.manual_seed(9)
    np.testing.assert_array_equal(first, train_test_split(y)[1])


def test_split_of_pandas_objects_keeps_them_pandas():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": range(10)})
    ours = train_test_split(frame, random_state=0)
    ref = model_selection.train_test_split(frame, random_state=0)
    assert isinstance(ours[0], pd.DataFrame)
    pd.testing.assert_frame_equal(ours[0], ref[0])


def test_split_errors_are_value_errors_like_scikit_learns():
    X, y = rows(10)
    cases = [
        (dict(test_size=1.5), r"test_size=1.5 should be either positive and smaller than the number of samples 10"),
        (dict(test_size=10), r"test_size=10 should be either positive"),
        (dict(test_size=0.6, train_size=0.6), r"The sum of test_size and train_size = 1.2, should be in the \(0, 1\)"),
        (dict(test_size="a"), r"Invalid value for test_size: 'a'"),
        (dict(stratify=y, shuffle=False), r"Stratified train/test split is not implemented for shuffle=False"),
        (dict(stratify=y), r"The least populated classes in y have only 1 member.*\[0, 1, 2"),
        (dict(stratify=y % 2, test_size=1),
         r"The test_size = 1 should be greater or equal to the number of classes = 2"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            train_test_split(X, y, **kwargs)
        with pytest.raises(ValueError):
            model_selection.train_test_split(X, y, **kwargs)
    with pytest.raises(ValueError, match="At least one array required as input"):
        train_test_split()
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[10, 9\]"):
        train_test_split(X, y[:9])
