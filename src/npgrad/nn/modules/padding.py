"""``torch.nn.modules.padding``: the layers defined in ``npgrad.nn.padding``."""
from ..padding import *  # noqa: F401,F403
