"""Export a model, run it in onnxruntime at two batch sizes, compare with npgrad's own outputs."""
import io

import numpy as np
import pytest

import npgrad

onnx = pytest.importorskip("onnx", reason="ONNX export needs the onnx package (pip install 'npgrad[onnx]')")
ort = pytest.importorskip("onnxruntime", reason="the exported graphs are checked by running them in onnxruntime")

TOL = 1e-5


def as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def flat_outputs(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flat_outputs(o)]
    return [out]


def session(data):
    return ort.InferenceSession(data, providers=["CPUExecutionProvider"])


def check_export(model, make_inputs, batches=(2, 5), batch_axes=None, **export_kw):
    """Export with a dynamic batch axis on every input (axis 0, or ``batch_axes[k]`` for the k-th
    input tensor, nested inputs flattened), then compare onnxruntime with npgrad at each batch size
    (the first is the traced one). Returns the ModelProto."""
    example = as_tuple(make_inputs(batches[0]))
    flat = flat_outputs(example)
    names = [f"x{k}" for k in range(len(flat))]
    axes = batch_axes or [0] * len(flat)
    training = [m.training for m in model.modules()]
    buf = io.BytesIO()
    proto = npgrad.onnx.export(model, example, buf, input_names=names,
                               dynamic_axes={n: {a: "batch"} for n, a in zip(names, axes)}, **export_kw)
    assert [m.training for m in model.modules()] == training  # export restores the training flags
    onnx.checker.check_model(onnx.load_from_string(buf.getvalue()), full_check=True)
    sess = session(buf.getvalue())
    model.eval()
    for n in batches:
        xs = example if n == batches[0] else as_tuple(make_inputs(n))
        with npgrad.no_grad():
            want = [t.numpy() for t in flat_outputs(model(*xs))]
        got = sess.run(None, {name: x.numpy() for name, x in zip(names, flat_outputs(xs))})
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape
            np.testing.assert_allclose(g, w, rtol=TOL, atol=TOL)
    return proto


def op_types(proto):
    return [n.op_type for n in proto.graph.node]
