"""Forward and backward hooks the way feature-extraction and debugging code uses them: capturing
activations with register_forward_hook, editing inputs with a forward pre-hook, gradient statistics from
register_full_backward_hook, Tensor.register_hook and retain_grad, removing handles; then the modes:
train()/eval() for Dropout and BatchNorm, no_grad, inference_mode, set_grad_enabled, enable_grad inside
no_grad, requires_grad_(False) freezing, detach, and a decorated @torch.no_grad() function."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from _fixed import fix_params, randn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3, padding=1)
        self.bn = nn.BatchNorm2d(3)
        self.drop = nn.Dropout(0.5)
        self.fc1 = nn.Linear(3 * 4 * 4, 8)
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
        x = self.drop(torch.flatten(x, 1))
        return self.fc2(F.relu(self.fc1(x)))


model = fix_params(Net())
x = randn(4, 1, 8, 8, seed=1)
target = torch.tensor([0, 1, 1, 0])

activation = {}


def get_activation(name):
    def hook(model, input, output):
        activation[name] = output.detach()
    return hook


h1 = model.fc1.register_forward_hook(get_activation('fc1'))
h2 = model.conv.register_forward_hook(get_activation('conv'))
model.eval()
out = model(x)
print(activation['fc1'].shape, activation['conv'].shape, activation['fc1'].sum().item())
print(activation['fc1'].requires_grad, out.requires_grad)

# a forward hook that returns a value replaces the output
h3 = model.fc2.register_forward_hook(lambda m, inp, out: out * 0 + 1)
print(model(x))
h3.remove()

# a pre-hook edits the input
pre = model.fc1.register_forward_pre_hook(lambda m, inp: (inp[0] * 2,))
print(model(x)[0])
pre.remove()
print(model(x)[0], torch.equal(model(x), out))

# backward hooks: gradient norms per layer
grad_norms = {}


def save_grad_norm(name):
    def hook(module, grad_input, grad_output):
        grad_norms[name] = (grad_output[0].norm().item(), None if grad_input[0] is None else grad_input[0].norm().item())
    return hook


handles = [m.register_full_backward_hook(save_grad_norm(n)) for n, m in model.named_children() if n.startswith('fc')]
model.train()
model.drop.p = 0.0
loss = F.cross_entropy(model(x), target)
loss.backward()
for name in sorted(grad_norms):
    print(name, [round(v, 5) for v in grad_norms[name]])
for h in handles + [h1, h2]:
    h.remove()

# tensor hooks: retain_grad on a non-leaf and a hook that scales the gradient
a = randn(3, seed=2).requires_grad_()
b = a * 2
b.retain_grad()
c = b.exp()
c.register_hook(lambda g: g * 10)
seen = []
a.register_hook(lambda g: seen.append(g.clone()))
c.sum().backward()
print(b.grad, a.grad, seen[0], b.is_leaf, a.is_leaf, c.grad_fn is not None)

# modes: BatchNorm uses batch statistics in train(), running ones in eval()
bn = nn.BatchNorm1d(2, momentum=0.5)
z = torch.tensor([[1.0, 2.0], [3.0, 6.0], [5.0, 1.0]])
print(bn(z), bn.running_mean, bn.running_var, bn.num_batches_tracked)
bn.eval()
print(bn(z), bn.training, model.training)
model.eval()
print(all(not m.training for m in model.modules()))
drop = nn.Dropout(0.9)
drop.eval()
print(torch.equal(drop(z), z))

# no_grad / inference_mode / set_grad_enabled / enable_grad
w = torch.ones(2, requires_grad=True)
with torch.no_grad():
    y = w * 2
    with torch.enable_grad():
        y2 = w * 2
print(y.requires_grad, y2.requires_grad, torch.is_grad_enabled())
with torch.inference_mode():
    y3 = w * 2
print(y3.requires_grad, torch.is_inference_mode_enabled())
with torch.set_grad_enabled(False):
    y4 = w * 3
print(y4.requires_grad)
torch.set_grad_enabled(True)


@torch.no_grad()
def evaluate(model, x):
    return model(x).argmax(1)


print(evaluate(model, x), evaluate(model, x).requires_grad)

# freezing: requires_grad_(False) on a sub-module, only the head trains
for p in model.conv.parameters():
    p.requires_grad_(False)
model.zero_grad(set_to_none=True)
model.train()
F.cross_entropy(model(x), target).backward()
print(model.conv.weight.grad is None, model.fc2.weight.grad is not None)
trainable = [n for n, p in model.named_parameters() if p.requires_grad]
print(len(trainable), trainable[0])
opt = torch.optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.1)
before = model.conv.weight.clone()
opt.step()
print(torch.equal(before, model.conv.weight), model.fc2.bias)
d = model.fc2.bias.detach()
d.zero_()  # detach shares storage with the parameter
print(d.requires_grad, model.fc2.bias)
