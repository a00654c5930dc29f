"""The documentation site: its examples run as doctests, its generated pages match the code, it builds."""
import doctest
import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md"))


def _examples(text):
    """The ```pycon blocks of a page, joined: one doctest per page, sharing its names."""
    return "\n\n".join(m.group(1) for m in re.finditer(r"```pycon\n(.*?)```", text, re.S))


@pytest.mark.parametrize("page", [p for p in PAGES if "```pycon" in p.read_text(encoding="utf-8")],
                         ids=lambda p: str(p.relative_to(DOCS)))
def test_examples_on_the_page_print_what_it_says(page, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    text = page.read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(_examples(text), {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    out = []
    runner.run(test, out=out.append)
    assert runner.failures == 0, "".join(out)
    assert runner.tries > 0


def test_generated_pages_match_the_code():
    spec = importlib.util.spec_from_file_location("gen_pages", DOCS / "gen_pages.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    stale = [rel for rel, text in gen.pages().items()
             if not (DOCS / rel).is_file() or (DOCS / rel).read_text(encoding="utf-8") != text]
    assert not stale, f"regenerate with: python docs/gen_pages.py (stale: {stale})"


def test_every_page_is_in_the_navigation():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    missing = [str(p.relative_to(DOCS)) for p in PAGES if str(p.relative_to(DOCS)) not in nav]
    assert not missing, f"pages not in mkdocs.yml's nav: {missing}"


@pytest.mark.slow
def test_site_builds_strictly(tmp_path):
    pytest.importorskip("mkdocs", reason="mkdocs (the docs extra) builds the site")
    pytest.importorskip("mkdocstrings", reason="mkdocstrings (the docs extra) renders the API reference")
    res = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                         cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert res.returncode == 0, res.stderr[-3000:]
    assert (tmp_path / "site" / "labs" / "mnist" / "index.html").is_file()
    assert "npgrad.nn" in (tmp_path / "site" / "api" / "index.html").read_text(encoding="utf-8")
