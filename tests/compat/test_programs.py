"""A corpus of public PyTorch programs, retold small (tests/compat/programs): each runs unchanged on
npgrad (``import torch`` resolves to npgrad through ``npgrad.compat``) and, where PyTorch is
installed, on PyTorch too, and both must print the same numbers.

The programs take their data and initial weights from NumPy (programs/_fixed.py), since the two
frameworks' random generators differ; everything else is the tutorial's own code, in its own style.
"""
import contextlib
import io
import math
import pathlib
import re
import runpy
import sys
import warnings

import pytest

from npgrad.compat import run_script

HERE = pathlib.Path(__file__).parent / "programs"
PROGRAMS = sorted(p for p in HERE.glob("*.py") if not p.name.startswith("_"))

# programs waiting for a piece of PyTorch's API that npgrad does not have yet (name: what is missing)
MISSING = {}

# numbers, and the booleans programs print (True/False count as 1/0); digits inside names are not numbers
_NUMBER = re.compile(r"(?<![A-Za-z_0-9.])(?:True|False|[-+]?(?:(?:nan|inf)(?![A-Za-z])|(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?))")


def _forget_helpers():
    # the helper module imports torch: each run must import it afresh, against its own framework
    for name in [n for n, m in sys.modules.items() if str(getattr(m, "__file__", "") or "").startswith(str(HERE))]:
        del sys.modules[name]


def run_program(path, on_npgrad):
    """Run one program and return what it printed."""
    buf = io.StringIO()
    _forget_helpers()
    try:
        with contextlib.redirect_stdout(buf), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if on_npgrad:
                run_script(path)
            else:
                sys.path.insert(0, str(HERE))
                try:
                    runpy.run_path(str(path), run_name="__main__")
                finally:
                    sys.path.remove(str(HERE))
    finally:
        _forget_helpers()
        _reset_print_options(on_npgrad)
    return buf.getvalue()


def _reset_print_options(on_npgrad):
    # print options are global: one program's set_printoptions must not reach the next program
    if on_npgrad:
        import npgrad
        npgrad.set_printoptions(profile="default")
    elif "torch" in sys.modules:
        sys.modules["torch"].set_printoptions(profile="default")


def numbers(text):
    return [float({"True": 1, "False": 0}.get(m, m)) for m in _NUMBER.findall(text)]


def assert_same_numbers(got, want, rtol=2e-3, atol=2e-4):
    a, b = numbers(got), numbers(want)
    assert len(a) == len(b), f"printed {len(a)} numbers, PyTorch printed {len(b)}:\n{got}\n---\n{want}"
    for i, (u, v) in enumerate(zip(a, b)):
        same = u == v or (math.isnan(u) and math.isnan(v)) or abs(u - v) <= atol + rtol * abs(v)
        assert same, f"number {i}: {u} vs PyTorch's {v}\n{got}\n---\n{want}"


def _params():
    for p in PROGRAMS:
        marks = [pytest.mark.xfail(strict=False, reason=MISSING[p.stem])] if p.stem in MISSING else []
        yield pytest.param(p, id=p.stem, marks=marks)


@pytest.mark.parametrize("path", _params())
def test_program_runs_unchanged_and_prints_pytorchs_numbers(path):
    got = run_program(path, on_npgrad=True)
    assert numbers(got), "the program printed no numbers"
    try:
        import torch  # noqa: F401
    except ImportError:
        return
    assert_same_numbers(got, run_program(path, on_npgrad=False))


def test_corpus_size():
    assert len(PROGRAMS) >= 75
