"""``torch.nn.modules.activation``: the activation modules (defined in ``npgrad.nn.activation``), for
programs that import them from there."""
from ..activation import *  # noqa: F401,F403
from ..transformer import MultiheadAttention  # noqa: F401  (PyTorch defines it there)
