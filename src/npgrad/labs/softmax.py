"""Lab ``softmax`` — softmax, temperature, one-hot targets and cross-entropy (notes 002 and 003;
SoftMax回归 / 温度 / 独热编码 / 交叉熵).

Note 003's examples: with the one-hot target for "2", predicting 0.6 for "2" costs 0.5108 and
predicting 0.1 costs 2.3026.  Temperature T divides the logits: T > 1 flattens, T < 1 sharpens.
Cross-entropy keeps a strong gradient where a softmax + MSE classifier saturates.
"""
from __future__ import annotations

import numpy as np

import npgrad
import npgrad.nn.functional as F
from npgrad import nn
from npgrad.datasets import load_digits

from ._report import Report

#: what the lab teaches, printed first (plain words, the notes' terms beside)
INTRO = """Softmax turns a network's scores into probabilities; dividing the scores by a temperature T (温度)
first makes them flatter (T > 1) or sharper (T < 1). A one-hot target (独热编码) marks the true class
with 1; cross-entropy (交叉熵) is -ln of the probability given to that class: 0.6 costs 0.5108,
0.1 costs 2.3026. It keeps a strong gradient where softmax with squared error saturates."""

T_ONE_HOT = 2
Y_GOOD = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]
Y_BAD = [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0]


def cross_entropy_error(y, t, delta=1e-7):
    """Note 003's formula E = -Σ t_k ln(y_k + δ), δ keeping ln away from ln 0."""
    return -(t * npgrad.log(y + delta)).sum()


def run(out_dir=None, quick=False, verbose=True):
    """Reproduce the cross-entropy examples; show temperature and CE vs MSE. Returns the numbers.

    >>> from npgrad.labs import softmax
    >>> round(softmax.run(quick=True, verbose=False)['ce_bad'], 4)
    2.3026
    """
    r = Report("softmax, temperature, one-hot, cross-entropy — SoftMax回归 / 交叉熵", out_dir, verbose, intro=INTRO)
    r.section("cross-entropy with a one-hot target (the image shows a 2)")
    t = F.one_hot(npgrad.tensor(T_ONE_HOT), 10).float()
    r.say(f"  one-hot target t = {t.int().tolist()}")
    good = cross_entropy_error(npgrad.tensor(Y_GOOD), t).item()
    bad = cross_entropy_error(npgrad.tensor(Y_BAD, dtype=npgrad.float64), t.double()).item()
    r.compare("ce_good", 0.5108, good, label="E when y[2] = 0.6")
    r.compare("ce_bad", 2.3026, bad, label="E when y[2] = 0.1")
    exact = F.nll_loss(npgrad.log(npgrad.tensor([Y_BAD], dtype=npgrad.float64)), npgrad.tensor([T_ONE_HOT])).item()
    r.say(f"  the worked example prints 2.3025840929945458 because of δ = 1e-7; -ln 0.1 = {exact:.10f} (F.nll_loss)")
    r.record("ce_bad_exact", exact)
    r.compare("ce_note002", "0.2231", F.nll_loss(npgrad.log(npgrad.tensor([[0.1, 0.8, 0.1]])),
                                                     npgrad.tensor([1])).item(),
              label="prediction [0.1, 0.8, 0.1], truth [0, 1, 0] -> -log 0.8")

    r.section("temperature: softmax(o / T)")
    o = npgrad.tensor([2.0, 1.0, 0.1])
    temps = [0.5, 1.0, 2.0, 5.0]
    probs = {}
    for T in temps:
        p = F.softmax(o, dim=0, temperature=T)
        assert npgrad.allclose(p, F.softmax(o / T, dim=0))
        probs[T] = p.tolist()
        ent = -(p * p.log()).sum().item()
        r.record(f"entropy_T{T:g}", ent)
        ent = -(p * p.log()).sum().item()
        r.say(f"  T = {T}: p = [{', '.join(f'{v:.3f}' for v in probs[T])}], entropy {ent:.3f}, "
              f"argmax {int(p.argmax())}")
    r.record("temperature_probs", probs)
    r.say("  higher T flattens towards uniform (more 'creative' sampling), lower T sharpens; the")
    r.say("  argmax, the predicted class, never changes.")

    r.section("why cross-entropy: the gradient on a confidently wrong prediction")
    logits = npgrad.tensor([[0.0, 8.0, 0.0]], requires_grad=True)
    target = npgrad.tensor([0])
    g_ce = npgrad.autograd.grad(F.cross_entropy(logits, target), logits)[0]
    g_mse = npgrad.autograd.grad(F.mse_loss(F.softmax(logits, dim=1), F.one_hot(target, 3).float()), logits)[0]
    r.say(f"  logits (0, 8, 0), truth class 0: |dCE/dlogits| = {g_ce.norm().item():.4f}, "
          f"|dMSE(softmax)/dlogits| = {g_mse.norm().item():.5f}")
    r.record("grad_norm_ce", g_ce.norm().item())
    r.record("grad_norm_mse", g_mse.norm().item())
    curves = _train_both(r, epochs=40 if quick else 150)
    _figures(r, temps, probs, curves)
    return r.results


def _train_both(r, epochs, lr=0.5):
    """Softmax regression on the digits, full batch, with cross-entropy and with MSE on probabilities."""
    X, y = load_digits(flatten=True)
    onehot = F.one_hot(y, 10).float()
    curves = {}
    for name in ("cross-entropy", "MSE"):
        npgrad.manual_seed(0)
        model = nn.Linear(64, 10)
        opt = npgrad.optim.SGD(model.parameters(), lr=lr)
        accs = []
        for _ in range(epochs):
            logits = model(X)
            if name == "cross-entropy":
                loss = F.cross_entropy(logits, y)
            else:
                loss = F.mse_loss(F.softmax(logits, dim=1), onehot)
            opt.zero_grad()
            loss.backward()
            opt.step()
            accs.append((logits.argmax(1) == y).float().mean().item())
        curves[name] = accs
        r.say(f"  {name}: training accuracy after {epochs} full-batch steps (lr {lr}): {accs[-1]:.3f}")
    r.record("acc_ce", curves["cross-entropy"][-1])
    r.record("acc_mse", curves["MSE"][-1])
    return curves


def _figures(r, temps, probs, curves):
    from npgrad import viz
    fig, (a1, a2) = viz.new_figure(ncols=2)
    width = 0.8 / len(temps)
    for i, T in enumerate(temps):
        a1.bar(np.arange(3) + i * width, probs[T], width, label=f"T = {T}")
    a1.set_xticks(np.arange(3) + 0.4 - width / 2, ["o=2.0", "o=1.0", "o=0.1"])
    a1.set_title("softmax(o / T)")
    a1.legend()
    for name, accs in curves.items():
        a2.plot(np.arange(1, len(accs) + 1), accs, label=name)
    a2.set_xlabel("full-batch step")
    a2.set_ylabel("training accuracy (digits)")
    a2.set_title("cross-entropy vs MSE")
    a2.legend()
    r.figure(fig, "softmax")
