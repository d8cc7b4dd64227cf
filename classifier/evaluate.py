"""Scoring a model on labeled documents (numpy only, like prediction)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .data import Document
from .metrics import score
from .model import Model, check_threshold, kept


def evaluate(
    model: Model, docs: Sequence[Document], keep: Sequence[str] | None = None, threshold: float | None = None
) -> dict[str, Any]:
    """Per-class P/R/F1, macro-F1, confusion and the cleaning view of ``model`` on ``docs``.

    Each document is classified as a whole, as in real use. Gold labels the model does not know count
    as errors, and are listed under ``unknown_labels``. ``threshold`` applies to the cleaning view only,
    which then measures exactly what ``clean`` with that threshold keeps. ``keep`` None: the model's
    ``default_keep`` (none on an older custom-label model: the cleaning view is then n/a).
    """
    check_threshold(threshold)
    keep = model.default_keep if keep is None else keep
    keep_set = frozenset(keep)  # may name gold-only labels the model cannot predict
    true: list[str] = []
    pred: list[str] = []
    stays: list[bool] = []
    texts: list[str] = []
    for doc in docs:
        predictions = model.classify(doc.texts)
        true += doc.labels
        pred += [p.label for p in predictions]
        stays += kept(predictions, keep_set, threshold)
        texts += doc.texts
    labels = list(model.labels) + sorted(set(true) - set(model.labels))
    report = score(true, pred, texts, labels, keep, kept=stays)
    report["cleaning"]["threshold"] = threshold
    report["documents"] = len(docs)
    report["unknown_labels"] = sorted(set(true) - set(model.labels))
    return report
