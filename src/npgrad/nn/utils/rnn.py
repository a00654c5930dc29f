"""Variable-length sequences: ``pad_sequence`` and ``PackedSequence`` with its pack/pad functions.

A packed batch stores its sequences time-major with the padding left out: ``data`` holds, for each
time step ``t``, the ``batch_sizes[t]`` sequences still running, longest first.  Recurrent layers
take it as input and give their output packed the same way.

>>> import npgrad
>>> from npgrad.nn.utils.rnn import pack_sequence, pad_packed_sequence
>>> packed = pack_sequence([npgrad.tensor([1, 2, 3]), npgrad.tensor([4, 5])])
>>> packed.data, packed.batch_sizes
(tensor([1, 4, 2, 5, 3]), tensor([2, 2, 1]))
>>> pad_packed_sequence(packed, batch_first=True)
(tensor([[1, 2, 3],
        [4, 5, 0]]), tensor([3, 2]))
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ...ops.extrema import argsort
from ...ops.shape import cat, stack
from ...tensor import Tensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "pack_sequence",
           "unpad_sequence", "unpack_sequence", "invert_permutation"]


def _const(arr):
    return Tensor._make(np.asarray(arr, dtype=np.int64), None, False, None)


class PackedSequence(namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """Sequences of different lengths packed time-major, without padding (see the module's note)."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data):
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._with_data(data)

    def cpu(self):
        return self.to("cpu")

    def double(self):
        return self.to(dtype=np.float64)

    def float(self):
        return self.to(dtype=np.float32)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def lengths(self):
        """Each sequence's length, in the packed (longest-first) order."""
        bs = self.batch_sizes._data
        return (np.arange(int(bs[0]))[:, None] < bs[None, :]).sum(1)


def invert_permutation(permutation):
    if permutation is None:
        return None
    out = np.empty(len(permutation), dtype=np.int64)
    out[permutation._data] = np.arange(len(permutation))
    return _const(out)


def _lengths_array(lengths):
    arr = lengths._data if isinstance(lengths, Tensor) else np.asarray(lengths)
    return arr.astype(np.int64).reshape(-1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) of sequences of ``lengths``."""
    lens = _lengths_array(lengths)
    if enforce_sorted:
        if np.any(lens[:-1] < lens[1:]):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                               "sidestep this requirement if you do not need ONNX exportability.")
        sorted_indices = None
    else:
        sorted_indices = argsort(_const(lens), descending=True)
        lens = lens[sorted_indices._data]
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if lens.size and lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if batch_first:
        input = input.transpose(0, 1)
    if lens.size and lens[0] > input.shape[0]:
        raise RuntimeError(f"Expected sequence length to be at most {input.shape[0]}, but got {lens[0]}")
    batch_sizes = (np.arange(int(lens[0]) if lens.size else 0)[:, None] < lens[None, :]).sum(1)
    # time-major order: at step t, the first batch_sizes[t] sequences (the longest ones)
    t_idx = np.repeat(np.arange(len(batch_sizes)), batch_sizes)
    b_idx = np.concatenate([np.arange(n) for n in batch_sizes]) if batch_sizes.size else np.zeros(0, np.int64)
    return PackedSequence(input[_const(t_idx), _const(b_idx)], _const(batch_sizes), sorted_indices)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo :func:`pack_padded_sequence`: ``(padded, lengths)`` in the batch's original order."""
    data, bs = sequence.data, sequence.batch_sizes._data
    lens = sequence.lengths()
    steps = len(bs)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {steps}")
        steps = total_length
    n = int(bs[0])
    t_idx = np.repeat(np.arange(len(bs)), bs)
    b_idx = np.concatenate([np.arange(k) for k in bs])
    # the packed rows go to their (t, b) places of a padded block, through a differentiable index
    slots = np.full((steps, n), len(t_idx), dtype=np.int64)
    slots[t_idx, b_idx] = np.arange(len(t_idx))
    pad = data.new_full((1,) + tuple(data.shape[1:]), padding_value)
    padded = cat([data, pad], 0)[_const(slots)]
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lens = lens[sequence.unsorted_indices._data]
    return (padded.transpose(0, 1) if batch_first else padded), _const(lens)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shapes ``(L_i, *)`` into ``(max L, B, *)`` (``(B, max L, *)`` with ``batch_first``),
    filling with ``padding_value`` on the right (or the left)."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    longest = max(s.shape[0] for s in sequences)
    rows = []
    for s in sequences:
        extra = longest - s.shape[0]
        if extra:
            fill = s.new_full((extra,) + tuple(s.shape[1:]), padding_value)
            s = cat([s, fill] if padding_side == "right" else [fill, s], 0)
        rows.append(s)
    return stack(rows, 0 if batch_first else 1)


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of tensors ``(L_i, *)``: ``pack_padded_sequence(pad_sequence(sequences), lengths)``."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of unpadded sequences of a padded batch."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i, :int(n)] for i, n in enumerate(_lengths_array(lengths))]


def unpack_sequence(packed_sequences):
    """The list of sequences of a packed batch, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
