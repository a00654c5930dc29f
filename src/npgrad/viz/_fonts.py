"""Chinese (CJK) text in figures: find a CJK font when one is installed, say how to get one when not.

Matplotlib's default font (DejaVu Sans) has no Chinese glyphs, so a title such as "梯度下降" comes
out as boxes.  npgrad's figures add an installed CJK font as a fallback behind the default one (Latin
text keeps its look); fonts installed after matplotlib built its font cache are found too.
"""
from __future__ import annotations

import os
import warnings

#: fonts tried in this order (Simplified Chinese first: the notes are in Chinese)
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans CJK TC", "Noto Sans CJK JP",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
             "Heiti SC", "Hiragino Sans GB", "Noto Serif CJK SC", "AR PL UMing CN")
INSTALL_HINT = ("install a CJK font: 'sudo apt-get install fonts-noto-cjk' (Debian/Ubuntu), "
                "'sudo dnf install google-noto-sans-cjk-fonts' (Fedora), 'brew install --cask "
                "font-noto-sans-cjk' (macOS); Windows has Microsoft YaHei")
_state = {"done": False, "font": None}


def _installed(fm):
    have = {f.name for f in fm.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in have), None)


def find_cjk_font():
    """The name of an installed CJK font matplotlib can use, or None."""
    from matplotlib import font_manager as fm
    name = _installed(fm)
    if name is None:                        # installed after matplotlib's font cache was built
        for path in fm.findSystemFonts():
            base = os.path.basename(path).lower()
            if any(key in base for key in ("cjk", "wqy", "sourcehan", "simhei", "msyh", "pingfang", "uming")):
                try:
                    fm.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        name = _installed(fm)
    return name


def enable_cjk():
    """Let figures draw Chinese text: add an installed CJK font behind the default font (once).

    Returns the font's name, or None (then Chinese text shows as boxes: see ``INSTALL_HINT``).
    """
    if not _state["done"]:
        import matplotlib
        _state["done"] = True
        _state["font"] = find_cjk_font()
        family = matplotlib.rcParams["font.family"]
        family = [family] if isinstance(family, str) else list(family)
        if _state["font"] and _state["font"] not in family:
            matplotlib.rcParams["font.family"] = family + [_state["font"]]
    return _state["font"]


def has_cjk(text):
    return any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in str(text))


def warn_if_unreadable(fig):
    """Warn once per figure when it holds Chinese text and no CJK font was found."""
    if enable_cjk() is not None:
        return
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    if any(has_cjk(t) for t in texts):
        warnings.warn(f"this figure has Chinese text but no CJK font is installed, so it shows as boxes; "
                      f"{INSTALL_HINT}", UserWarning, stacklevel=3)
