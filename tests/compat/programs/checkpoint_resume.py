"""Saving and loading a general checkpoint to resume training (the recipe), warm-starting a different
model with strict=False, several models in one file, buffers (persistent and not), state_dict keys
and OrderedDict, a saved optimizer with per-parameter state, dtypes and views in a saved dict."""
import io
import os
import tempfile
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

from _fixed import fix_params, randint, randn


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.fc1 = nn.Linear(4 * 3 * 3, 16)
        self.fc2 = nn.Linear(16, 3)
        self.register_buffer('steps', torch.zeros((), dtype=torch.long))
        self.register_buffer('scratch', torch.ones(2), persistent=False)

    def forward(self, x):
        self.steps += 1
        x = F.max_pool2d(F.relu(self.bn(self.conv1(x))), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


x, y = randn(8, 1, 8, 8, seed=1), randint(3, (8,), seed=2)
net = fix_params(Net())
optimizer = optim.Adam(net.parameters(), lr=0.01, weight_decay=1e-4)
scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
criterion = nn.CrossEntropyLoss()


def train_step(model, optimizer):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


for epoch in range(2):
    loss = train_step(net, optimizer)
    scheduler.step()
print('before save', round(loss, 6))

sd = net.state_dict()
print(type(sd).__name__, list(sd.keys()))
print(sd['bn.running_mean'], sd['steps'], 'scratch' in sd, sd['fc2.bias'].requires_grad)

osd = optimizer.state_dict()
print(sorted(osd.keys()), osd['param_groups'][0]['params'], sorted(osd['param_groups'][0].keys()))
print(sorted(osd['state'][0].keys()), osd['state'][0]['step'], osd['state'][0]['exp_avg'].shape)

PATH = os.path.join(tempfile.mkdtemp(), 'model.pt')
torch.save({
    'epoch': 2,
    'model_state_dict': net.state_dict(),
    'optimizer_state_dict': optimizer.state_dict(),
    'scheduler_state_dict': scheduler.state_dict(),
    'loss': loss,
}, PATH)

# resume: a fresh model and optimizer, then load
model = Net()
optimizer2 = optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-4)
scheduler2 = optim.lr_scheduler.StepLR(optimizer2, step_size=1, gamma=0.5)
checkpoint = torch.load(PATH, weights_only=True)
result = model.load_state_dict(checkpoint['model_state_dict'])
print(result, result.missing_keys, result.unexpected_keys)
optimizer2.load_state_dict(checkpoint['optimizer_state_dict'])
scheduler2.load_state_dict(checkpoint['scheduler_state_dict'])
epoch = checkpoint['epoch']
loss = checkpoint['loss']
print(epoch, round(loss, 6), optimizer2.param_groups[0]['lr'], model.steps, model.scratch)
model.train()

# both continue identically
for _ in range(2):
    a, b = train_step(net, optimizer), train_step(model, optimizer2)
    print(round(a, 6), round(b, 6), a == b)
print(torch.equal(net.fc1.weight, model.fc1.weight), torch.equal(net.bn.running_var, model.bn.running_var))


# warm start a model with a different head
class NetB(Net):
    def __init__(self):
        super().__init__()
        self.fc2 = nn.Linear(16, 5)
        self.extra = nn.Linear(5, 1)


netB = NetB()
try:
    netB.load_state_dict(net.state_dict())
except RuntimeError as e:
    print('strict load failed:', str(e).splitlines()[0][:40])
filtered = {k: v for k, v in net.state_dict().items() if not k.startswith('fc2')}
res = netB.load_state_dict(filtered, strict=False)
print(sorted(res.missing_keys), res.unexpected_keys, torch.equal(netB.conv1.weight, net.conv1.weight))

# several models in one file, saved to a buffer
buffer = io.BytesIO()
torch.save({'modelA_state_dict': net.state_dict(), 'modelB_state_dict': netB.state_dict(),
            'meta': {'classes': ['a', 'b', 'c'], 'version': (1, 2)}}, buffer)
buffer.seek(0)
both = torch.load(buffer)
print(sorted(both.keys()), both['meta'], both['modelB_state_dict']['fc2.weight'].shape)

# a copy of the state dict does not follow later training; the live one does
snapshot = OrderedDict((k, v.clone()) for k, v in net.state_dict().items())
live = net.state_dict()
train_step(net, optimizer)
print(torch.equal(snapshot['fc1.weight'], net.fc1.weight), torch.equal(live['fc1.weight'], net.fc1.weight))
net.load_state_dict(snapshot)
print(torch.equal(snapshot['fc1.weight'], net.fc1.weight))

# inference after loading: eval() first
model.load_state_dict(net.state_dict())
model.eval()
net.eval()
print(torch.allclose(model(x), net(x)), model(x).argmax(1))

# tensors keep their dtype; a view is saved with its values
t = {'ints': torch.arange(6).view(2, 3)[:, 1], 'half': torch.ones(2, dtype=torch.float16), 'flag': torch.tensor(True)}
buffer = io.BytesIO()
torch.save(t, buffer)
buffer.seek(0)
back = torch.load(buffer)
print(back['ints'], back['half'].dtype, back['flag'])
