"""Corpus statistics for the data card: counts per label × language × page kind, and the minimums."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from .data import Document

START_MARK = "<!-- data-stats:start -->"
END_MARK = "<!-- data-stats:end -->"


def corpus_stats(docs: Sequence[Document]) -> dict[str, Any]:
    """Counts a data card needs, as plain data."""
    labels: Counter[str] = Counter()
    by_lang: dict[str, Counter[str]] = {}
    docs_by_lang: Counter[str] = Counter()
    docs_by_kind: Counter[str] = Counter()
    kind_labels: dict[str, Counter[str]] = {}
    distinct: dict[str, set[str]] = {}
    clean_docs = 0
    for d in docs:
        lang, kind = d.lang or "?", (d.source or "?").split("/")[0]
        docs_by_lang[lang] += 1
        docs_by_kind[kind] += 1
        clean_docs += all(x == "reporting" for x in d.labels)
        for text, label in zip(d.texts, d.labels, strict=False):
            labels[label] += 1
            by_lang.setdefault(lang, Counter())[label] += 1
            kind_labels.setdefault(kind, Counter())[label] += 1
            distinct.setdefault(label, set()).add(" ".join(text.lower().split()))
    return {
        "documents": len(docs),
        "paragraphs": sum(labels.values()),
        "labels": dict(labels.most_common()),
        "distinct": {k: len(v) for k, v in sorted(distinct.items())},
        "documents_without_boilerplate": clean_docs,
        "languages": dict(docs_by_lang.most_common()),
        "label_by_language": {k: dict(by_lang[k]) for k, _ in docs_by_lang.most_common()},
        "kinds": dict(docs_by_kind.most_common()),
        "label_by_kind": {k: dict(kind_labels[k]) for k, _ in docs_by_kind.most_common()},
    }


def stats_markdown(stats: dict[str, Any]) -> str:
    """The statistics as the Markdown tables of the data card."""
    labels = list(stats["labels"])
    lines = [
        f"- Documents: **{stats['documents']}**; paragraphs: **{stats['paragraphs']}**; documents without "
        f"boilerplate: **{stats['documents_without_boilerplate']}** "
        f"({stats['documents_without_boilerplate'] / max(stats['documents'], 1):.0%})",
        "- Paragraphs per label (distinct wordings): "
        + ", ".join(f"{k} {n} ({stats['distinct'][k]})" for k, n in stats["labels"].items()),
        "",
        "| language | documents | " + " | ".join(labels) + " |",
        "|---|---:|" + "---:|" * len(labels),
    ]
    for lang, counts in stats["label_by_language"].items():
        lines.append(
            f"| {lang} | {stats['languages'][lang]} | " + " | ".join(str(counts.get(x, 0)) for x in labels) + " |"
        )
    lines += ["", "| page kind | documents | " + " | ".join(labels) + " |", "|---|---:|" + "---:|" * len(labels)]
    for kind, counts in stats["label_by_kind"].items():
        lines.append(f"| {kind} | {stats['kinds'][kind]} | " + " | ".join(str(counts.get(x, 0)) for x in labels) + " |")
    return "\n".join(lines)


def update_card(card: str, stats: dict[str, Any]) -> str:
    """``card`` with the text between the data-stats markers replaced by fresh tables."""
    table = stats_markdown(stats)
    if START_MARK in card and END_MARK in card:
        head, rest = card.split(START_MARK, 1)
        _, tail = rest.split(END_MARK, 1)
        return f"{head}{START_MARK}\n{table}\n{END_MARK}{tail}"
    return f"{card.rstrip()}\n\n{START_MARK}\n{table}\n{END_MARK}\n"
