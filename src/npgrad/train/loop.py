"""The training loop: the notes' four steps, written out.

    1. mini-batch  take a random batch of training examples (the DataLoader shuffles every epoch)
    2. gradients   forward pass, loss, ``loss.backward()``
    3. update      ``optimizer.step()`` moves every parameter against its gradient
    4. repeat      over all batches (one epoch), then over epochs

The training loss and accuracy of an epoch are the averages over its batches, as they were computed
during training.  After each epoch the model is evaluated on the test data (``model.eval()`` under
``npgrad.no_grad()``), one record goes into a :class:`History`, and the callbacks run.
"""
from __future__ import annotations

import math
import sys
import time

import numpy as np

import npgrad
from .._backend import to_numpy
from .history import History
from .metrics import accuracy

__all__ = ["Trainer", "fit", "evaluate", "collect_outputs"]


class Trainer:
    """Train ``model`` with ``optimizer`` on mini-batches; evaluate every epoch.

    ``loss_fn`` defaults to ``nn.CrossEntropyLoss()``.  ``metric(output, target)`` returns the fraction
    correct of one batch (default: :func:`~npgrad.train.metrics.accuracy`; ``None`` for regression).
    ``scheduler`` is stepped once per epoch (``ReduceLROnPlateau`` gets the test loss).
    ``seed`` reseeds ``npgrad.manual_seed`` when :meth:`fit` starts, so shuffling and dropout repeat exactly.
    ``log`` receives each line of the per-epoch table (``None``: silent); ``progress`` shows a tqdm bar
    when tqdm is installed.  Batches go to ``device`` (default: the device of the model's parameters,
    so a model moved with ``model.to("cuda")`` trains on the GPU from a DataLoader of CPU tensors).
    ``eval_loss_fn`` is the loss reported on the test data (default: ``loss_fn``; e.g. plain
    cross-entropy when training with label smoothing).  A batch whose loss is not finite
    (nan or inf: the training diverged) stops the training; ``trainer.diverged`` then says where.

    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.utils.data import DataLoader, TensorDataset
    >>> npgrad.manual_seed(0)  # doctest: +ELLIPSIS
    <...>
    >>> x = npgrad.randn(64, 2); y = (x[:, 0] > 0).long()
    >>> model = nn.Linear(2, 2)
    >>> trainer = Trainer(model, npgrad.optim.SGD(model.parameters(), lr=0.5), log=None, progress=False)
    >>> history = trainer.fit(DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True), epochs=5)
    >>> history[-1]["train_acc"] > 0.9
    True
    """

    def __init__(self, model, optimizer, loss_fn=None, *, metric=accuracy, scheduler=None, callbacks=(),
                 seed=None, log=print, progress=True, eval_loss_fn=None, device=None):
        self.model, self.optimizer = model, optimizer
        self.device = None if device is None else npgrad.device(device)
        self.loss_fn = loss_fn if loss_fn is not None else npgrad.nn.CrossEntropyLoss()
        self.eval_loss_fn = eval_loss_fn if eval_loss_fn is not None else self.loss_fn
        self.diverged = None
        self.metric, self.scheduler, self.callbacks = metric, scheduler, list(callbacks)
        self.seed, self.log, self.progress = seed, log, progress
        self.stop_training = False
        self.history = History()

    # ----------------------------------------------------------------------------------------------
    def fit(self, train_loader, test_loader=None, epochs=10):
        """Run up to ``epochs`` epochs (callbacks may stop earlier); returns the :class:`History`."""
        if int(epochs) != epochs or epochs < 0:
            raise ValueError(f"Trainer.fit: epochs must be a non-negative integer, got {epochs!r}")
        if self.seed is not None:
            npgrad.manual_seed(self.seed)
        self.history, self.stop_training, self.diverged = History(), False, None
        for cb in self.callbacks:
            cb.on_train_begin(self)
        self._print_header(test_loader is not None)
        for epoch in range(1, int(epochs) + 1):                      # step 4: repeat, epoch after epoch
            start = time.perf_counter()
            lr = float(self.optimizer.param_groups[0]["lr"])              # the rate this epoch trains with
            train = self.train_epoch(train_loader, epoch, epochs)
            record = {"epoch": epoch, "train_loss": train["loss"], "train_acc": train["acc"]}
            if test_loader is not None and self.diverged is None:
                test = self.evaluate(test_loader)
                record.update(test_loss=test["loss"], test_acc=test["acc"])
            if self.diverged is None:
                self._step_scheduler(record)
            record["lr"] = lr
            record["time"] = time.perf_counter() - start
            self.history.append(record)
            self._print_row(record)
            if self.diverged is not None:       # nothing for the callbacks to judge or save
                break
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, record)
            if self.stop_training:
                break
        for cb in self.callbacks:
            cb.on_train_end(self)
        return self.history

    def train_epoch(self, loader, epoch=1, epochs=1):
        """One pass over ``loader`` updating the weights; returns ``{"loss", "acc", "samples"}``.

        The loss and accuracy are averages over the epoch of the running (training-mode) values.
        """
        self.model.train()
        total_loss, total_correct, seen = 0.0, 0.0, 0
        bar = _progress_bar(self.progress, loader, f"epoch {epoch}/{epochs}")
        device = _device(self.model, self.device)
        for inputs, targets in loader:                               # step 1: a mini-batch
            inputs, targets = _to(inputs, device), _to(targets, device)
            output = self.model(inputs)
            loss = self.loss_fn(output, targets)
            self.optimizer.zero_grad()
            loss.backward()                                          # step 2: gradients
            self.optimizer.step()                                    # step 3: update the weights
            # Summaries are Python floats: adding up `loss` tensors would keep every batch's graph alive.
            n = len(targets)
            value = loss.item()
            if not math.isfinite(value):
                self._stop_diverged(value, epoch, seen // max(n, 1) + 1)
                total_loss, seen = value * n, seen + n
                break
            total_loss += value * n
            if self.metric is not None:
                total_correct += self.metric(output, targets) * n
            seen += n
            if bar is not None:
                bar.update(n)
                bar.set_postfix_str(f"loss {total_loss / seen:.4f}" + (f" acc {total_correct / seen:.4f}"
                                    if self.metric is not None else ""), refresh=False)
        if bar is not None:
            bar.refresh()  # the epoch's final numbers, even when it ended within tqdm's refresh interval
            bar.close()
        return _summary(total_loss, total_correct, seen, self.metric)

    def evaluate(self, loader):
        """Loss (``eval_loss_fn``) and accuracy over ``loader`` in eval mode without recording a graph."""
        return evaluate(self.model, loader, self.eval_loss_fn, self.metric, device=self.device)

    def _stop_diverged(self, value, epoch, batch):
        lr = self.optimizer.param_groups[0]["lr"]
        self.diverged = (f"diverged: the loss became {value} at epoch {epoch}, batch {batch} (lr {lr:g}); "
                         f"try a smaller learning rate")
        self.stop_training = True
        if self.log is not None:
            self.log(self.diverged)

    # ----------------------------------------------------------------------------------------------
    def _step_scheduler(self, record):
        if self.scheduler is None:
            return
        plateau = getattr(npgrad.optim.lr_scheduler, "ReduceLROnPlateau", ())
        if isinstance(self.scheduler, plateau) or type(self.scheduler).__name__ == "ReduceLROnPlateau":
            self.scheduler.step(record.get("test_loss", record["train_loss"]))
        else:
            self.scheduler.step()

    def _print_header(self, with_test):
        if self.log is None:
            return
        cols = ["epoch", "train_loss", "train_acc"] + (["test_loss", "test_acc"] if with_test else []) + ["time"]
        self.log("  ".join(f"{c:>10}" for c in cols))

    def _print_row(self, record):
        if self.log is None:
            return
        cells = [f"{record['epoch']:>10d}"]
        for key in ("train_loss", "train_acc", "test_loss", "test_acc"):
            if key in record:
                cells.append(_cell(record[key]))
            elif key.startswith("test") and self.diverged is not None:
                cells.append(f"{'-':>10}")
        cells.append(f"{record['time']:>9.2f}s")
        self.log("  ".join(cells))


def fit(model, train_loader, test_loader=None, *, epochs=10, optimizer=None, lr=1e-3, loss_fn=None,
        metric=accuracy, scheduler=None, callbacks=(), seed=None, log=print, progress=True, device=None):
    """Train ``model`` and return its :class:`History` (a one-call form of :class:`Trainer`).

    ``optimizer`` defaults to ``npgrad.optim.Adam(model.parameters(), lr=lr)``.

    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.utils.data import DataLoader, TensorDataset
    >>> x = npgrad.randn(64, 2); y = (x[:, 1] > 0).long()
    >>> history = fit(nn.Linear(2, 2), DataLoader(TensorDataset(x, y), batch_size=16), epochs=3, lr=0.1,
    ...               log=None, progress=False)
    >>> len(history)
    3
    """
    if optimizer is None:
        optimizer = npgrad.optim.Adam(model.parameters(), lr=lr)
    trainer = Trainer(model, optimizer, loss_fn, metric=metric, scheduler=scheduler, callbacks=callbacks,
                      seed=seed, log=log, progress=progress, device=device)
    return trainer.fit(train_loader, test_loader, epochs=epochs)


def evaluate(model, loader, loss_fn=None, metric=accuracy, device=None):
    """Average loss and accuracy of ``model`` over ``loader`` (``model.eval()``, ``npgrad.no_grad()``).
    Batches go to ``device`` (default: the device of the model's parameters).

    The model's previous train/eval mode is restored afterwards.
    """
    loss_fn = loss_fn if loss_fn is not None else npgrad.nn.CrossEntropyLoss()
    was_training = model.training
    model.eval()
    total_loss, total_correct, seen = 0.0, 0.0, 0
    device = _device(model, device)
    try:
        with npgrad.no_grad():
            for inputs, targets in loader:
                inputs, targets = _to(inputs, device), _to(targets, device)
                output = model(inputs)
                n = len(targets)
                total_loss += loss_fn(output, targets).item() * n
                if metric is not None:
                    total_correct += metric(output, targets) * n
                seen += n
    finally:
        model.train(was_training)
    return _summary(total_loss, total_correct, seen, metric)


def collect_outputs(model, loader):
    """All of ``model``'s outputs and the targets over ``loader``, as NumPy arrays ``(outputs, targets)``.

    Used for confusion matrices and per-class accuracy: ``predictions(outputs)`` gives the classes.
    """
    was_training = model.training
    model.eval()
    outs, tgts = [], []
    device = _device(model, None)
    try:
        with npgrad.no_grad():
            for inputs, targets in loader:
                outs.append(to_numpy(model(_to(inputs, device))._data))
                tgts.append(to_numpy(targets._data) if isinstance(targets, npgrad.Tensor) else np.asarray(targets))
    finally:
        model.train(was_training)
    return np.concatenate(outs), np.concatenate(tgts)


def _device(model, device):
    """Where batches go: ``device``, else the device of the model's first parameter (None: leave them)."""
    if device is not None:
        return npgrad.device(device)
    for p in model.parameters():
        return p.device
    return None


def _to(batch, device):
    """A batch (a tensor, or a list/tuple/dict of them) on ``device``."""
    if device is None:
        return batch
    if isinstance(batch, npgrad.Tensor):
        return batch if batch.device == device else batch.to(device)
    if isinstance(batch, (list, tuple)):
        return type(batch)(_to(b, device) for b in batch)
    if isinstance(batch, dict):
        return {k: _to(v, device) for k, v in batch.items()}
    return batch


def _cell(value):
    """A table cell 10 wide: 4 decimals, or 4 significant digits for huge (diverging) values."""
    return f"{value:>10.4f}" if abs(value) < 1e5 else f"{value:>10.4g}"


def _summary(total_loss, total_correct, seen, metric):
    if seen == 0:
        raise ValueError("the data loader produced no batches (is the dataset empty, or drop_last too strict?)")
    acc = total_correct / seen if metric is not None else float("nan")
    return {"loss": total_loss / seen, "acc": acc, "samples": seen}


def _progress_bar(enabled, loader, desc):
    """A tqdm bar counting samples (its rate is samples/s), or None when disabled or tqdm is missing."""
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    try:
        total = len(loader.dataset)
    except (AttributeError, TypeError):
        total = None
    # numbers first, bar last to shrink: loss and accuracy stay readable in an 80-column terminal
    # (rate: samples per second)
    return tqdm(total=total, desc=desc, unit="", unit_scale=True, leave=False, file=sys.stderr,
                dynamic_ncols=True, bar_format="{desc} {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
                                               "[{remaining} left, {rate_fmt}{postfix}]")

