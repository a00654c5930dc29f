"""Lab ``autodiff`` — numerical vs forward vs reverse differentiation (note 001; 自动求导 / 正向累计与反向累计).

The same gradient of f: Rⁿ -> R three ways:
* central differences: 2n evaluations of f, and only approximate;
* forward accumulation (``npgrad.autograd.forward_ad``): one pass per input direction, n passes;
* reverse accumulation (``backward``): one forward and one backward pass, whatever n is — at the
  price of keeping the intermediate results in memory, as the notes point out.
"""
from __future__ import annotations

import time

import numpy as np

import npgrad
import npgrad.autograd.forward_ad as fwAD

from ._report import Report

#: what the lab teaches, printed first (plain words, the notes' terms beside)
INTRO = """Three ways to get a gradient (自动求导): numerical differentiation (central differences, 2n function
evaluations, only approximate); forward-mode accumulation (正向累计, one pass per input, n passes);
reverse-mode accumulation (反向累计, backpropagation: one forward and one backward pass however many
inputs there are, at the price of keeping intermediate results in memory)."""


def f(x):
    """A scalar function of a vector, with some coupling between the inputs."""
    return npgrad.log(1 + (x ** 2).sum()) + (npgrad.sin(x) * x).sum()


def numerical(x_np):
    calls = [0]

    def counted(a):
        calls[0] += 1
        return f(npgrad.from_numpy(a)).item()
    g = npgrad.autograd.numerical_gradient(counted, x_np.copy(), h=1e-6)
    return np.asarray(g), calls[0]


def forward_mode(x_np):
    x = npgrad.from_numpy(x_np)
    grad = np.empty_like(x_np)
    eye = np.eye(len(x_np), dtype=x_np.dtype)
    with fwAD.dual_level():
        for i in range(len(x_np)):       # one forward pass per input direction e_i
            y = f(fwAD.make_dual(x, npgrad.from_numpy(eye[i])))
            grad[i] = fwAD.unpack_dual(y).tangent.item()
    return grad, len(x_np)


def reverse_mode(x_np):
    x = npgrad.tensor(x_np, requires_grad=True)
    f(x).backward()                      # one forward, one backward pass
    return x.grad.numpy(), 1


def _timed(fn, x):
    t0 = time.perf_counter()
    g, passes = fn(x)
    return g, passes, time.perf_counter() - t0


def run(out_dir=None, quick=False, verbose=True, sizes=None):
    """Compare the three methods as n grows. Returns agreement, pass counts and timings.

    >>> from npgrad.labs import autodiff
    >>> autodiff.run(verbose=False, sizes=[3])['stats'][0]['passes_forward']
    3
    """
    r = Report("autodiff: numerical vs forward vs reverse accumulation — 自动求导", out_dir, verbose, intro=INTRO)
    r.section("a first example: y = dot(x, x) = x·x with x = arange(4.)")
    x = npgrad.arange(4.0, requires_grad=True)
    y = npgrad.dot(x, x)
    y.backward()
    r.say(f"  x.grad = {x.grad.tolist()} (= 2x)")
    r.record("dot_grad", x.grad.tolist())
    npgrad.dot(x, x).backward()
    r.say(f"  after a second backward without zeroing: {x.grad.tolist()} (gradients accumulate)")
    r.record("accumulated_grad", x.grad.tolist())
    x.grad.zero_()
    r.say(f"  after x.grad.zero_(): {x.grad.tolist()}")

    r.section("the gradient of f(x) = ln(1 + |x|²) + Σ x sin x, three ways")
    sizes = sizes or ([1, 10, 100] if quick else [1, 10, 100, 1000])
    rng = np.random.default_rng(0)
    rows, stats = [], []
    for n in sizes:
        x_np = rng.standard_normal(n)
        gr, pr, tr = _timed(reverse_mode, x_np)
        gf, pf, tf = _timed(forward_mode, x_np)
        gn, pn, tn = _timed(numerical, x_np)
        d_fwd = float(np.abs(gf - gr).max())
        d_num = float(np.abs(gn - gr).max())
        stats.append(dict(n=n, passes_numerical=pn, passes_forward=pf, passes_reverse=pr,
                          diff_forward=d_fwd, diff_numerical=d_num, t_numerical=tn, t_forward=tf, t_reverse=tr))
        rows.append((n, pn, pf, pr, f"{d_fwd:.1e}", f"{d_num:.1e}",
                     f"{tn * 1e3:.1f}", f"{tf * 1e3:.1f}", f"{tr * 1e3:.2f}"))
    r.table(["n", "f evals (num)", "passes (fwd)", "passes (rev)", "|fwd - rev|",
             "|num - rev|", "ms num", "ms fwd", "ms rev"], rows)
    r.record("stats", stats)
    r.say("  forward mode is exact like reverse mode but costs one pass per input; numerical")
    r.say("  differences cost two evaluations per input and carry truncation/rounding error.")
    r.say("  With millions of parameters and one loss, reverse mode (backpropagation) wins.")
    _figure(r, stats)
    return r.results


def _figure(r, stats):
    from npgrad import viz
    fig, ax = viz.new_figure(size=(6, 4))
    ns = [s["n"] for s in stats]
    for key, label in (("t_numerical", "numerical (2n evaluations)"), ("t_forward", "forward mode (n passes)"),
                       ("t_reverse", "reverse mode (1 backward)")):
        ax.loglog(ns, [max(s[key], 1e-6) for s in stats], "o-", label=label)
    ax.set_xlabel("number of inputs n")
    ax.set_ylabel("seconds for the full gradient")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    r.figure(fig, "cost")
