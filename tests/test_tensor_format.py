"""f-strings and str.format of tensors print what PyTorch prints (Tensor.__format__)."""
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
