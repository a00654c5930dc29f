"""micrograd's demo retold in PyTorch: a 2-16-16-1 MLP with an SVM max-margin loss and L2 term on two moons."""
import numpy as np
import torch
import torch.nn as nn

from _fixed import fix_params, rng

g = rng(1)
t = g.random(50) * np.pi
X = np.concatenate([np.stack([np.cos(t), np.sin(t)], 1), np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1)])
X += g.normal(0, 0.1, X.shape)
y = np.concatenate([np.ones(50), -np.ones(50)])
X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)

model = fix_params(nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1)))
print("number of parameters", sum(p.numel() for p in model.parameters()))


def loss_fn(batch_size=None):
    scores = model(X).squeeze(1)
    losses = (1 + -y * scores).relu()
    data_loss = losses.sum() * (1.0 / losses.shape[0])
    alpha = 1e-4
    reg_loss = alpha * sum((p * p).sum() for p in model.parameters())
    total_loss = data_loss + reg_loss
    accuracy = ((y > 0) == (scores > 0)).float().mean()
    return total_loss, accuracy


for k in range(20):
    total_loss, acc = loss_fn()
    model.zero_grad()
    total_loss.backward()
    learning_rate = 1.0 - 0.9 * k / 100
    with torch.no_grad():
        for p in model.parameters():
            p -= learning_rate * p.grad
    if k % 5 == 0:
        print(f"step {k} loss {total_loss.item()}, accuracy {acc.item() * 100}%")
