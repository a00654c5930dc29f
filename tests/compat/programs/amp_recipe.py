"""The "Automatic Mixed Precision" recipe and the idioms around it in current training scripts:
torch.autocast + GradScaler (enabled where a GPU is), working with unscaled gradients (unscale_ before
clip_grad_norm_), gradient accumulation, saving/resuming the scaler,
activation checkpointing of a block, torch.finfo for a masking constant; and a GradScaler on the CPU
that meets an overflow: the step is skipped and the scale backs off."""
import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

from _fixed import fix_params, randint, randn

device = 'cuda' if torch.cuda.is_available() else 'cpu'
use_amp = device == 'cuda'
batch_size, in_size, out_size, num_layers, num_batches, epochs = 8, 16, 4, 3, 4, 2
data = [randn(batch_size, in_size, seed=i).to(device) for i in range(num_batches)]
targets = [randint(out_size, (batch_size,), seed=100 + i).to(device) for i in range(num_batches)]


class Block(torch.nn.Module):
    def __init__(self, size):
        super().__init__()
        self.fc = torch.nn.Linear(size, size)
        self.norm = torch.nn.LayerNorm(size)

    def forward(self, x):
        return x + F.gelu(self.norm(self.fc(x)))


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = torch.nn.ModuleList([Block(in_size) for _ in range(num_layers)])
        self.head = torch.nn.Linear(in_size, out_size)

    def forward(self, x):
        for block in self.blocks:
            x = checkpoint(block, x, use_reentrant=False)
        logits = self.head(x)
        # mask the last class out for the first sample, with the dtype's lowest value
        mask = torch.zeros_like(logits, dtype=torch.bool)
        mask[0, -1] = True
        return logits.masked_fill(mask, torch.finfo(logits.dtype).min)


model = fix_params(Net()).to(device)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
scaler = torch.amp.GradScaler(device, enabled=use_amp)
loss_fn = torch.nn.CrossEntropyLoss()
iters_to_accumulate = 2

for epoch in range(epochs):
    for i, (input, target) in enumerate(zip(data, targets)):
        with torch.autocast(device_type=device, dtype=torch.float16, enabled=use_amp):
            output = model(input)
            loss = loss_fn(output, target)
            loss = loss / iters_to_accumulate
        # accumulates scaled gradients
        scaler.scale(loss).backward()
        if (i + 1) % iters_to_accumulate == 0:
            # unscale the gradients of the optimizer's params in place, then clip as usual
            scaler.unscale_(opt)
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
            scaler.step(opt)
            scaler.update()
            opt.zero_grad(set_to_none=True)
            print(f'epoch {epoch} step {i} loss {loss.item() * iters_to_accumulate:.5f} grad norm {norm.item():.5f}')

checkpoint_dict = {"model": model.state_dict(), "optimizer": opt.state_dict(), "scaler": scaler.state_dict()}
print(sorted(checkpoint_dict), list(checkpoint_dict["model"])[:2])
with torch.no_grad():
    print(model(data[0]).argmax(1), model(data[0])[0])

# a GradScaler on the CPU meeting an overflow: the step is skipped and the scale backs off
w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
opt = torch.optim.Adam([w], lr=0.1)
scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 10, growth_interval=2)
for step in range(5):
    opt.zero_grad()
    loss = (w ** 2).sum() * (1e36 if step == 1 else 1.0)
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    print(step, scaler.get_scale(), w.data, torch.isfinite(w.grad).all().item())
state = scaler.state_dict()
resumed = torch.amp.GradScaler("cpu")
resumed.load_state_dict(state)
print(state, resumed.get_scale(), torch.finfo(torch.float16).max, torch.iinfo(torch.int8).min)
