"""Building the ONNX graph from two traces of the same model.

The first trace (the caller's example inputs) gives the graph and the values of constants; the
second (inputs of another batch size and other values) tells which dims depend on the input sizes
and which constants depend on the inputs: a constant that differs between the two runs was computed
outside the traced operations and would be silently wrong in the graph, so it is an error.
"""
from __future__ import annotations

import numpy as np

from .trace import ExportError, flatten

_ONNX_TYPES = {np.dtype(np.float32): 1, np.dtype(np.uint8): 2, np.dtype(np.int8): 3, np.dtype(np.int16): 5,
               np.dtype(np.int32): 6, np.dtype(np.int64): 7, np.dtype(np.bool_): 9, np.dtype(np.float16): 10,
               np.dtype(np.float64): 11}


def onnx_type(dtype, where="onnx.export"):
    t = _ONNX_TYPES.get(np.dtype(dtype))
    if t is None:
        raise ExportError(f"{where}: dtype {np.dtype(dtype)} has no ONNX equivalent here")
    return t


def leaves(rec):
    if rec.kind == "function":
        return list(rec.args)
    return flatten(rec.args) + flatten(rec.kwargs)


class Builder:
    """Collects nodes and initializers; ``value(k)`` names the k-th argument of the current record."""

    def __init__(self, opset, params, export_params, shapes1, shapes2):
        self.opset = opset
        self.nodes = []            # onnx NodeProto
        self.inits = {}            # name -> ndarray
        self.param_inputs = []     # (name, ndarray) when export_params is False
        self.names = {}            # value id -> value name
        self.params = params       # id(tensor or array) -> state_dict name
        self.export_params = export_params
        self.shapes1, self.shapes2 = shapes1, shapes2  # value id -> shape, per trace
        self.input_vids = {}       # graph input name -> value id (to read dynamic dims from)
        self._consts = {}
        self._n = 0
        self.rec = self.rec2 = None

    # -- names and nodes ------------------------------------------------------------------------
    def fresh(self, hint):
        self._n += 1
        return f"{hint}_{self._n}"

    def node(self, op, inputs, n_out=1, **attrs):
        """Add a node; returns its output name (or a list of ``n_out`` names)."""
        from onnx import helper
        outs = [self.fresh(op) for _ in range(n_out)]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(helper.make_node(op, list(inputs), outs, name=self.fresh("n_" + op), **attrs))
        return outs[0] if n_out == 1 else outs

    def const(self, arr, hint="const"):
        arr = np.asarray(arr)
        key = (arr.dtype.str, arr.shape, arr.tobytes())
        name = self._consts.get(key)
        if name is None:
            name = self._consts[key] = self.fresh(hint)
            self.inits[name] = arr
        return name

    def ints(self, values):
        return self.const(np.asarray(list(values), dtype=np.int64), "ints")

    def scalar(self, value, dtype):
        return self.const(np.asarray(value, dtype=dtype), "scalar")

    def reduce(self, op, x, axes, keepdims):
        """``Reduce*`` over ``axes``: axes are an input from opset 18 (ReduceSum: 13), an attribute before."""
        if op == "ReduceSum" and self.opset >= 13 or self.opset >= 18:
            return self.node(op, [x, self.ints(axes)], keepdims=int(bool(keepdims)))
        return self.node(op, [x], axes=list(axes), keepdims=int(bool(keepdims)))

    def layer_norm(self, x, scale, bias, axis, rank, eps, dtype):
        """LayerNormalization over dims ``axis..rank-1``; spelled out in elementary ops before opset 17."""
        if self.opset >= 17:
            return self.node("LayerNormalization", [x, scale, bias], axis=axis, epsilon=eps)
        axes = list(range(axis % rank, rank))
        d = self.node("Sub", [x, self.reduce("ReduceMean", x, axes, True)])
        var = self.reduce("ReduceMean", self.node("Mul", [d, d]), axes, True)
        std = self.node("Sqrt", [self.node("Add", [var, self.scalar(eps, dtype)])])
        return self.node("Add", [self.node("Mul", [self.node("Div", [d, std]), scale]), bias])

    def param(self, name, arr):
        if name not in self.inits and all(n != name for n, _ in self.param_inputs):
            if self.export_params:
                self.inits[name] = arr
            else:
                self.param_inputs.append((name, arr))
        return name

    def tensor(self, t):
        """A module's parameter or buffer: its state_dict name, or a constant."""
        name = self.params.get(id(t)) or self.params.get(id(t._data))
        return self.param(name, t._data) if name else self.const(t._data)

    # -- arguments of the current record ---------------------------------------------------------
    def leaf(self, k, trace=1):
        return leaves(self.rec if trace == 1 else self.rec2)[k]

    def array(self, k, trace=1):
        """The value argument ``k`` had when the operation ran (constants, and the args of VALUE_OPS)."""
        return (self.rec if trace == 1 else self.rec2).data[k]

    def shape(self, k, trace=1):
        rec = self.rec if trace == 1 else self.rec2
        vid = rec.vids[k]
        if vid is not None:
            return (self.shapes1 if trace == 1 else self.shapes2)[vid]
        return tuple(np.shape(rec.data[k] if rec.data[k] is not None else leaves(rec)[k]))

    def dtype(self, k):
        obj = self.leaf(k)
        return (obj._data if hasattr(obj, "_data") else np.asarray(obj)).dtype

    def value(self, k):
        """The ONNX name of argument ``k``: a traced value, an initializer, or "" for None."""
        rec = self.rec
        vid = rec.vids[k]
        if vid is not None:
            return self.names[vid]
        obj = self.leaf(k)
        if obj is None:
            return ""
        arr, arr2 = self.array(k), self.array(k, 2)
        if arr is None:
            self.error(f"argument {k} of {rec.op_name()} is a {type(obj).__name__}, not a tensor")
        pname = self.params.get(id(obj))
        if pname is None and hasattr(obj, "_data"):
            pname = self.params.get(id(obj._data))
        if pname is not None:
            return self.param(pname, arr)
        if arr.shape == arr2.shape and arr.dtype == arr2.dtype and np.array_equal(arr, arr2, equal_nan=True):
            return self.const(arr)
        filled = self._filled(arr, arr2)
        if filled is not None:
            return filled
        raise ExportError(
            f"onnx.export: {rec.where()}: argument {k} of {rec.op_name()} is a tensor computed outside the "
            f"traced operations (shape {arr.shape}) that depends on the model's input (or is random); it would "
            "be a wrong constant in the graph. Compute it with tensor operations on the input (not from x.shape, "
            ".item(), comparisons, argmax or NumPy)")

    def _filled(self, arr, arr2):
        """A constant that is the same along the inputs' dynamic dims (zeros(x.size(0), h), or a bias
        broadcast over the batch): its one slice, expanded to the dims read from a graph input."""
        if arr.ndim != arr2.ndim or arr.dtype != arr2.dtype or arr.size == 0 or arr2.size == 0:
            return None
        dyn = [d for d in range(arr.ndim) if arr.shape[d] != arr2.shape[d]]
        base = arr[tuple(slice(0, 1) if d in dyn else slice(None) for d in range(arr.ndim))]
        if not dyn or not (np.array_equal(np.broadcast_to(base, arr.shape), arr)
                           and np.array_equal(np.broadcast_to(base, arr2.shape), arr2)):
            return None
        parts = []
        for d, (n1, n2) in enumerate(zip(arr.shape, arr2.shape)):
            if n1 == n2:
                parts.append(self.ints([n1]))
                continue
            src = self._input_dim(n1, n2)
            if src is None:
                return None
            shp = self.node("Shape", [src[0]])
            parts.append(self.node("Gather", [shp, self.ints([src[1]])], axis=0))
        shape = self.node("Concat", parts, axis=0) if len(parts) > 1 else parts[0]
        return self.node("Expand", [self.const(np.ascontiguousarray(base)), shape])

    def _input_dim(self, n1, n2):
        for name, vid in self.input_vids.items():
            for d, (a, b) in enumerate(zip(self.shapes1[vid], self.shapes2[vid])):
                if a == n1 and b == n2:
                    return name, d
        return None

    def out_dyn(self, j=0):
        """Dims of output ``j`` of the current record that change with the input sizes."""
        a, b = self.rec.out_shapes[j], self.rec2.out_shapes[j]
        return [d for d, (x, y) in enumerate(zip(a, b)) if x != y]

    def error(self, what):
        raise ExportError(f"onnx.export: {self.rec.where()}: {what}")
