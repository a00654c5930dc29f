"""``DistributedSampler``: each of ``num_replicas`` processes gets its own share of the dataset.

The rules are PyTorch's: the (optionally shuffled) index list is padded by repeating its start until it
divides evenly (or cut short with ``drop_last``), then rank r takes every ``num_replicas``-th index
starting at r.  The shuffle is seeded by ``seed + epoch``, so every rank draws the same permutation;
call ``set_epoch`` each epoch for a new order.  (The permutation comes from npgrad's generator, so a
shuffled order differs from PyTorch's; the unshuffled partition is identical.)
"""
from __future__ import annotations

import math

import numpy as np

from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """The indices of rank ``rank``'s share of ``dataset`` (defaults from ``npgrad.distributed``).

    >>> list(DistributedSampler(range(10), num_replicas=3, rank=0, shuffle=False))
    [0, 3, 6, 9]
    >>> list(DistributedSampler(range(10), num_replicas=3, rank=2, shuffle=False))
    [2, 5, 8, 1]
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            from ... import distributed as dist
            if not dist.is_available():
                raise RuntimeError('Requires distributed package to be available (pip install "npgrad[dist]")')
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if isinstance(num_replicas, bool) or not isinstance(num_replicas, (int, np.integer)) or num_replicas < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be a positive integer, got {num_replicas!r}")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas, self.rank = int(num_replicas), int(rank)
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % self.num_replicas != 0:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def _epoch_indices(self):
        n = len(self.dataset)
        if self.shuffle:
            indices = np.random.default_rng((self.seed + self.epoch) & 0xFFFFFFFFFFFFFFFF).permutation(n)
        else:
            indices = np.arange(n, dtype=np.int64)
        if not self.drop_last:
            pad = self.total_size - n
            if pad > 0 and n > 0:
                indices = np.concatenate([indices, np.resize(indices, pad)])
        else:
            indices = indices[:self.total_size]
        return indices[self.rank:self.total_size:self.num_replicas].astype(np.int64, copy=False)

    def __iter__(self):
        return iter(self._epoch_indices().tolist())

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Set the epoch: with ``shuffle=True`` each epoch gets a new order (the same on every rank)."""
        self.epoch = epoch
