"""d2l 4.6: dropout from scratch (mask from torch.rand), a net with an is_training flag, and nn.Dropout.

The masks are random, so what is compared is what does not depend on them: p=0 and p=1 exactly, the
scaling of kept units, and training with the drop probabilities at 0.
"""
import torch
from torch import nn

from _d2l import load_data_fashion_mnist, train_ch3
from _fixed import fix_params


def dropout_layer(X, dropout):
    assert 0 <= dropout <= 1
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape) > dropout).float()
    return mask * X / (1.0 - dropout)


X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
print(X)
print(dropout_layer(X, 0.))
print(dropout_layer(X, 1.))
half = dropout_layer(X, 0.5)
kept = half != 0
print(torch.equal(half[kept], 2 * X[kept]))
big = dropout_layer(torch.ones(100000), 0.5)
print(round(float((big == 0).float().mean()), 1))

num_inputs, num_outputs, num_hiddens1, num_hiddens2 = 784, 10, 32, 32
dropout1, dropout2 = 0.0, 0.0


class Net(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens1, num_hiddens2, is_training=True):
        super(Net, self).__init__()
        self.num_inputs = num_inputs
        self.training = is_training
        self.lin1 = nn.Linear(num_inputs, num_hiddens1)
        self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
        self.lin3 = nn.Linear(num_hiddens2, num_outputs)
        self.relu = nn.ReLU()

    def forward(self, X):
        H1 = self.relu(self.lin1(X.reshape((-1, self.num_inputs))))
        if self.training == True:
            H1 = dropout_layer(H1, dropout1)
        H2 = self.relu(self.lin2(H1))
        if self.training == True:
            H2 = dropout_layer(H2, dropout2)
        return self.lin3(H2)


net = fix_params(Net(num_inputs, num_outputs, num_hiddens1, num_hiddens2))
loss = nn.CrossEntropyLoss(reduction='none')
train_iter, test_iter = load_data_fashion_mnist(32)
trainer = torch.optim.SGD(net.parameters(), lr=0.3)
train_ch3(net, train_iter, test_iter, loss, 2, trainer)

net = nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Dropout(dropout1), nn.Linear(32, 32), nn.ReLU(),
                    nn.Dropout(dropout2), nn.Linear(32, 10))
fix_params(net, seed=2)
trainer = torch.optim.SGD(net.parameters(), lr=0.3)
train_ch3(net, train_iter, test_iter, loss, 2, trainer)
net.train()
d = nn.Dropout(0.5)
y = d(torch.ones(4, 1000))
print(sorted(set(y.flatten().tolist())), round(float((y == 0).float().mean()), 1))
