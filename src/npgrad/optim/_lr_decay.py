"""Schedules that follow a fixed curve over the epochs: step, exponential, cosine, linear warm-up, lambdas."""
from __future__ import annotations

import math
import types
from bisect import bisect_right
from collections import Counter

from ._lr_base import LRScheduler, _group_lrs

__all__ = ["LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
           "CosineAnnealingLR", "PolynomialLR"]


def _lambdas(who, optimizer, lr_lambda):
    if isinstance(lr_lambda, (list, tuple)):
        if len(lr_lambda) != len(optimizer.param_groups):
            raise ValueError(f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)}")
        fns = list(lr_lambda)
    else:
        fns = [lr_lambda] * len(optimizer.param_groups)
    for f in fns:
        if not callable(f):
            raise TypeError(f"{who}: lr_lambda should be a function, but got {type(f).__name__}")
    return fns


def _lambda_state_dict(sched):
    sd = {k: v for k, v in sched.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
    sd["lr_lambdas"] = [None if isinstance(f, types.FunctionType) else dict(f.__dict__) for f in sched.lr_lambdas]
    return sd


def _load_lambda_state_dict(sched, state_dict):
    state_dict = dict(state_dict)
    lambdas = state_dict.pop("lr_lambdas")
    sched.__dict__.update(state_dict)
    for f, saved in zip(sched.lr_lambdas, lambdas):
        if saved is not None:
            f.__dict__.update(saved)


class LambdaLR(LRScheduler):
    """``lr = base_lr * lr_lambda(epoch)`` (one function, or one per param group).

    >>> import npgrad
    >>> opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = npgrad.optim.lr_scheduler.LambdaLR(opt, lambda e: 1 / (e + 1))
    >>> opt.step(); s.step(); s.get_last_lr()
    [0.5]
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas(type(self).__name__, optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def state_dict(self):
        """Functions are not saved; callable objects save their ``__dict__``."""
        return _lambda_state_dict(self)

    def load_state_dict(self, state_dict):
        _load_lambda_state_dict(self, state_dict)

    def get_lr(self):
        self._warn_if_outside_step()
        return [base * f(self.last_epoch) for f, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(LRScheduler):
    """Multiply the current lr by ``lr_lambda(epoch)`` every epoch.

    >>> import npgrad
    >>> opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = npgrad.optim.lr_scheduler.MultiplicativeLR(opt, lambda e: 0.5)
    >>> opt.step(); s.step(); opt.step(); s.step(); s.get_last_lr()
    [0.25]
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas(type(self).__name__, optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def state_dict(self):
        return _lambda_state_dict(self)

    def load_state_dict(self, state_dict):
        _load_lambda_state_dict(self, state_dict)

    def get_lr(self):
        self._warn_if_outside_step()
        if self._is_initial:
            return _group_lrs(self.optimizer)
        return [g["lr"] * f(self.last_epoch) for f, g in zip(self.lr_lambdas, self.optimizer.param_groups)]


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` epochs: ``lr = base_lr * gamma ** (epoch // step_size)``.

    >>> import npgrad
    >>> opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = npgrad.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        # (a positive number: PyTorch's language-model tutorial passes 1.0)
        if isinstance(step_size, bool) or not isinstance(step_size, (int, float)) or not step_size > 0:
            raise ValueError(f"StepLR: step_size must be a positive number, got {step_size!r}")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return _group_lrs(self.optimizer)
        return [g["lr"] * self.gamma for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the lr by ``gamma`` at each epoch listed in ``milestones``.

    >>> import npgrad
    >>> opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = npgrad.optim.lr_scheduler.MultiStepLR(opt, milestones=[30, 80], gamma=0.1)
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = Counter(milestones)
        if any(not isinstance(m, int) for m in self.milestones):
            raise ValueError(f"MultiStepLR: milestones must be ints, got {list(milestones)!r}")
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        # a checkpoint stores the Counter as a plain dict; the closed form needs Counter.elements()
        self.milestones = Counter({int(k): v for k, v in self.milestones.items()})

    def get_lr(self):
        self._warn_if_outside_step()
        if self.last_epoch not in self.milestones:
            return _group_lrs(self.optimizer)
        return [g["lr"] * self.gamma ** self.milestones[self.last_epoch] for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        ms = sorted(self.milestones.elements())
        return [base * self.gamma ** bisect_right(ms, self.last_epoch) for base in self.base_lrs]


class ConstantLR(LRScheduler):
    """Multiply the lr by ``factor`` for the first ``total_iters`` epochs, then restore it.

    >>> import npgrad
    >>> opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=0.9)
    >>> s = npgrad.optim.lr_scheduler.ConstantLR(opt, factor=1 / 3, total_iters=2)
    >>> round(s.get_last_lr()[0], 6)
    0.3
    """

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        if factor > 1.0 or factor < 0:
            raise ValueError(f"Constant multiplicative factor expected to be between 0 and 1. (ConstantLR got "
                             f"factor={factor})")
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        if self.last_epoch == 0:
            return [g["lr"] * self.factor for g in self.optimizer.param_groups]
        if self.last_epoch != self.total_iters:
            return _group_lrs(self.optimizer)
        return [g["lr"] * (1.0 / self.factor) for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the lr linearly from ``start_factor * lr`` to ``end_factor * lr`` over ``total_iters``
    epochs (a warm-up when ``start_factor < end_factor``), then keep it.

    >>> import npgrad
    >>> opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = npgrad.optim.lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(round(s.get_last_lr()[0], 6)); opt.step(); s.step()
    >>> lrs
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1):
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 and less or equal to 1. "
                             f"(LinearLR got start_factor={start_factor})")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError(f"Ending multiplicative factor expected to be between 0 and 1. (LinearLR got "
                             f"end_factor={end_factor})")
        if not isinstance(total_iters, int) or total_iters <= 0:
            raise ValueError(f"LinearLR: total_iters must be a positive int, got {total_iters!r}")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        if self.last_epoch == 0:
            return [g["lr"] * self.start_factor for g in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return _group_lrs(self.optimizer)
        a, b, n = self.start_factor, self.end_factor, self.total_iters
        return [g["lr"] * (1.0 + (b - a) / (n * a + (self.last_epoch - 1) * (b - a)))
                for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        a, b, n = self.start_factor, self.end_factor, self.total_iters
        return [base * (a + (b - a) * min(n, self.last_epoch) / n) for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every epoch: ``lr = base_lr * gamma ** epoch``.

    >>> import npgrad
    >>> opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = npgrad.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        if self._is_initial:
            return _group_lrs(self.optimizer)
        return [g["lr"] * self.gamma for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** self.last_epoch for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine decay from ``base_lr`` to ``eta_min`` over ``T_max`` epochs (then back up, periodically):
    ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``.

    Computed recursively from the current lr, as PyTorch does, so it composes with other changes.

    >>> import npgrad
    >>> opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = npgrad.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        if not isinstance(T_max, int) or T_max <= 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive int, got {T_max!r}")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        e, T, lo = self.last_epoch, self.T_max, self.eta_min
        groups = self.optimizer.param_groups
        if self._is_initial:
            return _group_lrs(self.optimizer)
        if self._step_count == 1 and e > 0:
            return [lo + (base - lo) * (1 + math.cos(e * math.pi / T)) / 2 for base in self.base_lrs]
        if (e - 1 - T) % (2 * T) == 0:
            return [g["lr"] + (base - lo) * (1 - math.cos(math.pi / T)) / 2 for base, g in zip(self.base_lrs, groups)]
        return [(1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T)) * (g["lr"] - lo) + lo
                for g in groups]

    def _get_closed_form_lr(self):
        return [self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Polynomial decay to zero over ``total_iters`` epochs, then constant:
    ``lr = base_lr * (1 - min(epoch, total_iters) / total_iters) ** power``.

    >>> import npgrad
    >>> opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = npgrad.optim.lr_scheduler.PolynomialLR(opt, total_iters=4, power=2.0)
    >>> opt.step(); s.step(); s.get_last_lr()
    [0.5625]
    """

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_if_outside_step()
        e, n = self.last_epoch, self.total_iters
        if self._is_initial or e > n:
            return _group_lrs(self.optimizer)
        factor = ((1.0 - e / n) / (1.0 - (e - 1) / n)) ** self.power
        return [g["lr"] * factor for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
                for base in self.base_lrs]
