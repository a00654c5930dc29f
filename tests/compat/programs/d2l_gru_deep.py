"""d2l 10.2-10.3: concise GRU and a deep (two-layer) GRU on one-hot inputs, RNNModel with a Linear head, predict_ch8, grad clipping by hand."""
from torch import nn

from _d2l_rnn import RNNModel, train_ch8
from _fixed import WORDS, fix_params

text = " ".join(WORDS)
vocab = sorted(set(text))
token_to_idx = {t: i for i, t in enumerate(vocab)}
corpus = [token_to_idx[c] for c in text]
num_hiddens, batch_size, num_steps = 16, 4, 6

net = fix_params(RNNModel(nn.GRU(len(vocab), num_hiddens), vocab_size=len(vocab)))
train_ch8(net, corpus, vocab, batch_size, num_steps, 1.0, 2)
net = fix_params(RNNModel(nn.GRU(len(vocab), num_hiddens, 2), vocab_size=len(vocab)), seed=1)
train_ch8(net, corpus, vocab, batch_size, num_steps, 1.0, 2)
