"""The device API on the stand-in device (strictnp registered as "cuda"), as PyTorch behaves on a
GPU: moving tensors and modules, the queries of ``npgrad.cuda``, printing, conversions, errors."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import npgrad
from npgrad import _backend
from tests import strictnp

from .conftest import assert_on, on_host

NO_NUMPY = ("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host "
            "memory first.")
TWO_DEVICES = "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"


@pytest.fixture(autouse=True)
def _default_device_restored():
    yield
    npgrad.set_default_device(None)


# -- npgrad.cuda / accelerator answer from the registered backend ------------------------------
def test_cuda_queries_answer_from_the_backend(cuda):
    c = npgrad.cuda
    assert c.is_available() and c.is_initialized() and c.device_count() == 1 and c.current_device() == 0
    assert "stand-in" in c.get_device_name() and c.get_device_name(0) == c.get_device_name(cuda)
    assert isinstance(c.get_device_capability(), tuple) and c.get_device_properties(0).name == c.get_device_name()
    assert c.synchronize() is None and c.synchronize(0) is None and c.empty_cache() is None
    assert c.manual_seed(0) is None and c.manual_seed_all(0) is None and c.initial_seed() == 0
    for f in (c.memory_allocated, c.memory_reserved, c.max_memory_allocated, c.max_memory_reserved):
        assert isinstance(f(), int) and f() >= 0
    free, total = c.mem_get_info()
    assert 0 <= free <= total
    with c.device(0):
        assert c.current_device() == 0
    c.set_device(0)
    with pytest.raises(AssertionError, match="Invalid device id"):
        c.get_device_name(3)
    assert npgrad.backends.cuda.is_built()


def test_accelerator_is_the_registered_backend(cuda):
    acc = npgrad.accelerator
    assert acc.is_available() and acc.current_accelerator() == npgrad.device("cuda")
    assert acc.device_count() == 1 and acc.current_device_index() == 0
    acc.set_device_index(0)
    assert acc.synchronize() is None and acc.memory_allocated() >= 0
    device = acc.current_accelerator() if acc.is_available() else "cpu"
    assert npgrad.ones(2).to(device).device == cuda


def test_usual_device_idiom_picks_the_device(cuda):
    device = "cuda" if npgrad.cuda.is_available() else "cpu"
    model = npgrad.nn.Linear(3, 2).to(device)
    out = model(npgrad.randn(4, 3).to(device))
    assert_on(out, cuda)
    assert out.device == npgrad.device("cuda:0") and out.device != npgrad.device("cuda")


# -- Tensor.to / cuda / cpu ----------------------------------------------------------------
def test_to_forms_move_and_convert(cuda):
    x = npgrad.tensor([1.0, 2.0])
    for y in (x.to("cuda"), x.cuda(), x.cuda(0), x.cuda("cuda:0"), x.to(cuda), x.to(device="cuda"),
              x.to("cuda", non_blocking=True), x.to("cuda:0", copy=True)):
        assert_on(y, cuda)
        assert y.dtype == npgrad.float32 and on_host(y).tolist() == [1.0, 2.0]
    y = x.to("cuda", npgrad.float64)
    assert_on(y, cuda)
    assert y.dtype == npgrad.float64
    other = npgrad.zeros(1, dtype=npgrad.float64, device="cuda")
    z = x.to(other)
    assert_on(z, cuda)
    assert z.dtype == npgrad.float64
    assert y.to("cuda") is y and y.cuda() is y and y.to(other) is y and y.to("cuda", copy=True) is not y
    assert x.cpu() is x and x.to("cpu") is x
    back = y.cpu()
    assert_on(back, npgrad.device("cpu"))
    assert back.tolist() == [1.0, 2.0]
    assert y.to(x).dtype == npgrad.float32 and y.to(x).device.type == "cpu"


def test_zero_dim_tensors_keep_their_shape(cuda):
    x = npgrad.tensor(3.0).cuda()
    assert x.shape == () and x.item() == 3.0 and x.cpu().shape == ()


def test_device_index_beyond_the_devices_raises(cuda):
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        npgrad.ones(2).to("cuda:1")
    with pytest.raises(RuntimeError, match="Invalid device, must be cuda device"):
        npgrad.ones(2).cuda("cpu")


def test_device_attributes(cuda):
    x, h = npgrad.ones(2, device="cuda"), npgrad.ones(2)
    assert x.is_cuda and not x.is_cpu and x.get_device() == 0 and x.device == npgrad.device("cuda", 0)
    assert not h.is_cuda and h.get_device() == -1
    assert x.type() == "torch.cuda.FloatTensor" and x.long().type() == "torch.cuda.LongTensor"
    assert h.type() == "torch.FloatTensor"


# -- leaving the device: numpy refuses, Python conversions copy ----------------------------------
def test_numpy_of_a_device_tensor_raises_torch_type_error(cuda):
    x = npgrad.ones(2, device="cuda")
    for f in (x.numpy, lambda: np.asarray(x), lambda: np.array(x)):
        with pytest.raises(TypeError) as e:
            f()
        assert str(e.value) == NO_NUMPY
    with pytest.raises(TypeError, match="can't convert cuda:0"):  # the device is checked before requires_grad
        x.requires_grad_().numpy()
    assert x.numpy(force=True).tolist() == [1.0, 1.0] and x.detach().cpu().numpy().tolist() == [1.0, 1.0]


def test_numpy_of_a_requires_grad_tensor_under_no_grad_as_torch(torch):
    for lib in (npgrad, torch):
        t = lib.ones(2, requires_grad=True)
        with lib.no_grad():
            assert t.numpy().tolist() == [1.0, 1.0]
        with pytest.raises(RuntimeError, match="Can't call numpy"):
            t.numpy()


def test_python_conversions_of_device_tensors(cuda):
    v = npgrad.tensor([1.5, -2.0], device="cuda")
    s = npgrad.tensor(3.0, device="cuda")
    i = npgrad.tensor(4, device="cuda")
    assert s.item() == 3.0 and float(s) == 3.0 and int(s) == 3 and bool(s) is True and i.__index__() == 4
    assert [1, 2, 3, 4, 5][i] == 5
    assert v.tolist() == [1.5, -2.0] and len(v) == 2 and v[1].item() == -2.0
    parts = list(v)
    assert [p.item() for p in parts] == [1.5, -2.0]
    for p in parts:
        assert_on(p, cuda)
    assert f"{s.item():.1f}" == "3.0" and v.abs().sum().item() == 3.5 and round(float(v.sum()), 3) == -0.5
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(v)


# -- printing ------------------------------------------------------------------------------------
def test_repr_puts_the_device_first_as_torch(cuda):
    x = npgrad.tensor([1.0, 2.0], device="cuda")
    assert repr(x) == "tensor([1., 2.], device='cuda:0')"
    assert repr(x.double().requires_grad_()) == \
        "tensor([1., 2.], device='cuda:0', dtype=torch.float64, requires_grad=True)"
    y = npgrad.tensor([1.0, 2.0], requires_grad=True).cuda()
    assert repr(y) == "tensor([1., 2.], device='cuda:0', grad_fn=<ToCopyBackward0>)"
    assert repr(npgrad.zeros(0, 2, dtype=npgrad.int64, device="cuda")) == \
        "tensor([], device='cuda:0', size=(0, 2), dtype=torch.int64)"
    assert repr(npgrad.tensor(5, device="cuda")) == "tensor(5, device='cuda:0')"
    assert str(x.cpu()) == "tensor([1., 2.])"
    npgrad.set_default_device("cuda")  # PyTorch still names a CUDA tensor's device then
    assert repr(npgrad.tensor([1.0])) == "tensor([1.], device='cuda:0')"


# -- autograd across devices ---------------------------------------------------------------------
def test_gradients_flow_back_through_to_the_source_device(cuda):
    x = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.to("cuda")
    assert y.grad_fn.name() == "ToCopyBackward0" and not y.is_leaf
    (y * y).sum().backward()
    assert_on(x.grad, npgrad.device("cpu"))
    assert x.grad.tolist() == [2.0, 4.0, 6.0]


def test_grad_of_a_device_leaf_is_on_the_device(cuda):
    w = npgrad.tensor([1.0, -1.0], device="cuda", requires_grad=True)
    assert w.is_leaf
    loss = (w.cpu() ** 2).sum() + (w * 3).sum()  # a path through the CPU and one on the device
    loss.backward()
    assert_on(w.grad, cuda)
    assert on_host(w.grad).tolist() == [5.0, 1.0]


def test_double_backward_through_a_device_copy(cuda):
    x = npgrad.tensor([2.0], requires_grad=True)
    y = (x.cuda() ** 3).sum()
    (g,) = npgrad.autograd.grad(y, x, create_graph=True)
    assert_on(g, npgrad.device("cpu"))
    g.sum().backward()
    assert x.grad.tolist() == [12.0]  # d2/dx2 x^3 = 6x


def test_backward_with_a_gradient_on_another_device_raises(cuda):
    y = npgrad.ones(2, device="cuda", requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="invalid gradient at index 0 - expected device cuda:0 but got cpu"):
        y.backward(npgrad.ones(2))


# -- mixing devices ------------------------------------------------------------------------------
def test_mixing_devices_raises_torch_error(cuda):
    a, b = npgrad.ones(2, device="cuda"), npgrad.ones(2)
    for f in (lambda: a + b, lambda: b + a, lambda: a * b, lambda: npgrad.cat([a, b])):
        with pytest.raises(RuntimeError) as e:
            f()
        assert str(e.value) == TWO_DEVICES
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        npgrad.ones(2, 2, device="cuda") @ npgrad.ones(2, 2)
    lin = npgrad.nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        lin(a)


def test_a_zero_dim_cpu_tensor_joins_the_device(cuda):
    a, s = npgrad.tensor([1.0, 2.0], device="cuda"), npgrad.tensor(2.0)
    for r in (a * s, s * a, a + s, s + a):
        assert_on(r, cuda)
    assert on_host(a * s).tolist() == [2.0, 4.0]


# -- Module.to / cuda / cpu ------------------------------------------------------------------------
def test_module_moves_parameters_buffers_and_grads_keeping_identity(cuda):
    net = npgrad.nn.Sequential(npgrad.nn.Linear(3, 4), npgrad.nn.BatchNorm1d(4), npgrad.nn.Linear(4, 2))
    params = list(net.parameters())
    net(npgrad.randn(5, 3)).sum().backward()
    grads = [p.grad for p in params]
    assert net.cuda() is net
    assert [p for p in net.parameters()] == params
    for p, g in zip(params, grads):
        assert isinstance(p, npgrad.nn.Parameter) and p.is_leaf and p.requires_grad
        assert_on(p, cuda)
        assert p.grad is g  # the same .grad object, as PyTorch
        assert_on(p.grad, cuda)
    for name, b in net.named_buffers():
        assert_on(b, cuda)
    out = net(npgrad.randn(5, 3, device="cuda"))
    assert_on(out, cuda)
    assert net.to("cpu", npgrad.float64) is net
    for t in list(net.parameters()) + list(net.buffers()):
        assert t.device.type == "cpu"
    assert all(p.dtype == npgrad.float64 for p in net.parameters())


def test_an_optimizer_made_before_the_move_sees_the_moved_parameters(cuda):
    net = npgrad.nn.Linear(3, 2, bias=False)
    opt = npgrad.optim.SGD(net.parameters(), lr=0.1)
    net.to("cuda")
    assert opt.param_groups[0]["params"] == [net.weight]
    for p in opt.param_groups[0]["params"]:
        assert_on(p, cuda)
    opt.zero_grad()
    (net(npgrad.ones(4, 3, device="cuda")) ** 2).mean().backward()
    assert_on(net.weight.grad, cuda)


def test_module_to_other_forms(cuda):
    m = npgrad.nn.Linear(2, 2)
    assert m.to(npgrad.ones(1, dtype=npgrad.float64, device="cuda")) is m
    assert_on(m.weight, cuda)
    assert m.weight.dtype == npgrad.float64
    m.cpu()
    assert m.weight.device.type == "cpu"
    m.to(device="cuda", non_blocking=True)
    assert_on(m.bias, cuda)


def test_deepcopy_and_checkpoints_of_device_tensors(cuda, tmp_path):
    import copy
    m = npgrad.nn.Linear(2, 2).cuda()
    c = copy.deepcopy(m)
    assert_on(c.weight, cuda)
    assert c.weight is not m.weight and on_host(c.weight).tolist() == on_host(m.weight).tolist()
    npgrad.save(m.state_dict(), tmp_path / "m.pt")
    back = npgrad.load(tmp_path / "m.pt", map_location="cuda")
    assert on_host(back["weight"]).tolist() == on_host(m.weight).tolist()


# -- pinned memory and the default device ----------------------------------------------------------
def test_pin_memory_with_an_accelerator(cuda):
    x = npgrad.arange(4.0)
    assert not x.is_pinned()
    p = x.pin_memory()
    assert p is not x and p.is_pinned() and p.tolist() == x.tolist() and p.device.type == "cpu"
    assert p.pin_memory() is p and p[1:].is_pinned() and not (p + 1).is_pinned()
    assert_on(p.to("cuda", non_blocking=True), cuda)
    assert npgrad.zeros(3, pin_memory=True).is_pinned()
    with pytest.raises(RuntimeError, match="cannot pin 'torch.cuda.FloatTensor' only dense CPU tensors can be pinned"):
        p.cuda().pin_memory()
    with pytest.raises(RuntimeError, match="Only dense CPU tensors can be pinned"):
        npgrad.zeros(3, device="cuda", pin_memory=True)
    assert not npgrad.ones(2, device="cuda").is_pinned()
    g = npgrad.ones(2, requires_grad=True)
    g.pin_memory().sum().backward()
    assert g.grad.tolist() == [1.0, 1.0]


def test_set_default_device_cuda(cuda):
    npgrad.set_default_device("cuda")
    assert npgrad.get_default_device() == npgrad.device("cuda", 0)
    made = (npgrad.zeros(2), npgrad.randn(2), npgrad.tensor([1.0]), npgrad.arange(3), npgrad.ones(2, 2) @ npgrad.ones(2))
    for t in made:
        assert_on(t, cuda)
    assert npgrad.zeros(2, device="cpu").device.type == "cpu"
    npgrad.set_default_device(None)
    assert npgrad.zeros(2).device.type == "cpu" and npgrad.get_default_device() == npgrad.device("cpu")


# -- CuPy itself: load_cupy's wiring, on a fake ``cupy`` made of strictnp ---------------------------
FAKE_CUPY = '''
import types
import numpy as np
from tests import strictnp
ndarray = strictnp.StrictArray
asnumpy = strictnp.module.asnumpy
USED = []
def asarray(a):
    USED.append(cuda.Device._current)
    return strictnp.module.asarray(a)
class _Pool:
    def used_bytes(self): return 1024
    def total_bytes(self): return 4096
    def free_all_blocks(self): USED.append("freed")
get_default_memory_pool = get_default_pinned_memory_pool = _Pool
random = types.SimpleNamespace(seed=lambda s: USED.append(("seed", s)))
class _Device:
    _current = 0
    def __init__(self, i=None): self.id = _Device._current if i is None else i
    def __enter__(self): self._prev, _Device._current = _Device._current, self.id; return self
    def __exit__(self, *a): _Device._current = self._prev
    def synchronize(self): USED.append(("sync", self.id))
runtime = types.SimpleNamespace(
    getDeviceCount=lambda: 1, getDevice=lambda: 0, setDevice=lambda i: None, memGetInfo=lambda: (3000, 8000),
    getDeviceProperties=lambda i: {"name": b"Fake GPU", "totalGlobalMem": 8000, "major": 9, "minor": 0,
                                   "multiProcessorCount": 132})
cuda = types.SimpleNamespace(runtime=runtime, Device=_Device)
'''

FAKE_CUPYX = '''
import numpy as np
def empty_pinned(shape, dtype=float, order="C"):
    return np.empty(shape, dtype)
'''

SCRIPT = '''
import sys
import npgrad
assert "cupy" not in sys.modules, "import npgrad imported cupy"
npgrad.ones(2) + 1
assert "cupy" not in sys.modules, "CPU work imported cupy"
assert npgrad.cuda.is_available() and "cupy" in sys.modules
import cupy
from tests import strictnp
x = npgrad.arange(3.0).cuda()
assert type(x._data) is strictnp.StrictArray and x.device == npgrad.device("cuda", 0), x.device
assert x.cpu().tolist() == [0.0, 1.0, 2.0] and type(x.cpu()._data).__name__ == "ndarray"
c = npgrad.cuda
assert (c.device_count(), c.get_device_name(), c.get_device_capability()) == (1, "Fake GPU", (9, 0))
assert (c.memory_allocated(), c.memory_reserved(), c.mem_get_info()) == (1024, 4096, (3000, 8000))
c.synchronize(); c.empty_cache(); c.manual_seed(7)
assert ("sync", 0) in cupy.USED and "freed" in cupy.USED and ("seed", 7) in cupy.USED
assert npgrad.ones(2).pin_memory().is_pinned()
print("fake cupy OK")
'''


def test_load_cupy_registers_cupy_lazily(tmp_path):
    (tmp_path / "cupy").mkdir()
    (tmp_path / "cupy" / "__init__.py").write_text(textwrap.dedent(FAKE_CUPY))
    (tmp_path / "cupyx").mkdir()
    (tmp_path / "cupyx" / "__init__.py").write_text(textwrap.dedent(FAKE_CUPYX))
    import os
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.path.join(root, "src"), root]))
    r = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120, cwd=root)
    assert r.returncode == 0, r.stderr
    assert "fake cupy OK" in r.stdout


def test_strictnp_backend_is_a_stand_in(cuda):
    b = _backend.backend("cuda")
    assert b.module is strictnp.module and b.device_count() == 1


# -- benchmarks/gpu_check.py runs its whole path on the stand-in --------------------------------------
def test_gpu_check_runs_on_the_stand_in():
    import os
    import re
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    r = subprocess.run([sys.executable, os.path.join("benchmarks", "gpu_check.py"), "--stand-in", "--quick"],
                       capture_output=True, text=True, timeout=600, cwd=root)
    lines = r.stdout.strip().splitlines()
    assert r.returncode == 0, r.stdout + r.stderr
    assert lines[0].startswith("gpu_check on cuda:0 (strictnp stand-in)")
    m = re.fullmatch(r"gpu_check: ops (\d+)/(\d+) agree with the CPU; training losses agree for (\d)/2 models; "
                     r"epoch runs: (\d) ran, (\d) failed, 2 skipped -- (PASS|FAIL)", lines[-1])
    assert m, lines[-1]
    assert int(m[2]) > 40 and m[1] == m[2], "every sampled op agrees with the CPU"
    assert m[3] == "2" and m[4] == "5" and m[5] == "0" and m[6] == "PASS"
    assert "| MLP | hand-written CuPy | cuda | - | - | ran (stand-in: not timed) |" in lines


def test_cuda_typed_tensors_live_on_the_device(cuda):
    # old GAN code: ``Tensor = torch.cuda.FloatTensor if cuda else torch.FloatTensor``
    Tensor = npgrad.cuda.FloatTensor
    t = Tensor(2, 1).fill_(1.0)
    assert t.device.type == "cuda" and t.dtype == npgrad.float32 and isinstance(t, Tensor)
    x = npgrad.tensor([1, 2]).type(Tensor)
    assert x.device.type == "cuda" and x.dtype == npgrad.float32 and x.type() == "torch.cuda.FloatTensor"
    assert not isinstance(npgrad.ones(2), Tensor) and isinstance(npgrad.tensor([1]).cuda(), npgrad.cuda.LongTensor)
    assert repr(npgrad.cuda.LongTensor) == "<class 'npgrad.cuda.LongTensor'>"
