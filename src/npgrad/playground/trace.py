"""Forward values and backward gradients at every node, for one example: ``npgrad.viz.explain``.

The network is run on one point with its input marked ``requires_grad``; every layer's output is
named (``z1`` the first pre-activation, ``a1`` its activation, ``W1``/``b1`` its parameters ...), and
``explain`` walks the recorded graph backward, so the page shows what the engine computed, node by
node, and which nodes feed which.
"""
from __future__ import annotations

import numpy as np

import npgrad
import npgrad.nn as nn
from npgrad import viz

from .data import features

MAX_ELEMENTS = 1024     # larger values are sent as their shape only


def _cell(arr):
    if arr is None:
        return None
    arr = np.asarray(arr, dtype=np.float64)
    if arr.size > MAX_ELEMENTS:
        return {"shape": list(arr.shape)}
    # 6 significant digits, not a fixed number of decimals: a vanishing gradient (1e-7) must not show as 0
    flat = [float(f"{v:.6g}") for v in np.nan_to_num(arr).ravel()]
    return {"shape": list(arr.shape), "data": np.reshape(flat, arr.shape).tolist()}


def inspect(session, point, label):
    """The backward table of the loss on one example ``point`` (x1, x2) with target ``label``."""
    cfg, model = session.config, session.model
    with session.lock:
        model.eval()                      # dropout off, BatchNorm on its running statistics
        x = features(np.asarray([point], np.float32), cfg["features"]).detach().requires_grad_(True)
        names, layer_outputs, h, layer = {"x": x}, [], x, 0
        for m in model:
            out = m(h)
            if isinstance(m, nn.Linear):
                layer += 1
                names[f"W{layer}"], names[f"b{layer}"] = m.weight, m.bias
                names[f"z{layer}"] = out
            elif isinstance(m, nn.BatchNorm1d):
                names[f"n{layer}"] = out
                names[f"gamma{layer}"], names[f"beta{layer}"] = m.weight, m.bias
            elif not isinstance(m, nn.Dropout):
                names[f"a{layer}"] = out
                layer_outputs.append(f"a{layer}")
            h = out
        target = npgrad.tensor([float(label)])
        loss = session._loss(h.squeeze(1), target)
        names["out"], names["loss"] = h, loss
        with np.errstate(all="ignore"):
            table = viz.explain(loss, names=names)
    rows = [{"step": r.step, "name": r.name, "op": r.op, "inputs": r.inputs,
             "value": _cell(r.value), "grad": _cell(r.grad)} for r in table]
    by_name = {r["name"]: r for r in rows}
    neurons = [{"value": _flat(by_name.get(n), "value"), "grad": _flat(by_name.get(n), "grad")}
               for n in layer_outputs + ["out"]]
    prediction = float(h.detach().numpy().ravel()[0])
    if session.task == "classification":
        prediction = float(1 / (1 + np.exp(-np.clip(prediction, -50, 50))))
    return {"point": [float(point[0]), float(point[1])], "label": float(label), "task": session.task,
            "loss": _finite(loss.item()), "prediction": _finite(prediction), "features": cfg["features"],
            "rows": rows, "neurons": neurons, "input_grad": _flat(by_name.get("x"), "grad")}


def _finite(v):
    return float(v) if np.isfinite(v) else None


def _flat(row, key):
    if row is None or row[key] is None or "data" not in row[key]:
        return None
    return np.ravel(row[key]["data"]).tolist()
