"""In-place ops: values and gradients as PyTorch, and the version-counter check that refuses
to backpropagate through a tensor modified after it was saved."""
import numpy as np
import pytest

import npgrad

# (name, in-place step applied to a non-leaf h) — run identically on npgrad and torch
STEPS = [
    ("add_", lambda T, h, y: h.add_(y)),
    ("add_alpha", lambda T, h, y: h.add_(y, alpha=-2)),
    ("sub_", lambda T, h, y: h.sub_(y)),
    ("mul_", lambda T, h, y: h.mul_(y)),
    ("div_", lambda T, h, y: h.div_(y + 3)),
    ("mul_scalar", lambda T, h, y: h.mul_(2.5)),
    ("zero_", lambda T, h, y: h.zero_()),
    ("fill_", lambda T, h, y: h.fill_(1.5)),
    ("copy_", lambda T, h, y: h.copy_(y * 3)),
    ("copy_broadcast", lambda T, h, y: h.copy_(y[0])),
    ("clamp_", lambda T, h, y: h.clamp_(-0.5, 0.5)),
    ("clamp_min", lambda T, h, y: h.clamp_(min=0.0)),
    ("setitem_scalar", lambda T, h, y: h.__setitem__(1, 0.0)),
    ("setitem_tensor", lambda T, h, y: h.__setitem__((slice(None), 0), y[:, 1])),
    ("setitem_mask", lambda T, h, y: h.__setitem__(h > 0, y[h > 0])),
    ("iadd", lambda T, h, y: h.__iadd__(y)),
    ("isub", lambda T, h, y: h.__isub__(y)),
    ("imul", lambda T, h, y: h.__imul__(y)),
    ("itruediv", lambda T, h, y: h.__itruediv__(y + 3)),
    ("abs_", lambda T, h, y: h.abs_()),
    ("sigmoid_", lambda T, h, y: h.sigmoid_()),
    ("tanh_", lambda T, h, y: h.tanh_()),
    ("log1p_", lambda T, h, y: h.abs_().log1p_()),
    ("clamp_min_", lambda T, h, y: h.clamp_min_(0.1)),
    ("masked_fill_", lambda T, h, y: h.masked_fill_(y > 0, 0.25)),
    ("view_write", lambda T, h, y: h[0].mul_(3)),
    ("view_of_view", lambda T, h, y: h.view(6, 2)[1:3].add_(y.reshape(6, 2)[:2])),
    ("transpose_view", lambda T, h, y: h.T[1].mul_(y[0, :3])),
    ("permute_view", lambda T, h, y: h.permute(1, 0).mul_(y.T)),
    ("view_setitem", lambda T, h, y: h[1].__setitem__(slice(0, 2), y[2, :2])),
    ("view_then_base", lambda T, h, y: (h[0].mul_(y[1]), h.add_(y), h.copy_(h * 2), h[:, 1].zero_())),
]


@pytest.mark.parametrize("step", [s[1] for s in STEPS], ids=[s[0] for s in STEPS])
def test_inplace_forward_and_backward_match_torch(step, torch):
    rng = np.random.default_rng(0)
    xs, ys = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((3, 4)).astype(np.float32)
    res = []
    for T in (npgrad, torch):
        x, y = T.tensor(xs, requires_grad=True), T.tensor(ys, requires_grad=True)
        h = x * 1.0  # a non-leaf: in-place on it is allowed
        step(T, h, y)
        (h * T.tensor(xs)).sum().backward()
        res.append([h.detach().numpy().copy(), x.grad, y.grad])
    for a, b in zip(*res):
        if a is None or b is None:
            assert (a is None or not np.any(a._data)) and (b is None or not np.any(b.numpy()))
            continue
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("step", [s[1] for s in STEPS], ids=[s[0] for s in STEPS])
def test_inplace_gradcheck(step):
    def f(x, y):
        h = x * 1.0
        step(npgrad, h, y)
        return h
    rng = np.random.default_rng(1)
    x = npgrad.tensor(rng.uniform(0.2, 1.0, (3, 4)) * rng.choice([-1, 1], (3, 4)), requires_grad=True)
    y = npgrad.tensor(rng.uniform(0.2, 1.0, (3, 4)) * rng.choice([-1, 1], (3, 4)), requires_grad=True)
    assert npgrad.autograd.gradcheck(f, (x, y))


def test_inplace_bumps_version_and_keeps_identity():
    x = npgrad.zeros(3)
    v = x._version[0]
    data = x._data
    x.add_(1)
    x[0] = 5
    x.mul_(2)
    assert x._version[0] == v + 3 and x._data is data and x.tolist() == [10.0, 2.0, 2.0]


@pytest.mark.parametrize("modify", [
    lambda t: t.add_(1), lambda t: t.mul_(2), lambda t: t.zero_(), lambda t: t.__setitem__(0, 3.0),
    lambda t: t.copy_(npgrad.ones(3)), lambda t: t.clamp_(0, 1),
], ids=["add_", "mul_", "zero_", "setitem", "copy_", "clamp_"])
def test_modified_saved_input_raises(modify):
    x = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 2
    y = h * h  # saves h
    modify(h)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_modified_saved_output_raises_like_torch(torch):
    msgs = []
    for T in (npgrad, torch):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()  # saves its output
        y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation") as e:
            y.sum().backward()
        msgs.append(str(e.value))
    assert "version 1; expected version 0" in msgs[0] and "version 1; expected version 0" in msgs[1]


def test_modified_through_view_raises():
    x = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    h = x * 1
    y = (h ** 2).sum()
    h[0].mul_(2)  # writes through a view of h
    with pytest.raises(RuntimeError, match="inplace"):
        y.backward()


def test_view_of_leaf_cannot_be_modified_in_place():
    w = npgrad.ones(2, 3, requires_grad=True)
    for op in (lambda: w[0].mul_(2), lambda: w.view(6).add_(1), lambda: w.T.zero_()):
        with pytest.raises(RuntimeError, match="view of a leaf Variable"):
            op()
    assert w.tolist() == [[1.0] * 3] * 2  # refused before writing


def test_inplace_on_expanded_view_is_refused_as_torch(torch):
    for T in (npgrad, torch):
        h = T.ones(3, requires_grad=True) * 1
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
            h.expand(2, 3).mul_(2)
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
            h.expand(2, 3)[:, 0] = 1.0


def test_unsaved_input_may_be_modified():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = h + 3  # add saves nothing
    h.mul_(10)
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_leaf_requiring_grad_cannot_be_modified_in_place():
    w = npgrad.ones(3, requires_grad=True)
    for op in (lambda: w.add_(1), lambda: w.mul_(2), lambda: w.zero_(), lambda: w.__setitem__(0, 2.0)):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            op()


def test_leaf_update_under_no_grad():
    w = npgrad.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    data = w._data
    with npgrad.no_grad():
        w -= 0.5 * w.grad
        w[0] = w[0] * 2
    assert w._data is data and w.is_leaf and w.requires_grad and w.grad_fn is None
    assert w.tolist() == [0.0, 0.0]
    w.grad.zero_()
    (w * 3).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]


def test_inplace_dtype_rules():
    i = npgrad.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.add_(1.5)
    i.add_(2)
    assert i.tolist() == [3, 4] and i.dtype == npgrad.int64
    f = npgrad.zeros(2)
    f.add_(npgrad.tensor([1, 2]))
    assert f.dtype == npgrad.float32 and f.tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="shape"):
        npgrad.zeros(2).add_(npgrad.ones(3, 2))


def test_setitem_out_of_bounds():
    with pytest.raises(IndexError, match="out of bounds"):
        npgrad.zeros(3)[5] = 1.0


def test_setitem_gradient_to_value():
    x = npgrad.zeros(4)
    v = npgrad.tensor([2.0, 3.0], requires_grad=True)
    x[1:3] = v
    assert x.requires_grad and x.tolist() == [0.0, 2.0, 3.0, 0.0]
    (x * npgrad.tensor([1.0, 10.0, 100.0, 1000.0])).sum().backward()
    assert v.grad.tolist() == [10.0, 100.0]


def test_views_follow_inplace_changes_of_their_base(torch):
    grads = []
    for T in (npgrad, torch):
        x = T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        h = x * 1.0
        a, b, c, d = h[0], h.view(3, 2), h.T, h[:, 1:]
        e = d[0]  # a view of a view
        h.mul_(h.detach() + 1)  # the views' values and graphs must both follow
        a.mul_(2)  # ... and a write through one view updates the base and the others
        loss = a.sum() + (b * T.arange(6.0).reshape(3, 2)).sum() + (c ** 2).sum() + (d * 3).sum() + e.sum() * 5
        loss.backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1]


def test_dead_views_are_forgotten():
    w = npgrad.ones(4, 3, requires_grad=True)
    for _ in range(100):
        (w.T @ npgrad.ones(4)).sum()
    assert len(w.__dict__.get("_views", {})) == 0


# random programs of in-place ops on a tensor and one of its views: values and gradients as PyTorch
PROGRAM_OPS = [
    lambda T, h, v, y: h.mul_(2), lambda T, h, v, y: h.add_(y), lambda T, h, v, y: v.mul_(y[0, :3]),
    lambda T, h, v, y: v.add_(1), lambda T, h, v, y: h.__setitem__(1, y[2]), lambda T, h, v, y: v.zero_(),
    lambda T, h, v, y: h.clamp_(-1, 1), lambda T, h, v, y: h.T[0].sub_(y[:, 0]),
    lambda T, h, v, y: h.view(-1)[::2].mul_(3), lambda T, h, v, y: v.copy_(y[1, :3] * 2),
    lambda T, h, v, y: h.abs_(),
]
PROGRAM_VIEWS = [lambda h: h[0, 1:], lambda h: h[:, 1], lambda h: h.T[2], lambda h: h.view(4, 3)[1]]


def _programs(n, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.integers(len(PROGRAM_VIEWS)), rng.integers(len(PROGRAM_OPS), size=rng.integers(1, 5)).tolist(),
             bool(rng.integers(2))) for _ in range(n)]


@pytest.mark.parametrize("view,steps,read_view", _programs(60))
def test_random_inplace_programs_match_torch(view, steps, read_view, torch):
    res = []
    for T in (npgrad, torch):
        x = T.tensor(np.arange(12.0).reshape(3, 4) / 7 - 0.6, requires_grad=True)
        y = T.tensor(np.cos(np.arange(12.0)).reshape(3, 4), requires_grad=True)
        h = x * 1.0
        v = PROGRAM_VIEWS[view](h)
        for s in steps:
            PROGRAM_OPS[s](T, h, v, y)
        loss = (h * h).sum() + ((v * 3).sum() if read_view else 0)
        loss.backward()
        res.append([loss.item(), x.grad.tolist(), None if y.grad is None else y.grad.tolist()])
    (la, xa, ya), (lb, xb, yb) = res
    assert la == pytest.approx(lb) and np.allclose(xa, xb)
    assert (ya is None and yb is None) or np.allclose(ya, yb)
