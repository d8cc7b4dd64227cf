"""How much of a paragraph's vocabulary the rest of its document shares.

An article's paragraphs talk about the same things; a box of other stories' teasers, an appeal or a
bio talks about something else. The share of a paragraph's words that recur in other paragraphs of
the same document is a language-independent hint of that, which no single line's n-grams can give.
"""

from __future__ import annotations

import re
from array import array

import numpy as np

#: Columns ``cohesion`` returns.
COHESION_NAMES: tuple[str, ...] = ("shared_far", "shared_far_vs_median", "has_words", "shared_any")
#: Paragraphs this close count as the same block, not the rest of the document.
GAP = 2
#: Paragraphs with at least this many distinct words set the document's typical share.
LONG_WORDS = 6
_WORD = re.compile(r"\w{4,}")
#: Scripts written without spaces between words (CJK, kana, hangul, Thai…) start around U+0E00.
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u3000-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_PREFIX = 6
_READ_CHARS = 2000


def _words(text: str) -> set[str]:
    """Distinct word stems (6-character prefixes; character pairs in scripts written without spaces)."""
    head = text[:_READ_CHARS]
    found = _WORD.findall(head.lower())
    if not _UNSPACED.search(head):
        return {w[:_PREFIX] for w in found if not w.isdigit()}
    out: set[str] = set()
    for w in found:
        if _UNSPACED.search(w):
            out.update(w[i : i + 2] for i in range(len(w) - 1))
        elif not w.isdigit():
            out.add(w[:_PREFIX])
    return out


def cohesion(paragraphs: list[str]) -> np.ndarray:
    """(n, len(COHESION_NAMES)) per paragraph: the share of its words found in a paragraph more than
    GAP positions away (a box of teasers may share words within itself, not with the article), that share
    minus the document's median over long paragraphs, whether it has words at all, and the share found
    in any other paragraph (a headline's words recur in the lead right below it)."""
    n = len(paragraphs)
    vocabulary: dict[str, int] = {}
    ids = array("i")  # every paragraph's word ids, paragraph after paragraph; 4 bytes each for huge inputs
    counts = np.zeros(n, dtype=np.int64)
    for i, text in enumerate(paragraphs):
        words = _words(text)
        counts[i] = len(words)
        ids.extend(vocabulary.setdefault(w, len(vocabulary)) for w in words)
    out = np.zeros((n, len(COHESION_NAMES)))
    if not ids:
        return out
    word = np.frombuffer(ids, dtype=np.int32)
    row = np.repeat(np.arange(n, dtype=np.int32), counts)
    _, first_at = np.unique(word, return_index=True)  # rows are in order, so the first hit is the first row
    _, last_at = np.unique(word[::-1], return_index=True)
    first, last = row[first_at], row[::-1][last_at]
    far = (first[word] < row - GAP) | (last[word] > row + GAP)
    anywhere = (first[word] < row) | (last[word] > row)
    has = counts > 0
    share = np.bincount(row, weights=far, minlength=n)[has] / counts[has]
    out[has, 0], out[has, 2] = share, 1.0
    out[has, 3] = np.bincount(row, weights=anywhere, minlength=n)[has] / counts[has]
    long_rows = counts[has] >= LONG_WORDS
    if long_rows.any():
        out[:, 1] = (out[:, 0] - np.median(share[long_rows])) * out[:, 2]
    return out
