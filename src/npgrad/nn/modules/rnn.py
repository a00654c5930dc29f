"""``torch.nn.modules.rnn``: the recurrent layers and cells (defined in ``npgrad.nn.recurrent``), for
programs that import them from there."""
from ..recurrent import *  # noqa: F401,F403
