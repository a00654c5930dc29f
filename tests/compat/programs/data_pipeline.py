"""Datasets & DataLoaders tutorial, the parts that do not depend on the random generator: a map-style
Dataset with a transform and target_transform (Lambda one-hot via scatter_), TensorDataset, Subset,
ConcatDataset, random_split sizes (fractions too), an IterableDataset, custom Sampler and batch_sampler,
BatchSampler with drop_last, a custom collate_fn that pads variable-length sequences, default_collate
on dicts, tuples and numbers, and a training epoch over the loader."""
import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset, Sampler,
                              SequentialSampler, Subset, TensorDataset, default_collate, random_split)

from _fixed import fix_params


class CustomImageDataset(Dataset):
    def __init__(self, n, transform=None, target_transform=None):
        g = np.random.default_rng(21)
        self.images = g.random((n, 4, 4)).astype(np.float32)
        self.img_labels = g.integers(0, 3, n)
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.img_labels)

    def __getitem__(self, idx):
        image = self.images[idx]
        label = int(self.img_labels[idx])
        if self.transform:
            image = self.transform(image)
        if self.target_transform:
            label = self.target_transform(label)
        return image, label


def ToTensor(arr):
    return torch.from_numpy(arr).unsqueeze(0)


target_transform = lambda y: torch.zeros(3, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)
ds = CustomImageDataset(10, transform=ToTensor, target_transform=target_transform)
img, label = ds[3]
print(len(ds), img.shape, img.dtype, label)

loader = DataLoader(ds, batch_size=4, shuffle=False)
for X, y in loader:
    print(X.shape, y.shape, y.sum(0))
print(len(loader), len(DataLoader(ds, batch_size=4, drop_last=True)))

# plain numbers come back as int64 tensors
plain = DataLoader(CustomImageDataset(5, transform=ToTensor), batch_size=2)
print([y for _, y in plain], next(iter(plain))[1].dtype)

# TensorDataset, Subset, ConcatDataset, random_split
x = torch.arange(24, dtype=torch.float32).reshape(12, 2)
y = torch.arange(12) % 3
tds = TensorDataset(x, y)
print(len(tds), tds[5], tds.tensors[0].shape)
sub = Subset(tds, [0, 5, 7])
print(len(sub), sub[1], [int(b[1]) for b in sub])
cat = ConcatDataset([tds, sub])
print(len(cat), cat[12], cat[14][1], cat.cumulative_sizes)
train, val = random_split(tds, [9, 3], generator=torch.Generator().manual_seed(42))
print(len(train), len(val), type(train).__name__, len(set(train.indices) | set(val.indices)))
parts = random_split(range(10), [0.5, 0.3, 0.2])
print([len(p) for p in parts])


# an IterableDataset yields a stream
class Fibonacci(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        a, b = 0, 1
        for _ in range(self.n):
            yield torch.tensor([a], dtype=torch.float32)
            a, b = b, a + b


for batch in DataLoader(Fibonacci(10), batch_size=4):
    print(batch.view(-1))


# a custom sampler: every index twice, in reverse
class ReverseTwice(Sampler):
    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        n = len(self.data_source)
        return iter([i for i in reversed(range(n)) for _ in range(2)])

    def __len__(self):
        return 2 * len(self.data_source)


print([b[1].tolist() for b in DataLoader(sub, batch_size=4, sampler=ReverseTwice(sub))])
print(list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False)))
print(list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=True)))
by_class = DataLoader(tds, batch_sampler=[[i for i in range(12) if i % 3 == c] for c in range(3)])
print([b[0][:, 0].tolist() for b in by_class])

# collate_fn padding variable-length sequences, as in NLP loaders
seqs = [torch.tensor([1, 2, 3]), torch.tensor([4]), torch.tensor([5, 6]), torch.tensor([7, 8, 9, 10])]
pairs = list(zip(seqs, [0, 1, 0, 1]))


def collate_batch(batch):
    texts, labels = zip(*batch)
    lengths = torch.tensor([len(t) for t in texts])
    return pad_sequence(texts, batch_first=True, padding_value=0), torch.tensor(labels), lengths


for padded, labels, lengths in DataLoader(pairs, batch_size=2, collate_fn=collate_batch):
    print(padded, labels, lengths)
print(pad_sequence(seqs).shape)

# default_collate on nested structures
batch = [{'x': torch.ones(2) * i, 'meta': (i, float(i) / 2), 'name': f's{i}'} for i in range(3)]
out = default_collate(batch)
print(out['x'], out['meta'][0], out['meta'][1], out['meta'][1].dtype, out['name'])
print(default_collate([np.array([1.5, 2.5]), np.array([3.5, 4.5])]))

# one epoch of training over the loader
model = fix_params(nn.Sequential(nn.Flatten(), nn.Linear(16, 3)))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
for batch, (X, y) in enumerate(DataLoader(ds, batch_size=4)):
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    print(f"loss: {loss.item():>7f}  [{batch * 4 + len(X):>3d}/{len(ds):>3d}]")
