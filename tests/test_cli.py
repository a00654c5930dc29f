"""The ``npgrad`` command, run in-process through ``npgrad.cli.main``."""
import contextlib
import csv
import io
import os
import sys

import matplotlib.image as mpimg
import numpy as np
import pytest

import npgrad
from npgrad.cli import main
from npgrad.train import load_checkpoint, save_checkpoint

from tests.sample_data import mnist_t10k


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """``npgrad train`` with no options (plus --out): the MLP on the bundled digits."""
    pytest.importorskip("sklearn")
    out = tmp_path_factory.mktemp("run")
    code, stdout, stderr = _run(["train", "--out", str(out)])
    return out, code, stdout, stderr


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """A shorter digits run (8 epochs) whose checkpoint the evaluate/predict tests use."""
    pytest.importorskip("sklearn")
    out = tmp_path_factory.mktemp("small")
    code, stdout, stderr = _run(["train", "--epochs", "8", "--out", str(out)])
    assert code == 0, stderr
    return out


def _digit_png(path, image, dark_on_light=True, scale=8):
    """An 8x8 digit (values in [0, 1]) drawn ``scale`` times larger, as ink on paper by default."""
    big = np.kron(image, np.ones((scale, scale)))
    mpimg.imsave(str(path), 1.0 - big if dark_on_light else big, cmap="gray", vmin=0, vmax=1)


@pytest.mark.slow
def test_default_train_reaches_97_percent_and_writes_its_files(default_run):
    out, code, stdout, stderr = default_run
    assert code == 0, stderr
    lines = stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:1] == ["epoch"])
    assert lines[header].split() == ["epoch", "train_loss", "train_acc", "test_loss", "test_acc", "time"]
    rows = [line.split() for line in lines[header + 1:] if line.split() and line.split()[0].isdigit()]
    assert [int(r[0]) for r in rows] == list(range(1, 31))
    with open(out / "metrics.csv") as f:
        records = list(csv.DictReader(f))
    assert len(records) == 30
    assert float(records[-1]["test_acc"]) >= 0.97
    assert float(records[-1]["train_loss"]) < float(records[0]["train_loss"])
    assert "test accuracy" in lines[-2] and str(out) in lines[-1]
    img = mpimg.imread(str(out / "curves.png"))
    assert img.ndim == 3 and img.std() > 0.01
    state, meta = load_checkpoint(str(out / "model.safetensors"))
    assert meta["dataset"] == "digits" and meta["arch"]["model"] == "mlp" and meta["arch"]["hidden"] == [256, 128]
    assert meta["epoch"] == 30 and meta["test_acc"] == pytest.approx(float(records[-1]["test_acc"]))
    assert set(state) == {"1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias"}
    _, best = load_checkpoint(str(out / "best.safetensors"))
    assert best["test_acc"] == pytest.approx(max(float(r["test_acc"]) for r in records))


def test_evaluate_prints_accuracy_per_class_and_confusion_matrix(small_run):
    out = small_run
    code, stdout, stderr = _run(["evaluate", str(out / "model.safetensors")])
    assert code == 0, stderr
    with open(out / "metrics.csv") as f:
        final = float(list(csv.DictReader(f))[-1]["test_acc"])
    assert f"accuracy {final:.2%}" in stdout
    lines = stdout.splitlines()
    start = lines.index("per-class accuracy:")
    assert [line.split()[0] for line in lines[start + 1:start + 11]] == [str(i) for i in range(10)]
    matrix = [[int(v) for v in line.split()[1:]] for line in lines[-10:]]
    assert np.array(matrix).sum() == 360 and np.trace(matrix) == round(final * 360)


def test_predict_top3_on_pictures_of_test_digits(small_run, tmp_path):
    from npgrad.train.data import load_data
    out = small_run
    data = load_data("digits")
    raw = data.x_test._data[:, 0] * data.std + data.mean          # back to [0, 1] pixels
    hits = 0
    for i in range(10):
        _digit_png(tmp_path / f"{i}.png", raw[i], dark_on_light=i % 2 == 0)
        code, stdout, stderr = _run(["predict", str(out / "model.safetensors"), str(tmp_path / f"{i}.png")])
        assert code == 0, stderr
        lines = stdout.splitlines()
        assert len(lines) == 4 and [line.split()[0] for line in lines[1:]] == ["1.", "2.", "3."]
        probs = [float(line.split()[2]) for line in lines[1:]]
        assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1.0001
        hits += lines[0].split()[-1] == str(int(data.y_test._data[i]))
    assert hits >= 8


def test_toy_dataset_and_cnn_runs(tmp_path):
    code, stdout, stderr = _run(["train", "--dataset", "moons", "--epochs", "30", "--out", str(tmp_path / "m")])
    assert code == 0, stderr
    with open(tmp_path / "m" / "metrics.csv") as f:
        assert float(list(csv.DictReader(f))[-1]["test_acc"]) >= 0.95
    code, stdout, stderr = _run(["train", "--model", "cnn", "--epochs", "2", "--limit", "300", "--optimizer",
                                 "momentum", "--out", str(tmp_path / "c")])
    assert code == 0, stderr
    assert "cnn 1x8x8" in stdout
    code, stdout, stderr = _run(["evaluate", str(tmp_path / "c" / "model.safetensors"), "--model", "cnn"])
    assert code == 0 and "confusion matrix" in stdout


@pytest.mark.parametrize("optimizer", ["sgd", "adamw", "rmsprop", "adagrad"])
def test_every_optimizer_trains(optimizer, tmp_path):
    code, _, stderr = _run(["train", "--optimizer", optimizer, "--epochs", "3", "--limit", "400",
                            "--weight-decay", "0.0001", "--seed", "3", "--out", str(tmp_path)])
    assert code == 0, stderr
    with open(tmp_path / "metrics.csv") as f:
        records = list(csv.DictReader(f))
    assert float(records[-1]["train_loss"]) < float(records[0]["train_loss"])


def test_same_seed_same_metrics(tmp_path):
    def losses(folder):
        _run(["train", "--dataset", "xor", "--epochs", "5", "--seed", "5", "--out", str(folder)])
        with open(folder / "metrics.csv") as f:
            return [r["train_loss"] for r in csv.DictReader(f)]
    assert losses(tmp_path / "a") == losses(tmp_path / "b")


def test_mnist_layout_train_evaluate_predict(tmp_path):
    """MNIST files in a --data-root (here: pieces of the real test split written as IDX files)."""
    folder = mnist_t10k()
    from npgrad.datasets import MNIST, write_idx
    real = MNIST(folder, train=False)
    raw = tmp_path / "data" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for split, sl in (("train", slice(0, 1000)), ("t10k", slice(9000, 9500))):
        write_idx(str(raw / f"{split}-images-idx3-ubyte"), real.data._data[sl])
        write_idx(str(raw / f"{split}-labels-idx1-ubyte"), real.targets._data[sl].astype(np.uint8))
    code, stdout, stderr = _run(["train", "--dataset", "mnist", "--data-root", str(tmp_path / "data"), "--epochs",
                                 "3", "--out", str(tmp_path / "run")])
    assert code == 0, stderr
    assert "1000 train / 500 test, input 1x28x28" in stdout
    code, stdout, _ = _run(["evaluate", str(tmp_path / "run" / "model.safetensors"), "--data-root",
                            str(tmp_path / "data")])
    assert code == 0 and "(500 examples)" not in stdout and "/500)" in stdout
    digit = real.data._data[9600] / 255.0
    mpimg.imsave(str(tmp_path / "d.png"), 1.0 - digit, cmap="gray", vmin=0, vmax=1)
    code, stdout, _ = _run(["predict", str(tmp_path / "run" / "model.safetensors"), str(tmp_path / "d.png")])
    assert code == 0 and len(stdout.splitlines()) == 4


def test_version_and_help():
    code, stdout, _ = _run(["--version"])
    assert code == 0 and stdout.strip() == f"npgrad {npgrad.__version__}"
    code, stdout, _ = _run(["train", "--help"])
    assert code == 0 and "--dataset" in stdout and "--optimizer" in stdout


def test_lab_dispatch_and_missing_labs(monkeypatch):
    labs = pytest.importorskip("npgrad.labs")
    code, stdout, _ = _run(["lab"])
    assert code == 0 and stdout == labs.listing() + "\n"
    monkeypatch.delattr(npgrad, "labs", raising=False)
    monkeypatch.setitem(sys.modules, "npgrad.labs", None)          # as if the labs were not installed
    code, stdout, stderr = _run(["lab"])
    assert code == 2 and stderr.count("\n") == 1 and "not installed" in stderr


# -- bad arguments: one line on stderr, exit status 2 ---------------------------------------------------
def _one_line_error(argv, *fragments):
    code, stdout, stderr = _run(argv)
    assert code == 2
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    assert stderr.startswith("npgrad") and "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in stderr, stderr
    return stderr


@pytest.mark.parametrize("argv,fragment", [
    (["train", "--dataset", "cifar"], "invalid choice: 'cifar'"),
    (["train", "--model", "transformer"], "invalid choice: 'transformer'"),
    (["train", "--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
    (["train", "--epochs", "-3"], "--epochs: must be a positive integer, got -3"),
    (["train", "--epochs", "ten"], "--epochs: must be a positive integer"),
    (["train", "--batch-size", "0"], "--batch-size: must be a positive integer, got 0"),
    (["train", "--lr", "-0.1"], "--lr: must be > 0, got -0.1"),
    (["train", "--lr", "nan"], "--lr"),
    (["train", "--weight-decay", "-1"], "--weight-decay: must be >= 0"),
    (["train", "--label-smoothing", "1"], "--label-smoothing"),
    (["train", "--limit", "-5"], "--limit"),
    (["train", "--hidden", "64,x"], "--hidden"),
    (["train", "--model", "cnn", "--hidden", "64"], "--hidden"),
    (["train", "--dataset", "spirals", "--model", "cnn"], "cnn needs images"),
    (["train", "--dataset", "mnist", "--data-root", "/nonexistent-npgrad-data"], "--download"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["predict"], "required"),
    (["evaluate", "/nonexistent/model.safetensors"], "checkpoint not found"),
    (["lab", "no-such-lab"], "no-such-lab"),
])
def test_bad_arguments(argv, fragment, tmp_path):
    _one_line_error(argv + (["--out", str(tmp_path / "o")] if argv[0] == "train" else []), fragment)


def test_no_arguments_prints_help_and_exits_2():
    code, stdout, stderr = _run([])
    assert code == 2 and "train" in stderr and "evaluate" in stderr


def test_bad_checkpoints_and_images(small_run, tmp_path):
    ckpt = str(small_run / "model.safetensors")
    _one_line_error(["evaluate", ckpt, "--model", "cnn"], "not --model cnn")
    _one_line_error(["predict", ckpt, str(tmp_path / "missing.png")], "image not found")
    (tmp_path / "junk.png").write_bytes(b"\x89PNG but not really")
    _one_line_error(["predict", ckpt, str(tmp_path / "junk.png")], "cannot read image")
    _one_line_error(["evaluate", ckpt, "--dataset", "moons"], "--dataset moons", "1x8x8")
    (tmp_path / "trunc.safetensors").write_bytes(open(ckpt, "rb").read()[:1000])
    _one_line_error(["evaluate", str(tmp_path / "trunc.safetensors")], "cannot load checkpoint")
    # weights of one architecture under the metadata of another
    state, meta = load_checkpoint(ckpt)
    meta["arch"]["hidden"] = [64, 32]
    model = npgrad.nn.Module()
    model.state_dict = lambda: state
    save_checkpoint(str(tmp_path / "mixed.safetensors"), model, meta)
    _one_line_error(["evaluate", str(tmp_path / "mixed.safetensors")], "does not match", "mlp 64-64-32-10")
    # a plain state_dict with no training metadata
    npgrad.save(dict(state), str(tmp_path / "bare.safetensors"))
    _one_line_error(["predict", str(tmp_path / "bare.safetensors"), str(tmp_path / "junk.png")],
                    "not a checkpoint written by 'npgrad train'")


def test_predict_needs_an_image_model(tmp_path):
    _run(["train", "--dataset", "circles", "--epochs", "1", "--out", str(tmp_path)])
    mpimg.imsave(str(tmp_path / "x.png"), np.zeros((8, 8)))
    _one_line_error(["predict", str(tmp_path / "model.safetensors"), str(tmp_path / "x.png")], "1-channel images")


def test_as_a_process_exit_status_and_no_traceback():
    import subprocess
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(os.path.dirname(__file__), "..", "src"),
                                                       os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "npgrad.cli", "train", "--epochs", "-1"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "npgrad train: error: argument --epochs: must be a positive integer, got -1\n"


def test_default_output_folder_is_under_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for _ in range(2):   # a second run in the same second gets its own folder
        code, stdout, stderr = _run(["train", "--dataset", "xor", "--epochs", "1"])
        assert code == 0, stderr
    folders = sorted(os.listdir(tmp_path / "runs"))
    assert len(folders) == 2 and all(f.startswith("xor-mlp-") for f in folders)
    assert sorted(os.listdir(tmp_path / "runs" / folders[0])) == ["best.safetensors", "curves.png", "metrics.csv",
                                                                   "model.safetensors"]


@pytest.mark.parametrize("argv", [["lab"], ["lab", "graph", "--out", "{tmp}"], ["--help"]])
def test_closed_pipe_ends_quietly(argv, tmp_path):
    """`npgrad ... | head -1`: the reader goes away; no BrokenPipeError traceback."""
    import subprocess
    argv = [a.format(tmp=tmp_path) for a in argv]
    p = subprocess.Popen([sys.executable, "-m", "npgrad", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=tmp_path)
    p.stdout.close()                                   # before the command writes anything
    err = p.stderr.read().decode()
    p.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_python_dash_m_npgrad_is_the_command(tmp_path):
    import subprocess
    r = subprocess.run([sys.executable, "-m", "npgrad", "lab"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0 and "Labs" in r.stdout


def test_threads_option_sets_blas_threads(monkeypatch, tmp_path):
    seen = []
    monkeypatch.setattr(npgrad, "set_num_threads", seen.append)
    code, _, err = _run(["train", "--dataset", "xor", "--epochs", "1", "--threads", "1", "--out", str(tmp_path)])
    assert code == 0 and seen == [1], err
    code, _, err = _run(["train", "--threads", "0"])
    assert code == 2 and "--threads: must be a positive integer, got 0" in err


def test_a_diverging_run_fails_with_one_line_and_saves_nothing(tmp_path):
    out = tmp_path / "run"
    code, stdout, err = _run(["train", "--dataset", "xor", "--optimizer", "sgd", "--lr", "1e9", "--epochs", "3",
                              "--out", str(out)])
    assert code == 2 and err.strip() == "npgrad train: error: the run diverged (the loss is not finite); " \
                                        "try a smaller --lr than 1e+09"
    assert not out.exists() and "diverged: the loss became nan" in stdout


def test_train_output_labels_its_losses_and_fits_100_columns(tmp_path):
    code, stdout, _ = _run(["train", "--dataset", "xor", "--epochs", "2", "--out", str(tmp_path)])
    assert code == 0 and "train_loss includes label smoothing 0.1; test_loss is plain cross-entropy" in stdout
    assert max(len(line.replace(str(tmp_path), "")) for line in stdout.splitlines()) <= 100


def test_evaluate_and_predict_take_a_run_folder(small_run, tmp_path):
    code, stdout, err = _run(["evaluate", str(small_run)])
    assert code == 0 and "accuracy" in stdout and "model.safetensors" in err
    code, _, err = _run(["evaluate", str(tmp_path)])
    assert code == 2 and "is a folder without model.safetensors or best.safetensors" in err
