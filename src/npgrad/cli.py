"""The ``npgrad`` command: train, evaluate and use small classifiers; run the course labs.

    npgrad train                                  # MLP on the bundled 8x8 digits, offline, seconds
    npgrad train --dataset fashion-mnist --model cnn --epochs 10
    npgrad evaluate runs/digits-mlp-<time>/model.safetensors
    npgrad predict runs/digits-mlp-<time>/model.safetensors my_digit.png
    npgrad export runs/digits-mlp-<time>/model.safetensors model.onnx
    npgrad lab [NAME] [--out DIR]
    npgrad playground [--port N] [--no-browser]   # the interactive playground in the browser

A bad argument (unknown dataset, negative epochs, unreadable image, checkpoint of another model ...)
prints one line to stderr and exits with status 2.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

import npgrad
from npgrad import _argtypes, _optional

__all__ = ["main", "build_parser"]

EPOCHS = {"digits": 30, "mnist": 10, "fashion-mnist": 10, "moons": 100, "circles": 100, "xor": 100, "spirals": 200}
# name -> (default learning rate, constructor); weight decay is passed only when given.
OPTIMIZERS = {
    "sgd": (0.1, lambda params, lr, **kw: npgrad.optim.SGD(params, lr=lr, **kw)),
    "momentum": (0.05, lambda params, lr, **kw: npgrad.optim.SGD(params, lr=lr, momentum=0.9, **kw)),
    "adam": (0.002, lambda params, lr, **kw: npgrad.optim.Adam(params, lr=lr, **kw)),
    "adamw": (0.002, lambda params, lr, **kw: npgrad.optim.AdamW(params, lr=lr, **kw)),
    "rmsprop": (0.001, lambda params, lr, **kw: npgrad.optim.RMSprop(params, lr=lr, **kw)),
    "adagrad": (0.01, lambda params, lr, **kw: npgrad.optim.Adagrad(params, lr=lr, **kw)),
}
# Blank border around the digit, as a fraction of the side: MNIST centres digits in 20x20 of 28x28.
IMAGE_MARGIN = {"mnist": 4 / 28}
CHECKPOINT_FORMAT = "npgrad-train/1"


class CLIError(Exception):
    """A user error: reported as one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise CLIError(f"{self.prog}: error: {message}")


# -- argument types ------------------------------------------------------------------------------
_positive_int = _argtypes.positive_int
_hidden = _argtypes.sizes("256,128")


def _float(low, inclusive):
    return _argtypes.number(low, inclusive)


def build_parser():
    """The argparse parser of the ``npgrad`` command (``lab`` is dispatched before parsing)."""
    from .train.data import DATASETS
    from .train.models import MODELS
    parser = _Parser(prog="npgrad", description="Train, evaluate and use small networks with npgrad; "
                                                "run the course labs.")
    parser.add_argument("--version", action="version", version=f"npgrad {npgrad.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    train = sub.add_parser("train", help="train a model and save metrics, curves and a checkpoint",
                           description="Train a classifier; with no options: an MLP on the bundled 8x8 digits.")
    train.add_argument("--dataset", choices=DATASETS, default="digits", help="default: digits (offline)")
    train.add_argument("--model", choices=MODELS, default="mlp", help="default: mlp")
    train.add_argument("--hidden", type=_hidden, default=None, metavar="SIZES",
                       help="MLP hidden sizes, e.g. 256,128 (default: 256,128 for images, 32,32 for 2-D points)")
    train.add_argument("--epochs", type=_positive_int, default=None,
                       help="default: " + ", ".join(f"{k} {v}" for k, v in EPOCHS.items()))
    train.add_argument("--batch-size", type=_positive_int, default=32, help="default: 32")
    train.add_argument("--optimizer", choices=list(OPTIMIZERS), default="adam", help="default: adam")
    train.add_argument("--lr", type=_float(0.0, False), default=None,
                       help="learning rate (default: " + ", ".join(f"{k} {v[0]:g}" for k, v in OPTIMIZERS.items())
                       + ")")
    train.add_argument("--weight-decay", type=_float(0.0, True), default=None,
                       help="L2 penalty (decoupled for adamw); default: the optimizer's own")
    train.add_argument("--schedule", choices=("cosine", "constant"), default="cosine",
                       help="learning-rate schedule over the epochs (default: cosine)")
    train.add_argument("--label-smoothing", type=_float(0.0, True), default=0.1,
                       help="cross-entropy label smoothing in [0, 1) (default: 0.1)")
    train.add_argument("--patience", type=_positive_int, default=None,
                       help="stop early when the test loss has not improved for this many epochs")
    train.add_argument("--seed", type=int, default=0, help="seeds weights, shuffling and dropout (default: 0)")
    train.add_argument("--out", default=None, metavar="DIR",
                       help="output folder (default: runs/<dataset>-<model>-<time>)")
    train.add_argument("--nproc", type=_positive_int, default=1, metavar="N",
                       help="data-parallel training on N processes (MPI ranks via mpiexec; --batch-size stays the "
                            'global batch; needs pip install "npgrad[dist]"); default: 1')
    _device_option(train)
    _data_options(train)

    evaluate = sub.add_parser("evaluate", help="accuracy, per-class accuracy and confusion matrix of a checkpoint",
                              description="Evaluate a checkpoint written by 'npgrad train' on a test split.")
    evaluate.add_argument("checkpoint", help="a checkpoint file, or the run folder 'npgrad train' wrote")
    evaluate.add_argument("--dataset", choices=DATASETS, default=None,
                          help="default: the dataset the checkpoint was trained on")
    evaluate.add_argument("--model", choices=MODELS, default=None,
                          help="insist that the checkpoint holds this kind of model")
    _device_option(evaluate)
    _data_options(evaluate, training=False)

    predict = sub.add_parser("predict", help="top-3 classes of a picture (a digit, a piece of clothing, ...)",
                             description="Classify one picture (PNG or JPEG, any size) with a checkpoint of "
                                         "'npgrad train'; a dark object on a light background is inverted "
                                         "automatically to MNIST's light-on-dark convention.")
    predict.add_argument("checkpoint", help="a checkpoint file, or the run folder 'npgrad train' wrote")
    predict.add_argument("image")
    predict.add_argument("--model", choices=MODELS, default=None,
                         help="insist that the checkpoint holds this kind of model")
    _threads_option(predict)

    export = sub.add_parser("export", help="write a checkpoint's model as ONNX (needs the onnx package)",
                            description="Export a checkpoint written by 'npgrad train' to ONNX, with a dynamic "
                                        "batch axis: input 'input' (batch, *input_shape) -> output 'logits'.")
    export.add_argument("checkpoint", help="a checkpoint of 'npgrad train', or its run folder")
    export.add_argument("output", help="the .onnx file to write")
    export.add_argument("--opset", type=_positive_int, default=None, help="ONNX opset version (default 18)")

    sub.add_parser("lab", help="list the course labs, or run one: npgrad lab [NAME] [--out DIR]", add_help=False)

    play = sub.add_parser("playground", help="train networks interactively in the browser (local web page)",
                          description="Serve the npgrad playground on 127.0.0.1 and open it in the browser.")
    play.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one, printed)")
    play.add_argument("--no-browser", action="store_true", help="only print the address")
    return parser


def _device_option(p):
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                   help='where the model runs: cuda is a GPU through CuPy (pip install "npgrad[cuda]"); '
                        "default: auto (cuda when available, else cpu)")


def _device(command, args):
    """The device of --device (auto: cuda when available); cuda without a GPU is an error."""
    choice = getattr(args, "device", "cpu")
    if choice == "auto":
        choice = "cuda" if npgrad.cuda.is_available() and getattr(args, "nproc", 1) == 1 else "cpu"
    elif choice == "cuda":
        if not npgrad.cuda.is_available():
            raise _fail(command, '--device cuda needs CuPy and an NVIDIA GPU (pip install "npgrad[cuda]"); '
                                 "none is available here")
        if getattr(args, "nproc", 1) > 1:
            raise _fail(command, "--device cuda trains in one process; use --nproc 1")
    return npgrad.device(choice)


def _threads_option(p):
    p.add_argument("--threads", type=_positive_int, default=None, metavar="N",
                   help="threads for NumPy's matrix products (default: all cores; 1 is often faster on a busy "
                        "machine)")


def _data_options(p, training=True):
    _threads_option(p)
    p.add_argument("--data-root", default=None, metavar="DIR",
                   help="where MNIST/Fashion-MNIST files are (default: $NPGRAD_DATA or ~/.cache/npgrad)")
    p.add_argument("--download", action="store_true", help="download MNIST/Fashion-MNIST if missing")
    p.add_argument("--limit", type=_positive_int, default=None, metavar="N",
                   help="use only the first N training (and at most N test) examples" if training
                   else "evaluate only the first N test examples")


# -- entry point ---------------------------------------------------------------------------------
def main(argv=None):
    """Run the command line; returns the exit status (0 ok, 2 bad arguments)."""
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    try:
        if argv and argv[0] == "lab":
            return _lab(argv[1:])
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:           # --help and --version
            return exc.code or 0
        if args.command is None:
            build_parser().print_help(sys.stderr)
            return 2
        args.argv = argv
        if getattr(args, "threads", None):
            npgrad.set_num_threads(args.threads)
        return {"train": _train, "evaluate": _evaluate, "predict": _predict,
                "export": _export, "playground": _playground}[args.command](args)
    except CLIError as exc:
        message = str(exc).splitlines()[0] if str(exc) else "npgrad: error"
        if "npgrad.distributed" in sys.modules:    # one of several ranks: the others must not wait for it
            sys.modules["npgrad.distributed"].process_group.abort_job(message, 2)
        print(message, file=sys.stderr)
        return 2
    except BrokenPipeError:                 # `npgrad ... | head`: the reader left; stop quietly
        _silence_stdout()
        return 1


def _silence_stdout():
    """Point stdout at /dev/null so that Python's flush at exit does not fail again on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):   # stdout without a file descriptor (tests)
        pass


def _fail(command, message):
    """A :class:`CLIError` naming the command, with the message squeezed onto one line."""
    return CLIError(f"npgrad {command}: error: " + " ".join(str(message).split()))


def _lab(argv):
    try:
        from . import labs
    except ImportError:
        raise CLIError("npgrad lab: error: the labs (npgrad.labs) are not installed in this copy of npgrad") \
            from None
    return labs.main(argv)


def _playground(args):
    from .playground import serve
    if not 0 <= args.port <= 65535:
        raise _fail("playground", f"argument --port: must be 0..65535, got {args.port}")
    try:
        return serve(port=args.port, open_browser=not args.no_browser)
    except OSError as exc:
        raise _fail("playground", f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}") from None


# -- train ---------------------------------------------------------------------------------------
def _train(args):
    from .train import EarlyStopping, ModelCheckpoint, Trainer
    from .utils.data import DataLoader, TensorDataset

    _check_train_args(args)
    if args.nproc > 1 and not _is_rank():
        return _launch_ranks(args)
    run = _data_parallel(args.nproc)                # None in one process
    main_rank = run is None or run.is_main
    device = _device("train", args)
    npgrad.manual_seed(args.seed)                   # one seed: weights, then every shuffle
    data, spec, model = _data_and_model(args)
    model.to(device)                                # batches follow the model (Trainer)
    epochs = args.epochs or EPOCHS[args.dataset]
    optimizer, scheduler, lr = _optimizer(args, model, epochs)
    out = _output_folder(args.out, args.dataset, args.model) if main_rank else args.out
    meta = {"format": CHECKPOINT_FORMAT, "npgrad_version": npgrad.__version__, "dataset": args.dataset,
            "arch": spec, "mean": data.mean, "std": data.std, "classes": data.classes, "seed": args.seed,
            "optimizer": args.optimizer, "lr": lr, "batch_size": args.batch_size, "epochs": epochs}
    checkpoints = _optional.available("safetensors")
    callbacks = [ModelCheckpoint(os.path.join(out, "best.safetensors"), monitor="test_acc", metadata=meta)] \
        if checkpoints and main_rank else []        # only rank 0 writes files and prints
    if args.patience:
        callbacks.append(EarlyStopping(monitor="test_loss", patience=args.patience))
    if main_rank:
        _print_setup(args, data, spec, model, lr, epochs)
        if run is not None:
            print(f"data parallel on {run.world} processes (MPI ranks): {args.batch_size // run.world} samples "
                  "each per step")

    train_set, test_set = TensorDataset(data.x_train, data.y_train), TensorDataset(data.x_test, data.y_test)
    common = dict(eval_loss_fn=npgrad.nn.CrossEntropyLoss(), scheduler=scheduler, callbacks=callbacks)
    loss_fn = npgrad.nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)
    progress = sys.stderr.isatty() or os.environ.get("NPGRAD_DIST_TTY") == "1"
    if run is None:
        train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
        test_loader = DataLoader(test_set, batch_size=1000)
        trainer = Trainer(model, optimizer, loss_fn, log=print, progress=progress, **common)
    else:
        from .train.distributed import DistributedTrainer
        train_loader, test_loader = run.loaders(train_set, test_set, args.batch_size, args.seed)
        trainer = DistributedTrainer(run.wrap(model), optimizer, loss_fn, log=print if main_rank else None,
                                     progress=progress and main_rank, world_size=run.world, **common)
    start = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):   # a diverging run is caught below
        history = trainer.fit(train_loader, test_loader, epochs=epochs)
    if run is not None:
        run.close()                                 # the ranks agree on divergence: no one is left waiting
    if trainer.diverged:
        if not main_rank:
            return 2
        if not os.listdir(out):
            os.rmdir(out)
        raise _fail("train", f"the run diverged (the loss is not finite); try a smaller --lr than {lr:g}")
    if main_rank:
        _write_results(out, model, meta, history, time.perf_counter() - start)
    return 0


def _launch_ranks(args):
    """Re-run this command as ``--nproc`` MPI ranks (rank 0 prints and writes into one output folder)."""
    from .distributed.launch import launch
    if args.batch_size % args.nproc:
        raise _fail("train", f"--batch-size {args.batch_size} is the global batch and must divide evenly over "
                             f"--nproc {args.nproc}")
    _data_and_model(args)                           # bad data or model options: one message, from here
    out = _output_folder(args.out, args.dataset, args.model)
    env = dict(os.environ, PYTHONUNBUFFERED="1", NPGRAD_DIST_TTY="1" if sys.stderr.isatty() else "0")
    if not any(k in os.environ for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")):
        # the ranks share the cores (torchrun does the same): N ranks x all-core BLAS would oversubscribe
        per_rank = str(max(1, (os.cpu_count() or 1) // args.nproc))
        env.update(OMP_NUM_THREADS=per_rank, OPENBLAS_NUM_THREADS=per_rank, MKL_NUM_THREADS=per_rank)
    try:
        code = launch(args.nproc, ["-m", "npgrad.cli"] + args.argv + ["--out", out], env=env)
    except RuntimeError as exc:
        raise _fail("train", f"--nproc {args.nproc}: {exc}") from None
    if code:
        print(f"npgrad train: error: the {args.nproc} ranks stopped with exit status {code} (see above)",
              file=sys.stderr)
        return 1
    return 0


def _is_rank():
    """Started by mpiexec (by ``--nproc`` or by hand): train here instead of launching the ranks."""
    from .distributed.launch import under_mpi_launcher
    return under_mpi_launcher()


def _data_parallel(nproc):
    if nproc == 1:
        return None
    from .train.distributed import DataParallelRun
    return DataParallelRun(nproc)


def _check_train_args(args):
    if args.label_smoothing >= 1.0:
        raise _fail("train", f"argument --label-smoothing: must be < 1, got {args.label_smoothing}")
    if args.hidden is not None and args.model != "mlp":
        raise _fail("train", f"argument --hidden: only the mlp has hidden sizes, not --model {args.model}")
    if args.dataset == "digits" and not _optional.available("sklearn"):
        raise _fail("train", "--dataset digits needs scikit-learn, which bundles the digits: "
                             "pip install \"npgrad[digits]\" (or try --dataset moons, which needs nothing)")
    note = _optional.missing_message(["tqdm", "matplotlib", "safetensors"])
    if note:
        print(f"npgrad train: {note} (training runs without them)", file=sys.stderr)


def _data_and_model(args):
    from .train import build_model, model_spec
    data = _load("train", args.dataset, args)
    try:
        spec = model_spec(args.model, data.input_shape, data.num_classes, hidden=args.hidden)
    except ValueError as exc:
        raise _fail("train", f"--model {args.model} does not fit --dataset {args.dataset}: {exc}") from None
    return data, spec, build_model(spec)


def _optimizer(args, model, epochs):
    default_lr, make = OPTIMIZERS[args.optimizer]
    lr = args.lr if args.lr is not None else default_lr
    extra = {} if args.weight_decay is None else {"weight_decay": args.weight_decay}
    optimizer = make(model.parameters(), lr, **extra)
    scheduler = npgrad.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs) \
        if args.schedule == "cosine" else None
    return optimizer, scheduler, lr


def _print_setup(args, data, spec, model, lr, epochs):
    from .train import describe
    n_params = sum(p.numel() for p in model.parameters())
    print(f"dataset {args.dataset}: {len(data.x_train)} train / {len(data.x_test)} test, input "
          f"{'x'.join(map(str, data.input_shape))}, {data.num_classes} classes")
    print(f"model {describe(spec)} ({n_params:,} parameters); {args.optimizer} lr {lr:g}, {args.schedule} "
          f"schedule, batch {args.batch_size}, {_plural(epochs, 'epoch')}, seed {args.seed}")
    dev = next(iter(model.parameters())).device
    if dev.type != "cpu":
        print(f"running on {dev} (CuPy)")
    if args.label_smoothing:
        print(f"train_loss includes label smoothing {args.label_smoothing:g}; test_loss is plain cross-entropy "
              f"(as in evaluate)")


def _write_results(out, model, meta, history, elapsed):
    """model.safetensors (the final weights), metrics.csv and curves.png; best.safetensors is the callback's."""
    from .train.checkpoint import save_checkpoint
    last = history.last
    checkpoints = _optional.available("safetensors")
    if checkpoints:
        save_checkpoint(os.path.join(out, "model.safetensors"), model,
                        dict(meta, epoch=last["epoch"], test_acc=last["test_acc"]))
    history.to_csv(os.path.join(out, "metrics.csv"))
    written = ["metrics.csv", _plot(history, os.path.join(out, "curves.png"))]
    written += ["model.safetensors", "best.safetensors"] if checkpoints else []
    best = history.best("test_acc", mode="max")
    print(f"test accuracy {last['test_acc']:.2%} after {_plural(last['epoch'], 'epoch')} "
          f"(best {best['test_acc']:.2%} at epoch {best['epoch']}) in {elapsed:.1f}s")
    print(f"wrote {', '.join(w for w in written if w)} to {out}")


def _plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _plot(history, path):
    if not _optional.available("matplotlib"):
        return None                         # said once at the start
    history.plot(path)
    return os.path.basename(path)


def _output_folder(out, dataset, model):
    if out is None:
        base = os.path.join("runs", f"{dataset}-{model}-{time.strftime('%Y%m%d-%H%M%S')}")
        out, n = base, 1
        while os.path.exists(out):
            n += 1
            out = f"{base}-{n}"
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        raise _fail("train", f"cannot create output folder {out}: {exc.strerror or exc}") from None
    if not os.access(out, os.W_OK):
        raise _fail("train", f"output folder {out} is not writable")
    return out


def _load(command, dataset, args, **kw):
    from .datasets import DownloadError, IDXError
    from .train.data import load_data
    try:
        return load_data(dataset, root=args.data_root, download=args.download, limit=args.limit, **kw)
    except (OSError, ValueError, RuntimeError, DownloadError, IDXError, ImportError) as exc:
        raise _fail(command, str(exc).replace("download=True", "--download")) from None


# -- evaluate / predict --------------------------------------------------------------------------
def _restore(command, path, want_model):
    """Rebuild the model stored in checkpoint ``path``; returns ``(model, metadata)``."""
    from .train import build_model, describe
    from .train.checkpoint import load_checkpoint
    path = _checkpoint_in(command, path)
    try:
        state, meta = load_checkpoint(path)
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        raise _fail(command, f"cannot load checkpoint {path}: {exc}") from None
    arch = meta.get("arch")
    if meta.get("format") != CHECKPOINT_FORMAT or not isinstance(arch, dict):
        raise _fail(command, f"{path} is not a checkpoint written by 'npgrad train' (no architecture metadata)")
    if want_model is not None and arch.get("model") != want_model:
        raise _fail(command, f"{path} holds the model {describe(arch)}, not --model {want_model}")
    try:
        model = build_model(arch)
        model.load_state_dict(state)
    except (ValueError, RuntimeError, KeyError, TypeError) as exc:
        raise _fail(command, f"{path} does not match its architecture {describe(arch)}: {exc}") from None
    model.eval()
    return model, meta


def _checkpoint_in(command, path):
    """``path`` itself, or the checkpoint in a run folder (its final model.safetensors, else best.safetensors)."""
    if not os.path.isdir(path):
        return path
    for name in ("model.safetensors", "best.safetensors"):
        if os.path.isfile(os.path.join(path, name)):
            print(f"using {os.path.join(path, name)}", file=sys.stderr)
            return os.path.join(path, name)
    raise _fail(command, f"{path} is a folder without model.safetensors or best.safetensors; "
                         f"give a checkpoint file or a folder written by 'npgrad train'")


def _evaluate(args):
    from .train import collect_outputs, confusion_matrix, describe, format_confusion_matrix, per_class_accuracy
    from .train.metrics import predictions
    from .utils.data import DataLoader, TensorDataset

    device = _device("evaluate", args)
    model, meta = _restore("evaluate", args.checkpoint, args.model)
    model.to(device)
    dataset = args.dataset or meta["dataset"]
    data = _load("evaluate", dataset, args, mean=meta["mean"], std=meta["std"], train=False)
    arch = meta["arch"]
    if data.input_shape != list(arch["input_shape"]) or data.num_classes != arch["num_classes"]:
        raise _fail("evaluate", f"--dataset {dataset} has inputs {'x'.join(map(str, data.input_shape))} and "
                                f"{data.num_classes} classes, but the checkpoint's model takes "
                                f"{'x'.join(map(str, arch['input_shape']))} and {arch['num_classes']} classes")
    outputs, targets = collect_outputs(model, DataLoader(TensorDataset(data.x_test, data.y_test), batch_size=1000))
    loss = npgrad.nn.functional.cross_entropy(npgrad.from_numpy(outputs), npgrad.from_numpy(targets)).item()
    cm = confusion_matrix(predictions(outputs), targets, data.num_classes)
    correct = int(np.trace(cm))
    epoch = f", epoch {meta['epoch']}" if "epoch" in meta else ""
    print(f"checkpoint {args.checkpoint}: {describe(arch)} trained on {meta['dataset']}{epoch}")
    print(f"test split of {dataset}: accuracy {correct / len(targets):.2%} ({correct}/{len(targets)}), "
          f"loss {loss:.4f}")
    print("per-class accuracy:")
    width = max(len(c) for c in data.classes)
    for name, acc, total in zip(data.classes, per_class_accuracy(cm), cm.sum(axis=1)):
        print(f"  {name.ljust(width)}  {acc:7.2%}  ({total} examples)" if total else f"  {name.ljust(width)}  -")
    print("confusion matrix (rows: true class, columns: predicted class):")
    print(format_confusion_matrix(cm))
    return 0


def _predict(args):
    from .train.image import prepare_image
    model, meta = _restore("predict", args.checkpoint, args.model)
    dataset, arch = meta["dataset"], meta["arch"]
    try:
        x = prepare_image(args.image, arch["input_shape"], meta["mean"], meta["std"],
                          margin=IMAGE_MARGIN.get(dataset, 0.0))
    except (OSError, ValueError) as exc:
        raise _fail("predict", exc) from None
    with npgrad.no_grad():
        probs = npgrad.nn.functional.softmax(model(npgrad.from_numpy(x)), dim=1)._data[0]
    top = np.argsort(-probs, kind="stable")[:3]
    classes = meta.get("classes") or [str(i) for i in range(len(probs))]
    print(f"{args.image}: {classes[top[0]]}")
    for rank, k in enumerate(top, 1):
        print(f"  {rank}. {classes[k]:<12} {probs[k]:.4f}")
    return 0


def _export(args):
    from ._optional import require
    from .onnx import ExportError, export
    try:
        require("onnx", "npgrad export")
    except ImportError as exc:
        raise _fail("export", exc) from None
    from .train import describe
    model, meta = _restore("export", args.checkpoint, None)
    arch = meta["arch"]
    x = npgrad.randn(2, *arch["input_shape"])
    try:
        proto = export(model, x, None, input_names=["input"], output_names=["logits"], opset_version=args.opset,
                       dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        # how inputs were standardised in training, for whoever deploys the model
        for key in ("dataset", "mean", "std", "classes"):
            if meta.get(key) is not None:
                proto.metadata_props.add(key=key, value=str(meta[key]))
        with open(args.output, "wb") as fh:
            fh.write(proto.SerializeToString())
    except (ExportError, ValueError, OSError) as exc:
        raise _fail("export", exc) from None
    shape = "x".join(map(str, arch["input_shape"]))
    stats = ", ".join(f"{k} {meta[k]:.4g}" for k in ("mean", "std") if isinstance(meta.get(k), (int, float)))
    print(f"wrote {args.output}: {describe(arch)}")
    print(f"  input 'input': batch x {shape}" + (f", standardised (training {stats})" if stats else ""))
    print(f"  output 'logits': batch x {arch['num_classes']}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
