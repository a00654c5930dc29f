"""``torch.nn.modules.normalization``: LayerNorm and GroupNorm (defined in ``npgrad.nn.norm``), for
programs that import them from there."""
from ..norm import GroupNorm, LayerNorm  # noqa: F401
