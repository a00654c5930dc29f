"""Module system: registration order, iteration, state_dict round trips, hooks, modes, dtype, repr."""
import copy
import pickle

import numpy as np
import pytest

import npgrad
import npgrad.nn as nn
from npgrad.nn import Parameter

from .nn_helpers import torch_state_to_numpy


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.bn = nn.BatchNorm1d(8)
        self.scale = Parameter(npgrad.ones(1))
        self.register_buffer("steps", npgrad.zeros(1))
        self.register_buffer("cache", npgrad.zeros(2), persistent=False)
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(8, 3))

    def forward(self, x):
        return self.head(self.bn(self.fc1(x))) * self.scale


def torch_net(torch):
    class TNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(4, 8)
            self.bn = torch.nn.BatchNorm1d(8)
            self.scale = torch.nn.Parameter(torch.ones(1))
            self.register_buffer("steps", torch.zeros(1))
            self.register_buffer("cache", torch.zeros(2), persistent=False)
            self.head = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(8, 3))

        def forward(self, x):
            return self.head(self.bn(self.fc1(x))) * self.scale
    return TNet()


def test_registration_order_and_dotted_names():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "head.1.weight", "head.1.bias"]
    assert [n for n, _ in net.named_buffers()] == ["steps", "cache", "bn.running_mean", "bn.running_var",
                                                   "bn.num_batches_tracked"]
    assert [n for n, _ in net.named_children()] == ["fc1", "bn", "head"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "bn", "head", "head.0", "head.1"]
    assert len(list(net.modules())) == 6 and len(list(net.children())) == 3
    assert all(isinstance(p, npgrad.Tensor) and p.requires_grad for p in net.parameters())


def test_names_match_torch(torch):
    ours, theirs = Net(), torch_net(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert repr(ours).replace("Net(", "X(") == repr(theirs).replace("TNet(", "X(")


def test_shared_parameters_listed_once():
    a = nn.Linear(2, 2)
    seq = nn.Sequential(a, nn.ReLU(), a)
    assert len(list(seq.parameters())) == 2
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_missing_super_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call.*super\(\).__init__\(\)"):
        Bad()

    class Bad2(nn.Module):
        def __init__(self):
            self.x = 3

        def forward(self, x):
            return x

    with pytest.raises(RuntimeError, match="super"):
        Bad2()(npgrad.ones(1))


def test_setattr_rules():
    m = nn.Module()
    m.w = Parameter(npgrad.zeros(2))
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'w'"):
        m.w = npgrad.zeros(2)
    m.w = None
    assert m.w is None and "w" in m._parameters and list(m.parameters()) == []
    m.sub = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="child module 'sub'"):
        m.sub = 3
    m.register_buffer("b", npgrad.zeros(1))
    with pytest.raises(TypeError, match="buffer 'b'"):
        m.b = 3
    with pytest.raises(KeyError, match="attribute 'plain' already exists"):
        m.plain = 1
        m.register_buffer("plain", npgrad.zeros(1))
    with pytest.raises(KeyError, match="attribute 'w' already exists"):
        m.register_buffer("w", npgrad.zeros(1))  # already a parameter
    with pytest.raises(KeyError, match="contain"):
        m.register_parameter("a.b", None)
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        m.nothing
    del m.sub
    assert "sub" not in m._modules
    m.buf = nn.Buffer(npgrad.ones(3))
    assert "buf" in dict(m.named_buffers())


def test_parameter_is_a_tensor_sharing_memory():
    t = npgrad.zeros(3)
    p = Parameter(t)
    assert isinstance(p, npgrad.Tensor) and p.requires_grad and p.is_leaf
    p._data[0] = 5
    assert t._data[0] == 5
    assert repr(p).startswith("Parameter containing:\ntensor(")
    assert not Parameter(npgrad.zeros(1), requires_grad=False).requires_grad
    q = copy.deepcopy(p)
    assert type(q) is Parameter and q._data is not p._data and q.requires_grad
    r = pickle.loads(pickle.dumps(p))
    assert type(r) is Parameter and np.array_equal(r._data, p._data)


def test_state_dict_round_trip_and_sharing():
    a, b = Net(), Net()
    sd = a.state_dict()
    assert "cache" not in sd and "bn.num_batches_tracked" in sd
    assert sd["fc1.weight"]._data is a.fc1.weight._data  # shares memory, detached
    assert not sd["fc1.weight"].requires_grad
    res = b.load_state_dict(sd)
    assert res.missing_keys == [] and res.unexpected_keys == []
    for k, v in b.state_dict().items():
        np.testing.assert_array_equal(v._data, sd[k]._data)
    assert b.fc1.weight._data is not a.fc1.weight._data  # copied in, not aliased
    kv = a.state_dict(keep_vars=True)
    assert kv["fc1.weight"] is a.fc1.weight


def test_load_state_dict_errors_and_numpy_values():
    net = Net()
    sd = {k: v._data.copy() for k, v in Net().state_dict().items()}  # plain ndarrays
    net.load_state_dict(sd)
    sd.pop("fc1.bias")
    sd["extra"] = np.zeros(1)
    with pytest.raises(RuntimeError) as e:
        net.load_state_dict(sd)
    msg = str(e.value)
    assert "Error(s) in loading state_dict for Net" in msg
    assert 'Missing key(s) in state_dict: "fc1.bias"' in msg and 'Unexpected key(s) in state_dict: "extra"' in msg
    res = net.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["fc1.bias"] and res.unexpected_keys == ["extra"]
    sd = {k: v._data for k, v in Net().state_dict().items()}
    sd["fc1.weight"] = np.zeros((4, 8), np.float32)
    with pytest.raises(RuntimeError, match=r"size mismatch for fc1.weight: copying a param with shape "
                                           r"torch.Size\(\[4, 8\]\) from checkpoint, the shape in current "
                                           r"model is torch.Size\(\[8, 4\]\)"):
        net.load_state_dict(sd, strict=False)


def test_load_state_dict_casts_to_parameter_dtype():
    lin = nn.Linear(2, 2)
    lin.load_state_dict({"weight": np.ones((2, 2), np.float64), "bias": np.zeros(2, np.float64)})
    assert lin.weight.dtype == npgrad.float32 and lin.weight._data.sum() == 4


def test_torch_state_dict_loads_and_outputs_match(torch):
    theirs = torch_net(torch)
    ours = Net()
    ours.load_state_dict(torch_state_to_numpy(theirs))
    assert int(ours.bn.num_batches_tracked.item()) == 0
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    theirs.eval(), ours.eval()
    np.testing.assert_allclose(ours(npgrad.tensor(x))._data, theirs(torch.tensor(x)).detach().numpy(), atol=1e-5)
    # and back: our state_dict loads into torch
    theirs.load_state_dict({k: torch.tensor(v._data) for k, v in ours.state_dict().items()})


def test_train_eval_propagate():
    net = Net()
    assert net.training and net.head[1].training
    assert net.eval() is net
    assert not net.training and not net.bn.training and not net.head[0].training
    net.train()
    assert net.bn.training
    with pytest.raises(ValueError, match="boolean"):
        net.train("yes")


def test_zero_grad_and_requires_grad():
    net = Net()
    net(npgrad.randn(3, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad._data.any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_apply_visits_children_first():
    seen = []
    Net().apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "BatchNorm1d", "ReLU", "Linear", "Sequential", "Net"]


def test_to_dtype_keeps_parameter_objects():
    net = Net()
    w = net.fc1.weight
    assert net.double() is net
    assert net.fc1.weight is w and w.dtype == npgrad.float64
    assert net.bn.running_mean.dtype == npgrad.float64
    assert net.bn.num_batches_tracked.dtype == npgrad.int64  # integer buffers are left alone
    out = net(npgrad.randn(3, 4, dtype=npgrad.float64))
    assert out.dtype == npgrad.float64
    net.to(npgrad.float32)
    assert w.dtype == npgrad.float32
    net.float().to("cpu")
    with pytest.raises(TypeError, match="floating point"):
        net.to(npgrad.int64)
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        net.to("cuda")


def test_forward_hooks():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: calls.append("pre") or (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append("post") or out + 1)
    out = lin(npgrad.ones(1, 2))
    assert calls == ["pre", "post"]
    np.testing.assert_allclose(out._data, lin.bias._data[None] + 1, rtol=1e-6)
    h1.remove()
    h2.remove()
    calls.clear()
    lin(npgrad.ones(1, 2))
    assert calls == []
    with lin.register_forward_hook(lambda m, a, o: calls.append(o.shape)):
        lin(npgrad.ones(3, 2))
    lin(npgrad.ones(3, 2))
    assert calls == [npgrad.Size([3, 2])]


def test_forward_hook_with_kwargs_and_prepend():
    lin = nn.Linear(2, 2)
    order = []
    lin.register_forward_hook(lambda m, a, o: order.append(1))
    lin.register_forward_hook(lambda m, a, o: order.append(0), prepend=True)
    lin.register_forward_hook(lambda m, a, k, o: order.append(("kw", k)), with_kwargs=True)
    lin(npgrad.ones(1, 2))
    assert order == [0, 1, ("kw", {})]


def test_missing_forward():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(1)


def test_repr_nested_and_extra_repr(torch):
    ours = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 1, bias=False), nn.Sigmoid()))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(),
                                 torch.nn.Sequential(torch.nn.Linear(3, 1, bias=False), torch.nn.Sigmoid()))
    assert repr(ours) == repr(theirs)


def test_deepcopy_and_pickle_module():
    net = Net()
    net2 = copy.deepcopy(net)
    assert net2.fc1.weight is not net.fc1.weight
    np.testing.assert_array_equal(net2.fc1.weight._data, net.fc1.weight._data)
    net3 = pickle.loads(pickle.dumps(net))
    assert [n for n, _ in net3.named_parameters()] == [n for n, _ in net.named_parameters()]
    x = npgrad.randn(2, 4)
    net.eval(), net3.eval()
    np.testing.assert_allclose(net3(x)._data, net(x)._data)


def test_get_submodule_and_parameter():
    net = Net()
    assert net.get_submodule("head.1") is net.head[1]
    assert net.get_parameter("head.1.bias") is net.head[1].bias
    assert net.get_buffer("bn.running_var") is net.bn.running_var
    with pytest.raises(AttributeError, match="no attribute `nope`"):
        net.get_submodule("head.nope")
