"""``npgrad export CHECKPOINT model.onnx`` for the models ``npgrad train`` makes."""
import contextlib
import io

import numpy as np
import pytest

import npgrad
from npgrad.cli import CHECKPOINT_FORMAT, main
from npgrad.train import build_model, model_spec, save_checkpoint

from .helpers import session

pytest.importorskip("safetensors", reason="npgrad train's checkpoints are safetensors files")


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _checkpoint(path, kind, input_shape):
    spec = model_spec(kind, input_shape, 10)
    model = build_model(spec)
    meta = {"format": CHECKPOINT_FORMAT, "dataset": "digits", "arch": spec, "mean": 0.25, "std": 0.5,
            "classes": [str(i) for i in range(10)]}
    save_checkpoint(str(path), model, meta)
    return model


@pytest.mark.parametrize("kind,shape", [("mlp", [1, 8, 8]), ("cnn", [1, 28, 28]), ("linear", [1, 8, 8])])
def test_export_command(tmp_path, kind, shape):
    model = _checkpoint(tmp_path / "model.safetensors", kind, shape)
    out = tmp_path / "model.onnx"
    code, stdout, stderr = _run(["export", str(tmp_path / "model.safetensors"), str(out)])
    assert code == 0, stderr
    assert f"wrote {out}" in stdout and "'input'" in stdout and "'logits'" in stdout
    sess = session(str(out))
    model.eval()
    for n in (1, 6):
        x = np.random.default_rng(n).standard_normal((n, *shape)).astype(np.float32)
        (got,) = sess.run(["logits"], {"input": x})
        with npgrad.no_grad():
            np.testing.assert_allclose(got, model(npgrad.from_numpy(x)).numpy(), rtol=1e-5, atol=1e-5)
    import onnx
    meta = {p.key: p.value for p in onnx.load(str(out)).metadata_props}
    assert meta["mean"] == "0.25" and meta["dataset"] == "digits"


def test_export_command_errors(tmp_path):
    code, _, stderr = _run(["export", str(tmp_path / "missing.safetensors"), str(tmp_path / "m.onnx")])
    assert code == 2 and stderr.startswith("npgrad export: error: cannot load checkpoint")
    _checkpoint(tmp_path / "m.safetensors", "mlp", [1, 8, 8])
    code, _, stderr = _run(["export", str(tmp_path / "m.safetensors"), str(tmp_path / "no" / "such" / "m.onnx")])
    assert code == 2 and stderr.startswith("npgrad export: error:")
    code, _, stderr = _run(["export", str(tmp_path / "m.safetensors")])
    assert code == 2 and "output" in stderr


def test_export_command_without_onnx(tmp_path, monkeypatch):
    import sys
    _checkpoint(tmp_path / "m.safetensors", "mlp", [1, 8, 8])
    monkeypatch.setitem(sys.modules, "onnx", None)
    code, _, stderr = _run(["export", str(tmp_path / "m.safetensors"), str(tmp_path / "m.onnx")])
    assert code == 2 and 'npgrad export needs onnx: pip install "npgrad[onnx]"' in stderr
    assert not (tmp_path / "m.onnx").exists()


def test_export_command_takes_a_run_folder(tmp_path):
    _checkpoint(tmp_path / "model.safetensors", "mlp", [1, 8, 8])
    code, stdout, stderr = _run(["export", str(tmp_path), str(tmp_path / "m.onnx"), "--opset", "17"])
    assert code == 0, stderr
    import onnx
    assert onnx.load(str(tmp_path / "m.onnx")).opset_import[0].version == 17
