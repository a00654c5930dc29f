"""Advanced indexing places the indexed dimensions where PyTorch does (integers are selects first),
for reads, writes and gradients."""
import numpy as np
import pytest

import npgrad

I, J = [0, 1, 0], [1, 2, 2]
KEYS = {
    "int_slice_idx": lambda x: (1, slice(None), I),
    "idx_slice_idx": lambda x: (I, slice(None), J),
    "slice_int_slice_idx": lambda x: (slice(None), 1, slice(None), I),
    "int_two_slices_idx": lambda x: (1, slice(None), slice(None), I),
    "idx_int_idx": lambda x: (I, 1, J),
    "int_slice_idx_int": lambda x: (0, slice(None), I, 2),
    "int_idx_slice_idx": lambda x: (1, I, slice(None), J),
    "none_int_slice_idx": lambda x: (None, 1, slice(None), I),
    "int_none_slice_idx": lambda x: (1, None, slice(None), I),
    "int_slice_idx2d": lambda x: (1, slice(None), [[0, 1], [1, 2]]),
    "int_steps_idx2d": lambda x: (1, slice(1, 3), slice(None, None, 2), [[0, 1], [1, 2]]),
    "int_slice_mask": lambda x: (-1, slice(None), [True, False, True, True]),
    "int_ellipsis_idx": lambda x: (1, Ellipsis, [0, 2]),
}


@pytest.mark.parametrize("name", list(KEYS))
def test_read_write_grad_match_torch(name, torch):
    key = KEYS[name](None)
    x = np.arange(120, dtype=np.float32).reshape(2, 3, 4, 5)
    expect = torch.tensor(x)[key]
    got = npgrad.tensor(x)[key]
    assert tuple(got.shape) == tuple(expect.shape)
    np.testing.assert_array_equal(got.numpy(), expect.numpy())
    v = np.random.default_rng(0).standard_normal(tuple(expect.shape)).astype(np.float32)
    tw, nw = torch.tensor(x), npgrad.tensor(x)
    tw[key] = torch.tensor(v)
    nw[key] = npgrad.tensor(v)
    np.testing.assert_array_equal(nw.numpy(), tw.numpy())
    tg, ng = torch.tensor(x, requires_grad=True), npgrad.tensor(x, requires_grad=True)
    (tg[key] * torch.tensor(v)).sum().backward()
    (ng[key] * npgrad.tensor(v)).sum().backward()
    np.testing.assert_array_equal(ng.grad.numpy(), tg.grad.numpy())
    tn, nn_ = torch.tensor(x, requires_grad=True) * 1, npgrad.tensor(x, requires_grad=True) * 1
    tn[key] = torch.tensor(v)
    nn_[key] = npgrad.tensor(v)
    np.testing.assert_array_equal(nn_.detach().numpy(), tn.detach().numpy())


def test_int_then_index_is_select_then_index():
    x = npgrad.arange(24).reshape(2, 3, 4)
    np.testing.assert_array_equal(x[1, :, [0, 3]].numpy(), x[1][:, [0, 3]].numpy())
    assert x[1, :, [0, 3]].shape == (3, 2)


def test_out_of_bounds_still_raises():
    x = npgrad.zeros(2, 3, 4)
    with pytest.raises(IndexError):
        x[1, :, [0, 4]]


EMPTY_INDEXING = [lambda T, x: x.roll(1, 0), lambda T, x: x.roll(-2), lambda T, x: x.t().roll(1, 1),
                  lambda T, x: x.repeat_interleave(2, dim=0), lambda T, x: x.t().repeat_interleave(2, dim=0),
                  lambda T, x: x.sort(0)[0], lambda T, x: x.t().topk(0)[0], lambda T, x: x[T.tensor([], dtype=T.int64)],
                  lambda T, x: x.t()[[0, 0]], lambda T, x: x.gather(0, T.zeros(0, 2, dtype=T.int64))]


@pytest.mark.parametrize("f", EMPTY_INDEXING)
def test_index_ops_on_empty_dims_forward_and_backward(f, torch):
    """An empty index list is never out of bounds, even into an empty dim (roll, sort, repeat_interleave
    of empty tensors go through it)."""
    shapes = []
    for T in (npgrad, torch):
        x = T.zeros(0, 3, requires_grad=True)
        y = f(T, x)
        y.sum().backward()
        shapes.append((tuple(y.shape), tuple(x.grad.shape)))
    assert shapes[0] == shapes[1]


@pytest.mark.parametrize("xs,idx,dim", [((3, 1), [[0, 2, 1, 0], [2, 2, 0, 1]], 0), ((3, 4), [[0], [2]], 0),
                                        ((3, 4), [[0, 1]], 1), ((3, 4), [[0, 1]], None), ((3, 4), [[0, 0, 0]], 1)])
def test_take_along_dim_broadcasts_input_and_indices(xs, idx, dim, torch):
    x0 = np.arange(12.0).reshape(3, 4)[:xs[0], :xs[1]]
    res = []
    for T in (npgrad, torch):
        x = T.tensor(x0, requires_grad=True)
        y = T.take_along_dim(x, T.tensor(idx), dim) if dim is not None else T.take_along_dim(x, T.tensor(idx))
        (y * T.arange(y.numel(), dtype=y.dtype).reshape(y.shape)).sum().backward()
        res.append((y.tolist(), x.grad.tolist()))
    assert res[0] == res[1]


@pytest.mark.filterwarnings("ignore:indexing with dtype torch.uint8")
@pytest.mark.parametrize("key", [lambda T: T.tensor([1, 0, 1], dtype=T.uint8),
                                 lambda T: (slice(None), T.tensor([1, 0, 1, 1], dtype=T.uint8))])
def test_uint8_index_tensor_is_a_mask_as_in_pytorch(key, torch):
    ours = npgrad.arange(12.0).reshape(3, 4)[key(npgrad)]
    assert ours.tolist() == torch.arange(12.0).reshape(3, 4)[key(torch)].tolist()
    with pytest.warns(UserWarning, match="uint8 is now deprecated"):
        npgrad.arange(12.0).reshape(3, 4)[key(npgrad)]


@pytest.mark.parametrize("dim", [0, 1])
def test_index_select_refuses_negative_indices(dim, torch):
    for T in (torch, npgrad):
        with pytest.raises((IndexError, RuntimeError)):
            T.arange(12.0).reshape(3, 4).index_select(dim, T.tensor([-1]))


def test_take_along_dim_wraps_negative_indices(torch):
    idx = [[-1], [-4], [0]]
    ours = npgrad.take_along_dim(npgrad.arange(12.0).reshape(3, 4), npgrad.tensor(idx), 1)
    assert ours.tolist() == torch.take_along_dim(torch.arange(12.0).reshape(3, 4), torch.tensor(idx), 1).tolist()
