"""``npgrad.backends``: PyTorch's backend flags (``cudnn.deterministic``, ``mps.is_available()`` ...).

Programs set and read these for reproducibility or device selection; on this build there is no
cuDNN, MPS or CUDA, so the queries answer False and the flags are plain settable attributes.

>>> import npgrad
>>> npgrad.backends.mps.is_available(), npgrad.backends.cudnn.is_available()
(False, False)
>>> npgrad.backends.cudnn.deterministic, npgrad.backends.cudnn.benchmark
(False, False)
"""
from . import cuda, cudnn, mps  # noqa: F401
