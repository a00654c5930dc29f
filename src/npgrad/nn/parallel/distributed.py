"""``DistributedDataParallel``: one model replica per MPI rank, gradients averaged during backward.

How a step runs (PyTorch's design, on MPI):

* at wrap, rank 0's parameters and buffers are broadcast, so every replica starts equal;
* the parameters are grouped, in reverse order (the order backward finishes them), into buckets of
  about ``bucket_cap_mb`` (the first one 1 MB, so communication starts early); each bucket owns one
  flat buffer;
* a post-accumulate-grad hook on each parameter copies its gradient into its bucket; when a bucket
  is full its all-reduce starts (``MPI_Iallreduce``) while backward goes on with the earlier layers;
  buckets start in the same order on every rank, as MPI requires;
* when the last gradient is in, backward waits for the all-reduces and writes the averages into
  ``.grad``, so ``optimizer.step()`` right after ``loss.backward()`` sees identical gradients on every
  rank, and the replicas stay identical;
* ``no_sync()`` skips the communication (gradients accumulate locally) for gradient accumulation;
* buffers (BatchNorm's running statistics) are broadcast from rank 0 at each forward.
"""
from __future__ import annotations

import contextlib
import weakref

import numpy as np

from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor
from ..module import Module

__all__ = ["DistributedDataParallel"]

_FIRST_BUCKET_BYTES = 1024 * 1024        # PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES
_DEFAULT_BUCKET_MB = 25


class _Bucket:
    """Parameters whose gradients travel together in one flat buffer."""

    def __init__(self, index, params, dtype):
        self.index, self.params = index, params
        sizes = [p._data.size for p in params]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.flat = np.zeros(int(self.offsets[-1]), dtype)
        self.pending, self.request = len(params), None

    def slot(self, k):
        return self.flat[self.offsets[k]:self.offsets[k + 1]]

    def reset(self):
        self.pending, self.request = len(self.params), None


def _assign_buckets(params, cap_bytes):
    """Lists of parameter indices: reverse order, one dtype per bucket, the first one small."""
    buckets, open_ = [], {}          # open_: dtype -> [indices, bytes, limit]
    for i in reversed(range(len(params))):
        dt = params[i]._data.dtype
        entry = open_.setdefault(dt, [[], 0, min(_FIRST_BUCKET_BYTES, cap_bytes)])
        entry[0].append(i)
        entry[1] += params[i]._data.nbytes
        if entry[1] >= entry[2]:
            buckets.append(entry[0])
            open_[dt] = [[], 0, cap_bytes]
    buckets.extend(e[0] for e in open_.values() if e[0])
    return buckets


def _find_leaves(outputs):
    """ids of the leaf tensors the autograd graph of ``outputs`` reaches."""
    stack, seen, leaves = [], {}, {}

    def collect(obj):
        if isinstance(obj, Tensor):
            if obj.grad_fn is not None:
                stack.append(obj.grad_fn)
            elif obj.requires_grad:
                leaves[id(obj)] = True
        elif isinstance(obj, (list, tuple)):
            for o in obj:
                collect(o)
        elif isinstance(obj, dict):
            for o in obj.values():
                collect(o)
    collect(outputs)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = True
        for nxt in node._next:
            if isinstance(nxt, Tensor):
                leaves[id(nxt)] = True
            elif nxt is not None and id(nxt) not in seen:
                stack.append(nxt)
    return leaves


def _remove_all(handles):
    for h in handles:
        h.remove()


class DistributedDataParallel(Module):
    """Data-parallel training over MPI ranks with PyTorch's API.

    Every rank builds the same model, wraps it, and feeds it its own share of each batch (see
    ``npgrad.utils.data.distributed.DistributedSampler``); after ``loss.backward()`` every rank holds
    the gradients averaged over all ranks, so the step equals one process training on the
    concatenated batch.  ``state_dict()`` keys carry the ``module.`` prefix, as in PyTorch.

    >>> # under mpiexec -n 2, after dist.init_process_group("mpi"):
    >>> # model = DistributedDataParallel(Net()); loss_fn(model(x_local), y_local).backward(); opt.step()
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 init_sync=True, process_group=None, bucket_cap_mb=None, find_unused_parameters=False,
                 check_reduction=False, gradient_as_bucket_view=False, static_graph=False, **kwargs):
        from ...distributed.process_group import _group
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be an nn.Module, got {type(module).__name__}")
        if bucket_cap_mb is not None and not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be positive, got {bucket_cap_mb!r}")
        pg = _group(process_group)          # ValueError when init_process_group has not been called
        self.module = module
        self.process_group = pg
        self.dim, self.device_ids, self.output_device = dim, device_ids, output_device
        self.broadcast_buffers = True if broadcast_buffers is None else bool(broadcast_buffers)
        self.find_unused_parameters = bool(find_unused_parameters)
        self.gradient_as_bucket_view, self.static_graph = gradient_as_bucket_view, static_graph
        self.bucket_bytes_cap = int((bucket_cap_mb or _DEFAULT_BUCKET_MB) * 1024 * 1024)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self._params = [p for p in module.parameters() if p.requires_grad]
        if not self._params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have any parameter "
                               "that requires a gradient.")
        self._names = {id(p): n for n, p in module.named_parameters()}
        self._check_same_model()
        if init_sync:
            self._broadcast_arrays([p._data for p in module.parameters()] + [b._data for b in module.buffers()])
        self._build_buckets()
        self._expect_hooks = False

    # -- setup ---------------------------------------------------------------------------------
    def _check_same_model(self):
        """Every rank must wrap the same architecture: compare (count, numel) of the parameters."""
        from ... import distributed as dist
        if self.process_group.size() == 1:
            return
        mine = [(len(self._params), sum(p._data.size for p in self._params))]
        everyone = [None] * self.process_group.size()
        dist.all_gather_object(everyone, mine, group=self.process_group)
        for r, theirs in enumerate(everyone):
            if theirs != mine:
                raise RuntimeError(f"DistributedDataParallel: rank {self.process_group.rank()} has "
                                   f"{mine[0][0]} parameters ({mine[0][1]} elements) but rank {r} has "
                                   f"{theirs[0][0]} ({theirs[0][1]}): every rank must wrap the same model")

    def _build_buckets(self):
        self._buckets, self._where = [], {}
        for b, indices in enumerate(_assign_buckets(self._params, self.bucket_bytes_cap)):
            params = [self._params[i] for i in indices]
            self._buckets.append(_Bucket(b, params, params[0]._data.dtype))
            for k, p in enumerate(params):
                self._where[id(p)] = (b, k)
        me = weakref.ref(self)

        def hook(p):
            ddp = me()
            if ddp is not None:
                ddp._grad_ready(p)
        self._hook_handles = [p.register_post_accumulate_grad_hook(hook) for p in self._params]
        # a dropped wrapper takes its hooks with it (the model may live on, or be wrapped again)
        weakref.finalize(self, _remove_all, self._hook_handles)

    def _broadcast_arrays(self, arrays):
        """Broadcast ``arrays`` from rank 0 in place, packed into one message per dtype."""
        pg = self.process_group
        if pg.size() == 1 or not arrays:
            return
        by_dtype = {}
        for a in arrays:
            by_dtype.setdefault(a.dtype.str, []).append(a)
        for group in by_dtype.values():
            flat = np.concatenate([a.reshape(-1) for a in group])
            pg.wait([pg.comm.Ibcast(flat, root=0)], "DistributedDataParallel: broadcast from rank 0")
            start = 0
            for a in group:
                a[...] = flat[start:start + a.size].reshape(a.shape)
                start += a.size

    # -- forward -------------------------------------------------------------------------------
    def forward(self, *inputs, **kwargs):
        sync = is_grad_enabled() and self.require_backward_grad_sync
        if sync:
            self._prepare_for_forward()
        if self.require_forward_param_sync and self.broadcast_buffers:
            self._broadcast_arrays([b._data for b in self.module.buffers()])
        output = self.module(*inputs, **kwargs)
        self.require_forward_param_sync = sync
        if sync:
            self._prepare_for_backward(output)
        return output

    def _prepare_for_forward(self):
        if self._expect_hooks and any(b.pending < len(b.params) for b in self._buckets):
            waiting = [self._names.get(id(p), "?") for b in self._buckets for p in b.params
                       if not self._ready[id(p)]]
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a new one. This "
                "error indicates that your module has parameters that were not used in producing loss. You can "
                "enable unused parameter detection by passing the keyword argument "
                "`find_unused_parameters=True` to `torch.nn.parallel.DistributedDataParallel`. Parameters that "
                f"did not receive a gradient on rank {self.process_group.rank()}: {', '.join(waiting)}")

    def _prepare_for_backward(self, output):
        for b in self._buckets:
            b.reset()
        self._ready = {id(p): False for p in self._params}
        self._remaining, self._next_bucket, self._expect_hooks = len(self._params), 0, True
        self._used = None
        if self.find_unused_parameters:
            reached = _find_leaves(output)
            self._used = np.array([id(p) in reached for p in self._params], np.int32)
            for p in self._params:
                if id(p) not in reached:
                    self._grad_ready(p)

    # -- backward ------------------------------------------------------------------------------
    def _grad_ready(self, p):
        if not self._expect_hooks:
            return                                  # no_sync(), or a backward DDP's forward did not prepare
        if self._ready[id(p)]:
            raise RuntimeError(f"Expected to mark a variable ready only once (parameter "
                               f"{self._names.get(id(p), '?')} got a second gradient before the reduction "
                               "finished: two backward passes through one forward; sum the losses, or run the "
                               "first under no_sync())")
        self._ready[id(p)] = True
        b, k = self._where[id(p)]
        bucket = self._buckets[b]
        slot = bucket.slot(k)
        if p._grad is None:
            slot[...] = 0
        else:
            slot[...] = p._grad._data.reshape(-1)
        bucket.pending -= 1
        self._launch_ready_buckets()
        self._remaining -= 1
        if self._remaining == 0:
            self._finalize()

    def _launch_ready_buckets(self):
        """Start the all-reduce of every full bucket whose predecessors have started (same order on all ranks)."""
        pg = self.process_group
        if pg.size() == 1:
            return
        from ...distributed.process_group import _mpi
        mpi = _mpi()
        while self._next_bucket < len(self._buckets) and self._buckets[self._next_bucket].pending == 0:
            bucket = self._buckets[self._next_bucket]
            bucket.request = pg.comm.Iallreduce(mpi.IN_PLACE, bucket.flat, op=mpi.SUM)
            self._next_bucket += 1
        started = [b.request for b in self._buckets[:self._next_bucket] if b.request is not None]
        if started:
            mpi.Request.Testall(started)            # lets MPI progress the messages in flight

    def _finalize(self):
        """All gradients are in: wait for the all-reduces, write the averages into ``.grad``."""
        pg = self.process_group
        self._expect_hooks = False
        requests = [b.request for b in self._buckets if b.request is not None]
        if requests:
            pg.wait(requests, "DistributedDataParallel: gradient all-reduce")
        used = self._globally_used()
        n = pg.size()
        for bucket in self._buckets:
            if n > 1:
                np.divide(bucket.flat, n, out=bucket.flat)
            for k, p in enumerate(bucket.params):
                if used is not None and not used[id(p)]:
                    continue                     # unused on every rank: .grad stays as it was, as in PyTorch
                value = bucket.slot(k).reshape(p._data.shape)
                g = p._grad
                if g is not None and g._data.flags.writeable and g._data.base is None \
                        and g._data.dtype == value.dtype and g._data.shape == value.shape:
                    np.copyto(g._data, value)
                else:
                    p._grad = Tensor._make(value.copy(), None, False, None)

    def _globally_used(self):
        if self._used is None:
            return None
        pg = self.process_group
        if pg.size() > 1:
            from ...distributed.process_group import _mpi
            mpi = _mpi()
            pg.wait([pg.comm.Iallreduce(mpi.IN_PLACE, self._used, op=mpi.MAX)],
                    "DistributedDataParallel: unused-parameter map")
        return {id(p): bool(u) for p, u in zip(self._params, self._used)}

    # -- public ---------------------------------------------------------------------------------
    @contextlib.contextmanager
    def no_sync(self):
        """Inside, forward/backward accumulate gradients locally; the first synced backward after
        averages the accumulated sums.

        >>> # with ddp.no_sync():  loss_fn(ddp(x1), y1).backward()      # local only
        >>> # loss_fn(ddp(x2), y2).backward()                          # averages (g1 + g2) over ranks
        """
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def extra_repr(self):
        return f"world_size={self.process_group.size()}, buckets={len(self._buckets)}"
