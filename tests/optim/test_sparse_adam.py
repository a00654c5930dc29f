"""SparseAdam: PyTorch's error for dense gradients, and its lazy update for gradients in sparse COO form."""
import numpy as np
import pytest

import npgrad


class RowSparseGrad:
    """A gradient in PyTorch's sparse COO protocol (what SparseAdam reads): rows may repeat."""
    is_sparse = True

    def __init__(self, rows, values):
        self.rows, self.values = np.asarray(rows), np.asarray(values, np.float32)

    def coalesce(self):
        uniq, inv = np.unique(self.rows, return_inverse=True)
        vals = np.zeros((len(uniq),) + self.values.shape[1:], np.float32)
        np.add.at(vals, inv, self.values)
        return RowSparseGrad(uniq, vals)

    def _indices(self):
        return self.rows[None]

    def _values(self):
        return self.values


def batches(steps=8, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.integers(0, 6, size=4), rng.standard_normal((4, 3)).astype(np.float32)) for _ in range(steps)]


@pytest.mark.parametrize("kwargs", [dict(), dict(lr=0.05, betas=(0.8, 0.9), eps=1e-6), dict(lr=0.02, maximize=True)],
                         ids=str)
def test_sparse_adam_matches_torch_on_sparse_gradients(torch, kwargs):
    w0 = np.random.default_rng(1).standard_normal((6, 3)).astype(np.float32)
    w, tw = npgrad.tensor(w0, requires_grad=True), torch.tensor(w0, requires_grad=True)
    opt, topt = npgrad.optim.SparseAdam([w], **kwargs), torch.optim.SparseAdam([tw], **kwargs)
    for rows, vals in batches():
        w._grad = RowSparseGrad(rows, vals)   # injected: .grad takes tensors only, and npgrad has no sparse ones
        tw.grad = torch.sparse_coo_tensor(torch.from_numpy(rows)[None], torch.from_numpy(vals), (6, 3),
                                          check_invariants=True)
        opt.step()
        topt.step()
        np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=2e-5, atol=2e-6)
    st, tst = opt.state[w], topt.state[tw]
    assert st["step"] == tst["step"]
    for k in ("exp_avg", "exp_avg_sq"):
        np.testing.assert_allclose(st[k].numpy(), tst[k].numpy(), rtol=2e-5, atol=2e-7)
    assert opt.defaults == topt.defaults


def test_sparse_adam_leaves_untouched_rows_alone():
    w = npgrad.ones(4, 2, requires_grad=True)
    opt = npgrad.optim.SparseAdam([w], lr=0.1)
    w._grad = RowSparseGrad([2], [[1.0, -1.0]])
    opt.step()
    np.testing.assert_allclose(w.detach().numpy(), [[1, 1], [1, 1], [0.9, 1.1], [1, 1]], rtol=1e-5)
    assert opt.state[w]["exp_avg"].numpy()[[0, 1, 3]].sum() == 0


def test_sparse_adam_refuses_dense_gradients_as_torch(torch):
    emb, temb = npgrad.nn.Embedding(5, 2, sparse=True), torch.nn.Embedding(5, 2)
    opt, topt = npgrad.optim.SparseAdam(emb.parameters()), torch.optim.SparseAdam(temb.parameters())
    emb(npgrad.tensor([1, 2])).sum().backward()
    temb(torch.tensor([1, 2])).sum().backward()
    with pytest.raises(RuntimeError) as theirs:
        topt.step()
    with pytest.raises(RuntimeError) as ours:
        opt.step()
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("bad, msg", [(dict(lr=-1), "Invalid learning rate"), (dict(eps=-1), "Invalid epsilon"),
                                      (dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0")])
def test_sparse_adam_rejects_bad_hyperparameters(bad, msg):
    with pytest.raises(ValueError, match=msg):
        npgrad.optim.SparseAdam([npgrad.zeros(2, requires_grad=True)], **bad)
