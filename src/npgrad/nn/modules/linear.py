"""``torch.nn.modules.linear``: Identity, Linear and Bilinear (defined in ``npgrad.nn.linear``), for
programs that import them from there."""
from ..linear import *  # noqa: F401,F403
