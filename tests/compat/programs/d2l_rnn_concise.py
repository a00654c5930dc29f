"""d2l 9.6: concise RNN: nn.RNN on one-hot inputs, RNNModel with a Linear head, predict_ch8, grad clipping by hand."""
import torch
from torch import nn

from _d2l_rnn import RNNModel, train_ch8
from _fixed import WORDS, fix_params

text = " ".join(WORDS)
vocab = sorted(set(text))
token_to_idx = {t: i for i, t in enumerate(vocab)}
corpus = [token_to_idx[c] for c in text]
num_hiddens, batch_size, num_steps = 16, 4, 6

rnn_layer = nn.RNN(len(vocab), num_hiddens)
state = torch.zeros((1, batch_size, num_hiddens))
print(state.shape)
X = torch.rand(size=(num_steps, batch_size, len(vocab)))
Y, state_new = rnn_layer(X, state)
print(Y.shape, state_new.shape)


net = fix_params(RNNModel(nn.RNN(len(vocab), num_hiddens), vocab_size=len(vocab)))
train_ch8(net, corpus, vocab, batch_size, num_steps, 1.0, 3)
