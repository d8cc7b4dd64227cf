"""Scores of predicted against true labels, with numpy only (``evaluate`` must not need scikit-learn).

Besides per-class precision/recall/F1 it reports the cleaning view users care about: how much of the
article text (``keep`` labels) survives, and how much of everything else is removed, in characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .data import Document


def score(
    true: Sequence[str],
    pred: Sequence[str],
    texts: Sequence[str],
    labels: Sequence[str],
    keep: Sequence[str] = ("reporting",),
    kept: Sequence[bool] | None = None,
) -> dict[str, Any]:
    """Per-class P/R/F1, macro-F1, accuracy, confusion matrix (rows true, columns predicted), cleaning view.

    The cleaning view counts a paragraph as kept when its predicted label is in ``keep``, or, when
    ``kept`` is given, when its entry there is true (a threshold rule, see ``model.kept``).
    """
    index = {label: i for i, label in enumerate(labels)}
    n = len(labels)
    confusion = np.zeros((n, n), dtype=np.int64)
    for t, p in zip(true, pred, strict=False):
        if t in index and p in index:
            confusion[index[t], index[p]] += 1
    per_class = {}
    f1s = []
    for label, i in index.items():
        tp = confusion[i, i]
        predicted, actual = confusion[:, i].sum(), confusion[i, :].sum()
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {
            "precision": float(precision),
            "recall": float(recall),
            "f1": float(f1),
            "support": int(actual),
        }
        if actual:
            f1s.append(f1)
    keep_set = set(keep)
    chars = {"keep_total": 0, "keep_kept": 0, "drop_total": 0, "drop_dropped": 0}
    stays = [p in keep_set for p in pred] if kept is None else kept
    for t, stay, text in zip(true, stays, texts, strict=False):
        size = len(text)
        if t in keep_set:
            chars["keep_total"] += size
            chars["keep_kept"] += size * stay
        else:
            chars["drop_total"] += size
            chars["drop_dropped"] += size * (not stay)
    kept_total = chars["keep_kept"] + (chars["drop_total"] - chars["drop_dropped"])
    return {
        "labels": list(labels),
        "paragraphs": int(confusion.sum()),
        "accuracy": float(np.trace(confusion) / max(confusion.sum(), 1)),
        "macro_f1": float(np.mean(f1s)) if f1s else 0.0,
        "per_class": per_class,
        "confusion": confusion.tolist(),
        "cleaning": {
            "keep_labels": list(keep),
            # Keys named for the default model ("reporting" kept, the "other" labels dropped) and kept so for
            # readers of --json output; they mean the kept labels and the labels not kept whatever the keep.
            # None where there is nothing to measure (no kept-label text in the gold data, no keep labels):
            # a vacuous 100% would read as a result.
            "reporting_chars_kept": _share(chars["keep_kept"], chars["keep_total"]),
            "other_chars_dropped": _share(chars["drop_dropped"], chars["drop_total"]),
            "kept_text_precision": _share(chars["keep_kept"], kept_total),
        },
    }


#: Document fields a report can be broken down by: ``kind`` is the part of ``source`` before its first "/"
#: ("news/sports" -> "news").
GROUP_FIELDS: tuple[str, ...] = ("lang", "source", "kind")


#: The group of documents that give no ``lang`` (or ``source``): in ``evaluate --by``, metrics and data-stats.
NO_GROUP = "(none)"


def score_groups(
    field: str,
    docs: Sequence[Document],
    true: Sequence[str],
    pred: Sequence[str],
    texts: Sequence[str],
    labels: Sequence[str],
    keep: Sequence[str] = ("reporting",),
    kept: Sequence[bool] | None = None,
) -> dict[str, dict[str, Any]]:
    """``score``'s headline numbers per group of ``docs`` under ``field`` (one of GROUP_FIELDS; "(none)"
    for documents that do not say), largest group first.

    One overall score hides where a model is weak: a language with few training pages can score far below
    the average and still barely move it. The other arguments are per paragraph of ``docs`` in order, as
    for ``score``.
    """
    members: dict[str, list[int]] = {}
    documents: dict[str, int] = {}
    start = 0
    for doc in docs:
        value = {"lang": doc.lang, "source": doc.source, "kind": doc.source.split("/", 1)[0]}[field]
        group = value.strip() or NO_GROUP
        members.setdefault(group, []).extend(range(start, start + len(doc.texts)))
        documents[group] = documents.get(group, 0) + 1
        start += len(doc.texts)
    out: dict[str, dict[str, Any]] = {}
    for group, rows in members.items():
        part = score(
            [true[i] for i in rows],
            [pred[i] for i in rows],
            [texts[i] for i in rows],
            labels,
            keep,
            None if kept is None else [kept[i] for i in rows],
        )
        out[group] = {
            "documents": documents[group],
            "paragraphs": part["paragraphs"],
            "macro_f1": part["macro_f1"],
            "reporting_chars_kept": part["cleaning"]["reporting_chars_kept"],
            "other_chars_dropped": part["cleaning"]["other_chars_dropped"],
        }
    return dict(sorted(out.items(), key=lambda item: (-item[1]["documents"], item[0])))


#: Groups of fewer documents than this are flagged under the ``--by`` table.
FEW_DOCUMENTS = 5


def few_documents_note(groups: dict[str, dict[str, Any]]) -> str:
    """What to say under a table of ``score_groups`` whose groups are too small to read, or nothing."""
    few = sum(row["documents"] < FEW_DOCUMENTS for row in groups.values())
    if not few:
        return ""
    return (
        f"fewer than {FEW_DOCUMENTS} documents: {few} of the {len(groups)} groups; a macro F1 from so few pages "
        "moves a lot with a single paragraph"
    )


#: Cross-validation over fewer distinct pages than this is flagged in ``train``'s report and the model card.
FEW_PAGES = 30


def few_pages_note(cv: dict[str, Any]) -> str:
    """What to say under a cross-validation report of too few pages to read (a tester's 3 pages scored
    1.000), or nothing."""
    pages = cv.get("pages")
    if pages is None or pages >= FEW_PAGES:
        return ""
    return (
        f"cross-validation over {pages} page{'s' * (pages != 1)}: too few for these scores to say how the model "
        "does on new pages; score it on pages held out (--eval)"
    )


def format_groups(field: str, groups: dict[str, dict[str, Any]]) -> str:
    """``score_groups`` as an aligned text table; kept/dropped are the cleaning view's two shares."""
    width = max(len(x) for x in [*groups, field]) + 2
    lines = [f"{field:{width}}{'documents':>10}{'paragraphs':>11}{'macro F1':>10}{'kept':>9}{'dropped':>9}"]
    for group, row in groups.items():
        lines.append(
            f"{group:{width}}{row['documents']:10d}{row['paragraphs']:11d}{row['macro_f1']:10.3f}"
            f"{percent(row['reporting_chars_kept'], 1):>9}{percent(row['other_chars_dropped'], 1):>9}"
        )
    note = few_documents_note(groups)
    if note:  # a tester read one page's 0.431 as a weak language: two missed lines zeroed two labels' F1
        lines.append(f"({note})")
    return "\n".join(lines)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percent(share: float | None, digits: int = 2) -> str:
    """A cleaning-view share as the reports print it; "n/a" when there was nothing to measure."""
    return "n/a" if share is None else f"{share:.{digits}%}"


def format_report(report: dict[str, Any]) -> str:
    """A score report as the aligned text tables the CLI prints."""
    labels = report["labels"]
    width = max(len(x) for x in [*labels, "macro avg"]) + 2
    lines = [f"{'':{width}}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
    for label in labels:
        c = report["per_class"][label]
        lines.append(f"{label:{width}}{c['precision']:10.3f}{c['recall']:10.3f}{c['f1']:10.3f}{c['support']:10d}")
    lines.append(f"{'macro F1':{width}}{'':20}{report['macro_f1']:10.3f}{report['paragraphs']:10d}")
    lines.append(f"{'accuracy':{width}}{'':20}{report['accuracy']:10.3f}")
    lines.append("")
    lines.append("confusion (rows: true, columns: predicted)")
    cell = max(width, 10)
    lines.append(f"{'':{width}}" + "".join(f"{x:>{cell}}" for x in labels))
    for label, row in zip(labels, report["confusion"], strict=True):
        lines.append(f"{label:{width}}" + "".join(f"{v:{cell}d}" for v in row))
    c = report["cleaning"]
    lines.append("")
    if not c["keep_labels"]:
        lines.append("cleaning: n/a (the model has no default labels to keep; name them with --keep)")
    else:
        kept = ",".join(c["keep_labels"])
        rule = "" if c.get("threshold") is None else f", threshold {c['threshold']:g}"
        lines.append(
            f"cleaning (keep {kept}{rule}): {kept} chars kept {percent(c['reporting_chars_kept'])}, "
            f"junk (labels not kept) chars dropped {percent(c['other_chars_dropped'])}, "
            f"kept-text precision {percent(c['kept_text_precision'])}"
        )
    if report.get("unknown_labels"):  # an evaluation's gold labels the model cannot predict (never the CV's)
        lines.append(f"labels unknown to the model (counted as errors): {', '.join(report['unknown_labels'])}")
    return "\n".join(lines)
