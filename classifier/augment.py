"""Surface variants of short lines for stage 1's training set.

A three-word line is labeled by its words, and sites dress the same words differently: "More
stories", "MORE STORIES ›", "more stories…". Written data shows each line in one dress, so stage 1
would learn the dress. Each short paragraph therefore also appears once more in another case or
with other trailing decoration, under its own label, whatever that label is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .data import Document

#: Paragraphs of at most this many words get a variant.
MAX_WORDS = 6
_TRAILERS = (" ›", " »", ":", "…", "...", " >", " →")
_STRIP = " .:;!?…›»>→-–—|"


def _variant(text: str, choice: int, trailer: str) -> str:
    core = text.strip()
    if choice == 0:
        return core.upper()
    if choice == 1:
        return core.lower()
    if choice == 2:
        return core.title()
    bare = core.rstrip(_STRIP)
    return bare + trailer if bare == core else bare


def short_line_variants(docs: Sequence[Document], seed: int) -> list[Document]:
    """One pseudo-document per document, holding a variant of each of its short paragraphs."""
    rng = np.random.default_rng(seed)
    out = []
    for doc in docs:
        texts, labels = [], []
        for text, label in zip(doc.texts, doc.labels, strict=True):
            if 0 < len(text.split()) <= MAX_WORDS:
                variant = _variant(text, int(rng.integers(4)), _TRAILERS[int(rng.integers(len(_TRAILERS)))])
                if variant.strip() and variant != text:
                    texts.append(variant)
                    labels.append(label)
        out.append(Document(doc.doc_id, texts, labels, doc.lang, doc.source))
    return out
