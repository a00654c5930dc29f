"""Every op of the op table on drawn inputs, npgrad vs PyTorch (the generator and the checks:
fuzz_optable.py): shapes with 0-d, empty and size-1 dims and broadcasting, non-contiguous layouts,
every dtype and mixes of them, Python numbers for operands, nan/inf and extreme integers; then
``out=`` and the in-place forms (``x.add_(y)``, ``x **= y``) with every dtype of out / self.

Fast by default (a fixed set of examples, each op a few times); ``NPGRAD_FUZZ=long`` draws fresh
examples, thousands in all::

    NPGRAD_FUZZ=long PYTHONPATH=src python -m pytest -q tests/ops/test_fuzz_ops.py
"""
import os
import zlib

import pytest

pytest.importorskip("hypothesis", reason="the fuzzer draws its inputs with Hypothesis")
torch = pytest.importorskip("torch", reason="PyTorch is the oracle of the differential fuzzer")
from hypothesis import given, strategies as st  # noqa: E402

from .fuzz_optable import (DTYPE_CALLS, DTYPES, FUZZ_OPS, LONG, Case, HypothesisDraw, InplaceCase,  # noqa: E402
                           OutCase, RandomDraw, check, check_dtype_arg, check_inplace, check_out, profile)

PROFILE = profile("npgrad-opfuzz", 800, 20000)

pytestmark = pytest.mark.filterwarnings("ignore")  # overflow, nan and degrees-of-freedom warnings are expected


@PROFILE
@given(st.data())
def test_random_op_calls_match_torch(data):
    d = HypothesisDraw(data)
    case = Case(d, FUZZ_OPS[d.int(0, len(FUZZ_OPS) - 1)])
    bad = check(case, torch)
    assert not bad, case.describe() + "\n  " + "\n  ".join(bad)


@PROFILE
@given(st.data())
def test_out_arguments_match_torch(data):
    """``out=`` of every dtype and of the result's, an empty or another shape."""
    case = OutCase(HypothesisDraw(data))
    bad = check_out(case, torch)
    assert not bad, case.describe() + "\n  " + "\n  ".join(bad)


@PROFILE
@given(st.data())
def test_inplace_methods_match_torch(data):
    """``x.add_(y)``, ``x **= y`` ...: self keeps its dtype, a result it cannot hold raises."""
    case = InplaceCase(HypothesisDraw(data))
    bad = check_inplace(case, torch)
    assert not bad, case.describe() + "\n  " + "\n  ".join(bad)


@pytest.mark.parametrize("name", sorted(DTYPE_CALLS))
def test_dtype_arguments_match_torch(name):
    """Reductions, conversions and factories with ``dtype=``: every (input, requested) dtype pair."""
    bad = [f"{src} -> {dst}: {b}" for src in DTYPES for dst in DTYPES for b in check_dtype_arg(name, src, dst, torch)]
    assert not bad, f"{name}(dtype=):\n  " + "\n  ".join(bad)


@pytest.mark.parametrize("op", FUZZ_OPS, ids=[op.name for op in FUZZ_OPS])
def test_every_op_on_a_few_drawn_inputs(op):
    """Each op of the table at least a few times (the Hypothesis test samples ops at random)."""
    base = int.from_bytes(os.urandom(4), "little") if LONG else 0  # (fresh examples on every long run)
    for seed in range(40 if LONG else 5):
        case = Case(RandomDraw(zlib.crc32(f"{op.name}/{base + seed}".encode())), op)
        bad = check(case, torch)
        assert not bad, case.describe() + "\n  " + "\n  ".join(bad)


def test_fuzzer_finds_a_known_bug(monkeypatch):
    """The fuzzer must be able to fail: reintroduce a fixed bug (tril/triu letting nan through) and it reports it."""
    from npgrad import Tensor
    from npgrad.ops import shape
    monkeypatch.setattr(shape, "_zero_outside", lambda x, keep: x * Tensor._make(keep, None, False, None))
    ops = [op for op in FUZZ_OPS if op.name in ("tril", "triu")]
    for seed in range(300):
        if check(Case(RandomDraw(seed), ops[seed % 2]), torch):
            return
    pytest.fail("the fuzzer did not notice tril/triu multiplying by the mask in 300 examples")
