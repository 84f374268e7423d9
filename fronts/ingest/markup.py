"""Markup in titles and abstracts: HTML, JATS/MathML and LaTeX reduced to the text a reader sees.

Crossref and OpenAlex abstracts arrive as JATS XML (`<jats:p>`, `<jats:italic>`), publishers'
titles carry HTML (`<i>in vivo</i>`, `H<sub>2</sub>O`, `&amp;`), and abstracts from arXiv or
BibTeX keep LaTeX (`$\\alpha$`, `\\textit{...}`). Left in, tag names become the top terms of a
topic and the embedding reads angle brackets. The readers keep the exported text in
`records.title_raw` / `records.abstract_raw` whenever this changes it.

Only markup is removed: tags are recognised by their names (a list of HTML, JATS and MathML
elements), so "p<0.05" or "x<y and y>z" in an abstract stay as they are; entities are decoded
by the standard library; LaTeX is converted by pylatexenc (the library the BibTeX reader uses)
and only where a LaTeX command or a math span holding one is present.
"""

from __future__ import annotations

import html
import re

# Elements seen in exported titles and abstracts: HTML, JATS (with or without the jats:/mml:
# prefixes Crossref uses) and MathML. Inline elements vanish ("H<sub>2</sub>O" is "H2O");
# block elements end a paragraph or a heading and become a space, never gluing two words.
_INLINE = (
    "i|b|u|em|strong|sub|sup|span|a|font|small|big|tt|code|italic|bold|underline|sc|scp|"
    "monospace|inline-formula|tex-math|alternatives|ext-link|xref|named-content|styled-content|"
    "math|mi|mo|mn|ms|mtext|mrow|msub|msup|msubsup|mfrac|msqrt|mroot|mstyle|mspace|mover|"
    "munder|munderover|mfenced|semantics|annotation"
)
_BLOCK = (
    "p|br|hr|div|li|ul|ol|h[1-6]|title|sec|abstract|list|list-item|label|caption|"
    "disp-formula|break|trans-abstract|fig|table-wrap|mtable|mtr|mtd"
)
_TAG_RE = re.compile(
    rf"</?(?:[a-z]+:)?(?:(?P<inline>{_INLINE})|{_BLOCK})(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_ENTITY_RE = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]{1,8});", re.IGNORECASE)
_LATEX_RE = re.compile(r"\\[a-zA-Z]{2,}\s*[{\\]|\\[a-zA-Z]+\{|\$[^$]*\\[a-zA-Z][^$]*\$|\{\\[a-z]")
# A heading that JATS abstracts open with ("<jats:title>Abstract</jats:title>").
_HEADING_RE = re.compile(r"^(?:abstract|summary)\s*[:.]?\s+(?=\S)", re.IGNORECASE)


def _latex_to_text(text: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    try:
        return LatexNodes2Text(math_mode="text", strict_latex_spaces=True).latex_to_text(text)
    except Exception:  # a malformed formula keeps its text; it never fails a record
        return text


def strip_markup(text: str | None, heading: bool = False) -> str | None:
    """`text` without HTML/JATS/MathML tags, entities decoded and LaTeX converted, whitespace
    collapsed; None stays None. `heading=True` also drops a leading "Abstract" heading."""
    if text is None:
        return None
    out = text
    if "<" in out:
        out = _TAG_RE.sub(lambda m: "" if m.group("inline") else " ", out)
    if "&" in out and _ENTITY_RE.search(out):
        out = html.unescape(out)
    if "\\" in out and _LATEX_RE.search(out):
        out = _latex_to_text(out)
    out = " ".join(out.split())
    if heading:
        out = _HEADING_RE.sub("", out, count=1)
    return out
