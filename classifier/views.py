"""Views of the training pages for the context stages (2 and 3): which rows, in which order, with which labels.

The context stages learn from sequences of paragraphs, and written pages alone would teach them their
writers' habits rather than those of real extracted text. So every page is also shown as extractors and
real sites present pages: cropped, with a widget line moved into the body, with a box of other stories'
headlines under a link heading. A view is an array of row indices into the corpus's paragraphs, so each
paragraph's stage-1 features and out-of-fold probabilities are computed once, whatever views it is in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from .data import Document
from .labels import Label

#: Random slices of each document added to the context stages' training set (see ``_page_views``).
CROPS_PER_DOC = 2
MOVES_PER_DOC = 2
#: Stages 2 and 3 train on every document and every VIEW_STEP-th augmented view. On 4522 documents, all
#: views in stage 2 and half in stage 3 gave CV 0.8916 / real pages 0.738; half in both 0.8917 / 0.741 with
#: stage 2 fitted in half the time; one crop and one move per document, all in both, 0.8912 / 0.738.
VIEW_STEP = 2

#: Share of documents that also give a view with a box of other documents' headlines or leads (see
#: ``_teaser_boxes``). On 5664 documents, 0.5 moved real pages from 0.797 / 99.22% kept / 66.45% dropped to
#: 0.808 / 99.33% / 70.35% (seed 1: 0.783 / 99.13% / 62.53% to 0.793 / 99.22% / 71.56%), 1-12 points more
#: junk dropped at every matched kept level from 99.6% to 98.5% with both seeds; CV 0.910 -> 0.908. Tried
#: with two seeds and not kept: a box for every document (CV 0.907 / 0.905, real pages within a refit's
#: noise), bars of headlines with no heading above a page's headline, items as a headline followed by its
#: lead, leads up to 600 characters (each within a refit's noise on real pages).
TEASER_SHARE = 0.5
#: Share of those boxes put between two body paragraphs; the others follow the body (``TEASER_AFTER_TAIL``). 0.7
#: rather than 0.4 (with corpus wave 30, three runs each, seeds 0-2 averaged): on trial 13's pages with their link
#: box moved before the last one, two or three body paragraphs, the paragraphs below it dropped 17% / 24% / 17% ->
#: 13% / 15% / 7% (box after the body: 1% either way); real pages 0.801 -> 0.803 macro-F1, 99.18 -> 99.15% kept,
#: 68.7 -> 70.9% dropped (characters without spaces). Single runs vary more (0.786-0.810).
TEASER_INLINE = 0.7
#: Share of the boxes after the body that have no heading: real pages end with runs of other stories' headlines
#: under no heading (the title of the box was an image, or the extractor dropped it), and a model that only ever saw
#: boxes under a heading kept such runs, item by item, as article text. With corpus wave 32, single runs of seeds
#: 0-2 against the same seeds before both: real pages' junk dropped at matched article kept (99.3 / 99.0 / 98.5%)
#: 65.1 / 70.6 / 75.7% -> 68.1 / 74.1 / 79.0%, and at the default threshold macro-F1 0.790 -> 0.795, kept 99.07 ->
#: 99.24%, dropped 70.4 -> 69.6% (means of the runs, scored on the gold paragraphs; the wave moves the default
#: toward keeping); these views alone 68.3 / 74.6 / 76.3% matched, 0.794 / 99.10% / 73.4% at the default.
TEASER_HEADLESS = 0.5
#: Share of the boxes after the body put after the page's tail (its bylines and widgets) rather than right
#: below the last body paragraph, as on pages whose teasers follow the newsletter box.
TEASER_AFTER_TAIL = 0.5
#: Share of the boxes whose items are glued lines (``augment.glued_teasers``: a headline and the start of its
#: lead on one line, often bulleted), when training makes them. Extractors deliver real teaser lists that way, and
#: a model that saw only bare headlines and whole leads in boxes kept such items as article text. With corpus wave
#: 32, single runs of seeds 0-2 against the same seeds without: real pages at the default threshold 0.795 -> 0.799
#: macro-F1, kept 99.24 -> 99.12%, dropped 69.6 -> 73.3%; at matched kept (99.3 / 99.0 / 98.5%) 68.1 / 74.1 /
#: 79.0% -> 67.8 / 74.6 / 80.0% (means of the runs, gold paragraphs); trial 15's pages at 99.5% kept 79.9 ->
#: 82.4% dropped, trial 13's at 99% 98.9 -> 98.6%.
GLUED_SHARE = 1 / 3
#: Share of documents that also give a short page: one single-line widget of theirs followed by one or two of
#: their body paragraphs, half the time under their first body paragraph (the headline). Short inputs (a feed's
#: snippet, a paywalled page's lead) are common, the written pages have 10 paragraphs or more, and a model
#: that never saw a page end in its own body right after a widget took that body for a teaser. Three-run models,
#: seeds 0-2 | 10-12, against the same seeds without: of 60 two-line pages (a widget line, then a body sentence;
#: `python benchmarks/short_pages.py`) the body was dropped in 21 | 23 -> 0 | 0, of the same under a headline in 15 | 15 -> 6 | 11;
#: real pages 0.814 | 0.814 -> 0.816 | 0.801 macro-F1, kept 99.12 | 99.11 -> 99.14 | 99.11%, dropped 77.60 |
#: 78.46 -> 77.86 | 77.76%; an unseen corpus wave 0.949 | 0.950 -> 0.950 | 0.954.
SHORT_SHARE = 1.0
#: Offsets the seed of the short pages' draws, so the other views stay the ones the same seed always made.
_SHORT_SEED = 7919
#: Share of documents that also give a feed item: their headline and first one or two body paragraphs alone,
#: the shape of an RSS entry, a search snippet or a paywalled page's lead. Without them the headline of a
#: two-line page read as another story's link. Three-run models, seeds 0-2 | 10-12, against the same seeds
#: without, on the 320 short pages of `python benchmarks/short_pages.py` (27 languages): article kept 98.13 |
#: 97.92% -> 98.90 | 99.00%, on its 64 pages without junk 95.25 | 95.09% -> 98.03 | 97.91%, junk dropped 80.40
#: | 77.77% -> 79.64 | 77.23%; real pages 0.816 | 0.801 -> 0.804 | 0.796 macro-F1, kept 99.14 | 99.11 -> 99.17 |
#: 99.14%, dropped 77.86 | 77.76 -> 75.94 | 77.07%. A share of 0.3 gave the same on both (short pages' article
#: kept 99.01 | 98.83%; real pages 0.800 | 0.802). Tried and not kept: pages of a document's furniture alone
#: (2-6 of its non-article lines, as from a cookie or login wall): junk-only pages' junk dropped 66 -> 93%, but
#: the article kept on short pages with both fell to 96.9 | 97.4%, a widget line then a sentence under a link
#: heading taken for a teaser box.
FEED_SHARE = 0.15
_FEED_SEED = 104729

#: Fewest and most items in a box.
TEASER_ITEMS = (2, 5)
#: A lead used as a teaser is one of a document's first body paragraphs of this many characters.
TEASER_LEAD_CHARS = (40, 300)
#: Most rows of the host page kept before (after, for an inline box) the box: a view is a crop.
TEASER_BEFORE, TEASER_AFTER = 12, 6


def context_views(
    docs: Sequence[Document],
    seed: int,
    labels: np.ndarray,
    folds_of_docs: np.ndarray,
    names: Sequence[str],
    glued: Sequence[int] | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Rows and labels of every view stages 2 and 3 train on: each document as written first, in corpus
    order (the cross-validation report reads those rows), then the augmented views.

    ``labels``: each row's label index into ``names``; the first label is the article text (``reporting``
    in the default set). Boxes of teasers need a ``related-links`` label to put on them. ``glued``: per
    document, the row of its glued teaser line (``augment.glued_teasers``; rows after the corpus's own),
    or -1; boxes of such lines are made only when it is given.
    """
    views = _page_views(docs, seed, labels)
    view_labels = [labels[v] for v in views]
    if Label.RELATED_LINKS.value in names[1:]:
        link = names.index(Label.RELATED_LINKS.value)
        boxes = _teaser_boxes(docs, views[: len(docs)], seed, labels, folds_of_docs, link, glued)
        views += [rows for rows, _ in boxes]
        view_labels += [box_labels for _, box_labels in boxes]
    return views, view_labels


def _page_views(docs: Sequence[Document], seed: int, labels: np.ndarray) -> list[np.ndarray]:
    """Row indices of every document, then every VIEW_STEP-th of their augmented views, then the short pages
    (``_short_pages``) and feed items (``_feed_items``), for stages 2 and 3.

    Users pass documents of any length, starting anywhere (an extractor may drop the headline, a
    scraper may send one paragraph), and a widget line can sit anywhere in a page. Written pages alone
    would teach stage 2 that a first line is furniture and that a line between two body paragraphs is
    body. So each document also gives CROPS_PER_DOC random contiguous slices and, when it has both,
    MOVES_PER_DOC copies with one single-line widget (a non-reporting paragraph whose neighbours have
    other labels) moved between two reporting paragraphs, and a document that opens (ends) with furniture
    also gives the view that starts (ends) at its first (last) reporting paragraph, as most extractors
    deliver pages: written pages put furniture above the headline and below the last paragraph far more
    often than real extracted text has it (most of our written pages end in junk), and without these
    views stage 2 learns that a page's last lines are junk whatever they say. Lines of a multi-line widget
    are not moved: alone among body paragraphs, a bare headline from a link list reads as a subheading.
    ``labels`` holds each row's label index; 0 is the first label (``reporting`` in the default set).
    """
    rng = np.random.default_rng(seed)
    starts = np.cumsum([0] + [len(d.texts) for d in docs])
    views = [np.arange(starts[i], starts[i + 1]) for i in range(len(docs))]
    for i in range(len(docs)):
        rows = views[i]
        n = len(rows)
        for _ in range(CROPS_PER_DOC):
            length = int(rng.integers(1, n + 1))
            first = int(rng.integers(0, n - length + 1))
            views.append(rows[first : first + length])
        lab = labels[rows]
        body = np.flatnonzero(lab == 0)
        if len(body):  # many extractors drop the furniture above the headline and below the article
            if body[0] > 0:
                views.append(rows[body[0] :])
            if body[-1] < n - 1:
                views.append(rows[: body[-1] + 1])
        junk = _single_line_widgets(lab)
        for _ in range(MOVES_PER_DOC if 0 < len(junk) < n else 0):
            moved = rows[junk[rng.integers(len(junk))]]
            rest = rows[rows != moved]
            gaps = np.flatnonzero((labels[rest[:-1]] == 0) & (labels[rest[1:]] == 0)) + 1
            if len(gaps):
                at = int(gaps[rng.integers(len(gaps))])
                views.append(np.concatenate([rest[:at], [moved], rest[at:]]))
    short = _short_pages(docs, seed, labels, starts)
    return views[: len(docs)] + views[len(docs) :: VIEW_STEP] + short + _feed_items(docs, seed, labels, starts)


def _single_line_widgets(lab: np.ndarray) -> np.ndarray:
    """Positions of the non-article lines that are a whole widget: both neighbours have other labels (a line
    of a multi-line widget, moved or shown alone, would read as something else)."""
    alone = np.ones(len(lab), dtype=bool)
    alone[1:] &= lab[1:] != lab[:-1]
    alone[:-1] &= lab[:-1] != lab[1:]
    return np.flatnonzero((lab != 0) & alone)


def _short_pages(docs: Sequence[Document], seed: int, labels: np.ndarray, starts: np.ndarray) -> list[np.ndarray]:
    """SHORT_SHARE of the documents as a short page (see there): [headline,] widget, 1-2 body paragraphs."""
    rng = np.random.default_rng(seed + _SHORT_SEED)
    views = []
    for i in range(len(docs)):
        if rng.random() >= SHORT_SHARE:
            continue
        rows = np.arange(starts[i], starts[i + 1])
        lab = labels[rows]
        junk = _single_line_widgets(lab)
        body = np.flatnonzero(lab == 0)
        if not len(junk) or len(body) < 2:
            continue
        at = int(rng.integers(1, len(body)))  # not the headline itself
        taken = body[at : at + int(rng.integers(1, 3))]
        taken = taken[taken == taken[0] + np.arange(len(taken))]  # consecutive rows only
        head = [rows[body[0]]] if rng.random() < 0.5 else []
        views.append(np.array([*head, rows[junk[rng.integers(len(junk))]], *rows[taken]]))
    return views


def _feed_items(docs: Sequence[Document], seed: int, labels: np.ndarray, starts: np.ndarray) -> list[np.ndarray]:
    """FEED_SHARE of the documents as a feed item (see there): headline, then one or two body paragraphs."""
    rng = np.random.default_rng(seed + _FEED_SEED)
    views = []
    for i in range(len(docs)):
        body = np.flatnonzero(labels[starts[i] : starts[i + 1]] == 0)
        if rng.random() < FEED_SHARE and len(body) >= 2:
            views.append(starts[i] + body[: 1 + int(rng.integers(1, 3))])
    return views


def _teaser_boxes(
    docs: Sequence[Document],
    pages: Sequence[np.ndarray],
    seed: int,
    labels: np.ndarray,
    folds_of_docs: np.ndarray,
    link: int,
    glued: Sequence[int] | None = None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Views of TEASER_SHARE of the documents with a box of other stories' teasers, and their labels.

    A "Top stories", "Partner news" or "Related" box on a real page lists other articles' headlines and
    lead sentences: text that is article text on its own page and cannot be told from it line by line.
    Written teasers carry the wording of someone who knew they were writing a teaser, so the model learnt
    to trust a line's own words over the heading above it, and kept real boxes as article text. These
    boxes are made of other documents' own headlines and leads (same language; same cross-validation fold,
    so no fold's model is scored on text it saw in a box) under a link heading from a written widget,
    placed between two of the host page's body paragraphs, after its body or after its tail (those two
    sometimes with no heading); in the view, every line of the box is ``link``. ``pages``: each document's
    rows, as ``_page_views`` gives them first. A box lists headlines, leads, or (GLUED_SHARE of the boxes,
    when ``glued`` is given) headlines glued to the start of their leads, one line per item.
    """
    rng = np.random.default_rng([seed, 1])
    headings: dict[str, list[int]] = defaultdict(list)  # by language: a link line heading a link line
    teasers: dict[tuple[str, int], list[tuple[int, int, int]]] = defaultdict(list)  # headline, lead, glued (or -1)
    for i, (doc, rows) in enumerate(zip(docs, pages, strict=True)):
        lab = labels[rows]
        for j in np.flatnonzero((lab[:-1] == link) & (lab[1:] == link)):
            text = doc.texts[j]
            if len(text.split()) <= 4 and text[:1].isalpha():
                headings[doc.lang].append(int(rows[j]))
        body = np.flatnonzero(lab == 0)
        if len(body) >= 2:
            low, high = TEASER_LEAD_CHARS
            lead = next((int(b) for b in body[1:4] if low <= len(doc.texts[b]) <= high), -1)
            item = (int(rows[body[0]]), -1 if lead < 0 else int(rows[lead]), -1 if glued is None else int(glued[i]))
            teasers[(doc.lang, int(folds_of_docs[i]))].append(item)
    every_heading = [row for rows in headings.values() for row in rows]
    out = []
    for i, (doc, rows) in enumerate(zip(docs, pages, strict=True)):
        if rng.random() >= TEASER_SHARE:
            continue
        lab = labels[rows]
        body = np.flatnonzero(lab == 0)
        own = range(rows[0], rows[-1] + 1)  # the host's rows: a box shows other pages only
        pool = [t for t in teasers[(doc.lang, int(folds_of_docs[i]))] if t[0] not in own]
        heads = [h for h in headings.get(doc.lang) or every_heading if h not in own]
        if len(body) < 2 or len(pool) < TEASER_ITEMS[0] or not heads:
            continue
        size = min(len(pool), int(rng.integers(TEASER_ITEMS[0], TEASER_ITEMS[1] + 1)))
        picked = rng.choice(len(pool), size=size, replace=False)
        glue = glued is not None and rng.random() < GLUED_SHARE
        kind = 2 if glue else int(rng.random() < 0.5)  # a box of glued lines, else of leads (1) or headlines
        items = [pool[k][kind] if pool[k][kind] >= 0 else pool[k][0] for k in picked]
        heading = [heads[int(rng.integers(len(heads)))]]
        if rng.random() < TEASER_INLINE:  # with its heading: without one the box would read as body lines
            gaps = np.flatnonzero(np.diff(body) == 1) + 1  # between two adjacent body paragraphs
            if not len(gaps):
                continue
            at = int(body[gaps[int(rng.integers(len(gaps)))]])
            end = min(len(rows), at + int(rng.integers(1, TEASER_AFTER + 1)))
        else:
            at = len(rows) if rng.random() < TEASER_AFTER_TAIL else int(body[-1]) + 1
            end = len(rows)
            if rng.random() < TEASER_HEADLESS:
                heading = []
        box = np.array([*heading, *items])
        begin = max(0, at - int(rng.integers(1, TEASER_BEFORE + 1)))
        view = np.concatenate([rows[begin:at], box, rows[at:end]])
        out.append((view, np.concatenate([lab[begin:at], np.full(len(box), link), lab[at:end]])))
    return out
