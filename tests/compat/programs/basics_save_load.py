"""Learn the Basics, save and load: state_dict round trip, and the general checkpoint recipe."""
import os
import tempfile

import torch
import torch.nn as nn
import torch.optim as optim

from _fixed import fix_params, randn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


tmp = tempfile.mkdtemp()
model = fix_params(Net())
optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
x, target = randn(4, 6, seed=1), torch.tensor([0, 2, 1, 0])
for _ in range(3):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), target)
    loss.backward()
    optimizer.step()

print("Model's state_dict:")
for param_tensor in model.state_dict():
    print(param_tensor, "\t", model.state_dict()[param_tensor].size())
print("Optimizer's state_dict keys:", sorted(optimizer.state_dict().keys()))

path = os.path.join(tmp, "model_weights.pth")
torch.save(model.state_dict(), path)
model2 = Net()
model2.load_state_dict(torch.load(path, weights_only=True))
model2.eval()
print(model2(x))

ckpt = os.path.join(tmp, "checkpoint.tar")
torch.save({"epoch": 3, "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(), "loss": loss.item()}, ckpt)
model3 = Net()
optimizer3 = optim.SGD(model3.parameters(), lr=0.05, momentum=0.9)
checkpoint = torch.load(ckpt, weights_only=True)
model3.load_state_dict(checkpoint["model_state_dict"])
optimizer3.load_state_dict(checkpoint["optimizer_state_dict"])
print(checkpoint["epoch"], checkpoint["loss"])
model3.train()
optimizer3.zero_grad()
nn.functional.cross_entropy(model3(x), target).backward()
optimizer3.step()
optimizer.zero_grad()
nn.functional.cross_entropy(model(x), target).backward()
optimizer.step()
print(torch.allclose(model3.fc1.weight, model.fc1.weight), model3.fc2.bias)
