"""The lab registry and the `npgrad lab` command line."""
import ast
import pathlib

import pytest

from npgrad import labs

ISSUE_NAMES = ["neuron", "perceptron", "activations", "backprop-by-hand", "graph", "chain", "gradient-descent",
               "sgd", "autodiff", "vanishing-gradients", "overfitting", "softmax", "convolution", "mnist"]


def test_registry_lists_the_fourteen_labs_in_order():
    assert labs.names() == ISSUE_NAMES
    for name in ISSUE_NAMES:
        module, help_line = labs.LABS[name]
        assert " — " in help_line and any(ord(c) > 0x4e00 for c in help_line)  # English — 中文
        assert callable(labs.get(name).run)


def test_main_lists_labs(capsys):
    assert labs.main([]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in ISSUE_NAMES)
    assert "perceptron" in out and "感知器" in out


def test_main_unknown_lab_one_line_and_exit_2(capsys):
    assert labs.main(["nope"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and "unknown lab 'nope'" in captured.err


def test_main_runs_a_lab_into_out(tmp_path, capsys):
    assert labs.main(["graph", "--out", str(tmp_path / "g")]) == 0
    out = capsys.readouterr().out
    assert "z: expected 162 | npgrad 162" in out
    assert (tmp_path / "g" / "graph.png").stat().st_size > 1000


def test_main_default_out_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert labs.main(["chain"]) == 0
    assert (tmp_path / "lab-output" / "chain" / "chain.png").exists()


def test_get_unknown_raises():
    with pytest.raises(KeyError, match="unknown lab"):
        labs.get("nope")


@pytest.mark.parametrize("name", ISSUE_NAMES)
def test_labs_use_only_the_public_api(name):
    """Labs are usage documentation: no torch, no private npgrad names."""
    src = pathlib.Path(labs.get(name).__file__).read_text()
    tree = ast.parse(src)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mod = getattr(node, "module", None) or ""
            names = [a.name for a in node.names]
            assert "torch" not in [mod] + names
            if getattr(node, "level", 0) == 0 and mod.startswith("npgrad"):
                assert not any(part.startswith("_") for part in mod.split(".")), mod
                assert not any(n.startswith("_") for n in names), names
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            pytest.fail(f"{name}: private attribute .{node.attr}")


def test_lab_options_are_passed_and_checked(tmp_path, capsys, monkeypatch):
    seen = {}
    mod = labs.get("chain")
    monkeypatch.setattr(mod, "run", lambda out_dir=None, quick=False, verbose=True, target=2.13, x0=2.0, tol=1e-3:
                        seen.update(out_dir=out_dir, target=target, x0=x0) or {})
    assert labs.main(["chain", "--out", str(tmp_path), "--target", "1.9", "--x0=3"]) == 0
    assert seen == {"out_dir": str(tmp_path), "target": 1.9, "x0": 3}
    assert labs.main(["chain", "--nope", "1"]) == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: --nope 1" in err and "--target" in err and len(err.splitlines()) == 1
    assert labs.main(["chain", "--target"]) == 2


@pytest.mark.parametrize("argv, what", [
    (["mnist", "--epochs", "-1"], "--epochs: must be a positive integer, got -1"),
    (["mnist", "--epochs", "abc"], "--epochs: must be a positive integer, got 'abc'"),
    (["mnist", "--lr", "x"], "--lr: must be a number, got 'x'"),
    (["mnist", "--lr", "0"], "--lr: must be > 0, got 0"),
    (["perceptron", "--eta", "abc"], "--eta: must be a number, got 'abc'"),
    (["mnist", "--dataset", "cifar"], "invalid choice: 'cifar'"),
    (["autodiff", "--sizes", "3,x"], "--sizes: must be comma-separated positive sizes"),
])
def test_bad_lab_options_one_line_exit_2(argv, what, capsys):
    assert labs.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.splitlines()) == 1 and what in captured.err
    assert captured.err.startswith(f"npgrad lab {argv[0]}: ")


def test_lab_help_shows_its_own_options(capsys):
    assert labs.main(["mnist", "--help"]) == 0
    out = capsys.readouterr().out
    assert "usage: npgrad lab mnist" in out and "--epochs" in out and "--batch-size" in out
    assert labs.main(["graph", "--help"]) == 0
    assert "--epochs" not in capsys.readouterr().out


@pytest.mark.parametrize("name", ISSUE_NAMES)
def test_option_table_matches_run_signature(name):
    import inspect
    params = [p for p in inspect.signature(labs.get(name).run).parameters if p not in ("out_dir", "quick", "verbose")]
    assert sorted(labs.OPTIONS.get(name, {})) == sorted(params)


def test_mnist_lab_refuses_unknown_dataset():
    with pytest.raises(ValueError, match="cifar"):
        labs.get("mnist").run(verbose=False, dataset="cifar")


def test_mnist_verdict_reads_the_sign_of_the_gap():
    v = labs.get("mnist").verdict
    assert "memorises" in v(0.1) and "no sign of overfitting" in v(-0.1) and "stay together" in v(0.01)


@pytest.mark.parametrize("name", ISSUE_NAMES)
def test_each_lab_explains_its_lesson_in_plain_words(name):
    intro = labs.get(name).INTRO
    assert len(intro.split()) > 30 and any("\u4e00" <= ch <= "\u9fff" for ch in intro)   # English, term beside
    for ref in ("note 0", "Table 2-", "question "):
        assert ref not in intro


def test_report_prints_the_intro_and_wraps_at_100_columns(capsys):
    from npgrad.labs._report import Report, _columns
    r = Report("demo — 演示", intro="plain words first (中文术语).")
    r.say("  " + "word " * 40 + "梯度下降" * 10)
    out = capsys.readouterr().out.splitlines()
    assert out[2] == "plain words first (中文术语)."
    assert len(out) > 4 and all(_columns(line) <= 100 for line in out)
    assert out[-1].startswith("    ")                      # continuation lines indented under the first
