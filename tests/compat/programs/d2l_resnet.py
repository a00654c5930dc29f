"""d2l 8.6: the Residual block (optional 1x1 conv, Y += X), resnet_block stages and a small ResNet; one SGD step."""
import torch
from torch import nn
from torch.nn import functional as F

from _fixed import fix_params, rand


class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        Y += X
        return F.relu(Y)


blk = fix_params(Residual(3, 3))
X = rand(4, 3, 6, 6, seed=1)
Y = blk(X)
print(Y.shape, Y.sum().item())
blk = fix_params(Residual(3, 6, use_1x1conv=True, strides=2))
print(blk(X).shape, blk(X).mean().item())

b1 = nn.Sequential(nn.Conv2d(1, 8, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(8), nn.ReLU(),
                   nn.MaxPool2d(kernel_size=3, stride=2, padding=1))


def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
        else:
            blk.append(Residual(num_channels, num_channels))
    return blk


b2 = nn.Sequential(*resnet_block(8, 8, 2, first_block=True))
b3 = nn.Sequential(*resnet_block(8, 16, 2))
net = nn.Sequential(b1, b2, b3, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(16, 10))
fix_params(net)
X = rand(2, 1, 32, 32, seed=2)
for layer in net:
    X = layer(X)
    print(layer.__class__.__name__, 'output shape:\t', X.shape)
opt = torch.optim.SGD(net.parameters(), lr=0.05)
x, y = rand(4, 1, 32, 32, seed=3), torch.tensor([1, 3, 5, 7])
for _ in range(3):
    opt.zero_grad()
    l = F.cross_entropy(net(x), y)
    l.backward()
    opt.step()
    print(l.item())
net.eval()
print(net(x)[0])
