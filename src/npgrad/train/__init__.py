"""``npgrad.train``: a small, explicit training loop and what goes with it.

* :func:`fit` / :class:`Trainer` -- mini-batch, gradients, update, repeat; evaluation every epoch
* :class:`History` -- one record per epoch, to CSV and to a curves PNG
* :class:`EarlyStopping`, :class:`ModelCheckpoint` -- callbacks
* :func:`accuracy`, :func:`confusion_matrix`, :func:`per_class_accuracy` -- metrics
* :func:`build_model` / :func:`model_spec` -- the command line's MLP, CNN and linear classifiers

>>> import npgrad
>>> from npgrad.train import fit, build_model, model_spec
>>> from npgrad.utils.data import DataLoader, TensorDataset
>>> npgrad.manual_seed(0)  # doctest: +ELLIPSIS
<...>
>>> x = npgrad.randn(200, 2); y = ((x[:, 0] * x[:, 1]) > 0).long()
>>> model = build_model(model_spec("mlp", [2], 2))
>>> history = fit(model, DataLoader(TensorDataset(x, y), batch_size=20, shuffle=True), epochs=40,
...               lr=0.01, log=None, progress=False)
>>> history[-1]["train_acc"] > 0.9
True
"""
from .callbacks import Callback, EarlyStopping, ModelCheckpoint
from .checkpoint import load_checkpoint, save_checkpoint
from .history import History
from .loop import Trainer, collect_outputs, evaluate, fit
from .metrics import accuracy, confusion_matrix, format_confusion_matrix, per_class_accuracy, predictions
from .models import MODELS, build_model, describe, model_spec

__all__ = ["Callback", "EarlyStopping", "History", "MODELS", "ModelCheckpoint", "Trainer", "accuracy",
           "build_model", "collect_outputs", "confusion_matrix", "describe", "evaluate", "fit",
           "format_confusion_matrix", "load_checkpoint", "model_spec", "per_class_accuracy", "predictions",
           "save_checkpoint"]
