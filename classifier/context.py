"""Second-stage features: a paragraph seen with its neighbours and its place in the document.

First-stage probabilities say what each line looks like on its own; this stage lets the model learn
that short lines under a "Read more:" heading are links, that a run of appeals at the tail is one
widget, and that the opening line is usually the headline. Learned weights decide, not hand rules.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .cohesion import COHESION_NAMES
from .features import DENSE_NAMES

#: Neighbours seen one by one on each side.
NEAR = 2
#: Window (each side) over which the strongest neighbouring probability per label is taken.
WINDOW = 5
#: Rows of context a slice needs on each side to compute its rows' features exactly.
PAD = max(NEAR, WINDOW)


class Rows:
    """Where each row of a feature matrix sits in its document, so one matrix can hold the rows of many
    documents (or a slice of one long document) and every row still sees only its own document's
    neighbours: ``position`` is the row's index in its document, ``size`` that document's length."""

    #: For rows made by ``of_documents``: each row's document index, and every document's length.
    document: np.ndarray
    document_sizes: np.ndarray

    def __init__(self, position: np.ndarray, size: np.ndarray, one_document: bool = False) -> None:
        self.position, self.size = position, size
        # Rows of one document (or a slice of one) need no masks: the shift itself leaves zeros past the
        # ends, and a slice's own ends are padding its caller drops.
        self.one_document = one_document or len(size) == 0 or bool(size[0] == size[-1] == len(size))
        self._outside: dict[int, np.ndarray] = {}

    @classmethod
    def of_one_document(cls, rows: int) -> Rows:
        return cls(np.arange(rows), np.full(rows, rows), one_document=True)

    @classmethod
    def of_documents(cls, sizes: Sequence[int] | np.ndarray) -> Rows:
        """The rows of documents of these lengths (zero allowed), stacked in order."""
        sizes = np.asarray(sizes, dtype=np.int64)
        starts = np.cumsum(sizes) - sizes
        document = np.repeat(np.arange(len(sizes)), sizes)
        rows = cls(np.arange(len(document)) - starts[document], sizes[document])
        rows.document, rows.document_sizes = document, sizes
        return rows

    def document_means(self, p: np.ndarray) -> np.ndarray:
        """(documents, columns): each document's mean of its rows of ``p``, taken as of that document
        alone (zeros for an empty one); index it with ``document`` for a row's own. Rows from
        ``of_documents`` only."""
        starts = np.cumsum(self.document_sizes) - self.document_sizes
        return np.array(
            [
                p[a : a + size].mean(axis=0) if size else np.zeros(p.shape[1])
                for a, size in zip(starts, self.document_sizes, strict=True)
            ]
        ).reshape(len(starts), p.shape[1])

    def __getitem__(self, rows: slice) -> Rows:
        return Rows(self.position[rows], self.size[rows], self.one_document)

    def _outside_mask(self, by: int) -> np.ndarray:
        """Rows whose neighbour ``by`` away lies in another document; computed once per shift."""
        if by not in self._outside:
            moved = self.position + by
            self._outside[by] = (moved < 0) | (moved >= self.size)
        return self._outside[by]

    def shifted(self, a: np.ndarray, by: int) -> np.ndarray:
        """Row i of the result is row i+by of ``a`` when that row is in row i's document, else zero."""
        out = np.zeros_like(a)
        n = len(a)
        if by > 0 and by < n:
            out[: n - by] = a[by:]
        elif by < 0 and -by < n:
            out[-by:] = a[: n + by]
        if not self.one_document and by:
            out[self._outside_mask(by)] = 0
        return out

    def window_max(self, p: np.ndarray, side: int) -> np.ndarray:
        """Per label, the largest probability among the WINDOW paragraphs before (side=-1) or after (+1)."""
        out = np.zeros_like(p)
        for k in range(1, WINDOW + 1):
            np.maximum(out, self.shifted(p, side * k), out=out)
        return out


_SHORT, _COLON = DENSE_NAMES.index("words<=3"), DENSE_NAMES.index("ends_colon")
_SHARED_ANY = COHESION_NAMES.index("shared_any")


def n_context_features(n_labels: int, n_dense: int, n_cohesion: int = 0, probs_only: bool = False) -> int:
    """Width of the matrix ``context_features`` returns (``n_cohesion`` 0: a format-1 model's layout)."""
    one = context_features(
        np.zeros((1, n_labels)),
        np.zeros((1, n_dense)),
        np.zeros((1, n_cohesion)) if n_cohesion else None,
        probs_only=probs_only,
    )
    return one.shape[1]


def context_features(
    probs: np.ndarray,
    dense: np.ndarray,
    cohesion: np.ndarray | None = None,
    where: Rows | None = None,
    mean: np.ndarray | None = None,
    probs_only: bool = False,
) -> np.ndarray:
    """Stage-2 input: ``probs`` (n, labels) from stage 1, ``dense`` (n, features), ``cohesion``
    (n, COHESION_NAMES) from ``cohesion.cohesion`` or None for a format-1 model.

    The rows are one document unless ``where`` says otherwise: then they may be many documents, or a
    slice of a long one, and ``mean`` gives each row its document's stage-1 mean (n, labels). A row
    further than ``PAD`` from a slice's ends gets exactly the features it gets in its whole document.

    ``probs_only`` keeps only the columns computed from ``probs`` (same order): the refining stage reads
    the stage-1 evidence this way beside the full context of the stage-2 probabilities, without a second
    copy of the layout columns.
    """
    rows = len(probs)
    if rows == 0:
        n_cohesion = 0 if cohesion is None else cohesion.shape[1]
        return np.zeros((0, n_context_features(probs.shape[1], dense.shape[1], n_cohesion, probs_only)))
    rows_at = Rows.of_one_document(rows) if where is None else where
    idx = rows_at.position.astype(np.float64)
    n = rows_at.size.astype(np.float64)
    offsets = [*range(-NEAR, 0), *range(1, NEAR + 1)]
    ones = np.ones((rows, 1))
    own_log = np.log(np.clip(probs, 1e-4, 1.0)) / 4.0  # evidence strength, not just rank
    # (columns, computed from probs?) in the order of the weights of every saved model
    blocks: list[tuple[np.ndarray, bool]] = [(probs, True), (own_log, True)]
    blocks += [(rows_at.shifted(probs, k), True) for k in offsets]
    layout: list[tuple[np.ndarray, bool]] = [(dense, False)]
    if cohesion is not None:
        # A heading above ("Read more:", "Related") makes the lines under it a list, while a complete
        # inline promo above says nothing about the paragraph after it.
        heading = np.maximum(dense[:, _SHORT], dense[:, _COLON])[:, None]
        blocks.append((rows_at.window_max(probs * heading, -1), True))
        # How a line looks, weighed by whether the page around it talks about the same things: a
        # headline-like line whose words recur in the body is more likely the headline than a teaser.
        layout += [(cohesion, False), (probs * cohesion[:, _SHARED_ANY : _SHARED_ANY + 1], True)]
    first, last = (idx == 0)[:, None].astype(np.float64), (idx == n - 1)[:, None].astype(np.float64)
    blocks += [
        (rows_at.window_max(probs, -1), True),
        (rows_at.window_max(probs, +1), True),
        (np.broadcast_to(probs.mean(axis=0) if mean is None else mean, probs.shape), True),
        *((rows_at.shifted(ones, k), False) for k in offsets),
        ((idx / np.maximum(n - 1, 1))[:, None], False),
        (first, False),
        (last, False),
        (probs * first, True),  # a page's first line: the headline, whatever it looks like alone
        (probs * last, True),
        ((np.log1p(idx) / 4.0)[:, None], False),
        ((np.log1p(n - 1 - idx) / 4.0)[:, None], False),
        ((np.log1p(n) / 5.0)[:, None], False),
    ]
    for shift in (0, -1, 1):  # the paragraph's own layout, then the previous and the next paragraph's
        blocks += [(rows_at.shifted(part, shift) if shift else part, from_probs) for part, from_probs in layout]
    return np.hstack([a for a, from_probs in blocks if from_probs or not probs_only])


def refine_features(
    stage2: np.ndarray,
    stage1: np.ndarray,
    dense: np.ndarray,
    cohesion: np.ndarray | None,
    where: Rows | None = None,
    means: tuple[np.ndarray | None, np.ndarray | None] = (None, None),
) -> np.ndarray:
    """Third-stage input: the context of the stage-2 probabilities beside the stage-1 evidence.

    Stage 2 decides each line from its neighbours' stage-1 guesses, which are weakest exactly where a
    widget looks like prose line by line; seeing the neighbours as stage 2 settled them lets a run of
    teasers or an appeal box agree with itself, and a body paragraph take the word of the body around
    it. ``where`` and ``means`` (each row's document's stage-2 and stage-1 means): as in
    ``context_features``.
    """
    return np.hstack(
        [
            context_features(stage2, dense, cohesion, where, means[0]),
            context_features(stage1, dense, cohesion, where, means[1], probs_only=True),
        ]
    )


def n_refine_features(n_labels: int, n_dense: int, n_cohesion: int) -> int:
    """Width of the matrix ``refine_features`` returns."""
    return n_context_features(n_labels, n_dense, n_cohesion) + n_context_features(
        n_labels, n_dense, n_cohesion, probs_only=True
    )
