"""Turning one document's paragraphs into numbers, with numpy only.

Two kinds of evidence per paragraph:

* hashed character n-grams of the lower-cased text, wrapped in start/end markers so that a
  paragraph-initial "read more" differs from one mid-sentence. Hashing (instead of a vocabulary) keeps
  the artifact a fixed-size array and makes loading a single ``np.load``; the hashes are computed for a
  whole document in a few vectorised passes, which is what makes prediction fast.
* a few layout features (length, terminal punctuation, bullets, capitals, URLs…) that carry across
  languages and scripts.

Context (neighbours, position) is built on top of first-stage probabilities in ``context.py``.
The trainer and the predictor both call these functions, so their features cannot drift apart.
"""

from __future__ import annotations

import math
import re
import zlib
from itertools import chain

import numpy as np

#: Text beyond this many characters adds nothing but time: a paragraph that long is article prose.
MAX_CHARS = 2000
#: Of an over-long paragraph, keep the head and this many characters of the tail.
TAIL_CHARS = 500
NGRAM_MIN = 1
NGRAM_MAX = 5
HASH_BITS = 18
#: Paragraph-initial word sequences up to this length become features of their own.
EDGE_WORDS = 3
#: Characters read at each end of a paragraph for its edge tokens.
EDGE_CHARS = 200
#: Value of an edge token, against n-grams whose values sum to about sqrt(count).
EDGE_VALUE = 0.5
_EDGE_MIX = 0xA24BAED4963EE407

_START, _END, _SEP = "\x02", "\x03", "\x00"
_MULT = np.uint64(0x100000001B3)
# One odd multiplier per n-gram length, so n-grams of different lengths land in different buckets.
_MIX = tuple(
    np.uint64(m)
    for m in (
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x94D049BB133111EB,
        0xBF58476D1CE4E5B9,
    )
)
_DIGITS = str.maketrans("0123456789", "0000000000")

_TERMINAL = re.compile(r"[.!?。！？…:;)\]\"'»”’]\s*$")
_SENTENCE_END = re.compile(r"[.!?。！？]['\"»”’)\]]*\s*$")
_BULLET = re.compile(r"^\s*(?:[-–—•*▶►·→>✓✔■□◆●○▪»]|\d{1,2}[.)]\s)")
_URL = re.compile(r"https?://|www\.|\.(?:com|org|net|de|fr|co\.uk|ru|ua|pl|nl|it|es|br)\b", re.I)
_COPYRIGHT = re.compile(r"©|ⓒ|\(c\)|copyright|\ball rights reserved", re.I)
_ELLIPSIS = re.compile(r"(?:\.\.\.|…)\s*$")
# Two list-item fields (a headline and its teaser, a title and its date) that an extractor glued together
# with the whitespace that stood between their elements; n-grams see only one space after normalising.
_INNER_GAP = re.compile(r"\S(?: {2,}|\t)\S")

#: New layout features are only ever appended: a model saved with the first N names (N >= this) still
#: loads, and gets just those columns.
MIN_DENSE = 19
DENSE_NAMES: tuple[str, ...] = (
    "log_chars",
    "log_words",
    "words<=3",
    "words<=8",
    "sentence_end",
    "ends_punct",
    "ends_colon",
    "bullet",
    "upper_ratio",
    "title_ratio",
    "digit_ratio",
    "url",
    "at_sign",
    "copyright",
    "pipe",
    "bracket_start",
    "alpha_ratio",
    "ellipsis_end",
    "no_letters",
    "inner_gap",
)


def normalize(text: str) -> str:
    """Lower-case, digits folded to 0, whitespace collapsed, long text cut to head + tail."""
    norm = " ".join(text.lower().translate(_DIGITS).split())
    if len(norm) > MAX_CHARS:
        norm = norm[: MAX_CHARS - TAIL_CHARS] + " " + norm[-TAIL_CHARS:]
    return norm


def dense_features(text: str) -> list[float]:
    """Layout features of one paragraph, each scaled to about [0, 1]; order is ``DENSE_NAMES``."""
    sample = text if len(text) <= MAX_CHARS else text[: MAX_CHARS - TAIL_CHARS] + text[-TAIL_CHARS:]
    words = sample.split()
    n_words = len(words)
    n_chars = len(text.strip())
    letters = sum(map(str.isalpha, sample))
    upper = sum(map(str.isupper, sample))
    digits = sum(map(str.isdigit, sample))
    alpha_words = [w for w in words if w[:1].isalpha()]
    titled = sum(w[0].isupper() for w in alpha_words)
    stripped = sample.strip()
    size = max(len(stripped), 1)
    return [
        math.log1p(n_chars) / 8.0,
        math.log1p(n_words) / 6.0,
        float(n_words <= 3),
        float(n_words <= 8),
        float(bool(_SENTENCE_END.search(stripped))),
        float(bool(_TERMINAL.search(stripped))),
        float(stripped.endswith(":")),
        float(bool(_BULLET.match(stripped))),
        upper / letters if letters else 0.0,
        titled / len(alpha_words) if alpha_words else 0.0,
        digits / size,
        float(bool(_URL.search(sample))),
        float("@" in sample),
        float(bool(_COPYRIGHT.search(sample))),
        float("|" in sample),
        float(stripped[:1] in "[("),
        letters / size,
        float(bool(_ELLIPSIS.search(stripped))),
        float(letters == 0),
        float(bool(_INNER_GAP.search(stripped))),
    ]


def dense_matrix(paragraphs: list[str]) -> np.ndarray:
    """``dense_features`` of every paragraph as a float64 array of shape (n, len(DENSE_NAMES)).

    The values stream into the array: a list of rows of Python floats first would take five times the
    array's memory, the largest allocation of a huge one-document input."""
    width = len(DENSE_NAMES)
    values = chain.from_iterable(map(dense_features, paragraphs))
    return np.fromiter(values, dtype=np.float64, count=len(paragraphs) * width).reshape(len(paragraphs), width)


def ngram_buckets(
    paragraphs: list[str], hash_bits: int = HASH_BITS, ngram_range: tuple[int, int] = (NGRAM_MIN, NGRAM_MAX)
) -> tuple[np.ndarray, np.ndarray]:
    """Hashed n-grams of all paragraphs of one document.

    Returns ``(rows, buckets)``: for every n-gram occurrence, the index of its paragraph and its bucket in
    ``[0, 2**hash_bits)``. Repeated n-grams appear repeatedly, so a row's counts are a bincount away.
    """
    if not paragraphs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    wrapped = [_START + " " + normalize(p) + " " + _END for p in paragraphs]
    joined = _SEP.join(wrapped)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(w) + 1 for w in wrapped), dtype=np.int64, count=len(wrapped))
    row_of = np.repeat(np.arange(len(wrapped), dtype=np.int64), lengths)[: len(codes)]
    row_of[codes == 0] = -1  # separators belong to no paragraph
    shift = np.uint64(64 - hash_bits)
    rows_out, buckets_out = [], []
    h = np.zeros(len(codes), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for n in range(1, ngram_range[1] + 1):
            count = len(codes) - n + 1
            if count <= 0:
                break
            h = h[:count] * _MULT + codes[n - 1 :]
            if n < ngram_range[0]:
                continue
            first, last = row_of[:count], row_of[n - 1 :]
            valid = (first == last) & (first >= 0)
            rows_out.append(first[valid])
            buckets_out.append(((h[valid] * _MIX[n - 1]) >> shift).astype(np.int64))
    return np.concatenate(rows_out), np.concatenate(buckets_out)


def ngram_weights(rows: np.ndarray, n_rows: int) -> np.ndarray:
    """Per-occurrence value 1/sqrt(n-grams in its paragraph), so long paragraphs don't dominate."""
    counts = np.bincount(rows, minlength=n_rows).astype(np.float64)
    return (1.0 / np.sqrt(np.maximum(counts, 1.0)))[rows]


def edge_tokens(paragraphs: list[str], hash_bits: int = HASH_BITS) -> tuple[np.ndarray, np.ndarray]:
    """Buckets of each paragraph's first one, two and three words and of its last word.

    How a line starts ("read more:", "by", "photo:", "tags:") says more about its job than the rest of
    it, and in the n-gram bag that start is drowned by a long headline; these tokens carry it at full
    weight whatever the paragraph's length.
    """
    rows, buckets = [], []
    shift = 64 - hash_bits
    mask = (1 << 64) - 1
    for i, text in enumerate(paragraphs):
        words = normalize(text[:EDGE_CHARS]).split()
        if not words:
            continue
        keys = [f"^{' '.join(words[:k])}" for k in range(1, min(EDGE_WORDS, len(words)) + 1)]
        tail = words if len(text) <= EDGE_CHARS else normalize(text[-EDGE_CHARS:]).split() or words
        keys.append(f"{tail[-1]}$")
        for key in keys:
            h = zlib.crc32(key.encode("utf-8", "surrogatepass"))
            rows.append(i)
            buckets.append(((h * _EDGE_MIX) & mask) >> shift)
    return np.array(rows, dtype=np.int64), np.array(buckets, dtype=np.int64)


def hashed_features(
    paragraphs: list[str], hash_bits: int = HASH_BITS, ngram_range: tuple[int, int] = (NGRAM_MIN, NGRAM_MAX)
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All sparse features of one document as ``(rows, buckets, values)``; repeated pairs add up."""
    n = len(paragraphs)
    rows, buckets = ngram_buckets(paragraphs, hash_bits, ngram_range)
    values = ngram_weights(rows, n)
    erows, ebuckets = edge_tokens(paragraphs, hash_bits)
    return (
        np.concatenate([rows, erows]),
        np.concatenate([buckets, ebuckets]),
        np.concatenate([values, np.full(len(erows), EDGE_VALUE)]),
    )
