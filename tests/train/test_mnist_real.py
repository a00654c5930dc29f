"""Real handwritten digits: train on the first 8,000 images of MNIST's test split, test on the other 2,000."""
import os

import numpy as np
import pytest

import npgrad
from npgrad.train import ModelCheckpoint, build_model, fit, load_checkpoint, model_spec
from npgrad.utils.data import DataLoader, TensorDataset

from tests.sample_data import mnist_t10k


@pytest.mark.slow
def test_mlp_reaches_95_percent_on_held_out_real_mnist(tmp_path):
    from npgrad.datasets import MNIST
    ds = MNIST(mnist_t10k(), train=False)                                   # the IDX reader, magic numbers checked
    assert len(ds) == 10000
    images = np.divide(ds.data._data[:, None], 255.0, dtype=np.float32)
    labels = ds.targets._data
    mean, std = images[:8000].mean(), images[:8000].std()
    x = npgrad.from_numpy((images - mean) / std)
    y = npgrad.from_numpy(labels)
    train = DataLoader(TensorDataset(x[:8000], y[:8000]), batch_size=64, shuffle=True)
    test = DataLoader(TensorDataset(x[8000:], y[8000:]), batch_size=1000)

    npgrad.manual_seed(0)
    model = build_model(model_spec("mlp", (1, 28, 28), 10))       # 784-256-128-10
    epochs = 8
    opt = npgrad.optim.Adam(model.parameters(), lr=1e-3)
    sched = npgrad.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    ckpt = ModelCheckpoint(str(tmp_path / "best.safetensors"), monitor="test_acc")
    history = fit(model, train, test, epochs=epochs, optimizer=opt, scheduler=sched, callbacks=[ckpt],
                  log=None, progress=False)

    assert history[-1]["test_acc"] >= 0.95, history["test_acc"]
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    _, meta = load_checkpoint(str(tmp_path / "best.safetensors"))
    assert meta["test_acc"] == max(history["test_acc"])
