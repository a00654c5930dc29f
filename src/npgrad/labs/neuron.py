"""Lab ``neuron`` — the M-P neuron and the XOR network (note 000, questions 2-9; M-P神经元模型 / 异或问题).

An M-P neuron outputs step(w·x + b).  One neuron draws one line, so it cannot compute XOR; the
notes' 3-layer network (hidden weights (1, -1) and (-1, 1), output weights (1, 1), every unit with
threshold 0.5) can.
"""
from __future__ import annotations

import numpy as np

import npgrad

from ._report import Report

#: what the lab teaches, printed first (plain words, the notes' terms beside)
INTRO = """An artificial neuron (M-P neuron, M-P神经元) adds up its weighted inputs and fires (outputs 1)
when the sum passes a threshold: y = step(w·x + b). One neuron draws one straight line through the
input plane, so it can compute AND and OR but not XOR (异或), whose two classes no line separates.
Two layers of such neurons can: the hidden neurons draw two lines, the output neuron combines them."""

POINTS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR = [0, 1, 1, 0]


def step(z):
    """The M-P activation of the XOR section: 1 when z >= 0, else 0."""
    return npgrad.heaviside(z, npgrad.tensor(1.0))


def sign_neuron(x, w, b):
    """The M-P neuron of question (2): +1 when w·x + b >= 0, else -1."""
    return 2 * step(x @ w + b) - 1


def xor_network(x, threshold=0.5):
    """The notes' 3-layer network on a batch of points (N, 2) -> (N,) outputs in {0, 1}."""
    w_hidden = npgrad.tensor([[1.0, -1.0], [-1.0, 1.0]])     # columns: left and right hidden unit
    w_out = npgrad.tensor([1.0, 1.0])
    h = step(x @ w_hidden - threshold)
    return step(h @ w_out - threshold)


def best_line(x, y, n_angles=360, n_offsets=161):
    """Try every line cos(t) x1 + sin(t) x2 = c on a grid: the best accuracy one neuron can reach."""
    t = npgrad.linspace(0, 2 * np.pi, n_angles + 1)[:-1]
    w = npgrad.stack([npgrad.cos(t), npgrad.sin(t)])          # (2, A)
    c = npgrad.linspace(-2, 2, n_offsets)                      # (C,)
    pred = step((x @ w).unsqueeze(-1) - c)                     # (N, A, C)
    acc = (pred == y.reshape(-1, 1, 1)).float().mean(0)        # (A, C)
    margin = ((x @ w).unsqueeze(-1) - c).abs().amin(0)         # distance of the nearest point
    best = int((acc * 10 + margin).argmax())                   # most accurate, then widest margin
    ia, ic = divmod(best, n_offsets)
    return acc.reshape(-1)[best].item(), (w[:, ia].numpy(), c[ic].item())


def run(out_dir=None, quick=False, verbose=True):
    """Evaluate the M-P neuron, the XOR network and the best single line. Returns the numbers.

    >>> from npgrad.labs import neuron
    >>> neuron.run(verbose=False)['xor_outputs']
    [0, 1, 1, 0]
    """
    r = Report("neuron: M-P neuron and the XOR network — M-P神经元 / 异或问题", out_dir, verbose, intro=INTRO)
    x = npgrad.tensor(POINTS)
    y = npgrad.tensor(XOR, dtype=npgrad.float32)

    r.section("an M-P neuron is one line: AND and OR (w = (1, 1), b = -1.5 or -0.5), outputs ±1")
    w = npgrad.tensor([1.0, 1.0])
    and_out = sign_neuron(x, w, -1.5)
    or_out = sign_neuron(x, w, -0.5)
    r.table(["x1", "x2", "AND", "OR"], [(int(p[0]), int(p[1]), int(a), int(o))
                                        for p, a, o in zip(POINTS, and_out.tolist(), or_out.tolist())])
    r.record("and", and_out.tolist())
    r.record("or", or_out.tolist())

    r.section("a two-layer network of M-P neurons computes XOR on the four points")
    out = xor_network(x)
    hidden = step(x @ npgrad.tensor([[1.0, -1.0], [-1.0, 1.0]]) - 0.5)
    r.table(["x1", "x2", "left", "right", "output", "XOR"],
            [(int(p[0]), int(p[1]), int(h[0]), int(h[1]), int(o), t)
             for p, h, o, t in zip(POINTS, hidden.tolist(), out.tolist(), XOR)])
    r.record("xor_outputs", [int(v) for v in out.tolist()])
    r.record("xor_correct", out.tolist() == [float(v) for v in XOR])
    literal = xor_network(x, threshold=0.0)
    r.record("notes_literal_outputs", [int(v) for v in literal.tolist()])
    r.say("  The textbook's hand computation leaves the thresholds out and then needs f(0) = 0 and")
    r.say("  f(2) = 0, which contradicts their own sgn (1 for x >= 0). Taken literally (threshold 0)")
    r.say("  the network outputs %s for (0,0), (0,1), (1,0), (1,1); with the figure's thresholds"
          % r.results["notes_literal_outputs"])
    r.say("  of 0.5 it outputs %s = XOR." % r.results["xor_outputs"])

    r.section("one neuron cannot do it: the best of every line on a fine grid")
    acc, (wb, c) = best_line(x, y)
    r.record("best_linear_accuracy", acc)
    r.say(f"  best single-line accuracy on XOR: {acc:.2f} (3 of 4 points at most; the network: 4 of 4)")
    _figures(r, wb, c)
    return r.results


def _figures(r, wb, c):
    from npgrad import viz
    fig, (a1, a2) = viz.new_figure(ncols=2)
    pts, labels = np.array(POINTS), np.array(XOR)
    viz.plot_decision_boundary(lambda t: xor_network(t), pts, labels, ax=a1, padding=0.5, threshold=0.5,
                               title="3-layer network: XOR solved")
    viz.plot_decision_boundary(lambda t: step(t @ npgrad.tensor(wb.astype(np.float32)) - c), pts, labels,
                               ax=a2, padding=0.5, threshold=0.5, title="best single neuron: 3 of 4")
    r.figure(fig, "xor")
