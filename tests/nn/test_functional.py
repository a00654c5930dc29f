"""Remaining functional ops: normalize, cosine_similarity, pairwise_distance, pad, and F's namespace."""
import numpy as np

import npgrad
import npgrad.nn.functional as F
from npgrad.autograd import gradcheck


def test_normalize_cosine_pairwise(torch, rng):
    a, b = rng.standard_normal((4, 5)).astype(np.float32), rng.standard_normal((4, 5)).astype(np.float32)
    tf = torch.nn.functional
    na, nb, ta, tb = npgrad.tensor(a), npgrad.tensor(b), torch.tensor(a), torch.tensor(b)
    np.testing.assert_allclose(F.normalize(na)._data, tf.normalize(ta).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(F.normalize(na, p=1, dim=0)._data, tf.normalize(ta, p=1, dim=0).numpy(), rtol=1e-5)
    np.testing.assert_allclose(F.cosine_similarity(na, nb)._data, tf.cosine_similarity(ta, tb).numpy(), rtol=1e-5)
    np.testing.assert_allclose(F.pairwise_distance(na, nb)._data, tf.pairwise_distance(ta, tb).numpy(), rtol=1e-5)
    x = npgrad.tensor(a.astype(np.float64), requires_grad=True)
    assert gradcheck(lambda t: F.normalize(t), (x,))


def test_pad(torch, rng):
    x = rng.standard_normal((1, 2, 3)).astype(np.float32)
    np.testing.assert_array_equal(F.pad(npgrad.tensor(x), (1, 2))._data,
                                  torch.nn.functional.pad(torch.tensor(x), (1, 2)).numpy())


def test_functional_namespace_has_torch_names(torch):
    names = ["relu", "leaky_relu", "elu", "gelu", "silu", "softplus", "softmax", "log_softmax", "sigmoid", "tanh",
             "hardtanh", "threshold", "linear", "dropout", "dropout2d", "batch_norm", "layer_norm", "group_norm",
             "embedding", "one_hot", "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "huber_loss",
             "smooth_l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
             "hinge_embedding_loss", "multi_margin_loss", "soft_margin_loss", "normalize", "pad", "mish", "selu"]
    for n in names:
        assert hasattr(torch.nn.functional, n), n
        assert callable(getattr(F, n)), n
