"""f-strings and str.format of tensors print what PyTorch prints (Tensor.__format__)."""
import numpy as np
import pytest

import npgrad


@pytest.mark.parametrize("make,spec", [
    (lambda T: T.tensor(2.5), ""), (lambda T: T.tensor(2.5), ".3f"), (lambda T: T.tensor(3), ""),
    (lambda T: T.tensor(2.5, requires_grad=True) * 2, ""), (lambda T: T.tensor([1.0, 2.0]), ""),
    (lambda T: T.tensor(True), ""), (lambda T: T.nn.Parameter(T.tensor(1.5)), ""),
])
def test_format_matches_pytorch(make, spec, torch):
    got = format(make(npgrad), spec).replace("npgrad", "torch")
    assert got == format(make(torch), spec)


def test_format_spec_on_a_vector_is_an_error_as_in_pytorch(torch):
    for lib in (npgrad, torch):
        with pytest.raises(TypeError):
            format(lib.tensor([1.0, 2.0]), ".2f")


def test_print_options_match_torch(torch):
    x = np.array([[1.23456, 2e-5, 300.0], [4.5, 5.25, 6.0]], np.float32)
    big = np.arange(2000.0, dtype=np.float32).reshape(40, 50)
    try:
        for kw in [dict(precision=2), dict(sci_mode=False), dict(sci_mode=True), dict(profile="short"),
                   dict(threshold=5, edgeitems=1), dict(linewidth=30), dict(profile="full", precision=3)]:
            npgrad.set_printoptions(**kw)
            torch.set_printoptions(**kw)
            for a in (x, x[1], np.arange(8.0, dtype=np.float32) * 1.5):
                assert repr(npgrad.tensor(a)) == repr(torch.tensor(a)), kw
        npgrad.set_printoptions(profile="default", threshold=10, edgeitems=2)
        torch.set_printoptions(profile="default", threshold=10, edgeitems=2)
        assert repr(npgrad.tensor(big)) == repr(torch.tensor(big))
    finally:
        npgrad.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    assert repr(npgrad.tensor(x)) == repr(torch.tensor(x))
