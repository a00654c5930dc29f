"""The reverse-mode engine: accumulation, graph freeing, retain_graph, autograd.grad, hooks,
long chains, and the errors PyTorch raises."""
import gc

import numpy as np
import pytest

import npgrad
from npgrad.autograd import grad

SECOND = "Trying to backward through the graph a second time"


def test_gradients_accumulate_into_leaves():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (3 * x).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0]


def test_shared_subexpression_sums_paths():
    x = npgrad.tensor(2.0, requires_grad=True)
    a = x * 3
    y = a * a + a  # dy/dx = (2a + 1) * 3
    y.backward()
    assert x.grad.item() == (2 * 6 + 1) * 3


def test_node_waits_for_gradients_from_paths_of_any_length(torch):
    # ``a`` feeds the output directly and through a long chain created later: its backward must run
    # once, after both contributions arrived (nodes run in reverse order of creation)
    calls = []

    def build(lib):
        x = lib.tensor([0.5, -1.5], dtype=lib.float64, requires_grad=True)
        a = x.exp()
        a.register_hook(lambda g: calls.append(g))
        h = a
        for k in range(30):
            h = (h * 1.01).sin() if k % 2 else h + 0.1
        (a.sum() + (h * a).sum() + h.sum()).backward()
        return x.grad.tolist()

    ours = build(npgrad)
    assert len(calls) == 1
    if torch is not None:
        np.testing.assert_allclose(ours, build(torch), rtol=1e-12)


def test_broadcast_gradients_are_summed_to_input_shape():
    b = npgrad.zeros(1, 3, requires_grad=True)
    s = npgrad.tensor(0.0, requires_grad=True)
    (npgrad.ones(4, 2, 3) + b + s).sum().backward()
    assert b.grad.shape == (1, 3) and b.grad.tolist() == [[8.0, 8.0, 8.0]]
    assert s.grad.shape == () and s.grad.item() == 24.0


def test_intermediate_grads_not_kept_unless_retained():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    k = x * 3
    k.retain_grad()
    (h * k).sum().backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor"):  # PyTorch's hint for learners
        assert h.grad is None
    assert h.retains_grad is False
    assert k.retains_grad and k.grad.tolist() == (2 * x).detach().tolist()


def test_retain_grad_on_leaf_is_noop_and_needs_grad():
    x = npgrad.ones(2, requires_grad=True)
    x.retain_grad()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        npgrad.ones(2).retain_grad()


def test_second_backward_through_freed_graph_raises():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=SECOND):
        y.backward()


def test_second_backward_error_matches_torch(torch):
    for T in (npgrad, torch):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp().sum()
        y.backward()
        with pytest.raises(RuntimeError, match=SECOND):
            y.backward()


def test_retain_graph_allows_second_backward():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_graph_without_saved_tensors_can_be_rerun_like_torch(torch):
    # add/sum save nothing; PyTorch allows a second backward here, and so does npgrad
    for T in (npgrad, torch):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        assert x.grad.tolist() == [2.0, 2.0]


def test_autograd_grad_returns_without_accumulating():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    w = npgrad.tensor([3.0, 4.0], requires_grad=True)
    gx, gw = grad((x * w).sum(), [x, w])
    assert gx.tolist() == [3.0, 4.0] and gw.tolist() == [1.0, 2.0]
    assert x.grad is None and w.grad is None


def test_grad_outputs_weight_the_vector_jacobian_product(torch):
    for T in (npgrad, torch):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (g,) = T.autograd.grad(x ** 2, x, grad_outputs=T.tensor([1.0, 0.5, -1.0]))
        assert g.tolist() == [2.0, 2.0, -6.0]


def test_grad_of_several_outputs_sums():
    x = npgrad.tensor(2.0, requires_grad=True)
    (g,) = grad([x * 3, x * x], x)
    assert g.item() == 3 + 4


def test_allow_unused():
    x = npgrad.tensor(1.0, requires_grad=True)
    z = npgrad.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        grad(x * 2, [x, z])
    gx, gz = grad(x * 2, [x, z], allow_unused=True)
    assert gx.item() == 2.0 and gz is None


def test_grad_wrt_intermediate():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    (gh,) = grad((h * h).sum(), h)
    assert gh.tolist() == [6.0, 12.0]


def test_backward_inputs_restricts_accumulation():
    x = npgrad.tensor(1.0, requires_grad=True)
    w = npgrad.tensor(2.0, requires_grad=True)
    (x * w).backward(inputs=[w])
    assert x.grad is None and w.grad.item() == 1.0


def test_hooks_see_and_replace_gradients():
    seen = []
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.register_hook(lambda g: seen.append(g.tolist()))
    h.register_hook(lambda g: g * 10)
    x.register_hook(lambda g: g + 1)
    h.sum().backward()
    assert seen == [[1.0, 1.0]]
    assert x.grad.tolist() == [21.0, 21.0]


def test_hook_handle_remove():
    x = npgrad.tensor([1.0], requires_grad=True)
    handle = x.register_hook(lambda g: g * 100)
    handle.remove()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0]
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        npgrad.ones(2).register_hook(lambda g: g)


def test_hooks_match_torch(torch):
    out = []
    for T in (npgrad, torch):
        x = T.tensor([1.0, -2.0, 3.0], requires_grad=True)
        h = (x * x).tanh()
        h.register_hook(lambda g: g.clamp(min=0.0) + 0.5)
        h.retain_grad()
        (h * T.tensor([1.0, -1.0, 2.0])).sum().backward()
        out.append((x.grad.tolist(), h.grad.tolist()))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-4, atol=1e-6)


def test_non_scalar_backward_needs_gradient():
    x = npgrad.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(npgrad.ones(2))


def test_backward_on_tensor_not_requiring_grad():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        npgrad.ones(2).sum().backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        grad(npgrad.ones(1, requires_grad=True).sum(), npgrad.ones(1))


def test_errors_match_torch_types(torch):
    for T in (npgrad, torch):
        with pytest.raises(RuntimeError):
            (T.ones(3, requires_grad=True) * 2).backward()
        with pytest.raises(RuntimeError):
            T.ones(2).sum().backward()
        with pytest.raises(RuntimeError):
            T.tensor([1, 2]).requires_grad_()


N_CHAIN = 100_000


def test_long_chain_backward_and_delete():
    x = npgrad.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(N_CHAIN // 2):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad.item() == 1.0
    del y  # dropping the head of a long chain must not overflow the stack in deallocation
    gc.collect()


def test_long_chain_without_backward_can_be_deleted():
    x = npgrad.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(N_CHAIN):
        y = y + 1.0
    assert y.item() == N_CHAIN + 1
    del y
    gc.collect()


def test_backward_is_deterministic():
    def run():
        npgrad.manual_seed(0)
        w = npgrad.randn(8, 8, requires_grad=True)
        h = w
        for _ in range(5):
            h = (h @ w).tanh() + h * 0.5
        h.sum().backward()
        return w.grad._data.copy()
    np.testing.assert_array_equal(run(), run())


def test_create_graph_grad_has_graph():
    x = npgrad.tensor(2.0, requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True)
    assert x.grad.requires_grad and x.grad.item() == 12.0
    (g2,) = grad(x.grad, x)
    assert g2.item() == 12.0  # d/dx 3x^2 = 6x


def test_first_gradients_of_a_layer_are_kept_without_copies(monkeypatch):
    # a fresh gradient nothing else references becomes .grad as is, for every parameter (the
    # last one reached included); only accumulation into an existing .grad takes the slow path
    from npgrad.autograd import engine
    slow = []
    real = engine._accumulate
    monkeypatch.setattr(engine, "_accumulate", lambda *a: (slow.append(a[0]), real(*a)))
    lin = npgrad.nn.Linear(8, 4)
    x = npgrad.randn(5, 8)
    lin(x).sum().backward()
    assert slow == []
    lin(x).sum().backward()
    assert len(slow) == 2
    np.testing.assert_allclose(lin.bias.grad.numpy(), np.full(4, 10.0))


def test_grad_runs_only_the_nodes_that_lead_to_its_inputs(torch):
    # PyTorch stops at the inputs: the graph below them is neither run nor freed, so it can be asked again
    for T in (npgrad, torch):
        a = T.ones(3, requires_grad=True)
        b = a * 2
        for _ in range(2):
            assert T.autograd.grad((b * 3).sum(), b)[0].tolist() == [3.0, 3.0, 3.0]
        assert a.grad is None
        calls = []
        b.register_hook(lambda g: calls.append(1))
        c = a.exp()  # a branch that reaches no input: its hook must not run either
        c.register_hook(lambda g: calls.append(2))
        x = T.ones(3, requires_grad=True)
        T.autograd.grad(((b + c) * x).sum(), x)
        assert calls == []
        (b * a).sum().backward(inputs=[b])
        assert b.grad.tolist() == [1.0, 1.0, 1.0] and a.grad is None


def test_grad_takes_torchs_keywords_as_the_gradient_penalty_code_passes_them(torch):
    # WGAN-GP: the gradient of a critic at interpolates, with create_graph, then backward through it
    res = []
    for T in (npgrad, torch):
        w = T.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
        x = (T.tensor([[1.0, 2.0, 3.0], [0.5, 0.0, -1.0]]) * 0.5).requires_grad_(True)
        d = T.tanh(x @ w.T)
        (g,) = T.autograd.grad(outputs=d, inputs=x, grad_outputs=T.ones(2, 1), create_graph=True,
                               retain_graph=True, only_inputs=True)
        ((g.norm(2, dim=1) - 1) ** 2).mean().backward()
        res.append((g.detach().numpy(), w.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-5)
