"""Tensor manipulation the way everyday model code does it: einsum attention, gather/scatter for picking
and one-hot, topk/sort/argsort, cumsum/cumprod, masked_fill/masked_select/where, advanced indexing with
index_select/index_add_, scatter_add_ for bincount-style sums, top-k/top-p (nucleus) filtering of logits,
beam-search bookkeeping, F.one_hot, label smoothing and temperature softmax."""
import torch
import torch.nn.functional as F

from _fixed import randint, randn

torch.set_printoptions(precision=4)

# einsum: batched attention scores and weighted sums
q, k, v = randn(2, 3, 4, seed=1), randn(2, 5, 4, seed=2), randn(2, 5, 6, seed=3)
scores = torch.einsum('bqd,bkd->bqk', q, k) / 2.0
print(torch.allclose(scores, q @ k.transpose(-2, -1) / 2.0))
attn = scores.softmax(dim=-1)
print(torch.einsum('bqk,bkv->bqv', attn, v).sum(-1))
print(torch.einsum('ii->i', randn(3, 3, seed=4)), torch.einsum('ij->', randn(3, 3, seed=4)))
print(torch.einsum('i,j->ij', torch.arange(3.), torch.arange(4.)))

# gather: pick the log-probability of each target, as in NLL / policy gradients
logits = randn(4, 5, seed=5)
target = torch.tensor([1, 0, 4, 2])
logp = F.log_softmax(logits, dim=1)
picked = logp.gather(1, target.unsqueeze(1)).squeeze(1)
print(picked, torch.allclose(-picked.mean(), F.nll_loss(logp, target)))
print(logp[torch.arange(4), target])

# scatter: one-hot by hand and with F.one_hot
one_hot = torch.zeros(4, 5).scatter_(1, target.unsqueeze(1), 1.0)
print(one_hot, torch.equal(one_hot.long(), F.one_hot(target, num_classes=5)))
print(F.one_hot(torch.tensor([[0, 2], [1, 1]])).shape, F.one_hot(target).dtype)

# label smoothing by hand vs the built-in
eps = 0.1
smooth = one_hot * (1 - eps) + eps / 5
manual = -(smooth * logp).sum(dim=1).mean()
print(manual, F.cross_entropy(logits, target, label_smoothing=eps))
print(F.cross_entropy(logits, target, label_smoothing=0.2, reduction='none'))
w = torch.tensor([1.0, 2.0, 0.5, 1.0, 3.0])
print(F.cross_entropy(logits, target, weight=w, label_smoothing=0.1))
print(F.cross_entropy(logits, smooth), F.cross_entropy(logits, target, ignore_index=0))

# temperature
for T in (0.5, 1.0, 2.0):
    p = F.softmax(logits[0] / T, dim=-1)
    print(T, p.max().item(), -(p * p.log()).sum().item())

# topk / sort / argsort
vals, idx = torch.topk(logits, k=2, dim=1)
print(vals, idx)
s, order = torch.sort(logits[0], descending=True)
print(s, order, torch.argsort(logits[0]), logits.argsort(dim=0)[:, 0])
print(torch.topk(logits, 2, dim=0, largest=False).indices)
print(torch.kthvalue(logits[0], 2), torch.msort(logits[:, :2]))


def top_k_top_p_filtering(logits, top_k=0, top_p=1.0, filter_value=-float('Inf')):
    if top_k > 0:
        indices_to_remove = logits < torch.topk(logits, top_k)[0][..., -1, None]
        logits[indices_to_remove] = filter_value
    if top_p < 1.0:
        sorted_logits, sorted_indices = torch.sort(logits, descending=True)
        cumulative_probs = torch.cumsum(F.softmax(sorted_logits, dim=-1), dim=-1)
        sorted_indices_to_remove = cumulative_probs > top_p
        sorted_indices_to_remove[..., 1:] = sorted_indices_to_remove[..., :-1].clone()
        sorted_indices_to_remove[..., 0] = 0
        indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
        logits[indices_to_remove] = filter_value
    return logits


print(top_k_top_p_filtering(logits.clone(), top_k=3))
print(top_k_top_p_filtering(logits.clone(), top_p=0.7))

# cumsum / cumprod / cummax / diff
x = torch.tensor([3., 1., 4., 1., 5., 9., 2., 6.])
print(x.cumsum(0), x.cumprod(0), torch.cummax(x, 0).values, torch.diff(x))
returns = torch.flip(torch.cumsum(torch.flip(x, [0]), 0), [0])
print(returns, torch.logcumsumexp(x / 10, 0))

# masks
mask = x > 3
print(x.masked_fill(mask, 0.), x[mask], torch.masked_select(x, mask), torch.where(mask, x, -x))
print(mask.nonzero().flatten(), torch.nonzero(mask, as_tuple=True)[0], mask.any(), mask.all(), mask.sum())
lengths = torch.tensor([2, 4, 1])
pad_mask = torch.arange(4)[None, :] >= lengths[:, None]
print(pad_mask, randn(3, 4, seed=6).masked_fill(pad_mask, float('-inf')).softmax(-1))
print(torch.triu(torch.ones(4, 4), diagonal=1).bool(), torch.tril(randn(3, 3, seed=7), -1))

# index_select / index_add_ / scatter_add_ / bincount / unique
m = randn(5, 3, seed=8)
print(m.index_select(0, torch.tensor([4, 0, 0])))
acc = torch.zeros(3, 3).index_add_(0, torch.tensor([0, 2, 0, 1, 2]), m)
print(acc)
labels = randint(4, (10,), seed=9)
print(labels, torch.bincount(labels, minlength=5), torch.unique(labels, return_counts=True))
print(torch.zeros(4).scatter_add_(0, labels, torch.ones(10)))
sums = torch.zeros(4, 3).scatter_reduce(0, labels[:5, None].expand(5, 3), m, reduce='amax', include_self=False)
print(sums)

# advanced indexing
rows, cols = torch.tensor([0, 2, 4]), torch.tensor([1, 1, 0])
print(m[rows, cols], m[rows][:, [0, 2]], m[[1, 3]], m[..., 1:], m[None, 2, ::2])
m2 = m.clone()
m2[rows, cols] = torch.tensor([10., 20., 30.])
m2[m2 < -1] = 0
print(m2)
t = torch.arange(24).reshape(2, 3, 4)
print(t[:, [0, 2]][..., [1, 3]], t[1, :, torch.tensor([True, False, True, False])], t[[0, 1], [1, 2], [3, 0]])

# beam-search bookkeeping: flatten scores, topk, recover beam and token
beam, vocab = 3, 5
beam_scores = randn(beam, vocab, seed=10).log_softmax(-1) + torch.tensor([[-0.1], [-0.5], [-1.0]])
top_scores, top_ids = beam_scores.view(-1).topk(beam)
print(top_scores, torch.div(top_ids, vocab, rounding_mode='floor'), top_ids % vocab)

# shapes: stack/cat/chunk/split/unbind/repeat/expand/tile/roll/flip/movedim
a = torch.arange(6.).reshape(2, 3)
print(torch.stack([a, a * 2], dim=1).shape, torch.cat([a, a], dim=1), a.chunk(3, dim=1)[1].flatten())
print([p.shape for p in torch.split(torch.arange(10), [3, 3, 4])], a.unbind(1)[2], a.repeat(2, 1).shape)
print(a[:, None].expand(2, 4, 3).shape, a.tile((1, 2)), torch.roll(a, 1, 1), a.flip(0), a.movedim(0, 1).shape)
print(torch.broadcast_tensors(a, torch.ones(3))[1].shape, a.unsqueeze(-1).squeeze().shape, a.T.contiguous().view(-1))
