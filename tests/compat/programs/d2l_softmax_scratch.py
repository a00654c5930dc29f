"""d2l 3.6: softmax regression from scratch: softmax by hand, fancy-index cross-entropy, argmax(axis=1) accuracy."""
import numpy as np
import torch

from _d2l import evaluate_accuracy, load_data_fashion_mnist, train_ch3

batch_size = 32
train_iter, test_iter = load_data_fashion_mnist(batch_size)
num_inputs, num_outputs = 784, 10
W = torch.tensor(np.random.default_rng(7).normal(0, 0.01, (num_inputs, num_outputs)).astype(np.float32),
                 requires_grad=True)
b = torch.zeros(num_outputs, requires_grad=True)

X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(X.sum(0, keepdim=True), X.sum(1, keepdim=True))


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition


X = torch.tensor(np.random.default_rng(8).normal(0, 1, (2, 5)).astype(np.float32))
X_prob = softmax(X)
print(X_prob, X_prob.sum(1))


def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y])


def cross_entropy(y_hat, y):
    return - torch.log(y_hat[range(len(y_hat)), y])


print(cross_entropy(y_hat, y))
print(evaluate_accuracy(net, test_iter))
lr = 0.1


def updater(batch_size):
    with torch.no_grad():
        for param in [W, b]:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


train_ch3(net, train_iter, test_iter, cross_entropy, 3, updater)
