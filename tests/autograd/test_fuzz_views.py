"""Random programs of views, in-place writes, broadcasting and (double) backward, run on npgrad and
PyTorch side by side (the generator and the checks: fuzz_views.py, fuzz_ops.py).

Fast by default (a fixed set of examples, a few seconds); ``NPGRAD_FUZZ=long`` selects the
nightly-style profile (thousands of fresh random programs)::

    NPGRAD_FUZZ=long PYTHONPATH=src python -m pytest -q tests/autograd/test_fuzz_views.py
"""
import os

import numpy as np
import pytest

pytest.importorskip("hypothesis", reason="the fuzzer generates programs with Hypothesis")
torch = pytest.importorskip("torch", reason="PyTorch is the oracle of the differential fuzzer")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import npgrad  # noqa: E402

from .fuzz_views import HypothesisDraw, Program, RandomDraw, failures  # noqa: E402

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
settings.register_profile("npgrad-fuzz-fast", max_examples=60, deadline=None, derandomize=True, database=None,
                          suppress_health_check=_QUIET)
settings.register_profile("npgrad-fuzz-long", max_examples=4000, deadline=None, suppress_health_check=_QUIET)
PROFILE = settings.get_profile("npgrad-fuzz-long" if os.environ.get("NPGRAD_FUZZ") == "long"
                               else "npgrad-fuzz-fast")


@PROFILE
@given(st.data())
def test_random_view_and_inplace_programs_match_torch(data):
    prog = Program(HypothesisDraw(data), torch, npgrad)
    bad = failures(prog)
    assert not bad, "program:\n  " + "\n  ".join(prog.log)
    assert len(prog.checks) > 1


@pytest.mark.parametrize("bug", ["flip_is_a_view", "views_not_refreshed", "write_does_not_reach_root"])
def test_fuzzer_finds_known_bugs(bug, monkeypatch):
    """The fuzzer must be able to fail: reintroduce a bug it exists to catch, and it reports it."""
    from npgrad import _inplace, _views
    from npgrad.ops import shape
    if bug == "flip_is_a_view":
        monkeypatch.setattr(shape.Flip, "forward", staticmethod(lambda ctx, x, axes: (
            setattr(ctx, "axes", axes), np.flip(x, axes))[1]))
    elif bug == "views_not_refreshed":
        monkeypatch.setattr(_inplace.InplaceOps, "_refresh_views", lambda self, skip=None: None)
    else:
        monkeypatch.setattr(_views.ViewWrite, "forward", staticmethod(lambda ctx, root, value, fn: root.copy()))
    for seed in range(400):
        if failures(Program(RandomDraw(seed), torch, npgrad)):
            return
    pytest.fail(f"the fuzzer did not notice {bug} in 400 programs")
