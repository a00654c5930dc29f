"""In-place ops on views whose elements share memory (unfold windows), and writes whose source
partly overlaps the written memory: values, gradients and errors as PyTorch.

PyTorch writes such a view element after element (later elements read what earlier ones wrote)
and its CopySlices copies the gradient of the view's old values into the base (each place gets
the gradient of the element written there last) instead of summing over the elements sharing it.
"""
import numpy as np
import pytest

import npgrad

W = [[1., 2.], [3., 4.], [5., 6.]]

# (name, program(T, x, y) -> tensors to compare); x: (4,) leaf, y: (3, 2) leaf, both require grad
PROGRAMS = [
    ("masked_fill_window_only_once", lambda T, x, y: _win(T, x, lambda v: v.masked_fill_(
        T.tensor([[True, False], [False, False], [False, False]]), 0))),
    ("masked_fill_shared_element", lambda T, x, y: _win(T, x, lambda v: v.masked_fill_(
        T.tensor([[False, True], [False, False], [False, False]]), 0))),
    ("mul_operand", lambda T, x, y: _win(T, x, lambda v: v.mul_(y))),
    ("mul_scalar", lambda T, x, y: _win(T, x, lambda v: v.mul_(2))),
    ("add_scalar", lambda T, x, y: _win(T, x, lambda v: v.add_(1))),
    ("div_operand", lambda T, x, y: _win(T, x, lambda v: v.div_(y.abs() + 1))),
    ("clamp_", lambda T, x, y: _win(T, x, lambda v: v.clamp_(-0.5, 2.5))),
    ("pow_", lambda T, x, y: _win(T, x, lambda v: v.pow_(2))),
    ("sigmoid_", lambda T, x, y: _win(T, x, lambda v: v.sigmoid_())),
    ("copy_", lambda T, x, y: _win(T, x, lambda v: v.copy_(y * 2))),
    ("fill_", lambda T, x, y: _win(T, x, lambda v: v.fill_(0.5))),
    ("setitem_region", lambda T, x, y: _win(T, x, lambda v: v.__setitem__(slice(1, None), y[1:] * 3))),
    ("setitem_column", lambda T, x, y: _win(T, x, lambda v: v.__setitem__((slice(None), 0), y[:, 1]))),
    ("setitem_mask", lambda T, x, y: _win(T, x, lambda v: v.__setitem__(v > 2, 0.0))),
    ("window_of_window", lambda T, x, y: _win(T, x, lambda v: v.mul_(y[:2].reshape(2, 2)[None]),
                                                   view=lambda h: h.unfold(0, 3, 1).unfold(1, 2, 1))),
    ("no_grad_write", lambda T, x, y: _win(T, x, lambda v: _no_grad(T, lambda: v.mul_(3)))),
    ("lerp_", lambda T, x, y: _win(T, x, lambda v: v.lerp_(y, 0.25))),
    ("addcmul_", lambda T, x, y: _win(T, x, lambda v: v.addcmul_(y, y, value=0.5))),
    ("add_itself", lambda T, x, y: _win(T, x, lambda v: v.add_(v))),
    ("sub_itself_times_2", lambda T, x, y: _win(T, x, lambda v: v.sub_(v * 2))),
    ("copy_itself", lambda T, x, y: _win(T, x, lambda v: v.copy_(v))),
    ("twice", lambda T, x, y: _win(T, x, lambda v: (v.mul_(y), v.add_(y)))),
    ("then_base", lambda T, x, y: _win(T, x, lambda v: v.mul_(y), after=lambda h: h.mul_(x))),
    ("disjoint_windows", lambda T, x, y: _win(T, x, lambda v: v.mul_(y[:2]), view=lambda h: h.unfold(0, 2, 2))),
    ("2d_windows", lambda T, x, y: _win2(T, x, y, lambda h: h.unfold(1, 3, 1), lambda v: v.mul_(
        T.arange(1., 4.)))),
    ("2d_windows_of_transpose", lambda T, x, y: _win2(T, x, y, lambda h: h.t().unfold(0, 2, 1), lambda v: v.mul_(
        y.reshape(6)[:2]))),
    ("2d_windows_masked", lambda T, x, y: _win2(T, x, y, lambda h: h.t().unfold(1, 2, 1), lambda v: v.masked_fill_(
        T.arange(12.).reshape(v.shape) % 3 == 0, -1.0))),
]


def _win(T, x, write, view=lambda h: h.unfold(0, 2, 1), after=None):
    h = x * 1
    v = view(h)
    write(v)
    if after is not None:
        after(h)
    w = T.arange(1., v.numel() + 1).reshape(v.shape)
    return [h, v, (v * w).sum() + (h * T.tensor([1., 10., 100., 1000.])).sum()]


def _win2(T, x, y, view, write):
    h = (x[:, None] * y.reshape(1, 6)[:, :3] + 1)  # (4, 3)
    v = view(h)
    write(v)
    w = T.arange(1., v.numel() + 1).reshape(v.shape)
    return [h, v, (v * w).sum() + (h * T.arange(12.).reshape(4, 3)).sum()]


def _no_grad(T, fn):
    with T.no_grad():
        fn()


def _run(T, program, double):
    x = T.tensor([1., 2., 3., 4.], dtype=T.float64, requires_grad=True)
    y = T.tensor([[0.5, -2.], [3., 4.], [-5., 6.]], dtype=T.float64, requires_grad=True)
    try:
        outs = program(T, x, y)
        gx, gy = T.autograd.grad(outs[-1], [x, y], allow_unused=True, create_graph=double)
        res = [o.detach().numpy().copy() for o in outs] + [gx, gy]
        if double:
            gg = sum((g * g).sum() for g in (gx, gy) if g is not None and g.requires_grad)
            res += list(T.autograd.grad(gg, [x, y], allow_unused=True)) if not isinstance(gg, int) else []
        return [None if r is None else np.asarray(r.detach().numpy() if hasattr(r, "detach") else r)
                for r in res], None
    except RuntimeError as e:
        return None, str(e)


@pytest.mark.parametrize("double", [False, True], ids=["grad", "double"])
@pytest.mark.parametrize("program", [p[1] for p in PROGRAMS], ids=[p[0] for p in PROGRAMS])
def test_inplace_on_overlapping_view_matches_torch(program, double, torch):
    (got, gerr), (want, werr) = _run(npgrad, program, double), _run(torch, program, double)
    assert (gerr is None) == (werr is None), f"npgrad: {gerr} / torch: {werr}"
    if werr is not None:
        assert gerr.split(".")[0] == werr.split(".")[0]
        return
    assert len(got) == len(want)
    for a, b in zip(got, want):
        if a is None or b is None:  # (one library may give zeros where the other gives None)
            assert not np.any(a if b is None else b)
            continue
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_brief_example_gradient():
    """The base's gradient is copied from the window, not summed over the windows sharing it."""
    x = npgrad.tensor([1., 2., 3., 4.], requires_grad=True)
    v = (x * 1).unfold(0, 2, 1)
    v.masked_fill_(npgrad.tensor([[True, False], [False, False], [False, False]]), 0)
    (v * npgrad.tensor(W)).sum().backward()
    assert x.grad.tolist() == [0., 5., 9., 6.]


def test_overlap_plan_only_for_shared_memory():
    from npgrad._views import overlap_plan
    a = np.arange(24.).reshape(2, 3, 4)
    for v in (a, a[:, ::2], a.transpose(2, 0, 1), a[..., ::-1], a[:1], np.broadcast_to(a[:, :1], (2, 1, 4))):
        assert overlap_plan(v) is None
    win = np.lib.stride_tricks.as_strided(a.reshape(-1), (3, 2), (8, 8))
    plan = overlap_plan(win)
    assert plan.rounds == 2 and plan.occ.tolist() == [[0, 0], [1, 0], [1, 0]]
    assert plan.last.tolist() == [[True, False], [True, False], [True, True]]
    assert overlap_plan(np.broadcast_to(a[0, 0], (3, 4))).rounds == 3


# writes whose source is partly the written memory: PyTorch refuses those it can tell (both dense)
SOURCES = [
    ("rows_from_next_rows", lambda x: x.__setitem__(slice(0, 2), x[1:3])),
    ("flat_shifted", lambda x: x.view(-1).__setitem__(slice(1, None), x.view(-1)[:-1])),
    ("column_from_row", lambda x: x.__setitem__((slice(None), 0), x[0, :])),
    ("row_from_column", lambda x: x.__setitem__(0, x[:, 0])),
    ("rows_from_row", lambda x: x.__setitem__(slice(0, 2), x[1])),
    ("leading_one_dim", lambda x: x.view(-1).__setitem__(slice(2, 6), x.view(-1)[0:4].view(1, 4))),
    ("leading_one_dims_2d", lambda x: x.__setitem__(slice(1, 3), x[0:2].unsqueeze(0))),
    ("leading_one_dim_disjoint", lambda x: x.__setitem__(0, x[1:2] * 1)),
    ("leading_one_dim_broadcast", lambda x: x.__setitem__(slice(0, 2), x[1:2])),
    ("copy_rows", lambda x: x[0:2].copy_(x[1:3])),
    ("copy_transpose", lambda x: x.copy_(x.t())),
    ("copy_same", lambda x: x[1:3].copy_(x[1:3])),
    ("copy_strided", lambda x: x.view(-1)[::2].copy_(x.view(-1)[1::2])),
    ("copy_into_windows", lambda x: x.view(-1).unfold(0, 2, 1)[:3].copy_(x.view(-1)[4:10].view(3, 2))),
    ("add_rows", lambda x: x[0:2].add_(x[1:3])),
    ("add_column_row", lambda x: x[:, 0].add_(x[0])),
]


@pytest.mark.parametrize("grad", [False, True], ids=["data", "graph"])
@pytest.mark.parametrize("program", [p[1] for p in SOURCES], ids=[p[0] for p in SOURCES])
def test_partly_overlapping_source_as_torch(program, grad, torch):
    res = []
    for T in (npgrad, torch):
        x = T.arange(1., 17.).reshape(4, 4)
        if grad:
            x = x.clone().requires_grad_() * 1
        try:
            program(x)
            res.append(x.detach().numpy().copy())
        except RuntimeError as e:
            res.append(str(e))
    got, want = res
    if isinstance(want, str):
        assert got == want
    else:
        assert not isinstance(got, str), got
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("write", ["fill", "masked_fill", "masked_fill_no_grad", "setitem", "copy", "mul"])
def test_inplace_on_expanded_view_as_torch(write, torch):
    """Writes into an expanded view: element after element (a masked_fill_ with a mask that differs
    between the copies fills where any copy is masked); backward through them raises, as PyTorch."""
    import warnings
    res = []
    for T in (npgrad, torch):
        x = T.tensor([1., 2., 3., 4.], requires_grad=True)
        h = x * 1
        v = h.expand(3, 4)
        mask = T.tensor([[True, False, False, False], [False, True, False, False], [False] * 4])
        out = []
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # (PyTorch deprecates masked_fill_ of expanded tensors)
                if write == "fill":
                    v.fill_(2.)
                elif write.startswith("masked_fill"):
                    with T.no_grad() if write.endswith("no_grad") else T.enable_grad():
                        v.masked_fill_(mask, 0.)
                elif write == "setitem":
                    v[1:] = 5.
                elif write == "copy":
                    v.copy_(T.arange(12.).reshape(3, 4))
                else:
                    v.mul_(2.)
            out.append(h.tolist())
            (h * T.tensor([1., 10., 100., 1000.])).sum().backward()
            out.append(x.grad.tolist())
        except RuntimeError as e:
            out.append(str(e))
        res.append(out)
    assert res[0] == res[1]
