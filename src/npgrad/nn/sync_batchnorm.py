"""``SyncBatchNorm``: batch normalisation whose statistics cover the whole global batch (every rank's).

In training under ``DistributedDataParallel`` a plain BatchNorm normalises each rank's share on its own,
so N ranks of batch B do not compute what one process does on the batch N*B.  SyncBatchNorm all-reduces
the per-channel sums (forward) and the sums of the incoming gradient (backward), which makes the
step equal to single-process training on the concatenated batch.  Outside training, or without an
initialised process group, it is an ordinary BatchNorm.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from .layer_functional import _update_running
from .norm import _BatchNorm

__all__ = ["SyncBatchNorm"]


def _allreduce_sum(pg, arr, what):
    from ..distributed.process_group import _mpi
    mpi = _mpi()
    pg.wait([pg.comm.Iallreduce(mpi.IN_PLACE, arr, op=mpi.SUM)], what)
    return arr


class _SyncBatchNormFn(Function):
    """y = w * xhat + b with xhat standardised by the global batch's mean and variance.

    Backward: with db = sum(g), dw = sum(g xhat) summed over all ranks and M values per channel,
    dx = w invstd / M * (M g - db - xhat dw); the parameters' own gradients stay local (DDP averages them).
    """

    @staticmethod
    def forward(ctx, x, w, b, axes, eps, stats, pg):
        c = x.shape[1]
        shape = (1, c) + (1,) * (x.ndim - 2)
        x64 = x.astype(np.float64, copy=False)
        sums = np.concatenate([x64.sum(axes), (x64 * x64).sum(axes), [x.size // c]])
        _allreduce_sum(pg, sums, "SyncBatchNorm forward")
        m = sums[-1]
        if m <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.shape}")
        mean = sums[:c] / m
        var = np.maximum(sums[c:2 * c] / m - mean * mean, 0.0)
        stats += [mean, var, m]
        invstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype)
        xhat = (x - mean.astype(x.dtype).reshape(shape)) * invstd.reshape(shape)
        out = xhat * w.reshape(shape) if w is not None else xhat.copy()
        if b is not None:
            out += b.reshape(shape)
        ctx.axes, ctx.shape, ctx.m, ctx.pg = axes, shape, m, pg
        ctx.save_for_backward(xhat, invstd, w)
        return out

    @staticmethod
    def backward(ctx, g):
        xhat, invstd, w = (t._data if isinstance(t, Tensor) else t for t in ctx.saved_tensors)
        gd, axes, shape = g._data, ctx.axes, ctx.shape
        gb, gw = gd.sum(axes), (gd * xhat).sum(axes)
        sums = _allreduce_sum(ctx.pg, np.concatenate([gb, gw]).astype(np.float64), "SyncBatchNorm backward")
        c = gb.size
        mean_gb = (sums[:c] / ctx.m).astype(gd.dtype).reshape(shape)
        mean_gw = (sums[c:] / ctx.m).astype(gd.dtype).reshape(shape)
        scale = invstd.reshape(shape) * (w.reshape(shape) if w is not None else 1)
        gx = scale * (gd - mean_gb - xhat * mean_gw)
        need = ctx.needs_input_grad
        make = lambda a: Tensor._make(np.ascontiguousarray(a), None, False, None)  # noqa: E731
        return (make(gx) if need[0] else None, make(gw) if need[1] else None, make(gb) if need[2] else None,
                None, None, None, None)


class SyncBatchNorm(_BatchNorm):
    """BatchNorm over the global batch of all ranks (any input of 2 or more dims).

    >>> import npgrad
    >>> bn = npgrad.nn.SyncBatchNorm(3)
    >>> bn(npgrad.randn(4, 3, 2)).shape            # no process group: an ordinary BatchNorm
    torch.Size([4, 3, 2])
    """
    _dims = tuple(range(2, 10))

    def __init__(self, num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def _group(self):
        from .. import distributed as dist
        if not self.training or not dist.is_initialized():
            return None
        pg = self.process_group or dist.process_group._group()
        return pg if pg.size() > 1 else None

    def forward(self, input):
        pg = self._group()
        if pg is None:
            return super().forward(input)
        self._check_input(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked._data += 1
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked._data)
        axes = (0,) + tuple(range(2, input.ndim))
        stats = []
        out = _SyncBatchNormFn.apply(input, self.weight, self.bias, axes, self.eps, stats, pg)
        if self.track_running_stats:
            mean, var, m = stats
            _update_running(self.running_mean, self.running_var, mean, var, m, factor)
        return out

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """A copy of ``module``'s tree with every BatchNorm*d replaced by a SyncBatchNorm (same state).

        >>> import npgrad
        >>> net = npgrad.nn.Sequential(npgrad.nn.Conv2d(1, 4, 3), npgrad.nn.BatchNorm2d(4))
        >>> type(npgrad.nn.SyncBatchNorm.convert_sync_batchnorm(net)[1]).__name__
        'SyncBatchNorm'
        """
        out = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            out = cls(module.num_features, module.eps, module.momentum, module.affine, module.track_running_stats,
                      process_group)
            if module.affine:
                out.weight, out.bias = module.weight, module.bias
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                setattr(out, name, getattr(module, name))
            out.training = module.training
        for name, child in list(module._modules.items()):
            if child is not None:
                setattr(out, name, cls.convert_sync_batchnorm(child, process_group))
        return out


