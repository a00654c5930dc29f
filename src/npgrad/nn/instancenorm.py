"""Instance normalisation (``InstanceNorm1d/2d/3d``, ``F.instance_norm``): each sample's channels are
normalised over their own spatial positions, as in style transfer networks.

As in PyTorch it is batch normalisation of the input seen as one sample of ``N * C`` channels; with
``track_running_stats`` the running statistics are the average over the batch of each sample's.

>>> import npgrad
>>> y = npgrad.nn.InstanceNorm2d(3)(npgrad.randn(2, 3, 4, 4))
>>> bool(y.mean(dim=(2, 3)).abs().max() < 1e-5)
True
"""
from __future__ import annotations

from ..autograd.grad_mode import no_grad
from .layer_functional import batch_norm
from .norm import _BatchNorm

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "instance_norm"]


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-05):
    """Normalise each (sample, channel) over its spatial positions, then scale/shift per channel."""
    n, c = input.shape[0], input.shape[1]
    if use_input_stats and input.numel() // (n * c) <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape!r}")
    rep = lambda t: None if t is None else t.repeat(n)  # noqa: E731
    rm, rv = rep(running_mean), rep(running_var)
    out = batch_norm(input.reshape(1, n * c, *input.shape[2:]), rm, rv, rep(weight), rep(bias),
                     training=use_input_stats, momentum=momentum, eps=eps)
    if use_input_stats:
        with no_grad():
            for running, per_sample in ((running_mean, rm), (running_var, rv)):
                if running is not None:
                    running.copy_(per_sample.view(n, c).mean(0))
    return out.reshape(input.shape)


class _InstanceNorm(_BatchNorm):
    _spatial = 1

    def __init__(self, num_features, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)

    def forward(self, input):
        want = self._spatial + 2
        if input.ndim not in (want - 1, want):
            raise ValueError(f"expected {want - 1}D or {want}D input (got {input.ndim}D input)")
        unbatched = input.ndim == want - 1
        x = input.unsqueeze(0) if unbatched else input
        if x.shape[1] != self.num_features and self.affine:
            raise ValueError(f"expected input's size at dim={1 - unbatched} to match num_features "
                             f"({self.num_features}), but got: {x.shape[1]}.")
        out = instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training or not self.track_running_stats, self.momentum or 0.0, self.eps)
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of ``(N, C, L)`` (or unbatched ``(C, L)``) inputs."""
    _spatial = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of ``(N, C, H, W)`` (or unbatched ``(C, H, W)``) inputs."""
    _spatial = 2


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of ``(N, C, D, H, W)`` (or unbatched ``(C, D, H, W)``) inputs."""
    _spatial = 3
