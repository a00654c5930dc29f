"""The playground's points: datasets on one scale, features, CSV parsing."""
import numpy as np
import pytest

from npgrad.playground.data import DOMAIN, CSVError, features, grid, make_points, parse_csv, split


@pytest.mark.parametrize("name", ["circles", "xor", "moons", "spirals", "gaussian", "plane", "bumps"])
def test_points_fill_the_domain(name):
    X, y, task = make_points(name, 300, 0.1, 3)
    assert X.shape == (300, 2) and X.dtype == np.float32 and np.abs(X).max() <= DOMAIN
    assert np.abs(X).max() > DOMAIN / 3                       # not squeezed into a corner
    if task == "classification":
        assert set(np.unique(y)) == {0.0, 1.0}
    else:
        assert np.abs(y).max() <= 1.5 and len(np.unique(y)) > 100
    X2, y2, _ = make_points(name, 300, 0.1, 3)
    np.testing.assert_array_equal(X, X2)                       # seeded


def test_circles_inner_ring_is_class_one():
    X, y, _ = make_points("circles", 400, 0.0, 0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 1].max() < r[y == 0].min()


def test_features_and_grid():
    X = np.array([[1.0, 2.0]], np.float32)
    f = features(X, ["x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2"]).numpy()[0]
    np.testing.assert_allclose(f, [1, 2, 1, 4, 2, np.sin(1), np.sin(2)], rtol=1e-6)
    g = grid(5)
    assert g.shape == (25, 2) and g[0].tolist() == [-DOMAIN, DOMAIN] and g[-1].tolist() == [DOMAIN, -DOMAIN]
    tr, te = split(10, 0.3, 0)
    assert len(tr) == 3 and sorted(np.concatenate([tr, te]).tolist()) == list(range(10))


def test_csv_classification_regression_and_header():
    X, y, task, note = parse_csv("a,b,c\n0,0,-1\n1,1,1\n2,0,-1\n0,2,1\n")
    assert task == "classification" and y.tolist() == [0, 1, 0, 1] and np.abs(X).max() <= DOMAIN
    X, y, task, note = parse_csv("0;0;0.5\n1;1;1.5\n2;0;-3\n0;2;2\n")
    assert task == "regression" and np.abs(y).max() == pytest.approx(1) and "regression" in note


@pytest.mark.parametrize("text, fragment", [
    ("", "at least 4 data rows"),
    ("1,2,3,4\n", "expected 3 columns"),
    ("x,y,z\n1,2,3\nfoo,2,3\n", "line 3: not a number"),
    ("1,2,nan\n1,2,3\n1,2,3\n1,2,3\n", "finite"),
    ("1,2,0\n" * 4, "every label is 0"),
])
def test_csv_errors_say_what_is_wrong(text, fragment):
    with pytest.raises(CSVError, match=fragment):
        parse_csv(text)


def test_csv_size_limits(monkeypatch):
    from npgrad.playground import config
    monkeypatch.setitem(config.LIMITS, "csv_rows", 5)
    X, y, task, note = parse_csv("".join(f"{i},{i % 3},{i % 2}\n" for i in range(20)))
    assert len(X) == 5 and "only the first 5 of 20 rows" in note
    with pytest.raises(CSVError, match="larger than"):
        parse_csv("1,2,3\n" * 300_000)
