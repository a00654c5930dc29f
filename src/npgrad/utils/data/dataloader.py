"""``DataLoader``: batches of samples, shaped like ``torch.utils.data.DataLoader``.

In-memory datasets (``TensorDataset``, ``MNIST``, a ``Subset`` or ``TransformDataset`` of them)
define ``_get_batch``; the loader then asks for each batch with its whole index array, so a batch
costs one fancy-index per stored array and no Python loop over samples.  Other datasets go
through ``__getitem__`` per sample and ``collate_fn``, as in PyTorch.
"""
from __future__ import annotations

import collections.abc
import numbers

import numpy as np

from ...tensor import Tensor
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler


def _tensor(arr):
    return Tensor._make(arr, None, False, None)


def _stack_tensors(batch):
    shapes = [tuple(t.shape) for t in batch]
    if len(set(shapes)) != 1:
        i = next(i for i, s in enumerate(shapes) if s != shapes[0])
        raise RuntimeError(f"default_collate: stack expects each tensor to be equal size, but got "
                           f"{list(shapes[0])} at entry 0 and {list(shapes[i])} at entry {i}")
    if any(t.requires_grad for t in batch):
        from ...ops.shape import stack
        return stack(batch, 0)
    return _tensor(np.stack([t._data for t in batch]))


def default_collate(batch):
    """Merge a list of samples into a batch, like ``torch.utils.data.default_collate``.

    Tensors and arrays are stacked along a new first axis; Python floats become a float64
    tensor and ints an int64 tensor (as in PyTorch); dicts, tuples and lists are collated field
    by field (a tuple of fields gives a list of batches); strings are kept as a list.

    >>> import npgrad
    >>> from npgrad.utils.data import default_collate
    >>> default_collate([(npgrad.zeros(2), 1), (npgrad.ones(2), 0)])[1]
    tensor([1, 0])
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack_tensors(batch)
    if isinstance(elem, np.ndarray) and elem.dtype.kind not in "OSU":
        return _stack_tensors([_tensor(np.asarray(b)) for b in batch])
    if isinstance(elem, np.generic) and elem.dtype.kind not in "OSU":
        return _tensor(np.array(batch))
    if isinstance(elem, bool):
        return _tensor(np.array(batch, dtype=np.bool_))
    if isinstance(elem, numbers.Integral):
        return _tensor(np.array(batch, dtype=np.int64))
    if isinstance(elem, numbers.Real):
        return _tensor(np.array(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if len({len(s) for s in batch}) != 1:
            raise RuntimeError("default_collate: each element in list of batch should be of equal size")
        return [default_collate(list(s)) for s in zip(*batch)]
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                    f"found {type(elem).__name__}")


def default_convert(data):
    """Convert arrays and numbers inside one sample to tensors (the collate when ``batch_size=None``)."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (np.ndarray, np.generic)) and data.dtype.kind not in "OSU":
        return _tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (list, tuple)):
        return [default_convert(d) for d in data]
    return data


def _pin(batch):
    """``batch`` with its host tensors in page-locked memory (``Tensor.pin_memory``), walking lists,
    tuples and dicts as PyTorch's pin-memory step does; tensors already on a device are kept."""
    if isinstance(batch, Tensor):
        return batch.pin_memory() if type(batch._data) is np.ndarray else batch
    if isinstance(batch, dict):
        return {k: _pin(v) for k, v in batch.items()}
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):  # a namedtuple
        return type(batch)(*(_pin(v) for v in batch))
    if isinstance(batch, (list, tuple)):
        return type(batch)(_pin(v) for v in batch)
    return batch


def _check_args(dataset, batch_size, shuffle, sampler, batch_sampler, drop_last, num_workers):
    if not isinstance(num_workers, int) or num_workers < 0:
        raise ValueError(f"DataLoader: num_workers option should be non-negative; use num_workers=0 to "
                         f"disable multiprocessing, got {num_workers!r}")
    if batch_size is not None and (not isinstance(batch_size, int) or isinstance(batch_size, bool)
                                   or batch_size <= 0):
        raise ValueError(f"DataLoader: batch_size should be a positive integer value, got {batch_size!r}")
    if isinstance(dataset, IterableDataset) and (shuffle or sampler is not None or batch_sampler is not None):
        raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle, sampler and "
                         "batch_sampler options")
    if sampler is not None and shuffle:
        raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
        raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, "
                         "sampler, and drop_last")
    if batch_size is None and drop_last:
        raise ValueError("DataLoader: batch_size=None option disables auto-batching and is mutually "
                         "exclusive with drop_last")


class DataLoader:
    """Iterate over ``dataset`` in batches, like ``torch.utils.data.DataLoader``.

    ``shuffle=True`` draws a new permutation every epoch from ``generator`` or npgrad's global
    generator, so ``npgrad.manual_seed`` makes runs reproducible.  Each batch is a list of
    tensors (``for x, y in loader`` unpacks it).  ``num_workers`` and the other multiprocessing
    options are accepted and ignored: loading runs in the calling process.  With ``pin_memory=True``
    and an accelerator, batches come in page-locked host memory (``x.to(device, non_blocking=True)``
    moves them); without one it warns and loads as usual, as PyTorch does.

    >>> import npgrad
    >>> from npgrad.utils.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(npgrad.randn(10, 3), npgrad.arange(10))
    >>> [tuple(x.shape) for x, y in DataLoader(ds, batch_size=4)]
    [(4, 3), (4, 3), (2, 3)]
    >>> len(DataLoader(ds, batch_size=4, shuffle=True, drop_last=True))
    2
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="", in_order=True):
        _check_args(dataset, batch_size, shuffle, sampler, batch_sampler, drop_last, num_workers)
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.generator = generator
        self._iterable = isinstance(dataset, IterableDataset)
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size if batch_sampler is None or batch_size is None or \
            isinstance(batch_sampler, BatchSampler) else None
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self._default_collate = collate_fn is None
        self.collate_fn = collate_fn if collate_fn is not None else \
            (default_collate if batch_size is not None or batch_sampler is not None else default_convert)

    def __len__(self):
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    def __iter__(self):
        if self._iterable:
            batches = self._iter_stream()
        elif self.batch_sampler is None:
            batches = (self.collate_fn(self.dataset[i]) for i in self.sampler)
        else:
            batches = self._iter_batches()
        if self.pin_memory:
            from ... import accelerator
            if accelerator.is_available():  # page-locked host copies: ``.to(device, non_blocking=True)`` is async
                return (_pin(b) for b in batches)
            import warnings  # as PyTorch: pinning needs an accelerator, so it is skipped
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then device pinned "
                          "memory won't be used.", stacklevel=2)
        return batches

    def _index_batches(self):
        bs = self.batch_sampler
        if isinstance(bs, BatchSampler):
            if type(bs.sampler) is SequentialSampler:  # contiguous: slices copy faster than a gather
                n, b = len(bs.sampler), bs.batch_size
                stop = n - n % b if bs.drop_last else n
                return (slice(i, min(i + b, n)) for i in range(0, stop, b))
            return iter(bs._batches())
        return (np.asarray(list(batch), dtype=np.int64) for batch in bs)

    def _iter_batches(self):
        get_batch = getattr(self.dataset, "_get_batch", None) if self._default_collate else None
        for idx in self._index_batches():
            if get_batch is not None:
                yield get_batch(idx)
            else:
                ids = range(idx.start, idx.stop) if isinstance(idx, slice) else idx.tolist()
                yield self.collate_fn([self.dataset[i] for i in ids])

    def _iter_stream(self):
        if self.batch_size is None:
            yield from (self.collate_fn(s) for s in self.dataset)
            return
        batch = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

