"""Snapshot of the structure of the rendered pages (elements, ids, classes, headings).

Regenerate after an intended change of the templates, then review the diff:

    FRONTS_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/report/test_snapshot.py
"""

from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path

import pytest

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("FRONTS_UPDATE_SNAPSHOTS") == "1"
VOID = {"meta", "link", "br", "img", "input", "hr", "col", "source", "wbr"}
TEXT_OF = {"title", "h1", "h2", "h3", "h4", "th", "caption", "dt", "figcaption", "summary", "a"}
ATTRS = ("href", "src", "type", "role", "data-figure", "rel", "scope", "colspan")
# page -> deepest level shown (print.html repeats the other pages, so only its skeleton)
PAGES = {
    "index.html": 99,
    "fronts/front-01.html": 99,
    "fronts/front-02.html": 99,
    "method.html": 99,
    "print.html": 4,
}


class Outline(HTMLParser):
    """One line per element: tag#id.classes [attributes] "text of headings, cells, links"."""

    def __init__(self, max_depth: int) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.stack: list[tuple[str, int, list[str]]] = []
        self.max_depth = max_depth

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = tag + (f"#{a['id']}" if a.get("id") else "")
        name += "".join(f".{c}" for c in (a.get("class") or "").split())
        extra = " ".join(f"{k}={a[k]!r}" for k in ATTRS if a.get(k) is not None)
        depth = len(self.stack)
        if depth < self.max_depth:
            self.lines.append("  " * depth + name + (f" [{extra}]" if extra else ""))
        if tag not in VOID:
            self.stack.append((tag, len(self.lines) - 1, []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            name, line, text = self.stack.pop()
            if name in TEXT_OF and len(self.stack) < self.max_depth:
                words = " ".join("".join(text).split())
                if words:
                    short = words if len(words) <= 70 else words[:69] + "…"
                    self.lines[line] += f" {short!r}"
            if self.stack:
                self.stack[-1][2].extend(text)
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] not in ("script", "style"):
            self.stack[-1][2].append(data)


def outline(html: str, max_depth: int = 99) -> str:
    parser = Outline(max_depth)
    parser.feed(html)
    parser.close()
    return "\n".join(parser.lines) + "\n"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_structure_matches_the_snapshot(report_files, page):
    got = outline(report_files[page], PAGES[page])
    path = SNAPSHOTS / (page.replace("/", "__") + ".txt")
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"no snapshot {path.name}; create it with FRONTS_UPDATE_SNAPSHOTS=1")
    assert got == path.read_text(encoding="utf-8"), (
        f"{page} changed structure; if intended: FRONTS_UPDATE_SNAPSHOTS=1 .venv/bin/python -m "
        "pytest tests/report/test_snapshot.py, and review the diff of tests/report/snapshots/"
    )


def test_outline_shows_structure_and_headings_not_prose():
    got = outline('<main id="m"><h1 class="a b">Hi <em>you</em></h1><p>long prose</p><br></main>')
    assert got == "main#m\n  h1.a.b 'Hi you'\n    em\n  p\n  br\n"
