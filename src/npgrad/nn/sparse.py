"""``Embedding``: a lookup table of learnable vectors, indexed by integer ids."""
from __future__ import annotations

import numpy as np

from .. import _backend, _dtype
from ..tensor import Tensor
from . import init
from .layer_functional import embedding
from .linear import _check_size, _on
from .module import Module, Parameter

__all__ = ["Embedding"]



class _BadArgument(AssertionError, ValueError):
    """PyTorch asserts these arguments (AssertionError); a ValueError is what they are, so both catch it."""

class Embedding(Module):
    """``weight`` of shape (num_embeddings, embedding_dim), initialised N(0, 1); the row at
    ``padding_idx`` starts at zero and receives no gradient.

    >>> import npgrad
    >>> emb = npgrad.nn.Embedding(10, 3, padding_idx=0)
    >>> emb(npgrad.tensor([[1, 0]])).shape
    torch.Size([1, 2, 3])
    >>> emb.weight[0].tolist()
    [0.0, 0.0, 0.0]
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        device = _backend.resolve(device)  # a device this build lacks raises here, as in PyTorch
        self.num_embeddings = _check_size("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = _check_size("Embedding", "embedding_dim", embedding_dim)
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise _BadArgument(f"Embedding(padding_idx={padding_idx}): padding_idx must be within num_embeddings "
                                 f"({num_embeddings})")
            padding_idx = padding_idx % num_embeddings
        self.padding_idx = padding_idx
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            dt = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
            self.weight = Parameter(_on(np.empty((num_embeddings, embedding_dim), dtype=dt.np), device),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise _BadArgument(f"Embedding: _weight of shape {tuple(_weight.shape)} does not match "
                                 f"(num_embeddings, embedding_dim) = {(num_embeddings, embedding_dim)}")
            self.weight = Parameter(_weight._data if isinstance(_weight, Tensor) else np.asarray(_weight),
                                    requires_grad=not _freeze)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    def forward(self, input):
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        if self.sparse:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        """An Embedding whose weight is ``embeddings`` (2-D); frozen (no gradient) by default."""
        if embeddings.ndim != 2:
            raise _BadArgument(f"Embedding.from_pretrained: embeddings parameter is expected to be 2-dimensional, "
                             f"got shape {tuple(embeddings.shape)}")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight=embeddings,
                   _freeze=freeze)
