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

import math

import numpy as np

from ..tensor import Tensor
from .loop import Trainer, _progress_bar, _summary

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


def _all_sum(values):
    """``values`` (a few floats) summed over every rank."""
    from .. import distributed as dist
    t = Tensor._make(np.asarray(values, np.float64), None, False, None)
    dist.all_reduce(t)
    return t._data


def _global(summary):
    """An epoch summary (averages over this rank's samples) turned into averages over every rank's."""
    n = summary["samples"]
    loss, correct, total = _all_sum([summary["loss"] * n, summary["acc"] * n, n])
    return {"loss": loss / total, "acc": correct / total, "samples": int(total)}


class DistributedTrainer(Trainer):
    """A :class:`Trainer` for one rank of a data-parallel run (``model`` wrapped in DDP).

    Each step's loss, correct count and batch size are summed over the ranks (one small all-reduce), so
    the progress bar shows the global running loss and rate, and every rank sees a diverging loss at
    the same step and stops there (stopping alone would leave the others waiting in the next all-reduce).
    """

    def __init__(self, *args, world_size=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.world_size = world_size

    def train_epoch(self, loader, epoch=1, epochs=1):
        sampler = getattr(loader, "sampler", None)
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(epoch)           # a new shuffle each epoch, the same on every rank
        self.model.train()
        totals = np.zeros(3)                   # loss * n, correct, n: over all ranks
        bar = _progress_bar(self.progress, loader, f"epoch {epoch}/{epochs}")
        for batch, (inputs, targets) in enumerate(loader, 1):
            output = self.model(inputs)
            loss = self.loss_fn(output, targets)
            self.optimizer.zero_grad()
            loss.backward()                    # DDP averages the gradients over the ranks here
            self.optimizer.step()
            n = len(targets)
            correct = self.metric(output, targets) * n if self.metric is not None else 0.0
            step = _all_sum([loss.item() * n, correct, n])
            totals += step
            if not math.isfinite(step[0]):
                self._stop_diverged(step[0] / step[2], epoch, batch)
                break
            if bar is not None:
                bar.update(int(step[2]))       # the samples of all ranks: the bar's rate is the global one
                bar.set_postfix(loss=f"{totals[0] / totals[2]:.4f}", acc=f"{totals[1] / totals[2]:.4f}",
                                refresh=False)
        if bar is not None:
            bar.refresh()
            bar.close()
        return _summary(totals[0], totals[1], int(totals[2]), self.metric)

    def evaluate(self, loader):
        return _global(super().evaluate(loader))
