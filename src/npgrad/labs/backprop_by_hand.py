"""Lab ``backprop-by-hand`` — the 9-parameter network of note 000, questions 13 and 20 (反向传播 / 手撕求导).

A 2-2-1 network with ReLU hidden units, x = (1, 2), target 2:
    z1 = w11 x1 + w12 x2 + b11,  a1 = relu(z1)
    z2 = w21 x1 + w22 x2 + b12,  a2 = relu(z2)
    y  = w1 a1 + w2 a2 + b21,    L = (y - Y)² / 2
Prediction 5, loss 4.5; every partial derivative by the chain rule next to autograd's; one update
with learning rate 0.01 takes w11 from 1 to 0.97.
"""
from __future__ import annotations

import npgrad
from npgrad import viz

from ._report import Report

#: what the lab teaches, printed first (plain words, the notes' terms beside)
INTRO = """Backpropagation (反向传播) computes how the loss changes with every weight, by the chain rule, from
the output back to the inputs. This lab works it through by hand for a tiny network (2 inputs,
2 ReLU hidden units, 1 output; 9 parameters): input x = (1, 2), target 2, prediction 5, loss
(5 - 2)²/2 = 4.5. Each partial derivative by hand is set next to autograd's, then one gradient step."""

#: the notes' starting values
INIT = dict(w11=1.0, w12=1.0, w21=1.0, w22=-1.0, w1=1.0, w2=-1.0, b11=1.0, b12=1.0, b21=1.0)
X1, X2, TARGET, LR = 1.0, 2.0, 2.0, 0.01


def forward(p, x1=X1, x2=X2):
    """The network on one input; ``p`` maps names to scalar tensors. Returns the intermediates too."""
    z1 = p["w11"] * x1 + p["w12"] * x2 + p["b11"]
    a1 = npgrad.relu(z1)
    z2 = p["w21"] * x1 + p["w22"] * x2 + p["b12"]
    a2 = npgrad.relu(z2)
    y = p["w1"] * a1 + p["w2"] * a2 + p["b21"]
    return dict(z1=z1, a1=a1, z2=z2, a2=a2, y=y)


def by_hand(v, x1=X1, x2=X2, target=TARGET):
    """The chain rule written out, on plain floats; returns name -> (formula, value)."""
    dy = v["y"] - target                       # dL/dy for L = (y - Y)^2 / 2
    r1 = 1.0 if v["z1"] > 0 else 0.0           # relu'(z); relu'(0) = 0, as autograd uses
    r2 = 1.0 if v["z2"] > 0 else 0.0
    dz1 = dy * v["w1"] * r1
    dz2 = dy * v["w2"] * r2
    return {
        "w1": ("dL/dy · a1", dy * v["a1"]),
        "w2": ("dL/dy · a2", dy * v["a2"]),
        "b21": ("dL/dy", dy),
        "w11": ("dL/dy · w1 · [z1>0] · x1", dz1 * x1),
        "w12": ("dL/dy · w1 · [z1>0] · x2", dz1 * x2),
        "b11": ("dL/dy · w1 · [z1>0]", dz1),
        "w21": ("dL/dy · w2 · [z2>0] · x1", dz2 * x1),
        "w22": ("dL/dy · w2 · [z2>0] · x2", dz2 * x2),
        "b12": ("dL/dy · w2 · [z2>0]", dz2),
    }


def run(out_dir=None, quick=False, verbose=True):
    """Reproduce the notes' prediction, loss, gradients and update. Returns the numbers.

    >>> from npgrad.labs import backprop_by_hand
    >>> backprop_by_hand.run(verbose=False)['prediction']
    5.0
    """
    r = Report("backprop by hand: the 2-2-1 ReLU network — 手撕神经网络", out_dir, verbose, intro=INTRO)
    p = {k: npgrad.tensor(v, requires_grad=True) for k, v in INIT.items()}
    # the input and the target as tensors too, so that the drawing shows where they enter; requires_grad
    # only makes them nodes of the graph (training uses the gradients of the parameters alone)
    data = {"x1": npgrad.tensor(X1, requires_grad=True), "x2": npgrad.tensor(X2, requires_grad=True),
            "Y": npgrad.tensor(TARGET, requires_grad=True)}
    out = forward(p, data["x1"], data["x2"])
    loss = (out["y"] - data["Y"]) ** 2 / 2
    r.section("forward")
    r.compare("prediction", 5, out["y"].item(), label="prediction y")
    r.compare("loss", 4.5, loss.item(), label="loss (y - Y)²/2")
    names = dict(p, **out, L=loss)
    table = viz.explain(loss, names=names)
    dot = viz.draw_graph(loss, names={"x1 (input)": data["x1"], "x2 (input)": data["x2"],
                                      "Y (target)": data["Y"], **names})   # before backward() frees the graph
    loss.backward()

    r.section("every partial derivative: chain rule by hand vs autograd")
    values = {k: t.item() for k, t in out.items()}
    values.update({k: t.item() for k, t in p.items()})
    hand = by_hand(values)
    rows, agree = [], True
    for name, (formula, h) in hand.items():
        auto = p[name].grad.item()
        agree &= abs(auto - h) < 1e-6
        rows.append((f"dL/d{name}", formula, h, auto, "yes" if abs(auto - h) < 1e-6 else "NO"))
        r.record(f"grad_{name}", auto)
    r.table(["gradient", "chain rule", "by hand", "autograd", "equal"], rows)
    r.record("hand_equals_autograd", bool(agree))
    r.compare("grad_w11", 3, p["w11"].grad.item(), label="dL/dw11 (the worked example)")
    r.say("  z2 = 1·1 + (-1)·2 + 1 = 0 sits exactly on ReLU's kink: autograd (like PyTorch) takes")
    r.say("  relu'(0) = 0, so the second hidden unit's parameters get no gradient this step.")

    r.section("the backward pass as a table (npgrad.viz.explain)")
    r.say(str(table))

    r.section("one update, learning rate 0.01")
    with npgrad.no_grad():
        for t in p.values():
            t -= LR * t.grad
    r.compare("w11_after", "0.97", p["w11"].item(), tol=1e-6, label="w11: 1 -> 1 - 0.01·3")
    r.table(["parameter", "before", "after"], [(k, INIT[k], p[k].item()) for k in INIT])
    new = forward(p)
    r.record("prediction_after", new["y"].item())
    r.record("loss_after", ((new["y"] - TARGET) ** 2 / 2).item())
    r.say("  after the update: prediction %.4f, loss %.4f (was 5 and 4.5)"
          % (r.results["prediction_after"], r.results["loss_after"]))
    if r.out_dir is not None:
        import os
        path = os.path.join(r.out_dir, "network_graph.png")
        viz.render(dot, path)
        r.results["figures"].append(path)
        r.say(f"  figure: {path}")
    return r.results
