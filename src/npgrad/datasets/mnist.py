"""MNIST and Fashion-MNIST from their IDX files, with verified downloads.

Files are looked up, for each split, in ``root/<Name>/raw``, ``root/<Name>`` and ``root`` (so a
torchvision data folder works, and so does a folder holding the four files), as ``name.gz`` or
uncompressed ``name``.  Fashion-MNIST is also found where Debian's ``dataset-fashion-mnist``
installs it.  ``root`` defaults to ``$NPGRAD_DATA`` or ``~/.cache/npgrad``.
"""
from __future__ import annotations

import os
import subprocess

import numpy as np

from ..tensor import Tensor
from ..utils.data.dataset import Dataset
from ..utils.data.transforms import is_batch_safe
from . import download as _dl
from .idx import IDXError, read_idx

DEBIAN_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
_DEBIAN_PACKAGE = "dataset-fashion-mnist"


def _const(arr):
    return Tensor._make(arr, None, False, None)


def _find(name, folders):
    """The first existing ``name.gz`` or ``name`` in ``folders`` (or None)."""
    for folder in folders:
        for candidate in (name + ".gz", name):
            path = os.path.join(folder, candidate)
            if os.path.isfile(path):
                return path
    return None


def _dpkg_folders(package):
    """Folders of ``package``'s files per ``dpkg -L`` (empty when dpkg or the package is absent)."""
    try:
        out = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({os.path.dirname(line) for line in out.splitlines() if "-ubyte" in line})


class MNIST(Dataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 uint8.

    ``data`` is a uint8 tensor (N, 28, 28) and ``targets`` an int64 tensor (N,).  ``ds[i]`` is
    ``(image, label)``: without ``transform`` the image is the uint8 (28, 28) tensor; with one,
    the transform receives the image as (1, 28, 28), so ``transforms.ToTensor()`` gives a
    float32 (1, 28, 28) image in [0, 1] as in torchvision.  ``DataLoader`` gathers whole batches
    (and transforms them at once when the transforms are batch-safe).

    ``download=True`` fetches the split's two files from the mirrors in
    ``npgrad.datasets.download`` in order, keeping a file only when its size and hash match.

    >>> from npgrad.datasets import MNIST
    >>> test = MNIST("path/to/mnist-t10k", train=False)   # doctest: +SKIP
    >>> test.data.shape, test.targets[:3]                           # doctest: +SKIP
    (torch.Size([10000, 28, 28]), tensor([7, 2, 1]))
    """

    name = "MNIST"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
               "7 - seven", "8 - eight", "9 - nine"]
    _mirrors_attr, _resources_attr = "MNIST_MIRRORS", "MNIST_RESOURCES"

    def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False):
        self.root = os.path.expanduser(os.fspath(root)) if root is not None else _dl.default_root()
        self.train = bool(train)
        self.transform = transform
        self.target_transform = target_transform
        paths = self._locate(download)
        images, labels = read_idx(paths[0]), read_idx(paths[1])
        self._validate(images, labels, paths)
        self.data = _const(images)
        self.targets = _const(labels.astype(np.int64))

    # -- where the files are -----------------------------------------------------------------
    @property
    def raw_folder(self):
        return os.path.join(self.root, self.name, "raw")

    @property
    def files(self):
        split = "train" if self.train else "t10k"
        return [f"{split}-images-idx3-ubyte", f"{split}-labels-idx1-ubyte"]

    def _search_folders(self):
        return [self.raw_folder, os.path.join(self.root, self.name), self.root]

    def _locate(self, download):
        folders = self._search_folders()
        paths = [_find(f, folders) for f in self.files]
        if all(paths):
            return paths
        if download:
            return [p or self._download(f) for p, f in zip(paths, self.files)]
        missing = ", ".join(f + ".gz" for f, p in zip(self.files, paths) if p is None)
        raise RuntimeError(f"{self.name}: dataset not found (missing {missing}). Use download=True, "
                           f"or {self._manual_help()}\nSearched: {', '.join(folders)}")

    def _manual_help(self):
        names = ", ".join(sorted(getattr(_dl, self._resources_attr)))
        return f"put {names} (gzip or uncompressed) into {self.raw_folder}"

    def _download(self, base):
        filename = base + ".gz"
        spec = getattr(_dl, self._resources_attr)[filename]
        try:
            return _dl.download_file(filename, self.raw_folder, getattr(_dl, self._mirrors_attr), spec)
        except _dl.DownloadError as e:
            raise _dl.DownloadError(f"{self.name}: {e}\nTo install by hand, {self._manual_help()}.",
                                    e.failures) from None

    def _validate(self, images, labels, paths):
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
            raise IDXError(f"{paths[0]}: expected uint8 images of shape (N, 28, 28), got {images.dtype} "
                           f"{images.shape}")
        if labels.dtype != np.uint8 or labels.ndim != 1:
            raise IDXError(f"{paths[1]}: expected uint8 labels of shape (N,), got {labels.dtype} {labels.shape}")
        if len(labels) != len(images):
            raise IDXError(f"{self.name}: {paths[0]} holds {len(images)} images but {paths[1]} holds "
                           f"{len(labels)} labels")
        if len(labels) and labels.max() >= len(self.classes):
            raise IDXError(f"{paths[1]}: label {int(labels.max())} is out of range for "
                           f"{len(self.classes)} classes")

    # -- samples -------------------------------------------------------------------------------
    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def __len__(self):
        return self.data.shape[0]

    def __getitem__(self, index):
        img, target = self.data._data[index], int(self.targets._data[index])
        img = _const(img) if self.transform is None else self.transform(_const(img[None]))
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __getattr__(self, name):
        # The batched path exists only when the transforms act the same on a batch.
        d = self.__dict__
        if name == "_get_batch" and is_batch_safe(d.get("transform")) \
                and is_batch_safe(d.get("target_transform")):
            return self._gather
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _gather(self, indices):
        idx = indices if isinstance(indices, slice) else np.asarray(indices, dtype=np.int64)
        if isinstance(idx, slice):
            imgs, targets = self.data._data[idx].copy(), self.targets._data[idx].copy()
        else:
            imgs, targets = np.take(self.data._data, idx, axis=0), np.take(self.targets._data, idx)
        imgs = _const(imgs) if self.transform is None else self.transform(_const(imgs[:, None]))
        targets = _const(targets)
        if self.target_transform is not None:
            targets = self.target_transform(targets)
        return [imgs, targets]

    def __repr__(self):
        split = "Train" if self.train else "Test"
        return f"Dataset {self.name}\n    Number of datapoints: {len(self)}\n    Root location: {self.root}\n" \
               f"    Split: {split}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 10 kinds of clothing in MNIST's format (60,000 + 10,000 images).

    Same interface as ``MNIST``.  Besides ``root``, the files are found with no download where
    Debian's ``dataset-fashion-mnist`` installs them (``/usr/share/datasets/fashion-mnist``, or
    wherever ``dpkg -L dataset-fashion-mnist`` lists them).

    >>> from npgrad.datasets import FashionMNIST
    >>> test = FashionMNIST(train=False)      # doctest: +SKIP
    >>> len(test), test.classes[9]            # doctest: +SKIP
    (10000, 'Ankle boot')
    """

    name = "FashionMNIST"
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
    _mirrors_attr, _resources_attr = "FASHION_MNIST_MIRRORS", "FASHION_MNIST_RESOURCES"
    system_folders = [DEBIAN_FASHION_MNIST_DIR]

    def _locate(self, download):
        try:
            return super()._locate(False)
        except RuntimeError:
            # Before downloading or failing: ask dpkg where the Debian package put the files.
            found = [_find(f, _dpkg_folders(_DEBIAN_PACKAGE)) for f in self.files]
            return found if all(found) else super()._locate(download)

    def _search_folders(self):
        return super()._search_folders() + list(self.system_folders)
