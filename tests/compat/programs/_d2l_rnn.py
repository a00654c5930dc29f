"""The recurrent-network pieces of the d2l package its RNN chapters lean on (RNNModel, predict_ch8,
grad_clipping, seq_data_iter_sequential, train_ch8), as the chapters import them from d2l."""
import math

import torch
from torch import nn
from torch.nn import functional as F


class RNNModel(nn.Module):
    def __init__(self, rnn_layer, vocab_size, **kwargs):
        super(RNNModel, self).__init__(**kwargs)
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = self.rnn.hidden_size
        if not self.rnn.bidirectional:
            self.num_directions = 1
            self.linear = nn.Linear(self.num_hiddens, self.vocab_size)
        else:
            self.num_directions = 2
            self.linear = nn.Linear(self.num_hiddens * 2, self.vocab_size)

    def forward(self, inputs, state):
        X = F.one_hot(inputs.T.long(), self.vocab_size)
        X = X.to(torch.float32)
        Y, state = self.rnn(X, state)
        output = self.linear(Y.reshape((-1, Y.shape[-1])))
        return output, state

    def begin_state(self, batch_size=1):
        if not isinstance(self.rnn, nn.LSTM):
            return torch.zeros((self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens))
        return (torch.zeros((self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)),
                torch.zeros((self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)))


def predict_ch8(prefix, num_preds, net, vocab):
    token_to_idx = {t: i for i, t in enumerate(vocab)}
    state = net.begin_state(batch_size=1)
    outputs = [token_to_idx[prefix[0]]]
    get_input = lambda: torch.tensor([outputs[-1]]).reshape((1, 1))
    for y in prefix[1:]:
        _, state = net(get_input(), state)
        outputs.append(token_to_idx[y])
    for _ in range(num_preds):
        y, state = net(get_input(), state)
        outputs.append(int(y.argmax(dim=1).reshape(1)))
    return ''.join([vocab[i] for i in outputs])


def grad_clipping(net, theta):
    params = [p for p in net.parameters() if p.requires_grad]
    norm = torch.sqrt(sum(torch.sum((p.grad ** 2)) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm


def seq_data_iter_sequential(corpus, batch_size, num_steps):
    num_tokens = ((len(corpus) - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[0: num_tokens])
    Ys = torch.tensor(corpus[1: num_tokens + 1])
    Xs, Ys = Xs.reshape(batch_size, -1), Ys.reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * num_batches, num_steps):
        yield Xs[:, i: i + num_steps], Ys[:, i: i + num_steps]


def train_ch8(net, corpus, vocab, batch_size, num_steps, lr, num_epochs):
    loss = nn.CrossEntropyLoss()
    updater = torch.optim.SGD(net.parameters(), lr)
    for epoch in range(num_epochs):
        state, total, n = None, 0.0, 0
        for X, Y in seq_data_iter_sequential(corpus, batch_size, num_steps):
            if state is None:
                state = net.begin_state(batch_size=X.shape[0])
            elif isinstance(state, tuple):
                for s in state:
                    s.detach_()
            else:
                state.detach_()
            y = Y.T.reshape(-1)
            y_hat, state = net(X, state)
            l = loss(y_hat, y.long()).mean()
            updater.zero_grad()
            l.backward()
            grad_clipping(net, 1)
            updater.step()
            total += l.item() * y.numel()
            n += y.numel()
        print(f'epoch {epoch + 1}, perplexity {math.exp(total / n):.3f}')
    print(predict_ch8('emma ', 10, net, vocab))
