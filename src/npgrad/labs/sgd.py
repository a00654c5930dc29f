"""Lab ``sgd`` — full-batch vs stochastic vs mini-batch gradient descent (notes 000 q14 and 001;
随机梯度下降 / 小批量梯度下降).

A linear regression, y = X w + b + noise, trained three ways for the same number of passes over
the data: GD (one update per epoch, on all examples), SGD (one update per example) and
mini-batch (one update per 32 examples).  Plotted against updates, GD looks best; against
examples seen (the real cost), SGD and mini-batch are far ahead.
"""
from __future__ import annotations

import numpy as np

import npgrad
import npgrad.nn.functional as F
from npgrad import nn
from npgrad.datasets import make_regression
from npgrad.utils.data import DataLoader, TensorDataset

from ._report import Report

#: what the lab teaches, printed first (plain words, the notes' terms beside)
INTRO = """How much data each update looks at: gradient descent (GD) averages the gradient over all examples,
stochastic gradient descent (SGD, 随机梯度下降) uses one example per update, and mini-batch
(小批量梯度下降) a small batch. Counted in updates GD looks best; counted in examples processed (the
real cost) SGD and mini-batches are far ahead, and mini-batches use the hardware well."""

#: batch size and learning rate of each method
METHODS = {"GD (batch = all)": (None, 0.1), "SGD (batch = 1)": (1, 0.01), "mini-batch (32)": (32, 0.05)}


def train(X, y, batch_size, lr, epochs, evals_per_epoch=20, seed=0):
    """Train a fresh linear model; return (updates, examples seen, full-data loss) after each evaluation."""
    npgrad.manual_seed(seed)
    model = nn.Linear(X.shape[1], 1)
    opt = npgrad.optim.SGD(model.parameters(), lr=lr)
    n = len(X)
    bs = batch_size or n
    shuffle_gen = npgrad.Generator().manual_seed(seed)
    loader = DataLoader(TensorDataset(X, y), batch_size=bs, shuffle=True, generator=shuffle_gen)
    every = max(1, (n // bs) // evals_per_epoch)
    log = [(0, 0, _loss(model, X, y))]
    updates = 0
    for _ in range(epochs):
        for xb, yb in loader:
            loss = F.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            updates += 1
            if updates % every == 0:
                log.append((updates, updates * bs if batch_size else updates * n, _loss(model, X, y)))
    return log


def _loss(model, X, y):
    with npgrad.no_grad():
        return F.mse_loss(model(X), y).item()


def run(out_dir=None, quick=False, verbose=True):
    """Compare the three methods on the same data and budget. Returns their loss logs.

    >>> from npgrad.labs import sgd
    >>> len(sgd.run(quick=True, verbose=False)['final'])
    3
    """
    r = Report("GD vs SGD vs mini-batch — 梯度下降 / 随机梯度下降 / 小批量梯度下降", out_dir, verbose, intro=INTRO)
    noise = 20.0
    X, y, coef = make_regression(1000 if not quick else 400, 3, noise=noise, bias=1.0, coef=True, random_state=0)
    X, y = X.float(), y.float().reshape(-1, 1)
    scale = y.std().item()
    y = y / scale            # unit-scale target, so one learning rate per method suits any seed
    epochs = 3 if quick else 10
    r.section(f"{len(X)} examples, 3 features, {epochs} epochs each")
    logs, rows = {}, []
    for name, (bs, lr) in METHODS.items():
        log = train(X, y, bs, lr, epochs)
        logs[name] = log
        rows.append((name, lr, log[-1][0], log[-1][1], log[-1][2]))
    r.table(["method", "lr", "updates", "examples seen", "final MSE"], rows)
    r.say(f"  the noise floor (MSE of the true line) is about {(noise / scale) ** 2:.4f}")
    r.record("noise_floor", (noise / scale) ** 2)
    budget = len(X)
    for name, log in logs.items():
        after_one = min((e for e in log if e[1] >= budget), key=lambda e: e[1])
        r.say(f"  {name}: MSE after one pass over the data = {after_one[2]:.4f}")
        r.record(f"after_one_epoch::{name}", after_one[2])
    r.record("logs", logs)
    r.record("final", {k: v[-1][2] for k, v in logs.items()})
    r.say("  one GD update costs as much as a whole epoch of SGD updates: per example seen, the")
    r.say("  noisy small-batch updates descend much faster; mini-batches average out part of the noise.")
    _figure(r, logs)
    return r.results


def _figure(r, logs):
    from npgrad import viz
    fig, (a1, a2) = viz.new_figure(ncols=2)
    for name, log in logs.items():
        arr = np.array(log)
        a1.semilogy(np.maximum(arr[:, 0], 1), arr[:, 2], label=name)
        a2.semilogy(np.maximum(arr[:, 1], 1), arr[:, 2], label=name)
    a1.set_xscale("log")
    a1.set_xlabel("updates")
    a2.set_xscale("log")
    a2.set_xlabel("examples seen")
    for a in (a1, a2):
        a.set_ylabel("training MSE")
        a.legend()
        a.grid(alpha=0.3, which="both")
    r.figure(fig, "sgd")
