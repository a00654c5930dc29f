"""d2l 4.3: concise MLP: Sequential(Flatten, Linear, ReLU, Linear), normal init via apply, SGD."""
import torch
from torch import nn

from _d2l import load_data_fashion_mnist, train_ch3
from _fixed import fix_params

net = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))


def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)
fix_params(net, seed=3)
batch_size, lr, num_epochs = 32, 0.1, 3
loss = nn.CrossEntropyLoss(reduction='none')
trainer = torch.optim.SGD(net.parameters(), lr=lr)
train_iter, test_iter = load_data_fashion_mnist(batch_size)
train_ch3(net, train_iter, test_iter, loss, num_epochs, trainer)
