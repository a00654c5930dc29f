"""Lab ``chain`` — the chain rule through a nonlinear chain (note 004, Table 2-2; 非线性反向传播).

x -> a = x^2 -> b = ln a -> c = sqrt b.  Which x gives c = 2.13?  Starting from x = 2, the error
Δc = c - y is passed back by dividing by each local derivative (Δb = Δc / (dc/db) = Δc·2√b,
Δa = Δb / (db/da) = Δb·a, Δx = Δa / (da/dx) = Δa / 2x) and x moves by -Δx, until |Δc| < 0.001.
The local derivatives come from autograd.
"""
from __future__ import annotations

import numpy as np

import npgrad
from npgrad import viz

from ._report import Report

#: what the lab teaches, printed first (plain words, the notes' terms beside)
INTRO = """The chain rule (链式法则) through a nonlinear chain x -> a = x² -> b = ln a -> c = √b: the derivative
of the whole chain is the product of each step's derivative. Asked which x gives c = 2.13, we start
from x = 2 and pass the error in c back through the chain, dividing by each local derivative, until
c is within 0.001 of the target. Autograd supplies the local derivatives."""

#: Table 2-2 as printed in the notes: x, a, b, c per iteration and Δc, Δb, Δa, Δx for the first four.
NOTES = {
    "x": [2, 4.243, 7.344, 9.295, 9.665],
    "a": [4, 18.005, 53.934, 86.404, 93.233],
    "b": [1.386, 2.891, 3.988, 4.459, 4.535],
    "c": [1.177, 1.700, 1.997, 2.112, 2.129],
    "dc": [-0.953, -0.430, -0.133, -0.018],
    "db": [-2.243, -1.462, -0.531, -0.078],
    "da": [-8.973, -26.317, -28.662, -6.698],
    "dx": [-2.243, -3.101, -1.951, -0.360],
}


def step(x_value, target):
    """One forward and backward pass at ``x_value``: the row of Table 2-2 (and the graph's tensors)."""
    x = npgrad.tensor(x_value, dtype=npgrad.float64, requires_grad=True)
    a = x ** 2
    b = npgrad.log(a)
    c = npgrad.sqrt(b)
    # local derivatives, each by autograd on one link of the chain
    dc_db = npgrad.autograd.grad(c, b, retain_graph=True)[0].item()
    db_da = npgrad.autograd.grad(b, a, retain_graph=True)[0].item()
    da_dx = npgrad.autograd.grad(a, x, retain_graph=True)[0].item()
    dc = c.item() - target
    db = dc / dc_db
    da = db / db_da
    dx = da / da_dx
    row = dict(x=x_value, a=a.item(), b=b.item(), c=c.item(), dc=dc, db=db, da=da, dx=dx)
    return row, (x, a, b, c)


def run(out_dir=None, quick=False, verbose=True, target=2.13, x0=2.0, tol=1e-3):
    """Reproduce Table 2-2; save the path over the curve c(x). Returns the numbers.

    >>> from npgrad.labs import chain
    >>> round(chain.run(verbose=False)['c_final'], 2)
    2.13
    """
    r = Report("chain: x -> x^2 -> ln -> sqrt — 链式法则 / 非线性反向传播", out_dir, verbose, intro=INTRO)
    rows, x = [], x0
    for _ in range(20):
        row, tensors = step(x, target)
        rows.append(row)
        if len(rows) == 1:
            x_t, a_t, b_t, c_t = tensors
            first_table = viz.explain(c_t, names={"x": x_t, "a": a_t, "b": b_t, "c": c_t})
        if abs(row["dc"]) < tol:
            break
        x = x - row["dx"]
    r.section("iterations (npgrad); the worked table's values are checked below")
    r.table(["iter", "x", "a", "b", "c", "Δc=c-y", "Δb=Δc·2√b", "Δa=Δb·a", "Δx=Δa/2x"],
            [[i + 1] + [f"{row[k]:.3f}" for k in ("x", "a", "b", "c", "dc", "db", "da", "dx")]
             for i, row in enumerate(rows)])
    r.section("the worked table, value by value")
    ok = True
    for key, values in NOTES.items():
        for i, v in enumerate(values):
            if (key, i) == ("x", 4):      # the notes' typo, discussed below
                continue
            ok &= r.compare(f"{key}{i + 1}", v, rows[i][key], tol=max(2e-3, 5e-4 * abs(v)),
                            label=f"{key} at iteration {i + 1}")
    r.record("table_agrees", bool(ok))
    r.record("x_values", [row["x"] for row in rows])
    r.record("iterations", len(rows))
    r.compare("x_final", 9.656, rows[-1]["x"], tol=1e-3, label="x reaching c = 2.13 (within 0.001)")
    r.say("  The worked example prints x = 9.665 at iteration 5, but their own a = x² = 93.233 there gives")
    r.say("  x = sqrt(93.233) = 9.656: two digits are transposed in the table (npgrad: %.4f)." % rows[4]["x"])
    r.compare("c_final", 2.13, rows[-1]["c"], tol=1e-3, label="c at the end")
    r.say("  The rounded values in the worked table come from the same steps; tolerance: 0.002 or 0.05%.")
    r.say("  Dividing the error by the derivative (Newton's step) is what the worked example does here; gradient")
    r.say("  descent would instead multiply by it (see the gradient-descent lab).")
    r.section("the first iteration's backward pass (npgrad.viz.explain)")
    r.say(str(first_table))
    _figure(r, rows, target)
    return r.results


def _figure(r, rows, target):
    from npgrad.viz import new_figure
    fig, ax = new_figure(size=(6, 4))
    xs = np.linspace(1.2, 10, 200)
    ax.plot(xs, np.sqrt(np.log(xs ** 2)), label="c = sqrt(ln(x²))")
    ax.plot(xs, 1 / (xs * np.sqrt(np.log(xs ** 2))), label="dc/dx")
    ax.plot([row["x"] for row in rows], [row["c"] for row in rows], "x", ms=9, label="iterations")
    ax.axhline(target, ls="--", color="gray", lw=0.8, label=f"target {target}")
    ax.set_xlabel("x")
    ax.legend()
    r.figure(fig, "chain")
