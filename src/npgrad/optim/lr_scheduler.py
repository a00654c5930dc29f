"""Learning-rate schedules, shaped like ``torch.optim.lr_scheduler``.

A scheduler rewrites ``group['lr']`` in its optimizer's param groups each time ``step()`` is called
(once per epoch, or once per batch for ``OneCycleLR``), *after* ``optimizer.step()``:

>>> import npgrad
>>> w = npgrad.zeros(2, requires_grad=True)
>>> opt = npgrad.optim.SGD([w], lr=0.1)
>>> sched = npgrad.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
>>> lrs = []
>>> for epoch in range(5):
...     opt.step()          # (train one epoch)
...     lrs.append(sched.get_last_lr()[0])
...     sched.step()
>>> lrs
[0.1, 0.1, 0.05, 0.05, 0.025]

Schedules that follow a fixed curve live in ``_lr_decay``, the cyclic, metric-driven and combining
ones in ``_lr_cycle``; all are importable from here, as in PyTorch.
"""
from ._lr_base import LRScheduler, _LRScheduler
from ._lr_cycle import (ChainedScheduler, CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR, ReduceLROnPlateau,
                        SequentialLR)
from ._lr_decay import (ConstantLR, CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, MultiplicativeLR,
                        MultiStepLR, PolynomialLR, StepLR)

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
           "ExponentialLR", "CosineAnnealingLR", "PolynomialLR", "OneCycleLR", "CyclicLR", "CosineAnnealingWarmRestarts",
           "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler"]

# the schedulers' home, as PyTorch's (programs test ``scheduler.__module__ == lr_scheduler.__name__``)
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
