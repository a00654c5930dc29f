"""Lab ``graph`` — the computation graph of note 004 (计算图 / 偏导数).

z = x * y with x = 2w + 3b and y = 2b + 1, at w = 3, b = 4: z = 162, dz/dw = 18, dz/db = 63.
Then the notes bring z to the target 150 by moving w alone, b alone, and both, recomputing the
partial derivatives (with autograd) at every step.
"""
from __future__ import annotations

import os

import npgrad
from npgrad import viz

from ._report import Report

#: what the lab teaches, printed first (plain words, the notes' terms beside)
INTRO = """A computation graph (计算图) breaks a formula into simple steps: here z = x·y with x = 2w + 3b and
y = 2b + 1. Going forward gives the value (w = 3, b = 4: z = 162); going backward multiplies the
local derivatives along each path and gives the partial derivatives (偏导数) dz/dw = 18 and dz/db = 63.
They tell how to move w and b to bring z to a target (150)."""


def forward(w, b):
    """The notes' function, written with tensors: returns x, y, z."""
    x = 2 * w + 3 * b
    y = 2 * b + 1
    return x, y, x * y


def partials(w, b):
    """z and (dz/dw, dz/db) at the point (w, b), by autograd."""
    w = npgrad.tensor(float(w), dtype=npgrad.float64, requires_grad=True)
    b = npgrad.tensor(float(b), dtype=npgrad.float64, requires_grad=True)
    _, _, z = forward(w, b)
    dw, db = npgrad.autograd.grad(z, [w, b])
    return z.item(), dw.item(), db.item()


def solve(w, b, target=150.0, move=("w",), tol=1e-5, max_steps=50):
    """Move ``w``/``b`` by dz / (dz/dparam), the error split evenly among the moved ones, until |z - target| < tol.

    Returns the list of (w, b, z) visited, the starting point first.
    """
    path = []
    for _ in range(max_steps):
        z, dw, db = partials(w, b)
        path.append((w, b, z))
        dz = z - target
        if abs(dz) < tol:
            break
        share = dz / len(move)
        if "w" in move:
            w = w - share / dw
        if "b" in move:
            b = b - share / db
    return path


def run(out_dir=None, quick=False, verbose=True):
    """Reproduce note 004's numbers; save the drawn graph. Returns the numbers.

    >>> from npgrad.labs import graph
    >>> graph.run(verbose=False)['dz_db']
    63.0
    """
    r = Report("graph: z = x*y, x = 2w+3b, y = 2b+1 — 计算图", out_dir, verbose, intro=INTRO)
    w = npgrad.tensor(3.0, requires_grad=True)
    b = npgrad.tensor(4.0, requires_grad=True)
    x, y, z = forward(w, b)
    names = {"z": z, "x": x, "y": y, "w": w, "b": b}
    table = viz.explain(z, names=names)
    dot = viz.draw_graph(z, names=names)      # before backward() frees the graph's saved values
    z.backward()
    r.section("forward and backward at w=3, b=4")
    r.compare("x", 18, x.item())
    r.compare("y", 9, y.item())
    r.compare("z", 162, z.item())
    r.compare("dz_dw", 18, w.grad.item(), label="dz/dw = dz/dx * dx/dw = y*2")
    r.compare("dz_db", 63, b.grad.item(), label="dz/db = y*3 + x*2")
    r.say("")
    r.say("the backward pass, node by node (npgrad.viz.explain):")
    r.say(str(table))

    r.section("bring z from 162 to 150")
    paths = {"w": solve(3.0, 4.0, move=("w",)), "b": solve(3.0, 4.0, move=("b",)),
             "w+b": solve(3.0, 4.0, move=("w", "b"))}
    notes_first = {"w": (2.3333, 4.0, 150.0003), "b": (3.0, 3.8095, 150.2162), "w+b": (2.667, 3.905, 150.2)}
    for name, path in paths.items():
        r.say(f"  moving {name}:")
        r.table(["step", "w", "b", "z"], [(i, p[0], p[1], p[2]) for i, p in enumerate(path)])
        nw, nb, nz = notes_first[name]
        w1, b1, z1 = path[1]
        r.compare(f"first_step_{name}_z", nz, z1, tol=5e-3 if name != "w+b" else 0.05,
                  label=f"z after one step moving {name}")
        r.record(f"steps_{name}", len(path) - 1)
        r.record(f"path_{name}", path)
    r.say("  The worked example prints z = 150.0003 after the single w step because they round x to 16.6667;")
    r.say("  z is linear in w, so the exact step lands on 150 (npgrad: %.6f)." % paths["w"][1][2])
    r.say("  Likewise 150.2162 (b alone) and 150.2 (both) come from the worked example's rounded steps")
    r.say("  (b = 3.8095, w = 2.667, b = 3.905); unrounded, one step gives %.4f and %.4f."
          % (paths["b"][1][2], paths["w+b"][1][2]))
    r.say("  Moving b (z is quadratic in b) needs a few more steps, as expected: the partial")
    r.say("  derivatives change as b moves, so they are recomputed every iteration.")

    r.record("dot", dot)
    if r.out_dir is not None:
        path = os.path.join(r.out_dir, "graph.png")
        viz.render(dot, path)
        r.results["figures"].append(path)
        r.say(f"  figure: {path}")
    return r.results
