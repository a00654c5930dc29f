"""The interactive lab pages' numbers, computed by the labs' own functions (``npgrad.labs``).

Each function takes the page's parameters (already JSON), checks and caps them, and returns JSON.

>>> softmax_lab({"logits": [2.0, 1.0, 0.1], "temperature": 1.0, "target": 0})["probs"][0] > 0.6
True
"""
from __future__ import annotations

import numpy as np

import npgrad
import npgrad.nn.functional as F
from npgrad.datasets import make_moons
from npgrad.labs import gradient_descent, perceptron, softmax

from .config import ConfigError


def _num(params, key, default, low, high, warnings, integer=False):
    value = params.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise ConfigError(f"{key} must be a finite number, got {value!r}")
    if value < low:
        raise ConfigError(f"{key} must be >= {low:g}, got {value:g}")
    if value > high:
        warnings.append(f"{key} {value:g} capped to {high:g}")
        value = high
    return int(value) if integer else float(value)


def _numbers(params, key, default, low, high, max_len, warnings):
    values = params.get(key, default)
    if not isinstance(values, list) or not values:
        raise ConfigError(f"{key} must be a non-empty list of numbers, got {values!r}")
    if len(values) > max_len:
        warnings.append(f"{key}: only the first {max_len} values are used")
        values = values[:max_len]
    return [_num({key: v}, key, v, low, high, warnings) for v in values]


def perceptron_lab(params):
    """Rosenblatt's rule (``labs.perceptron.perceptron``) on the lab's moons, with the page's η/noise/shift."""
    w = []
    eta = _num(params, "eta", 0.1, 1e-6, 10, w)
    noise = _num(params, "noise", 0.1, 0, 1, w)
    shift = _num(params, "shift", 1.0, 0, 3, w)
    n = _num(params, "samples", 200, 10, 1000, w, integer=True)
    epochs = _num(params, "max_epochs", 30, 1, 100, w, integer=True)
    X, y01 = make_moons(n, noise=noise, random_state=123, shift=shift)
    y = (2 * y01 - 1).float()
    wv, b, history = perceptron.perceptron(X, y, eta=eta, max_epochs=epochs)
    converged = history[-1]["mistakes"] == 0
    gamma = perceptron.margin(X, y, wv, b) if converged else None
    return {"points": np.column_stack([X.numpy(), y01.numpy()]).round(4).tolist(),
            "w": wv.tolist(), "b": b.item(), "history": history, "converged": converged,
            "margin": gamma, "warnings": w}


def gradient_descent_lab(params):
    """``labs.gradient_descent.descend`` on J(x, y) = x² + sin²(y) from one start, several learning rates."""
    w = []
    start = _numbers(params, "start", [3.0, 1.0], -3.2, 3.2, 2, w)
    if len(start) != 2:
        raise ConfigError(f"start must be two numbers (x, y), got {params.get('start')!r}")
    rates = _numbers(params, "rates", [0.1, 0.4, 0.8, 1.0], 1e-4, 2.0, 6, w)
    steps = _num(params, "steps", 30, 1, 200, w, integer=True)
    paths = []
    for lr in rates:
        pts, js = gradient_descent.descend(gradient_descent.J2, start, lr, max_steps=steps)
        xs, j1 = gradient_descent.descend(gradient_descent.J1, [start[0]], lr, max_steps=max(steps, 10))
        kind, text = gradient_descent._behaviour(xs[:, 0], j1)
        paths.append({"lr": lr, "points": np.nan_to_num(pts, posinf=1e6, neginf=-1e6).round(5).tolist(),
                      "J": [float(v) if np.isfinite(v) else None for v in js], "behaviour": text, "kind": kind})
    res, xlim, ylim = 120, (-3.2, 3.2), (-3.0, 3.0)
    gx, gy = np.meshgrid(np.linspace(*xlim, res), np.linspace(*ylim, res)[::-1])
    surface = gradient_descent.J2_numpy(gx, gy)
    return {"paths": paths, "xlim": xlim, "ylim": ylim, "res": res,
            "surface": surface.round(4).ravel().tolist(), "warnings": w}


def softmax_lab(params):
    """softmax(o / T) by ``F.softmax(temperature=T)``; the notes' cross-entropy and its gradient by autograd."""
    w = []
    logits = _numbers(params, "logits", [2.0, 1.0, 0.1], -50, 50, 10, w)
    T = _num(params, "temperature", 1.0, 0.01, 100, w)
    target = _num(params, "target", 0, 0, len(logits) - 1, w, integer=True)
    o = npgrad.tensor(logits, requires_grad=True)
    p = F.softmax(o, dim=0, temperature=T)
    t = F.one_hot(npgrad.tensor(target), len(logits)).float()
    ce = softmax.cross_entropy_error(p, t)
    ce.backward()
    sweep = np.geomspace(0.05, 20, 60)
    entropies = []
    for temp in sweep:
        q = F.softmax(o.detach(), dim=0, temperature=float(temp))
        entropies.append(float(-(q * (q + 1e-12).log()).sum()))
    return {"probs": p.tolist(), "cross_entropy": ce.item(), "grad": o.grad.tolist(), "target": target,
            "temperature": T, "logits": logits, "entropy": float(-(p * (p + 1e-12).log()).sum()),
            "sweep": {"T": sweep.round(4).tolist(), "entropy": entropies, "max": float(np.log(len(logits)))},
            "warnings": w}


LABS = {"perceptron": perceptron_lab, "gradient-descent": gradient_descent_lab, "softmax": softmax_lab}
