"""``python -m npgrad.compat SCRIPT.py``: an unmodified PyTorch script runs on npgrad (npgrad/compat.py)."""
import doctest
import os
import subprocess
import sys
import textwrap

import pytest

import npgrad
from npgrad import compat

SRC = os.path.dirname(os.path.dirname(npgrad.__file__))

SCRIPT = textwrap.dedent("""
    import sys
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from torch import optim
    from torch.utils.data import DataLoader, TensorDataset
    import torch.nn.modules.linear
    from torch.optim.lr_scheduler import StepLR

    print(torch.__name__, nn.__name__, F.__name__, optim.__name__, DataLoader.__module__.split(".")[0])
    print("args", sys.argv[1:])
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.ones(4, 3), torch.zeros(4, 1)
    for xb, yb in DataLoader(TensorDataset(x, y), batch_size=2):
        loss = F.mse_loss(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print("loss", round(loss.item(), 6) >= 0)
""")


def _run(tmp_path, *argv, script=SCRIPT):
    path = tmp_path / "train.py"
    path.write_text(script)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "npgrad.compat", *argv], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)


def test_runs_an_unmodified_torch_script_on_npgrad(tmp_path):
    res = _run(tmp_path, "train.py", "--epochs", "2")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "npgrad npgrad.nn npgrad.nn.functional npgrad.optim npgrad"
    assert lines[1] == "args ['--epochs', '2']"
    assert lines[2] == "loss True"


def test_script_folder_is_on_the_path_like_python_does(tmp_path):
    (tmp_path / "helper.py").write_text("import torch\nVALUE = torch.tensor([2.0]).sum().item()\n")
    res = _run(tmp_path, "train.py", script="from helper import VALUE\nimport torch\nprint(VALUE, torch.__name__)\n")
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["2.0", "npgrad"]


def test_missing_counterpart_names_the_torch_module(tmp_path):
    res = _run(tmp_path, "train.py", script="import torch.no_such_module\n")
    assert res.returncode != 0
    assert "torch.no_such_module" in res.stderr and "npgrad has no counterpart" in res.stderr


def test_usage_and_missing_script(tmp_path):
    assert _run(tmp_path).returncode == 2
    res = _run(tmp_path, "nope.py")
    assert res.returncode == 2 and "nope.py" in res.stderr


def test_alias_is_scoped_and_restores_a_real_torch():
    real = sys.modules.get("torch")
    with compat.torch_alias():
        import torch
        import torch.nn.functional as F
        assert torch is npgrad and F is npgrad.nn.functional
    assert sys.modules.get("torch") is real
    assert npgrad.__spec__.name == "npgrad"  # the import system's alias spec is not left on npgrad


def test_run_script_in_process(tmp_path, capsys):
    path = tmp_path / "s.py"
    path.write_text("import torch\nprint(torch.arange(3).sum(axis=0).item())\n")
    compat.run_script(path)
    assert capsys.readouterr().out.strip() == "3"


def test_docstring_examples():
    res = doctest.testmod(compat)
    assert res.failed == 0 and res.attempted > 0


def test_torch_nn_modules_paths_resolve():
    with compat.torch_alias():
        from torch.nn.modules.linear import Linear
        from torch.nn.modules.loss import MSELoss
    assert Linear is npgrad.nn.Linear and MSELoss is npgrad.nn.MSELoss


def test_a_missing_dependency_inside_npgrad_is_not_reported_as_a_missing_counterpart(monkeypatch):
    import importlib

    def fake_import(name, package=None):
        raise ModuleNotFoundError("No module named 'somedep'", name="somedep")
    monkeypatch.setattr(importlib, "import_module", fake_import)
    with pytest.raises(ModuleNotFoundError, match="somedep"):
        compat._TorchFinder().find_spec("torch.viz")
