"""60-minute blitz, tensors: new_ones, randn_like, size, add with out=, in-place add_, view, item, NumPy bridge."""
import numpy as np
import torch

from _fixed import randn

x = torch.zeros(5, 3, dtype=torch.long)
print(x)
x = torch.tensor([5.5, 3])
print(x)
x = x.new_ones(5, 3, dtype=torch.double)
print(x)
x = torch.randn_like(x, dtype=torch.float)
print(x.size(), x.dtype == torch.float32)
x = randn(5, 3, seed=1)
y = randn(5, 3, seed=2)
print(x + y)
print(torch.add(x, y))
result = torch.empty(5, 3)
torch.add(x, y, out=result)
print(result)
y.add_(x)
print(y)
print(x[:, 1])

x = randn(4, 4, seed=3)
y = x.view(16)
z = x.view(-1, 8)
print(x.size(), y.size(), z.size())
x = randn(1, seed=4)
print(x)
print(x.item())

a = torch.ones(5)
b = a.numpy()
a.add_(1)
print(a, b)
a = np.ones(5)
b = torch.from_numpy(a)
np.add(a, 1, out=a)
print(a, b)

if torch.cuda.is_available():
    device = torch.device("cuda")
    y = torch.ones_like(x, device=device)
    x = x.to(device)
    z = x + y
    print(z.to("cpu", torch.double))
