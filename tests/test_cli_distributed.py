"""``npgrad train --nproc N``: N MPI ranks, one output folder written by rank 0, errors named."""
import contextlib
import csv
import io
import os
import subprocess
import sys

import pytest

from npgrad.cli import main

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_two_ranks_train_and_rank0_writes_a_loadable_checkpoint(tmp_path):
    pytest.importorskip("sklearn", reason="the digits dataset comes from scikit-learn")
    pytest.importorskip("safetensors", reason="checkpoints are safetensors files")
    from tests.distributed.mpi_helpers import require_mpi
    require_mpi()
    out = tmp_path / "run"
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), MPLBACKEND="Agg",
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-m", "npgrad.cli", "train", "--nproc", "2", "--epochs", "2",
                           "--limit", "300", "--out", str(out)], capture_output=True, text=True, env=env,
                          timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    headers = [line for line in proc.stdout.splitlines() if line.split()[:1] == ["epoch"]]
    assert len(headers) == 1                             # one table: only rank 0 prints
    assert proc.stdout.count("dataset digits") == 1
    assert {"metrics.csv", "model.safetensors", "best.safetensors"} <= set(os.listdir(out))
    with open(out / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == [1, 2]
    assert 0.0 < float(rows[-1]["test_acc"]) <= 1.0
    code, stdout, stderr = _run(["evaluate", str(out / "model.safetensors")])
    assert code == 0, stderr                             # saved without DDP's "module." prefix
    assert "accuracy" in stdout


def test_nproc_without_mpi_names_what_to_install(monkeypatch, tmp_path):
    pytest.importorskip("safetensors", reason="train checks for safetensors first")
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    monkeypatch.delenv("NPGRAD_DIST_LAUNCHED", raising=False)
    code, _, err = _run(["train", "--nproc", "2", "--out", str(tmp_path / "x")])
    assert code == 2
    assert 'pip install "npgrad[dist]"' in err and "--nproc 2" in err and len(err.strip().splitlines()) == 1


def test_nproc_needs_a_batch_that_divides(tmp_path):
    pytest.importorskip("safetensors", reason="train checks for safetensors first")
    code, _, err = _run(["train", "--nproc", "3", "--batch-size", "32", "--out", str(tmp_path / "x")])
    assert code == 2 and "--batch-size 32" in err and "--nproc 3" in err
    code, _, err = _run(["train", "--nproc", "0"])
    assert code == 2 and "--nproc" in err
