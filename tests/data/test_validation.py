"""Input checks: bad data is refused before training with a message that says what and where."""
import numpy as np
import pytest

import netgrad
from netgrad.data import NotFittedError, check_array, check_class_labels, check_consistent_length, check_X_y


def test_valid_data_passes_through_without_copy_or_dtype_change():
    X = np.arange(6, dtype=np.float32).reshape(3, 2)
    y = np.array([0, 1, 0])
    X_checked, y_checked = check_X_y(X, y)
    assert X_checked is X and y_checked is y
    t = netgrad.tensor([[1.0, 2.0]])
    assert check_array(t) is t._data  # a Tensor is unwrapped, not copied


@pytest.mark.parametrize("bad, count", [(np.nan, "1 NaN and 0 infinite"), (np.inf, "0 NaN and 1 infinite")])
def test_non_finite_features_are_refused_naming_the_first_position(bad, count):
    X = np.zeros((4, 3), np.float32)
    X[2, 1] = bad
    with pytest.raises(ValueError, match=rf"X contains {count} value\(s\), the first at index \(2, 1\)"):
        check_X_y(X, [0, 1, 0, 1])


def test_non_finite_targets_are_refused():
    with pytest.raises(ValueError, match=r"y contains 1 NaN and 1 infinite value\(s\), the first at index 1"):
        check_X_y(np.zeros((3, 1)), [0.5, np.nan, -np.inf])


def test_mismatched_lengths_name_both_sizes():
    with pytest.raises(ValueError, match=r"X has 5 rows \(shape \(5, 2\)\), y has 4"):
        check_X_y(np.zeros((5, 2)), np.zeros(4))


def test_wrong_ndim_of_X_gets_a_reshape_hint():
    with pytest.raises(ValueError, match=r"got a 1-D array of shape \(5,\).*X.reshape\(-1, 1\)"):
        check_X_y(np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match=r"got a 3-D array of shape \(2, 3, 4\).*reshape\(len\(X\), -1\)"):
        check_array(np.zeros((2, 3, 4)))
    assert check_array(np.zeros((2, 3, 4)), allow_nd=True).shape == (2, 3, 4)
    with pytest.raises(ValueError, match="got a scalar"):
        check_array(3.0)


def test_target_shapes():
    X = np.zeros((3, 2))
    assert check_X_y(X, np.zeros((3, 2)))[1].shape == (3, 2)  # multi-output allowed by default
    assert check_X_y(X, np.zeros((3, 1)), multi_output=False)[1].shape == (3,)
    with pytest.raises(ValueError, match=r"y must have shape \(n_samples,\), got shape \(3, 2\)"):
        check_X_y(X, np.zeros((3, 2)), multi_output=False)
    with pytest.raises(ValueError, match="y must hold numbers"):
        check_X_y(X, ["a", "b", "c"])
    assert check_X_y(X, ["a", "b", "c"], y_numeric=False)[1].tolist() == ["a", "b", "c"]


def test_non_numeric_and_empty_X():
    with pytest.raises(ValueError, match="X must hold numbers, got an array of dtype <U1"):
        check_array([["a", "b"]])
    with pytest.raises(ValueError, match=r"X has 0 sample\(s\)"):
        check_array(np.zeros((0, 2)))


def test_check_consistent_length():
    assert check_consistent_length([1, 2], np.zeros((2, 5))) == 2
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[2, 3\]"):
        check_consistent_length([1, 2], [1, 2, 3])


def test_class_labels_accept_integers_from_zero():
    assert check_class_labels([0, 2, 1]).dtype == np.int64
    assert check_class_labels(np.array([1.0, 0.0])).tolist() == [1, 0]  # integral floats are labels
    assert check_class_labels(np.array([True, False])).tolist() == [1, 0]
    assert check_class_labels(np.array([[0, 1], [1, 1]]), 2).shape == (2, 2)  # multi-label indicators


def test_class_labels_name_the_offending_values():
    with pytest.raises(ValueError, match=r"non-integer values \[0.5, 1.7\]"):
        check_class_labels([0.0, 0.5, 1.7, 0.5])
    with pytest.raises(ValueError, match=r"non-integer values \[nan\]"):
        check_class_labels([0.0, np.nan])
    with pytest.raises(ValueError, match=r"negative labels \[-1\]; for -1/\+1 labels use \(y > 0\)"):
        check_class_labels([-1, 1, 1])
    with pytest.raises(ValueError, match=r"negative labels \[-3\]$"):
        check_class_labels([-3, 2])
    with pytest.raises(ValueError, match=r"labels \[3, 7\] out of range for 3 classes \(valid labels are 0 to 2\)"):
        check_class_labels([0, 3, 7, 3], n_classes=3)
    with pytest.raises(ValueError, match="integers from 0, got an array of dtype <U3"):
        check_class_labels(["cat", "dog"])
    with pytest.raises(ValueError, match="n_classes must be a positive int"):
        check_class_labels([0], n_classes=0)


def test_long_lists_of_offending_values_are_cut_short():
    with pytest.raises(ValueError, match=r"\[10, 11, 12, 13, 14, 15, 16, 17, 18, 19, \.\.\.\]"):
        check_class_labels(np.arange(30), n_classes=10)


def test_not_fitted_error_is_both_value_and_attribute_error():
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)


def test_finite_values_whose_sum_overflows_are_accepted():
    from netgrad.data.validation import assert_all_finite

    big = np.full((4, 3), np.finfo(np.float32).max, dtype=np.float32)
    assert_all_finite(big)  # the sum overflows to inf, yet every value is finite
    big[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"1 NaN and 0 infinite value\(s\), the first at index \(2, 1\)"):
        assert_all_finite(big)
