"""Second-stage features: a paragraph seen with its neighbours and its place in the document.

First-stage probabilities say what each line looks like on its own; this stage lets the model learn
that short lines under a "Read more:" heading are links, that a run of appeals at the tail is one
widget, and that the opening line is usually the headline. Learned weights decide, not hand rules.
"""

from __future__ import annotations

import numpy as np

from .cohesion import COHESION_NAMES
from .features import DENSE_NAMES

#: Neighbours seen one by one on each side.
NEAR = 2
#: Window (each side) over which the strongest neighbouring probability per label is taken.
WINDOW = 5
#: Rows of context a slice needs on each side to compute its rows' features exactly.
PAD = max(NEAR, WINDOW)


def _shifted(a: np.ndarray, by: int) -> np.ndarray:
    """Row i of the result is row i+by of ``a``, zero where that row does not exist."""
    out = np.zeros_like(a)
    n = len(a)
    if by > 0 and by < n:
        out[: n - by] = a[by:]
    elif by < 0 and -by < n:
        out[-by:] = a[: n + by]
    return out


def _window_max(p: np.ndarray, side: int) -> np.ndarray:
    """Per label, the largest probability among the WINDOW paragraphs before (side=-1) or after (+1)."""
    out = np.zeros_like(p)
    for k in range(1, WINDOW + 1):
        np.maximum(out, _shifted(p, side * k), out=out)
    return out


_SHORT, _COLON = DENSE_NAMES.index("words<=3"), DENSE_NAMES.index("ends_colon")
_SHARED_ANY = COHESION_NAMES.index("shared_any")


def n_context_features(n_labels: int, n_dense: int, n_cohesion: int = 0) -> int:
    """Width of the matrix ``context_features`` returns (``n_cohesion`` 0: a format-1 model's layout)."""
    page = n_cohesion + n_labels if n_cohesion else 0
    heading = n_labels if n_cohesion else 0
    return n_labels * (7 + 2 * NEAR) + heading + 2 * NEAR + 6 + 3 * (n_dense + page)


def context_features(
    probs: np.ndarray,
    dense: np.ndarray,
    cohesion: np.ndarray | None = None,
    offset: int = 0,
    total: int | None = None,
    mean: np.ndarray | None = None,
) -> np.ndarray:
    """Stage-2 input for one document: ``probs`` (n, labels) from stage 1, ``dense`` (n, features),
    ``cohesion`` (n, COHESION_NAMES) from ``cohesion.cohesion`` or None for a format-1 model.

    A long document can be processed a slice at a time: pass the slice's first row ``offset``, the
    document's ``total`` rows and its stage-1 ``mean``; rows further than ``PAD`` from the slice's ends
    then get exactly the features they get in the whole document.
    """
    rows = len(probs)
    n_cohesion = 0 if cohesion is None else cohesion.shape[1]
    if rows == 0:
        return np.zeros((0, n_context_features(probs.shape[1], dense.shape[1], n_cohesion)))
    n = rows if total is None else total
    idx = np.arange(offset, offset + rows, dtype=np.float64)
    offsets = [*range(-NEAR, 0), *range(1, NEAR + 1)]
    ones = np.ones((rows, 1))
    present = [_shifted(ones, k) for k in offsets]
    own_log = np.log(np.clip(probs, 1e-4, 1.0)) / 4.0  # evidence strength, not just rank
    blocks = [probs, own_log, *(_shifted(probs, k) for k in offsets)]
    if cohesion is not None:
        # A heading above ("Read more:", "Related") makes the lines under it a list, while a complete
        # inline promo above says nothing about the paragraph after it.
        heading = np.maximum(dense[:, _SHORT], dense[:, _COLON])[:, None]
        blocks.append(_window_max(probs * heading, -1))
        # How a line looks, weighed by whether the page around it talks about the same things: a
        # headline-like line whose words recur in the body is more likely the headline than a teaser.
        dense = np.hstack([dense, cohesion, probs * cohesion[:, _SHARED_ANY : _SHARED_ANY + 1]])
    blocks += [
        _window_max(probs, -1),
        _window_max(probs, +1),
        np.broadcast_to(probs.mean(axis=0) if mean is None else mean, probs.shape),
        *present,
        (idx / max(n - 1, 1))[:, None],
        (idx == 0)[:, None].astype(np.float64),
        (idx == n - 1)[:, None].astype(np.float64),
        probs * (idx == 0)[:, None],  # a page's first line: the headline, whatever it looks like alone
        probs * (idx == n - 1)[:, None],
        (np.log1p(idx) / 4.0)[:, None],
        (np.log1p(n - 1 - idx) / 4.0)[:, None],
        np.full((rows, 1), np.log1p(n) / 5.0),
        dense,
        _shifted(dense, -1),
        _shifted(dense, 1),
    ]
    return np.hstack(blocks)
