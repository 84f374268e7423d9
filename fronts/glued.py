"""Words glued together by an export that lost its spaces ("ofcomputationalthinkingin").

Such tokens are no term of any field, yet they are frequent within a damaged export and rare
elsewhere, so c-TF-IDF makes them a front's top terms ("ofcomputationalthinking ·
ofcomputationalthinkingin"). Before terms are counted, a long word that no English dictionary
knows is split into the words it is made of when the split is convincing, and dropped when it
is very long and cannot be split. The segmentation is SymSpell's (Garbe; symspellpy, with the
English frequency dictionary it ships: 82,765 words with their counts), with no spelling
correction (edit distance 0), so only exact dictionary words are found.

A split is convincing when every part is a dictionary word of three or more letters or an
English stop word, and either a stop word is among the parts ("of computational thinking") or
every part has five letters or more ("computational thinking"). Technical words the dictionary
lacks are left alone: "blockchain" and "metaverse" are under the length limit, "nanoparticles"
would split into "nan op articles" (a two-letter part that is no stop word) and stays whole.
"""

from __future__ import annotations

import re
from functools import cache

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

MIN_GLUED = 12  # shorter unknown words are left alone: "blockchain", "metaverse", "chatgpt"
DROP_LONGER = 25  # an unknown word this long that does not split is no term
_LONG_WORD = re.compile(rf"\b[a-z]{{{MIN_GLUED},}}\b")


@cache
def _symspell():
    """The segmenter and its dictionary, loaded once per process (about 0.6 s)."""
    from importlib.resources import files

    from symspellpy import SymSpell

    speller = SymSpell(max_dictionary_edit_distance=0, prefix_length=7)
    dictionary = files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    speller.load_dictionary(str(dictionary), term_index=0, count_index=1)
    return speller


def _convincing(parts: list[str]) -> bool:
    if len(parts) < 2:
        return False
    known = _symspell().words
    if not all(p in known and (len(p) >= 3 or p in ENGLISH_STOP_WORDS) for p in parts):
        return False
    return any(p in ENGLISH_STOP_WORDS for p in parts) or all(len(p) >= 5 for p in parts)


@cache
def split_glued(word: str) -> str:
    """`word` (lower-case) as the words it is made of, itself when it is a known word or no
    convincing split exists, or "" when it is unknown, very long and does not split."""
    speller = _symspell()
    if word in speller.words:
        return word
    parts = speller.word_segmentation(word, max_edit_distance=0).corrected_string.split()
    if _convincing(parts):
        return " ".join(parts)
    return "" if len(word) >= DROP_LONGER else word


def repair_glued(text: str) -> str:
    """`text` (lower-case) with every glued word split or dropped (`split_glued`)."""
    if not _LONG_WORD.search(text):
        return text
    return _LONG_WORD.sub(lambda m: split_glued(m.group(0)), text)


def term_preprocessor(text: str) -> str:
    """The tokeniser's preprocessing: lower case, glued words repaired."""
    return repair_glued(text.lower())
