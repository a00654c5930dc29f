"""``torch.nn.modules.pixelshuffle``: the layers defined in ``npgrad.nn.pixelshuffle``."""
from ..pixelshuffle import *  # noqa: F401,F403
