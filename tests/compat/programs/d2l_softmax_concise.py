"""d2l 3.7: concise softmax regression: Flatten + Linear, init via net.apply, CrossEntropyLoss(reduction='none')."""
import torch
from torch import nn

from _d2l import load_data_fashion_mnist, train_ch3
from _fixed import fix_params

train_iter, test_iter = load_data_fashion_mnist(32)
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))


def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)
fix_params(net)
loss = nn.CrossEntropyLoss(reduction='none')
trainer = torch.optim.SGD(net.parameters(), lr=0.1)
train_ch3(net, train_iter, test_iter, loss, 3, trainer)
