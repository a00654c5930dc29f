"""What is torch.nn really? (5) the closing section: the same model moved to a torch.device picked at run time."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

from _fixed import fix_params
from _mnist_like import load

print(torch.cuda.is_available())
dev = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")

x_train, y_train, x_valid, y_valid = map(torch.tensor, load(64, 32))


def preprocess(x, y):
    return x.view(-1, 1, 28, 28).to(dev), y.to(dev)


model = nn.Sequential(nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(),
                      nn.Conv2d(8, 10, kernel_size=3, stride=2, padding=1), nn.ReLU(),
                      nn.AdaptiveAvgPool2d(1), nn.Flatten())
fix_params(model)
model.to(dev)
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for epoch in range(2):
    for xb, yb in DataLoader(TensorDataset(x_train, y_train), batch_size=16):
        xb, yb = preprocess(xb, yb)
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
    with torch.no_grad():
        xv, yv = preprocess(x_valid, y_valid)
        print(epoch, F.cross_entropy(model(xv), yv).item(), next(model.parameters()).device)
