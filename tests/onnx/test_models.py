"""Whole models (the notes' MLP and CNN, a ResNet block, recurrent classifiers, functional code):
exported, run in onnxruntime at two batch sizes, compared with npgrad."""
import io

import numpy as np
import pytest

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F

from .helpers import check_export, onnx, op_types, session


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                         nn.Linear(128, 10))


def notes_cnn():
    """conv32-pool-conv64-pool-128-10 on 28x28 images."""
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


class ResBlock(nn.Module):
    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.short = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out)) \
            if stride != 1 or c_in != c_out else nn.Identity()

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)), inplace=True)
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.short(x))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(inplace=True))
        self.blocks = nn.Sequential(ResBlock(8, 8), ResBlock(8, 16, stride=2))
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        y = self.blocks(self.stem(x))
        y = F.adaptive_avg_pool2d(y, 1)
        return self.fc(y.view(y.size(0), -1))


def trained_stats(model, x):
    """A few training-mode passes, so the BatchNorm running statistics are not the defaults."""
    model.train()
    with npgrad.no_grad():
        for _ in range(3):
            model(x + npgrad.randn(*x.shape))
    return model


class RecurrentClassifier(nn.Module):
    def __init__(self, cell="LSTM", vocab=20, emb=8, hidden=16, classes=4, **kw):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.rnn = getattr(nn, cell)(emb, hidden, batch_first=True, **kw)
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(hidden * (2 if kw.get("bidirectional") else 1), classes)

    def forward(self, tokens):
        out, _ = self.rnn(self.emb(tokens))
        return F.log_softmax(self.fc(self.drop(out[:, -1, :])), dim=-1)


def test_mlp():
    proto = check_export(mlp(), lambda n: npgrad.randn(n, 1, 8, 8))
    assert op_types(proto) == ["Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm"]
    assert sorted(i.name for i in proto.graph.initializer) == sorted(mlp().state_dict())


def test_notes_cnn():
    proto = check_export(notes_cnn(), lambda n: npgrad.randn(n, 1, 28, 28), batches=(2, 7))
    assert op_types(proto).count("Conv") == 2 and op_types(proto).count("MaxPool") == 2
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and [d.dim_value for d in dims[1:]] == [1, 28, 28]


def test_resnet_block_with_batchnorm():
    model = trained_stats(ResNet(), npgrad.randn(8, 3, 12, 12))
    proto = check_export(model.eval(), lambda n: npgrad.randn(n, 3, 12, 12))
    assert op_types(proto).count("BatchNormalization") == 6
    assert "blocks.1.short.1.running_var" in {i.name for i in proto.graph.initializer}


@pytest.mark.parametrize("cell,kw", [("LSTM", {}), ("LSTM", {"num_layers": 2, "bidirectional": True}),
                                     ("GRU", {}), ("GRU", {"num_layers": 2}), ("RNN", {})])
def test_recurrent_classifier(cell, kw):
    proto = check_export(RecurrentClassifier(cell, **kw), lambda n: npgrad.randint(0, 20, (n, 9)), batches=(3, 1))
    assert cell in op_types(proto) and "Gather" in op_types(proto)


class Functional(nn.Module):
    """Plain tensor code in forward: reshapes from x.size(0), slicing, cat, reductions, arithmetic."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(npgrad.randn(6, 4))
        self.scale = nn.Parameter(npgrad.rand(4) + 0.5)

    def forward(self, x):
        n = x.size(0)
        h = x.reshape(n, 2, 6).permute(0, 2, 1).reshape(n, -1)[:, :6]
        h = (h @ self.w) * self.scale - 0.5
        h = npgrad.cat([h, h.exp().clamp(max=3.0), h.abs().sqrt()], dim=1)
        h = h.unsqueeze(1).expand(n, 2, 12).transpose(1, 2).flatten(1)
        g = F.gelu(h) + F.silu(h) / (1 + h.pow(2)) + npgrad.tanh(h).max(dim=1, keepdim=True).values
        return g.mean(dim=1) + g.sum(-1) * 0.1, F.softmax(g[:, ::3], dim=-1)


@pytest.mark.parametrize("opset", [13, 16, 17, 18, 20])
def test_functional_code(opset):
    proto = check_export(Functional(), lambda n: npgrad.randn(n, 12), opset_version=opset)
    assert len(proto.graph.output) == 2 and "ReduceMean" in op_types(proto)


def test_export_options(tmp_path):
    model = mlp()
    x = npgrad.randn(2, 1, 8, 8)
    path = tmp_path / "mlp.onnx"
    npgrad.onnx.export(model, (x,), str(path), input_names=["pixels"], output_names=["logits"],
                       dynamic_axes={"pixels": [0], "logits": [0]}, opset_version=17)
    proto = onnx.load(str(path))
    assert proto.opset_import[0].version == 17
    assert proto.graph.output[0].name == "logits"
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "pixels_dynamic_axes_1"
    got = session(str(path)).run(["logits"], {"pixels": x.numpy()})[0]
    with npgrad.no_grad():
        np.testing.assert_allclose(got, model(x).numpy(), rtol=1e-5, atol=1e-5)


def test_dynamic_shapes_keyword():
    buf = io.BytesIO()
    proto = npgrad.onnx.export(mlp(), (npgrad.randn(3, 1, 8, 8),), buf, input_names=["x"],
                               dynamic_shapes=({0: "n"},), dynamo=True, optimize=True)
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "n"
    assert proto.graph.output[0].type.tensor_type.shape.dim[0].dim_param == "n"


def test_static_shape_without_dynamic_axes():
    buf = io.BytesIO()
    proto = npgrad.onnx.export(mlp(), npgrad.randn(3, 1, 8, 8), buf)
    assert [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim] == [3, 1, 8, 8]
    assert [d.dim_value for d in proto.graph.output[0].type.tensor_type.shape.dim] == [3, 10]


def test_parameters_as_inputs_and_unfolded_constants():
    model = nn.Sequential(nn.Linear(4, 3), nn.Tanh())
    buf = io.BytesIO()
    proto = npgrad.onnx.export(model, npgrad.randn(2, 4), buf, export_params=False, do_constant_folding=False)
    assert not proto.graph.initializer
    assert [i.name for i in proto.graph.input] == ["input", "0.weight", "0.bias"]


def test_gelu_before_opset_20_is_decomposed():
    proto = check_export(nn.Sequential(nn.Linear(3, 3), nn.GELU()), lambda n: npgrad.randn(n, 3), opset_version=18)
    assert "Gelu" not in op_types(proto) and "Erf" in op_types(proto)
    proto = check_export(nn.GELU(), lambda n: npgrad.randn(n, 3), opset_version=20)
    assert "Gelu" in op_types(proto)


@pytest.mark.parametrize("opset", [11, 13, 16])
def test_older_opsets(opset):
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Hardswish(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.LayerNorm(36), nn.Linear(36, 5), nn.GroupNorm(1, 5), nn.Softmax(-1)).eval()
    if opset < 13:  # built for opset 13; ONNX's version converter cannot take Gemm lower: a warning, opset 13
        with pytest.warns(UserWarning, match="could not be converted to opset_version=11"):
            proto = check_export(model, lambda n: npgrad.randn(n, 1, 8, 8), opset_version=opset)
        assert proto.opset_import[0].version == 13
    else:
        proto = check_export(model, lambda n: npgrad.randn(n, 1, 8, 8), opset_version=opset)
        assert proto.opset_import[0].version == opset
    assert "LayerNormalization" not in op_types(proto)


def test_float64_model():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU()).double()
    check_export(model, lambda n: npgrad.randn(n, 3, dtype=npgrad.float64))


class InPlace(nn.Module):
    """In-place updates: of a traced value (seen by later ops), and of a constant after its use."""

    def forward(self, x):
        h = npgrad.zeros(3)
        y = x + h
        h.add_(1.5)  # a constant changed after y used it: y keeps the old value, z sees the new one
        z = y * h
        z += x
        z.relu_()
        return z.sigmoid_() - y


def test_in_place_operations():
    check_export(InPlace(), lambda n: npgrad.randn(n, 3))


def test_docstring_examples():
    import doctest

    import npgrad.onnx.exporter
    res = doctest.testmod(npgrad.onnx.exporter, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted >= 4


class Float(nn.Module):
    def forward(self, x):
        return x.float() * 0.5 + x.to(npgrad.float32).double().float()


def test_integer_casts():
    proto = check_export(nn.Sequential(Float(), nn.Linear(4, 2)), lambda n: npgrad.randint(0, 9, (n, 4)))
    assert "Cast" in op_types(proto)


class ArgmaxFeature(nn.Module):
    def forward(self, x):
        return x + x.argmax(1, keepdim=True).float()


def test_argmax_is_refused():
    with pytest.raises(npgrad.onnx.ExportError, match=r"model \(ArgmaxFeature\).*depends on the"):
        check_export(ArgmaxFeature(), lambda n: npgrad.randn(n, 4))
