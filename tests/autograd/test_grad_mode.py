"""no_grad / enable_grad / set_grad_enabled / inference_mode as context managers and decorators."""
import pytest

import npgrad


def _records():
    return (npgrad.ones(1, requires_grad=True) * 2).requires_grad


def test_no_grad_context_and_restore():
    assert npgrad.is_grad_enabled()
    with npgrad.no_grad():
        assert not npgrad.is_grad_enabled() and not _records()
        with npgrad.enable_grad():
            assert _records()
        assert not _records()
    assert npgrad.is_grad_enabled() and _records()


def test_restored_after_exception():
    with pytest.raises(ValueError):
        with npgrad.no_grad():
            raise ValueError
    assert npgrad.is_grad_enabled()


def test_decorators():
    @npgrad.no_grad()
    def f():
        return _records()

    @npgrad.enable_grad()
    def g():
        return _records()

    @npgrad.set_grad_enabled(False)
    def h():
        return _records()

    assert f() is False and npgrad.is_grad_enabled()
    with npgrad.no_grad():
        assert g() is True
    assert h() is False and npgrad.is_grad_enabled()


def test_set_grad_enabled_as_function_and_context():
    try:
        npgrad.set_grad_enabled(False)
        assert not _records()
    finally:
        npgrad.set_grad_enabled(True)
    with npgrad.set_grad_enabled(False):
        assert not _records()
    assert _records()
    with pytest.raises(TypeError):
        npgrad.set_grad_enabled("no")


def test_inference_mode():
    with npgrad.inference_mode():
        assert not _records()
    assert _records()


def test_no_grad_results_are_constants():
    x = npgrad.ones(2, requires_grad=True)
    with npgrad.no_grad():
        y = x * 3
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf
    z = (y * x).sum()
    z.backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_reentrant_same_object():
    ng = npgrad.no_grad()
    with ng:
        with ng:
            assert not _records()
        assert not _records()
    assert _records()
