"""``torch.nn.modules.dropout``: the dropout layers (defined in ``npgrad.nn.dropout``), for programs that
import them from there."""
from ..dropout import *  # noqa: F401,F403
from ..dropout import _DropoutNd  # noqa: F401
