"""Embedding: lookup vs PyTorch, gradient accumulation over repeated ids, padding_idx, from_pretrained."""
import numpy as np
import pytest

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F
from npgrad.autograd import gradcheck

from .nn_helpers import torch_state_to_numpy


@pytest.mark.parametrize("padding_idx", [None, 0, -1])
def test_embedding_vs_torch(torch, rng, padding_idx):
    ours, theirs = nn.Embedding(7, 3, padding_idx=padding_idx), torch.nn.Embedding(7, 3, padding_idx=padding_idx)
    assert repr(ours) == repr(theirs)
    ours.load_state_dict(torch_state_to_numpy(theirs))
    idx = np.array([[1, 6, 1, 0], [3, 3, 3, 6]])
    out_t, out_n = theirs(torch.tensor(idx)), ours(npgrad.tensor(idx))
    np.testing.assert_allclose(out_n._data, out_t.detach().numpy())
    go = rng.standard_normal(out_t.shape).astype(np.float32)
    out_t.backward(torch.tensor(go))
    out_n.backward(npgrad.tensor(go))
    np.testing.assert_allclose(ours.weight.grad._data, theirs.weight.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_embedding_scale_grad_by_freq_vs_torch(torch):
    """Each row's gradient is divided by how often its index occurs in the batch (and padding_idx still wins)."""
    w = np.random.default_rng(0).standard_normal((5, 2))
    idx = np.array([[1, 4, 1], [1, 0, 4]])
    grads = []
    for T in (npgrad, torch):
        wt = T.tensor(w, requires_grad=True)
        out = T.nn.functional.embedding(T.tensor(idx), wt, padding_idx=0, scale_grad_by_freq=True)
        (out * T.arange(12.0, dtype=T.float64).reshape(2, 3, 2)).sum().backward()
        grads.append(wt.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


def test_embedding_init_and_padding_row():
    emb = nn.Embedding(1000, 8, padding_idx=2)
    w = emb.weight._data
    assert np.all(w[2] == 0)
    assert abs(w.std() - 1) < 0.05 and abs(w.mean()) < 0.05  # N(0, 1)
    assert emb.weight.dtype == npgrad.float32


def test_embedding_gradcheck(rng):
    w = npgrad.tensor(rng.standard_normal((5, 2)), requires_grad=True)
    idx = npgrad.tensor([4, 0, 4, 2])
    assert gradcheck(lambda w: F.embedding(idx, w), (w,))


def test_padding_idx_gets_no_gradient():
    emb = nn.Embedding(4, 2, padding_idx=1)
    emb(npgrad.tensor([1, 1, 2])).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad._data, [[0, 0], [0, 0], [1, 1], [0, 0]])


def test_from_pretrained():
    w = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    emb = nn.Embedding.from_pretrained(w)
    assert not emb.weight.requires_grad
    np.testing.assert_array_equal(emb(npgrad.tensor([1]))._data, [[3.0, 4.0]])
    assert nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    with pytest.raises(ValueError, match="2-dimensional"):
        nn.Embedding.from_pretrained(npgrad.ones(3))


def test_max_norm_renormalises_rows(torch):
    w = np.array([[3.0, 4.0], [0.3, 0.4]], np.float32)
    ours = nn.Embedding.from_pretrained(npgrad.tensor(w), max_norm=1.0)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(w), max_norm=1.0)
    np.testing.assert_allclose(ours(npgrad.tensor([0, 1]))._data, theirs(torch.tensor([0, 1])).numpy(), rtol=1e-5)


def test_embedding_errors():
    with pytest.raises(ValueError, match=r"Embedding\(num_embeddings=0\)"):
        nn.Embedding(0, 3)
    with pytest.raises(ValueError, match="padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=5)
    emb = nn.Embedding(3, 2)
    with pytest.raises(IndexError, match=r"index 3 is out of range for an embedding table of 3 rows"):
        emb(npgrad.tensor([0, 3]))
    with pytest.raises(RuntimeError, match="integer dtype"):
        emb(npgrad.tensor([0.0, 1.0]))
