"""Scoring a model on labeled documents (numpy only, like prediction)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .data import Document
from .errors import ArgumentError, DataError
from .metrics import GROUP_FIELDS, score, score_groups
from .model import Model, check_threshold, kept


def check_group_fields(by: Sequence[str]) -> None:
    """An ``ArgumentError`` for a field a report cannot be broken down by (see ``GROUP_FIELDS``)."""
    unknown = [field for field in by if field not in GROUP_FIELDS]
    if unknown:
        raise ArgumentError(f"cannot break a report down by {unknown[0]!r}: choose from {', '.join(GROUP_FIELDS)}")


def evaluate(
    model: Model,
    docs: Sequence[Document],
    keep: Sequence[str] | None = None,
    threshold: float | None = None,
    by: Sequence[str] = (),
) -> dict[str, Any]:
    """Per-class P/R/F1, macro-F1, confusion and the cleaning view of ``model`` on ``docs``.

    Each document is classified as a whole, as in real use (scored in batches: ``Model.classify_many``). Gold labels the model does not know count
    as errors, and are listed under ``unknown_labels``; data with none of the model's labels is a
    ``DataError`` (the wrong model or the wrong file, not a score of 0). ``threshold`` applies to the
    cleaning view only, which then measures exactly what ``clean`` with that threshold keeps. ``keep`` None: the model's
    ``default_keep`` (none on an older custom-label model: the cleaning view is then n/a).

    ``by``: fields of GROUP_FIELDS ("lang", "source", "kind"); for each, ``report["by_<field>"]`` holds
    the headline numbers per group (``metrics.score_groups``).
    """
    check_threshold(threshold)
    check_group_fields(by)
    keep = model.default_keep if keep is None else keep
    keep_set = frozenset(keep)  # may name gold-only labels the model cannot predict
    true: list[str] = []
    pred: list[str] = []
    stays: list[bool] = []
    texts: list[str] = []
    for doc, predictions in zip(docs, model.classify_many(doc.texts for doc in docs), strict=True):
        true += doc.labels
        pred += [p.label for p in predictions]
        stays += kept(predictions, keep_set, threshold)
        texts += doc.texts
    if true and not set(true) & set(model.labels):
        raise DataError(
            f"none of the data's labels ({', '.join(sorted(set(true)))}) is one this model predicts "
            f"({', '.join(model.labels)}): every score would be 0"
        )
    labels = list(model.labels) + sorted(set(true) - set(model.labels))
    report = score(true, pred, texts, labels, keep, kept=stays)
    report["cleaning"]["threshold"] = threshold
    report["documents"] = len(docs)
    report["unknown_labels"] = sorted(set(true) - set(model.labels))
    for field in by:
        report[f"by_{field}"] = score_groups(field, docs, true, pred, texts, labels, keep, kept=stays)
    return report
