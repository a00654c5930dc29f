"""``npgrad.onnx``: export models to ONNX, PyTorch's ``torch.onnx.export`` call.

    import npgrad as torch
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU())
    torch.onnx.export(model, torch.randn(2, 4), "model.onnx", input_names=["x"],
                      dynamic_axes={"x": {0: "batch"}})

The ``onnx`` package is needed (``pip install 'npgrad[onnx]'``); it is imported only when
exporting.  See :mod:`npgrad.onnx.trace` for how a model is traced, :mod:`npgrad.onnx.ops` and
:mod:`npgrad.onnx.modules` for what maps to which ONNX operator.
"""
from .exporter import export
from .trace import ExportError

__all__ = ["export", "ExportError"]
