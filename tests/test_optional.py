"""The core install: a feature whose optional package is missing says which extra brings it."""
import sys

import pytest

import npgrad
from npgrad import _optional
from npgrad.cli import main


@pytest.fixture
def without(monkeypatch):
    """Make modules unimportable, as on a core install (sys.modules[name] = None blocks an import)."""
    def block(*names):
        for name in names:
            for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
                monkeypatch.delitem(sys.modules, loaded)
            monkeypatch.setitem(sys.modules, name, None)
    return block


def test_missing_message_names_every_package_and_the_extra(without):
    without("tqdm", "matplotlib")
    msg = _optional.missing_message(["tqdm", "matplotlib", "numpy"])
    assert "tqdm (progress bars)" in msg and "matplotlib (figures and plots)" in msg and "numpy" not in msg
    assert 'pip install "npgrad[train]"' in msg and "npgrad[all]" in msg and "\n" not in msg
    assert _optional.missing_message(["numpy"]) == ""


def test_viz_without_matplotlib_names_the_extra(without):
    without("matplotlib")
    with pytest.raises(ModuleNotFoundError, match=r'needs matplotlib: pip install "npgrad\[train\]"'):
        npgrad.viz.plot_history({"train_loss": [1.0, 0.5]})


def test_save_without_safetensors_names_the_extra(without, tmp_path):
    without("safetensors")
    with pytest.raises(ModuleNotFoundError, match=r"npgrad.save/npgrad.load needs safetensors"):
        npgrad.save({"w": npgrad.ones(2)}, tmp_path / "w.safetensors")


def test_train_on_toy_data_runs_without_the_extras(without, tmp_path, capsys):
    without("tqdm", "matplotlib", "safetensors")
    assert main(["train", "--dataset", "moons", "--epochs", "2", "--out", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    notes = [line for line in err.splitlines() if line]
    assert len(notes) == 1 and "tqdm" in notes[0] and "matplotlib" in notes[0] and "safetensors" in notes[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.csv"]
    assert "wrote metrics.csv to" in out


def test_labs_without_matplotlib_say_so_in_one_line(without, capsys):
    without("matplotlib")
    assert main(["lab", "graph"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "matplotlib" in err and "npgrad[train]" in err


def test_digits_without_scikit_learn_points_to_a_dataset_that_needs_nothing(without, capsys):
    without("sklearn")
    assert main(["train", "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert "scikit-learn" in err and "npgrad[digits]" in err and "--dataset moons" in err
