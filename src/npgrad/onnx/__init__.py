"""``npgrad.onnx``: export models to ONNX, PyTorch's ``torch.onnx.export`` call.

>>> import io, npgrad                                                    # doctest: +SKIP
>>> model = npgrad.nn.Sequential(npgrad.nn.Linear(4, 3), npgrad.nn.ReLU())  # doctest: +SKIP
>>> npgrad.onnx.export(model, npgrad.randn(2, 4), "model.onnx", input_names=["x"],
...                    dynamic_axes={"x": {0: "batch"}})                # doctest: +SKIP

The ``onnx`` package is needed (``pip install 'npgrad[onnx]'``); it is imported only when
exporting.  See :mod:`npgrad.onnx.trace` for how a model is traced, :mod:`npgrad.onnx.ops` and
:mod:`npgrad.onnx.modules` for what maps to which ONNX operator.
"""
from .exporter import export
from .trace import ExportError

__all__ = ["export", "ExportError"]
