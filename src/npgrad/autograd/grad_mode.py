"""Switching graph recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

All three work as context managers and as decorators, like PyTorch's.
"""
from __future__ import annotations

import functools


class _State:
    # One module-level object so that the hot path in Function.apply reads a single attribute.
    __slots__ = ("grad_enabled", "anomaly", "fw_level")

    def __init__(self):
        self.grad_enabled = True
        self.anomaly = False
        self.fw_level = 0


state = _State()


def is_grad_enabled():
    return state.grad_enabled


class _GradMode:
    _mode = True

    def __init__(self):
        self._prev = []

    def __enter__(self):
        self._prev.append(state.grad_enabled)
        state.grad_enabled = self._mode

    def __exit__(self, *exc):
        state.grad_enabled = self._prev.pop()
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Context manager / decorator: ops inside record no graph (``requires_grad`` results are off).

    >>> import npgrad
    >>> x = npgrad.ones(2, requires_grad=True)
    >>> with npgrad.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """
    _mode = False


class enable_grad(_GradMode):
    """Context manager / decorator that turns graph recording back on inside a ``no_grad`` block."""
    _mode = True


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` acts like ``no_grad``; usable as a function, context or decorator."""

    def __init__(self, mode):
        super().__init__()
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled: mode must be a bool, got {mode!r}")
        self._mode = mode
        self._prev.append(state.grad_enabled)
        state.grad_enabled = mode

    def __enter__(self):
        pass  # already switched in __init__, as in PyTorch

    def __exit__(self, *exc):
        state.grad_enabled = self._prev.pop()
        return False

    def __call__(self, fn):
        state.grad_enabled = self._prev.pop()
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper


class inference_mode(no_grad):
    """Alias of ``no_grad`` (npgrad has no separate inference tensors)."""

    def __init__(self, mode=True):
        super().__init__()
        self._mode = not mode
