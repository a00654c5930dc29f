"""npgrad.datasets: real datasets (MNIST, Fashion-MNIST, scikit-learn's digits) and toy generators.

>>> from npgrad.datasets import make_moons
>>> X, y = make_moons(100, noise=0.1, random_state=0)
>>> X.shape
torch.Size([100, 2])
"""
from .digits import load_digits, train_test_split
from .download import DownloadError, default_root
from .idx import IDXError, read_idx, write_idx
from .mnist import MNIST, FashionMNIST
from .synthetic import make_blobs, make_circles, make_line, make_moons, make_regression, make_spirals, make_xor

__all__ = ["DownloadError", "FashionMNIST", "IDXError", "MNIST", "default_root", "load_digits", "make_blobs",
           "make_circles", "make_line", "make_moons", "make_regression", "make_spirals", "make_xor", "read_idx",
           "train_test_split", "write_idx"]
