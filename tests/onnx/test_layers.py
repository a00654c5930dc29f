"""Every layer type of npgrad.nn that ONNX can express: exported, run in onnxruntime, compared."""
import numpy as np
import pytest

import npgrad
import npgrad.nn as nn

from .helpers import check_export, op_types


def img(c=3, h=9, w=8):
    return lambda n: npgrad.randn(n, c, h, w)


def seq(c=4, length=10):
    return lambda n: npgrad.randn(n, c, length)


def vec(f=6):
    return lambda n: npgrad.randn(n, f)


def with_stats(bn):
    bn.running_mean.copy_(npgrad.randn(bn.num_features))
    bn.running_var.copy_(npgrad.rand(bn.num_features) + 0.5)
    return bn


LAYERS = {
    "Linear": (lambda: nn.Linear(6, 4), vec(), "Gemm"),
    "Linear-3d": (lambda: nn.Linear(4, 3, bias=False), lambda n: npgrad.randn(n, 5, 4), "MatMul"),
    "Identity": (lambda: nn.Sequential(nn.Identity(), nn.Linear(6, 2)), vec(), "Gemm"),
    "Conv1d": (lambda: nn.Conv1d(4, 5, 3, stride=2, padding=1), seq(), "Conv"),
    "Conv2d": (lambda: nn.Conv2d(3, 4, 3, padding=1), img(), "Conv"),
    "Conv2d-strided-dilated": (lambda: nn.Conv2d(3, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=2,
                                                 groups=3), img(), "Conv"),
    "Conv2d-same": (lambda: nn.Conv2d(3, 2, 4, padding="same"), img(), "Conv"),
    "Conv1d-same-dilated": (lambda: nn.Conv1d(4, 4, 4, padding="same", dilation=2, groups=2, bias=False), seq(),
                            "Conv"),
    "Conv1d-reflect": (lambda: nn.Conv1d(4, 3, 3, padding=2, padding_mode="reflect"), seq(), "Conv"),
    "Conv2d-circular": (lambda: nn.Conv2d(3, 2, 3, padding=1, padding_mode="circular"), img(), "Conv"),
    "ConvTranspose1d": (lambda: nn.ConvTranspose1d(4, 2, 3, stride=2, padding=1, output_padding=1), seq(),
                        "ConvTranspose"),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), img(),
                        "ConvTranspose"),
    "MaxPool1d": (lambda: nn.MaxPool1d(3, stride=2, padding=1), seq(), "MaxPool"),
    "MaxPool2d": (lambda: nn.MaxPool2d(2), img(), "MaxPool"),
    "MaxPool2d-ceil": (lambda: nn.MaxPool2d(3, stride=2, ceil_mode=True), img(), "MaxPool"),
    "AvgPool1d": (lambda: nn.AvgPool1d(3, stride=2, padding=1), seq(), "AveragePool"),
    "AvgPool2d": (lambda: nn.AvgPool2d(2), img(), "AveragePool"),
    "AvgPool2d-no-pad-count": (lambda: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), img(),
                               "AveragePool"),
    "AvgPool2d-ceil": (lambda: nn.AvgPool2d(3, stride=2, ceil_mode=True), img(), "AveragePool"),
    "AvgPool2d-ceil-padded": (lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True), img(10, 10, 8),
                              "AveragePool"),
    "AvgPool2d-ceil-no-pad-count": (lambda: nn.AvgPool2d(2, stride=2, padding=1, ceil_mode=True,
                                                         count_include_pad=False), img(), "AveragePool"),
    "MaxPool2d-ceil-padded": (lambda: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), img(10, 10, 8),
                              "MaxPool"),
    "AdaptiveAvgPool2d-global": (lambda: nn.AdaptiveAvgPool2d(1), img(), "ReduceMean"),
    "AdaptiveAvgPool2d": (lambda: nn.AdaptiveAvgPool2d((2, 3)), img(), None),
    "AdaptiveAvgPool1d": (lambda: nn.AdaptiveAvgPool1d(4), seq(), None),
    "BatchNorm1d": (lambda: with_stats(nn.BatchNorm1d(6)), vec(), "BatchNormalization"),
    "BatchNorm1d-3d": (lambda: with_stats(nn.BatchNorm1d(4)), seq(), "BatchNormalization"),
    "BatchNorm2d": (lambda: with_stats(nn.BatchNorm2d(3)), img(), "BatchNormalization"),
    "BatchNorm2d-no-affine": (lambda: with_stats(nn.BatchNorm2d(3, affine=False)), img(), "BatchNormalization"),
    "LayerNorm": (lambda: nn.LayerNorm(6), vec(), "LayerNormalization"),
    "LayerNorm-2d": (lambda: nn.LayerNorm((9, 8), elementwise_affine=False), img(), "LayerNormalization"),
    "GroupNorm": (lambda: nn.GroupNorm(2, 4), seq(), "LayerNormalization"),
    "Dropout": (lambda: nn.Sequential(nn.Dropout(0.5), nn.Linear(6, 2)), vec(), "Identity"),
    "Dropout2d": (lambda: nn.Dropout2d(0.3), img(), "Identity"),
    "Flatten": (lambda: nn.Flatten(), img(), "Flatten"),
    "Flatten-from-2": (lambda: nn.Flatten(2), img(), "Reshape"),
    "Unflatten": (lambda: nn.Unflatten(1, (2, 3)), vec(), "Reshape"),
    "Embedding": (lambda: nn.Embedding(10, 3, padding_idx=0), lambda n: npgrad.randint(0, 10, (n, 7)), "Gather"),
    "Bilinear": (lambda: nn.Bilinear(3, 4, 2), lambda n: (npgrad.randn(n, 3), npgrad.randn(n, 4)), "Einsum"),
}
for name, act, onnx_op in [("ReLU", nn.ReLU(), "Relu"), ("ReLU-inplace", nn.ReLU(inplace=True), "Relu"),
                           ("ReLU6", nn.ReLU6(), "Clip"), ("SiLU", nn.SiLU(), "Sigmoid"),
                           ("Mish", nn.Mish(), "Softplus"), ("SELU", nn.SELU(), "Elu"),
                           ("Hardsigmoid", nn.Hardsigmoid(), "HardSigmoid"),
                           ("Hardswish", nn.Hardswish(), "HardSwish"), ("LeakyReLU", nn.LeakyReLU(0.2), "LeakyRelu"),
                           ("ELU", nn.ELU(0.7), "Elu"), ("CELU", nn.CELU(1.5), "Elu"), ("GELU", nn.GELU(), None),
                           ("GELU-tanh", nn.GELU("tanh"), "Tanh"), ("Softplus", nn.Softplus(), "Softplus"),
                           ("Softplus-beta", nn.Softplus(beta=2.0), "Softplus"), ("Sigmoid", nn.Sigmoid(), "Sigmoid"),
                           ("Tanh", nn.Tanh(), "Tanh"), ("LogSigmoid", nn.LogSigmoid(), "Softplus"),
                           ("Softsign", nn.Softsign(), "Abs"), ("Tanhshrink", nn.Tanhshrink(), "Tanh"),
                           ("Sign", nn.Sign(), "Sign"), ("Hardtanh", nn.Hardtanh(-0.5, 0.8), "Clip"),
                           ("Threshold", nn.Threshold(0.1, -2.0), "Where"), ("Step", nn.Step(0.2, -1.0, 1.0), "Where"),
                           ("Softmax", nn.Softmax(dim=1), "Softmax"), ("LogSoftmax", nn.LogSoftmax(1), "LogSoftmax"),
                           ("Softmin", nn.Softmin(1), "Softmax"),
                           ("Softmax-temperature", nn.Softmax(dim=1, temperature=2.0), "Softmax")]:
    LAYERS[name] = ((lambda a=act: a), vec(), onnx_op)
LAYERS["PReLU"] = (lambda: nn.PReLU(), vec(), "PRelu")
LAYERS["PReLU-channels"] = (lambda: nn.PReLU(3, 0.1), img(), "PRelu")


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer(name):
    make, inputs, onnx_op = LAYERS[name]
    model = make()
    proto = check_export(model, inputs)
    if onnx_op is not None:
        assert onnx_op in op_types(proto)
    # weights and buffers are initializers under their state_dict names (a Conv1d with another padding mode
    # runs as a 2-d conv on a height-1 image: its weight is folded into a reshaped constant)
    inits = {i.name for i in proto.graph.initializer}
    if name != "Conv1d-reflect":
        assert all(k in inits for k in model.state_dict() if "num_batches_tracked" not in k)


def test_unbatched_conv1d():
    conv = nn.Conv1d(2, 3, 3)
    proto = npgrad.onnx.export(conv, npgrad.randn(2, 7), None)
    from .helpers import session
    x = npgrad.randn(2, 7)
    with npgrad.no_grad():
        np.testing.assert_allclose(session(proto.SerializeToString()).run(None, {"input": x.numpy()})[0],
                                   conv(x).numpy(), rtol=1e-5, atol=1e-5)


RECURRENT = [("LSTM", {}), ("LSTM", {"num_layers": 2, "bidirectional": True}), ("LSTM", {"batch_first": True}),
             ("GRU", {}), ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}),
             ("RNN", {}), ("RNN", {"nonlinearity": "relu", "num_layers": 2}), ("LSTM", {"bias": False})]


@pytest.mark.parametrize("mode,kw", RECURRENT, ids=[f"{m}-{'-'.join(map(str, k.values()))}" for m, k in RECURRENT])
def test_recurrent(mode, kw):
    layer = getattr(nn, mode)(4, 5, **kw)
    first = kw.get("batch_first", False)
    proto = check_export(layer, lambda n: npgrad.randn(n, 6, 4) if first else npgrad.randn(6, n, 4),
                         batch_axes=[0 if first else 1])
    assert mode in op_types(proto)


def test_recurrent_initial_state():
    layer = nn.LSTM(4, 5, num_layers=2, batch_first=True)
    proto = check_export(layer, lambda n: (npgrad.randn(n, 6, 4), (npgrad.randn(2, n, 5), npgrad.randn(2, n, 5))),
                         batch_axes=[0, 1, 1])
    assert op_types(proto).count("LSTM") == 2


@pytest.mark.parametrize("cell", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells(cell):
    # the zero initial state made inside forward follows the batch size (expanded to the input's)
    proto = check_export(getattr(nn, cell)(4, 5), vec(4))
    assert "Expand" in op_types(proto)
