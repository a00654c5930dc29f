"""pytorch/examples regression: fit a degree-4 polynomial with one nn.Linear and smooth_l1_loss, updating .data."""
import numpy as np
import torch
import torch.nn.functional as F

POLY_DEGREE = 4
g = np.random.default_rng(42)
W_target = torch.tensor(g.standard_normal((POLY_DEGREE, 1)).astype(np.float32)) * 5
b_target = torch.tensor(g.standard_normal(1).astype(np.float32)) * 5


def make_features(x):
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)


def f(x):
    return x.mm(W_target) + b_target.item()


def poly_desc(W, b):
    result = 'y = '
    for i, w in enumerate(W):
        result += '{:+.2f} x^{} '.format(w, i + 1)
    result += '{:+.2f}'.format(b[0])
    return result


def get_batch(batch_size=32):
    random = torch.tensor(g.standard_normal(batch_size).astype(np.float32))
    x = make_features(random)
    y = f(x)
    return x, y


fc = torch.nn.Linear(W_target.size(0), 1)
with torch.no_grad():
    fc.weight.copy_(torch.tensor([[0.1, -0.2, 0.3, -0.4]]))
    fc.bias.fill_(0.05)
for batch_idx in range(1, 201):
    batch_x, batch_y = get_batch()
    fc.zero_grad()
    output = F.smooth_l1_loss(fc(batch_x), batch_y)
    loss = output.item()
    output.backward()
    for param in fc.parameters():
        param.data.add_(-0.1 * param.grad)
    if loss < 1e-3:
        break
print('Loss: {:.6f} after {} batches'.format(loss, batch_idx))
print('==> Learned function:\t' + poly_desc(fc.weight.view(-1), fc.bias))
print('==> Actual function:\t' + poly_desc(W_target.view(-1), b_target))
