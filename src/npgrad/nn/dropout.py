"""Dropout layers: active in training mode, the identity in eval mode."""
from __future__ import annotations

from .layer_functional import dropout, dropout1d, dropout2d, dropout3d
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d"]


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{type(self).__name__}(p={p}): dropout probability has to be between 0 and 1, "
                             f"but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Inverted dropout: in training, zero each element with probability ``p`` and scale the rest
    by 1/(1-p), so eval mode (the identity) needs no rescaling. Draws from npgrad's global generator.

    >>> import npgrad
    >>> d = npgrad.nn.Dropout(0.5)
    >>> x = npgrad.ones(4)
    >>> d.eval()(x) is x
    True
    """

    def forward(self, input):
        return dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) inputs."""

    def forward(self, input):
        return dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels (feature maps) of (N, C, H, W) inputs with probability ``p``.  Other ranks
    warn and run as in PyTorch (2-D: elementwise; 3-D: taken as (N, C, L))."""

    def forward(self, input):
        return dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) inputs with probability ``p``."""

    def forward(self, input):
        return dropout3d(input, self.p, self.training, self.inplace)
