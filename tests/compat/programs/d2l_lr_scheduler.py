"""d2l 12.11 learning-rate scheduling: hand-written SquareRootScheduler, FactorScheduler,
MultiFactorScheduler and CosineScheduler with warmup, set through optimizer.param_groups; then the
torch.optim.lr_scheduler classes (StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, OneCycleLR,
LambdaLR, LinearLR + SequentialLR warmup, ReduceLROnPlateau), their state_dict and get_last_lr."""
import math

import torch
from torch import nn
from torch.optim import lr_scheduler

from _d2l import Accumulator, accuracy, load_data_fashion_mnist
from _fixed import fix_params


class SquareRootScheduler:
    def __init__(self, lr=0.1):
        self.lr = lr

    def __call__(self, num_update):
        return self.lr * pow(num_update + 1.0, -0.5)


class FactorScheduler:
    def __init__(self, factor=1, stop_factor_lr=1e-7, base_lr=0.1):
        self.factor = factor
        self.stop_factor_lr = stop_factor_lr
        self.base_lr = base_lr

    def __call__(self, num_update):
        self.base_lr = max(self.stop_factor_lr, self.base_lr * self.factor)
        return self.base_lr


class CosineScheduler:
    def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0):
        self.base_lr_orig = base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.warmup_steps = warmup_steps
        self.warmup_begin_lr = warmup_begin_lr
        self.max_steps = self.max_update - self.warmup_steps

    def get_warmup_lr(self, epoch):
        increase = (self.base_lr_orig - self.warmup_begin_lr) * float(epoch) / float(self.warmup_steps)
        return self.warmup_begin_lr + increase

    def __call__(self, epoch):
        if epoch < self.warmup_steps:
            return self.get_warmup_lr(epoch)
        if epoch <= self.max_update:
            self.base_lr = self.final_lr + (self.base_lr_orig - self.final_lr) * (
                1 + math.cos(math.pi * (epoch - self.warmup_steps) / self.max_steps)) / 2
        return self.base_lr


print([round(SquareRootScheduler(0.1)(t), 5) for t in range(5)])
fs = FactorScheduler(factor=0.9, stop_factor_lr=1e-2, base_lr=2.0)
print([round(fs(t), 5) for t in range(5)])
cs = CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01, warmup_steps=5)
print([round(cs(t), 5) for t in range(0, 25, 3)])


def net_fn():
    model = nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 32), nn.ReLU(),
        nn.Linear(32, 10))
    return fix_params(model)


loss = nn.CrossEntropyLoss()


def train(net, train_iter, test_iter, num_epochs, loss, trainer, scheduler=None):
    for epoch in range(num_epochs):
        metric = Accumulator(3)
        for i, (X, y) in enumerate(train_iter):
            net.train()
            trainer.zero_grad()
            y_hat = net(X)
            l = loss(y_hat, y)
            l.backward()
            trainer.step()
            with torch.no_grad():
                metric.add(l * X.shape[0], accuracy(y_hat, y), X.shape[0])
        if scheduler:
            if scheduler.__module__ == lr_scheduler.__name__:
                # using PyTorch in-built scheduler
                scheduler.step()
            else:
                # using custom defined scheduler
                for param_group in trainer.param_groups:
                    param_group['lr'] = scheduler(epoch)
        print(f'epoch {epoch + 1}, train loss {metric[0] / metric[2]:.3f}, train acc {metric[1] / metric[2]:.3f}, '
              f'lr {trainer.param_groups[0]["lr"]:.4f}')


train_iter, test_iter = load_data_fashion_mnist(16, 32, 16)
net = net_fn()
trainer = torch.optim.SGD(net.parameters(), lr=0.3)
train(net, train_iter, test_iter, 2, loss, trainer, SquareRootScheduler(lr=0.3))
net = net_fn()
trainer = torch.optim.SGD(net.parameters(), lr=0.3)
scheduler = lr_scheduler.MultiStepLR(trainer, milestones=[1, 2], gamma=0.5)
train(net, train_iter, test_iter, 3, loss, trainer, scheduler)


def get_lrs(make_scheduler, steps=12, lr=0.1, opt=torch.optim.SGD, metric=None, **opt_kw):
    w = nn.Parameter(torch.zeros(2))
    optimizer = opt([w], lr=lr, **opt_kw)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for step in range(steps):
        optimizer.step()
        lrs.append(round(optimizer.param_groups[0]['lr'], 6))
        scheduler.step(metric(step)) if metric else scheduler.step()
    return lrs


print(get_lrs(lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5)))
print(get_lrs(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.8)))
print(get_lrs(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=0.01)))
print(get_lrs(lambda o: lr_scheduler.LambdaLR(o, lr_lambda=lambda epoch: 0.95 ** epoch)))
print(get_lrs(lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.5, total_steps=12), opt=torch.optim.SGD, momentum=0.9))
print(get_lrs(lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.5, epochs=2, steps_per_epoch=6, anneal_strategy='linear',
                                                pct_start=0.25), opt=torch.optim.Adam))
print(get_lrs(lambda o: lr_scheduler.SequentialLR(
    o, [lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=4),
        lr_scheduler.CosineAnnealingLR(o, T_max=8)], milestones=[4])))
print(get_lrs(lambda o: lr_scheduler.ReduceLROnPlateau(o, mode='min', factor=0.5, patience=1),
              metric=lambda step: [1.0, 0.9, 0.9, 0.9, 0.8, 0.85, 0.85, 0.85, 0.85, 0.7, 0.7, 0.7][step]))
print(get_lrs(lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001)))
print(get_lrs(lambda o: lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3), momentum=0.9))
print(get_lrs(lambda o: lr_scheduler.PolynomialLR(o, total_iters=8, power=2.0)))

w = nn.Parameter(torch.zeros(2))
optimizer = torch.optim.SGD([w], lr=0.1, momentum=0.9)
scheduler = lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
for _ in range(3):
    optimizer.step()
    scheduler.step()
state = scheduler.state_dict()
print(sorted(state), state['last_epoch'], state['_last_lr'], scheduler.get_last_lr())
optimizer2 = torch.optim.SGD([w], lr=0.1, momentum=0.9)
scheduler2 = lr_scheduler.StepLR(optimizer2, step_size=2, gamma=0.1)
scheduler2.load_state_dict(state)
optimizer2.step()
scheduler2.step()
print(scheduler2.last_epoch, scheduler2.get_last_lr(), optimizer2.param_groups[0]['initial_lr'])
