"""A datatrove pipeline step that cleans ``Document.text`` at scale.

    from classifier.integrations.datatrove import ParagraphCleaner

    pipeline = [JsonlReader("in/"), ParagraphCleaner(min_chars=200), JsonlWriter("out/")]

Every document's paragraphs are labeled and the ones whose label is not kept are cut out (kept ones stay
byte-for-byte). Each document gets ``metadata["dropped_paragraphs"] = {label: count}`` (every unkept
label, zeros included, so columnar writers see one schema; with a ``threshold``, every label), and the step's datatrove stats count the
same per label (``paragraphs_dropped_<label>``, one value per document, so the stats show totals and
means per document) next to ``paragraphs``, ``chars_dropped`` and, when ``min_chars`` drops documents,
``dropped`` and ``dropped_too_short``.

The step holds only settings: the model is loaded lazily, once per worker process, on the first
document, and pickling the step carries the model's path, never its arrays. So the same pipeline runs
unchanged under ``LocalPipelineExecutor``, ``SlurmPipelineExecutor`` (which dill-pickles the executor to
disk) and ``RayPipelineExecutor``; the workers need this package installed and, for ``model_path``, the
model directory at the same path.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from ..artifact import load
from ..errors import ArgumentError
from ..model import Model, check_threshold, kept
from ..segment import SPLIT_MODES, SplitMode, join_kept, split_paragraphs
from . import require

EXTRA = "datatrove"
require("datatrove", EXTRA, "classifier.integrations.datatrove")

from datatrove.data import Document, DocumentsPipeline  # noqa: E402  (after the check that explains a missing extra)
from datatrove.pipeline.formatters.base import BaseFormatter  # noqa: E402
from datatrove.utils.typeshelper import StatHints  # noqa: E402

#: The ``Document.metadata`` key that receives ``{label: dropped paragraph count}``.
METADATA_KEY = "dropped_paragraphs"
#: Reason recorded (stats ``dropped_<reason>``, and ``metadata["filter_reason"]`` for the exclusion
#: writer) for documents dropped by ``min_chars``.
TOO_SHORT = "too_short"


class ParagraphCleaner(BaseFormatter):
    """Drop the paragraphs whose label is not in ``keep`` from every document's text.

    Args:
        model_path: model directory (made absolute here); None for the shipped model (resolved in each worker).
        keep: labels whose paragraphs stay (None: the model's ``default_keep``, i.e. reporting).
        split: how text is cut into paragraphs: "auto", "lines" or "blocks".
        threshold: keep a paragraph when the ``keep`` labels together reach this probability (None: when
            a kept label is the most likely one); lower keeps more text, higher drops more junk.
        min_chars: drop documents whose cleaned text has fewer non-whitespace characters than this
            (0 keeps every document, even an empty one).
        exclusion_writer: optional datatrove writer that receives the documents ``min_chars`` drops, with
            the text they arrived with (to see what was thrown away) and the counts in their metadata.
        metadata_key: where the per-label counts go in ``Document.metadata``.
    """

    name = "🧹 Paragraph classifier"

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        keep: Iterable[str] | None = None,
        split: SplitMode = "auto",
        threshold: float | None = None,
        min_chars: int = 0,
        exclusion_writer: Any = None,
        metadata_key: str = METADATA_KEY,
    ) -> None:
        super().__init__()
        if split not in SPLIT_MODES:
            raise ArgumentError(f"split must be one of {', '.join(SPLIT_MODES)}, not {split!r}")
        if not isinstance(min_chars, int) or isinstance(min_chars, bool) or min_chars < 0:
            raise ArgumentError(f"min_chars must be a whole number, 0 or more, not {min_chars!r}")
        # Absolute now: under Slurm or Ray a worker's working directory need not be this one.
        self.model_path = os.path.abspath(model_path) if model_path is not None else None
        self.keep = None if keep is None else tuple([keep] if isinstance(keep, str) else keep)
        self.split = split
        self.threshold = check_threshold(threshold)
        self.min_chars = min_chars
        self.exclusion_writer = exclusion_writer
        self.metadata_key = metadata_key
        self._model: Model | None = None
        self._keep_set: frozenset[str] = frozenset()

    @property
    def model(self) -> Model:
        """The model, loaded on first use in this process (and its ``keep`` labels checked)."""
        if self._model is None:
            model = load(self.model_path)
            self._keep_set = model.keep_labels(self.keep)
            self._model = model
        return self._model

    def __getstate__(self) -> dict[str, Any]:
        """Pickle settings only: a worker that unpickles the step loads the model from its path."""
        state = self.__dict__.copy()
        state["_model"] = None
        state["_keep_set"] = frozenset()
        return state

    def clean_document(self, text: str) -> tuple[str, dict[str, int]]:
        """``text`` without the unkept paragraphs, and the number dropped per label: every unkept label,
        and with a ``threshold`` (which can drop a paragraph of a kept label) every label, zeros included,
        so that the counts add up to the paragraphs removed and one run has one schema."""
        return self.clean_documents([text])[0]

    def clean_documents(self, texts: list[str]) -> list[tuple[str, dict[str, int]]]:
        """``clean_document`` of each text, scored together (``Model.classify_many``): a corpus of short
        documents pays a call's fixed cost once per batch instead of once per document."""
        model = self.model
        pages = [(text, split_paragraphs(text, self.split)) for text in texts]
        counted = model.labels if self.threshold is not None else [x for x in model.labels if x not in self._keep_set]
        out = []
        for (text, spans), predictions in zip(
            pages, model.classify_many([s.text for s in spans] for _, spans in pages), strict=True
        ):
            mask = kept(predictions, self._keep_set, self.threshold)
            dropped = Counter(p.label for p, stays in zip(predictions, mask, strict=True) if not stays)
            self.stat_update("paragraphs", value=len(spans))
            out.append((join_kept(text, spans, mask), {label: dropped.get(label, 0) for label in counted}))
        return out

    def format(self, text: str) -> str:
        """The cleaned text alone (datatrove's formatter interface)."""
        return self.clean_document(text)[0]

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        """Clean every document, record its counts, and drop those left shorter than ``min_chars``.
        Documents are cleaned BATCH_DOCUMENTS at a time; the time stats are per batch."""
        if data is None:
            return
        writer_context = self.exclusion_writer if self.exclusion_writer else contextlib.nullcontext()
        with writer_context as writer:
            for batch in _batches(data, BATCH_DOCUMENTS):
                with self.track_time(unit="batch"):
                    cleaned = self.clean_documents([doc.text for doc in batch])
                for doc, (text, counts) in zip(batch, cleaned, strict=True):
                    self.stat_update(StatHints.total)
                    original = doc.text
                    if self._record(doc, text, counts):
                        self.stat_update(StatHints.forwarded)
                        self.update_doc_stats(doc)
                        yield doc
                    else:
                        self.stat_update(StatHints.dropped, f"dropped_{TOO_SHORT}")
                        if writer is not None:
                            doc.metadata["filter_reason"] = TOO_SHORT
                            doc.text = original
                            writer.write(doc, rank)

    def _record(self, doc: Document, text: str, counts: dict[str, int]) -> bool:
        """Put the cleaned ``text`` and its counts on ``doc``; whether it has enough text left to keep."""
        before = len(doc.text)
        doc.text = text
        doc.metadata[self.metadata_key] = counts
        for label, n in counts.items():
            self.stat_update(f"paragraphs_dropped_{label}", value=n)
        self.stat_update("chars_dropped", value=before - len(doc.text))
        return self.min_chars == 0 or _visible_chars(doc.text) >= self.min_chars


#: Documents cleaned together by ``ParagraphCleaner.run``: enough to share a call's fixed cost, few enough
#: that a batch of long documents stays small.
BATCH_DOCUMENTS = 64


def _batches(data: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for doc in data:
        batch.append(doc)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _visible_chars(text: str) -> int:
    return len("".join(text.split()))


__all__ = ["METADATA_KEY", "TOO_SHORT", "ParagraphCleaner"]
