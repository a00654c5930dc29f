"""60-minute blitz, autograd: Q = 3a^3 - b^2 with an external gradient; freezing all but a new head."""
import torch
from torch import nn, optim

from _fixed import fix_params, randn

a = torch.tensor([2., 3.], requires_grad=True)
b = torch.tensor([6., 4.], requires_grad=True)
Q = 3 * a ** 3 - b ** 2
external_grad = torch.tensor([1., 1.])
Q.backward(gradient=external_grad)
print(9 * a ** 2 == a.grad)
print(-2 * b == b.grad)

x = torch.rand(5, 5)
y = torch.rand(5, 5)
z = torch.rand((5, 5), requires_grad=True)
a = x + y
print(f"Does `a` require gradients?: {a.requires_grad}")
b = x + z
print(f"Does `b` require gradients?: {b.requires_grad}")

model = fix_params(nn.Sequential(nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 4)))
for param in model.parameters():
    param.requires_grad = False
model[2] = fix_params(nn.Linear(6, 3), seed=5)
optimizer = optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
data, labels = randn(2, 8, seed=6), torch.tensor([0, 2])
for _ in range(2):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(data), labels)
    loss.backward()
    optimizer.step()
print(model[0].weight.grad is None, model[2].weight.grad.shape, model[2].bias)
