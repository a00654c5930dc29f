"""Lab ``vanishing-gradients`` — vanishing and exploding gradients and their cures (note 002;
梯度消失 / 梯度爆炸 / BatchNorm / 残差 / 梯度裁剪 / 初始化).

* per-layer gradient norms of a deep sigmoid network, and of the same depth with ReLU + He init,
  with BatchNorm, and with residual connections;
* exploding gradients (too-large weights) and gradient clipping g <- min(1, θ/|g|) g;
* the spread of activations through depth for naive, Xavier and He initialisation.
"""
from __future__ import annotations

import numpy as np

import npgrad
import npgrad.nn.functional as F
from npgrad import nn

from ._report import Report

#: what the lab teaches, printed first (plain words, the notes' terms beside)
INTRO = """In a deep network the gradient is a product of one factor per layer. Factors below 1 make it
vanish (梯度消失) in the early layers, factors above 1 make it explode (梯度爆炸). We measure the
gradient of every layer and try the cures: ReLU with He initialisation, BatchNorm, residual
connections (残差), and gradient clipping (梯度裁剪) for explosions."""


class Residual(nn.Module):
    """x + f(x): the skip path passes the gradient back unchanged."""

    def __init__(self, width, act):
        super().__init__()
        self.linear = nn.Linear(width, width)
        self.act = act

    def forward(self, x):
        return x + self.act(self.linear(x))


def deep_net(kind, depth, width):
    """A stack of ``depth`` hidden layers of ``width`` units, then one output unit."""
    layers = []
    for _ in range(depth):
        if kind == "sigmoid":
            layers += [nn.Linear(width, width), nn.Sigmoid()]
        elif kind == "relu + He":
            lin = nn.Linear(width, width)
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
            nn.init.zeros_(lin.bias)
            layers += [lin, nn.ReLU()]
        elif kind == "sigmoid + BatchNorm":
            layers += [nn.Linear(width, width), nn.BatchNorm1d(width), nn.Sigmoid()]
        elif kind == "sigmoid + residual":
            layers += [Residual(width, nn.Sigmoid())]
        else:
            raise ValueError(f"deep_net: unknown kind {kind!r}")
    layers.append(nn.Linear(width, 1))
    return nn.Sequential(*layers)


def layer_grad_norms(model, x, y):
    """|dL/dW| of every hidden Linear weight, first layer first, after one backward."""
    model.zero_grad()
    F.mse_loss(model(x), y).backward()
    weights = [m.weight for m in model.modules() if isinstance(m, nn.Linear)][:-1]
    return [w.grad.norm().item() for w in weights]


def run(out_dir=None, quick=False, verbose=True, depth=10, width=32):
    """Measure gradient norms per layer and the effect of each cure. Returns the numbers.

    >>> from npgrad.labs import vanishing_gradients
    >>> vanishing_gradients.run(verbose=False)['ratios']['sigmoid'] < 1e-4
    True
    """
    r = Report("vanishing and exploding gradients — 梯度消失 / 梯度爆炸", out_dir, verbose, intro=INTRO)
    npgrad.manual_seed(0)
    x = npgrad.randn(256, width)
    y = npgrad.randn(256, 1)
    r.section(f"|dL/dW| per layer, {depth} hidden layers of {width} units (layer 1 = nearest the input)")
    norms = {}
    for kind in ("sigmoid", "relu + He", "sigmoid + BatchNorm", "sigmoid + residual"):
        npgrad.manual_seed(1)
        norms[kind] = layer_grad_norms(deep_net(kind, depth, width), x, y)
    r.table(["layer"] + list(norms), [[i + 1] + [f"{norms[k][i]:.2e}" for k in norms] for i in range(depth)])
    ratios = {k: v[0] / v[-1] for k, v in norms.items()}
    for k, v in ratios.items():
        r.say(f"  {k}: first/last layer gradient ratio {v:.2e}")
    r.record("grad_norms", norms)
    r.record("ratios", ratios)
    r.say("  each sigmoid layer multiplies the gradient by σ' <= 1/4 (times the weights): the first")
    r.say("  layers barely learn. ReLU (derivative 1), BatchNorm (inputs kept where σ is steep) and")
    r.say("  skip connections (gradient passed through unchanged) keep it alive.")
    _exploding(r, x, y, depth, width)
    _init(r, depth, width)
    _figure(r, norms)
    return r.results


def _exploding(r, x, y, depth, width, max_norm=1.0):
    r.section("exploding gradients: weights drawn from N(0, 1) in a deep stack of linear layers")
    npgrad.manual_seed(2)
    model = nn.Sequential(*[nn.Linear(width, width) for _ in range(depth)], nn.Linear(width, 1))
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, 1.0)
    model.zero_grad()
    F.mse_loss(model(x), y).backward()
    total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=max_norm)
    after = npgrad.sqrt(sum((p.grad ** 2).sum() for p in model.parameters())).item()
    r.say(f"  total gradient norm {float(total):.3e}; after clip_grad_norm_(max_norm={max_norm}): {after:.4f}")
    r.say("  clipping keeps the direction and caps the length: g <- min(1, θ/|g|) g")
    r.record("exploding_norm", float(total))
    r.record("clipped_norm", after)


def _init(r, depth, width):
    r.section("initialisation: activation std through the layers (input std 1)")
    npgrad.manual_seed(3)
    x = npgrad.randn(512, width)
    schemes = {
        "naive N(0,1), tanh": ("tanh", lambda w: nn.init.normal_(w, 0.0, 1.0)),
        "small N(0,0.01), tanh": ("tanh", lambda w: nn.init.normal_(w, 0.0, 0.01)),
        "Xavier, tanh": ("tanh", lambda w: nn.init.xavier_normal_(w)),
        "naive N(0,1), relu": ("relu", lambda w: nn.init.normal_(w, 0.0, 1.0)),
        "He, relu": ("relu", lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu")),
    }
    stds = {}
    for name, (act, init) in schemes.items():
        h, trace = x, []
        with npgrad.no_grad():
            for _ in range(depth):
                lin = nn.Linear(width, width, bias=False)
                init(lin.weight)
                h = npgrad.tanh(lin(h)) if act == "tanh" else npgrad.relu(lin(h))
                trace.append(h.std().item())
        stds[name] = trace
        r.say(f"  {name:22s} std after layer 1, 5, {depth}: {trace[0]:.3g}, {trace[4]:.3g}, {trace[-1]:.3g}")
    r.record("init_stds", stds)
    r.say("  naive init saturates tanh (std near 1, σ' near 0) or explodes ReLU; tiny init dies out;")
    r.say("  Xavier (tanh) and He (ReLU) keep the signal's scale through depth.")


def _figure(r, norms):
    from npgrad import viz
    fig, ax = viz.new_figure(size=(6, 4))
    for k, v in norms.items():
        ax.semilogy(np.arange(1, len(v) + 1), v, "o-", label=k)
    ax.set_xlabel("layer (1 = input side)")
    ax.set_ylabel("|dL/dW|")
    ax.set_title("gradient norm per layer")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    r.figure(fig, "grad_norms")
