"""Shared checks for layer tests: load a torch module's weights into ours, compare forward and backward."""
import numpy as np

import npgrad
from npgrad.autograd import gradcheck


def torch_state_to_numpy(module):
    return {k: v.detach().numpy() for k, v in module.state_dict().items()}


def compare_module(torch, ours, theirs, *inputs, rtol=1e-4, atol=1e-5, seed=3):
    """Copy ``theirs`` (torch) weights into ``ours``, run both on ``inputs`` (ndarrays) and compare the
    output, the input gradients and every parameter gradient (by name), under a random upstream gradient."""
    ours.load_state_dict(torch_state_to_numpy(theirs))
    ts = [torch.tensor(x, requires_grad=x.dtype.kind == "f") for x in inputs]
    ns = [npgrad.tensor(x, requires_grad=x.dtype.kind == "f") for x in inputs]
    out_t, out_n = theirs(*ts), ours(*ns)
    np.testing.assert_allclose(out_n._data, out_t.detach().numpy(), rtol=rtol, atol=atol)
    assert out_n._data.dtype == out_t.detach().numpy().dtype
    go = np.random.default_rng(seed).standard_normal(tuple(out_t.shape)).astype(out_t.detach().numpy().dtype)
    out_t.backward(torch.tensor(go))
    out_n.backward(npgrad.tensor(go))
    for t, n in zip(ts, ns):
        if t.requires_grad:
            np.testing.assert_allclose(n.grad._data, t.grad.numpy(), rtol=rtol, atol=atol)
    tp = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        if tp[name].grad is None:
            assert p.grad is None or not np.any(p.grad._data), name
        else:
            np.testing.assert_allclose(p.grad._data, tp[name].grad.numpy(), rtol=rtol, atol=atol, err_msg=name)
    return out_n


def gradcheck_module(module, *inputs):
    """float64 gradcheck of ``module`` with respect to its inputs and all its parameters."""
    module.double()
    xs = [npgrad.tensor(np.asarray(x, dtype=np.float64), requires_grad=True) for x in inputs]
    params = list(module.parameters())
    n = len(xs)
    return gradcheck(lambda *a: module(*a[:n]), tuple(xs) + tuple(params))
