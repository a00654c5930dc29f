"""``npgrad.nn.functional`` (``F``): the functional forms of the layers, activations and losses."""
from .conv_functional import *  # noqa: F401,F403  (conv, pooling: conv_functional.py)
