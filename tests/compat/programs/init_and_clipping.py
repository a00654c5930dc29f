"""Weight initialisation and gradient clipping as training scripts use them: nn.init.calculate_gain,
the fan computations behind xavier/kaiming (checked through their bounds), constant_/ones_/zeros_/eye_/
dirac_, orthogonal_ (W W^T = I), a custom init applied with model.apply and reset_parameters; then
clip_grad_norm_ (2, 1, inf norms, the returned total norm, foreach), clip_grad_value_, a gradient
explosion tamed by clipping in an RNN-style loop, parameters_to_vector/vector_to_parameters, and
weight decay applied to some parameter groups only."""
import math

import torch
import torch.nn as nn

from _fixed import fix_params, randn

for nl in ['linear', 'conv2d', 'sigmoid', 'tanh', 'relu', 'selu']:
    print(nl, round(nn.init.calculate_gain(nl), 6))
print('leaky_relu', nn.init.calculate_gain('leaky_relu', 0.2), nn.init.calculate_gain('leaky_relu'))

w = torch.empty(6, 5)
nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain('relu'))
bound = math.sqrt(2.0) * math.sqrt(6.0 / (5 + 6))
print(w.abs().max().item() <= bound, w.shape)
nn.init.kaiming_uniform_(w, a=math.sqrt(5))
print(w.abs().max().item() <= 1 / math.sqrt(5))
c = torch.empty(4, 3, 3, 3)
nn.init.kaiming_uniform_(c, mode='fan_out', nonlinearity='relu')
print(c.abs().max().item() <= math.sqrt(2.0) * math.sqrt(3.0 / (4 * 9)))
nn.init.uniform_(w, a=-0.1, b=0.1)
print(w.min().item() >= -0.1, w.max().item() <= 0.1)
nn.init.trunc_normal_(w, std=1.0, a=-0.5, b=0.5)
print(w.abs().max().item() <= 0.5)

print(nn.init.constant_(torch.empty(2, 3), 0.3), nn.init.ones_(torch.empty(2)), nn.init.zeros_(torch.empty(2)))
print(nn.init.eye_(torch.empty(3, 4)))
d = nn.init.dirac_(torch.empty(2, 2, 3))
print(d, nn.init.dirac_(torch.empty(4, 2, 3), groups=2).sum(dim=(1, 2)))
q = nn.init.orthogonal_(torch.empty(3, 5))
print(torch.allclose(q @ q.T, torch.eye(3), atol=1e-5))
q = nn.init.orthogonal_(torch.empty(5, 3), gain=2.0)
print(torch.allclose(q.T @ q, 4 * torch.eye(3), atol=1e-4))
s = nn.init.sparse_(torch.empty(10, 4), sparsity=0.3)
print((s == 0).sum(dim=0))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 1))

    def forward(self, x):
        return self.net(x)


def init_weights(m):
    if isinstance(m, nn.Linear):
        torch.nn.init.xavier_normal_(m.weight)
        m.bias.data.fill_(0.01)


model = MLP()
model.apply(init_weights)
print([m.bias.data[0].item() for m in model.modules() if isinstance(m, nn.Linear)])
model.net[0].reset_parameters()
print(model.net[0].weight.abs().max().item() <= 1 / math.sqrt(4))
fix_params(model)

x, y = randn(16, 4, seed=1), randn(16, 1, seed=2)
loss = nn.functional.mse_loss(model(x) * 50, y)
loss.backward()
grads = [p.grad.clone() for p in model.parameters()]
total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
print(total, torch.sqrt(sum((g ** 2).sum() for g in grads)))
print(torch.sqrt(sum((p.grad ** 2).sum() for p in model.parameters())))
for p, g in zip(model.parameters(), grads):
    p.grad.copy_(g)
print(nn.utils.clip_grad_norm_(model.parameters(), max_norm=2.0, norm_type=1), sum(g.abs().sum() for g in grads))
for p, g in zip(model.parameters(), grads):
    p.grad.copy_(g)
print(nn.utils.clip_grad_norm_(model.parameters(), 0.5, norm_type=float('inf')), max(g.abs().max() for g in grads))
print(max(p.grad.abs().max() for p in model.parameters()))
for p, g in zip(model.parameters(), grads):
    p.grad.copy_(g)
nn.utils.clip_grad_value_(model.parameters(), clip_value=0.1)
print(model.net[0].weight.grad[0], model.net[4].bias.grad)
print(nn.utils.clip_grad_norm_(model.parameters(), 100.0, foreach=False))
model.net[0].weight.grad[0, 0] = float('nan')
try:
    nn.utils.clip_grad_norm_(model.parameters(), 1.0, error_if_nonfinite=True)
except RuntimeError as e:
    print('nonfinite:', str(e)[:30])

# an exploding recurrence, trained with and without clipping
W = nn.Parameter(torch.eye(3) * 1.5)
for clip in (None, 1.0):
    with torch.no_grad():
        W.copy_(torch.eye(3) * 1.5 + randn(3, 3, seed=3, scale=0.1))
    opt = torch.optim.SGD([W], lr=0.01)
    for step in range(3):
        opt.zero_grad()
        h = torch.ones(3)
        for t in range(12):
            h = torch.tanh(W @ h) * 2
        l = (h ** 2).sum()
        l.backward()
        n = nn.utils.clip_grad_norm_([W], clip) if clip else W.grad.norm()
        opt.step()
        print(clip, step, round(l.item(), 4), round(float(n), 4))

vec = nn.utils.parameters_to_vector(model.parameters())
print(vec.shape, vec[:3])
nn.utils.vector_to_parameters(torch.zeros_like(vec), model.parameters())
print(model.net[0].weight.abs().sum().item(), model.net[4].bias)

# weight decay on weights only, as in most training scripts
decay, no_decay = [], []
for name, param in model.named_parameters():
    (no_decay if name.endswith('bias') else decay).append(param)
fix_params(model)
optimizer = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1},
                               {'params': no_decay, 'weight_decay': 0.0}], lr=0.01)
for step in range(3):
    optimizer.zero_grad()
    l = nn.functional.mse_loss(model(x), y)
    l.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    print(step, round(l.item(), 6))
print([len(g['params']) for g in optimizer.param_groups], model.net[2].bias[:3])
