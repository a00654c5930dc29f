"""Chinese text in figures: a CJK font is found when installed; its absence is said, with the fix."""
import warnings

import pytest

pytest.importorskip("matplotlib")
from npgrad import viz  # noqa: E402
from npgrad.viz import _fonts  # noqa: E402


def test_chinese_title_renders_with_an_installed_cjk_font(tmp_path):
    if _fonts.find_cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-noto-cjk)")
    fig, ax = viz.new_figure()
    ax.set_title("梯度下降 gradient descent")
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # matplotlib warns "Glyph ... missing" without the font
        viz.save(fig, tmp_path / "cjk.png")
    assert (tmp_path / "cjk.png").stat().st_size > 1000


def test_without_a_cjk_font_the_warning_says_how_to_install_one(monkeypatch, tmp_path):
    monkeypatch.setitem(_fonts._state, "done", True)
    monkeypatch.setitem(_fonts._state, "font", None)
    fig, ax = viz.new_figure()
    ax.set_title("学习率")
    with pytest.warns(UserWarning, match="fonts-noto-cjk"):
        _fonts.warn_if_unreadable(fig)
    ax.set_title("learning rate")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _fonts.warn_if_unreadable(fig)              # nothing to say for Latin text
