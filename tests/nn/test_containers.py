"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict."""
from collections import OrderedDict

import numpy as np
import pytest

import npgrad
import npgrad.nn as nn


def test_sequential_indexing_slicing_len_append():
    seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    assert len(seq) == 3 and isinstance(seq[1], nn.ReLU) and seq[-1] is seq[2]
    sub = seq[:2]
    assert isinstance(sub, nn.Sequential) and len(sub) == 2 and sub[0] is seq[0]
    assert sub(npgrad.randn(3, 4)).shape == (3, 8)
    seq.append(nn.Sigmoid())
    assert len(seq) == 4 and list(seq._modules) == ["0", "1", "2", "3"]
    out = seq(npgrad.randn(5, 4))
    assert out.shape == (5, 2) and bool(((out._data > 0) & (out._data < 1)).all())
    with pytest.raises(IndexError, match="index 9 is out of range"):
        seq[9]
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"] and isinstance(seq[1], nn.Linear)
    seq.insert(1, nn.Tanh())
    assert isinstance(seq[1], nn.Tanh) and len(seq) == 4
    assert [type(m).__name__ for m in seq] == ["Linear", "Tanh", "Linear", "Sigmoid"]
    seq[3] = nn.Identity()
    assert isinstance(seq[3], nn.Identity)
    assert len(seq + nn.Sequential(nn.ReLU())) == 5


def test_sequential_ordered_dict_names(torch):
    ours = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    theirs = torch.nn.Sequential(OrderedDict([("fc", torch.nn.Linear(2, 3)), ("act", torch.nn.ReLU())]))
    assert list(ours.state_dict()) == ["fc.weight", "fc.bias"]
    assert repr(ours) == repr(theirs)
    assert ours.fc is ours[0]


def test_module_list(torch):
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    ml.append(nn.ReLU())
    ml.extend([nn.Tanh()])
    assert len(ml) == 5 and isinstance(ml[-1], nn.Tanh)
    assert len(list(ml.parameters())) == 6
    assert [n for n, _ in ml.named_parameters()][:2] == ["0.weight", "0.bias"]
    theirs = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)] + [torch.nn.ReLU(), torch.nn.Tanh()])
    assert repr(ml) == repr(theirs)
    assert isinstance(ml[1:3], nn.ModuleList) and len(ml[1:3]) == 2
    with pytest.raises(NotImplementedError):
        ml(npgrad.ones(1))
    ml.insert(0, nn.Sigmoid())
    assert isinstance(ml[0], nn.Sigmoid) and len(ml) == 6
    del ml[0]
    assert isinstance(ml[0], nn.Linear)


def test_module_dict():
    md = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.ReLU()})
    md["c"] = nn.Linear(2, 1)
    assert list(md.keys()) == ["a", "b", "c"] and "b" in md and len(md) == 3
    assert [n for n, _ in md.named_parameters()] == ["a.weight", "a.bias", "c.weight", "c.bias"]
    assert md.pop("b").__class__ is nn.ReLU and list(md) == ["a", "c"]
    assert repr(nn.ModuleDict({"x": nn.ReLU()})) == "ModuleDict(\n  (x): ReLU()\n)"


def test_parameter_list_and_dict():
    pl = nn.ParameterList([nn.Parameter(npgrad.zeros(2)), npgrad.ones(3)])
    assert len(pl) == 2 and all(isinstance(p, nn.Parameter) for p in pl)
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    pd = nn.ParameterDict({"w": nn.Parameter(npgrad.zeros(2, 3))})
    assert list(dict(pd.named_parameters())) == ["w"] and pd["w"].shape == (2, 3)
    assert "[torch.FloatTensor of size 2x3]" in repr(pd)


def test_nested_containers_state_dict_round_trip():
    def make():
        return nn.Sequential(nn.ModuleDict({"enc": nn.ModuleList([nn.Linear(3, 3), nn.BatchNorm1d(3)])}))
    a, b = make(), make()
    b.load_state_dict(a.state_dict())
    assert "0.enc.1.running_mean" in a.state_dict()
    for k, v in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[k]._data, v._data)
