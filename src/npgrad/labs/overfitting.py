"""Lab ``overfitting`` — under-, good and overfitting; L1, L2, dropout and augmentation (notes 002, 003;
过拟合和欠拟合 / 正则化 / Dropout / 数据增强).

* 12 noisy samples of sin(2πx): a line underfits (both errors high), a small network fits, a
  large network trained long chases the noise (training error far below test error);
* a large classifier on 80 noisy two-moons points, plain and with L2, L1, dropout or input-jitter
  augmentation: the train/test gap shrinks.
"""
from __future__ import annotations

import numpy as np

import npgrad
import npgrad.nn.functional as F
from npgrad import nn
from npgrad.datasets import make_moons

from ._report import Report

#: what the lab teaches, printed first (plain words, the notes' terms beside)
INTRO = """A model underfits (欠拟合) when it is too simple to follow the data, and overfits (过拟合) when it
learns the noise of its training examples: training error far below test error. Regularisation
(正则化) narrows that gap: L2 and L1 penalties on the weights, dropout (randomly silencing units),
and data augmentation (数据增强, training on slightly changed copies of the examples)."""


def sine_data(n, noise, seed):
    g = npgrad.Generator().manual_seed(seed)
    x = npgrad.rand(n, 1, generator=g)
    y = npgrad.sin(2 * np.pi * x) + noise * npgrad.randn(n, 1, generator=g)
    return x, y


def regressors():
    return {
        "underfit: a line": lambda: nn.Linear(1, 1),
        "good: 1-16-1 tanh": lambda: nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1)),
        "overfit: 1-64-64-1": lambda: nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(),
                                                    nn.Linear(64, 1)),
    }


def fit_curves(model, x, y, xt, yt, steps, lr=0.01, every=50):
    """Adam on the full training set; (step, train MSE, test MSE) every ``every`` steps."""
    opt = npgrad.optim.Adam(model.parameters(), lr=lr)
    log = []
    for s in range(1, steps + 1):
        loss = F.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if s % every == 0 or s == steps:
            with npgrad.no_grad():
                log.append((s, loss.item(), F.mse_loss(model(xt), yt).item()))
    return log


def run(out_dir=None, quick=False, verbose=True):
    """Show the three fitting regimes and the regularisers' effect. Returns the numbers.

    >>> from npgrad.labs import overfitting
    >>> r = overfitting.run(quick=True, verbose=False)
    >>> r['regression::overfit: 1-64-64-1']['train'] < 0.01 < r['regression::overfit: 1-64-64-1']['test']
    True
    """
    r = Report("under- and overfitting, regularisation — 过拟合和欠拟合 / 正则化", out_dir, verbose, intro=INTRO)
    x, y = sine_data(12, 0.3, seed=0)
    xt, yt = sine_data(200, 0.3, seed=1)
    steps = 1000 if quick else 2000
    r.section(f"regression on 12 points of sin(2πx) + noise (σ = 0.3, so the best MSE is about 0.09), {steps} steps")
    curves, models = {}, {}
    for name, make in regressors().items():
        r.progress(f"  training {name} for {steps} steps ...")
        npgrad.manual_seed(0)
        models[name] = make()
        curves[name] = fit_curves(models[name], x, y, xt, yt, steps)
        s, tr, te = curves[name][-1]
        r.done()
        r.say(f"  {name:22s} train MSE {tr:.4f}   test MSE {te:.4f}   gap {te - tr:+.4f}")
        r.record(f"regression::{name}", dict(train=tr, test=te))
    r.record("regression_curves", curves)

    r.section("classification: 80 noisy moons, a 2-128-128-2 ReLU network")
    results = _regularisers(r, steps=300 if quick else 600)
    r.record("classification", results)
    base = results["none"]["train"] - results["none"]["test"]
    better = [k for k, v in results.items() if k != "none" and v["train"] - v["test"] < base]
    r.say(f"  smaller train/test gap than no regulariser: {', '.join(better) or 'none'}")
    r.say("  (a regulariser gives up some training fit to generalise; its strength λ or p is a")
    r.say("  hyperparameter to tune on held-out data).")
    _figures(r, x, y, models, curves, results)
    return r.results


def _classifier(p_drop=0.0):
    layers = [nn.Linear(2, 128), nn.ReLU()]
    if p_drop:
        layers.append(nn.Dropout(p_drop))
    layers += [nn.Linear(128, 128), nn.ReLU()]
    if p_drop:
        layers.append(nn.Dropout(p_drop))
    return nn.Sequential(*layers, nn.Linear(128, 2))


def _regularisers(r, steps):
    X, y = make_moons(80, noise=0.35, random_state=0)
    Xt, yt = make_moons(1000, noise=0.35, random_state=1)
    variants = {"none": {}, "L2 (λ=1e-3)": {"l2": 1e-3}, "L1 (λ=5e-4)": {"l1": 5e-4},
                "dropout (p=0.5)": {"p": 0.5}, "augmentation (jitter σ=0.15)": {"jitter": 0.15}}
    results, rows = {}, []
    for i, (name, opt_) in enumerate(variants.items()):
        r.progress(f"  training with regulariser {i + 1}/{len(variants)}: {name} ({steps} steps) ...")
        npgrad.manual_seed(0)
        model = _classifier(opt_.get("p", 0.0))
        opt = npgrad.optim.Adam(model.parameters(), lr=0.01)
        params = [m.weight for m in model.modules() if isinstance(m, nn.Linear)]
        for _ in range(steps):
            xb = X + opt_["jitter"] * npgrad.randn(*X.shape) if "jitter" in opt_ else X
            loss = F.cross_entropy(model(xb), y)
            if "l2" in opt_:
                loss = loss + opt_["l2"] * nn.utils.l2_penalty(params)
            if "l1" in opt_:
                loss = loss + opt_["l1"] * nn.utils.l1_penalty(params)
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with npgrad.no_grad():
            tr = (model(X).argmax(1) == y).float().mean().item()
            te = (model(Xt).argmax(1) == yt).float().mean().item()
        results[name] = dict(train=tr, test=te, model=model)
        rows.append((name, f"{tr:.3f}", f"{te:.3f}", f"{tr - te:+.3f}"))
    r.done()
    r.table(["regulariser", "train acc", "test acc", "gap"], rows)
    return results


def _figures(r, x, y, models, curves, results):
    from npgrad import viz
    fig, axes = viz.new_figure(ncols=3, nrows=2, size=(4, 3.2))
    grid = npgrad.linspace(0, 1, 200).reshape(-1, 1)
    for (name, model), a_fit, a_curve in zip(models.items(), axes[0], axes[1]):
        with npgrad.no_grad():
            a_fit.plot(grid.numpy().ravel(), model(grid).numpy().ravel(), "C3", label="model")
        a_fit.plot(grid.numpy().ravel(), np.sin(2 * np.pi * grid.numpy().ravel()), "k--", lw=0.8, label="sin 2πx")
        a_fit.plot(x.numpy(), y.numpy(), "o", ms=4, label="train")
        a_fit.set_title(name, fontsize=9)
        a_fit.set_ylim(-2, 2)
        arr = np.array(curves[name])
        a_curve.semilogy(arr[:, 0], arr[:, 1], label="train")
        a_curve.semilogy(arr[:, 0], arr[:, 2], label="test")
        a_curve.set_xlabel("step")
        a_curve.set_ylabel("MSE")
        a_curve.legend(fontsize=8)
    r.figure(fig, "fitting_regimes")
    X, y01 = make_moons(80, noise=0.35, random_state=0)
    fig, axes = viz.new_figure(ncols=len(results), size=(3.2, 3))
    for a, (name, res) in zip(axes, results.items()):
        viz.plot_decision_boundary(res["model"], X, y01, ax=a, resolution=100,
                                   title=f"{name}\ntest {res['test']:.2f}")
        a.title.set_fontsize(8)
    r.figure(fig, "regularisers")
