"""Where the tests find the real MNIST test split (10,000 images, the IDX files of t10k).

``NPGRAD_TEST_MNIST`` names the folder; by default it is ``shared/data/mnist-t10k`` beside the
checkout.  The tests that need it skip, all with the same reason, when it is not there.
"""
import os

import pytest

MNIST_T10K = os.path.abspath(os.environ.get("NPGRAD_TEST_MNIST") or os.path.join(
    os.path.dirname(__file__), "..", "..", "shared", "data", "mnist-t10k"))
SKIP_REASON = (f"the real MNIST test split is not in {MNIST_T10K} (set NPGRAD_TEST_MNIST to a folder holding "
               f"t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz)")
HAVE_MNIST = os.path.isfile(os.path.join(MNIST_T10K, "t10k-images-idx3-ubyte.gz"))
needs_mnist = pytest.mark.skipif(not HAVE_MNIST, reason=SKIP_REASON)


def mnist_t10k():
    """The folder, or skip the calling test."""
    if not HAVE_MNIST:
        pytest.skip(SKIP_REASON)
    return MNIST_T10K
