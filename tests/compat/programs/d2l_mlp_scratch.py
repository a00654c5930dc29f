"""d2l 4.2: MLP from scratch: nn.Parameter weights, relu as torch.max(X, zeros), SGD on the list of params."""
import numpy as np
import torch
from torch import nn

from _d2l import load_data_fashion_mnist, train_ch3

train_iter, test_iter = load_data_fashion_mnist(32)
num_inputs, num_outputs, num_hiddens = 784, 10, 64
g = np.random.default_rng(9)
W1 = nn.Parameter(torch.tensor(g.standard_normal((num_inputs, num_hiddens)).astype(np.float32), requires_grad=True) * 0.01)
b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
W2 = nn.Parameter(torch.tensor(g.standard_normal((num_hiddens, num_outputs)).astype(np.float32), requires_grad=True) * 0.01)
b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))
params = [W1, b1, W2, b2]


def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


def net(X):
    X = X.reshape((-1, num_inputs))
    H = relu(X @ W1 + b1)
    return (H @ W2 + b2)


loss = nn.CrossEntropyLoss(reduction='none')
updater = torch.optim.SGD(params, lr=0.1)
train_ch3(net, train_iter, test_iter, loss, 3, updater)
