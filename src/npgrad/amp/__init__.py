"""``npgrad.amp``: the automatic-mixed-precision API (``autocast``, ``GradScaler``), so that training
scripts written with it run unchanged.

npgrad computes in the tensors' own dtypes: inside ``autocast`` nothing is cast down (PyTorch's results
agree when autocast is disabled, as on a machine without the accelerator).  ``GradScaler`` is the real
thing: the loss is scaled, gradients are unscaled and checked for inf/nan before the optimizer steps,
and the scale adapts, as PyTorch's.
"""
from .autocast_mode import autocast, is_autocast_available
from .grad_scaler import GradScaler

__all__ = ["autocast", "GradScaler", "is_autocast_available"]
