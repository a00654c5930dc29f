"""d2l 4.5: weight decay: an L2 penalty from scratch, then per-parameter-group weight_decay in SGD."""
import numpy as np
import torch
from torch import nn
from torch.utils import data

from _d2l import synthetic_data

n_train, n_test, num_inputs, batch_size = 20, 100, 200, 5
true_w, true_b = torch.ones((num_inputs, 1)) * 0.01, 0.05
train_data = synthetic_data(true_w, true_b, n_train, seed=11)
test_data = synthetic_data(true_w, true_b, n_test, seed=12)
train_iter = data.DataLoader(data.TensorDataset(*train_data), batch_size, shuffle=False)
test_iter = data.DataLoader(data.TensorDataset(*test_data), batch_size, shuffle=False)


def init_params():
    w = torch.tensor(np.random.default_rng(13).normal(0, 1, (num_inputs, 1)).astype(np.float32), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    return [w, b]


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def evaluate_loss(net, data_iter, loss):
    total, n = 0.0, 0
    for X, y in data_iter:
        out = net(X)
        l = loss(out, y.reshape(out.shape))
        total += float(l.sum())
        n += l.numel()
    return total / n


def train(lambd):
    w, b = init_params()
    net, loss = lambda X: linreg(X, w, b), squared_loss
    num_epochs, lr = 20, 0.003
    for epoch in range(num_epochs):
        for X, y in train_iter:
            l = loss(net(X), y) + lambd * l2_penalty(w)
            l.sum().backward()
            with torch.no_grad():
                for param in (w, b):
                    param -= lr * param.grad / batch_size
                    param.grad.zero_()
    print('L2 norm of w:', torch.norm(w).item(), evaluate_loss(net, test_iter, loss))


train(lambd=0)
train(lambd=3)


def train_concise(wd):
    net = nn.Sequential(nn.Linear(num_inputs, 1))
    for param in net.parameters():
        param.data.normal_()
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(np.random.default_rng(14).normal(0, 1, (1, num_inputs)).astype(np.float32)))
        net[0].bias.zero_()
    loss = nn.MSELoss(reduction='none')
    num_epochs, lr = 20, 0.003
    trainer = torch.optim.SGD([{"params": net[0].weight, 'weight_decay': wd}, {"params": net[0].bias}], lr=lr)
    for epoch in range(num_epochs):
        for X, y in train_iter:
            trainer.zero_grad()
            l = loss(net(X), y)
            l.mean().backward()
            trainer.step()
    print('L2 norm of w:', net[0].weight.norm().item(), evaluate_loss(net, test_iter, loss))


train_concise(0)
train_concise(3)
