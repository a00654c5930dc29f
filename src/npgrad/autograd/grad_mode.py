"""Switching graph recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

All three work as context managers and as decorators, like PyTorch's.
"""
from __future__ import annotations

import functools


class _State:
    """Global autograd switches, kept on one object so the hot path in Function.apply reads one
    attribute: ``recording_any`` is False only when no graph, no anomaly check and no forward-mode
    tangent can be needed (then ops skip all bookkeeping)."""
    __slots__ = ("_grad", "_anomaly", "_fw", "recording_any", "captured")

    def __init__(self):
        self._grad = True
        self._anomaly = False
        self._fw = 0
        self.recording_any = True
        #: during ``autograd.grad`` / ``backward(inputs=...)``: ids of the graph nodes whose output
        #: gradient is returned (a backward must then hand those nodes the plain gradient)
        self.captured = None

    def _update(self):
        self.recording_any = self._grad or self._anomaly or bool(self._fw)

    grad_enabled = property(lambda s: s._grad, lambda s, v: (setattr(s, "_grad", v), s._update()))
    anomaly = property(lambda s: s._anomaly, lambda s, v: (setattr(s, "_anomaly", v), s._update()))
    fw_level = property(lambda s: s._fw, lambda s, v: (setattr(s, "_fw", v), s._update()))


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
    """``no_grad`` that ``is_inference_mode_enabled`` reports (npgrad has no separate inference tensors)."""
    _depth = [0]  # inference_mode(True) blocks entered and not left

    def __init__(self, mode=True):
        super().__init__()
        self._mode = not mode
        self._prev_depth = []

    def __enter__(self):
        super().__enter__()
        self._prev_depth.append(inference_mode._depth[0])
        inference_mode._depth[0] = inference_mode._depth[0] + 1 if not self._mode else 0

    def __exit__(self, *exc):
        inference_mode._depth[0] = self._prev_depth.pop()
        return super().__exit__(*exc)


def is_inference_mode_enabled():
    """Whether code runs inside ``inference_mode()`` (and not inside ``inference_mode(False)``)."""
    return inference_mode._depth[0] > 0
