"""npgrad.set_num_threads / get_num_threads really set NumPy's BLAS threads."""
import pytest

import npgrad


@pytest.fixture
def restore_threads():
    before = npgrad.get_num_threads()
    yield
    npgrad.set_num_threads(before)


def test_set_num_threads_reaches_the_blas(restore_threads):
    threadpoolctl = pytest.importorskip("threadpoolctl", reason="threadpoolctl (the 'all' extra) sets BLAS threads")
    npgrad.set_num_threads(1)
    blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    assert blas and all(i["num_threads"] == 1 for i in blas)
    assert npgrad.get_num_threads() == 1


@pytest.mark.parametrize("bad, message", [(0, "positive integer"), (-2, "positive integer"),
                                          (2.5, "expects an int, but got float"), ("a", "but got str")])
def test_bad_thread_counts_raise_like_torch(bad, message):
    with pytest.raises(RuntimeError, match=message):
        npgrad.set_num_threads(bad)
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.set_num_threads(bad)
