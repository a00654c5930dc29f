"""What ``npgrad train --nproc N`` changes on each of the N ranks (data-parallel training over MPI).

* the model is wrapped in ``DistributedDataParallel`` (gradients averaged over the ranks);
* ``--batch-size`` stays the global batch: each rank takes ``batch_size / N`` samples per step from its
  ``DistributedSampler`` share, so the optimisation matches one process training with that batch;
* the test set is split over the ranks and the epoch's loss/accuracy are summed over all of them, so
  every rank sees the same numbers (early stopping decides the same everywhere);
* only rank 0 prints, shows the progress bar (counting the samples of all ranks: the global rate)
  and writes checkpoints, metrics and plots.
"""
from __future__ import annotations

import numpy as np

from .loop import Trainer

__all__ = ["DataParallelRun", "DistributedTrainer"]


class DataParallelRun:
    """Join the process group started by the launcher and provide the per-rank pieces."""

    def __init__(self, nproc):
        from .. import distributed as dist
        dist.init_process_group("mpi")
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        if self.world != nproc:
            raise RuntimeError(f"--nproc {nproc} but the MPI launcher started {self.world} processes")

    @property
    def is_main(self):
        return self.rank == 0

    def wrap(self, model):
        from ..nn.parallel import DistributedDataParallel
        return DistributedDataParallel(model)

    def loaders(self, train_set, test_set, batch_size, seed):
        from ..utils.data import DataLoader, DistributedSampler, Subset
        sampler = DistributedSampler(train_set, self.world, self.rank, shuffle=True, seed=seed)
        train = DataLoader(train_set, batch_size=max(1, batch_size // self.world), sampler=sampler)
        # a strided share of the test set, without DistributedSampler's padding: every sample counted once
        test = DataLoader(Subset(test_set, range(self.rank, len(test_set), self.world)), batch_size=1000)
        return train, test

    def close(self):
        from .. import distributed as dist
        dist.destroy_process_group()


def _global(summary):
    """An epoch summary (averages over this rank's samples) turned into averages over every rank's."""
    from .. import distributed as dist
    n = summary["samples"]
    sums = np.array([summary["loss"] * n, summary["acc"] * n, n], np.float64)
    from ..tensor import Tensor
    t = Tensor._make(sums, None, False, None)
    dist.all_reduce(t)
    total = sums[2]
    return {"loss": sums[0] / total, "acc": sums[1] / total, "samples": int(total)}


class DistributedTrainer(Trainer):
    """A :class:`Trainer` whose epoch summaries cover all ranks and whose progress counts all ranks."""

    def __init__(self, *args, world_size=1, **kwargs):
        super().__init__(*args, **kwargs)
        self._progress_scale = world_size

    def train_epoch(self, loader, epoch=1, epochs=1):
        sampler = getattr(loader, "sampler", None)
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(epoch)
        return _global(super().train_epoch(loader, epoch, epochs))

    def evaluate(self, loader):
        return _global(super().evaluate(loader))
