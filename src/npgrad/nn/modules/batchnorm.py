"""``torch.nn.modules.batchnorm``: the batch-norm layers (defined in ``npgrad.nn.norm``), for programs
that import them from there."""
from ..norm import BatchNorm1d, BatchNorm2d, BatchNorm3d, _BatchNorm  # noqa: F401
from ..sync_batchnorm import SyncBatchNorm  # noqa: F401

#: PyTorch's common base of batch and instance norm; npgrad's batch norms derive from _BatchNorm
_NormBase = _BatchNorm
