"""What the exporter cannot express fails loudly, naming the operation and where it ran; bad arguments."""
import io

import pytest

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F
from npgrad.onnx import ExportError

from .helpers import onnx  # noqa: F401  (skips the module without onnx)


def export(model, x, **kw):
    return npgrad.onnx.export(model, x, io.BytesIO(), **kw)


class MyOp(npgrad.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2


class UsesMyOp(nn.Module):
    def forward(self, x):
        return MyOp.apply(x)


def test_custom_function_names_the_op_and_the_module_path():
    model = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 3), UsesMyOp()))
    with pytest.raises(ExportError, match=r"onnx.export: model\.2\.1 \(UsesMyOp\): the operation MyOp \(a custom "
                                          r"autograd.Function\) is not supported"):
        export(model, npgrad.randn(2, 3))


class Cumprod(nn.Module):
    def forward(self, x):
        return x.cumprod(1)


def test_unsupported_primitive():
    with pytest.raises(ExportError, match=r"model\.1 \(Cumprod\): the operation cumprod is not supported"):
        export(nn.Sequential(nn.Linear(3, 3), Cumprod()), npgrad.randn(2, 3))


class Branchy(nn.Module):
    def forward(self, x):
        return x.exp() if x.shape[0] < 3 else x.tanh().tanh()


def test_size_dependent_control_flow():
    with pytest.raises(ExportError, match="data-dependent control flow"):
        export(Branchy(), npgrad.ones(2, 3), input_names=["x"], dynamic_axes={"x": [0]})
    export(Branchy(), npgrad.ones(2, 3))  # a static batch size: one program


class MaskFromComparison(nn.Module):
    def forward(self, x):
        return x * (x > 0).float()  # the mask is computed outside the traced operations


def test_input_dependent_constant_is_refused():
    with pytest.raises(ExportError, match=r"model \(MaskFromComparison\).*depends on the"):
        export(MaskFromComparison(), npgrad.randn(4, 3))


class FromShape(nn.Module):
    def forward(self, x):
        return x + npgrad.arange(float(x.shape[0])).reshape(-1, 1)


def test_batch_dependent_constant_is_refused():
    with pytest.raises(ExportError, match="depends on the"):
        export(FromShape(), npgrad.randn(4, 3), input_names=["x"], dynamic_axes={"x": [0]})


class WritesInto(nn.Module):
    def forward(self, x):
        y = x * 2
        y[:, 0] = 0.0
        return y


def test_index_assignment_is_refused():
    with pytest.raises(ExportError, match=r"model \(WritesInto\): index assignment"):
        export(WritesInto(), npgrad.randn(2, 3))


class InplaceOnView(nn.Module):
    def forward(self, x):
        y = x * 2
        z = y[:, :2]
        z.relu_()
        return y


def test_inplace_through_a_view_is_refused():
    with pytest.raises(ExportError, match="view"):
        export(InplaceOnView(), npgrad.randn(2, 3))


def test_functional_hardtanh_names_the_module_form():
    class M(nn.Module):
        def forward(self, x):
            return F.hardtanh(x)
    with pytest.raises(ExportError, match="nn modules are supported"):
        export(M(), npgrad.randn(2, 3))


def test_batchnorm_without_running_stats():
    model = nn.BatchNorm1d(3, track_running_stats=False)
    with pytest.raises(ExportError, match=r"model \(BatchNorm1d\): the operation batch norm with batch statistics"):
        export(model, npgrad.randn(4, 3))


def test_bad_arguments(tmp_path):
    model, x = nn.Linear(3, 2), npgrad.randn(2, 3)
    with pytest.raises(ValueError, match="opset_version must be between 7"):
        export(model, x, opset_version=6)
    with pytest.raises(TypeError, match="args must be a Tensor or a tuple"):
        export(model, x.numpy())
    with pytest.raises(ValueError, match="dynamic_axes names 'y'"):
        export(model, x, input_names=["x"], dynamic_axes={"y": [0]})
    with pytest.raises(TypeError, match="f must be a path or a writable file"):
        npgrad.onnx.export(model, x, 3)
    with pytest.raises(ValueError, match="only eval-mode export"):
        export(model, x, training="TRAINING")
    with pytest.raises(ValueError, match="2 input_names given for 1 tensor inputs"):
        export(model, x, input_names=["a", "b"])
    with pytest.raises(TypeError, match="model must be an nn.Module, got function"):
        export(lambda t: t * 2, x)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        export(model, x, colour="blue")
    with pytest.raises(ValueError, match="not both"):
        export(model, x, input_names=["x"], dynamic_axes={"x": [0]}, dynamic_shapes=({0: "n"},))
    assert not (tmp_path / "x.onnx").exists()


def test_model_state_is_untouched_after_a_failed_export():
    model = nn.Sequential(nn.Linear(3, 3), UsesMyOp())
    model.train()
    with pytest.raises(ExportError):
        export(model, npgrad.randn(2, 3))
    assert model.training and model[0].training
    # tracing is off again: the op records its graph as usual
    y = MyOp.apply(npgrad.randn(2, requires_grad=True))
    assert y.grad_fn is not None
    assert not model[0]._forward_hooks and not model[0]._forward_pre_hooks


def test_without_the_onnx_package(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "onnx", None)  # as if it were not installed
    with pytest.raises(ModuleNotFoundError, match=r'npgrad.onnx.export needs onnx: pip install "npgrad\[onnx\]"'):
        export(nn.Linear(2, 2), npgrad.randn(1, 2))


class AlwaysDropout(nn.Module):
    def forward(self, x):
        return F.dropout(x, 0.5)  # training=True whatever the module's mode: a random mask


def test_random_mask_is_refused():
    with pytest.raises(ExportError, match="or is random"):
        export(AlwaysDropout(), npgrad.randn(4, 3))
