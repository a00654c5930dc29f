"""``npgrad playground``: a TensorFlow-Playground-like page in the browser, driven by npgrad itself.

Every number the page draws (losses, the decision boundary, each neuron's output, weights, the
gradient at every node of the graph) is computed by npgrad and sent over a small JSON API; the
page only draws.  Start it with ``npgrad playground`` or::

    from npgrad.playground import serve
    serve(port=8000, open_browser=False)
"""
from .server import make_server, serve
from .session import Session

__all__ = ["serve", "make_server", "Session"]
