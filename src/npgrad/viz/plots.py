"""Plot helpers for the labs and for users: each returns a matplotlib ``Figure`` and can save it.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot state, no GUI), so they work on
headless machines and never accumulate open windows.  Pass ``filename=`` to save a PNG.
"""
from __future__ import annotations

import numpy as np

from .._optional import require
from ..tensor import Tensor
from . import _fonts


def new_figure(ncols=1, nrows=1, size=(5.0, 4.0), **subplot_kw):
    """A fresh ``Figure`` and its axes (a single Axes, or an array of them)."""
    Figure = require("matplotlib.figure", "npgrad.viz's plots").Figure
    _fonts.enable_cjk()
    fig = Figure(figsize=(size[0] * ncols, size[1] * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True, subplot_kw=subplot_kw or None)
    return fig, axes


def save(fig, filename=None, dpi=100):
    """Save ``fig`` to ``filename`` (if given) and return the figure."""
    if filename is not None:
        _fonts.warn_if_unreadable(fig)
        fig.savefig(str(filename), dpi=dpi)
    return fig


def _numpy(x):
    if isinstance(x, Tensor):
        return np.asarray(x._data)
    return np.asarray(x)


def _scores(model, points):
    """Run ``model`` on an (N, 2) float32 batch without recording a graph."""
    import npgrad
    with npgrad.no_grad():
        out = model(npgrad.from_numpy(points.astype(np.float32)))
    return _numpy(out)


def plot_decision_boundary(model, X, y, ax=None, resolution=200, padding=0.5, threshold=0.0,
                           title=None, filename=None):
    """Shade the regions a classifier assigns to each class over 2-D data, with the points on top.

    ``model`` maps an (N, 2) tensor to scores: (N, C) are read by argmax, (N,) or (N, 1) by
    comparing with ``threshold`` (0 for logits or a sign output, 0.5 for probabilities).

    >>> import numpy as np
    >>> fig = plot_decision_boundary(lambda t: t[:, 0] - t[:, 1], np.random.rand(20, 2), np.arange(20) % 2)
    """
    X, y = _numpy(X), _numpy(y).reshape(-1)
    fig, ax = (new_figure() if ax is None else (ax.figure, ax))
    (x0, x1), (y0, y1) = [(X[:, i].min() - padding, X[:, i].max() + padding) for i in range(2)]
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    scores = _scores(model, np.c_[gx.ravel(), gy.ravel()])
    if scores.ndim == 2 and scores.shape[1] > 1:
        region = scores.argmax(1)
    else:
        region = (scores.reshape(-1) > threshold).astype(int)
    classes = np.unique(np.concatenate([np.unique(y), np.unique(region)]))
    ax.contourf(gx, gy, region.reshape(gx.shape), levels=np.arange(classes.max() + 2) - 0.5,
                cmap="coolwarm", alpha=0.25)
    ax.contour(gx, gy, region.reshape(gx.shape), levels=np.arange(classes.max() + 1) + 0.5,
               colors="k", linewidths=1)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=10 if len(X) > 100 else 60, edgecolors="k",
               linewidths=0.3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return save(fig, filename)


def history_records(history):
    """Normalise a training history into a list of dicts.

    Accepts a list of dicts, a dict of lists, or an object with ``records``/``history``/``epochs``
    (a list of dicts) or ``to_dict()``/``as_dict()`` (a dict of lists).
    """
    for attr in ("records", "history", "epochs", "rows"):
        val = getattr(history, attr, None)
        if isinstance(val, (list, tuple)) and (not val or isinstance(val[0], dict)):
            return [dict(r) for r in val]
    for attr in ("to_dict", "as_dict"):
        if callable(getattr(history, attr, None)):
            history = getattr(history, attr)()
    if isinstance(history, dict):
        n = max((len(v) for v in history.values()), default=0)
        return [{k: v[i] for k, v in history.items() if i < len(v)} for i in range(n)]
    return [dict(r) for r in history]


def plot_history(history, keys=None, x=None, ax=None, title=None, filename=None):
    """Training curves: one line per metric, losses and accuracies on separate axes.

    ``history``: see :func:`history_records`.  ``x`` names the x-axis column (default: 'epoch' when
    present, else the record number).

    >>> fig = plot_history([{'epoch': 1, 'loss': 1.0}, {'epoch': 2, 'loss': 0.5}])
    """
    recs = history_records(history)
    x = x or ("epoch" if recs and "epoch" in recs[0] else None)
    cols = [k for k in (keys or _numeric_keys(recs)) if k != x]
    loss_cols = [k for k in cols if "acc" not in k]
    acc_cols = [k for k in cols if "acc" in k]
    groups = [g for g in (loss_cols, acc_cols) if g]
    if ax is not None:
        fig, axes = ax.figure, [ax] * len(groups)
    else:
        fig, axes = new_figure(ncols=max(len(groups), 1))
        axes = np.atleast_1d(axes)
    for a, group in zip(axes, groups):
        for k in group:
            pts = [(r.get(x, i + 1) if x else i + 1, r[k]) for i, r in enumerate(recs) if r.get(k) is not None]
            if pts:
                xs, ys = zip(*pts)
                a.plot(xs, ys, marker="o" if len(xs) < 30 else None, ms=3, label=k)
        a.set_xlabel(x or "step")
        a.set_ylabel("accuracy" if group is acc_cols else "loss")
        if title is None or len(groups) > 1:
            a.set_title(("accuracy" if group is acc_cols else "loss") + (f" per {x}" if x else ""))
        integer_ticks(a)
        a.legend()
        a.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    return save(fig, filename)


def integer_ticks(ax, axis="x"):
    """Whole-number ticks on ``axis`` (epochs, counts): no 0.945 ... 1.050 for a one-epoch run."""
    from matplotlib.ticker import MaxNLocator
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(MaxNLocator(integer=True))
    lo, hi = ax.get_xlim() if axis == "x" else ax.get_ylim()
    if hi - lo < 1:                         # a single point: give it room, centred on its whole number
        mid = round((lo + hi) / 2)
        (ax.set_xlim if axis == "x" else ax.set_ylim)(mid - 1, mid + 1)


def _numeric_keys(recs):
    keys = []
    for r in recs:
        for k, v in r.items():
            if k not in keys and isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool):
                keys.append(k)
    return keys


def _grid(f, xlim, ylim, n=200):
    gx, gy = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
    return gx, gy, f(gx, gy)


def plot_contour_path(f, paths, xlim=(-3, 3), ylim=(-3, 3), levels=30, ax=None, title=None, filename=None):
    """Optimisation paths over the contour lines of ``f(X, Y)`` (NumPy grids in, values out).

    ``paths``: an array of points (k, 2) or a dict label -> such array.

    >>> fig = plot_contour_path(lambda x, y: x**2 + y**2, {'gd': [[1, 1], [0.5, 0.5], [0, 0]]})
    """
    paths = paths if isinstance(paths, dict) else {"path": paths}
    fig, ax = (new_figure() if ax is None else (ax.figure, ax))
    gx, gy, gz = _grid(f, xlim, ylim)
    cs = ax.contour(gx, gy, gz, levels=levels, cmap="viridis", linewidths=0.8)
    fig.colorbar(cs, ax=ax, shrink=0.8)
    for name, p in paths.items():
        p = _numpy(p).reshape(-1, 2)
        ax.plot(p[:, 0], p[:, 1], "o-", ms=3, label=f"{name} ({len(p) - 1} steps)")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return save(fig, filename)


def plot_surface_path(f, path, xlim=(-3, 3), ylim=(-3, 3), ax=None, title=None, filename=None):
    """The surface ``z = f(X, Y)`` in 3-D with an optimisation path drawn on it.

    >>> fig = plot_surface_path(lambda x, y: x**2 + y**2, [[1, 1], [0, 0]])
    """
    if ax is None:
        fig, ax = new_figure(size=(6, 5), projection="3d")
    else:
        fig = ax.figure
    gx, gy, gz = _grid(f, xlim, ylim, 80)
    ax.plot_surface(gx, gy, gz, cmap="rainbow", alpha=0.6, linewidth=0)
    p = _numpy(path).reshape(-1, 2)
    ax.plot(p[:, 0], p[:, 1], f(p[:, 0], p[:, 1]), "k.-", ms=6, zorder=10)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    if title:
        ax.set_title(title)
    return save(fig, filename)


def plot_activations(functions, x_range=(-5, 5), n=401, title=None, filename=None, ncols=4):
    """Each activation and its derivative (computed by autograd), one small panel per function.

    Small multiples keep every curve visible (a step hidden under a sign, a ReLU under an ELU) and on
    one shared x range.  ``functions``: dict name -> callable on an npgrad tensor.  Returns the figure;
    the values and derivatives are in ``fig.npgrad_curves`` (name -> (x, y, dy)).

    >>> import npgrad
    >>> fig = plot_activations({'tanh': npgrad.tanh})
    """
    import npgrad
    k = len(functions)
    ncols = max(1, min(ncols, k))
    nrows = -(-k // ncols)
    fig, axes = new_figure(ncols=ncols, nrows=nrows, size=(3.0, 2.6), sharex=True)
    axes = np.atleast_1d(axes).ravel()
    curves = {}
    xs = np.linspace(*x_range, n, dtype=np.float32)
    for a, (name, fn) in zip(axes, functions.items()):
        x = npgrad.tensor(xs, requires_grad=True)
        y = fn(x)
        (dy,) = npgrad.autograd.grad(y.sum(), x, allow_unused=True, materialize_grads=True) \
            if y.requires_grad else (npgrad.zeros_like(x),)
        curves[name] = (xs, _numpy(y.detach()), _numpy(dy))
        a.plot(xs, curves[name][1], color="C0", lw=2, label="f(x)")
        a.plot(xs, curves[name][2], color="C3", lw=1.5, ls="--", label="f'(x), autograd")
        a.set_title(name)
        a.axhline(0, color="gray", lw=0.5)
        a.axvline(0, color="gray", lw=0.5)
        a.grid(alpha=0.3)
        a.set_xlabel("x")
    for a in axes[k:]:
        a.axis("off")
    axes[0].legend(fontsize=7, loc="upper left")
    if title:
        fig.suptitle(title)
    fig.npgrad_curves = curves
    return save(fig, filename)


def plot_image_grid(images, labels=None, predictions=None, ncols=8, class_names=None, cmap="gray",
                    title=None, filename=None, symmetric=False, colorbar=False):
    """Images in a grid, titled with label and prediction (red when they disagree).

    ``images``: (N, H, W), (N, 1, H, W) or (N, H, W, 3).  ``symmetric=True`` draws every image on one
    colour scale centred on zero (for weights and filters: with a diverging ``cmap`` such as ``"RdBu_r"``
    zero is white and the colours compare across images); ``colorbar=True`` adds the scale.

    >>> import numpy as np
    >>> fig = plot_image_grid(np.random.rand(4, 8, 8), labels=[0, 1, 2, 3], predictions=[0, 1, 2, 0])
    """
    imgs = _numpy(images)
    if imgs.ndim == 4 and imgs.shape[1] in (1, 3) and imgs.shape[-1] not in (1, 3):
        imgs = np.moveaxis(imgs, 1, -1)
    if imgs.ndim == 4 and imgs.shape[-1] == 1:
        imgs = imgs[..., 0]
    n = len(imgs)
    ncols = max(1, min(ncols, n))
    nrows = max(1, -(-n // ncols))
    fig, axes = new_figure(ncols=ncols, nrows=nrows, size=(1.3, 1.5))
    axes = np.atleast_1d(axes).ravel()
    name = (lambda c: class_names[int(c)]) if class_names is not None else (lambda c: str(int(c)))
    scale = {}
    if symmetric:
        top = float(np.abs(imgs).max()) or 1.0
        scale = {"vmin": -top, "vmax": top}
    shown = None
    for i, a in enumerate(axes):
        a.axis("off")
        if i >= n:
            continue
        shown = a.imshow(imgs[i], cmap=cmap if imgs[i].ndim == 2 else None, **scale)
        parts, color = [], "black"
        if labels is not None:
            parts.append(name(_numpy(labels)[i]))
        if predictions is not None:
            p = _numpy(predictions)[i]
            parts.append("pred " + name(p))
            if labels is not None and int(p) != int(_numpy(labels)[i]):
                color = "red"
        if parts:                           # long class names: label and prediction on two lines
            text = " / ".join(parts)
            a.set_title(text if len(text) <= 16 else "\n".join(parts), fontsize=7, color=color)
    if colorbar and shown is not None:
        fig.colorbar(shown, ax=list(axes), shrink=0.8, pad=0.02)
    if title:
        fig.suptitle(title)
    return save(fig, filename)


def plot_convolution(image, kernel, response, title=None, filename=None):
    """Input image, kernel and the response map side by side, each legible on its own.

    The image is drawn in grey; the kernel and the response on diverging colour scales centred on zero
    (white = 0, red positive, blue negative), the kernel with its numbers written in, the response with
    a colour bar.

    >>> import numpy as np
    >>> fig = plot_convolution(np.eye(6), np.array([[1, 0, -1]] * 3), np.zeros((4, 4)))
    """
    img, ker, resp = (_numpy(a).astype(np.float64) for a in (image, kernel, response))
    fig, (a1, a2, a3) = new_figure(ncols=3, size=(3.4, 3.4))
    a1.imshow(img, cmap="gray")
    a1.set_title(f"input {img.shape[0]}x{img.shape[1]}")
    k = float(np.abs(ker).max()) or 1.0
    a2.imshow(ker, cmap="RdBu_r", vmin=-k, vmax=k)
    for (i, j), v in np.ndenumerate(ker):
        a2.text(j, i, f"{v:g}", ha="center", va="center", fontsize=12, color="white" if abs(v) > 0.6 * k else "black")
    a2.set_title(f"kernel {ker.shape[0]}x{ker.shape[1]}")
    r = float(np.abs(resp).max()) or 1.0
    shown = a3.imshow(resp, cmap="RdBu_r", vmin=-r, vmax=r)
    a3.set_title(f"response {resp.shape[0]}x{resp.shape[1]}")
    fig.colorbar(shown, ax=a3, shrink=0.8)
    for a in (a1, a2, a3):
        a.set_xticks([])
        a.set_yticks([])
    if title:
        fig.suptitle(title)
    return save(fig, filename)
