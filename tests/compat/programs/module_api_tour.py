"""A tour of the nn.Module API as model code and libraries use it: named_modules / named_children /
named_parameters / named_buffers with prefixes, get_submodule / get_parameter, add_module and
register_module, Sequential indexing, slicing, append/insert/extend/pop, ModuleList and ModuleDict
manipulation, ParameterList / ParameterDict, apply, requires_grad_, zero_grad(set_to_none), .double()
and .to(dtype), copy.deepcopy, state_dict(prefix=..., keep_vars=...), extra_repr, parameter counting."""
import copy
from collections import OrderedDict

import torch
from torch import nn

from _fixed import fix_params, randn


class Head(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.proj = nn.Linear(d, n)
        self.scale = nn.Parameter(torch.ones(n))
        self.register_buffer('calls', torch.zeros((), dtype=torch.long))

    def forward(self, x):
        self.calls += 1
        return self.proj(x) * self.scale

    def extra_repr(self):
        return f'classes={self.scale.numel()}'


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(OrderedDict([
            ('fc1', nn.Linear(4, 8)), ('act1', nn.ReLU()),
            ('fc2', nn.Linear(8, 8)), ('act2', nn.Tanh())]))
        self.heads = nn.ModuleDict({'a': Head(8, 3), 'b': Head(8, 2)})
        self.extras = nn.ModuleList([nn.Linear(8, 8) for _ in range(2)])
        self.temps = nn.ParameterList([nn.Parameter(torch.tensor([1.0])), nn.Parameter(torch.tensor([2.0]))])
        self.bias_table = nn.ParameterDict({'x': nn.Parameter(torch.zeros(3)), 'y': nn.Parameter(torch.ones(2))})

    def forward(self, x, head='a'):
        h = self.backbone(x)
        for layer in self.extras:
            h = h + layer(h)
        out = self.heads[head](h) / self.temps[0]
        return out + self.bias_table[head if head == 'x' else 'x'][:out.shape[1]] if head == 'a' else out


model = fix_params(Model())
print(model)
print([name for name, _ in model.named_children()])
print([name for name, _ in model.named_modules()][:8])
print([(name, tuple(p.shape)) for name, p in model.named_parameters()][:6])
print([name for name, _ in model.named_buffers()], [n for n, _ in model.named_parameters(prefix='m')][:2])
print(sum(p.numel() for p in model.parameters()), sum(p.numel() for p in model.parameters() if p.requires_grad))
print(model.get_submodule('heads.a.proj'), model.get_parameter('heads.b.scale'))

x = randn(5, 4, seed=1)
print(model(x), model(x, head='b').shape, model.heads.a.calls)

# Sequential: indexing, slicing, mutation
seq = model.backbone
print(seq[0], seq[-1], len(seq), type(seq[1:3]).__name__, seq[1:3])
print(seq.fc2 is seq[2], list(seq._modules.keys()))
seq2 = nn.Sequential(nn.Linear(4, 4))
seq2.append(nn.ReLU())
seq2.insert(0, nn.Identity())
seq2.extend([nn.Linear(4, 2), nn.Softmax(dim=-1)])
print(seq2, len(seq2))
print(seq2.pop(0), len(seq2))
del seq2[0]
print(seq2)

# ModuleList / ModuleDict mutation
extras = model.extras
extras.append(nn.Linear(8, 8))
extras.insert(1, nn.Dropout(0.0))
extras.extend([nn.Identity()])
print(len(extras), [type(m).__name__ for m in extras], type(extras[1:]).__name__)
del extras[1]
print(len(extras), extras[-1])
heads = model.heads
heads['c'] = Head(8, 4)
heads.update({'d': Head(8, 1)})
print(list(heads.keys()), 'c' in heads, len(heads), heads.pop('d').extra_repr(), list(heads))
print([k for k, _ in heads.items()], len(model.temps), model.temps[1], list(model.bias_table.keys()))
model.temps.append(nn.Parameter(torch.tensor(3.0)))
model.bias_table['z'] = nn.Parameter(torch.full((1,), 5.0))
print(len(list(model.parameters())), [n for n, _ in model.named_parameters() if 'temps' in n or 'bias_table' in n])

# add_module / register_module / register_parameter None / attribute deletion
model.add_module('norm', nn.LayerNorm(8))
model.register_module('post', nn.Linear(8, 8))
model.register_parameter('unused', None)
print([n for n, _ in model.named_children()], model.unused, 'unused' in dict(model.named_parameters()))
del model.post
print([n for n, _ in model.named_children()])


# apply, requires_grad_, zero_grad
def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.bias, 0.1)


model.apply(init_weights)
print(model.backbone.fc1.bias[:3], model.extras[0].bias[:2])
model.backbone.requires_grad_(False)
print([n for n, p in model.named_parameters() if not p.requires_grad])
out = model(x)
out.sum().backward()
print(model.backbone.fc1.weight.grad, model.heads.a.proj.weight.grad.shape)
model.zero_grad()
print(model.heads.a.proj.weight.grad)
out = model(x)
out.sum().backward()
model.zero_grad(set_to_none=False)
print(model.heads.a.proj.weight.grad.abs().sum())

# dtype conversion and deep copies
m64 = copy.deepcopy(model).double()
print(m64.heads.a.proj.weight.dtype, model.heads.a.proj.weight.dtype, m64.heads.a.calls.dtype)
print(m64(x.double()).dtype, torch.allclose(m64(x.double()).float(), model(x)))
clone = copy.deepcopy(model)
with torch.no_grad():
    clone.heads.a.scale.mul_(2)
print(model.heads.a.scale, clone.heads.a.scale, clone.heads.a.proj.weight is model.heads.a.proj.weight)
m16 = nn.Linear(2, 2).to(torch.float64)
print(m16.weight.dtype, m16.to(dtype=torch.float32).bias.dtype)

# state_dict variants
sd = model.heads.state_dict(prefix='heads.')
print(list(sd)[:4], type(sd).__name__)
kv = model.heads.a.state_dict(keep_vars=True)
print({k: v.requires_grad for k, v in kv.items()})
print(list(model.state_dict().keys())[-4:])
