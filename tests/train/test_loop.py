"""The training loop: learning happens, history, callbacks, checkpoints, seeds, and no stale graphs."""
import gc
import weakref

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.train import EarlyStopping, ModelCheckpoint, Trainer, evaluate, fit, load_checkpoint
from npgrad.utils.data import DataLoader, TensorDataset


def _blobs(n=240, seed=0):
    """Three well separated Gaussian blobs in 2-D (float32 inputs, int64 labels)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    centres = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]], np.float32)
    x = centres[y] + rng.normal(scale=0.6, size=(n, 2)).astype(np.float32)
    return npgrad.from_numpy(x), npgrad.from_numpy(y.astype(np.int64))


def _loaders(batch_size=16):
    x, y = _blobs()
    train = DataLoader(TensorDataset(x[:180], y[:180]), batch_size=batch_size, shuffle=True)
    test = DataLoader(TensorDataset(x[180:], y[180:]), batch_size=64)
    return train, test


def _model():
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))


def _run(seed, epochs=5, **kw):
    npgrad.manual_seed(seed)
    model = _model()
    train, test = _loaders()
    opt = npgrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    kw = {"log": None, "progress": False, **kw}
    trainer = Trainer(model, opt, seed=seed, **kw)
    return model, trainer.fit(train, test, epochs=epochs)


def _without_time(history):
    return [{k: v for k, v in r.items() if k != "time"} for r in history]


def test_fit_learns_and_records_every_epoch():
    model, history = _run(0, epochs=6)
    assert len(history) == 6
    assert history["epoch"] == [1, 2, 3, 4, 5, 6]
    assert history.columns[:5] == ["epoch", "train_loss", "train_acc", "test_loss", "test_acc"]
    assert history["train_loss"][-1] < history["train_loss"][0] * 0.5
    assert history[-1]["test_acc"] > 0.9
    assert all(isinstance(v, float) for v in history["test_loss"])
    # the recorded test numbers are what a fresh evaluation of the final model gives
    _, test = _loaders()
    again = evaluate(model, test)
    assert again["loss"] == pytest.approx(history[-1]["test_loss"], rel=1e-6)
    assert again["acc"] == history[-1]["test_acc"]


def test_fit_function_default_optimizer_and_table(capsys):
    npgrad.manual_seed(1)
    train, test = _loaders()
    history = fit(_model(), train, test, epochs=3, lr=0.05, progress=False)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split() == ["epoch", "train_loss", "train_acc", "test_loss", "test_acc", "time"]
    assert len(lines) == 4 and lines[-1].split()[0] == "3"
    assert len(history) == 3


class _Spy(nn.Module):
    """Records (training mode, grad enabled) at every forward."""

    def __init__(self, log):
        super().__init__()
        self.net, self.log = _model(), log

    def forward(self, x):
        self.log.append((self.training, npgrad.is_grad_enabled()))
        return self.net(x)


def test_training_runs_in_train_mode_and_evaluation_in_eval_mode_under_no_grad():
    log = []
    model = _Spy(log)
    train, test = _loaders()
    trainer = Trainer(model, npgrad.optim.SGD(model.parameters(), lr=0.1), log=None, progress=False)
    trainer.fit(train, test, epochs=1)
    assert log[:len(train)] == [(True, True)] * len(train)
    assert log[len(train):] == [(False, False)] * len(test)


def test_evaluation_runs_in_eval_mode_without_graph_and_restores_mode():
    seen = []

    class Spy(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = _model()

        def forward(self, x):
            out = self.net(x)
            seen.append((self.training, npgrad.is_grad_enabled(), out.grad_fn is None))
            return out

    model = Spy()
    _, test = _loaders()
    model.train()
    evaluate(model, test)
    assert seen and all(s == (False, False, True) for s in seen)
    assert model.training


def test_same_seed_same_history_different_seed_different_history():
    _, h1 = _run(7)
    _, h2 = _run(7)
    _, h3 = _run(8)
    assert _without_time(h1) == _without_time(h2)
    assert _without_time(h1) != _without_time(h3)


def test_early_stopping_stops_after_patience_epochs_without_improvement():
    npgrad.manual_seed(0)
    model = _model()
    train, test = _loaders()
    stopper = EarlyStopping(monitor="test_loss", patience=2)
    # lr=0: the weights never change, so the test loss never improves after epoch 1
    trainer = Trainer(model, npgrad.optim.SGD(model.parameters(), lr=0.0), callbacks=[stopper], log=None,
                      progress=False)
    history = trainer.fit(train, test, epochs=20)
    assert len(history) == 3 and stopper.stopped_epoch == 3 and stopper.best_epoch == 1


def test_early_stopping_does_not_stop_while_improving():
    stopper = EarlyStopping(monitor="train_loss", patience=2)
    _, history = _run(0, epochs=6, callbacks=[stopper])
    assert len(history) == 6 and stopper.stopped_epoch is None


def test_early_stopping_restores_best_weights():
    stopper = EarlyStopping(monitor="test_acc", patience=1, min_delta=2.0, restore_best_weights=True)
    model, history = _run(0, epochs=10, callbacks=[stopper])
    # min_delta=2 means nothing after epoch 1 counts as better: the epoch-1 weights come back
    assert len(history) == 2 and stopper.best_epoch == 1
    _, test = _loaders()
    assert evaluate(model, test)["acc"] == history[0]["test_acc"]


def test_best_checkpoint_is_written_and_reloads(tmp_path):
    path = tmp_path / "best.safetensors"
    ckpt = ModelCheckpoint(str(path), monitor="test_loss", metadata={"model": "blobs-mlp"})
    model, history = _run(0, epochs=6, callbacks=[ckpt])
    best = history.best("test_loss", mode="min")
    assert ckpt.best_epoch == best["epoch"] and ckpt.saved_epochs[-1] == best["epoch"]
    state, meta = load_checkpoint(str(path))
    assert meta["model"] == "blobs-mlp" and meta["epoch"] == best["epoch"]
    assert meta["test_loss"] == pytest.approx(best["test_loss"])
    fresh = _model()
    fresh.load_state_dict(state)
    _, test = _loaders()
    assert evaluate(fresh, test)["loss"] == pytest.approx(best["test_loss"], rel=1e-6)


def test_checkpoint_every_epoch_when_not_best_only(tmp_path):
    ckpt = ModelCheckpoint(str(tmp_path / "last.safetensors"), monitor="test_acc", save_best_only=False)
    _run(0, epochs=4, callbacks=[ckpt])
    assert ckpt.saved_epochs == [1, 2, 3, 4]
    assert load_checkpoint(str(tmp_path / "last.safetensors"))[1]["epoch"] == 4


def test_unknown_monitored_metric_is_named():
    with pytest.raises(KeyError, match="test_f1"):
        _run(0, epochs=1, callbacks=[EarlyStopping(monitor="test_f1")])


def test_scheduler_steps_once_per_epoch_and_lr_is_recorded():
    npgrad.manual_seed(0)
    model = _model()
    train, test = _loaders()
    opt = npgrad.optim.SGD(model.parameters(), lr=0.1)
    sched = npgrad.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    history = Trainer(model, opt, scheduler=sched, log=None, progress=False).fit(train, test, epochs=3)
    assert history["lr"] == pytest.approx([0.1, 0.05, 0.025])      # the rate each epoch trained with
    assert opt.param_groups[0]["lr"] == pytest.approx(0.0125)


def test_reduce_on_plateau_receives_the_test_loss():
    seen = []

    class Plateau(npgrad.optim.lr_scheduler.ReduceLROnPlateau):
        def step(self, metrics, *args, **kwargs):
            seen.append(metrics)
            return super().step(metrics, *args, **kwargs)

    npgrad.manual_seed(0)
    model = _model()
    train, test = _loaders()
    opt = npgrad.optim.SGD(model.parameters(), lr=0.0)
    history = Trainer(model, opt, scheduler=Plateau(opt, patience=0), log=None, progress=False).fit(
        train, test, epochs=3)
    assert seen == history["test_loss"]


def test_bad_epochs_and_empty_loader():
    npgrad.manual_seed(0)
    model = _model()
    trainer = Trainer(model, npgrad.optim.SGD(model.parameters(), lr=0.1), log=None, progress=False)
    with pytest.raises(ValueError, match="epochs"):
        trainer.fit([], epochs=-1)
    with pytest.raises(ValueError, match="no batches"):
        trainer.fit([], epochs=1)


def test_progress_bar_shows_samples_per_second_and_falls_back_without_tqdm(capsys, monkeypatch):
    import sys
    pytest.importorskip("tqdm")
    _run(0, epochs=1, progress=True)
    err = capsys.readouterr().err
    assert "/s, loss " in err and " acc " in err and " left" in err
    monkeypatch.setitem(sys.modules, "tqdm", None)  # as if tqdm were not installed
    _, history = _run(0, epochs=1, progress=True)
    assert len(history) == 1 and capsys.readouterr().err == ""


# -- the stale-graph trap ---------------------------------------------------------------------------
def _recording_loss(refs):
    ce = nn.CrossEntropyLoss()

    def loss_fn(output, target):
        loss = ce(output, target)
        if loss.grad_fn is not None:
            refs.append(weakref.ref(loss.grad_fn))
        return loss
    return loss_fn


def test_training_keeps_no_graph_alive():
    refs = []
    npgrad.manual_seed(0)
    model = _model()
    train, test = _loaders()
    trainer = Trainer(model, npgrad.optim.SGD(model.parameters(), lr=0.1), _recording_loss(refs), log=None,
                      progress=False)
    history = trainer.fit(train, test, epochs=2)
    gc.collect()
    assert len(refs) == 2 * len(train)
    assert sum(r() is not None for r in refs) == 0
    assert all(isinstance(v, (int, float)) for r in history for v in r.values())


def test_accumulating_loss_tensors_would_keep_every_graph_alive():
    """The trap the loop avoids (shows the check above can fail): ``total += loss`` chains all graphs."""
    refs = []
    npgrad.manual_seed(0)
    model = _model()
    train, _ = _loaders()
    opt = npgrad.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = _recording_loss(refs)
    total = 0.0
    for x, y in train:
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total = total + loss          # a tensor: it remembers how it was computed, batch after batch
    gc.collect()
    assert sum(r() is not None for r in refs) == len(train)
    del total, loss
    gc.collect()
    assert sum(r() is not None for r in refs) == 0


def test_history_rejects_tensors():
    from npgrad.train import History
    with pytest.raises(TypeError, match="item"):
        History().append({"loss": npgrad.tensor(1.0)})


def test_early_stopping_says_why_it_stopped():
    npgrad.manual_seed(0)
    model = _model()
    train, test = _loaders()
    lines = []
    stopper = EarlyStopping(monitor="test_loss", patience=2)
    Trainer(model, npgrad.optim.SGD(model.parameters(), lr=0.0), callbacks=[stopper], log=lines.append,
            progress=False).fit(train, test, epochs=20)
    assert lines[-1].startswith("early stopping after epoch 3: test_loss has not improved for 2 epochs")
    assert "at epoch 1" in lines[-1]


def test_eval_loss_fn_reports_plain_loss_while_training_with_smoothing():
    npgrad.manual_seed(0)
    model = _model()
    train, test = _loaders()
    trainer = Trainer(model, npgrad.optim.SGD(model.parameters(), lr=0.0), nn.CrossEntropyLoss(label_smoothing=0.3),
                      eval_loss_fn=nn.CrossEntropyLoss(), log=None, progress=False)
    history = trainer.fit(train, test, epochs=1)
    plain = evaluate(model, test, nn.CrossEntropyLoss())["loss"]
    smoothed = evaluate(model, test, nn.CrossEntropyLoss(label_smoothing=0.3))["loss"]
    assert history[-1]["test_loss"] == pytest.approx(plain) and plain != pytest.approx(smoothed)


def test_a_diverging_run_stops_at_the_first_non_finite_loss():
    npgrad.manual_seed(0)
    model = _model()
    train, test = _loaders()
    lines = []
    saved = []

    class Spy(ModelCheckpoint):
        def on_epoch_end(self, trainer, epoch, logs):
            saved.append(epoch)

    trainer = Trainer(model, npgrad.optim.SGD(model.parameters(), lr=1e30), callbacks=[Spy("unused")],
                      log=lines.append, progress=False)
    with np.errstate(all="ignore"):
        history = trainer.fit(train, test, epochs=5)
    assert trainer.diverged is not None and trainer.diverged.startswith("diverged: the loss became")
    assert len(history) == 1 and not np.isfinite(history[0]["train_loss"]) and "test_loss" not in history[0]
    assert saved == [] and any(line.startswith("diverged:") for line in lines)
    assert all(len(line) <= 100 for line in lines)
