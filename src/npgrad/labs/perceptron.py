"""Lab ``perceptron`` — Rosenblatt's perceptron and its convergence theorem (note 000; 感知器 / 感知器收敛定理).

Data: the linearly separable two-moons variant of the notes (1,000 points, noise 0.1, seed 123,
one moon shifted up by 1), labels y in {-1, +1}.  Rule, for each misclassified point
(y (w·x + b) <= 0): w <- w + η y x, b <- b + η y.  Repeat epochs until an epoch makes no mistake.
Novikoff's theorem: with R = max |(x, 1)| and γ the margin of any separating unit vector, the
number of mistakes is at most (R/γ)².
"""
from __future__ import annotations

import numpy as np

import npgrad
from npgrad.datasets import make_moons

from ._report import Report

#: what the lab teaches, printed first (plain words, the notes' terms beside)
INTRO = """The perceptron (感知器) learns a neuron's weights from examples: whenever it misclassifies a point
(y (w·x + b) <= 0), it moves the line towards that point: w <- w + η y x, b <- b + η y. If some
line separates the two classes, the convergence theorem (感知器收敛定理) says this stops after at
most (R/γ)² mistakes, where R is the largest input length and γ the widest margin of a separating line."""


def perceptron(X, y, eta=0.1, max_epochs=1000):
    """Train by Rosenblatt's rule, one sample at a time in data order.

    Returns (w, b, history) with one dict per epoch: mistakes made and MSE of the predictions.
    """
    w = npgrad.zeros(X.shape[1], dtype=X.dtype)
    b = npgrad.zeros((), dtype=X.dtype)
    history = []
    xs, ys = X.unbind(0), y.tolist()
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for xi, yi in zip(xs, ys):          # the rule is sequential: each update changes the next test
            if yi * ((w * xi).sum() + b).item() <= 0:
                w += eta * yi * xi
                b += eta * yi
                mistakes += 1
        pred = predict(X, w, b)
        history.append(dict(epoch=epoch, mistakes=mistakes, train_errors=int((pred != y).sum()),
                            mse=float(((pred - y) ** 2).mean())))
        if mistakes == 0:
            break
    return w, b, history


def predict(X, w, b):
    """sign(w·x + b), with 0 counted as +1."""
    return npgrad.where(X @ w + b >= 0, 1.0, -1.0)


def margin(X, y, w, b):
    """The geometric margin of the hyperplane (w, b) in the augmented space: min y (w·x + b) / |(w, b)|."""
    norm = npgrad.sqrt((w ** 2).sum() + b ** 2)
    return ((y * (X @ w + b)).min() / norm).item()


def max_margin(X, y, steps=1500, C=100.0):
    """A wide-margin separator: soft-margin SVM on (x, 1) trained by gradient descent (Adam)."""
    npgrad.manual_seed(0)
    wb = npgrad.zeros(X.shape[1] + 1, requires_grad=True)
    Xa = npgrad.cat([X, npgrad.ones(len(X), 1)], dim=1)
    opt = npgrad.optim.Adam([wb], lr=0.05)
    for _ in range(steps):
        loss = 0.5 * (wb ** 2).sum() + C * npgrad.relu(1 - y * (Xa @ wb)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    wb = wb.detach()
    return wb[:-1], wb[-1]


def run(out_dir=None, quick=False, verbose=True, eta=0.1):
    """Train the perceptron on the separable moons; check the convergence theorem. Returns the numbers.

    >>> from npgrad.labs import perceptron
    >>> perceptron.run(quick=True, verbose=False)['train_errors']
    0
    """
    r = Report("perceptron: Rosenblatt's rule on linearly separable moons — 感知器", out_dir, verbose, intro=INTRO)
    X, y01 = make_moons(1000, noise=0.1, random_state=123, shift=1.0)
    y = (2 * y01 - 1).float()
    w, b, history = perceptron(X, y, eta=eta)
    r.section(f"training (η = {eta}, w and b start at 0)")
    r.table(["epoch", "mistakes (updates)", "training errors after", "MSE"],
            [(h["epoch"], h["mistakes"], h["train_errors"], h["mse"]) for h in history])
    total = sum(h["mistakes"] for h in history)
    r.record("epochs", len(history))
    r.record("mistakes", total)
    r.record("train_errors", history[-1]["train_errors"])
    r.record("mse", history[-1]["mse"])
    r.record("history", history)
    r.say(f"  converged after {len(history)} epochs ({len(history) - 1} with updates, one clean pass to "
          f"confirm), {total} updates in all; training errors {history[-1]['train_errors']}, MSE "
          f"{history[-1]['mse']:g}")
    r.say(f"  decision line: {w[0].item():.4f} x1 + {w[1].item():.4f} x2 + {b.item():.4f} = 0")

    r.section("the convergence theorem: mistakes <= (R/γ)²")
    R = npgrad.sqrt((X ** 2).sum(1) + 1).max().item()
    gamma_p = margin(X, y, w, b)
    ws, bs = max_margin(X, y, steps=600 if quick else 1500)
    gamma_s = margin(X, y, ws, bs)
    gamma = max(gamma_p, gamma_s)
    bound = (R / gamma) ** 2
    r.say(f"  R = max |(x, 1)| = {R:.4f}")
    r.say(f"  γ of the perceptron's own line = {gamma_p:.5f}")
    r.say(f"  γ of a wider-margin line (soft-margin SVM trained by Adam) = {gamma_s:.5f}")
    r.say(f"  bound (R/γ)² = {bound:.1f} >= actual mistakes {total}: {total <= bound}")
    r.record("R", R)
    r.record("gamma", gamma)
    r.record("bound", bound)
    r.say("  (Textbook code often trains with labels 0/1 and update η (y - sign(w·x)): with y = 0 it")
    r.say("  pushes every class-0 point by -η·sign(w·x) even when it is classified correctly; the")
    r.say("  rule above is the theorem's, with labels ±1.)")
    _figures(r, X, y01, w, b, history)
    return r.results


def _figures(r, X, y01, w, b, history):
    from npgrad import viz
    fig, (a1, a2) = viz.new_figure(ncols=2)
    viz.plot_decision_boundary(lambda t: t @ w + b, X, y01, ax=a1, title="perceptron on shifted moons")
    xs = np.linspace(float(X[:, 0].min()) - 0.5, float(X[:, 0].max()) + 0.5, 2)
    a1.plot(xs, -(w[0].item() * xs + b.item()) / w[1].item(), "r-", lw=2, label="w·x + b = 0")
    a1.legend(loc="lower right")
    a2.plot([h["epoch"] for h in history], [h["mistakes"] for h in history], "o-")
    viz.integer_ticks(a2, "x")
    viz.integer_ticks(a2, "y")
    a2.set_xlabel("epoch")
    a2.set_ylabel("mistakes in the epoch")
    a2.set_title("errors per epoch")
    r.figure(fig, "perceptron")
