"""makemore part 2: a character MLP with an embedding table C[X], tanh hidden layer, cross_entropy, minibatches."""
import random

import numpy as np
import torch
import torch.nn.functional as F

from _fixed import WORDS

words = list(WORDS)
chars = sorted(list(set(''.join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi['.'] = 0
itos = {i: s for s, i in stoi.items()}
block_size = 3


def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + '.':
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    X = torch.tensor(X)
    Y = torch.tensor(Y)
    print(X.shape, Y.shape)
    return X, Y


random.seed(42)
random.shuffle(words)
n1 = int(0.8 * len(words))
Xtr, Ytr = build_dataset(words[:n1])
Xdev, Ydev = build_dataset(words[n1:])
g = np.random.default_rng(2147483647)
C = torch.tensor(g.standard_normal((27, 10)).astype(np.float32))
W1 = torch.tensor(g.standard_normal((30, 64)).astype(np.float32))
b1 = torch.tensor(g.standard_normal(64).astype(np.float32))
W2 = torch.tensor(g.standard_normal((64, 27)).astype(np.float32))
b2 = torch.tensor(g.standard_normal(27).astype(np.float32))
parameters = [C, W1, b1, W2, b2]
print(sum(p.nelement() for p in parameters))
for p in parameters:
    p.requires_grad = True

lossi = []
for i in range(200):
    ix = torch.tensor(g.integers(0, Xtr.shape[0], 32))
    emb = C[Xtr[ix]]
    h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
    logits = h @ W2 + b2
    loss = F.cross_entropy(logits, Ytr[ix])
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = 0.1 if i < 100 else 0.01
    for p in parameters:
        p.data += -lr * p.grad
    lossi.append(loss.log10().item())
    if i % 50 == 0:
        print(i, loss.item())

emb = C[Xtr]
h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
logits = h @ W2 + b2
print('train', F.cross_entropy(logits, Ytr).item())
emb = C[Xdev]
h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
print('dev', F.cross_entropy(h @ W2 + b2, Ydev).item())
context = [0] * block_size
out = []
while True:
    emb = C[torch.tensor([context])]
    h = torch.tanh(emb.view(1, -1) @ W1 + b1)
    logits = h @ W2 + b2
    ix = int(torch.argmax(F.softmax(logits, dim=1), dim=1).item())
    context = context[1:] + [ix]
    out.append(ix)
    if ix == 0 or len(out) > 12:
        break
print(''.join(itos[i] for i in out), sum(lossi) / len(lossi))
