"""``detect_anomaly``: stop at the first op whose output or gradient holds nan or inf, naming it."""
from __future__ import annotations

from .grad_mode import state


class detect_anomaly:
    """Context manager: inside it, every op checks its forward output and its gradients for nan/inf.

    >>> import npgrad
    >>> x = npgrad.tensor([0.0], requires_grad=True)
    >>> with npgrad.autograd.detect_anomaly():
    ...     try:
    ...         npgrad.log(x)
    ...     except RuntimeError as e:
    ...         print(e)
    Function 'Log' returned nan or inf values in its output
    """

    def __init__(self, check_nan=True):
        self.check = check_nan

    def __enter__(self):
        self._prev = state.anomaly
        state.anomaly = self.check

    def __exit__(self, *exc):
        state.anomaly = self._prev
        return False


class set_detect_anomaly(detect_anomaly):
    def __init__(self, mode, check_nan=True):
        super().__init__(mode and check_nan)
        self._prev = state.anomaly
        state.anomaly = self.check

    def __enter__(self):
        pass


def is_anomaly_enabled():
    return state.anomaly
