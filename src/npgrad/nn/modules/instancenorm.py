"""``torch.nn.modules.instancenorm``: the layers defined in ``npgrad.nn.instancenorm``."""
from ..instancenorm import *  # noqa: F401,F403
