"""DistributedSampler: the partition, padding and drop_last of PyTorch's (compared index by index)."""
import pytest

from npgrad.utils.data import DataLoader, DistributedSampler, TensorDataset
import npgrad


@pytest.mark.parametrize("drop_last", [False, True])
def test_partitions_match_torch(drop_last):
    torch_data = pytest.importorskip("torch.utils.data.distributed", reason="compares against PyTorch")
    for n in (0, 1, 5, 10, 11, 17):
        for world in (1, 2, 3, 4, 7):
            for rank in range(world):
                want = torch_data.DistributedSampler(range(n), world, rank, shuffle=False, drop_last=drop_last)
                got = DistributedSampler(range(n), world, rank, shuffle=False, drop_last=drop_last)
                assert list(got) == list(want), (n, world, rank)
                assert len(got) == len(want) and got.total_size == want.total_size


def test_shuffle_is_shared_across_ranks_and_changes_with_epoch():
    parts = [DistributedSampler(range(10), 3, r, shuffle=True, seed=5) for r in range(3)]
    first = [list(s) for s in parts]
    flat = sorted(i for p in first for i in p)
    assert set(flat) == set(range(10)) and len(flat) == 12          # 2 padded repeats
    assert [list(s) for s in parts] == first                        # same epoch: same order
    for s in parts:
        s.set_epoch(1)
    assert [list(s) for s in parts] != first
    assert [list(DistributedSampler(range(10), 3, r, seed=5)) for r in range(3)] == first


def test_drop_last_gives_disjoint_equal_shares():
    shares = [list(DistributedSampler(range(11), 3, r, seed=1, drop_last=True)) for r in range(3)]
    assert [len(s) for s in shares] == [3, 3, 3]
    flat = [i for s in shares for i in s]
    assert len(set(flat)) == 9


def test_with_dataloader():
    ds = TensorDataset(npgrad.arange(10))
    loader = DataLoader(ds, batch_size=2, sampler=DistributedSampler(ds, 2, 1, shuffle=False))
    assert [b[0].tolist() for b in loader] == [[1, 3], [5, 7], [9]]


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="num_replicas must be a positive integer, got 0"):
        DistributedSampler(range(4), num_replicas=0, rank=0)
    with pytest.raises(ValueError, match="init_process_group"):     # defaults come from the process group
        DistributedSampler(range(4))
