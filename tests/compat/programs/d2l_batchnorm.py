"""d2l 8.5: batch normalization from scratch (moving averages, is_grad_enabled), in LeNet; then nn.BatchNorm2d/1d."""
import torch
from torch import nn

from _d2l import load_data_fashion_mnist, train_ch3
from _fixed import fix_params


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    if not torch.is_grad_enabled():
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        assert len(X.shape) in (2, 4)
        if len(X.shape) == 2:
            mean = X.mean(dim=0)
            var = ((X - mean) ** 2).mean(dim=0)
        else:
            mean = X.mean(dim=(0, 2, 3), keepdim=True)
            var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
        X_hat = (X - mean) / torch.sqrt(var + eps)
        moving_mean = (1.0 - momentum) * moving_mean + momentum * mean
        moving_var = (1.0 - momentum) * moving_var + momentum * var
    Y = gamma * X_hat + beta
    return Y, moving_mean.data, moving_var.data


class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.moving_mean = torch.zeros(shape)
        self.moving_var = torch.ones(shape)

    def forward(self, X):
        if self.moving_mean.device != X.device:
            self.moving_mean = self.moving_mean.to(X.device)
            self.moving_var = self.moving_var.to(X.device)
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var, eps=1e-5, momentum=0.1)
        return Y


def lenet(bn1, bn2, bn3, bn4):
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), bn1, nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), bn2, nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Linear(16 * 4 * 4, 120), bn3, nn.Sigmoid(),
        nn.Linear(120, 84), bn4, nn.Sigmoid(), nn.Linear(84, 10))


train_iter, test_iter = load_data_fashion_mnist(16, 48, 32)
loss = nn.CrossEntropyLoss(reduction='none')
net = fix_params(lenet(BatchNorm(6, num_dims=4), BatchNorm(16, num_dims=4), BatchNorm(120, num_dims=2),
                       BatchNorm(84, num_dims=2)))
train_ch3(net, train_iter, test_iter, loss, 2, torch.optim.SGD(net.parameters(), lr=0.5))
print(net[1].gamma.reshape((-1,)), net[1].beta.reshape((-1,)))

net = fix_params(lenet(nn.BatchNorm2d(6), nn.BatchNorm2d(16), nn.BatchNorm1d(120), nn.BatchNorm1d(84)))
train_ch3(net, train_iter, test_iter, loss, 2, torch.optim.SGD(net.parameters(), lr=0.5))
print(net[1].running_mean, net[13].running_var[:4], net[1].num_batches_tracked)
