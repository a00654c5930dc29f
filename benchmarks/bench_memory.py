"""Peak memory (max RSS) while training the CNN at batch 128: npgrad vs PyTorch.

Each framework trains in its own fresh process.  Reported: the process's peak RSS, and the
growth of the peak over the RSS measured after import and data loading (the training's own cost).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from benchmarks.common import ROOT, compiled_kernels

_CHILD = r"""
import json, sys
import numpy as np
import {lib} as lib
{threads}
from benchmarks.common import batch_order, fashion_mnist
from benchmarks.bench_train import build_cnn, cnn_weights, train_epoch

def status_mb(key):
    # VmHWM is this process image's own peak (ru_maxrss would inherit the parent's peak across fork+exec)
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) / 1024

x, y = fashion_mnist(True, {n})
batches = batch_order(len(x), 128)
model = build_cnn(lib, cnn_weights())
opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
before = status_mb("VmRSS")
train_epoch(lib, model, opt, x, y, batches)
peak = status_mb("VmHWM")
print(json.dumps({{"before": before, "peak": peak}}))
"""


def measure(lib, n_images=1280):
    if lib == "npgrad":
        compiled_kernels()  # built (once) outside the measured process
    code = _CHILD.format(lib=lib, n=n_images, threads="lib.set_num_threads(2)" if lib == "torch" else "")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT), env=env)
    if res.returncode:
        if lib == "torch" and "No module named 'torch'" in res.stderr:
            return None
        raise RuntimeError(res.stderr)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main():
    rows = {lib: measure(lib) for lib in ("npgrad", "torch")}
    print(f"{'':<8}{'peak RSS MB':>12}{'training growth MB':>20}")
    for lib, r in rows.items():
        if r:
            print(f"{lib:<8}{r['peak']:>12.0f}{r['peak'] - r['before']:>20.0f}")
    if rows.get("torch"):
        n, t = rows["npgrad"], rows["torch"]
        print(f"ratio   {n['peak'] / t['peak']:>12.2f}{(n['peak'] - n['before']) / max(t['peak'] - t['before'], 1):>20.2f}")
    return rows


if __name__ == "__main__":
    main()
