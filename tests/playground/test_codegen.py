"""The generated code runs as shown, on npgrad and on PyTorch, and trains the same network on the same data."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from npgrad.playground.codegen import generate
from npgrad.playground.config import ConfigError
from npgrad.playground.data import parse_csv
from npgrad.playground.session import Session

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "src")
CONFIGS = [
    {"dataset": "circles", "features": ["x1", "x2", "x1^2", "x2^2"], "optimizer": "adam", "lr": 0.03},
    {"dataset": "moons", "hidden": [6, 4], "activation": "relu", "batchnorm": True, "dropout": 0.1,
     "regularization": "l2", "reg_rate": 0.001, "schedule": "cosine", "init": "kaiming", "optimizer": "momentum"},
    {"dataset": "bumps", "hidden": [8], "activation": "elu", "schedule": "exponential", "init": "xavier",
     "optimizer": "adam", "lr": 0.01},
    {"dataset": "xor", "hidden": [4], "activation": "step", "features": ["x1", "x2", "x1x2", "sin_x1", "sin_x2"]},
]


def _run(code, tmp_path, name):
    path = tmp_path / f"generated_{name}.py"
    path.write_text(code)
    env = dict(os.environ, PYTHONPATH=os.path.abspath(SRC), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    res = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=env, timeout=300,
                         cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    losses = [tuple(map(float, m)) for m in re.findall(r"train loss ([\d.]+), test loss ([\d.]+)", res.stdout)]
    assert losses, res.stdout
    return losses


@pytest.mark.parametrize("cfg", CONFIGS, ids=[c["dataset"] for c in CONFIGS])
def test_npgrad_code_runs_and_learns(cfg, tmp_path):
    losses = _run(generate(cfg, "npgrad", epochs=10), tmp_path, "npgrad")
    assert len(losses) == 1
    if cfg.get("activation") != "step":
        first = Session(cfg).losses()["train"]
        assert losses[-1][0] < first


@pytest.mark.parametrize("cfg", CONFIGS[1:2], ids=[c["dataset"] for c in CONFIGS[1:2]])
def test_the_same_code_runs_on_pytorch(cfg, tmp_path):
    pytest.importorskip("torch", reason="PyTorch is not installed")
    code = generate(cfg, "torch", epochs=10)
    assert code.splitlines()[1].startswith("import torch ")
    assert code.replace("import torch ", "import npgrad as torch ", 1).split("\n")[2:] == \
        generate(cfg, "npgrad", epochs=10).split("\n")[2:]             # only the import differs
    losses = _run(code, tmp_path, "torch")
    assert losses[-1][0] < 0.69


@pytest.mark.parametrize("cfg", CONFIGS, ids=[c["dataset"] for c in CONFIGS])
def test_generated_data_is_the_sessions_data(cfg):
    ns = {}
    exec(generate(cfg, "npgrad", epochs=0), ns)                         # no epochs: just the data and model
    s = Session(cfg)
    for split, key in (("train", "X_train"), ("test", "X_test")):
        X, y = s.points[split]
        np.testing.assert_allclose(ns[key].numpy(), X, atol=1e-6)
        if cfg["dataset"] != "bumps":                                   # its noise is drawn differently
            np.testing.assert_allclose(ns["y" + key[1:]].numpy(), y, atol=1e-6)
    assert [type(m).__name__ for m in ns["model"]] == [type(m).__name__ for m in s.model]


def test_csv_data_is_written_out(tmp_path):
    rng = np.random.default_rng(0)
    text = "".join(f"{a:.3f},{b:.3f},{int(a > b)}\n" for a, b in rng.normal(size=(40, 2)))
    X, y, _, _ = parse_csv(text)
    pts = [[float(a), float(b), float(c)] for (a, b), c in zip(X, y)]
    code = generate({"dataset": "csv", "hidden": [3]}, "npgrad", epochs=10, csv_points=pts)
    assert "DATA = np.array" in code
    _run(code, tmp_path, "csv")
    with pytest.raises(ConfigError, match="flavour"):
        generate({}, "jax")
