"""Learn the Basics, datasets & dataloaders: a custom Dataset, DataLoader batches, a one-hot target transform."""
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from _fixed import rng


class CustomImageDataset(Dataset):
    def __init__(self, n, transform=None, target_transform=None):
        g = rng(11)
        self.images = g.random((n, 1, 8, 8)).astype(np.float32)
        self.labels = g.integers(0, 10, n)
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        image = torch.tensor(self.images[idx])
        label = int(self.labels[idx])
        if self.transform:
            image = self.transform(image)
        if self.target_transform:
            label = self.target_transform(label)
        return image, label


one_hot = lambda y: torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)
ds = CustomImageDataset(20, transform=lambda x: x * 2 - 1, target_transform=one_hot)
print(len(ds), ds[3][1])
train_dataloader = DataLoader(ds, batch_size=8, shuffle=False)
train_features, train_labels = next(iter(train_dataloader))
print(f"Feature batch shape: {train_features.size()}")
print(f"Labels batch shape: {train_labels.size()}")
img = train_features[0].squeeze()
label = train_labels[0]
print(img.sum(), label.argmax())
for i, (xb, yb) in enumerate(train_dataloader):
    print(i, xb.shape[0], xb.mean().item(), yb.sum(0))
