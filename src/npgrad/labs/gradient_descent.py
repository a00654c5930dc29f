"""Lab ``gradient-descent`` — gradient descent and the learning rate (note 004; 梯度下降 / 学习率).

θ ← θ - η ∇J(θ), with ∇J from autograd:
* J(x) = x² from x = 1.2 with η = 0.3;
* J(x, y) = x² + sin²(y) from (3, 1) with η = 0.1 until J < 0.01 (Table 2-3: J = 0.009711);
* Table 2-5: η = 1.0 bounces on one level forever, 0.8 zig-zags, 0.4 is there in about 4 steps,
  0.1 is slow.
"""
from __future__ import annotations

import numpy as np

import npgrad

from ._report import Report

#: what the lab teaches, printed first (plain words, the notes' terms beside)
INTRO = """Gradient descent (梯度下降) walks downhill: θ <- θ - η ∇J(θ), where the gradient ∇J points uphill and
the learning rate η (学习率) sets the step. We minimise J(x) = x² and J(x, y) = x² + sin²(y) and
compare learning rates: too small crawls, a good one arrives in a few steps, too large zig-zags or
bounces forever without descending."""


def descend(J, start, lr, stop_below=None, max_steps=100):
    """Run gradient descent on ``J`` (a function of one tensor); return the points and J values visited."""
    theta = npgrad.tensor(start, dtype=npgrad.float64, requires_grad=True)
    points, values = [], []
    for _ in range(max_steps + 1):
        loss = J(theta)
        points.append(theta.detach().numpy().copy())
        values.append(loss.item())
        if stop_below is not None and values[-1] < stop_below or len(points) > max_steps:
            break
        loss.backward()
        with npgrad.no_grad():
            theta -= lr * theta.grad       # the update rule, in place on the leaf
        theta.grad.zero_()
    return np.array(points), np.array(values)


def J1(x):
    return (x ** 2).sum()


def J2(theta):
    return theta[0] ** 2 + npgrad.sin(theta[1]) ** 2


def J2_numpy(x, y):
    return x ** 2 + np.sin(y) ** 2


def run(out_dir=None, quick=False, verbose=True):
    """Reproduce note 004's gradient-descent numbers and figures. Returns the numbers.

    >>> from npgrad.labs import gradient_descent
    >>> round(gradient_descent.run(verbose=False)['J_final'], 6)
    0.009711
    """
    r = Report("gradient descent and the learning rate — 梯度下降 / 学习率", out_dir, verbose, intro=INTRO)
    r.section("J(x) = x², x0 = 1.2, η = 0.3")
    xs, js = descend(J1, [1.2], 0.3, stop_below=0.01)
    r.table(["update", "x", "J"], [(i, p[0], j) for i, (p, j) in enumerate(zip(xs, js))])
    r.record("single_updates", len(js) - 1)
    r.record("single_path", xs[:, 0].tolist())
    r.say("  x shrinks by (1 - 2η) = 0.4 per step; J < 0.01 after %d updates (the textbook code stops at" % (len(js) - 1))
    xs3, js3 = descend(J1, [1.2], 0.3, stop_below=1e-3)
    r.say("  its own error 1e-3, reached after %d updates)." % (len(js3) - 1))

    r.section("J(x, y) = x² + sin²(y), (x0, y0) = (3, 1), η = 0.1 until J < 0.01")
    pts, js = descend(J2, [3.0, 1.0], 0.1, stop_below=0.01)
    r.table(["update", "x", "y", "J(x,y)"], [(i, p[0], p[1], j) for i, (p, j) in enumerate(zip(pts, js))])
    r.compare("J_start", 9.708073, js[0], label="J at the start")
    r.compare("x_1", 2.4, pts[1][0], label="x after one update")
    r.compare("y_1", 0.909070, pts[1][1], label="y after one update")
    r.compare("x_final", 0.084442, pts[-1][0], label="x when J < 0.01")
    r.compare("y_final", 0.050819, pts[-1][1], label="y when J < 0.01")
    r.compare("J_final", 0.009711, js[-1], label="J when J < 0.01")
    r.compare("updates", 16, len(js) - 1, label="updates needed")
    r.say("  The worked table numbers its rows from 1 for the start, so its row 16 would be 15 updates; but")
    r.say("  x = 3·0.8ⁿ gives 0.084442 only for n = 16 (n = 15 gives %.6f, its row 15): the '...'"
          % (3 * 0.8 ** 15))
    r.say("  hides a skipped count. The math is unambiguous: J < 0.01 first after 16 updates.")
    r.record("path2d", pts.tolist())

    r.section("the learning rate compared, on J(x) = x² from 1.2")
    rates = {}
    for lr in (1.0, 0.8, 0.4, 0.1):
        p, j = descend(J1, [1.2], lr, max_steps=10)
        x = p[:, 0]
        kind, text = _behaviour(x, j)
        rates[lr] = dict(x=x.tolist(), J=j.tolist(), kind=kind, behaviour=text)
        r.say(f"  η = {lr}: {rates[lr]['behaviour']}; x = " + ", ".join(f"{v:.3g}" for v in x[:6]) + ", ...")
    r.record("rates", rates)
    r.say("  expected: 1.0 jumps along a horizontal line and never descends; 0.8 jumps left and right;")
    r.say("  0.4 descends from one side and is about there after 4 steps; 0.1 is still far after 10.")
    _figures(r, pts, rates)
    return r.results


def _behaviour(x, j):
    """Name what a run did: the categories of Table 2-5."""
    flips = np.all(np.sign(x[1:]) != np.sign(x[:-1]))
    if np.allclose(j, j[0]):
        return "oscillates", "oscillates without descending (J stays %.3g)" % j[0]
    if flips:
        return "zigzag", "zig-zags across the minimum while descending"
    if j[4] < 1e-4:
        return "fast", "converges from one side in about 4 steps (J after 4: %.2g)" % j[4]
    return "slow", "descends slowly (J after 10 steps: %.3g)" % j[10]


def _figures(r, pts, rates):
    from npgrad import viz
    fig = viz.plot_contour_path(J2_numpy, {"η = 0.1": pts}, xlim=(-3.2, 3.2), ylim=(-3, 3),
                                title="J = x² + sin²(y): gradient descent path")
    r.figure(fig, "contour_path")
    fig = viz.plot_surface_path(J2_numpy, pts, xlim=(-3, 3), ylim=(-3, 3), title="J = x² + sin²(y)")
    r.figure(fig, "surface_path")
    fig, axes = viz.new_figure(ncols=4, size=(3.2, 3))
    grid = np.linspace(-1.3, 1.3, 100)
    for ax, (lr, res) in zip(axes, rates.items()):
        ax.plot(grid, grid ** 2, color="gray")
        ax.plot(res["x"], res["J"], "o-", ms=3, color="C3")
        ax.set_title(f"η = {lr}")
    r.figure(fig, "learning_rates")
