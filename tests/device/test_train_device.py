"""Training on the device: the Trainer moves batches to the model's device, and ``npgrad train
--device cuda`` runs there, with the numbers of the CPU run."""
import contextlib
import io

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.cli import main
from npgrad.train import Trainer
from npgrad.utils.data import DataLoader, TensorDataset


def _history(device):
    npgrad.manual_seed(0)
    x = npgrad.randn(96, 4, dtype=npgrad.float64)
    y = (x[:, 0] + x[:, 1] > 0).long()
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2)).double().to(device)
    opt = npgrad.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)  # CPU batches
    hist = Trainer(model, opt, seed=1, log=None, progress=False).fit(loader, loader, epochs=3)
    return hist, model


def test_trainer_follows_the_model_to_the_device(cuda):
    cpu_hist, cpu_model = _history("cpu")
    dev_hist, dev_model = _history(cuda)
    assert next(dev_model.parameters()).device == cuda
    for a, b in zip(cpu_hist, dev_hist):
        for k in ("train_loss", "train_acc", "test_loss", "test_acc"):
            assert a[k] == pytest.approx(b[k], rel=1e-12, abs=1e-12), k
    for p, q in zip(cpu_model.parameters(), dev_model.parameters()):
        np.testing.assert_allclose(q.detach().cpu().numpy(), p.detach().numpy(), rtol=1e-12, atol=1e-12)


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_train_command_on_the_device(cuda, tmp_path):
    argv = ["train", "--dataset", "moons", "--epochs", "2", "--optimizer", "sgd"]
    code, out, _ = _run(argv + ["--device", "cuda", "--out", str(tmp_path / "gpu")])
    assert code == 0 and "running on cuda:0" in out
    code, out_cpu, _ = _run(argv + ["--device", "cpu", "--out", str(tmp_path / "cpu")])
    assert code == 0 and "running on" not in out_cpu
    table = [line.split()[:5] for line in out.splitlines() if line.strip()[:1].isdigit()]
    table_cpu = [line.split()[:5] for line in out_cpu.splitlines() if line.strip()[:1].isdigit()]
    assert table and table == table_cpu  # the same losses and accuracies, to the digits printed
    code, out, _ = _run(["evaluate", str(tmp_path / "gpu"), "--device", "cuda"])
    assert code == 0 and "accuracy" in out


def test_device_cuda_without_a_gpu_is_one_line_error(tmp_path):
    code, out, err = _run(["train", "--dataset", "moons", "--epochs", "1", "--device", "cuda",
                           "--out", str(tmp_path / "x")])
    assert code == 2 and out == ""
    assert err.strip() == 'npgrad train: error: --device cuda needs CuPy and an NVIDIA GPU (pip install "npgrad[cuda]"); ' \
                          "none is available here"


def test_onnx_export_of_a_model_on_the_device(cuda, tmp_path):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).to(cuda)
    x = npgrad.randn(2, 4, device=cuda)
    path = str(tmp_path / "m.onnx")
    npgrad.onnx.export(model, x, path, input_names=["x"])
    assert next(model.parameters()).device == cuda  # the model stays on the device
    got = ort.InferenceSession(path).run(None, {"x": x.cpu().numpy()})[0]
    with npgrad.no_grad():
        want = model(x).cpu().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
