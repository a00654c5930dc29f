"""``npgrad.optim``: optimizers and learning-rate schedulers, shaped like ``torch.optim``.

>>> import npgrad
>>> w = npgrad.randn(4, requires_grad=True)
>>> opt = npgrad.optim.Adam([w], lr=1e-2)
>>> sched = npgrad.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
>>> for _ in range(3):
...     opt.zero_grad()
...     (w ** 2).sum().backward()
...     opt.step()
...     sched.step()
"""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam
from .adamw import AdamW
from .adagrad import Adagrad
from .rmsprop import RMSprop
from .adadelta import Adadelta
from .adamax import Adamax
from .nadam import NAdam
from .radam import RAdam
from .asgd import ASGD
from .rprop import Rprop
from .sparse_adam import SparseAdam
from .lbfgs import LBFGS
from . import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD",
           "Rprop", "SparseAdam", "LBFGS", "lr_scheduler"]
