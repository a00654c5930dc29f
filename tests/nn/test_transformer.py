"""MultiheadAttention and the Transformer layers against PyTorch: parameter names, outputs, attention
weights, masks and gradients, with PyTorch's weights copied in."""
import numpy as np
import pytest

import npgrad


def _copy(ours, theirs):
    ours.load_state_dict({k: npgrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})


def _grads(m):
    return [p.grad.numpy() for p in m.parameters() if p.grad is not None]


def _close(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=1e-4, atol=2e-5)


MHA = [dict(), dict(batch_first=True), dict(kdim=3, vdim=5), dict(add_bias_kv=True), dict(add_zero_attn=True),
       dict(bias=False)]


@pytest.mark.parametrize("kw", MHA, ids=str)
@pytest.mark.parametrize("masks", ["none", "attn", "padding", "float+padding"])
def test_multihead_attention_matches_torch(torch, rng, kw, masks):
    theirs = torch.nn.MultiheadAttention(8, 2, **kw)
    ours = npgrad.nn.MultiheadAttention(8, 2, **kw)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    _copy(ours, theirs)
    q = rng.standard_normal((4, 3, 8)).astype(np.float32)
    k = rng.standard_normal((6, 3, kw.get("kdim", 8))).astype(np.float32)
    v = rng.standard_normal((6, 3, kw.get("vdim", 8))).astype(np.float32)
    am, kpm = rng.random((4, 6)) < 0.3, rng.random((3, 6)) < 0.3
    am[:, 0] = kpm[:, 0] = False
    given = {"none": {}, "attn": dict(attn_mask=am), "padding": dict(key_padding_mask=kpm),
             "float+padding": dict(attn_mask=np.where(am, -1.5, 0.0).astype(np.float32),
                                   key_padding_mask=np.where(kpm, -np.inf, 0.0).astype(np.float32))}[masks]
    bf = (lambda a: a.transpose(1, 0, 2).copy()) if kw.get("batch_first") else (lambda a: a)
    res = []
    for T, m in ((npgrad, ours), (torch, theirs)):
        x = T.tensor(bf(q), requires_grad=True)
        out, w = m(x, T.tensor(bf(k)), T.tensor(bf(v)), average_attn_weights=False,
                   **{n: T.tensor(a) for n, a in given.items()})
        (out ** 2).sum().backward()
        res.append([out.detach().numpy(), w.detach().numpy(), x.grad.numpy()] + _grads(m))
    _close(*res)


def test_unbatched_input_and_averaged_weights(torch, rng):
    theirs = torch.nn.MultiheadAttention(4, 2)
    ours = npgrad.nn.MultiheadAttention(4, 2)
    _copy(ours, theirs)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    a, b = ours(*[npgrad.tensor(x)] * 3), theirs(*[torch.tensor(x)] * 3)
    _close([a[0].detach().numpy(), a[1].detach().numpy()], [b[0].detach().numpy(), b[1].detach().numpy()])
    assert ours(*[npgrad.tensor(x)] * 3, need_weights=False)[1] is None


@pytest.mark.parametrize("kw", [dict(), dict(norm_first=True, activation="gelu"), dict(batch_first=True)], ids=str)
def test_encoder_and_decoder_layers_match_torch(torch, rng, kw):
    enc_t = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kw), 2,
                                        enable_nested_tensor=False)
    dec_t = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **kw), 2,
                                        torch.nn.LayerNorm(8))
    enc = npgrad.nn.TransformerEncoder(npgrad.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kw), 2)
    dec = npgrad.nn.TransformerDecoder(npgrad.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **kw), 2,
                                       npgrad.nn.LayerNorm(8))
    _copy(enc, enc_t)
    _copy(dec, dec_t)
    bf = (lambda a: a.transpose(1, 0, 2).copy()) if kw.get("batch_first") else (lambda a: a)
    src = bf(rng.standard_normal((5, 3, 8)).astype(np.float32))
    tgt = bf(rng.standard_normal((4, 3, 8)).astype(np.float32))
    kpm = np.zeros((3, 5), bool)
    kpm[0, 3:] = True
    res = []
    for T, e, d in ((npgrad, enc, dec), (torch, enc_t, dec_t)):
        s, t = T.tensor(src, requires_grad=True), T.tensor(tgt)
        mask = T.nn.Transformer.generate_square_subsequent_mask(4)
        memory = e(s, src_key_padding_mask=T.tensor(kpm))
        out = d(t, memory, tgt_mask=mask, memory_key_padding_mask=T.tensor(kpm))
        (out ** 2).mean().backward()
        res.append([memory.detach().numpy(), out.detach().numpy(), s.grad.numpy()] + _grads(e) + _grads(d))
    _close(*res)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
def test_transformer_matches_torch_and_names_its_parameters_alike(torch, rng):
    kw = dict(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=2, dim_feedforward=16, dropout=0.0)
    theirs, ours = torch.nn.Transformer(**kw), npgrad.nn.Transformer(**kw)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _copy(ours, theirs)
    src = rng.standard_normal((6, 2, 8)).astype(np.float32)
    tgt = rng.standard_normal((3, 2, 8)).astype(np.float32)
    res = []
    for T, m in ((npgrad, ours), (torch, theirs)):
        out = m(T.tensor(src), T.tensor(tgt), tgt_mask=m.generate_square_subsequent_mask(3))
        out.sum().backward()
        res.append([out.detach().numpy()] + _grads(m))
    _close(*res)
    np.testing.assert_array_equal(npgrad.nn.Transformer.generate_square_subsequent_mask(3).numpy(),
                                  torch.nn.Transformer.generate_square_subsequent_mask(3).numpy())


def test_errors_match_torch(torch):
    for T in (npgrad, torch):
        with pytest.raises(AssertionError, match="divisible"):
            T.nn.MultiheadAttention(6, 4)
        with pytest.raises(RuntimeError, match="Need attn_mask"):
            m = T.nn.MultiheadAttention(4, 2)
            m(T.ones(3, 1, 4), T.ones(3, 1, 4), T.ones(3, 1, 4), is_causal=True)
        with pytest.raises(RuntimeError, match="activation should be relu/gelu"):
            T.nn.TransformerEncoderLayer(4, 2, activation="tanh")
