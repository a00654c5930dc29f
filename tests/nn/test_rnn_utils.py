"""nn.utils.rnn (pad_sequence, PackedSequence, pack/pad) and recurrent layers on packed input, against PyTorch."""
import numpy as np
import pytest

import npgrad
from npgrad.nn.utils import rnn as ours_rnn


def _np(t):
    return t.detach().numpy()


def test_pad_sequence_and_pack_round_trip_match_torch(torch, rng):
    from torch.nn.utils import rnn as their_rnn
    seqs = [rng.standard_normal((n, 2)).astype(np.float32) for n in (2, 4, 1, 4)]
    for batch_first in (False, True):
        for side in ("right", "left"):
            a = ours_rnn.pad_sequence([npgrad.tensor(s) for s in seqs], batch_first, -1.0, side)
            b = their_rnn.pad_sequence([torch.tensor(s) for s in seqs], batch_first, -1.0, side)
            np.testing.assert_array_equal(_np(a), _np(b))
        padded = ours_rnn.pad_sequence([npgrad.tensor(s) for s in seqs], batch_first)
        tpadded = their_rnn.pad_sequence([torch.tensor(s) for s in seqs], batch_first)
        p = ours_rnn.pack_padded_sequence(padded, npgrad.tensor([2, 4, 1, 4]), batch_first, enforce_sorted=False)
        q = their_rnn.pack_padded_sequence(tpadded, torch.tensor([2, 4, 1, 4]), batch_first, enforce_sorted=False)
        for x, y in zip(p, q):
            np.testing.assert_array_equal(_np(x), _np(y))
        (x, lx), (y, ly) = ours_rnn.pad_packed_sequence(p, batch_first, 9.0, 6), \
            their_rnn.pad_packed_sequence(q, batch_first, 9.0, 6)
        np.testing.assert_array_equal(_np(x), _np(y))
        np.testing.assert_array_equal(_np(lx), _np(ly))
    packed = ours_rnn.pack_sequence([npgrad.tensor([1, 2, 3]), npgrad.tensor([4, 5])])
    assert packed.sorted_indices is None and packed.batch_sizes.tolist() == [2, 2, 1]
    assert [s.tolist() for s in ours_rnn.unpack_sequence(packed)] == [[1, 2, 3], [4, 5]]


def test_pack_errors_match_torch(torch):
    from torch.nn.utils import rnn as their_rnn
    for mod, T in ((ours_rnn, npgrad), (their_rnn, torch)):
        with pytest.raises(RuntimeError, match="sorted in decreasing order"):
            mod.pack_padded_sequence(T.zeros(3, 2, 1), [1, 2])
        with pytest.raises(RuntimeError, match="greater than 0"):
            mod.pack_padded_sequence(T.zeros(3, 2, 1), [0, 2], enforce_sorted=False)


@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
def test_recurrent_layers_on_packed_input_match_torch(torch, rng, mode):
    from torch.nn.utils import rnn as their_rnn
    kw = dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True, batch_first=True)
    theirs = getattr(torch.nn, mode)(**kw)
    ours = getattr(npgrad.nn, mode)(**kw)
    ours.load_state_dict({k: npgrad.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    x = rng.standard_normal((4, 5, 3)).astype(np.float32)
    h = rng.standard_normal((4, 4, 4)).astype(np.float32)
    lengths = [3, 5, 1, 3]
    results = []
    for T, mod, net in ((npgrad, ours_rnn, ours), (torch, their_rnn, theirs)):
        xt, ht = T.tensor(x, requires_grad=True), T.tensor(h)
        hx = (ht, ht * 0.5) if mode == "LSTM" else ht
        out, hn = net(mod.pack_padded_sequence(xt, lengths, batch_first=True, enforce_sorted=False), hx)
        padded, lens = mod.pad_packed_sequence(out, batch_first=True)
        hn = hn if mode != "LSTM" else T.cat(hn, -1)
        ((padded ** 2).sum() + hn.sum()).backward()
        results.append([_np(padded), _np(lens), _np(hn), _np(xt.grad), _np(out.data)]
                       + [_np(p.grad) for p in net.parameters()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
