"""The view/in-place fuzzer (tests/autograd/fuzz_views.py) on the device: every random program of
views, in-place writes, broadcasting and (double) backward runs three times side by side, on
PyTorch, on npgrad on the CPU and on npgrad with every tensor on the stand-in "cuda" device.
Each step must agree across the three (values, shapes, ``requires_grad``, aliasing, the exception
type, version-counter errors included), every device result must stay on the device, and the
gradients (first and second order) must agree.  ``DeviceProgram(..., oracle=False)`` compares the
device with the CPU alone (exactly), to hunt device bugs past a known CPU/PyTorch difference.

Fast by default (a fixed set of examples, all three compared); ``NPGRAD_FUZZ=long`` runs thousands
of fresh programs comparing the device with the CPU (the CPU against PyTorch is the long run of
tests/autograd/test_fuzz_views.py; ``NPGRAD_FUZZ_ORACLE=1`` adds PyTorch here too)::

    NPGRAD_FUZZ=long PYTHONPATH=src python -m pytest -q tests/device/test_fuzz_device.py
"""
import os

import numpy as np
import pytest

pytest.importorskip("hypothesis", reason="the fuzzer generates programs with Hypothesis")
torch = pytest.importorskip("torch", reason="PyTorch is the oracle of the differential fuzzer")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import npgrad  # noqa: E402
from npgrad import _backend  # noqa: E402

from tests.autograd.fuzz_views import HypothesisDraw, Program, RandomDraw, _arr, _builtin_type, _same, \
    _shares, failures  # noqa: E402

from .conftest import on_host  # noqa: E402

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
settings.register_profile("npgrad-fuzz-device-fast", max_examples=40, deadline=None, derandomize=True,
                          database=None, suppress_health_check=_QUIET)
settings.register_profile("npgrad-fuzz-device-long", max_examples=3000, deadline=None,
                          suppress_health_check=_QUIET)
PROFILE = settings.get_profile("npgrad-fuzz-device-long" if os.environ.get("NPGRAD_FUZZ") == "long"
                               else "npgrad-fuzz-device-fast")
ORACLE = os.environ.get("NPGRAD_FUZZ") != "long" or os.environ.get("NPGRAD_FUZZ_ORACLE") == "1"


class OnDevice:
    """npgrad whose ``tensor`` makes tensors on ``device`` (the library the fuzzer's steps see)."""

    def __init__(self, lib, device):
        self._lib, self.device = lib, device

    def __getattr__(self, name):
        return getattr(self._lib, name)

    def tensor(self, data, **kw):
        return self._lib.tensor(data, device=self.device, **kw)


class DeviceProgram(Program):
    """A program on (torch, npgrad, npgrad on the device): every step compares all three."""

    def __init__(self, draw, device, max_steps=10, oracle=True):
        super().__init__(draw, torch, npgrad, max_steps)
        self.device, self.oracle = device, oracle  # oracle=False: the device against the CPU only
        self.libs = (torch, npgrad, OnDevice(npgrad, device))

    def compare_errors(self, name, errs):
        kinds = [None if e is None else _builtin_type(e) for e in errs]
        self.check(name + " raises", kinds[1] is kinds[2] and (kinds[0] is kinds[1] or not self.oracle),
                   "torch: {!r} / npgrad: {!r} / npgrad on the device: {!r}".format(*errs))
        if errs[1] is not None:  # the same error, word for word, on both devices
            self.check(name + " message", str(errs[1]) == str(errs[2]), f"{errs[1]} vs {errs[2]}")

    def _is_on_device(self, name, out):
        for o in out if isinstance(out, (list, tuple)) else [out]:
            if isinstance(o, npgrad.Tensor):
                self.check(name + " on the device", o.device == self.device and
                           _backend.is_device_array(o._data), f"{o.device} / {type(o._data).__name__}")

    def compare(self, name, pair, base=None):
        t, c, g = pair
        self._is_on_device(name, g)
        self.check(name + " same on both devices", c.shape == g.shape and np.array_equal(
            on_host(c.detach()), on_host(g.detach()), equal_nan=True), f"\n{on_host(c)}\nvs\n{on_host(g)}")
        self.check(name + " version", c._version == g._version, f"{c._version} vs {g._version}")
        if not self.oracle:
            self.check(name + " requires_grad on both devices", c.requires_grad == g.requires_grad)
            if base is not None:
                sc, sg = _shares(c, base[1], "npgrad"), _shares(g, base[2], "npgrad")
                self.check(name + " is a view on both devices", sc == sg, f"CPU: {sc}, device: {sg}")
            return
        for who, n, k in (("npgrad", c, 1), ("npgrad on the device", g, 2)):
            self.check(name + " shape", tuple(t.shape) == tuple(n.shape),
                       f"{who}: {tuple(t.shape)} vs {tuple(n.shape)}")
            self.check(name + " value", _same(_arr(t), _arr(n)), f"{who}:\n{_arr(t)}\nvs\n{_arr(n)}")
            self.check(name + " requires_grad", t.requires_grad == n.requires_grad,
                       f"{who}: {t.requires_grad} vs {n.requires_grad}")
            if base is not None:
                st_, sn = _shares(t, base[0], "torch"), _shares(n, base[k], "npgrad")
                if st_ is not None:
                    self.check(name + " is a view", st_ == sn, f"{who}: torch shares memory: {st_}, npgrad: {sn}")

    def compare_grads(self, what, gs):
        for j, (gt, gc, gd) in enumerate(zip(*gs)):
            self._is_on_device(f"{what} of leaf {j}", gd)
            if not self.oracle:
                gt = gc
            for who, gn in (("npgrad", gc), ("npgrad on the device", gd)):
                self.check(f"{what} of leaf {j}", _same(_arr(gt), _arr(gn)), f"{who}:\n{_arr(gt)}\nvs\n{_arr(gn)}")


@PROFILE
@given(st.data())
def test_random_programs_agree_on_the_device(cuda, data):
    prog = DeviceProgram(HypothesisDraw(data), cuda, oracle=ORACLE)
    bad = failures(prog)
    assert not bad, "program:\n  " + "\n  ".join(prog.log)
    assert len(prog.checks) > 1


def test_the_fuzzer_runs_on_the_device(cuda):
    """The programs really put their tensors on the device (and compare something there)."""
    prog = DeviceProgram(RandomDraw(0), cuda)
    assert not failures(prog), "\n".join(prog.log)
    assert any(n.endswith("on the device") for n, _, _ in prog.checks)


# -- bugs the fuzzer found on the device ------------------------------------------------------------

def test_setitem_ellipsis_on_a_0d_view_on_the_device(cuda):
    """``t[...] = v`` on a 0-d view: the key already has its ``...`` (it was added a second time)."""
    for dev in ("cpu", cuda):
        x = npgrad.tensor([1., 2., 3.], dtype=npgrad.float64, requires_grad=True, device=dev)
        h = x * 1
        t = h[-1]
        t[...] = 2.5
        assert on_host(h).tolist() == [1., 2., 2.5]
        h.sum().backward()
        assert on_host(x.grad).tolist() == [1., 1., 0.]


def test_partial_overlap_of_an_operand_is_refused_on_the_device(cuda):
    """An in-place op whose operand partly overlaps the written memory raises on the device too
    (the check needs the address of a device array's first element: CuPy's ``a.data.ptr``)."""
    for dev in ("cpu", cuda):
        h = npgrad.arange(6., device=dev, dtype=npgrad.float64) * 1
        with pytest.raises(RuntimeError, match="single memory location"):
            h[1:].add_(h[:-1])
        with pytest.raises(RuntimeError, match="single memory location"):
            h[:3].mul_(h[2:5])
        h[1:].add_(h[1:])  # the very same memory is allowed
        assert on_host(h).tolist() == [0., 2., 4., 6., 8., 10.]


def test_flip_of_an_expanded_tensor_is_contiguous(cuda):
    """flip copies into C order when its input is not dense (PyTorch's empty_like): a flatten of
    the result is then a view, as in PyTorch (the input order was kept, stride 0 included)."""
    for dev in ("cpu", cuda):
        t = npgrad.tensor([[1.], [2.]], device=dev).expand(3, -1, -1).flip([0, 1])
        assert t.is_contiguous()
        assert on_host(t.flatten(0, 1)).ravel().tolist() == [2., 1.] * 3
        assert _shares(t.flatten(0, 1), t, "npgrad")
        p = npgrad.zeros(4, 3, device=dev).t().flip(0)  # a dense input keeps its memory order
        assert p.stride() == (1, 3)
