"""npgrad's export against PyTorch's own ``torch.onnx.export`` of the same model (same state_dict):
both graphs run in onnxruntime on the same inputs and must agree (and agree with npgrad)."""
import io
import warnings

import numpy as np
import pytest

import npgrad
import npgrad.nn as nn

from .helpers import session
from .test_models import RecurrentClassifier, ResBlock, notes_cnn, trained_stats

pytestmark = pytest.mark.torch


def torch_export(torch, model, x, names):
    """PyTorch's exporter; its TorchScript path needs no extra package (the default one needs onnxscript)."""
    buf = io.BytesIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (x,), buf, input_names=["x"], output_names=names, dynamo=False,
                              dynamic_axes={"x": {0: "batch"}, **{n: {0: "batch"} for n in names}})
    except (ImportError, ModuleNotFoundError, RuntimeError) as exc:  # pragma: no cover - depends on the install
        pytest.skip(f"torch.onnx.export is unavailable here: {exc}")
    return buf.getvalue()


def compare(torch, ours, theirs, inputs):
    """Load our weights into PyTorch's model, export both, run both graphs on each input."""
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    theirs.eval()
    ours.eval()
    buf = io.BytesIO()
    npgrad.onnx.export(ours, npgrad.from_numpy(inputs[0]), buf, input_names=["x"], output_names=["y"],
                       dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    a = session(buf.getvalue())
    b = session(torch_export(torch, theirs, torch.from_numpy(inputs[0]), ["y"]))
    for x in inputs:
        ya, yb = a.run(None, {"x": x})[0], b.run(None, {"x": x})[0]
        with npgrad.no_grad():
            want = ours(npgrad.from_numpy(x)).numpy()
        np.testing.assert_allclose(ya, yb, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(ya, want, rtol=1e-5, atol=1e-5)


def test_notes_cnn_against_torch(torch):
    tnn = torch.nn
    theirs = tnn.Sequential(tnn.Conv2d(1, 32, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                            tnn.Conv2d(32, 64, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
                            tnn.Linear(64 * 7 * 7, 128), tnn.ReLU(), tnn.Linear(128, 10))
    rng = np.random.default_rng(1)
    compare(torch, notes_cnn(), theirs, [rng.standard_normal((n, 1, 28, 28)).astype(np.float32) for n in (2, 5)])


def test_mlp_with_norms_against_torch(torch):
    tnn = torch.nn
    ours = nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.GELU(), nn.Dropout(0.3), nn.Linear(16, 8),
                         nn.LayerNorm(8), nn.LeakyReLU(0.1), nn.Linear(8, 3), nn.LogSoftmax(1))
    trained_stats(ours, npgrad.randn(16, 6))
    theirs = tnn.Sequential(tnn.Linear(6, 16), tnn.BatchNorm1d(16), tnn.GELU(), tnn.Dropout(0.3), tnn.Linear(16, 8),
                            tnn.LayerNorm(8), tnn.LeakyReLU(0.1), tnn.Linear(8, 3), tnn.LogSoftmax(1))
    rng = np.random.default_rng(2)
    compare(torch, ours, theirs, [rng.standard_normal((n, 6)).astype(np.float32) for n in (3, 8)])


def test_resnet_block_against_torch(torch):
    tnn = torch.nn

    class TorchBlock(tnn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = tnn.Conv2d(4, 8, 3, 2, 1, bias=False)
            self.bn1 = tnn.BatchNorm2d(8)
            self.conv2 = tnn.Conv2d(8, 8, 3, 1, 1, bias=False)
            self.bn2 = tnn.BatchNorm2d(8)
            self.short = tnn.Sequential(tnn.Conv2d(4, 8, 1, 2, bias=False), tnn.BatchNorm2d(8))

        def forward(self, x):
            y = torch.relu(self.bn1(self.conv1(x)))
            return torch.relu(self.bn2(self.conv2(y)) + self.short(x))

    ours = trained_stats(ResBlock(4, 8, stride=2), npgrad.randn(6, 4, 10, 10))
    rng = np.random.default_rng(3)
    compare(torch, ours, TorchBlock(), [rng.standard_normal((n, 4, 10, 10)).astype(np.float32) for n in (2, 4)])


@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_recurrent_classifier_against_torch(torch, cell):
    tnn = torch.nn

    class TorchClassifier(tnn.Module):
        def __init__(self):
            super().__init__()
            self.emb = tnn.Embedding(20, 8)
            self.rnn = getattr(tnn, cell)(8, 16, batch_first=True, num_layers=2, bidirectional=True)
            self.drop = tnn.Dropout(0.2)
            self.fc = tnn.Linear(32, 4)

        def forward(self, tokens):
            out, _ = self.rnn(self.emb(tokens))
            return torch.log_softmax(self.fc(self.drop(out[:, -1, :])), dim=-1)

    ours = RecurrentClassifier(cell, num_layers=2, bidirectional=True)
    rng = np.random.default_rng(4)
    compare(torch, ours, TorchClassifier(), [rng.integers(0, 20, (n, 9)) for n in (3, 1)])
