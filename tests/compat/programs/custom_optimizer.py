"""Writing your own optimizer the way research repos do: a torch.optim.Optimizer subclass with defaults,
per-parameter state, @torch.no_grad() step(closure), the in-place update idioms (mul_, add_, addcmul_,
addcdiv_, lerp_, sqrt), checked against torch.optim.AdamW; a Lookahead wrapper over it sharing
param_groups; state_dict/load_state_dict of the custom optimizer; LBFGS-style closure use."""
import math

import torch
from torch.optim import Optimizer

from _fixed import fix_params, randn


class MyAdamW(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        if not 0.0 <= lr:
            raise ValueError("Invalid learning rate: {}".format(lr))
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError("Invalid beta parameter at index 0: {}".format(betas[0]))
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        super(MyAdamW, self).__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is None:
                    continue
                # Perform stepweight decay
                p.mul_(1 - group['lr'] * group['weight_decay'])
                grad = p.grad
                state = self.state[p]
                # State initialization
                if len(state) == 0:
                    state['step'] = 0
                    state['exp_avg'] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state['exp_avg_sq'] = torch.zeros_like(p, memory_format=torch.preserve_format)
                exp_avg, exp_avg_sq = state['exp_avg'], state['exp_avg_sq']
                beta1, beta2 = group['betas']
                state['step'] += 1
                bias_correction1 = 1 - beta1 ** state['step']
                bias_correction2 = 1 - beta2 ** state['step']
                # Decay the first and second moment running average coefficient
                exp_avg.lerp_(grad, 1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = (exp_avg_sq.sqrt() / math.sqrt(bias_correction2)).add_(group['eps'])
                step_size = group['lr'] / bias_correction1
                p.addcdiv_(exp_avg, denom, value=-step_size)
        return loss


class Lookahead(Optimizer):
    def __init__(self, base_optimizer, alpha=0.5, k=3):
        self.optimizer = base_optimizer
        self.alpha, self.k = alpha, k
        self.param_groups = self.optimizer.param_groups
        self.state = self.optimizer.state
        self.defaults = self.optimizer.defaults
        self.slow = [[p.detach().clone() for p in group['params']] for group in self.param_groups]
        self.counter = 0

    def step(self, closure=None):
        loss = self.optimizer.step(closure)
        self.counter += 1
        if self.counter % self.k == 0:
            for group, slow_group in zip(self.param_groups, self.slow):
                for p, slow in zip(group['params'], slow_group):
                    slow.add_(p.data - slow, alpha=self.alpha)
                    p.data.copy_(slow)
        return loss


def make_model():
    return fix_params(torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)))


x, y = randn(16, 4, seed=1), randn(16, 1, seed=2)
loss_fn = torch.nn.MSELoss()
models = [make_model(), make_model()]
opts = [MyAdamW(models[0].parameters(), lr=0.01, weight_decay=0.1),
        torch.optim.AdamW(models[1].parameters(), lr=0.01, weight_decay=0.1)]
for step in range(5):
    losses = []
    for model, opt in zip(models, opts):
        def closure():
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            return loss
        losses.append(opt.step(closure).item())
    print(step, [round(v, 6) for v in losses])
print(torch.allclose(models[0][0].weight, models[1][0].weight, atol=1e-6), opts[0].state[models[0][0].weight]['step'])

sd = opts[0].state_dict()
print(sorted(sd), sd['param_groups'][0]['lr'], sd['param_groups'][0]['betas'], sorted(sd['state'][0]))
fresh = MyAdamW(models[0].parameters(), lr=0.5)
fresh.load_state_dict(sd)
print(fresh.param_groups[0]['lr'], fresh.state[models[0][0].weight]['step'],
      torch.equal(fresh.state[models[0][0].weight]['exp_avg'], opts[0].state[models[0][0].weight]['exp_avg']))
fresh.add_param_group({'params': [torch.nn.Parameter(torch.zeros(2))], 'lr': 0.1})
print(len(fresh.param_groups), fresh.param_groups[1]['betas'], fresh.param_groups[1]['weight_decay'])

model = make_model()
opt = Lookahead(MyAdamW(model.parameters(), lr=0.05), alpha=0.5, k=2)
for step in range(4):
    model.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    print('lookahead', step, round(loss.item(), 6), model[2].bias.item())
try:
    MyAdamW(model.parameters(), lr=-1)
except ValueError as e:
    print('ValueError:', e)
