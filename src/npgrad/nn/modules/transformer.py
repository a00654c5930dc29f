"""``torch.nn.modules.transformer``: the Transformer layers (defined in ``npgrad.nn.transformer``)."""
from ..transformer import *  # noqa: F401,F403
