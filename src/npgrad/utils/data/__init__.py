"""npgrad.utils.data: datasets, samplers and ``DataLoader``, shaped like ``torch.utils.data``.

Image transforms for augmentation live in ``npgrad.utils.data.transforms``.
"""
from .dataloader import DataLoader, default_collate, default_convert
from .dataset import (ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, TransformDataset,
                      random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)
from .distributed import DistributedSampler
from . import transforms  # noqa: F401

__all__ = ["BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "DistributedSampler", "IterableDataset", "RandomSampler",
           "Sampler", "SequentialSampler", "Subset", "SubsetRandomSampler", "TensorDataset",
           "TransformDataset", "WeightedRandomSampler", "default_collate", "default_convert", "random_split",
           "transforms"]
