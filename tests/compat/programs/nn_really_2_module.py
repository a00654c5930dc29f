"""What is torch.nn really? (2) F.cross_entropy, an nn.Module with nn.Parameter, then nn.Linear, then optim."""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim

from _mnist_like import load

x_train, y_train, x_valid, y_valid = map(torch.tensor, load())
n, c = x_train.shape
bs, lr, epochs = 50, 0.5, 2
loss_func = F.cross_entropy


def accuracy(out, yb):
    return (torch.argmax(out, dim=1) == yb).float().mean()


class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        w = np.random.default_rng(1).standard_normal((784, 10)).astype(np.float32)
        self.weights = nn.Parameter(torch.tensor(w) / math.sqrt(784))
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, xb):
        return xb @ self.weights + self.bias


model = Mnist_Logistic()
xb, yb = x_train[0:bs], y_train[0:bs]
print(loss_func(model(xb), yb))


def fit():
    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            loss = loss_func(model(xb), yb)
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= p.grad * lr
                model.zero_grad()


fit()
print(loss_func(model(xb), yb), accuracy(model(xb), yb))


class Mnist_Logistic2(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(784, 10)

    def forward(self, xb):
        return self.lin(xb)


def get_model():
    m = Mnist_Logistic2()
    with torch.no_grad():
        m.lin.weight.copy_(torch.tensor(np.random.default_rng(2).uniform(-0.03, 0.03, (10, 784)).astype(np.float32)))
        m.lin.bias.zero_()
    return m, optim.SGD(m.parameters(), lr=lr)


model, opt = get_model()
print(loss_func(model(xb), yb))
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
print(loss_func(model(xb), yb))
