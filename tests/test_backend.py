"""The device API (npgrad._backend, npgrad.cuda, npgrad.backends, npgrad.accelerator) against
PyTorch's CPU-only build: same values, same exception types and messages."""
import doctest
import importlib
import pickle

import numpy as np
import pytest

import npgrad
from npgrad import _backend


@pytest.fixture(autouse=True)
def _cpu_build(monkeypatch):
    """These tests compare with PyTorch's CPU-only build: on a machine with CuPy and a GPU, npgrad
    is made to answer as a build without it."""
    saved = dict(_backend._MODULES), dict(_backend._BACKENDS)
    monkeypatch.setattr(_backend, "_CUPY_TRIED", [True])
    _backend.unregister("cuda")
    yield
    npgrad.set_default_device(None)
    _backend._MODULES.update(saved[0])
    _backend._BACKENDS.update(saved[1])
    _backend._DEVICES.clear()


def outcome(f):
    """What calling ``f`` gives, comparable across the two libraries: the repr of the value, or the
    exception's type and message."""
    try:
        return ("ok", repr(f()))
    except Exception as e:  # noqa: BLE001  (the exception itself is what is compared)
        return (type(e).__name__, str(e))


@pytest.mark.parametrize("name", ["npgrad._backend", "npgrad.cuda", "npgrad.accelerator", "npgrad.backends", "npgrad.mps",
                                  "npgrad.xpu"])
def test_docstring_examples(name):
    res = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert res.failed == 0


DEVICE_ARGS = [("cpu",), ("cuda",), ("cuda:0",), ("cuda:1",), ("cpu:0",), ("cuda", 1), ("cuda", 0), ("mps",), ("meta",),
               ("foo",), ("CUDA",), (" cpu",), ("cuda:x",), ("cuda:01",), ("cpu:-1",), ("cuda", -1), ("cuda:1", 1),
               ("cuda", "1"), (0,), (None,)]


@pytest.mark.parametrize("args", DEVICE_ARGS, ids=str)
def test_device_construction_matches_torch(torch, args):
    ours = outcome(lambda: npgrad.device(*args))
    theirs = outcome(lambda: torch.device(*args))
    if ours[0] == "ok" or theirs[0] != "TypeError":
        assert ours == theirs
    else:  # PyTorch's TypeError lists its C++ overloads; the type is what must agree
        assert ours[0] == theirs[0]


@pytest.mark.parametrize("spec", ["cpu", "cuda", "cuda:0", "cuda:3", "cpu:0"])
def test_device_attributes_match_torch(torch, spec):
    d, td = npgrad.device(spec), torch.device(spec)
    assert (repr(d), str(d), f"{d}", d.type, d.index) == (repr(td), str(td), f"{td}", td.type, td.index)
    assert npgrad.device(d) == d and npgrad.device(type=d.type, index=d.index) == d
    assert pickle.loads(pickle.dumps(d)) == d


def test_device_equality_and_hash_as_torch(torch):
    pairs = [("cpu", "cpu"), ("cpu", "cpu:0"), ("cuda", "cuda:0"), ("cuda:1", "cuda:1"), ("cpu", "cuda")]
    for a, b in pairs:
        assert (npgrad.device(a) == npgrad.device(b)) == (torch.device(a) == torch.device(b))
        assert (npgrad.device(a) != npgrad.device(b)) == (torch.device(a) != torch.device(b))
    # a device never equals a string, in PyTorch either
    assert (npgrad.zeros(1).device == "cpu") == (torch.zeros(1).device == "cpu") is False
    assert len({npgrad.device("cpu"), npgrad.device("cpu"), npgrad.device("cuda")}) == 2


def tensor_calls(lib):
    x = lib.zeros(2)
    return [
        lambda: x.device, lambda: x.to("cpu") is x, lambda: x.to("cpu", copy=True) is x, lambda: x.to(lib.float64),
        lambda: x.to("cpu", lib.float64), lambda: x.to(lib.device("cpu"), lib.int32), lambda: x.to(x) is x,
        lambda: x.to(lib.ones(1, dtype=lib.int64)), lambda: x.to(x, copy=True) is x, lambda: x.to(lib.float64, True),
        lambda: x.to("cpu", lib.float64, False, True), lambda: x.to() is x,
        lambda: x.to(dtype=lib.int32, device="cpu", non_blocking=True, copy=False),
        lambda: x.to(device=lib.device("cpu")) is x, lambda: x.cpu() is x, lambda: x.is_cuda, lambda: x.is_cpu,
        lambda: x.get_device(), lambda: x.is_pinned(),
        lambda: x.cuda(), lambda: x.cuda(0), lambda: x.cuda("cpu"), lambda: x.to("cuda"), lambda: x.to("cuda:1", lib.float64),
        lambda: x.to(device="cuda"), lambda: x.to("foo"), lambda: x.to(1), lambda: x.pin_memory(),
    ]


@pytest.mark.parametrize("i", range(len(tensor_calls(npgrad))))
def test_tensor_device_methods_match_torch(torch, i):
    assert outcome(tensor_calls(npgrad)[i]) == outcome(tensor_calls(torch)[i])


def test_to_keeps_autograd_through_a_cast():
    x = npgrad.ones(2, requires_grad=True)
    y = x.to("cpu", npgrad.float64)
    (y * 3).sum().backward()
    assert y.dtype == npgrad.float64 and x.grad.dtype == npgrad.float32 and x.grad.tolist() == [3.0, 3.0]


@pytest.mark.parametrize("bad", [lambda x: x.to("cpu", "cpu"), lambda x: x.to(npgrad.float64, npgrad.float32),
                                 lambda x: x.to("cpu", bogus=1)])
def test_to_rejects_bad_combinations(bad):
    with pytest.raises(TypeError):
        bad(npgrad.zeros(2))


def creations(lib):
    x = lib.zeros(2)
    return {
        "tensor": lambda **k: lib.tensor([1.0], **k), "zeros": lambda **k: lib.zeros(2, **k),
        "ones": lambda **k: lib.ones(2, 3, **k), "empty": lambda **k: lib.empty(2, **k).shape,
        "full": lambda **k: lib.full((2,), 1.5, **k), "arange": lambda **k: lib.arange(3, **k),
        "linspace": lambda **k: lib.linspace(0, 1, 3, **k), "logspace": lambda **k: lib.logspace(0, 1, 3, **k),
        "eye": lambda **k: lib.eye(2, **k), "rand": lambda **k: lib.rand(2, **k).shape,
        "randn": lambda **k: lib.randn(2, **k).shape, "randint": lambda **k: lib.randint(0, 3, (2,), **k).shape,
        "randperm": lambda **k: lib.randperm(3, **k).shape, "zeros_like": lambda **k: lib.zeros_like(x, **k),
        "ones_like": lambda **k: lib.ones_like(x, **k), "full_like": lambda **k: lib.full_like(x, 2.0, **k),
        "empty_like": lambda **k: lib.empty_like(x, **k).shape, "rand_like": lambda **k: lib.rand_like(x, **k).shape,
        "randn_like": lambda **k: lib.randn_like(x, **k).shape,
        "randint_like": lambda **k: lib.randint_like(x, 3, **k).shape,
        "normal": lambda **k: lib.normal(0.0, 1.0, (2,), **k).shape, "new_zeros": lambda **k: x.new_zeros(2, **k),
        "new_ones": lambda **k: x.new_ones(2, **k), "new_full": lambda **k: x.new_full((2,), 3.0, **k),
        "new_empty": lambda **k: x.new_empty(2, **k).shape,
    }


DEVICE_KWARGS = [dict(device="cpu"), dict(device="cuda"), dict(device="cuda:1"), dict(device=0), dict(device="foo"),
                 dict(pin_memory=False), dict(pin_memory=True)]


@pytest.mark.parametrize("kwargs", DEVICE_KWARGS, ids=str)
@pytest.mark.parametrize("name", list(creations(npgrad)))
def test_creation_device_arguments_match_torch(torch, name, kwargs):
    if "pin_memory" in kwargs and name.startswith("new_") and name != "new_zeros":
        pytest.skip("only some new_* methods take pin_memory in PyTorch")
    ours = outcome(lambda: creations(npgrad)[name](**kwargs))
    theirs = outcome(lambda: creations(torch)[name](**kwargs))
    assert ours == theirs


def test_as_tensor_device():
    x = npgrad.zeros(2)
    assert npgrad.as_tensor(x, device="cpu") is x and npgrad.as_tensor([1.0], device="cpu").device.type == "cpu"
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        npgrad.as_tensor(x, device="cuda")


LAYERS = {
    "Linear": lambda lib, **k: lib.nn.Linear(3, 4, **k), "Bilinear": lambda lib, **k: lib.nn.Bilinear(2, 3, 4, **k),
    "Conv2d": lambda lib, **k: lib.nn.Conv2d(1, 2, 3, **k),
    "ConvT1d": lambda lib, **k: lib.nn.ConvTranspose1d(1, 2, 3, **k),
    "BatchNorm1d": lambda lib, **k: lib.nn.BatchNorm1d(3, **k), "LayerNorm": lambda lib, **k: lib.nn.LayerNorm(3, **k),
    "GroupNorm": lambda lib, **k: lib.nn.GroupNorm(1, 3, **k),
    "Embedding": lambda lib, **k: lib.nn.Embedding(5, 3, **k),
    "LSTM": lambda lib, **k: lib.nn.LSTM(3, 4, **k), "GRUCell": lambda lib, **k: lib.nn.GRUCell(3, 4, **k),
    "PReLU": lambda lib, **k: lib.nn.PReLU(**k),
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_layers_take_factory_kwargs_as_torch(torch, name):
    for kwargs in (dict(device="cuda"), dict(device="foo")):
        assert outcome(lambda: LAYERS[name](npgrad, **kwargs)) == outcome(lambda: LAYERS[name](torch, **kwargs))
    m = LAYERS[name](npgrad, device=npgrad.device("cpu"), dtype=npgrad.float64)
    tm = LAYERS[name](torch, device="cpu", dtype=torch.float64)
    ours = {k: (str(v.dtype), str(v.device)) for k, v in m.state_dict().items()}
    assert ours == {k: (str(v.dtype), str(v.device)) for k, v in tm.state_dict().items()}


def module_calls(lib):
    return [
        lambda: str(lib.nn.Linear(2, 3).to("cpu").weight.device),
        lambda: lib.nn.Linear(2, 3).to(lib.float64).weight.dtype,
        lambda: lib.nn.Linear(2, 3).to("cpu", lib.float64).bias.dtype,
        lambda: lib.nn.Linear(2, 3).to(device="cpu", dtype=lib.float64, non_blocking=True).weight.dtype,
        lambda: lib.nn.Linear(2, 3).to(lib.zeros(1, dtype=lib.float64)).weight.dtype,
        lambda: lib.nn.Linear(2, 3).cpu().weight.dtype, lambda: lib.nn.Linear(2, 3).to(lib.int64),
        lambda: lib.nn.Linear(2, 3).to("cuda"), lambda: lib.nn.Linear(2, 3).cuda(), lambda: lib.nn.Linear(2, 3).cuda(0),
        lambda: lib.nn.Linear(2, 3).cuda("cpu"),
        lambda: lib.nn.Linear(2, 3).to("foo"),
    ]


@pytest.mark.parametrize("i", range(len(module_calls(npgrad))))
def test_module_to_matches_torch(torch, i):
    assert outcome(module_calls(npgrad)[i]) == outcome(module_calls(torch)[i])


def test_module_to_returns_the_module_and_keeps_parameter_objects():
    m = npgrad.nn.Linear(2, 3)
    w = m.weight
    assert m.to("cpu") is m and m.cpu() is m and m.weight is w


QUERIES = ["cuda.is_available()", "cuda.device_count()", "cuda.is_initialized()", "cuda.manual_seed(1)",
           "cuda.manual_seed_all(1)", "cuda.seed()", "cuda.empty_cache()", "cuda.memory_allocated()",
           "cuda.current_device()", "cuda.synchronize()", "cuda.get_device_name()", "cuda.get_device_name(0)",
           "cuda.get_device_properties(0)", "cuda.initial_seed()", "cuda.is_bf16_supported()",
           "backends.mps.is_available()", "backends.mps.is_built()", "backends.cudnn.is_available()",
           "backends.cudnn.deterministic", "backends.cudnn.benchmark", "backends.cudnn.enabled",
           "backends.cuda.is_built()", "backends.cuda.matmul.allow_tf32", "accelerator.is_available()",
           "accelerator.current_accelerator()", "accelerator.device_count()",
           "accelerator.current_device_index()", "get_default_device()", "mps.is_available()", "mps.device_count()",
           "mps.manual_seed(0)", "mps.synchronize()", "xpu.is_available()", "xpu.device_count()", "xpu.synchronize()",
           "xpu.manual_seed(0)", "zeros(1, device='xpu')", "cuda.mem_get_info()", "cuda.memory_reserved()",
           "cuda.max_memory_allocated()", "cuda.max_memory_reserved()", "cuda.memory_allocated(0)",
           "cuda.get_device_capability()", "cuda.init()", "cuda.get_rng_state()", "cuda.synchronize(0)",
           "cuda.current_stream()", "accelerator.synchronize()", "accelerator.set_device_index(0)",
           "accelerator.empty_cache()", "accelerator.memory_allocated()", "ones(2).to(0)", "ones(2).cuda(0)",
           "ones(2).type()", "ones(2).pin_memory()", "ones(2).is_pinned()", "cuda.device(0).idx"]


@pytest.mark.parametrize("expr", QUERIES)
def test_device_queries_match_torch_cpu_build(torch, expr):
    assert outcome(lambda: eval(f"lib.{expr}", {"lib": npgrad})) == outcome(lambda: eval(f"lib.{expr}", {"lib": torch}))


def test_cudnn_flags_are_settable():
    old = npgrad.backends.cudnn.deterministic, npgrad.backends.cudnn.benchmark
    try:
        npgrad.backends.cudnn.deterministic, npgrad.backends.cudnn.benchmark = True, True
        assert npgrad.backends.cudnn.deterministic and npgrad.backends.cudnn.benchmark
    finally:
        npgrad.backends.cudnn.deterministic, npgrad.backends.cudnn.benchmark = old


def test_usual_device_selection_idiom_runs():
    device = npgrad.device("cuda" if npgrad.cuda.is_available() else
                           "mps" if npgrad.backends.mps.is_available() else "cpu")
    model = npgrad.nn.Linear(4, 2).to(device)
    x = npgrad.randn(3, 4, device=device)
    assert model(x.to(device)).device == device == npgrad.device("cpu")


def test_default_device_matches_torch(torch):
    try:
        for lib in (npgrad, torch):
            lib.set_default_device("cpu")
        assert outcome(npgrad.get_default_device) == outcome(torch.get_default_device)
        for lib in (npgrad, torch):
            lib.set_default_device("cuda")  # accepted lazily; making a tensor raises
        for call in (lambda lib: lib.get_default_device(), lambda lib: lib.zeros(2), lambda lib: lib.tensor([1.0]),
                     lambda lib: lib.nn.Linear(2, 2)):
            assert outcome(lambda: call(npgrad)) == outcome(lambda: call(torch))
        assert outcome(lambda: npgrad.set_default_device("foo")) == outcome(lambda: torch.set_default_device("foo"))
    finally:
        torch.set_default_device(None)
    npgrad.set_default_device(None)
    assert npgrad.zeros(1).device == npgrad.get_default_device() == npgrad.device("cpu")


def test_device_as_context_manager_sets_the_default():
    with npgrad.device("cuda"):
        with pytest.raises(AssertionError):
            npgrad.zeros(2)
    assert npgrad.zeros(2).device.type == "cpu"


def test_zeros_like_follows_its_input_not_the_default_device():
    x = npgrad.zeros(2)
    npgrad.set_default_device("cpu")
    assert npgrad.zeros_like(x).device == x.device
    np.testing.assert_array_equal(npgrad.ones_like(x, device="cpu").numpy(), [1.0, 1.0])


def test_generator_device_as_torch(torch):
    assert npgrad.Generator(device="cpu").device == npgrad.device("cpu") and npgrad.Generator().device.type == "cpu"
    for spec in ("cuda", "foo"):
        with pytest.raises(RuntimeError) as ours:
            npgrad.Generator(device=spec)
        with pytest.raises(RuntimeError) as theirs:
            torch.Generator(device=spec)
        assert str(theirs.value).startswith(str(ours.value))


def test_global_settings_round_trip_as_torch(torch):
    try:
        for lib in (npgrad, torch):
            lib.use_deterministic_algorithms(True, warn_only=True)
        assert (npgrad.are_deterministic_algorithms_enabled(), npgrad.is_deterministic_algorithms_warn_only_enabled()) \
            == (torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled())
        for lib in (npgrad, torch):
            lib.set_float32_matmul_precision("high")
        assert npgrad.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "high"
        with pytest.raises(TypeError):
            npgrad.use_deterministic_algorithms("yes")
        with pytest.warns(UserWarning, match="not one of 'highest', 'high', or 'medium'"):
            npgrad.set_float32_matmul_precision("fast")
    finally:
        for lib in (npgrad, torch):
            lib.use_deterministic_algorithms(False)
            lib.set_float32_matmul_precision("highest")


def test_memory_formats_print_and_are_accepted(torch):
    for name in ("contiguous_format", "preserve_format", "channels_last", "channels_last_3d"):
        assert repr(getattr(npgrad, name)) == repr(getattr(torch, name))
        assert pickle.loads(pickle.dumps(getattr(npgrad, name))) is getattr(npgrad, name)
    x = npgrad.ones(1, 2, 3, 3)
    assert x.to(memory_format=npgrad.channels_last) is x
    assert x.contiguous(memory_format=npgrad.channels_last).shape == x.shape
    assert npgrad.nn.Conv2d(2, 2, 1).to(memory_format=npgrad.channels_last)(x).shape == (1, 2, 3, 3)


def test_settings_docstring_examples():
    assert doctest.testmod(importlib.import_module("npgrad._settings")).failed == 0


@pytest.mark.parametrize("args, kwargs", [((2, 3), dict(device="cpu")), (([1.0],), dict(device=npgrad.device("cpu"))),
                                          ((2,), dict(device="cuda")), ((2,), dict(device="foo"))], ids=str)
def test_legacy_constructor_device_as_torch(torch, args, kwargs):
    tkwargs = {k: (str(v) if isinstance(v, npgrad.device) else v) for k, v in kwargs.items()}
    ours = outcome(lambda: npgrad.Tensor(*args, **kwargs).shape)
    theirs = outcome(lambda: torch.Tensor(*args, **tkwargs).shape)
    assert ours == theirs
