
import numpy as np
import pytest

import npgrad
from npgrad.datasets import load_digits, train_test_split
from npgrad.utils.data import TensorDataset

sklearn = pytest.importorskip("sklearn")


def test_load_digits_shapes_dtypes_and_values():
    from sklearn.datasets import load_digits as sk
    X, y = load_digits()
    ref = sk()
    assert tuple(X.shape) == (1797, 1, 8, 8) and X.dtype == npgrad.float32
    assert y.dtype == npgrad.int64 and y.tolist() == ref.target.tolist()
    np.testing.assert_allclose(X.numpy()[:, 0], ref.images / 16.0, rtol=1e-6)
    assert float(X.min()) == 0.0 and float(X.max()) == 1.0
    Xf, _ = load_digits(flatten=True)
    assert tuple(Xf.shape) == (1797, 64)
    assert isinstance(load_digits(as_dataset=True), TensorDataset)


def test_missing_scikit_learn_message(monkeypatch):
    import sys
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sklearn", None)          # as if scikit-learn were not installed
    with pytest.raises(ImportError, match=r"pip install scikit-learn") as info:
        load_digits()
    assert 'npgrad[digits]' in str(info.value)


def test_train_test_split_seeded_disjoint_complete():
    X, y = load_digits(flatten=True)
    a = train_test_split(X, y, test_size=0.2, random_state=42)
    b = train_test_split(X, y, test_size=0.2, random_state=42)
    X_tr, X_te, y_tr, y_te = a
    assert len(X_te) == 360 and len(X_tr) == 1437
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u.numpy(), v.numpy())
    c = train_test_split(X, y, test_size=0.2, random_state=43)
    assert not np.array_equal(c[3].numpy(), y_te.numpy())
    rows = np.concatenate([X_tr.numpy(), X_te.numpy()])
    assert sorted(map(bytes, rows)) == sorted(map(bytes, X.numpy()))


def test_train_test_split_stratify_and_global_seed():
    X, y = load_digits(flatten=True)
    _, _, _, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    counts = np.bincount(y_te.numpy(), minlength=10)
    expected = np.bincount(y.numpy()) * 0.25
    assert np.all(np.abs(counts - expected) <= 1) and counts.sum() == 450
    npgrad.manual_seed(1)
    p = train_test_split(np.arange(10), test_size=3)
    npgrad.manual_seed(1)
    q = train_test_split(np.arange(10), test_size=3)
    np.testing.assert_array_equal(p[1], q[1])


@pytest.mark.parametrize("kwargs, err", [(dict(test_size=1.5), ValueError), (dict(test_size=0), ValueError),
                                         (dict(test_size="a"), TypeError), (dict(random_state="x"), TypeError)])
def test_train_test_split_bad_args(kwargs, err):
    with pytest.raises(err, match="train_test_split"):
        train_test_split(np.arange(10), **kwargs)


def test_train_test_split_inconsistent_lengths():
    with pytest.raises(ValueError, match=r"\[10, 9\]"):
        train_test_split(np.arange(10), np.arange(9))
