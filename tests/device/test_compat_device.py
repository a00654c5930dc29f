"""The corpus programs written for a GPU (``device = "cuda" if torch.cuda.is_available() else "cpu"``)
run on the stand-in device unchanged and print the numbers they print on the CPU."""
import math
import re

import pytest

from npgrad import _backend
from tests.compat.test_programs import PROGRAMS, run_program

GPU_PROGRAMS = [p for p in PROGRAMS if "torch.cuda" in p.read_text()]
_NUMBER = re.compile(r"(?<![A-Za-z_0-9.])[-+]?(?:(?:nan|inf)(?![A-Za-z])|(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)")


def _numbers(text):
    # booleans are left out: ``print(torch.cuda.is_available())`` differs by design; so do device names
    return [float(m) for m in _NUMBER.findall(re.sub(r"cuda:\d+", "cuda", text))]


def test_the_corpus_has_gpu_programs():
    assert len(GPU_PROGRAMS) >= 4


@pytest.mark.parametrize("path", GPU_PROGRAMS, ids=[p.stem for p in GPU_PROGRAMS])
def test_gpu_program_runs_on_the_device(path, cuda):
    backend = next(b for b in _backend._BACKENDS.values() if b.type == "cuda")
    moved = []
    to_device = backend.to_device
    backend.to_device = lambda host, index: moved.append(host.nbytes) or to_device(host, index)
    on_device = run_program(path, on_npgrad=True)
    assert moved, "the program put nothing on the device"
    _backend.unregister("cuda")
    on_cpu = run_program(path, on_npgrad=True)
    a, b = _numbers(on_device), _numbers(on_cpu)
    # (a program may print more on a GPU: ``if torch.cuda.is_available(): ...`` blocks at its end)
    assert len(a) >= len(b), f"{on_device}\n---\n{on_cpu}"
    for i, (u, v) in enumerate(zip(a, b)):
        assert u == v or (math.isnan(u) and math.isnan(v)) or abs(u - v) <= 1e-4 + 1e-4 * abs(v), \
            f"number {i}: {u} on the device vs {v} on the CPU\n{on_device}\n---\n{on_cpu}"
