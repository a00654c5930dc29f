"""The Tensor API: attributes, conversions, Python protocols and PyTorch's repr."""
import numpy as np
import pytest

import npgrad

# repr: the same builder on both modules must print the same text (dtype prefix aside)
REPRS = [
    ("leaf", lambda T: T.tensor([1.0, 2.0], requires_grad=True)),
    ("scalar", lambda T: T.tensor(3.0)),
    ("decimals", lambda T: T.tensor([0.5, 1.25])),
    ("int", lambda T: T.tensor([1, 2, 3])),
    ("int_widths", lambda T: T.tensor([[1, -2], [30, 4]])),
    ("int_scalar", lambda T: T.tensor(2)),
    ("bool", lambda T: T.tensor([True, False])),
    ("bool_scalar", lambda T: T.tensor(True)),
    ("float64", lambda T: T.tensor([1.5, 2.0], dtype=T.float64)),
    ("int32", lambda T: T.tensor([1, 2], dtype=T.int32)),
    ("grad_fn_mul", lambda T: T.tensor([1.0, 2.0], requires_grad=True) * 2),
    ("grad_fn_add", lambda T: T.tensor([1.0, 2.0], requires_grad=True) + 1),
    ("grad_fn_sum", lambda T: T.tensor([1.0, 2.0], requires_grad=True).sum()),
    ("grad_fn_pow", lambda T: T.tensor([1.0, 2.0], requires_grad=True) ** 2),
    ("grad_fn_exp", lambda T: T.tensor([1.0, 2.0], requires_grad=True).exp()),
    ("grad_fn_select", lambda T: T.tensor([[1.0, 2.0]], requires_grad=True)[0, 1]),
    ("grad_fn_slice", lambda T: T.tensor([1.0, 2.0, 3.0], requires_grad=True)[1:]),
    ("grad_fn_index", lambda T: T.tensor([1.0, 2.0, 3.0], requires_grad=True)[[0, 0]]),
    ("grad_fn_mean", lambda T: T.tensor([1.0, 2.0], requires_grad=True).mean()),
    ("grad_fn_sigmoid", lambda T: T.tensor([1.0, 2.0], requires_grad=True).sigmoid()),
    ("grad_fn_view", lambda T: T.tensor([[1.0, 2.0]], requires_grad=True).view(2)),
    ("grad_fn_to", lambda T: T.tensor([1.0, 2.0], requires_grad=True).double()),
    ("matrix", lambda T: T.arange(12.0).reshape(3, 4)),
    ("negative", lambda T: T.tensor([-1.0, 0.5])),
    ("neg_zero", lambda T: T.tensor(-0.0)),
    ("sci_small", lambda T: T.tensor([1e-5, 1.0])),
    ("sci_big", lambda T: T.tensor([1e10, 1.0])),
    ("sci_ratio_ints", lambda T: T.tensor([100000.0, 1.0])),
    ("sci_widths", lambda T: T.tensor([[1.5, -2.25], [1e-3, 4.0]])),
    ("nonfinite", lambda T: T.tensor([float("nan"), 1.0, float("inf")])),
    ("zeros", lambda T: T.zeros(2, 3)),
    ("empty_1d", lambda T: T.zeros(0)),
    ("empty_2d", lambda T: T.zeros(2, 0)),
    ("summarized", lambda T: T.arange(2000.0)),
    ("summarized_2d", lambda T: T.arange(3000.0).reshape(3, 1000) / 7),
    ("wrapped", lambda T: T.arange(40.0) / 3),
    ("3d", lambda T: T.arange(24).reshape(2, 3, 4) - 5),
    ("suffix_wraps", lambda T: T.arange(24.0).reshape(2, 3, 4).to(T.float64) * 1e5 + 0.5),
    ("int_summarized", lambda T: T.arange(5000).reshape(50, 100)),
]


@pytest.mark.parametrize("build", [r[1] for r in REPRS], ids=[r[0] for r in REPRS])
def test_repr_matches_torch(build, torch):
    assert repr(build(npgrad)) == repr(build(torch))


@pytest.mark.parametrize("build,text", [
    (lambda: npgrad.tensor([1.0, 2.0], requires_grad=True), "tensor([1., 2.], requires_grad=True)"),
    (lambda: npgrad.tensor(3.0), "tensor(3.)"),
    (lambda: npgrad.tensor([0.5, 1.25]), "tensor([0.5000, 1.2500])"),
    (lambda: npgrad.tensor([1, 2]), "tensor([1, 2])"),
    (lambda: npgrad.tensor([True, False]), "tensor([ True, False])"),
    (lambda: npgrad.tensor([1.0], dtype=npgrad.float64), "tensor([1.], dtype=torch.float64)"),
    (lambda: npgrad.tensor([1.0], requires_grad=True) * 2, "tensor([2.], grad_fn=<MulBackward0>)"),
])
def test_repr_examples(build, text):
    assert repr(build()) == text
    assert str(build()) == text


def test_attributes():
    x = npgrad.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4) and isinstance(x.shape, tuple) and repr(x.shape) == str(x.shape) == "torch.Size([2, 3, 4])"
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4
    assert x.ndim == 3 == x.dim() and x.numel() == 24
    assert x.dtype == npgrad.float32 and not x.requires_grad and x.grad is None and x.grad_fn is None
    assert x.is_leaf and x.is_floating_point() and x.device == npgrad.device("cpu") and x.device.type == "cpu"
    with pytest.raises(IndexError, match="out of range"):
        x.size(3)


def test_leaf_and_grad_fn():
    w = npgrad.ones(3, requires_grad=True)
    y = w * 2
    assert w.is_leaf and not y.is_leaf and y.requires_grad and y.grad_fn is not None
    assert y.grad_fn.name() == "MulBackward0"
    assert y.detach().is_leaf and not y.detach().requires_grad


def test_T_reverses_dims():
    x = npgrad.arange(6).reshape(2, 3)
    assert x.T.shape == (3, 2) and x.T.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert npgrad.tensor(1.0).T.shape == ()


def test_item_tolist_numpy():
    assert npgrad.tensor(2.5).item() == 2.5 and isinstance(npgrad.tensor(2.5).item(), float)
    assert isinstance(npgrad.tensor([7]).item(), int)
    assert npgrad.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert npgrad.tensor(1.5).tolist() == 1.5
    with pytest.raises(RuntimeError, match="2 elements"):
        npgrad.tensor([1.0, 2.0]).item()
    a = npgrad.tensor([1.0, 2.0])
    assert a.numpy() is a._data  # shares memory, like PyTorch
    with pytest.raises(RuntimeError, match="detach"):
        npgrad.tensor([1.0], requires_grad=True).numpy()


def test_array_protocol():
    x = npgrad.tensor([1.0, 2.0, 3.0])
    assert np.asarray(x).dtype == np.float32
    np.testing.assert_array_equal(np.asarray(x, dtype=np.float64), [1.0, 2.0, 3.0])
    assert float(np.sum(np.asarray(x))) == 6.0
    assert isinstance(np.exp(x), np.ndarray)  # ufuncs see the array (as with PyTorch's CPU tensors)
    assert np.array(x).shape == (3,)


def test_len_iter_bool():
    x = npgrad.tensor([[1, 2], [3, 4], [5, 6]])
    assert len(x) == 3
    rows = list(x)
    assert len(rows) == 3 and all(isinstance(r, npgrad.Tensor) for r in rows) and rows[2].tolist() == [5, 6]
    assert [float(v) for v in npgrad.tensor([1.5, 2.5])] == [1.5, 2.5]
    with pytest.raises(TypeError):
        len(npgrad.tensor(1.0))
    with pytest.raises(TypeError):
        iter(npgrad.tensor(1.0))
    assert bool(npgrad.tensor([1.0])) and not bool(npgrad.tensor(0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(npgrad.tensor([1, 2]))
    assert int(npgrad.tensor(3.7)) == 3 and float(npgrad.tensor(2)) == 2.0
    assert [10, 20, 30][npgrad.tensor(1)] == 20  # __index__


def test_iteration_is_differentiable():
    x = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    sum(r.sum() * i for i, r in enumerate(x)).backward()
    assert x.grad.tolist() == [[0.0, 0.0], [1.0, 1.0]]


def test_conversions():
    x = npgrad.tensor([1.7, -2.2])
    assert x.to(npgrad.float64).dtype == npgrad.float64 and x.double().dtype == npgrad.float64
    assert x.long().dtype == npgrad.int64 and x.long().tolist() == [1, -2]
    assert x.int().dtype == npgrad.int32 and x.bool().dtype == npgrad.bool
    assert x.float() is x  # no copy when the dtype already matches, like PyTorch
    assert npgrad.tensor([1, 2]).float().dtype == npgrad.float32
    assert x.to("cpu") is x and x.to(npgrad.tensor([1.0], dtype=npgrad.float64)).dtype == npgrad.float64
    assert x.to(npgrad.float32, copy=True) is not x


def test_to_is_differentiable():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.requires_grad and y.dtype == npgrad.float64
    (y * y).sum().backward()
    assert x.grad.dtype == npgrad.float32 and x.grad.tolist() == [2.0, 4.0]


def test_detach_shares_memory():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d._data is x._data
    with npgrad.no_grad():
        d[0] = 5.0
    assert x.tolist() == [5.0, 2.0]


def test_clone_copies_and_is_differentiable():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c._data is not x._data and not c.is_leaf and c.requires_grad
    (c * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    plain = npgrad.tensor([1, 2])
    pc = plain.clone()
    pc[0] = 9
    assert plain.tolist() == [1, 2]


def test_requires_grad_():
    x = npgrad.zeros(2)
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        npgrad.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="floating point"):
        npgrad.tensor([1, 2], requires_grad=True)
    y = npgrad.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)


def test_backward_signature():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.backward(npgrad.tensor([1.0, 0.5]), retain_graph=True)
    assert x.grad.tolist() == [2.0, 2.0]
    y.backward(gradient=npgrad.tensor([1.0, 1.0]))
    assert x.grad.tolist() == [4.0, 6.0]


def test_comparison_dunders_return_tensors_and_hash_by_identity():
    a = npgrad.tensor([1.0, 2.0])
    assert (a == a).tolist() == [True, True] and (a != 1.0).tolist() == [False, True]
    assert len({a, a, npgrad.tensor([1.0, 2.0])}) == 2
    assert (a == "x") is False


def test_tensor_constructor():
    assert npgrad.Tensor(2, 3).shape == (2, 3) and npgrad.Tensor(2, 3).dtype == npgrad.float32
    assert npgrad.Tensor([1, 2]).dtype == npgrad.float32  # torch.Tensor(data) is float
    assert isinstance(npgrad.tensor(1.0), npgrad.Tensor) and npgrad.is_tensor(npgrad.tensor(1.0))


def test_deepcopy_of_a_view_is_independent():
    import copy
    base = npgrad.zeros(3, 2)
    v = base[0]
    c = copy.deepcopy(v)
    w = npgrad.ones(2, requires_grad=True)
    c.copy_(w * 2)  # recorded in-place on the copy must not touch base
    assert base.tolist() == [[0.0, 0.0]] * 3 and not base.requires_grad and c.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="deepcopy"):
        copy.deepcopy(npgrad.ones(2, requires_grad=True) * 2)


def test_contiguous_copies_other_layouts_and_passes_gradients(torch):
    import npgrad
    from npgrad.autograd import gradcheck, gradgradcheck
    base = np.random.default_rng(0).standard_normal((3, 4, 5))
    x = npgrad.tensor(base, requires_grad=True)
    assert gradcheck(lambda a: a.permute(2, 0, 1).contiguous() * 2.0, (x,))
    assert gradgradcheck(lambda a: (a.permute(2, 0, 1).contiguous() ** 2), (x,))
    y = x.permute(2, 0, 1).contiguous()
    t = torch.tensor(base, requires_grad=True).permute(2, 0, 1).contiguous()
    assert y.is_contiguous() and y.stride() == t.stride() and y.grad_fn.name() == t.grad_fn.name()
    assert x.contiguous() is x  # already C order: the tensor itself, as PyTorch


def test_data_is_a_detached_tensor_sharing_memory():
    w = npgrad.tensor([1.0, 2.0], requires_grad=True)
    d = w.data
    assert isinstance(d, npgrad.Tensor) and not d.requires_grad and d.is_leaf
    d.add_(1.0)                                   # the old tutorials' w.data.add_(...)
    assert w.tolist() == [2.0, 3.0] and w.requires_grad
    w.data.normal_()                              # p.data.normal_() initialisation
    assert w.requires_grad and w.grad_fn is None
    y = w * 2
    assert npgrad.max(y.data, 0)[0].grad_fn is None and not y.data.requires_grad
    w.data = npgrad.zeros(2)                      # rebinding the data keeps the leaf
    assert w.tolist() == [0.0, 0.0] and w.requires_grad
    with pytest.raises(TypeError, match="data"):
        w.data = [1.0, 2.0]
