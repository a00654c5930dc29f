"""Learning PyTorch with Examples, the 2017 edition: a two-layer ReLU net fitted with typed tensors and manual
gradients (dtype = torch.FloatTensor, clamp(min=0), grad_h[h < 0] = 0), then with Variables and .data updates."""
import numpy as np
import torch
from torch.autograd import Variable

dtype = torch.FloatTensor
N, D_in, H, D_out = 16, 40, 20, 5
g = np.random.default_rng(17)
x = torch.from_numpy(g.standard_normal((N, D_in))).type(dtype)
y = torch.from_numpy(g.standard_normal((N, D_out))).type(dtype)
w1_0 = torch.from_numpy(g.standard_normal((D_in, H)) * 0.1).type(dtype)
w2_0 = torch.from_numpy(g.standard_normal((H, D_out)) * 0.1).type(dtype)
print(isinstance(x, torch.FloatTensor), x.type())

w1, w2 = w1_0.clone(), w2_0.clone()
learning_rate = 1e-3
for t in range(100):
    h = x.mm(w1)
    h_relu = h.clamp(min=0)
    y_pred = h_relu.mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 25 == 0:
        print(t, loss.item())
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.t().mm(grad_y_pred)
    grad_h_relu = grad_y_pred.mm(w2.t())
    grad_h = grad_h_relu.clone()
    grad_h[h < 0] = 0
    grad_w1 = x.t().mm(grad_h)
    w1 -= learning_rate * grad_w1
    w2 -= learning_rate * grad_w2

x, y = Variable(x, requires_grad=False), Variable(y, requires_grad=False)
w1 = Variable(w1_0.clone(), requires_grad=True)
w2 = Variable(w2_0.clone(), requires_grad=True)
for t in range(100):
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 25 == 0:
        print(t, loss.item())
    loss.backward()
    w1.data -= learning_rate * w1.grad.data
    w2.data -= learning_rate * w2.grad.data
    w1.grad.data.zero_()
    w2.grad.data.zero_()
print(loss.item(), w2.data[0])
