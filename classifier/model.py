"""A loaded model and the three things users do with it: classify, label, clean.

Prediction is numpy only: the trainer (``train.py``) fits with scikit-learn and saves plain arrays, and
this module evaluates them. ``Model`` holds nothing but read-only arrays and settings, so one instance
can be shared between threads and pickled to worker processes.
"""

from __future__ import annotations

import numbers
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .cohesion import cohesion
from .context import PAD, Rows, context_features, refine_features
from .errors import ArgumentError, InputError
from .features import DENSE_NAMES, dense_matrix, hashed_features
from .labels import default_keep
from .segment import Span, SplitMode, is_blank, join_kept, require_text, split_paragraphs


@dataclass(frozen=True, slots=True)
class Prediction:
    """The label of one paragraph, its probability, and the probability of every label."""

    label: str
    score: float
    scores: dict[str, float]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A labeled paragraph of a text: ``text == source[start:end]``."""

    text: str
    label: str
    score: float
    start: int
    end: int
    scores: dict[str, float]


#: A network stage 3's arrays, in ``network_scorer``'s argument order.
NETWORK_ARRAYS = ("refine_hidden", "refine_hidden_bias", "refine_out", "refine_out_bias")
#: Characters of paragraph text featurized at once (see ``Model.probabilities``), and paragraphs: the
#: later stages' feature rows are a couple of hundred floats each, whatever the paragraph's length, so a
#: page of a million one-word lines needs a row bound as well (without it: 1.1 GB for 2 MB of text).
CHUNK_CHARS = 200_000
CHUNK_ROWS = 4_096
#: Paragraphs of many documents scored together by ``Model.probabilities_many``.
BATCH_ROWS = 2_048


def _paragraph_list(paragraphs: Iterable[str], where: str = "") -> list[str]:
    """``paragraphs`` as a list of str; a bare string or non-text items are caller errors, said plainly.
    ``where`` names the page among many ("page 10: ")."""
    if isinstance(paragraphs, (str, bytes)):
        hint = (
            "classify_many takes lists of paragraphs, one per page" if where else "classify takes a list of paragraphs"
        )
        raise InputError(f"{where}{hint}; for one text use label(text) or clean(text)")
    if isinstance(paragraphs, (Mapping, set, frozenset)):  # no page order: a dict would give its keys
        raise InputError(f"{where}paragraphs must be a list of str in page order, not a {type(paragraphs).__name__}")
    try:
        texts = list(paragraphs)
    except TypeError:
        raise InputError(f"{where}paragraphs must be a list of str, not {type(paragraphs).__name__}") from None
    for item in texts:
        if not isinstance(item, str):
            raise InputError(f"{where}paragraphs must be str, not {type(item).__name__}")
    return texts


def _pages(pages: Iterable[Any], what: str) -> Iterator[Any]:
    """``pages`` as an iterator, checked now: a bare string (which would be read a character a page) or
    something that is not iterable at all are caller errors, said when the ``_many`` call is made."""
    if isinstance(pages, (str, bytes)):
        raise InputError(f"{what} takes an iterable of pages, not one {type(pages).__name__}")
    try:
        return iter(pages)
    except TypeError:
        raise InputError(f"{what} takes an iterable of pages, not {type(pages).__name__}") from None


def _chunks(texts: list[str]) -> list[tuple[int, int]]:
    """(start, end) index ranges covering ``texts`` with about CHUNK_CHARS characters and at most
    CHUNK_ROWS paragraphs each."""
    bounds, start, size = [], 0, 0
    for i, text in enumerate(texts):
        size += min(len(text), 4096)  # features read at most MAX_CHARS of a paragraph
        if size >= CHUNK_CHARS or i + 1 - start >= CHUNK_ROWS:
            bounds.append((start, i + 1))
            start, size = i + 1, 0
    if start < len(texts):
        bounds.append((start, len(texts)))
    return bounds


def check_threshold(threshold: float | None) -> float | None:
    """``threshold`` if it is None or a probability, else an ``ArgumentError`` saying so."""
    # numbers.Real: numpy's float32 scalars are not Python floats, and a threshold often comes from an array.
    ok = isinstance(threshold, numbers.Real) and not isinstance(threshold, bool) and 0.0 <= threshold <= 1.0
    if threshold is not None and not ok:
        raise ArgumentError(f"threshold must be a probability from 0 to 1, not {threshold!r}")
    return threshold


def kept(
    predictions: Sequence[Prediction] | Sequence[Paragraph], keep: frozenset[str], threshold: float | None = None
) -> list[bool]:
    """Which paragraphs stay when cleaning: the one rule every cleaning path (CLI, library, integrations) uses.

    With no ``threshold`` a paragraph stays when its most likely label is kept. With one, it stays when
    the kept labels together have at least that probability: below 0.5 keeps more article text at the
    cost of more junk, above drops more junk at the cost of some article text.
    """
    labels = tuple(predictions[0].scores) if predictions else ()
    return kept_rows(np.array([list(p.scores.values()) for p in predictions]), labels, keep, threshold)


def kept_rows(
    probs: np.ndarray, labels: Sequence[str], keep: frozenset[str], threshold: float | None = None
) -> list[bool]:
    """``kept`` on a (paragraphs, labels) probability array, columns in ``labels`` order: the rule
    itself, which ``Model.clean`` applies without building a ``Prediction`` per paragraph (those cost
    more memory than the text on a huge input, and time on every one)."""
    if not len(probs):
        return []
    if threshold is None:
        return [labels[j] in keep for j in probs.argmax(axis=1).tolist()]
    columns = [j for j, label in enumerate(labels) if label in keep]
    # Probabilities of all labels sum to 1 only up to rounding: keeping every label at threshold 1 keeps all.
    return (probs[:, columns].sum(axis=1) >= threshold - 1e-9).tolist()


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


Scorer = Callable[[np.ndarray], np.ndarray]


def linear_scorer(coef: np.ndarray, bias: np.ndarray) -> Scorer:
    """Probabilities of a multinomial logistic regression (stages 1 and 2; stage 3 of format-3 models)."""
    return lambda x: _softmax(x @ coef + bias)


def network_scorer(hidden: np.ndarray, hidden_bias: np.ndarray, out: np.ndarray, out_bias: np.ndarray) -> Scorer:
    """Mean probabilities of an ensemble of one-hidden-layer ReLU networks (stage 3 of format-4 models).

    The members differ only in their random start; averaging them takes out most of the run-to-run
    variation a single small network has on pages unlike its training pages.
    """

    def predict(x: np.ndarray) -> np.ndarray:
        # One member at a time: a page's rows times one member's weights stays below the size at which
        # OpenBLAS starts a second thread, where all members in one product (nine in a model of three
        # averaged runs) doubled the CPU time of a one-page call for no gain in wall time, and halved the
        # throughput of two worker processes.
        total = np.zeros((len(x), out.shape[2]))
        for m in range(len(hidden)):
            total += _softmax(np.maximum(x @ hidden[m] + hidden_bias[m], 0.0) @ out[m] + out_bias[m])
        return total / len(hidden)

    return predict


def _by_chunks(
    spans: list[tuple[int, int]],
    n: int,
    n_labels: int,
    features: Callable[[int, int], np.ndarray],
    predict: Scorer,
) -> np.ndarray:
    """``predict(features(lo, hi))`` for every row, one chunk of ``spans`` at a time.

    ``features`` gets each chunk widened by PAD rows on both sides (the context it needs) and the rows
    outside the chunk are dropped, so no chunk's matrix is larger than its own rows plus 2 * PAD.
    """
    out = np.empty((n, n_labels))
    for a, b in spans:
        lo, hi = max(0, a - PAD), min(n, b + PAD)
        out[a:b] = predict(features(lo, hi)[a - lo : b - lo])
    return out


@dataclass(frozen=True)
class Weights:
    """The learned arrays of the stages, named as in the artifact's ``weights.npz``."""

    hash_coef: np.ndarray  # (labels, 2**hash_bits) float32: stage-1 weights of n-gram buckets
    dense_coef: np.ndarray  # (dense features, labels): stage-1 weights of layout features
    stage1_bias: np.ndarray  # (labels,)
    context_coef: np.ndarray  # (context features, labels): stage-2 weights
    stage2_bias: np.ndarray  # (labels,)
    # Stage 3 is linear in format-3 models, a small network in format 4, absent in format 2.
    refine_coef: np.ndarray | None = None  # (refine features, labels)
    refine_bias: np.ndarray | None = None  # (labels,)
    refine_hidden: np.ndarray | None = None  # (members, refine features, hidden units)
    refine_hidden_bias: np.ndarray | None = None  # (members, hidden units)
    refine_out: np.ndarray | None = None  # (members, hidden units, labels)
    refine_out_bias: np.ndarray | None = None  # (members, labels)

    def __post_init__(self) -> None:
        for array in self.as_arrays().values():
            array.setflags(write=False)  # shared by every thread and call: nothing may change it in place

    def __reduce__(self) -> tuple[type[Weights], tuple[np.ndarray | None, ...]]:
        """Rebuilt through ``__init__`` when unpickled or deep-copied (a worker's copy of a model), so
        the copy's arrays are read-only too."""
        return Weights, tuple(getattr(self, name) for name in self.__dataclass_fields__)

    def as_arrays(self) -> dict[str, np.ndarray]:
        arrays = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return {name: value for name, value in arrays.items() if value is not None}

    def refine_scorer(self) -> Scorer | None:
        """Stage 3 as a function of its feature rows, or None when the model has no third stage."""
        return refine_scorer(self.as_arrays())


def refine_scorer(arrays: Mapping[str, np.ndarray]) -> Scorer | None:
    """Stage 3 from whichever of its arrays ``arrays`` holds (network, linear, none), by their
    ``Weights`` names; the trainer scores its fold fits with it, so they are scored as a model is."""
    if "refine_hidden" in arrays:
        return network_scorer(*(arrays[name] for name in NETWORK_ARRAYS))
    if "refine_coef" in arrays:
        return linear_scorer(arrays["refine_coef"], arrays["refine_bias"])
    return None


class Model:
    """A paragraph classifier; get one with ``classifier.load()`` (``classifier.train.train_model`` makes one)."""

    def __init__(self, weights: Weights, config: dict[str, Any], path: Path | None = None) -> None:
        self.weights = weights
        self.config = config
        self.labels: tuple[str, ...] = tuple(config["labels"])
        self.path = path
        self._hash_bits = int(config["features"]["hash_bits"])
        self._ngram_range = tuple(config["features"]["ngram_range"])
        # Models saved before cohesion features existed leave the key out and keep working.
        self._cohesion = bool(config["features"].get("cohesion"))
        # Models saved before a layout feature was appended read only the columns they were trained on.
        self._n_dense = len(config["features"].get("dense", DENSE_NAMES))

    def __repr__(self) -> str:
        where = f" from {self.path}" if self.path else ""
        return f"<classifier.Model labels={list(self.labels)}{where}>"

    def stage1_probabilities(self, paragraphs: Sequence[str], dense: np.ndarray) -> np.ndarray:
        """What each paragraph looks like on its own: (n, labels) probabilities."""
        n = len(paragraphs)
        rows, buckets, values = hashed_features(list(paragraphs), self._hash_bits, self._ngram_range)  # type: ignore[arg-type]
        w = self.weights
        logits = dense @ w.dense_coef + w.stage1_bias
        for j in range(len(self.labels)):
            logits[:, j] += np.bincount(rows, weights=w.hash_coef[j][buckets] * values, minlength=n)
        return _softmax(logits)

    def probabilities(self, paragraphs: Iterable[str]) -> np.ndarray:
        """Final (n, labels) probabilities of one document's paragraphs, columns in ``self.labels`` order.

        Blank items (an empty ``<p>`` a spider kept: whitespace or zero-width characters) are no evidence: they are left out of every
        other paragraph's context and take the probabilities of the paragraph before them (after them at
        the start of a list), so a widget's lines stay one run. A list of only blank items gets uniform rows.
        """
        return self._batch_probabilities([_paragraph_list(paragraphs)])[0]

    def probabilities_many(self, documents: Iterable[Iterable[str]]) -> Iterator[np.ndarray]:
        """``probabilities`` of each document, in order, taken as they come: documents are scored a batch
        of about BATCH_ROWS paragraphs at a time, so the fixed cost of a call is shared (a page of five
        paragraphs costs a third of a ``probabilities`` call of its own) and memory stays bounded. A page
        that is not a list of str is an ``InputError`` naming its index, raised when its batch is read."""
        return self._probabilities_of(_pages(documents, "classify_many"))

    def _probabilities_of(self, documents: Iterator[Iterable[str]]) -> Iterator[np.ndarray]:
        batch: list[list[str]] = []
        rows = 0
        for index, document in enumerate(documents):
            batch.append(_paragraph_list(document, f"page {index}: "))
            rows += len(batch[-1])
            if rows >= BATCH_ROWS:
                yield from self._batch_probabilities(batch)
                batch, rows = [], 0
        if batch:
            yield from self._batch_probabilities(batch)

    def _batch_probabilities(self, documents: list[list[str]]) -> list[np.ndarray]:
        """``probabilities`` of several documents at once; blank items are taken out and put back here."""
        filled = [[i for i, text in enumerate(texts) if not is_blank(text)] for texts in documents]
        cores = self._documents_probabilities(
            [
                texts if len(f) == len(texts) else [texts[i] for i in f]
                for texts, f in zip(documents, filled, strict=True)
            ]
        )
        out = []
        for texts, f, probs in zip(documents, filled, cores, strict=True):
            if len(f) == len(texts):
                out.append(probs)
            elif not f:
                out.append(np.full((len(texts), len(self.labels)), 1.0 / len(self.labels)))
            else:
                source = np.searchsorted(f, np.arange(len(texts)), side="right") - 1
                out.append(probs[np.maximum(source, 0)])
        return out

    def _documents_probabilities(self, documents: list[list[str]]) -> list[np.ndarray]:
        """``probabilities`` of documents of non-blank paragraphs, their rows stacked into one matrix.

        Stage 1 looks at one paragraph at a time; the later stages at PAD neighbours on each side, within
        the row's own document (``context.Rows``). The stack is processed in chunks of about CHUNK_CHARS
        characters, so memory stays bounded whatever the input, and every row gets the probabilities its
        document alone would give it.
        """
        sizes = np.array([len(texts) for texts in documents], dtype=np.int64)
        texts = [text for document in documents for text in document]
        n, n_labels = len(texts), len(self.labels)
        if n == 0:
            return [np.zeros((0, n_labels)) for _ in documents]
        where = Rows.of_documents(sizes)
        document_of = where.document
        dense = dense_matrix(texts)[:, : self._n_dense]
        spans = _chunks(texts)
        p1 = np.vstack([self.stage1_probabilities(texts[a:b], dense[a:b]) for a, b in spans])
        page = np.vstack([cohesion(document) for document in documents]) if self._cohesion else None
        w = self.weights
        mean1 = where.document_means(p1)  # indexed per chunk: one row per document, not per paragraph

        def page_rows(lo: int, hi: int) -> np.ndarray | None:
            return None if page is None else page[lo:hi]

        def stage2(lo: int, hi: int) -> np.ndarray:
            return context_features(p1[lo:hi], dense[lo:hi], page_rows(lo, hi), where[lo:hi], mean1[document_of[lo:hi]])

        p2 = _by_chunks(spans, n, n_labels, stage2, linear_scorer(w.context_coef, w.stage2_bias))
        refine = w.refine_scorer()
        if refine is None:
            return np.split(p2, np.cumsum(sizes)[:-1])
        mean2 = where.document_means(p2)

        def stage3(lo: int, hi: int) -> np.ndarray:
            return refine_features(
                p2[lo:hi],
                p1[lo:hi],
                dense[lo:hi],
                page_rows(lo, hi),
                where[lo:hi],
                (mean2[document_of[lo:hi]], mean1[document_of[lo:hi]]),
            )

        return np.split(_by_chunks(spans, n, n_labels, stage3, refine), np.cumsum(sizes)[:-1])

    def classify(self, paragraphs: Iterable[str]) -> list[Prediction]:
        """Label ONE document's paragraphs, given in page order (order and neighbours are evidence)."""
        return self._predictions(self.probabilities(paragraphs))

    def classify_many(self, documents: Iterable[Iterable[str]]) -> Iterator[list[Prediction]]:
        """``classify`` of each document (a list of its paragraphs), in order; faster than one call per
        document, most for short ones (see ``probabilities_many``). Documents are read as results are
        taken, so a stream of a million pages needs the memory of one batch."""
        return map(self._predictions, self.probabilities_many(documents))

    def _predictions(self, probs: np.ndarray) -> list[Prediction]:
        best = probs.argmax(axis=1)
        out = []
        for row, j in zip(probs.tolist(), best.tolist(), strict=False):
            out.append(Prediction(self.labels[j], row[j], dict(zip(self.labels, row, strict=False))))
        return out

    def label(self, text: str, split: SplitMode = "auto") -> list[Paragraph]:
        """Split ``text`` into paragraphs and label each; offsets point into ``text``."""
        spans = split_paragraphs(text, split)
        return labelled(self, spans, self.probabilities([s.text for s in spans]))

    def clean(
        self,
        text: str,
        keep: Iterable[str] | None = None,
        split: SplitMode = "auto",
        threshold: float | None = None,
    ) -> str:
        """``text`` without the paragraphs whose label is not in ``keep``; kept ones byte-for-byte.

        ``keep`` None: the model's ``default_keep``. ``threshold`` trades article text kept against junk
        dropped (the rule of ``classifier.model.kept``); None: a paragraph stays when its most likely
        label is kept.
        """
        require_text(text)
        keep_set = self.keep_labels(keep)
        check_threshold(threshold)
        spans = split_paragraphs(text, split)
        return without_unkept(self, text, spans, self.probabilities([s.text for s in spans]), keep_set, threshold)[0]

    def clean_many(
        self,
        texts: Iterable[str],
        keep: Iterable[str] | None = None,
        split: SplitMode = "auto",
        threshold: float | None = None,
    ) -> Iterator[str]:
        """``clean`` of each text (one page each), in order, scored in batches as ``classify_many`` is.
        The arguments are checked here, before the first text is read."""
        keep_set = self.keep_labels(keep)
        check_threshold(threshold)
        split_paragraphs("", split)  # an unknown split mode is refused now, not at the first page
        return self._cleaned(_pages(texts, "clean_many"), keep_set, split, threshold)

    def _cleaned(
        self, texts: Iterator[str], keep: frozenset[str], split: SplitMode, threshold: float | None
    ) -> Iterator[str]:
        pages: deque[tuple[str, list[Span]]] = deque()  # split, waiting for their batch to be scored

        def paragraphs() -> Iterator[list[str]]:
            for index, text in enumerate(texts):
                if not isinstance(text, str):
                    raise InputError(f"page {index}: clean_many takes str texts, not {type(text).__name__}")
                spans = split_paragraphs(text, split)
                pages.append((text, spans))
                yield [s.text for s in spans]

        for probs in self.probabilities_many(paragraphs()):
            text, spans = pages.popleft()
            yield without_unkept(self, text, spans, probs, keep, threshold)[0]

    @property
    def default_keep(self) -> tuple[str, ...]:
        """The labels cleaning keeps when the caller names none: the trainer's choice (``keep`` in
        config.json), else ``reporting``; empty for an older custom-label model that recorded none."""
        return default_keep(self.labels, self.config.get("keep"))

    def keep_labels(self, keep: Iterable[str] | None = None) -> frozenset[str]:
        """What every cleaning path keeps: ``keep`` checked against this model, or ``default_keep``.

        One label may be given as a string. An ``ArgumentError`` for unknown labels, an empty set, or
        None on a model without default keep labels.
        """
        if keep is None:
            if not self.default_keep:
                raise ArgumentError(
                    f"this model has no default labels to keep (its labels: {', '.join(self.labels)}); "
                    "name them (keep=..., --keep)"
                )
            return frozenset(self.default_keep)
        wanted = self.check_labels(keep)
        if not wanted:
            raise ArgumentError("keep must name at least one label")
        return wanted

    def check_labels(self, labels: Iterable[str]) -> frozenset[str]:
        """``labels`` as a set, or an ``ArgumentError`` naming any this model does not know.

        A single string is one label name: ``keep="reporting"`` would otherwise be read letter by letter.
        """
        if isinstance(labels, str):
            labels = [labels]
        try:
            wanted = frozenset(labels)
        except TypeError:
            raise ArgumentError(f"labels must be label names, not {type(labels).__name__}") from None
        if "" in wanted or not all(isinstance(x, str) for x in wanted):
            raise ArgumentError("label names must be non-empty strings")
        unknown = sorted(wanted - set(self.labels))
        if unknown:
            raise ArgumentError(f"unknown label(s) {', '.join(unknown)}; this model's labels: {', '.join(self.labels)}")
        return wanted


def without_unkept(
    model: Model, text: str, spans: list[Span], probs: np.ndarray, keep: frozenset[str], threshold: float | None
) -> tuple[str, int]:
    """``text`` without the paragraphs of ``spans`` whose ``probs`` rows are not kept, and how many those
    are: the last step of every cleaning path, once the paragraphs are scored (alone or in a batch)."""
    keep_mask = kept_rows(probs, model.labels, keep, threshold)
    return join_kept(text, spans, keep_mask), keep_mask.count(False)


def labelled(model: Model, spans: list[Span], probs: np.ndarray) -> list[Paragraph]:
    """The ``Paragraph`` of each span, from its row of ``probs``: ``Model.label`` once it has scored them."""
    return [
        Paragraph(s.text, p.label, p.score, s.start, s.end, p.scores)
        for s, p in zip(spans, model._predictions(probs), strict=True)
    ]
