"""The small pieces of the d2l package the chapters lean on (Accumulator, accuracy, evaluate, train_epoch)."""
import numpy as np
import torch
from torch.utils import data

from _fixed import images


class Accumulator:
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def evaluate_accuracy(net, data_iter):
    if isinstance(net, torch.nn.Module):
        net.eval()
    metric = Accumulator(2)
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


def train_epoch_ch3(net, train_iter, loss, updater):
    if isinstance(net, torch.nn.Module):
        net.train()
    metric = Accumulator(3)
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        else:
            l.sum().backward()
            updater(X.shape[0])
        metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]


def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater):
    for epoch in range(num_epochs):
        train_metrics = train_epoch_ch3(net, train_iter, loss, updater)
        test_acc = evaluate_accuracy(net, test_iter)
        print(f'epoch {epoch + 1}, loss {train_metrics[0]:.4f}, train acc {train_metrics[1]:.3f}, test acc {test_acc:.3f}')


def load_data_fashion_mnist(batch_size, n_train=96, n_test=48):
    train = data.TensorDataset(*images(n_train, seed=31))
    test = data.TensorDataset(*images(n_test, seed=32))
    return data.DataLoader(train, batch_size, shuffle=False), data.DataLoader(test, batch_size, shuffle=False)


def synthetic_data(w, b, num_examples, seed=0):
    X = torch.tensor(np.random.default_rng(seed).standard_normal((num_examples, len(w))).astype(np.float32))
    y = torch.matmul(X, w) + b
    y += torch.tensor(np.random.default_rng(seed + 1).normal(0, 0.01, tuple(y.shape)).astype(np.float32))
    return X, y.reshape((-1, 1))
