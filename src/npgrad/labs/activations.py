"""Lab ``activations`` — activation functions and their derivatives (notes 000 and 002; 激活函数).

step, sign, sigmoid (logistic), tanh, ReLU, Leaky ReLU, ELU and GELU, with derivatives computed by
autograd.  The sigmoid's derivative σ(x)(1 - σ(x)) peaks at 1/4 (x = 0): a chain of sigmoid
layers multiplies factors ≤ 1/4, the root of vanishing gradients (note 002).
"""
from __future__ import annotations

import npgrad
import npgrad.nn.functional as F

from ._report import Report

#: what the lab teaches, printed first (plain words, the notes' terms beside)
INTRO = """An activation function (激活函数) bends a neuron's output; without one, stacked layers collapse into
a single linear map. Gradient training needs its derivative: step and sign have derivative 0 almost
everywhere (nothing to learn from), the sigmoid's is at most 1/4 (so deep sigmoid chains shrink
gradients), ReLU's is 1 for positive inputs. Here autograd computes every derivative."""

FUNCTIONS = {
    "step": lambda x: npgrad.heaviside(x, npgrad.tensor(1.0)),
    "sign": npgrad.sign,
    "sigmoid": npgrad.sigmoid,
    "tanh": npgrad.tanh,
    "ReLU": F.relu,
    "Leaky ReLU (0.1)": lambda x: F.leaky_relu(x, 0.1),
    "ELU": F.elu,
    "GELU": F.gelu,
}


def run(out_dir=None, quick=False, verbose=True):
    """Plot the activations and derivatives; check the notes' values. Returns the numbers.

    >>> from npgrad.labs import activations
    >>> round(activations.run(verbose=False)['sigmoid_grad_max'], 6)
    0.25
    """
    from npgrad import viz
    r = Report("activation functions and their derivatives — 激活函数", out_dir, verbose, intro=INTRO)
    r.section("the worked example: sgn and logistic (sigmoid) on [-5, -1, 0, 1, 5]")
    x = npgrad.tensor([-5.0, -1.0, 0.0, 1.0, 5.0], dtype=npgrad.float64)
    sgn = npgrad.sign(x).tolist()
    logistic = npgrad.sigmoid(x).tolist()
    r.say(f"  sgn:      {sgn}   (expected: [-1. -1.  0.  1.  1.])")
    r.say("  logistic: [" + " ".join(f"{v:.8f}" for v in logistic) + "]")
    r.say("  (expected: [0.00669285 0.26894142 0.5        0.73105858 0.99330715])")
    for xv, v, n in zip(x.tolist(), logistic, [0.00669285, 0.26894142, 0.5, 0.73105858, 0.99330715]):
        r.compare(f"logistic({xv:g})", n, v, tol=5e-9)
    r.record("sgn", sgn)

    r.section("derivatives by autograd, on [-5, 5]")
    fig = viz.plot_activations(FUNCTIONS, x_range=(-5, 5), n=1001, title="activations and derivatives")
    curves = fig.npgrad_curves
    xs, _, dsig = curves["sigmoid"]
    peak = float(dsig.max())
    r.compare("sigmoid_grad_max", 0.25, peak, tol=1e-6, label="max of sigmoid'")
    r.record("sigmoid_grad_argmax", float(xs[dsig.argmax()]))
    r.say(f"  sigmoid' peaks at x = {r.results['sigmoid_grad_argmax']:g}; ten sigmoid layers shrink a gradient")
    r.say(f"  by at least 4^10 = {4 ** 10:,} (before the weights' factors)")
    for name, (_, y, dy) in curves.items():
        r.record(f"grad_range_{name}", (float(dy.min()), float(dy.max())))
    r.table(["activation", "min f'", "max f'"],
            [(n, float(c[2].min()), float(c[2].max())) for n, c in curves.items()])
    r.say("  step and sign have derivative 0 wherever it exists: nothing to learn from, which is why")
    r.say("  gradient training uses smooth activations; ReLU's derivative is 1 for x > 0 (no shrinking).")
    r.figure(fig, "activations")
    return r.results
