import os
import shutil

import numpy as np
import pytest

import npgrad
import npgrad.datasets
from npgrad.datasets import FashionMNIST, MNIST, mnist as mnist_mod
from npgrad.datasets.idx import IDXError, write_idx
from npgrad.utils.data import DataLoader
from npgrad.utils.data import transforms as T

from tests.sample_data import MNIST_T10K as MNIST_DIR, mnist_t10k, needs_mnist  # noqa: E402
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
needs_fashion = pytest.mark.skipif(not os.path.isfile(os.path.join(FASHION_DIR, "t10k-labels-idx1-ubyte.gz")),
                                   reason="Debian's dataset-fashion-mnist is not installed")


@pytest.fixture(scope="module")
def mnist_test():
    return MNIST(mnist_t10k(), train=False)


def test_real_mnist_attributes(mnist_test):
    ds = mnist_test
    assert len(ds) == 10000
    assert ds.data.dtype == npgrad.uint8 and tuple(ds.data.shape) == (10000, 28, 28)
    assert ds.targets.dtype == npgrad.int64 and ds.targets[:4].tolist() == [7, 2, 1, 0]
    assert ds.classes[7] == "7 - seven" and ds.class_to_idx["0 - zero"] == 0
    img, label = ds[0]
    assert tuple(img.shape) == (28, 28) and img.dtype == npgrad.uint8 and label == 7


def test_transform_single_and_batched_agree(mnist_test):
    tf = T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])
    ds = MNIST(MNIST_DIR, train=False, transform=tf)
    img, label = ds[5]
    assert tuple(img.shape) == (1, 28, 28) and img.dtype == npgrad.float32
    xb, yb = next(iter(DataLoader(ds, batch_size=8)))
    assert tuple(xb.shape) == (8, 1, 28, 28) and xb.dtype == npgrad.float32 and yb.dtype == npgrad.int64
    np.testing.assert_allclose(xb.numpy()[5], img.numpy(), rtol=1e-6)
    assert yb[5].item() == label


def test_loader_over_mnist_never_calls_getitem(mnist_test, monkeypatch):
    calls = []
    monkeypatch.setattr(MNIST, "__getitem__", lambda self, i: calls.append(i))
    ds = MNIST(MNIST_DIR, train=False, transform=T.ToTensor())
    n = sum(len(y) for _, y in DataLoader(ds, batch_size=1000, shuffle=True))
    assert n == 10000 and calls == []


def test_per_image_lambda_falls_back_to_getitem(mnist_test):
    ds = MNIST(MNIST_DIR, train=False, transform=T.Compose([T.ToTensor(), T.Lambda(lambda x: x.reshape(-1))]))
    xb, yb = next(iter(DataLoader(ds, batch_size=4)))
    assert tuple(xb.shape) == (4, 784) and yb.tolist() == [7, 2, 1, 0]


def test_root_layouts_and_uncompressed_files(tmp_path):
    images = np.zeros((2, 28, 28), np.uint8)
    labels = np.array([3, 4], np.uint8)
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    write_idx(raw / "train-images-idx3-ubyte", images, compress=False)   # torchvision layout, not gzipped
    write_idx(raw / "train-labels-idx1-ubyte.gz", labels)
    ds = MNIST(tmp_path)
    assert ds.targets.tolist() == [3, 4]


def test_mismatched_or_invalid_files_are_rejected(tmp_path):
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((3, 28, 28), np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(2, np.uint8))
    with pytest.raises(IDXError, match="3 images but .* 2 labels"):
        MNIST(tmp_path, train=False)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((2, 27, 28), np.uint8))
    with pytest.raises(IDXError, match=r"\(N, 28, 28\)"):
        MNIST(tmp_path, train=False)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((2, 28, 28), np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.array([1, 12], np.uint8))
    with pytest.raises(IDXError, match="label 12"):
        MNIST(tmp_path, train=False)


def test_root_from_environment(tmp_path, monkeypatch):
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((1, 28, 28), np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(1, np.uint8))
    monkeypatch.setenv("NPGRAD_DATA", str(tmp_path))
    assert len(MNIST(train=False)) == 1


@needs_fashion
def test_fashion_mnist_from_debian_folder(tmp_path):
    ds = FashionMNIST(tmp_path, train=False)  # nothing under root: found in the Debian folder
    assert len(ds) == 10000 and ds.classes[9] == "Ankle boot"
    assert np.bincount(ds.targets.numpy()).tolist() == [1000] * 10
    assert ds.data.dtype == npgrad.uint8


@needs_fashion
def test_fashion_mnist_dpkg_fallback(tmp_path, monkeypatch):
    monkeypatch.setattr(FashionMNIST, "system_folders", [])
    if shutil.which("dpkg") is None or not mnist_mod._dpkg_folders("dataset-fashion-mnist"):
        pytest.skip("dpkg does not list dataset-fashion-mnist")
    assert len(FashionMNIST(tmp_path, train=False)) == 10000


def test_fashion_mnist_missing_everywhere(tmp_path, monkeypatch):
    monkeypatch.setattr(FashionMNIST, "system_folders", [])
    monkeypatch.setattr(mnist_mod, "_dpkg_folders", lambda package: [])
    with pytest.raises(RuntimeError, match="FashionMNIST"):
        FashionMNIST(tmp_path, train=False)


def test_datasets_package_exports():
    for name in ("MNIST", "FashionMNIST", "load_digits", "make_moons", "read_idx", "train_test_split"):
        assert hasattr(npgrad.datasets, name)
