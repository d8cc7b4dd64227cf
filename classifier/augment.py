"""Text made from the written pages for training: surface variants of short lines, and glued teasers.

A three-word line is labeled by its words, and sites dress the same words differently: "More
stories", "MORE STORIES ›", "more stories…". Written data shows each line in one dress, so stage 1
would learn the dress. Each short paragraph therefore also appears once more in another case or
with other trailing decoration, under its own label, whatever that label is.

Extractors also hand over a teaser list's items as one line each: the linked headline, then the start
of that story's lead, often bulleted and cut off ("- Storm closes ports The coast guard said on…").
``glued_teasers`` makes such a line from each page's own headline and lead, for the boxes of
``views._teaser_boxes``.
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


#: Separators extractors leave between a teaser's headline and its lead (the link and the summary
#: were two elements), and bullets before the item.
_GLUE = (" ", " ", "  ", " – ", ": ", " | ", ". ")
_BULLETS = ("", "", "- ", "• ", "* ", "▶ ")
#: A glued lead is cut after this many characters, as sites cut summaries, or kept whole.
GLUED_LEAD_CHARS = (50, 220)
#: Shortest paragraph taken as the lead (the same floor as ``views.TEASER_LEAD_CHARS``).
GLUED_LEAD_MIN = 40


def glued_teasers(docs: Sequence[Document], body: Sequence[np.ndarray], seed: int) -> tuple[list[str], list[int]]:
    """One teaser line per document with a headline and a lead: its first article paragraph, then the
    start of one of the next three article paragraphs of GLUED_LEAD_MIN characters or more, on one line. ``body``:
    per document, a boolean array of which paragraphs are article text. Returns the lines and each
    line's document index."""
    rng = np.random.default_rng([seed, 2])
    texts: list[str] = []
    owners: list[int] = []
    for i, (doc, is_body) in enumerate(zip(docs, body, strict=True)):
        rows = np.flatnonzero(is_body)
        leads = (doc.texts[j].strip() for j in rows[1:4])
        lead = next((text for text in leads if len(text) >= GLUED_LEAD_MIN), None)
        if lead is None:
            continue
        headline = doc.texts[rows[0]].strip()
        low, high = GLUED_LEAD_CHARS
        cut = int(rng.integers(low, high + 1))
        if len(lead) > cut and rng.random() < 0.7:
            lead = lead[:cut].rsplit(" ", 1)[0] + ("…", "...", " …", "")[int(rng.integers(4))]
        glue = _GLUE[int(rng.integers(len(_GLUE)))]
        bullet = _BULLETS[int(rng.integers(len(_BULLETS)))]
        texts.append(f"{bullet}{headline}{glue}{lead}")
        owners.append(i)
    return texts, owners
