"""``torch.nn.modules.conv``: the convolution layers (defined in ``npgrad.nn.conv``), for programs that
import them from there."""
from ..conv import *  # noqa: F401,F403
from ..conv import _ConvNd, _ConvTransposeNd  # noqa: F401
